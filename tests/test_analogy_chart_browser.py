"""The analogy chart, measured in Chromium on a laptop and a phone (issue 22): its title is
not cut, every word's label lies inside the chart, and no two labels overlap by more than
20% of the smaller one."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_app
from tests.harness import laid_out
from ui import codec
from ui.states.embeddings import PRESETS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
MEASURE = """(sel) => {
  const gd = document.querySelector(sel), svg = gd.querySelector('.main-svg');
  const box = e => { const r = e.getBoundingClientRect();
                     return [r.left, r.top, r.right, r.bottom]; };
  const title = gd.querySelector('.gtitle');
  return {svg: box(svg), title: title ? box(title) : null,
          labels: [...gd.querySelectorAll('.scatterlayer .textpoint text')]
                    .map(t => [t.textContent, ...box(t)])};
}"""


def overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))


SCREENS = {"laptop": {"width": 1440, "height": 900}, "phone": {"width": 412, "height": 915}}


def check_chart(got: dict) -> None:
    left, top, right, bottom = got["svg"]
    assert got["title"] and left <= got["title"][0] and got["title"][2] <= right + 1, got
    labels = got["labels"]
    assert len(labels) >= 8
    for text, *b in labels:
        assert left - 1 <= b[0] and b[2] <= right + 1 and top - 1 <= b[1] \
            and b[3] <= bottom + 1, (text, b, got["svg"])
    for i, (ti, *bi) in enumerate(labels):
        for tj, *bj in labels[i + 1:]:
            assert overlap(bi, bj) <= 0.2, (ti, tj, overlap(bi, bj))


@pytest.mark.parametrize("name", ["queen", "rome"])
def test_analogy_labels_inside_and_apart(browser, app_url, name):
    """On a laptop, then the same page narrowed to a phone's width (the chart is laid out
    again for it, as a fresh load at that width lays it out)."""
    context = browser.new_context(viewport=SCREENS["laptop"])
    page = context.new_page()
    try:
        page.goto(f"{app_url}/{codec.link(PRESETS[name].state)}")
        wait_for_app(page)
        page.wait_for_selector(CHART + " .scatterlayer .textpoint text", timeout=90_000)
        for screen, size in SCREENS.items():
            if page.viewport_size != size:
                page.set_viewport_size(size)
                laid_out(page)
            got = page.evaluate(MEASURE, CHART)
            assert got["svg"][2] <= size["width"], (screen, got["svg"])
            check_chart(got)
    finally:
        context.close()
