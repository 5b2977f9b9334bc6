"""What the tests and the benchmarks both need, in one module that imports no pytest:
start the app, open it in Chromium and wait for it, draw on the digits canvas.

It lives in ``tests/`` (beside ``conftest.py``, which re-exports it) because the tests
are its main users and ``tests`` is already a package; ``benchmarks/*.py`` import it as
``tests.harness`` and never import a test module (pytest collects only ``test_*.py``).
"""

from __future__ import annotations

import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's own --disable-features list (its chromiumSwitches.ts, at the version pinned
# in requirements-dev.txt): a second --disable-features replaces the first, so ours repeats
# it (tests/test_chromium_args.py checks that it still does).
PLAYWRIGHT_DISABLED = (
    "AimEnabled", "AvoidCorsURLLoaderRestartOnRedirect", "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose", "HttpsFirstBalancedModeAutoEnable", "HttpsUpgrades",
    "LensOverlay", "MediaRouter", "NetworkTimeServiceQuerying", "OptimizationHints",
    "PaintHolding", "PreconnectToSearch", "TcpPortRandomizationWin",
    "ThirdPartyStoragePartitioning", "msEdgeUpdateLaunchServicesPreferredVersion",
    "msForceBrowserSignIn",
)
# Chromium's address-bar popup, made of web pages: each browser context (a window) loads two
# into a renderer of their own, about 0.2 s of CPU each time, for a bar headless never shows
# (13% of Chromium's CPU in the whole suite).
NO_OMNIBOX_WEBUI = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED + NO_OMNIBOX_WEBUI),
]


