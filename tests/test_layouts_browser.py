"""Every page at three screens, measured in Chromium (issue 8): the stage (presenter mode
at 1280x720 and 1920x1080), a laptop (1440x900) and a phone (412x915), each with every
host but the app's unreachable (a stage with no network: no page even tries one, and
each finishes its run without an exception). On the laptop, axe-core runs on the same
page load (``harness.axe_violations``), then each page's main interaction from the
keyboard (``harness.check_keyboard``; see ``test_accessibility_browser.py``).

Each screen's walk is one tab: its first page is loaded, and each next page is reached
inside the app, as a person does from the sidebar or with Back (``moved_in_the_app``).

One row per page: its link and the selector of its main picture. A new page is one row.
On the stage the main picture starts on the first screen and the sidebar is folded; on
the phone no text runs past the screen's edge or is cut by its box (a formula or a sum
too wide for the phone scrolls inside its own box). With ``SCREENSHOTS=1`` (or
``UPDATE_SCREENSHOTS=1``) each screen's picture is saved under ``test-artifacts/screenshots/``
(git-ignored) for a person to look at.
"""

from __future__ import annotations

import io
import json
import os
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO, wait_for_app
from tests.harness import (
    STROKES,
    VERDICT,
    axe_violations,
    check_keyboard,
    draw,
    laid_out,
    record_other_hosts,
)
from ui import catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = REPO / "test-artifacts" / "screenshots"
SAVE_SHOTS = bool(os.environ.get("SCREENSHOTS") or os.environ.get("UPDATE_SCREENSHOTS"))


def shot(pg, name: str) -> None:
    """The page's picture under test-artifacts/screenshots/, when asked for (SAVE_SHOTS)."""
    if SAVE_SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"{name}.png"))


# The README's pictures, refreshed by UPDATE_SCREENSHOTS=1: (page, screen) -> file in assets/
README_SHOTS = {
    ("home", "laptop"): "screenshot-home.png",
    ("gradient_descent", "laptop"): "screenshot-gradient-descent.png",
    ("gradient_descent", "stage"): "screenshot-presenter.png",
    ("convolution", "phone"): "screenshot-phone.png",
    ("digits", "drawn"): "screenshot-digits.png",
    **{(name, "laptop"): f"screenshot-{name.replace('_', '-')}.png"
       for name in ("talk", "embeddings", "char_rnn", "hotdog", "fine_tuning", "splits",
                    "cpu_gpu", "jargon")},
}


def save_readme_shot(pg, name: str, screen: str) -> None:
    """With UPDATE_SCREENSHOTS set, this screen's picture goes to assets/ for the README,
    in 256 colours and at most 1,000 px wide (a phone's at its CSS size), to stay small."""
    target = README_SHOTS.get((name, screen))
    if not target or not os.environ.get("UPDATE_SCREENSHOTS"):
        return
    from PIL import Image

    img = Image.open(io.BytesIO(pg.screenshot())).convert("RGB")
    width = min(1000, pg.viewport_size["width"])
    img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
        REPO / "assets" / target, optimize=True)

# (name, link, the main picture's selector)
PAGES = [
    ("home", "", '[data-testid="stMain"] .katex-display'),
    ("gradient_descent", "gradient_descent", "canvas.gd-map"),
    ("digits", "digits", "canvas.dg-canvas"),
    ("convolution", "convolution", ".cv-row .cv-grid"),
    ("talk", "talk", '[data-testid="stMain"] h1'),
    ("embeddings", "embeddings", '[data-testid="stPlotlyChart"] .js-plotly-plot'),
    ("char_rnn", "char_rnn", '[data-testid="stCode"]'),
    ("hotdog", "hotdog", '[data-testid="stImage"] img'),
    ("fine_tuning", "fine_tuning", 'button:has-text("Train both")'),
    ("splits", "splits", '[data-testid="stPlotlyChart"] .js-plotly-plot'),
    ("cpu_gpu", "cpu_gpu", '[data-testid="stPlotlyChart"] .js-plotly-plot'),
    ("jargon", "jargon", '[data-testid="stTextInput"]'),
]
assert [p[1] for p in PAGES[1:]] == sorted((c.url_path for c in catalog.available()),
                                           key=[p[1] for p in PAGES].index), \
    "every page of the catalog needs a row here"

# (name, viewport, presenter mode, touch)
SCREENS = {
    "stage": ({"width": 1280, "height": 720}, True, False),
    "laptop": ({"width": 1440, "height": 900}, False, False),
    "phone": ({"width": 412, "height": 915}, False, True),
}
STAGE_HD = {"width": 1920, "height": 1080}  # the stage page again, its window enlarged

