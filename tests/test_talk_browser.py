"""The live deck in Chromium: a clicker's keys move the slides, and a second browser that
opens the room's link follows the presenter, explores on its own, follows again, and
cannot move the room. Every wait is on a condition (how fast a follower follows is
measured by benchmarks/, not asserted here)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import _watched_page, wait_for_app
from ui import slides

pytestmark = [pytest.mark.browser, pytest.mark.slow]
N = len(slides.SLIDES)
STAGE = {"width": 1280, "height": 720}


def blur(pg) -> None:
    """Nothing focused: the keys go to the page, as a clicker's do (a click in the sidebar
    would keep them there)."""
    pg.evaluate("() => document.activeElement && document.activeElement.blur()")


def counter(pg, n: int, timeout: float = 10_000) -> None:
    pg.get_by_text(f"{n} / {N}", exact=True).wait_for(timeout=timeout)


@pytest.fixture
def second_page(browser, app_url):
    yield from _watched_page(browser, app_url, viewport={"width": 1000, "height": 800})


def test_clicker_keys_move_the_slides(page, app_url):
    page.set_viewport_size(STAGE)
    page.goto(f"{app_url}/talk?present=1")
    wait_for_app(page)
    counter(page, 1)
    page.wait_for_timeout(1000)  # a fresh page may still rerun once (its link is synced)
    for key, n in (("ArrowRight", 2), ("PageDown", 3), (" ", 4), ("PageUp", 3),
                   ("ArrowLeft", 2), ("End", N), ("Home", 1)):
        blur(page)
        page.keyboard.press(key)
        counter(page, n)
    assert "slide" not in page.url  # slide 1 is the default, left out of the link
    blur(page)
    page.keyboard.press("ArrowRight")
    counter(page, 2)
    assert re.search(r"[?&]slide=2\b", page.url)
    page.reload()
    wait_for_app(page)
    counter(page, 2)  # a reload keeps the place


def test_text_slides_fit_the_stage_without_scrolling(page, app_url):
    page.set_viewport_size(STAGE)
    for n, s in enumerate(slides.SLIDES, start=1):
        if s.live or n == 1:
            continue
        page.goto(f"{app_url}/talk?present=1&slide={n}")
        wait_for_app(page)
        counter(page, n)
        box = page.get_by_text(f"{n} / {N}", exact=True).bounding_box()
        assert box and box["y"] + box["height"] <= STAGE["height"], (n, s.title, box)


def test_the_room_follows_the_presenter(page, second_page, app_url):
    presenter, follower = page, second_page
    presenter.goto(f"{app_url}/talk")
    wait_for_app(presenter)
    presenter.get_by_role("button", name="📡 Start a room").first.click()
    presenter.get_by_text("Room code:").wait_for()
    code = re.search(r"Room code: ([A-Z0-9]{5})", presenter.inner_text("body")).group(1)

    follower.goto(f"{app_url}/talk?room={code}")
    wait_for_app(follower)
    follower.get_by_text(f"Following room {code}").wait_for()
    counter(follower, 1)

    presenter.get_by_role("button", name="Next ▶").click()
    counter(presenter, 2)
    counter(follower, 2, timeout=30_000)

    # The follower explores: its own Next moves its screen, not the room.
    follower.get_by_role("button", name="Next ▶").click()
    counter(follower, 3)
    follower.get_by_text("You are exploring").wait_for()
    follower.get_by_text("The talk is on slide 2").wait_for()  # its Next left the room
    assert presenter.get_by_text(f"2 / {N}", exact=True).is_visible()
    presenter.get_by_role("button", name="Next ▶").click()
    counter(presenter, 3)
    presenter.get_by_role("button", name="Next ▶").click()
    counter(presenter, 4)
    follower.get_by_text("The talk is on slide 4").wait_for(timeout=30_000)  # it saw the move
    counter(follower, 3)  # exploring: it stays

    follower.get_by_role("button", name="↩️ Follow again").click()
    counter(follower, 4)
    presenter.get_by_role("button", name="Next ▶").click()
    counter(follower, 5, timeout=3_000)


def test_a_live_slide_holds_its_view_and_its_controls_work(page, app_url):
    """The convolution slide on the stage: the view's grids on the first screen, its own
    Next steps the cell (not the slide), and the deck's link keeps the slide alone."""
    n = next(i for i, s in enumerate(slides.SLIDES, 1) if s.live == "convolution")
    page.set_viewport_size(STAGE)
    page.goto(f"{app_url}/talk?present=1&slide={n}")
    wait_for_app(page)
    live = page.locator(".st-key-talk-live")
    grid = live.locator("table.cv-grid").first
    grid.wait_for(timeout=90_000)  # a cold server imports the page's engine first
    box = grid.bounding_box()
    assert box and box["y"] < STAGE["height"], box  # the picture starts on the first screen
    live.get_by_text("Cell 1 of 9").wait_for()
    live.get_by_role("button", name="Next ▶").click()
    live.get_by_text("Cell 2 of 9").wait_for(timeout=10_000)
    counter(page, n)
    expect(page).to_have_url(re.compile(rf"[?&]slide={n}\b"))
    assert not re.search(r"[?&](cell|stride|op)=", page.url)  # the view's state is its own
    assert page.get_by_text("Open the live view").is_visible()
