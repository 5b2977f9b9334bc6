"""What a person waits for in a real browser, measured end to end.

    python benchmarks/browser_latency.py [--repeat 5] [-- STREAMLIT FLAGS...]

Starts ``streamlit run app.py`` (extra flags after ``--`` go to it, for comparisons such
as ``-- --runner.postScriptGC true``), opens headless Chromium, and prints one JSON object:

- ``digit_mouse_up_to_answer_ms``: mouse released after drawing a 7 on /digits, until the
  CNN's answer for that drawing is on the page (median over ``--repeat`` drawings; the
  page is opened afresh for each drawing);
- ``conv_play_step_ms``: on /convolution at speed "fast" (one cell per 300 ms), the time
  between cells while playing, median over the 8 steps of the 3×3 output (the stepper
  plays in the browser since issue 24: a timer, no server run per cell); measured after
  the digits page has run in the same server, as on a stage where every page is open.

Needs Chromium (``apt-get install chromium``) and the shipped assets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    STROKES,
    VERDICT,
    draw,
    running_app,
    wait_for_app,
)

# Sets window.answerAt when the page shows a CNN verdict (checked every animation frame).
_WATCH_VERDICT = """() => {
  window.answerAt = null;
  const look = () => {
    // the answer may be inside a component's shadow root (the browser-side pad)
    const shadows = [...document.querySelectorAll('*')].filter(e => e.shadowRoot)
      .map(e => e.shadowRoot.textContent).join(' ');
    if (/CNN says \\d \\(p = /.test(document.body.innerText + shadows)) window.answerAt = performance.now();
    else requestAnimationFrame(look);
  };
  look();
}"""

# Records performance.now() in window.cells each time "Cell n of 9" changes, until cell 9.
_WATCH_CELLS = """() => {
  const seen = window.cells = [];
  const look = () => {
    const host = [...document.querySelectorAll('*')]  // the stepper's own root
      .find(e => e.shadowRoot && e.shadowRoot.querySelector('.cv-count'));
    const text = host ? host.shadowRoot.querySelector('.cv-count').textContent : '';
    const m = text.match(/Cell (\\d) of 9/);
    if (m && (!seen.length || seen[seen.length - 1][0] !== +m[1])) seen.push([+m[1], performance.now()]);
    if (!(m && +m[1] === 9)) requestAnimationFrame(look);
  };
  look();
}"""


def _draw_and_time(page, strokes) -> float:
    """Milliseconds from the pen lifting to the CNN's answer on the page."""
    released = []

    def lift() -> None:
        page.evaluate(_WATCH_VERDICT)
        released.append(page.evaluate("() => performance.now()"))

    draw(page, strokes, before_last_lift=lift)
    page.wait_for_function("() => window.answerAt !== null")
    return page.evaluate("() => window.answerAt") - released[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args, streamlit_flags = parser.parse_known_args()
    streamlit_flags = [f for f in streamlit_flags if f != "--"]
    from playwright.sync_api import sync_playwright

    with running_app(*streamlit_flags) as (url, _):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)

            waits = []
            for i in range(args.repeat + 1):  # the first drawing warms the models up
                page.goto(f"{url}/digits")
                wait_for_app(page)
                page.get_by_text("The canvas is empty").wait_for()
                ms = _draw_and_time(page, STROKES["7"])
                page.get_by_text(VERDICT).first.wait_for()
                wait_for_app(page)
                if i:
                    waits.append(ms)

            page.goto(f"{url}/convolution?speed=fast")
            wait_for_app(page)
            page.get_by_text("Cell 1 of 9").wait_for()
            page.evaluate(_WATCH_CELLS)
            page.get_by_role("button", name="▶️ Play").click()
            page.wait_for_function("() => window.cells.some(c => c[0] === 9)")
            seen = page.evaluate("() => window.cells")
            steps = [b[1] - a[1] for a, b in pairwise(seen) if b[0] == a[0] + 1]
            browser.close()
    print(json.dumps({
        "streamlit_flags": streamlit_flags,
        "digit_mouse_up_to_answer_ms": round(statistics.median(waits), 1),
        "digit_mouse_up_to_answer_ms_all": [round(w, 1) for w in waits],
        "conv_play_step_ms": round(statistics.median(steps), 1) if steps else None,
        "conv_play_step_ms_target": 300,
        "conv_play_steps_seen": len(steps),
    }))

if __name__ == "__main__":
    main()
