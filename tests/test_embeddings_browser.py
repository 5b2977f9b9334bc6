"""In Chromium: a person types a word and reads its neighbours, then builds an analogy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import wait_for_app


def _type(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def test_type_a_word_then_build_an_analogy(page, app_url):
    page.goto(f"{app_url}/embeddings")
    wait_for_app(page)
    page.get_by_role("heading", name="Word embeddings").wait_for(timeout=90_000)
    expect(page.get_by_text("Nearest to frog:")).to_be_visible(timeout=90_000)

    _type(page, "A word", "Toad")
    expect(page.get_by_text("Nearest to toad:")).to_be_visible()
    expect(page.get_by_text("Nearest to toad:")).to_contain_text("frog")
    assert "word=Toad" in page.url

    page.get_by_text("Analogy", exact=True).click()
    wait_for_app(page)
    _type(page, "a", "France")
    _type(page, "b", "paris")
    _type(page, "c", " italy ")
    expect(page.get_by_text("paris − france + italy ≈ rome")).to_be_visible()
    expect(page.get_by_text("The input words (france, paris, italy) are left out")).to_be_visible()
