"""Deep Learning: Getting Started, live. Run with ``streamlit run app.py``.

Builds the navigation from the talk's map (``pages/_catalog.py``): the home page
first, then one page per concept that exists.
"""

import streamlit as st

from pages import _catalog, _ui

st.set_page_config(
    page_title="Deep Learning: Getting Started",
    page_icon="🧠",
    layout="wide" if _ui.presenter() else "centered",
    # on the stage the page gets the whole screen; the sidebar opens with its arrow
    initial_sidebar_state="collapsed" if _ui.presenter() else "auto",
)

home = st.Page("pages/home.py", title="The talk", icon="🏠", default=True)
pages = [home] + [
    st.Page(str(c.path), title=c.title, icon=c.icon, url_path=c.url_path)
    for c in _catalog.available()
]
page = st.navigation(pages)
_ui.apply_style()
_ui.presenter_switch()
page.run()
