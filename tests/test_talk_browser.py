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


def counter(pg, n: int, timeout: float = 60_000) -> None:
    """Slide ``n`` on show, and the deck's keys (ui/deckkeys.py) listening for it: the
    component's script loads after the page's first elements."""
    pg.get_by_text(f"{n} / {N}", exact=True).wait_for(timeout=timeout)
    pg.wait_for_function(f"() => window.__dlgsDeck && window.__dlgsDeck.data"
                         f" && window.__dlgsDeck.data.slide === {n}", timeout=timeout)


@pytest.fixture
def second_page(browser, app_url):
    yield from _watched_page(browser, app_url, viewport={"width": 1000, "height": 800})


def test_clicker_keys_move_the_slides(page, app_url):
    page.set_viewport_size(STAGE)
    page.goto(f"{app_url}/talk?present=1")
    wait_for_app(page)
    counter(page, 1)
    wait_for_app(page)  # the first run has ended before the first key
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


def test_another_page_of_the_app_gets_its_keys_back_from_the_deck(page, app_url):
    """The deck catches → before any widget sees it; once a link in the sidebar has left
    the deck for another page, → moves that page's slider again (it used to be eaten and
    sent to the deck that was gone), and the deck's own link brings the clicker back."""
    page.goto(f"{app_url}/talk?slide=2")
    wait_for_app(page)
    counter(page, 2)
    nav = page.locator('[data-testid="stSidebar"]')
    nav.get_by_role("link", name="Gradient descent").click()
    # the live map's, in the browser, once its script has run: its HTML is in the page a
    # moment before, a slider of 0..100 at 50 that a key would move to 51 (a CI run saw it)
    slider = page.locator('.gd-live[data-compute-ms] input[name="lr_exp"]')
    wait_for_app(page)
    slider.wait_for()
    expect(slider).to_have_value("-1")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_value("-0.9")
    page.wait_for_url(re.compile(r"gradient_descent\?(.*&)?lr_exp=-0\.9"))
    nav.get_by_role("link", name="The talk, live").click()
    counter(page, 2)  # the deck's link keeps its slide
    blur(page)
    page.keyboard.press("ArrowRight")
    counter(page, 3)


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


# --------------------------------------------------------------------------- issue 21
def live(pg):
    return pg.locator(".st-key-talk-live")


def open_slide(pg, app_url: str, n: int, extra: str = "present=1") -> None:
    pg.goto(f"{app_url}/talk?{extra}&slide={n}")
    wait_for_app(pg)
    counter(pg, n, timeout=90_000)


def focused(pg) -> str:
    """The focused element, inside a component's shadow root too."""
    return pg.evaluate("() => { let a = document.activeElement;"
                       " while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;"
                       " return a ? a.tagName + ':' + (a.type || a.getAttribute('role') || '') : '' }")


SCROLLERS = ("[...document.querySelectorAll("
             "'[data-testid=stMain], [data-testid=stAppViewContainer]')]")


