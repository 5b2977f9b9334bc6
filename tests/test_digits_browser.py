"""A person draws a 1, a 7 and a 0 with the mouse on the real canvas at /digits."""

from __future__ import annotations

from itertools import pairwise

import pytest

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
    canvas = pg.locator("canvas.upper-canvas")
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
