"""Every slide fits the projector (issue 21): the walk of benchmarks/deck_fit.py as a
test. In presenter mode at 1280x720 and 1920x1080, a slide that scrolls fails, and so
does one whose main picture, answer or deck counter is outside the screen, whose answer
is under 24 px or whose tick labels are under 16 px."""

from __future__ import annotations

import pytest

from tests.harness import measure_slide
from ui import slides

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SIZES = ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080})


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_every_slide_fits_the_stage(page, app_url, size):
    page.set_viewport_size(size)
    page.set_default_timeout(180_000)
    misfits = {}
    for n in range(1, len(slides.SLIDES) + 1):
        m = measure_slide(page, app_url, n)
        if not m["fits"]:
            misfits[n] = m["why"]
    assert not misfits, misfits
