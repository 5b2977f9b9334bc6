"""Accessible (issue 22): axe-core, run in Chromium on every page, finds no critical or
serious violation of WCAG 2.x A/AA rules, and each page's main interaction works from
the keyboard (``harness.KEYBOARD``: Tab reaches the control, its keys change the link).
Both run inside the layout walk's laptop visit of each page
(``tests/test_layouts_browser.py`` calls ``harness.axe_violations``, then
``harness.check_keyboard``): one page load for the three, and every page is checked, home
included.

axe-core is vendored in ``tests/vendor/`` (version and npm command in its README) and
injected from the disk, so nothing is fetched from outside the app.
"""

from __future__ import annotations

import hashlib

from tests.harness import AXE, AXE_SHA256, KEYBOARD
from ui import catalog

PAGES = ["", *(c.url_path for c in catalog.available())]  # home, then every page


def test_vendored_axe_is_the_stated_version():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert AXE.read_text()[:40].startswith("/*! axe v4.14.1")


def test_every_page_has_a_keyboard_check():
    assert {k.split("/")[0] for k in KEYBOARD} == set(PAGES)
