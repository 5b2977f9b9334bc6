"""Playwright: a person presses Train on the splits page and watches the curves grow,
epoch by epoch, before the test score appears; the three lab pages on a phone."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# epochs drawn on the accuracy chart (the most, while a rerun keeps stale charts around)
POINTS = """() => {
  const charts = Array.from(document.querySelectorAll(
      '[data-testid="stPlotlyChart"] .js-plotly-plot')).filter(
      c => c.layout && c.layout.title && c.layout.title.text.includes('Accuracy'));
  return charts.length ? Math.max(...charts.map(c => c.data[0].x.length)) : -1;
}"""


def open_page(pg, url: str) -> None:
    pg.goto(url)
    wait_for_app(pg)


def test_train_streams_the_curves_then_the_test_score(page, app_url):
    open_page(page, f"{app_url}/splits?train_size=2400&width=256&depth=2&epochs=15&early_stopping=false")
    page.wait_for_function(f"({POINTS})() >= 0")
    assert page.evaluate(POINTS) == 0  # empty axes until Train
    # record the curve's length in the page itself, every 50 ms, while it trains
    page.evaluate(f"() => {{ window.__seen = []; setInterval(() => "
                  f"window.__seen.push(({POINTS})()), 50); }}")
    page.get_by_role("button", name="Train ▶").click()
    page.get_by_text("Test (looked at once)").wait_for(timeout=60_000)
    assert page.evaluate(POINTS) == 15
    grew = sorted({n for n in page.evaluate("() => window.__seen") if n > 0})
    assert len(grew) >= 3 and grew[0] < 15, f"the curves did not grow epoch by epoch: {grew}"
    assert page.get_by_text("overfitting gap").count() >= 1


@pytest.mark.parametrize("path", ["splits", "cpu_gpu?max_size=256&batch=64",
                                  "jargon?term=dropout"])
def test_lab_pages_on_a_phone(phone_page, app_url, path):
    open_page(phone_page, f"{app_url}/{path}")
    assert phone_page.locator('[data-testid="stException"]').count() == 0
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 412, f"{path} scrolls sideways on a phone ({width}px)"
    title = {"splits": "Splits and overfitting", "cpu_gpu": "CPU vs GPU", "jargon": "The jargon"}
    phone_page.get_by_role("heading", name=title[path.split("?")[0]]).wait_for()
