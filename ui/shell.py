"""The app's shell: the navigation built from the catalog, drawn in the sidebar by the
app itself, so that each link carries the settings its page had in this session.

Pages are plain functions (each page module's ``main``) registered with ``st.Page``, as
in Streamlit's own ``hello`` demo; a page module is imported the first time it is shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import streamlit as st

from ui import catalog, kit

HOME = ("home", "The talk", "🏠")


def _runner(module: str) -> Callable[[], None]:
    def run() -> None:
        importlib.import_module(module).main()

    run.__name__ = module.rsplit(".", 1)[-1]
    return run


def pages() -> list:
    """The app's pages, home first, then the catalog's in talk order. Fresh objects on
    each call: Streamlit marks the page it runs on the object itself."""
    url, title, icon = HOME
    home = st.Page(_runner(f"pages.{url}"), title=title, icon=icon, default=True)
    return [home] + [st.Page(_runner(c.module), title=c.title, icon=c.icon,
                             url_path=c.url_path) for c in catalog.available()]


def page(url_path: str):
    """The page object of ``url_path`` (for ``st.page_link``)."""
    return next(p for p in pages() if p.url_path == url_path
                or (p.url_path == "" and url_path == HOME[0]))


def sidebar(all_pages: list) -> None:
    """The navigation: a link per page, holding the settings that page had when this
    session last showed it (a page left with ``lr_exp=-1.5`` comes back with it)."""
    with st.sidebar.container(key="app-nav"):
        for p in all_pages:
            st.page_link(p, label=p.title, icon=p.icon,
                         query_params=kit.last_query(p.url_path) if p.url_path else None)
        st.divider()
    kit.presenter_switch()


def run() -> None:
    """The whole app, once per script run (``app.py``)."""
    st.set_page_config(
        page_title="Deep Learning: Getting Started",
        page_icon="🧠",
        layout="wide" if kit.presenter() else "centered",
        # on the stage the page gets the whole screen; the sidebar opens with its arrow
        initial_sidebar_state="collapsed" if kit.presenter() else "auto",
    )
    all_pages = pages()
    current = st.navigation(all_pages, position="hidden")
    kit.apply_style()
    if kit.navigation_quiet_on() != current.url_path:  # (the deck's followers: kit)
        sidebar(all_pages)
    current.run()
    kit.end_of_run()  # a page that read no link leaves no mark for the next run
