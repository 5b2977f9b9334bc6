"""Playwright: the gradient-descent page plays its animation in the browser, with no
server round trip per frame; where Play stops, the page's step follows (issue 22); a
click on the start-picking map moves the start."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# The plotly slider's "step N" label and the x of the momentum run's head marker.
STEP_LABEL = """(sel) => {
  const texts = document.querySelector(sel).querySelectorAll('.slider-container text');
  return Array.from(texts).map(t => t.textContent).find(t => t.startsWith('step ')) || null;
}"""
# The page's "Step on show" slider (key gradient_descent.step) and the loss panel's rule.
STEP_SLIDER = ".st-key-gradient_descent-step input[type=range]"
PAGE_STEP = f"() => document.querySelector('{STEP_SLIDER}')?.getAttribute('aria-valuetext')"
LOSS_RULE = """() => document.querySelector('.st-key-gradient_descent-_loss .js-plotly-plot')
  ?.layout.shapes[0].x0"""
HEAD_X = """(sel) => {
  const gd = document.querySelector(sel);
  const i = gd.data.findIndex(t => (t.name || '').startsWith('Momentum'));
  return gd.data[i + 3].x[0];  // three runs: the heads follow the three trails
}"""


def open_contour_map(page, query: str) -> None:
    """The page at ``query`` with its server-drawn contour map open (it opens on the
    browser's live map, issue 24)."""
    page.goto(f"{page.app_url}/gradient_descent?{query}")
    wait_for_app(page)
    page.get_by_role("tab", name="Contour map").dispatch_event("click")
    page.wait_for_selector(CHART + " .main-svg", timeout=120_000)  # a cold server imports first
    wait_for_app(page)


def test_play_runs_on_the_client_and_a_click_sets_the_start(page, app_url):
    sent: list[int] = []  # messages the browser sends to the server (reruns, clicks)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(1)))
    pictures: list[str] = []  # the map picture: a static file, fetched once (issue 15)
    page.on("response", lambda r: pictures.append(r.url)
            if "/app/static/made/" in r.url and r.url.endswith(".png") else None)
    page.app_url = app_url
    open_contour_map(page, "surface=himmelblau&lr_exp=-2&steps=120")
    page.locator(CHART).first.scroll_into_view_if_needed()
    assert page.evaluate(STEP_LABEL, CHART) == "step 0"
    head_before = page.evaluate(HEAD_X, CHART)

    sent.clear()
    page.get_by_text("▶ Play").first.click()
    page.wait_for_function(f"(sel) => ({STEP_LABEL})(sel) !== 'step 0'", arg=CHART,
                           timeout=10_000)
    page.wait_for_function(f"([sel, x]) => ({HEAD_X})(sel) !== x", arg=[CHART, head_before],
                           timeout=10_000)  # the head marker moves with the frames
    label = page.evaluate(STEP_LABEL, CHART)
    assert label != "step 0" and int(label.split()[1]) > 0
    assert page.evaluate(HEAD_X, CHART) != head_before, "the head marker did not move"
    assert not sent, "playing must not talk to the server"
    page.get_by_text("⏸ Pause").first.click()
    # once paused, the page's step is the one on show: one message, one rerun
    page.wait_for_function(f"(sel) => ({STEP_LABEL})(sel) === 'step ' + ({PAGE_STEP})()",
                           arg=CHART, timeout=15_000)
    wait_for_app(page)
    paused = int(page.evaluate(PAGE_STEP))
    assert 0 < paused < 120 and f"step={paused}" in page.url
    assert page.evaluate(STEP_LABEL, CHART) == f"step {paused}"
    # Play again resumes from there, not from step 0
    page.get_by_text("▶ Play").first.click()
    page.wait_for_function(f"([sel, s]) => ({STEP_LABEL})(sel) !== 'step ' + s",
                           arg=[CHART, paused], timeout=10_000)
    assert int(page.evaluate(STEP_LABEL, CHART).split()[1]) > paused
    page.get_by_text("⏸ Pause").first.click()
    page.wait_for_function(f"(sel) => ({STEP_LABEL})(sel) === 'step ' + ({PAGE_STEP})()",
                           arg=CHART, timeout=15_000)
    wait_for_app(page)

    page.get_by_role("tab", name="Pick a start").click()
    picker = ".st-key-gradient_descent-_pick .js-plotly-plot"  # key gradient_descent._pick
    page.wait_for_selector(picker + " .main-svg")
    page.locator(picker).scroll_into_view_if_needed()
    box = page.locator(picker + " .nsewdrag").bounding_box()
    x, y = box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"]
    page.mouse.move(x, y)
    # plotly picks the point under the cursor on hover, and a click selects that point
    page.wait_for_function("(sel) => document.querySelector(sel)?._hoverdata?.length > 0",
                           arg=picker)
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('own_start=true')", timeout=15_000)
    wait_for_app(page)
    assert "x0=" in page.url and "y0=" in page.url
    assert sent, "the click reaches the server (so the websocket watch above works)"
    # the map, the start picker and every rerun since showed the one picture, fetched once
    assert len(pictures) == 1, pictures


def test_play_to_its_end_moves_the_page_to_the_last_step(page, app_url):
    """Play runs in the browser; when it ends, the step slider, the loss panel's rule, the
    update with its numbers and the link show the last step, as the picture does."""
    page.app_url = app_url
    open_contour_map(page, "steps=12")
    assert page.evaluate(PAGE_STEP) == "0" and page.evaluate(LOSS_RULE) == 0
    page.get_by_text("▶ Play").first.click()
    page.wait_for_function(f"() => ({PAGE_STEP})() === '12'", timeout=30_000)
    # the slider moves in the browser first; the loss panel's rule follows on the rerun
    page.wait_for_function(f"() => ({LOSS_RULE})() === 12", timeout=30_000)
    wait_for_app(page)
    assert page.evaluate(STEP_LABEL, CHART) == "step 12"
    assert "step=12" in page.url
    page.get_by_role("heading", name="The update at step 12, with its numbers").wait_for()
    # a step picked on the figure's own slider is followed too
    rail = page.locator(CHART + " .slider-rail-rect").first
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + box["height"] / 2)
    page.wait_for_function(f"(sel) => ({STEP_LABEL})(sel) === 'step ' + ({PAGE_STEP})()",
                           arg=CHART, timeout=15_000)
    # the rerun the pick starts redraws the loss panel's rule at the picked step; the
    # status widget may not have shown yet when the label moves, so wait on the rule itself
    page.wait_for_function(f"() => ({LOSS_RULE})() === Number(({PAGE_STEP})())",
                           timeout=30_000)
    wait_for_app(page)
    picked = int(page.evaluate(PAGE_STEP))
    assert 0 < picked < 12 and page.evaluate(LOSS_RULE) == picked
