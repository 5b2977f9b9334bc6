"""What a person does, in a real Chromium: open the app, step through a convolution,
follow a deep link. The ``page`` fixture fails if any request leaves the app's host."""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.conftest import REPO, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def expect_output(pg, cells: list[str]) -> None:
    """The output grid (the last table of the step-through) shows exactly these cells."""
    expect(pg.locator(".cv-row .cv-grid").last.locator("td")).to_have_text(cells)


def test_home_then_convolution_next_three_times(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="Deep Learning: Getting Started").wait_for()
    page.locator(".st-key-app-nav").get_by_role("link", name="Convolution").click()
    page.get_by_text("Cell 1 of 9").wait_for()
    wait_for_app(page)
    # the stepper steps in the browser (issue 24): nothing goes while it moves
    page.evaluate("""() => { window.__sent = 0; const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (d) { window.__sent += 1;
                                                  return send.call(this, d); }; }""")
    for n in (2, 3, 4):
        page.get_by_role("button", name="Next ▶").click()
        page.get_by_text(f"Cell {n} of 9").wait_for()
    page.get_by_text("10 = 0*0 + 0*1 + 1*2 + 3*2 + 1*2 + 2*0 + 2*0 + 0*1 + 0*2").wait_for()
    expect_output(page, ["12", "12", "17", "10"] + [""] * 5)  # the rest: not computed yet
    page.wait_for_url(re.compile(r"cell=4"))  # the view is a link, once the cell rests
    wait_for_app(page)
    assert page.evaluate("window.__sent") == 1  # one write-back for the three steps


def test_deep_link_stride_two_padding_one(page, app_url, tmp_path):
    page.goto(f"{app_url}/convolution?stride=2&padding=1&cell=9")
    wait_for_app(page)
    page.get_by_text("Cell 9 of 9").wait_for()
    expect_output(page, ["6", "17", "3", "8", "17", "13", "6", "4", "4"])
    shot = tmp_path / "convolution.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOTS"):  # refreshes the README's picture
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=str(REPO / "assets" / "screenshot-convolution.png"))


def test_play_advances_the_cells(page, app_url):
    page.goto(f"{app_url}/convolution?speed=fast")
    wait_for_app(page)
    page.get_by_text("Cell 1 of 9").wait_for()
    page.get_by_role("button", name="▶️ Play").click()
    page.get_by_text("Cell 9 of 9").wait_for(timeout=30_000)
    page.get_by_role("button", name="▶️ Play").wait_for()  # it stops at the last cell
    page.wait_for_url(re.compile(r"cell=9"))


def test_bad_link_shows_a_warning(page, app_url):
    page.goto(f"{app_url}/convolution?stride=zero&x=1,2;3")
    wait_for_app(page)
    page.get_by_text("Some settings in the link were not understood").wait_for()
    page.get_by_text("Cell 1 of 9").wait_for()


def test_odd_upload_gets_a_message(page, app_url):
    page.goto(f"{app_url}/convolution")
    wait_for_app(page)
    page.get_by_text("Cell 1 of 9").wait_for()
    page.get_by_text("upload", exact=True).click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not an image at all"}])
    page.get_by_text("That file cannot be used: it is not a readable PNG or JPEG image").wait_for()


PHISH = "[Click here to log in](http://example.com/login)"
PIXEL = "![x](http://example.com/pixel.png)"


@pytest.mark.parametrize("query,shown", [
    (f"gradient_descent?mode={quote(PHISH)}&opts={quote(PIXEL)}", [PHISH, PIXEL]),
    (f"convolution?{quote('a`[Click](http://example.com/)`')}=1&speed={quote('<img src=x>')}",
     ["a`[Click](http://example.com/)`", "<img src=x>"]),
    (f"gradient_descent?surface=custom&formula={quote(PIXEL)}", []),
])
def test_text_from_a_link_stays_text(page, query, shown, app_url):
    """Issue 14: no live link, no image fetched from outside (the fixture watches every
    request), the text shown as typed."""
    page.goto(f"{app_url}/{query}")
    wait_for_app(page)
    page.get_by_text(re.compile("not understood|not accepted")).first.wait_for()
    body = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
    for text in shown:
        assert text in body
    outside = page.locator('a[href*="example.com"], img[src*="example.com"], img[src="x"]')
    assert outside.count() == 0


def test_a_formula_title_and_hint_render_as_typed(page, app_url):
    """Issue 14: the title read <strong>L(x, y) = x</strong>2 + ..., the hint lost its stars."""
    page.goto(f"{app_url}/gradient_descent?surface=custom")
    wait_for_app(page)
    expect(page.locator("strong").filter(has_text="L(x, y) = x**2 + 3*sin(y).")).to_have_count(1)
    page.goto(f"{app_url}/gradient_descent?surface=custom&formula=2x")
    wait_for_app(page)
    page.get_by_text("(write products with *, e.g. 2*x)").wait_for()
