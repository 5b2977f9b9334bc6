"""Every live view in both forms (AppTest): the page's view at the slide's preset, and the
slide form the deck draws (``slide(state)`` inside ``kit.slide_form()``), with its
picture and its answer marked; and the pictures of the text slides."""

from __future__ import annotations

import pytest

from tests.harness import open_page
from ui import kit, slide_pictures, slides

LIVE = [(n, s) for n, s in enumerate(slides.SLIDES, 1) if s.live]
TEXT_WITH_PICTURE = sorted(slide_pictures.PICTURES)


def _params(s: slides.Slide) -> dict[str, str | list[str]]:
    from urllib.parse import parse_qs, urlsplit

    query = urlsplit(kit.link_to(s.live, **s.preset)).query
    return {k: v if len(v) > 1 else v[0] for k, v in parse_qs(query).items()}


def test_seventeen_live_slides_and_ten_pictures():
    assert len(LIVE) == 17
    assert TEXT_WITH_PICTURE == [3, 4, 9, 20, 23, 24, 25, 26, 30, 44]
    assert not any(slides.SLIDES[n - 1].live for n in TEXT_WITH_PICTURE)


@pytest.mark.slow
@pytest.mark.parametrize("n,s", LIVE, ids=[f"{n}-{s.live}" for n, s in LIVE])
def test_the_page_form_renders(n, s):
    at = open_page(f"pages/{s.live}.py", _params(s), timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.slow
@pytest.mark.parametrize("n,s", LIVE, ids=[f"{n}-{s.live}" for n, s in LIVE])
def test_the_slide_form_renders(n, s):
    at = open_page("pages/talk.py", {"slide": str(n), "present": "1"}, timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not any("failed" in e.value for e in at.warning)


@pytest.mark.slow
@pytest.mark.parametrize("n", TEXT_WITH_PICTURE)
def test_a_text_slide_draws_its_picture(n):
    at = open_page("pages/talk.py", {"slide": str(n), "present": "1"}, timeout=180)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not any("In the talk:" in i.value for i in at.info)  # the picture replaced it


def test_the_slide_form_is_only_inside_its_context():
    assert not kit.on_slide()
    with kit.slide_form():
        assert kit.on_slide()
    assert not kit.on_slide()


def test_the_chart_figures_are_the_published_ones():
    errors = {year: e for year, _, e, _ in slide_pictures.IMAGENET_TOP5}
    assert errors[2012] == 16.4 and errors[2015] == 3.57  # AlexNet, ResNet
    assert [e for *_, e, _ in slide_pictures.IMAGENET_TOP5] == sorted(errors.values(),
                                                                      reverse=True)