# --------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(port: int, *flags: str) -> list[str]:
    """``streamlit run app.py`` on a local port. Everything else (headless, no usage
    stats, upload limit, file watcher...) comes from the project's own
    ``.streamlit/config.toml``, read from the repository root, as on a deployed server."""
    return [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1", *flags]


class Served(NamedTuple):
    url: str
    pid: int


@contextmanager
def running_app(*flags: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """The app on a free local port (extra ``flags`` go to Streamlit, for comparisons);
    yields its URL and process id once it answers its health check, then stops it."""
    port = free_port()
    # as deploy/serve runs it (MALLOC_ARENA_MAX=2), unless the caller says otherwise
    env = {"MALLOC_ARENA_MAX": "2", **os.environ, **(env or {})}
    proc = subprocess.Popen(streamlit_command(port, *flags), cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + (proc.stdout.read() if proc.stdout else ""))
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start within 60 s")
        yield Served(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# Chromium resolves no host name but the app's: every other host is unreachable at the
# network level, as on a stage with no network (no routing through the test, no cost).
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]


def record_other_hosts(context, host: str, outside: list[str]) -> None:
    """Record in ``outside`` every request of a browser context to a host other than the
    app's (``host``), websockets too, so that the test can fail on it; with
    :data:`OFFLINE_ARGS` such a request also fails, as a dead network would fail it."""
    from urllib.parse import urlparse

    def watch(request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != host:
            outside.append(request.url)

    context.on("request", watch)
    context.on("page", lambda pg: pg.on(
        "websocket", lambda ws: None if urlparse(ws.url).netloc == host
        else outside.append(ws.url)))


def wait_for_app(pg) -> None:
    """Wait until Streamlit has finished running the script: no status widget, and the
    run state Streamlit writes on its app element for its own browser tests
    (``data-test-script-state``) says not running. The status widget alone shows only
    once a run has lasted a while; the state is "initial" until the first run starts."""
    pg.wait_for_selector('[data-testid="stApp"]')
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'", timeout=60_000)


# --------------------------------------------------------------------------- drawing
SEVEN = [(60, 60), (220, 60), (120, 240)]  # one stroke, in canvas pixels (280x280)

# mouse strokes for the real canvas in the browser
STROKES = {
    "1": [[(150, 45), (145, 140), (140, 235)]],
    "7": [[(70, 55), (210, 55), (170, 130), (125, 235)]],
    "0": [[(140 + 65 * math.sin(t / 24 * 2 * math.pi), 140 - 95 * math.cos(t / 24 * 2 * math.pi))
           for t in range(25)]],
}

VERDICT = re.compile(r"CNN says (\d) \(p = ([\d.]+)\)")  # the page's sure answer


def canvas(strokes, size=280, width=20, offset=(0, 0), scale=1.0) -> np.ndarray:
    """An RGBA drawing like the page's canvas returns: black strokes, transparent paper."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        pts = [(x * scale + offset[0], y * scale + offset[1]) for x, y in stroke]
        draw.line(pts, fill=(0, 0, 0, 255), width=round(width * scale), joint="curve")
        for x, y in (pts[0], pts[-1]):
            r = width * scale / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(0, 0, 0, 255))
    return np.asarray(img)


def draw(pg, strokes, before_last_lift=None) -> None:
    """Mouse strokes on the page's canvas; ``before_last_lift()`` runs just before the pen
    lifts at the end of the last stroke (the latency benchmark starts its clock there)."""
    # the browser-side pad (ui/components/digits.py), or the server's canvas (its fallback)
    target = pg.locator("canvas.dg-canvas, canvas.upper-canvas").first
    target.wait_for()
    box = target.bounding_box()
    for n, stroke in enumerate(strokes, 1):
        x0, y0 = stroke[0]
        pg.mouse.move(box["x"] + x0, box["y"] + y0)
        pg.mouse.down()
        for x, y in stroke[1:]:
            pg.mouse.move(box["x"] + x, box["y"] + y, steps=8)
        if n == len(strokes) and before_last_lift:
            before_last_lift()
        pg.mouse.up()


def rendered(markdown: str) -> str:
    """What a person reads of Markdown that ``kit.plain`` escaped: the text as typed
    (AppTest sees the Markdown source; the browser shows this)."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "code", "latex", "text",
                 "info", "success", "warning", "error")


def page_text(at, *kinds: str) -> str:
    """Everything an AppTest run put on the page as text, one element a line: each of
    ``kinds`` (default :data:`TEXT_ELEMENTS`), then the metrics' labels and values.
    Markdown is its source (what ``kit.plain`` escaped is still escaped; see
    :func:`rendered`)."""
    parts = [str(el.value) for kind in (kinds or TEXT_ELEMENTS) for el in getattr(at, kind)]
    if not kinds:
        parts += [f"{m.label} {m.value}" for m in at.metric]
        parts += stepper_text(at)
    return "\n".join(parts)


def stepper_text(at) -> list[str]:
    """What the convolution stepper (a component, ``ui/components/conv_stepper.js``) shows
    in the browser from the data the run sent it: "Cell k of N" and the cell's written sum."""
    import json

    out = []
    for el in at.get("bidi_component"):
        if el.proto.component_name != "dlcore_conv_stepper":
            continue
        data = json.loads(el.proto.json)
        frames = data["frames"]
        cell = min(max(1, data["cell"]), len(frames))
        out += [f"Cell {cell} of {len(frames)}", frames[cell - 1]["sum"]]
    return out


def _run_page(module: str) -> None:  # AppTest runs this function's body as its script
    import importlib

    importlib.import_module(module).main()


def _run_app() -> None:  # AppTest runs this function's body as its script
    from ui import shell

    shell.run()


def page_test(path: str | Path, *, timeout: float = 60):
    """An AppTest of the whole app (``app.py``: the shell and its navigation), or of one
    page's ``main()`` alone (``pages/<name>.py``).

    Both run as functions: AppTest treats a script with a ``pages/`` folder beside it as
    an old-style multipage app on every run (a real server leaves that mode once, see
    ``ui/compat.py``), where the app's function pages cannot be reached."""
    from streamlit.testing.v1 import AppTest

    path = Path(path)
    if path.name == "app.py":
        return AppTest.from_function(_run_app, default_timeout=timeout)
    return AppTest.from_function(_run_page, args=(f"pages.{path.stem}",),
                                 default_timeout=timeout)


# The gradient-descent page opens on the browser's live map (issue 24); the tests of its
# server-drawn widgets and figures open its contour map tab first.
CONTOUR_MAP = {"gradient_descent._tab_2d": "Contour map"}


def with_contour_map(at):
    """``at`` (before its first run) with gradient descent's contour map tab open."""
    for key, value in CONTOUR_MAP.items():
        at.session_state[key] = value
    return at


def open_page(path: str | Path, params: Mapping[str, str | list[str]] | None = None, *,
              timeout: float = 60):
    """``path`` (``app.py`` or a page, ``pages/<name>.py``) run once in Streamlit's AppTest
    with this query string: how the page tests open a page."""
    at = page_test(path, timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def switch_page(at, url_path: str):
    """``at`` (an AppTest of ``app.py``) moved to the page at ``url_path``, as a click in
    the navigation would. AppTest's own ``switch_page`` finds pages by file, and the app's
    pages are functions (``st.Page(callable)``), so this sets the page's hash the way
    ``st.Page`` computes it (from its url path): a test-only use of AppTest's state."""
    from streamlit.util import calc_hash

    at._page_hash = calc_hash(url_path)
    return at


# --------------------------------------------------------------------------- the stage
ANSWER_PX, TICK_PX = 24, 16  # issue 21: the answer read from the back row, and the ticks

_MEASURE_JS = """() => {
  const H = window.innerHeight, W = window.innerWidth;
  const scrollers = [document.scrollingElement,
    ...document.querySelectorAll('[data-testid="stAppViewContainer"], [data-testid="stMain"], .stMain')];
  const height = Math.max(...scrollers.filter(Boolean).map(e => e.scrollHeight));
  // the deck's marked parts, and those a component marks inside its shadow root
  const deep = sel => { const out = [...document.querySelectorAll(sel)];
    for (const host of document.querySelectorAll('*')) {
      if (host.shadowRoot) out.push(...host.shadowRoot.querySelectorAll(sel)); }
    return out; };
  const boxes = sel => deep(sel).map(e => e.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  const inside = sel => { const b = boxes(sel); return b.length ? b.every(
    r => r.top >= -1 && r.bottom <= H + 1 && r.left >= -1 && r.right <= W + 1) : null; };
  const fonts = sel => { const px = [];
    for (const root of deep(sel)) {
      for (const e of [root, ...root.querySelectorAll('*')]) {
        const own = [...e.childNodes].some(c => c.nodeType === 3
          && /[^\\s\\u200b\\u2060]/.test(c.textContent));  // not KaTeX's zero-width struts
        const r = e.getBoundingClientRect();
        if (own && r.width > 0 && r.height > 0) px.push(parseFloat(getComputedStyle(e).fontSize));
      } }
    return px.length ? Math.min(...px) : null; };
  const ANSWER = '[class*="st-key-slide-answer"], [data-slide-part="answer"]';
  return {height, picture: inside('[class*="st-key-slide-picture"], [data-slide-part="picture"]'),
          answer: inside(ANSWER), nav: inside('.st-key-talk-nav'), answer_px: fonts(ANSWER),
          tick_px: fonts('[class*="st-key-slide-picture"] .xtick, [class*="st-key-slide-picture"] .ytick')};
}"""

_SETTLED_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && [...document.querySelectorAll('.st-key-talk-bar')].every(
       b => getComputedStyle(b).position === 'fixed')  // the stage's CSS is in
  && !document.querySelector('[data-stale="true"]')
  && !document.querySelector('[data-testid="stSpinner"], .stSpinner')
  && [...document.querySelectorAll('.stPlotlyChart')].every(c => {
       const p = c.querySelector('.js-plotly-plot');
       return p && p._fullLayout && p.querySelector('.main-svg'); })
  && [...document.querySelectorAll('img')].every(i => i.complete)
  && [...document.querySelectorAll('.st-key-talk-live')].every(v =>  // a live view is in
       v.innerText.trim() || v.querySelector('img, canvas, svg, [data-testid="stBidiComponentIsolated"]'))
  && [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')].every(c => {
       if (c.closest('.st-key-_ui_query_watch_box')) return true;  // it draws nothing
       const host = [c, ...c.querySelectorAll('*')].find(e => e.shadowRoot);
       const root = host && host.shadowRoot;  // a view's HTML is in and its script ran:
       return root && root.querySelector('[class]')  // the live map has drawn, the pad's
         && [...root.querySelectorAll('.gd-live')].every(e => e.dataset.computeMs)
         && [...root.querySelectorAll('.dg-pad')].every(e => e.dataset.ready); })"""


# Resolves once the page's geometry (its height, every chart's and picture's box) has
# held for 12 frames after a window resize, and every plotly chart fills its box again.
_RESIZED_JS = """() => new Promise(resolve => {
  const shape = () => JSON.stringify([document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('.js-plotly-plot, img, canvas, [class*="st-key-slide-"]')]
      .map(e => { const r = e.getBoundingClientRect();
                  return [Math.round(r.width), Math.round(r.height), Math.round(r.top)]; })]);
  const charts_fit = () => [...document.querySelectorAll('.js-plotly-plot')].every(p => {
    const svg = p.querySelector('.main-svg');
    return !svg || Math.abs(svg.getBoundingClientRect().width - p.getBoundingClientRect().width) < 2; });
  let last = shape(), same = 0;
  const tick = () => {
    const now = shape();
    same = now === last && charts_fit() ? same + 1 : 0;
    last = now;
    if (same >= 12) resolve(true); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def measure_slide(pg, base_url: str | None, n: int) -> dict:
    """Slide ``n`` in presenter mode at the page's viewport, once drawn: its height, the
    picture, answer and deck counter inside the screen, the smallest answer and tick
    fonts (px), and whether it fits (with the reasons when not). With a ``base_url`` the
    slide is opened by its link; with None, by the clicker's next key from slide n - 1 on
    show (as on stage)."""
    if base_url is None:
        pg.wait_for_function("(n) => window.__dlgsDeck?.data?.slide === n", arg=n - 1)
        pg.keyboard.press("ArrowRight")
    else:
        pg.goto(f"{base_url}/talk?slide={n}&present=1")
    wait_for_app(pg)
    # the deck draws this mark after the slide's last element (pages/talk.py)
    pg.locator(f".st-key-talk-drawn-{n}").wait_for(state="attached", timeout=180_000)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.wait_for_function(_SETTLED_JS, timeout=60_000)
        settled = True
    except PlaywrightTimeout:  # measured anyway, and said
        settled = False
    return _fit(pg, settled)


def laid_out(pg) -> None:
    """Wait until the page's layout holds still (after a load or a window resize): its
    height and every chart's and picture's box unchanged for 12 frames, each plotly chart
    filling its box."""
    pg.evaluate(_RESIZED_JS)


def measure_resized(pg, size: dict) -> dict:
    """The slide on show measured again in a window of ``size``, once its layout has
    followed the resize (one load of a slide serves both stage sizes)."""
    pg.set_viewport_size(size)
    laid_out(pg)
    return _fit(pg, True)


def _fit(pg, settled: bool) -> dict:
    pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    m = {**pg.evaluate(_MEASURE_JS), "settled": settled}
    h = pg.viewport_size["height"]
    why = [] if settled else ["never settled (a spinner, a stale element or a chart "
                              "without its axes after 60 s)"]
    if m["height"] > h + 1:
        why.append(f"page {m['height']} px tall")
    for part in ("picture", "answer", "nav"):
        if m[part] is False:
            why.append(f"{part} outside the screen")
    if m["nav"] is None:
        why.append("no counter")
    if m["answer_px"] is not None and m["answer_px"] < ANSWER_PX:
        why.append(f"answer at {m['answer_px']:g} px")
    if m["tick_px"] is not None and m["tick_px"] < TICK_PX:
        why.append(f"ticks at {m['tick_px']:g} px")
    return {**m, "fits": not why, "why": why}


# --------------------------------------------------------------------------- axe-core
# The accessibility engine, vendored (tests/vendor/README.md) and injected from the disk.
AXE = REPO / "tests" / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 300) + ' :: '
                                                 + (n.failureSummary || '').slice(0, 200))}));
}"""


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


def axe_violations(page) -> list[dict]:
    """The critical and serious WCAG 2.x A/AA violations axe-core finds on the page, once
    it has settled."""
    settle(page)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


# --------------------------------------------------------------------------- the keyboard
MAIN = '[data-testid="stMain"] '
SLIDER = MAIN + 'input[type="range"]'
RADIO = MAIN + 'input[type="radio"]'
# page -> (what Tab reaches, the keys pressed there, what changes in the link)
KEYBOARD = {
    "": (MAIN + 'a[href*="gradient_descent"]', ["Enter"], "/gradient_descent"),
    # the live map's slider once its script has run (before, its HTML is a 0..100 slider)
    "gradient_descent": ('.gd-live[data-compute-ms] input[name="lr_exp"]', ["ArrowRight"],
                         "lr_exp=-0.9"),
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
        if page.evaluate("(sel) => { let a = document.activeElement;"  # inside a component too
                         " while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;"
                         " return !!a?.matches(sel); }", selector):
            return
    raise AssertionError(f"{most} presses of Tab never reached {selector}")


# Tab from the top of the page, wherever focus was: Chromium resumes Tab from the last
# focused or clicked place (after a move inside the app, the last page's link), so a
# focusable mark at the top takes focus, gives it up and leaves.
FROM_THE_TOP = """() => {
  document.activeElement?.blur();
  const mark = document.createElement('span');
  mark.tabIndex = -1;
  document.body.prepend(mark);
  mark.focus({preventScroll: true});
  mark.blur();
  mark.remove();
}"""


def check_keyboard(page, path: str) -> None:
    """The page at ``path`` (settled, as :func:`axe_violations` leaves it): Tab reaches its
    main control and its keys change the link as :data:`KEYBOARD` says."""
    before, change = page.url, None
    page.evaluate(FROM_THE_TOP)
    for name in [k for k in KEYBOARD if k.split("/")[0] == path]:
        target, keys, change = KEYBOARD[name]
        page.wait_for_selector(target, state="attached")
        tab_to(page, target)
        for key in keys:
            page.keyboard.press(key)
    page.wait_for_function("([c, b]) => location.href !== b && location.href.includes(c)",
                           arg=[change, before], timeout=30_000)