@pytest.mark.slow
def test_the_clicker_drives_the_deck_whatever_control_has_focus(page, app_url):
    """A click on a slider, a radio, a selectbox, a button, a toggle or the digits canvas
    of a live slide, then the clicker's keys: the deck moves and the control does not."""
    page.set_viewport_size(STAGE)
    open_slide(page, app_url, 15)  # gradient descent: the live map's range input
    value = live(page).locator('.gd-live input[name="lr_exp"]')
    live(page).locator(".gd-live[data-compute-ms]").wait_for(timeout=90_000)  # its script ran
    before = value.input_value()  # the preset's -1, at 4/6 of the range [-5, 1]
    assert before == "-1"
    box = value.bounding_box()
    value.click(position={"x": box["width"] * 4 / 6, "y": box["height"] / 2})  # its thumb
    assert focused(page) == "INPUT:range"
    page.keyboard.press("ArrowRight")
    counter(page, 16)
    page.keyboard.press("ArrowLeft")
    counter(page, 15)
    live(page).locator(".gd-live[data-compute-ms]").wait_for(timeout=90_000)
    assert value.input_value() == before  # the learning rate did not move

    open_slide(page, app_url, 7)  # hot dog: the slide form's radio of pictures
    radio = live(page).locator("[data-testid=stRadio] label").nth(1)
    radio.wait_for(timeout=90_000)
    radio.click()
    live(page).locator("[data-testid=stRadio] input:checked").first.wait_for(
        state="attached", timeout=90_000)
    assert focused(page) == "INPUT:radio"
    page.keyboard.press("PageDown")
    counter(page, 8)

    open_slide(page, app_url, 21)  # convolution: the view's own Next button
    live(page).get_by_text("Cell 1 of 9").wait_for(timeout=90_000)
    live(page).get_by_role("button", name="Next ▶").click()
    live(page).get_by_text("Cell 2 of 9").wait_for()
    assert focused(page).startswith("BUTTON")
    page.keyboard.press(" ")  # Space on a focused button: the deck, not the button
    counter(page, 22)

    open_slide(page, app_url, 18)  # digits: the browser's drawing pad (a custom component)
    canvas = live(page).locator("canvas.dg-canvas")
    canvas.wait_for(timeout=90_000)
    page.wait_for_function("() => [...document.querySelectorAll('*')].some("
                           "e => e.shadowRoot?.querySelector('.dg-pad[data-ready]'))")
    # A dot: both networks read it in the browser, and nothing goes to the server (on the
    # slide the pad keeps its drawing to itself, issue 24), so no rerun races the key.
    page.evaluate("""() => { window.__sentNow = 0; const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (d) { window.__sentNow += 1;
                                                  return send.call(this, d); }; }""")
    canvas.click()
    page.wait_for_function("() => [...document.querySelectorAll('*')].some("
                           "e => Number(e.shadowRoot?.querySelector('.dg-pad')?.dataset.reads) > 1)")
    assert page.evaluate("window.__sentNow") == 0
    page.keyboard.press("ArrowRight")
    counter(page, 19, timeout=120_000)  # another digits view: a cold, loaded server is slow


@pytest.mark.slow
def test_go_to_a_slide_the_overview_and_a_slide_starts_at_the_top(page, app_url):
    page.set_viewport_size({"width": STAGE["width"], "height": 420})  # a slide that scrolls
    open_slide(page, app_url, 12)
    live(page).wait_for(timeout=90_000)
    page.wait_for_function(  # scrolled down as the view grows (a slow server draws late)
        f"() => {{ const s = {SCROLLERS}; s.forEach(e => e.scrollTo(0, 900));"
        " return s.some(e => e.scrollTop > 100) }", timeout=90_000)
    page.keyboard.press("ArrowRight")
    counter(page, 13)
    page.wait_for_function(f"() => {SCROLLERS}.every(e => e.scrollTop === 0)")
    page.keyboard.type("40")
    page.get_by_text("Go to slide 40").wait_for()
    page.keyboard.press("Enter")
    counter(page, 40)
    page.keyboard.press("o")
    page.locator("#dlgs-overview").wait_for()
    assert page.locator(".dlgs-overview-slide").count() == N
    page.locator(".dlgs-overview-slide").nth(2).click()
    counter(page, 3)
    page.keyboard.press("Escape")
    page.locator("#dlgs-overview").wait_for()
    page.keyboard.press("Escape")
    page.locator("#dlgs-overview").wait_for(state="detached")


def start_room(pg, app_url: str, query: str = "") -> str:
    pg.goto(f"{app_url}/talk{query}")
    wait_for_app(pg)
    pg.get_by_role("button", name="📡 Start a room").first.click()
    pg.get_by_text("Room code:").wait_for(timeout=60_000)
    return re.search(r"Room code: ([A-Z0-9]{5})", pg.inner_text("body")).group(1)


@pytest.mark.slow
def test_a_reload_keeps_the_presenter_and_no_follower_can_move_the_room(
        page, second_page, app_url):
    presenter, follower = page, second_page
    code = start_room(presenter, app_url)
    presenter.reload()  # a clicker's F5
    wait_for_app(presenter)
    presenter.get_by_text(f"Room code: {code}").wait_for(timeout=60_000)
    blur(presenter)
    presenter.keyboard.press("ArrowRight")
    counter(presenter, 2)

    follower.goto(f"{app_url}/talk?room={code}")
    wait_for_app(follower)
    counter(follower, 2, timeout=30_000)  # the reloaded tab moved the room
    assert code not in follower.evaluate("() => JSON.stringify(localStorage)")
    # The follower's keys and links move its own screen only.
    blur(follower)
    follower.keyboard.press("End")
    counter(follower, N)
    follower.get_by_text("The talk is on slide 2").wait_for(timeout=30_000)
    for query in (f"room={code}&slide=9", f"room={code}&speaker=1&slide=9",
                  f"room={code.lower()}&slide=9&present=1"):
        follower.goto(f"{app_url}/talk?{query}")
        wait_for_app(follower)
        counter(follower, 2, timeout=30_000)  # the room's slide, not the link's
        follower.get_by_text(f"Following room {code}").wait_for()
    assert "You present room" not in follower.inner_text("body")

    # A second tab of the presenter's browser presents the same room, and drives it.
    second = presenter.context.new_page()
    second.goto(f"{app_url}/talk?room={code}&speaker=1")
    wait_for_app(second)
    second.get_by_text(f"You present room {code}").wait_for(state="attached", timeout=60_000)
    blur(second)
    second.keyboard.press("ArrowRight")
    counter(second, 3)
    counter(presenter, 3, timeout=30_000)  # the projector follows its speaker view
    counter(follower, 3, timeout=30_000)
    presenter.get_by_text("2 following").or_(presenter.get_by_text("1 following")).first \
        .wait_for(timeout=30_000)
    second.close()


