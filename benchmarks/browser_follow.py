"""Real browsers following a room: does every follower follow every slide change?

    python benchmarks/browser_follow.py [--followers 14] [--changes 24]

Starts the app, opens ``/talk`` in Chromium as the presenter and presses "Start a room",
then opens ``/talk?room=CODE`` in ``--followers`` Chromium contexts (each its own browser
session). The presenter then alternates Next and Back ``--changes`` times, with 0.7-1.6 s
between; after each press, every follower's deck counter must show the presenter's slide
within ``--deadline`` seconds. Prints one JSON object: how many follower views missed
their slide, and the time until all followers showed it (p50, max), which includes ten
and more Chromiums' CPU on the same cores. It checks what the protocol client of
``benchmarks/room.py`` cannot: the browser's own timers and its handling of runs that
merge (docs/performance.md, "Tried after stop 29").
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness import CHROMIUM, running_app  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        # every follower is a visible tab in its own right: no timer throttling
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows"]
SHOWS = ("[...document.querySelectorAll('.st-key-talk-nav p')]"
         ".some(p => p.innerText.trim() === '{n} / ' + {total})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--followers", type=int, default=14)
    ap.add_argument("--changes", type=int, default=24)
    ap.add_argument("--deadline", type=float, default=8.0)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from ui import slides

    total = len(slides.SLIDES)
    out: dict = {"followers": args.followers, "changes": args.changes}
    t_start = time.time()
    with running_app() as app, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        presenter = browser.new_page()
        presenter.goto(app.url + "/talk")
        presenter.get_by_role("button", name="📡 Start a room").first.click()
        presenter.wait_for_function(
            "document.body.innerText.match(/Room code: ([A-Z0-9]{5})/)", timeout=60_000)
        code = re.search(r"Room code: ([A-Z0-9]{5})", presenter.inner_text("body")).group(1)
        followers = []
        for _ in range(args.followers):
            page = browser.new_context().new_page()
            page.goto(f"{app.url}/talk?room={code}")
            followers.append(page)
        for page in followers:
            page.wait_for_function(SHOWS.format(n=1, total=total), timeout=120_000)
        missed, all_in = [], []
        for k in range(args.changes):
            target = 2 if k % 2 == 0 else 1
            t0 = time.perf_counter()
            presenter.locator(".st-key-talk-next button" if target == 2
                              else ".st-key-talk-back button").first.click()
            for i, page in enumerate(followers):
                try:
                    page.wait_for_function(SHOWS.format(n=target, total=total),
                                           timeout=args.deadline * 1000, polling=50)
                except Exception:  # noqa: BLE001 - a follower that did not follow
                    missed.append({"change": k + 1, "follower": i})
            all_in.append(time.perf_counter() - t0)
            presenter.wait_for_timeout(700 + (k % 5) * 230)  # not in phase with the looks
        browser.close()
    out["missed"] = len(missed)
    out["missed_views"] = missed[:20]
    out["all_followers_in_s"] = {"p50": round(statistics.median(all_in), 2),
                                 "max": round(max(all_in), 2)}
    out["wall_s"] = round(time.time() - t_start, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
