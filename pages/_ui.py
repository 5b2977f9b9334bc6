"""Streamlit helpers that every page shares: URL state, presenter mode, grids.

The URL-state layer (``pages/_urlstate.py``: :func:`param`, :func:`load_state`, the
widget helpers, :func:`key`, :func:`link`, :func:`plain`) is re-exported here, so a
page imports this one module. Besides it:

* :func:`grid` is an editable number grid kept in the URL as ``1,2;3,4``.
* :func:`presenter` reads ``present=1``: wide layout, large type, secondary
  controls folded away.

This module is private to the pages (its name starts with ``_``, so
``st.navigation`` never lists it) and is never imported by ``dlcore``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._urlstate import (  # noqa: F401  (re-exported: the pages' one import)
    GLOBAL_KEYS,
    BadValue,
    decode_grid,
    decode_image,
    encode_grid,
    encode_image,
    from_url,
    key,
    link,
    link_to,
    load_state,
    multiselect,
    number,
    number_text,
    param,
    plain,
    reset,
    reset_button,
    select,
    set_value,
    slider,
    specs,
    state_class,
    text,
    to_url,
    toggle,
    value,
)


def leave_legacy_multipage_mode() -> None:
    """Make the first visit of a fresh server through a deep link run ``app.py``.

    Streamlit treats an app with a ``pages/`` folder as a v1 multipage app until
    ``st.navigation`` is first called, so the very first request for ``/convolution``
    would run that page alone, without the app shell. Every page imports this
    module, so it switches that mode off and asks for a rerun, which goes through
    ``app.py`` and its ``st.navigation``.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


leave_legacy_multipage_mode()


def one_torch_thread() -> None:
    """Serve torch on one intra-op thread; the pages that run torch call this each run.

    Each rerun computes on one small input while sessions run side by side, so a second
    thread only contends with them and with the browser: pen up to answer on the digits
    page took 741-765 ms with torch's two threads and 514-556 ms with one
    (``python benchmarks/browser_latency.py``, with and without ``OMP_NUM_THREADS=1``).
    It is set on every run because torch keeps the count per thread: a thread that already
    existed keeps its own.
    """
    import torch  # here, so that pages without torch (home) never load it

    torch.set_num_threads(1)


PRESENT_KEY = "present"


# --------------------------------------------------------------------------- grids
def grid(cls: type, name: str, grid_now: np.ndarray, default: np.ndarray, label: str,
         container=st) -> np.ndarray:
    """An editable number grid for field ``name`` (a ``parse=decode_grid`` field); edits
    go to the session and the URL (a grid equal to ``default`` is left out of the link).

    The editor's key follows the grid's content, so a grid changed by code (random
    fill, reset, a resize) shows a fresh editor instead of replaying old edits.
    """
    grid_now = np.asarray(grid_now, dtype=float)
    edited = container.data_editor(
        grid_now, key=f"{key(cls, name)}._editor_{hash(grid_now.tobytes()) & 0xFFFFFFFF:x}_{grid_now.shape}",
        hide_index=True, width="stretch",
    )
    out = np.nan_to_num(np.asarray(edited, dtype=float))
    try:
        decode_grid(encode_grid(out))  # the same bounds as a link
    except ValueError as err:
        container.error(f"Not used: {plain(err)}.")
        out = grid_now
    set_value(cls, name, out, default=default)
    container.caption(label)
    return out


# --------------------------------------------------------------------------- presenter mode
def presenter() -> bool:
    """``present=1`` in the URL: the stage view. It sticks for the session, across pages."""
    if PRESENT_KEY in st.query_params:
        st.session_state["_present"] = st.query_params[PRESENT_KEY] in ("1", "true")
    elif st.session_state.get("_present"):
        st.query_params[PRESENT_KEY] = "1"  # keep it in every page's link
    return bool(st.session_state.get("_present", False))


def presenter_switch() -> None:
    """A sidebar switch for presenter mode (it writes ``present=1`` into the URL)."""

    def _flip() -> None:
        on = st.session_state["_present_switch"]
        st.session_state["_present"] = on
        if on:
            st.query_params[PRESENT_KEY] = "1"
        else:
            st.query_params.pop(PRESENT_KEY, None)

    st.sidebar.toggle("Presenter mode", value=presenter(), key="_present_switch",
                      on_change=_flip, help="Large type, wide layout, fewer controls")


def apply_presenter_style() -> None:
    """Large type for the back of the room; called once by app.py."""
    if presenter():
        st.html("<style>html, .stMarkdown p, .stMarkdown li {font-size: 1.25rem;}"
                "h1 {font-size: 3rem !important;}</style>")


def secondary(label: str = "More settings"):
    """Where secondary controls go: folded away in presenter mode, open otherwise."""
    return st.expander(label, expanded=not presenter())


def page_title(title: str, slide: str, lead: str) -> None:
    """The page heading, the talk slide it belongs to and one sentence of context."""
    st.title(title)
    st.caption(f"Talk slide: *{slide}*")
    if lead:
        st.markdown(lead)
