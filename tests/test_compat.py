"""ui/compat.py, the Streamlit internals the app touches, and what they are for.

* The flag it clears (``PagesManager.uses_pages_directory``) still exists, and the
  installed Streamlit is a version the module was checked on.
* In Chromium, on a freshly started server: the first request is a deep link
  (``/convolution``), which draws its page, and no raw list of ``pages/`` files
  (Streamlit's old multipage sidebar) ever appears, not even for a moment.
* The query-string limits are Streamlit's.
* Settings survive the sidebar: a page left through the app's own navigation comes back
  through it with the settings it had in this session.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import CHROMIUM, _watched_page, data_root, need, running_app, wait_for_app
from ui import catalog, compat
from ui.components import query_watch

# Names of modules that are not pages: Streamlit's raw list would show these.
NOT_PAGES = ["app", "animate", "binding", "catalog", "codec", "compat", "kit", "shell",
             "slides", "states", "ui", "urlstate"]

# Runs before any script of the page: remembers whether Streamlit's own page list
# (data-testid stSidebarNav) was ever in the document.
WATCH_RAW_NAV = """
window.__rawNav = [];
new MutationObserver(() => {
  const nav = document.querySelector('[data-testid="stSidebarNav"]');
  if (nav) window.__rawNav.push(nav.innerText);
}).observe(document, {subtree: true, childList: true});
"""


def test_the_flag_exists_and_the_version_was_checked():
    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory"), "ui/compat.py needs a new route"
    assert compat.version_checked(), (
        "a Streamlit this module was not checked on: run tests/test_compat.py and add "
        "its major.minor to compat.CHECKED")


@pytest.mark.browser
@pytest.mark.slow
def test_a_fresh_servers_first_request_is_a_deep_link_without_a_raw_page_list(browser):
    need(os.path.exists(CHROMIUM), f"no Chromium at {CHROMIUM}")
    env = dict(os.environ, DLCORE_DATA_DIR=str(data_root()))
    with running_app(env=env) as served:  # fresh: no session has run app.py yet
        pages = _watched_page(browser, served.url, viewport={"width": 1400, "height": 1000})
        pg = next(pages)
        try:
            pg.add_init_script(WATCH_RAW_NAV)
            pg.goto(f"{served.url}/convolution")
            wait_for_app(pg)
            title = next(c.title for c in catalog.available() if c.url_path == "convolution")
            # a cold server imports the page's engine first: minutes on a loaded machine
            expect(pg.get_by_role("heading", name=re.compile(title))).to_be_visible(
                timeout=180_000)
            assert pg.evaluate("window.__rawNav") == [], "Streamlit's raw page list showed"
            nav = pg.locator('[data-testid="stSidebar"]')
            for concept in catalog.available():  # the app's own navigation, once drawn
                expect(nav).to_contain_text(concept.title, timeout=120_000)
            sidebar = nav.inner_text()
            shown = set(re.findall(r"[a-z_]+", sidebar))
            assert not shown & set(NOT_PAGES), sidebar
            for concept in catalog.available():
                assert concept.title in sidebar, concept.title
        finally:
            next(pages, None)  # closes the context, checks no request left the host


@pytest.mark.browser
@pytest.mark.slow
def test_settings_survive_the_sidebar(page, app_url):
    page.goto(f"{app_url}/gradient_descent?lr_exp=-1.5&steps=200")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator("a", has_text="Draw a digit").wait_for(timeout=180_000)  # a cold server
    sidebar.locator("a", has_text="Draw a digit").click()
    expect(page).to_have_url(re.compile(r"/digits"))
    wait_for_app(page)
    back = sidebar.locator("a", has_text="Gradient descent")
    # the digits page's run draws the link with the settings gradient descent had
    expect(back).to_have_attribute("href", re.compile(r"lr_exp=-1\.5"), timeout=120_000)
    back.click()
    expect(page).to_have_url(re.compile(r"/gradient_descent\?"))
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"[?&]lr_exp=-1\.5(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]steps=200(&|$)"))


def test_the_query_limits_are_streamlits():
    """ui/components/query_watch.py says a link is over them; a test may read internals."""
    from streamlit.runtime.state import query_params

    assert query_watch.MAX_FIELDS == query_params.CLIENT_STATE_QUERY_STRING_MAX_FIELDS
    assert query_watch.MAX_LENGTH == query_params.CLIENT_STATE_QUERY_STRING_MAX_LENGTH


@pytest.mark.slow
def test_a_fresh_server_opened_by_many_at_once_shows_no_import_error():
    """A room scanning the QR code onto a fresh server (or a fresh worker behind the
    proxy): the first runs are a page's file in the old multipage mode, all at once; the
    mode's end and its rerun must not break the others' imports (46 of 50 got "cannot
    import name 'kit' from 'ui'" when ``ui.kit`` raised the rerun while being imported)."""
    import asyncio
    import concurrent.futures

    from benchmarks.stclient import Session

    async def open_all(url: str) -> list[str]:
        sessions = [Session(url, "talk", timeout=120) for _ in range(20)]
        try:
            await asyncio.gather(*(s.open() for s in sessions))
            return [e for s in sessions for e in s.errors]
        finally:
            await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)

    env = dict(os.environ, DLCORE_DATA_DIR=str(data_root()))
    with running_app(env=env) as served:  # fresh: no session has run app.py yet
        # in a thread of its own: a browser test before it leaves this one an event loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            assert pool.submit(asyncio.run, open_all(served.url)).result() == []
