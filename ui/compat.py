"""The one place where the app touches Streamlit internals, with the version they were
checked against. Two, each with a test (tests/test_compat.py):

* :func:`leave_legacy_multipage_mode`: the ``pages/`` folder's old multipage mode (below);
* :func:`browser_query`: the query string as the browser sent it, so that a link whose
  query Streamlit dropped whole (over its 1,000-parameter limit) gets a message;

Streamlit treats an app with a ``pages/`` folder beside its main script as an old-style
(v1) multipage app until ``st.navigation`` is first called in the process: on a fresh
server the very first request runs the page file it names on its own, without
``app.py``. Our pages are modules whose ``main()`` ``app.py`` registers with ``st.Page``,
so such a run would draw nothing. Every page imports the ``ui`` package, whose
``__init__`` calls :func:`leave_legacy_multipage_mode`: it ends that mode and asks for a
rerun, which goes through ``app.py``. ``client.showSidebarNavigation = false`` (``.streamlit/config.toml``)
keeps the raw file list out of sight meanwhile (the app draws its own navigation).

``tests/test_compat.py`` checks the flag still exists and a fresh server's first deep link
draws the page; :data:`CHECKED` names the versions that test passed on.
"""

from __future__ import annotations

import streamlit as st

CHECKED = ("1.67",)
# Streamlit reads no query string over these (streamlit/runtime/state/query_params.py).
QUERY_MAX_FIELDS = 1000
QUERY_MAX_LENGTH = 512 * 1024  # Streamlit major.minor versions this module was verified on


def version_checked() -> bool:
    """Whether the running Streamlit is one this module was verified on."""
    return ".".join(st.__version__.split(".")[:2]) in CHECKED


def leave_legacy_multipage_mode() -> None:
    """End Streamlit's v1 multipage mode and rerun through ``app.py``, once per process."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.rerun()


def browser_query() -> str:
    """The query string of the page's URL as the browser sent it ("" if unknown):
    ``st.context.url`` leaves the query out, and ``st.query_params`` is empty when
    Streamlit dropped an over-long one."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    info = getattr(ctx, "context_info", None) if ctx else None
    url = info.url if info is not None and info.HasField("url") else ""
    return url.split("#", 1)[0].partition("?")[2]

