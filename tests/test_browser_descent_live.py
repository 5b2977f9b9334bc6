"""The gradient-descent page's live map (ui/components/descent.py) in Chromium: a new
learning rate redraws the paths in the browser with no message to the server, the
settings reach the link once the slider rests, and a click on the map starts there."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.harness import wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each opens the page: 10-30 s

# Counts what the page sends to the server, and notes at each message how many times the
# live map (in its component's shadow root) had been redrawn by then.
COUNT_SENT = """() => { window.__sent = 0; window.__redrawsAtSend = [];
    const live = () => [...document.querySelectorAll('*')]
      .map(e => e.shadowRoot && e.shadowRoot.querySelector('.gd-live')).find(Boolean);
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (d) {
      window.__sent += 1;
      window.__redrawsAtSend.push(Number(live()?.dataset.redraws || 0));
      return send.call(this, d); }; }"""


def open_live(page, app_url):
    page.goto(f"{app_url}/gradient_descent")
    wait_for_app(page)  # the page opens on the live map (issue 24)
    page.wait_for_selector(".gd-live svg polyline")
    wait_for_app(page)


def test_a_new_learning_rate_is_drawn_in_the_browser_and_kept_in_the_link(page, app_url):
    open_live(page, app_url)
    legend = page.locator(".gd-legend")
    assert "diverged" not in legend.inner_text()
    page.evaluate(COUNT_SENT)
    redraws_before = int(page.locator(".gd-live").get_attribute("data-redraws") or 0)
    slider = page.locator('input[name="lr_exp"]')
    slider.focus()
    for _ in range(5):  # 0.1 -> 0.316: the plain step diverges on the bowl
        page.keyboard.press("ArrowRight")
    page.get_by_text("Gradient descent (by hand): diverged at step").wait_for()
    page.wait_for_function("() => window.__sent > 0")  # the link is written once it rests
    # drawn without the server: the map was redrawn before any message went (the
    # write-back waits for the slider to rest; a loaded browser may draw several keys'
    # changes in one redraw, so the count of redraws is not the count of keys)
    first = page.evaluate("window.__redrawsAtSend")[0]
    assert first > redraws_before, (first, redraws_before)
    wait_for_app(page)
    page.wait_for_function("() => location.search.includes('lr_exp=-0.5')")
    assert page.evaluate("window.__sent") == 1


def test_a_click_on_the_live_map_starts_there(page, app_url):
    open_live(page, app_url)
    plot = page.locator(".gd-plot")
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    plot.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    wait_for_app(page)
    page.wait_for_function("() => ['own_start', 'x0=', 'y0='].every("
                           "f => location.search.includes(f))")  # each written in turn
    query = parse_qs(urlsplit(page.url).query)
    assert abs(float(query["x0"][0]) - 1.0) < 0.05 and abs(float(query["y0"][0]) - 1.0) < 0.05


def test_play_and_the_loss_panel_run_in_the_browser(page, app_url):
    """Play draws the paths step by step and the loss panel's rule with them, with no
    message to the server; a ticked optimizer and the surface's own start come back to
    the link once each."""
    open_live(page, app_url)
    root = page.locator(".gd-live")
    assert page.locator(".gd-loss polyline").count() == 3  # one loss line per optimizer
    page.evaluate(COUNT_SENT)
    root.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("() => /^[0-9]+$/.test([...document.querySelectorAll('*')]"
                           ".map(e => e.shadowRoot?.querySelector('.gd-live')).find(Boolean)"
                           "?.dataset.shownStep)")  # a step part-way, drawn in the browser
    expect(root).to_have_attribute("data-played", "1", timeout=15_000)  # to the end
    expect(root).to_have_attribute("data-shown-step", "end")
    assert page.evaluate("window.__sent") == 0
    root.locator('.gd-opts input[value="rmsprop"]').check()
    expect(page.locator(".gd-loss polyline")).to_have_count(4)
    page.wait_for_function("() => location.search.includes('rmsprop')")
    plot = page.locator(".gd-plot")
    box = plot.bounding_box()
    plot.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    page.wait_for_function("() => location.search.includes('own_start=true')")
    root.get_by_role("button", name="↺ The surface's own start").click()
    page.wait_for_function("() => !location.search.includes('own_start')")
    expect(root.get_by_role("button", name="↺ The surface's own start")).to_be_hidden()


def test_the_legend_reads_as_the_servers(page, app_url):
    """Each optimizer's line in the live map's legend is the server legend's, word for word
    (``ui/descent_charts.legend_name``: the final loss to three digits and the step that
    reaches a minimum), for the page's opening view."""
    from dlcore import descent, surfaces
    from ui.descent_charts import legend_name
    from ui.states.gradient_descent import DescentState

    s = DescentState()
    surface = surfaces.get(s.surface, s.kappa)
    configs = [descent.OptimizerConfig(n, lr=10 ** s.lr_exp, momentum=s.momentum,
                                       betas=(s.beta1, s.beta2)) for n in s.opts]
    runs = descent.run(surface, surface.start, configs, s.steps, domain=surface.domain)
    want = [legend_name(r, surface) for r in runs]
    assert any("minimum in" in w for w in want)
    open_live(page, app_url)
    assert page.locator(".gd-legend li").all_inner_texts() == want
