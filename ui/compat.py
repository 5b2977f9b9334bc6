"""The one place where the app touches Streamlit internals, with the version they were
checked against. One, with a test (tests/test_compat.py):
:func:`leave_legacy_multipage_mode`, the ``pages/`` folder's old multipage mode (below).

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

CHECKED = ("1.67",)  # Streamlit major.minor versions this module was verified on


def version_checked() -> bool:
    """Whether the running Streamlit is one this module was verified on."""
    return ".".join(st.__version__.split(".")[:2]) in CHECKED


def leave_legacy_multipage_mode() -> None:
    """End Streamlit's v1 multipage mode and rerun through ``app.py``, once per process."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.rerun()

