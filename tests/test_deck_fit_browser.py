"""Every slide fits the projector (issue 21): the walk of benchmarks/deck_fit.py as a
test. In presenter mode at 1280x720 and 1920x1080, a slide that scrolls fails, and so
does one whose main picture, answer or deck counter is outside the screen, whose answer
is under 24 px or whose tick labels are under 16 px.

The walk is the presenter's: the first slide opened by its link, each next one by the
clicker's key. Each slide is drawn once, at 1280x720, then measured again with the window
enlarged to 1920x1080 (``harness.measure_resized`` waits until its layout has followed).
The benchmark opens each slide fresh, by its link, at each size."""

from __future__ import annotations

import pytest

from tests.harness import measure_resized, measure_slide
from ui import slides

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SMALL, LARGE = {"width": 1280, "height": 720}, {"width": 1920, "height": 1080}


def test_every_slide_fits_the_stage(page, app_url):
    page.set_default_timeout(180_000)
    misfits = {}
    for n in range(1, len(slides.SLIDES) + 1):
        page.set_viewport_size(SMALL)
        for size, m in (("1280x720", measure_slide(page, app_url if n == 1 else None, n)),
                        ("1920x1080", measure_resized(page, LARGE))):
            if not m["fits"]:
                misfits[f"{n}@{size}"] = m["why"]
    assert not misfits, misfits
