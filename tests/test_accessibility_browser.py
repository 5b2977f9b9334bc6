"""Accessible (issue 22): axe-core, run in Chromium on every page, finds no critical or
serious violation of WCAG 2.x A/AA rules, and each page's main interaction works from
the keyboard. axe runs inside the layout walk's laptop visit of each page
(``tests/test_layouts_browser.py`` calls ``harness.axe_violations``): one page load for
both, and every page is checked, home included.

axe-core is vendored in ``tests/vendor/`` (version and npm command in its README) and
injected from the disk, so nothing is fetched from outside the app.
"""

from __future__ import annotations

import hashlib

import pytest

from tests.harness import AXE, AXE_SHA256, settle
from ui import catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["", *(c.url_path for c in catalog.available())]  # home, then every page


def test_vendored_axe_is_the_stated_version():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert AXE.read_text()[:40].startswith("/*! axe v4.14.1")


MAIN = '[data-testid="stMain"] '
SLIDER = MAIN + 'input[type="range"]'
RADIO = MAIN + 'input[type="radio"]'
# page -> (what Tab reaches, the keys pressed there, what changes in the link)
KEYBOARD = {
    "": (MAIN + 'a[href*="gradient_descent"]', ["Enter"], "/gradient_descent"),
    "gradient_descent": (SLIDER, ["ArrowRight"], "lr_exp=-0.9"),
    "digits": (RADIO, ["ArrowDown"], "source="),
    "convolution": (SLIDER, ["ArrowRight"], "n=6"),
    "talk": (MAIN + '.st-key-talk-next button', ["Enter"], "slide=2"),
    "embeddings": (MAIN + 'input[type="text"]', ["Control+a", "t", "o", "a", "d", "Enter"],
                   "word=toad"),
    "char_rnn": (SLIDER, ["ArrowRight"], "char_rnn?"),  # its first slider, whichever
    "hotdog": (RADIO, ["ArrowDown"], "picture="),
    "splits": (SLIDER, ["ArrowRight"], "val_pct=11"),
    "fine_tuning": (SLIDER, ["ArrowRight"], "per_class=4"),
    # its sizes are folded away: Enter on the "Sizes" summary opens them
    "cpu_gpu": (MAIN + 'summary', ["Enter"], None),
    "cpu_gpu/seed": (MAIN + 'input[type="number"]', ["ArrowUp", "Enter"], "seed=1"),
    "jargon": (MAIN + 'input[type="text"]', ["l", "o", "s", "s", "Enter"], "q=loss"),
}


def tab_to(page, selector: str, most: int = 150) -> None:
    """Press Tab until the focus is on an element matching ``selector``."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => !!document.activeElement?.matches(sel)", selector):
            return
    raise AssertionError(f"{most} presses of Tab never reached {selector}")


def test_every_page_has_a_keyboard_check():
    assert {k.split("/")[0] for k in KEYBOARD} == set(PAGES)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "home")
def test_main_interaction_works_from_the_keyboard(page, app_url, path):
    page.goto(f"{app_url}/{path}")
    settle(page)
    before = page.url
    for name in [k for k in KEYBOARD if k.split("/")[0] == path]:
        target, keys, change = KEYBOARD[name]
        page.wait_for_selector(target, state="attached")
        tab_to(page, target)
        for key in keys:
            page.keyboard.press(key)
    page.wait_for_function("([c, b]) => location.href !== b && location.href.includes(c)",
                           arg=[change, before], timeout=30_000)
