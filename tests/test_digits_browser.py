"""A person draws a 1, a 7 and a 0 with the mouse on the real canvas at /digits.

The canvas is the browser-side pad (ui/components/digits.py): both networks answer in the
browser while the pen moves, and the server hears of the drawing once per pen-up.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from playwright.sync_api import expect

from tests.harness import STROKES, VERDICT, draw, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

@pytest.mark.parametrize("digit", ["1", "7", "0"])
def test_drawn_digit_is_read_correctly(page, app_url, digit, tmp_path):
    page.goto(f"{app_url}/digits")
    wait_for_app(page)
    page.get_by_text("The canvas is empty").wait_for()
    draw(page, STROKES[digit])
    verdict = page.get_by_text(VERDICT).first
    verdict.wait_for(timeout=30_000)
    found = VERDICT.search(verdict.inner_text())
    page.screenshot(path=str(tmp_path / f"drawn_{digit}.png"), full_page=True)
    assert found and found.group(1) == digit, f"drew {digit}, CNN read {verdict.inner_text()}"


def swipe(pg, stroke) -> None:
    """One finger stroke on the canvas, as a touch screen sends it (touchstart/move/end)."""
    canvas = pg.locator("canvas.dg-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = box["width"] / 280
    cdp = pg.context.new_cdp_session(pg)

    def finger(x, y):
        return [{"x": box["x"] + x * scale, "y": box["y"] + y * scale}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": finger(*stroke[0])})
    for (xa, ya), (xb, yb) in pairwise(stroke):
        for t in range(1, 9):  # fingers report many small moves
            x, y = xa + (xb - xa) * t / 8, ya + (yb - ya) * t / 8
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": finger(x, y)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_finger_on_a_phone_draws_a_seven(phone_page, app_url):
    phone_page.goto(f"{app_url}/digits")
    wait_for_app(phone_page)
    phone_page.get_by_text("The canvas is empty").wait_for()
    for stroke in STROKES["7"]:
        swipe(phone_page, stroke)
    verdict = phone_page.get_by_text(VERDICT).first
    verdict.wait_for(timeout=30_000)
    found = VERDICT.search(verdict.inner_text())
    assert found and found.group(1) == "7", f"a finger drew 7, CNN read {verdict.inner_text()}"


@pytest.mark.slow
def test_the_pen_moves_are_answered_in_the_browser_and_the_server_hears_only_when_asked(
        page, app_url):
    """Pen moves and a pen-up send the server nothing while the feature maps are folded;
    opening them sends the drawing once, and each pen-up after that once."""
    page.goto(f"{app_url}/digits")
    wait_for_app(page)
    page.wait_for_selector(".dg-pad[data-ready='1']")  # the weights are in the browser
    page.evaluate("""() => {  // count what the page sends to the server from here on
        window.__sent = 0;
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) { window.__sent += 1; return send.call(this, data); };
    }""")
    pad = page.locator(".dg-pad")
    box = page.locator("canvas.dg-canvas").bounding_box()

    def stroke(points, lift=True) -> None:
        (x0, y0), *rest = points
        page.mouse.move(box["x"] + x0, box["y"] + y0)
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
        if lift:
            reads = int(pad.get_attribute("data-reads"))
            page.mouse.up()  # the pad reads the drawing at pen-up, then sends (or not)
            expect(pad).not_to_have_attribute("data-reads", str(reads))

    stroke(STROKES["7"][0], lift=False)
    # the answer is on the page before the pen lifts, and nothing went to the server
    page.get_by_text(VERDICT).first.wait_for()
    assert int(pad.get_attribute("data-reads")) > 3
    assert page.evaluate("window.__sent") == 0
    reads = int(pad.get_attribute("data-reads"))
    page.mouse.up()
    expect(pad).not_to_have_attribute("data-reads", str(reads))
    assert page.evaluate("window.__sent") == 0  # the maps are folded: the pen-up stays here
    page.get_by_text("Inside the CNN: its feature maps").click()  # open them
    page.get_by_text("Inside the CNN", exact=True).wait_for()  # drawn by the server
    wait_for_app(page)
    assert page.evaluate("window.__sent") == 2  # the section opened, then the drawing
    stroke([(100, 150), (180, 150)])  # a bar across: one pen-up, one message
    page.wait_for_function("() => window.__sent === 3")
    wait_for_app(page)
    assert page.evaluate("window.__sent") == 3
