"""In Chromium: a person types a word and reads its neighbours, then builds an analogy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import wait_for_app


def _type(page, label: str, text: str, field: str) -> None:
    """Type into a box, then wait until the page's run has put it in the link: the next
    box is typed only then. (Typed sooner, on a busy server, the next box's rerun can
    carry the address from before this one's run, and the page takes that address as a
    link: the first word is lost. A race the round's closing note names.)"""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        "([f, v]) => [v, v.trim()].includes(new URLSearchParams(location.search).get(f))",
        arg=[field, text], timeout=60_000)
    wait_for_app(page)


def test_type_a_word_then_build_an_analogy(page, app_url):
    page.goto(f"{app_url}/embeddings")
    wait_for_app(page)
    page.get_by_role("heading", name="Word embeddings").wait_for(timeout=90_000)
    expect(page.get_by_text("Nearest to frog:")).to_be_visible(timeout=90_000)

    _type(page, "A word", "Toad", "word")
    expect(page.get_by_text("Nearest to toad:")).to_be_visible()
    expect(page.get_by_text("Nearest to toad:")).to_contain_text("frog")
    assert "word=Toad" in page.url

    page.get_by_text("Analogy", exact=True).click()
    wait_for_app(page)
    _type(page, "a", "France", "a")
    _type(page, "b", "paris", "b")
    _type(page, "c", " italy ", "c")
    expect(page.get_by_text("paris − france + italy ≈ rome")).to_be_visible()
    expect(page.get_by_text("The input words (france, paris, italy) are left out")).to_be_visible()
