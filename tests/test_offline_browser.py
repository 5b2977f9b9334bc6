"""Offline: every page works in Chromium with every host but the app's own unreachable, and
none of them even tries another host (fonts, icons, CDNs, analytics, map tiles).

The stage may have no network: requests to any other host are aborted here (as a dead
network would) and recorded, websockets included; the test fails on any of them, and on
a page that does not finish its run or shows an exception.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.conftest import wait_for_app
from ui import catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_every_page_works_with_no_other_host_reachable(browser, app_url):
    host = urlparse(app_url).netloc
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    def guard(route):
        if urlparse(route.request.url).netloc == host:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.on("websocket", lambda ws: None if urlparse(ws.url).netloc == host
          else outside.append(ws.url))
    paths = [""] + [c.url_path for c in catalog.available()]
    try:
        for path in paths:
            pg.goto(f"{app_url}/{path}")
            pg.wait_for_function(  # the page's first run has drawn something
                "() => document.querySelector('[data-testid=\"stMain\"]')?.innerText.trim()")
            wait_for_app(pg)
            pg.wait_for_timeout(300)  # late requests: fonts, images, iframes
            assert pg.locator('[data-testid="stException"]').count() == 0, path
    finally:
        context.close()
    assert not outside, f"requests to other hosts: {sorted(set(outside))[:10]}"
    assert len(paths) >= 10
