"""A link whose query string Streamlit dropped whole gets a message (issue 23).

Streamlit reads no parameter of a query string with more than 1,000 of them, or longer
than 512 Ki characters: it drops the whole string silently, and the page would show its
defaults as if the link had asked for them. The server cannot see the dropped string
through Streamlit's public API (``st.context.url`` leaves the query out), but the
browser can: this component (v2: inline JavaScript, no iframe, nothing drawn) is placed
once, on a session's first run, reads ``location.search`` and, only when the string is
over either limit, sends its size back once. The page's next run names it in its
warning (:func:`dropped`). A link within the limits sends nothing and costs no rerun.
"""

from __future__ import annotations

import streamlit as st

NAME = "dlcore_query_watch"
# Streamlit's own limits (streamlit/runtime/state/query_params.py; tests/test_compat.py
# checks them against the installed Streamlit).
MAX_FIELDS = 1000
MAX_LENGTH = 512 * 1024
_PLACED = "_ui_query_watch"  # session: the watch was placed (on the first run)
_FOUND = "_ui_query_dropped"  # session: what the browser reported, until it is shown

JS = """export default function ({ data, setTriggerValue }) {
  const q = location.search.replace(/^\\?/, "");
  const fields = q ? q.split("&").length : 0;
  if (fields > data.fields || q.length > data.length) setTriggerValue("dropped", {fields, length: q.length});
}"""


def watch() -> None:
    """Place the watch on this session's first run (in the sidebar, where its empty box
    takes no room from the page)."""
    if st.session_state.get(_PLACED):
        return
    st.session_state[_PLACED] = True
    component = st.components.v2.component(NAME, js=JS)
    with st.sidebar:
        component(key=_PLACED + "_box", data={"fields": MAX_FIELDS, "length": MAX_LENGTH},
                  on_dropped_change=_reported)


def _reported() -> None:
    result = st.session_state.get(_PLACED + "_box")
    value = result.get("dropped") if hasattr(result, "get") else None
    if isinstance(value, dict):
        fields, length = value.get("fields"), value.get("length")
        if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
               for v in (fields, length)):
            st.session_state[_FOUND] = (fields, length)


def dropped() -> str:
    """Why the link's whole query string was dropped (said once), or ""."""
    found = st.session_state.pop(_FOUND, None)
    if found is None or len(st.query_params):
        return ""
    fields, length = found
    if fields > MAX_FIELDS:
        return (f"the link has {fields:,} parameters, more than the {MAX_FIELDS:,} the "
                "server reads, so none was read and every setting is at its default")
    if length > MAX_LENGTH:
        return (f"the link is {length:,} characters long, more than the server reads, "
                "so none of it was read and every setting is at its default")
    return ""