@pytest.mark.slow
def test_a_follower_sees_the_presenters_live_view_and_not_while_exploring(
        page, second_page, app_url):
    presenter, follower = page, second_page
    code = start_room(presenter, app_url)
    counter(presenter, 1)
    blur(presenter)
    presenter.keyboard.type("28")  # word embeddings: the analogy's words are typed
    presenter.keyboard.press("Enter")
    counter(presenter, 28, timeout=60_000)
    follower.goto(f"{app_url}/talk?room={code}")
    wait_for_app(follower)
    counter(follower, 28, timeout=60_000)

    def word(pg):
        return live(pg).get_by_label("c", exact=True)

    def say(word_now: str) -> None:
        word(presenter).fill(word_now)
        word(presenter).press("Enter")
        expect(word(presenter)).to_have_value(word_now, timeout=60_000)

    word(follower).wait_for(timeout=60_000)
    say("girl")
    expect(word(follower)).to_have_value("girl", timeout=30_000)  # the presenter's change
    follower.get_by_role("button", name="🧭 Explore").click()
    follower.get_by_text("You are exploring").wait_for()
    say("boy")
    follower.get_by_text("with the presenter's changes").wait_for(timeout=30_000)
    expect(word(follower)).to_have_value("girl")  # exploring: its own view
    follower.get_by_role("button", name="↩️ Follow again").click()
    follower.get_by_text("You are exploring").wait_for(state="detached", timeout=30_000)
    # the presenter's view now: one box, the presenter's word (until the run that draws it
    # ends, the browser also shows the explored box; a loaded server's run can be slow)
    follower.wait_for_function(
        """() => { const boxes = document.querySelectorAll('.st-key-talk-live input[aria-label="c"]');
                   return boxes.length === 1 && boxes[0].value === 'boy'; }""", timeout=120_000)
    # A step inside a fragment of the view (the convolution's own Next reruns that part
    # alone, never the deck) reaches the room too.
    blur(presenter)
    presenter.keyboard.type("21")
    presenter.keyboard.press("Enter")
    counter(presenter, 21, timeout=60_000)
    counter(follower, 21, timeout=60_000)
    live(follower).get_by_text("Cell 1 of 9").wait_for(timeout=60_000)
    try:
        live(presenter).get_by_role("button", name="Next ▶").click()
    except Exception as e:
        raise AssertionError(f"presenter at {presenter.url}, deck says "
                             f"{presenter.evaluate('() => window.__dlgsDeck?.data?.slide')}; "
                             f"live view: {live(presenter).all_inner_texts()}") from e
    live(presenter).get_by_text("Cell 2 of 9").wait_for(timeout=30_000)
    live(follower).get_by_text("Cell 2 of 9").wait_for(timeout=30_000)


def test_a_typed_code_joins_and_an_unknown_code_says_so(page, second_page, app_url):
    code = start_room(page, app_url)
    second_page.goto(f"{app_url}/talk")
    wait_for_app(second_page)
    # the title slide's own box: the sidebar's copy (folded) is drawn first in a run
    second_page.locator(".st-key-talk-drawn-1").wait_for(state="attached")
    box = second_page.locator(".st-key-talk-slide").get_by_label("Join a room: its code")
    box.fill("ZZZZZ")
    box.press("Enter")
    second_page.get_by_text("There is no room ZZZZZ").wait_for()
    assert "Following room" not in second_page.inner_text("body")
    box.fill(code.lower())
    box.press("Enter")
    second_page.get_by_text(f"Following room {code}").wait_for()
    assert f"room={code}" in second_page.url
