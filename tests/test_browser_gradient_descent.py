"""Playwright: the gradient-descent page plays its animation in the browser, with no
server round trip per frame, and a click on the start-picking map moves the start."""

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
HEAD_X = """(sel) => {
  const gd = document.querySelector(sel);
  const i = gd.data.findIndex(t => (t.name || '').startsWith('Momentum'));
  return gd.data[i + 3].x[0];  // three runs: the heads follow the three trails
}"""


def test_play_runs_on_the_client_and_a_click_sets_the_start(page, app_url, tmp_path):
    sent: list[int] = []  # messages the browser sends to the server (reruns, clicks)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(1)))
    pictures: list[str] = []  # the map picture: a media file, fetched once (issue 15)
    page.on("response", lambda r: pictures.append(r.url)
            if "/media/" in r.url and r.url.endswith(".png") else None)
    page.goto(f"{app_url}/gradient_descent?surface=himmelblau&lr_exp=-2&steps=120")
    wait_for_app(page)
    page.wait_for_selector(CHART + " .main-svg", timeout=120_000)  # a cold server imports first
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
    page.get_by_text("⏸ Pause").first.click()
    assert not sent, "playing must not talk to the server"
    shot = tmp_path / "gradient_descent.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.get_by_role("tab", name="Pick a start").click()
    picker = ".st-key-gradient_descent-_pick .js-plotly-plot"  # key gradient_descent._pick
    page.wait_for_selector(picker + " .main-svg")
    page.locator(picker).scroll_into_view_if_needed()
    box = page.locator(picker + " .nsewdrag").bounding_box()
    x, y = box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(500)  # plotly picks the point under the cursor on hover
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('own_start=true')", timeout=15_000)
    wait_for_app(page)
    assert "x0=" in page.url and "y0=" in page.url
    assert sent, "the click reaches the server (so the websocket watch above works)"
    # the map, the start picker and every rerun since showed the one picture, fetched once
    assert len(pictures) == 1, pictures