# Text that runs past the viewport's right edge, or past a box that hides its overflow,
# unless a box on the way scrolls sideways (then it can be reached). Plotly's SVG and
# the canvas's iframe are measured as boxes, not as text.
OVERFLOWING_TEXT = """() => {
  const W = document.documentElement.clientWidth, bad = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (el.closest('svg, .js-plotly-plot')) continue;
    if (el.closest('[hidden], [aria-hidden="true"]')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let a = el, scrolls = false, cut = null;
    while (a && a !== document.body) {
      const s = getComputedStyle(a);
      if (['auto', 'scroll'].includes(s.overflowX)) { scrolls = true; break; }
      if (['hidden', 'clip'].includes(s.overflowX) && s.textOverflow !== 'ellipsis'
          && !a.closest('.katex')) {  // KaTeX's own boxes hide overflow by design
        const box = a.getBoundingClientRect();
        if (box.width > 0 && r.right > box.right + 2) { cut = a; break; }
      }
      a = a.parentElement;
    }
    if (scrolls) continue;
    if (cut || r.right > W + 1)
      bad.push(node.textContent.trim().slice(0, 60) + ' (right ' + Math.round(r.right) + ')');
  }
  for (const el of main.querySelectorAll('.js-plotly-plot, iframe, img, table')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1) {
      let a = el.parentElement, scrolls = false;
      while (a && a !== document.body) {
        if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) { scrolls = true; break; }
        a = a.parentElement;
      }
      if (!scrolls) bad.push(el.tagName + ' ' + (el.className || '') + ' (right ' + Math.round(r.right) + ')');
    }
  }
  return {bad: bad.slice(0, 10), pageWidth: document.documentElement.scrollWidth, W};
}"""


@pytest.fixture(scope="module")
def screens(browser, app_url):
    """A screen's tab: one browser context per screen for the whole module, and in it one
    tab that walks from page to page (``walk``), or a tab of its own (``screens(screen)``).
    At the end it fails if any request left the app's host."""
    host, outside, contexts, tabs = urlparse(app_url).netloc, [], {}, {}

    def new_page(screen: str):
        if screen not in contexts:
            viewport, _, touch = SCREENS[screen]
            options = {"viewport": viewport, "service_workers": "block"}
            if touch:
                options.update(has_touch=True, is_mobile=True, device_scale_factor=2)
            contexts[screen] = browser.new_context(**options)
            record_other_hosts(contexts[screen], host, outside)
        pg = contexts[screen].new_page()
        pg.set_default_timeout(30_000)
        return pg

    def walk(screen: str):
        if screen not in tabs or tabs[screen].is_closed():
            tabs[screen] = pg = new_page(screen)
            pg.on("websocket", lambda ws: setattr(pg, "app_socket", ws))
        return tabs[screen]

    new_page.walk = walk
    yield new_page
    for context in contexts.values():
        context.close()
    assert not outside, f"requests left the app's host: {sorted(set(outside))[:5]}"


# From page to page inside the app, as Back and Forward do: Streamlit follows the
# browser's history (popstate) and runs the new page with its scripts already loaded. A
# page load instead costs Chromium about 1 s more CPU (the app's and plotly's scripts
# started again), 36 times in this walk; the first page of each screen is loaded.
NAVIGATE = """(url) => { history.pushState(null, '', url);
                        window.dispatchEvent(new PopStateEvent('popstate')); }"""


