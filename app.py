"""Deep Learning: Getting Started, live. Run with ``streamlit run app.py``.

Builds the navigation from the talk's map (``pages/_catalog.py``): the home page
first, then one page per concept that exists.
"""

import os
import sys

# Streamlit puts this folder on sys.path for the length of each run and takes it off at the
# end of the run that put it there, while other sessions may still be importing from it:
# on a fresh server, 20 people opening at once got "cannot import name '_ui' from 'pages'"
# (benchmarks/load.py). A second entry of our own, at the end, stays for the server's life
# (list.remove takes the first one).
_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path.count(_HERE) < 2:
    sys.path.append(_HERE)

# plotly imports pandas on first use; several sessions doing that at once got "partially
# initialized module 'pandas'" (benchmarks/load.py), so the first run imports it here.
import pandas  # noqa: E402, F401
import streamlit as st  # noqa: E402

from pages import _catalog, _ui  # noqa: E402

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
