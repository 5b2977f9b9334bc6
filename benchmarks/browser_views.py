"""The two views that answer in the browser, measured in headless Chromium.

    python benchmarks/browser_views.py [--interactions 20]

Starts ``streamlit run app.py``, opens Chromium and prints one JSON object:

- ``digits.pen_move_to_probabilities_ms``: on /digits, from a pen move (the pointer
  event's time stamp) to both networks' probabilities on the page (the pad's
  ``data-last-latency-ms``: read once per animation frame, so it includes the wait for
  that frame); median and p95 over every move of ``--interactions`` strokes;
- ``digits.sent_during_moves`` / ``sent_per_stroke``: websocket messages from the page to
  the server while the pen moves (none expected) and per whole stroke (one: the 28x28 at
  pen-up); ``received_per_stroke``: messages back (the server's rerun for the feature maps);
- ``gradient_descent.lr_move_to_paths_ms``: on the live map, a learning-rate step (an
  arrow key on the slider) to the redrawn paths (the next frame after the new paths),
  median and p95 over ``--interactions`` moves; ``compute_ms``: the runs alone (the
  default three optimizers, 100 steps); ``sent`` / ``received``: websocket messages during those moves
  (the settings go back once the slider rests: one write-back, and its fragment rerun);
- ``server_cpu_ms_per_stroke`` / ``server_cpu_ms_per_move``: the app server's CPU
  (utime + stime from ``/proc``) over the strokes or the learning-rate moves, divided by
  their number: what one person's interaction costs the server, the figure a room
  multiplies (50 people, one interaction a second: 50 times it per second), with
  ``server_idle_cpu_pct``, the same server's CPU over 3 s with the page open and
  nothing done (its share of the figure is time, not interactions);
- ``bytes``: what the browser-side views add to a first open (the weights file and the
  JavaScript), before HTTP compression.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "benchmarks"))

from _measure import summary  # noqa: E402
from room import cpu_seconds  # noqa: E402

from tests.harness import CHROMIUM, CHROMIUM_ARGS, STROKES, running_app, wait_for_app  # noqa: E402

COMPONENTS = REPO / "ui" / "components"
# an element by selector, in the page or in a component's shadow root
FIND = """(sel => { for (const e of document.querySelectorAll('*')) {
    const x = e.shadowRoot && e.shadowRoot.querySelector(sel); if (x) return x; }
  return document.querySelector(sel); })"""


def watch_socket(page) -> dict:
    counts = {"sent": 0, "received": 0}

    def on_socket(ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framesent", lambda _f: counts.__setitem__("sent", counts["sent"] + 1))
            ws.on("framereceived",
                  lambda _f: counts.__setitem__("received", counts["received"] + 1))

    page.on("websocket", on_socket)
    return counts


def digits(browser, url: str, interactions: int, server: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    counts = watch_socket(page)
    page.goto(f"{url}/digits")
    wait_for_app(page)
    page.wait_for_selector(".dg-pad[data-ready='1']")
    pad, canvas = page.locator(".dg-pad"), page.locator("canvas.dg-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    latencies, during_moves, per_stroke, back = [], 0, [], []
    strokes = [s for d in ("7", "1", "0") for s in STROKES[d]]
    idle = cpu_seconds(server)
    time.sleep(3)  # the page open, nothing done
    idle = (cpu_seconds(server) - idle) / 3
    cpu = 0.0
    for i in range(interactions):
        page.locator(".dg-clear").click()
        wait_for_app(page)
        stroke = strokes[i % len(strokes)]
        before, cpu_before = dict(counts), cpu_seconds(server)
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for (xa, ya), (xb, yb) in pairwise(stroke):
            for t in range(1, 6):  # five moves a segment, each waited for
                reads = int(pad.get_attribute("data-reads") or 0)
                page.mouse.move(box["x"] + xa + (xb - xa) * t / 5, box["y"] + ya + (yb - ya) * t / 5)
                page.wait_for_function(f"n => +({FIND}('.dg-pad').dataset.reads || 0) > n",
                                       arg=reads)
                latencies.append(float(pad.get_attribute("data-last-latency-ms")))
        during_moves += counts["sent"] - before["sent"]
        page.mouse.up()
        wait_for_app(page)
        page.wait_for_timeout(200)
        wait_for_app(page)
        cpu += cpu_seconds(server) - cpu_before  # the stroke, not the Clear before it
        per_stroke.append(counts["sent"] - before["sent"])
        back.append(counts["received"] - before["received"])
    page.close()
    return {"pen_move_to_probabilities_ms": summary(latencies),
            "sent_during_moves": during_moves,
            "sent_per_stroke": summary(per_stroke), "received_per_stroke": summary(back),
            "server_cpu_ms_per_stroke": round(1000 * cpu / interactions, 1),
            "server_idle_cpu_pct": round(100 * idle, 2)}


def gradient_descent(browser, url: str, interactions: int, server: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    counts = watch_socket(page)
    page.goto(f"{url}/gradient_descent")
    wait_for_app(page)  # the page opens on its live map
    page.wait_for_selector(".gd-live svg polyline")
    wait_for_app(page)
    live, slider = page.locator(".gd-live"), page.locator('input[name="lr_exp"]')
    slider.focus()
    before, cpu_before = dict(counts), cpu_seconds(server)
    latencies, compute = [], []
    for i in range(interactions):
        redraws = int(live.get_attribute("data-redraws") or 0)
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"n => +({FIND}('.gd-live').dataset.redraws || 0) > n",
                               arg=redraws)
        latencies.append(float(live.get_attribute("data-last-latency-ms")))
        compute.append(float(live.get_attribute("data-compute-ms")))
    page.wait_for_timeout(1000)  # the write-back once the slider rests (0.6 s)
    wait_for_app(page)
    out = {"lr_move_to_paths_ms": summary(latencies), "compute_ms": summary(compute),
           "sent": counts["sent"] - before["sent"],
           "received": counts["received"] - before["received"],
           "server_cpu_ms_per_move": round(1000 * (cpu_seconds(server) - cpu_before)
                                           / interactions, 1)}
    page.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with running_app() as served, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        result = {
            "interactions": args.interactions,
            "digits": digits(browser, served.url, args.interactions, served.pid),
            "gradient_descent": gradient_descent(browser, served.url, args.interactions,
                                                 served.pid),
            "bytes": {p.name: p.stat().st_size for p in [
                REPO / "static" / "digits_nets.bin", *sorted(COMPONENTS.glob("*.js"))]},
        }
        browser.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