def moved_in_the_app(pg, url: str) -> None:
    """Move ``pg`` to ``url`` inside the app, returning once the server has finished a
    whole run of that page (its messages on the app's websocket: the navigation naming
    the page, then the run's end), whatever run the last page's keys started."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    path, on_page = urlparse(url).path.strip("/"), []

    def run_ended(payload) -> bool:
        if isinstance(payload, str):
            return False
        msg = ForwardMsg.FromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "navigation":  # sent by each run of st.navigation: the page it runs
            nav = msg.navigation
            on_page[:] = [p.url_pathname for p in nav.app_pages
                          if p.page_script_hash == nav.page_script_hash]
        return kind == "script_finished" and on_page == [path] \
            and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY

    wait_for_app(pg)
    with pg.app_socket.expect_event("framereceived", predicate=run_ended, timeout=60_000):
        pg.evaluate(NAVIGATE, url)


def visit(pg, app_url, link: str, present: bool, selector: str) -> dict:
    """The page at ``link`` on ``pg``'s screen, laid out and scrolled to its top: loaded
    if the tab is new, else reached inside the app from the page on show."""
    url = f"/{link}" + ("?present=1" if present else "")
    if pg.url == "about:blank":
        pg.goto(app_url + url)
    elif pg.evaluate("() => location.pathname + location.search") != url:
        # (home's keys follow its link to gradient descent: then the page is on show)
        moved_in_the_app(pg, url)
    wait_for_app(pg)
    pg.locator(selector).first.wait_for()
    # elements whose code loads on demand (charts, the canvas) show a skeleton until then
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')")
    pg.evaluate("() => { document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0); "
                "window.scrollTo(0, 0); }")
    laid_out(pg)  # plotly and the canvas lay themselves out
    assert pg.locator('[data-testid="stException"]').count() == 0, f"{link}: an exception"
    return pg.locator(selector).first.bounding_box()


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("name,link,selector", PAGES, ids=[p[0] for p in PAGES])
def test_each_page_fits_each_screen(screens, app_url, name, link, selector, screen):
    viewport, present, _ = SCREENS[screen]
    pg = screens.walk(screen)
    pg.set_viewport_size(viewport)  # the stage's walk ends each page at 1920x1080
    ok = False
    try:
        box = visit(pg, app_url, link, present, selector)
        shot(pg, f"{name}-{screen}")
        if not present and name != "home":  # the README shows the picture itself
            pg.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'center'})")
        save_readme_shot(pg, name, screen)
        # Picture first (issue 22): the main picture starts on the first screen on a laptop
        # and on a phone, every page: the secondary settings folded (kit.secondary), rows
        # of controls that stay rows on a phone (kit.row), text under the picture.
        if screen in ("laptop", "phone"):
            assert box["y"] < viewport["height"] - 40, (
                f"{name}: on the {screen} the main picture starts at y = {box['y']:.0f}, "
                f"below the first screen ({viewport['height']} px)")
        if present:
            assert box["y"] < viewport["height"] - 40, (
                f"{name}: the main picture starts at y = {box['y']:.0f}, below the first "
                f"screen ({viewport['height']} px)")
            sidebar = pg.locator('[data-testid="stSidebar"]')
            assert sidebar.get_attribute("data-collapsed") == "true", "the sidebar is open"
            pg.set_viewport_size(STAGE_HD)
            laid_out(pg)  # the larger type and plotly's resize
            shot(pg, f"{name}-stage_hd")
            box = pg.locator(selector).first.bounding_box()
            assert box["y"] < STAGE_HD["height"] - 40, (
                f"{name}: at 1920x1080 the main picture starts at y = {box['y']:.0f}")
        if screen == "laptop":
            found = axe_violations(pg)
            assert not found, json.dumps(found, indent=1, ensure_ascii=False)
            check_keyboard(pg, link)  # last: its keys change the page
        if screen == "phone":
            found = pg.evaluate(OVERFLOWING_TEXT)
            assert not found["bad"], f"{name}: text past the phone's edge: {found['bad']}"
            assert found["pageWidth"] <= found["W"], f"{name}: the page scrolls sideways"
        ok = True
    finally:
        if not ok:  # the next page of this screen starts from a new tab
            pg.close()


def test_the_answer_is_beside_the_canvas(screens, app_url):
    """Draw a 1 at 1440x900: the CNN's verdict is on the screen without scrolling."""
    pg = screens("laptop")
    try:
        pg.goto(f"{app_url}/digits")
        wait_for_app(pg)
        pg.get_by_text("The canvas is empty").wait_for()
        draw(pg, STROKES["1"])
        verdict = pg.get_by_text(VERDICT).first
        verdict.wait_for(timeout=30_000)
        assert VERDICT.search(verdict.inner_text()).group(1) == "1"
        pg.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')")
        laid_out(pg)
        shot(pg, "digits-laptop-drawn")
        save_readme_shot(pg, "digits", "drawn")
        box = verdict.bounding_box()
        scrolled = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')"
                               ".scrollTop + window.scrollY")
        assert scrolled == 0
        assert 0 <= box["y"] and box["y"] + box["height"] <= 900, (
            f"the verdict is at y = {box['y']:.0f}, off the 900 px screen")
        # the steps are square boxes, so the page does not grow with a thin drawing
        height = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')"
                             ".scrollHeight")
        assert height < 3000, f"the page is {height} px tall"
    finally:
        pg.close()

