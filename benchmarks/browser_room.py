"""A room of real browsers on the views that answer in the browser (issue 24).

    python benchmarks/browser_room.py [--contexts 10] [--interactions 10]
                                      [--pages digits gradient_descent]

``benchmarks/load.py`` speaks Streamlit's protocol and cannot run the browser's code, so
for these two pages it sends what a browser sends (gradient descent: the live map's
settings once a slider rests; digits: nothing for a stroke). This command checks that
with ``--contexts`` Chromium pages (one browser, a context each: separate sessions) on
one app server: they open the page at the same moment, then each does the page's main
interaction ``--interactions`` times with 0.2-1 s between, as a person does:

- digits: a stroke on the drawing pad (pointer down, eight moves, up);
- gradient descent: two arrow-key steps of the live map's learning-rate slider, then
  the settings go back once it rests (0.6 s, REST_MS in descent_view.js).

Per page: the open (from ``goto`` to the view drawn in the browser: the pad's networks
loaded, the live map's paths computed) p50/p95; the in-browser latency of the
interaction (the pad's pen move to probabilities, the map's slider step to redrawn
paths) p50/p95; websocket messages the pages sent per interaction; page errors; and the
server's CPU (``/proc`` utime + stime) over the room, as % of one core, with the wall
time. Chromium runs on the same two cores as the server, so the room's wall time is
longer than a real one and the server's % is an upper bound. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.room import cpu_seconds, pct  # noqa: E402
from tests.harness import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

# a component's element by selector (its shadow root is open)
FIND = """(sel => { for (const e of document.querySelectorAll('*')) {
    const x = e.shadowRoot && e.shadowRoot.querySelector(sel); if (x) return x; }
  return document.querySelector(sel); })"""
READY = {"digits": ".dg-pad[data-ready='1']", "gradient_descent": ".gd-live[data-compute-ms]"}
LATENCY = {"digits": ".dg-pad", "gradient_descent": ".gd-live"}


def stats(xs: list[float], nd: int = 3) -> dict:
    if not xs:
        return {"n": 0}
    return {"n": len(xs), "p50": round(statistics.median(xs), nd),
            "p95": round(pct(xs, 0.95), nd)}


async def interact(page, name: str, i: int, rng: random.Random) -> None:
    """The page's main interaction, as a person does it."""
    if name == "digits":
        box = await page.locator("canvas.dg-canvas").bounding_box()
        x0, y0 = box["x"] + box["width"] * rng.uniform(0.3, 0.5), box["y"] + box["height"] * 0.2
        await page.mouse.move(x0, y0)
        await page.mouse.down()
        for k in range(1, 9):  # a stroke down and a little right
            await page.mouse.move(x0 + 6 * k * rng.uniform(0.2, 1), y0 + 22 * k)
        await page.mouse.up()
        return
    slider = page.locator('.gd-live input[name="lr_exp"]')
    await slider.focus()
    key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
    await page.keyboard.press(key)
    await page.keyboard.press(key)


async def person(browser, url: str, name: str, args, seed: int, out: dict) -> None:
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    sent = [0]
    page.on("websocket", lambda ws: ws.on("framesent", lambda _f: sent.__setitem__(0, sent[0] + 1))
            if "_stcore/stream" in ws.url else None)
    page.on("pageerror", lambda e: out["errors"].append(str(e)[:200]))
    t0 = time.perf_counter()
    try:
        await page.goto(f"{url}/{name}")
        await page.wait_for_function(f"() => !!{FIND}({json.dumps(READY[name])})",
                                     timeout=args.cap * 1000, polling=50)
        out["opens"].append(time.perf_counter() - t0)
        await page.wait_for_timeout(500)  # the page's own first messages (its open)
        before = sent[0]
        for i in range(args.interactions):
            await asyncio.sleep(rng.uniform(0.2, 1.0))  # a person's think time
            await interact(page, name, i, rng)
            latency = await page.evaluate(
                f"() => Number({FIND}({json.dumps(LATENCY[name])}).dataset.lastLatencyMs)")
            out["latencies"].append(latency)
        await page.wait_for_timeout(1000)  # the write-back once the last move rests (0.6 s)
        out["sent"].append(sent[0] - before)
    except Exception as err:  # noqa: BLE001 - a person's failure is counted, not raised
        out["errors"].append(f"{type(err).__name__}: {err}"[:200])
    finally:
        await context.close()


async def room(url: str, pid: int, name: str, args) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"opens": [], "latencies": [], "sent": [], "errors": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm = await browser.new_page()  # the page's imports and models, once
        await warm.goto(f"{url}/{name}")
        await warm.wait_for_function(f"() => !!{FIND}({json.dumps(READY[name])})",
                                     timeout=args.cap * 1000)
        await warm.close()
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(person(browser, url, name, args, seed, out)
                               for seed in range(args.contexts)))
        wall = time.perf_counter() - t0
        cpu = cpu_seconds(pid) - cpu0
        await browser.close()
    interactions = args.contexts * args.interactions
    return {"page": name, "contexts": args.contexts, "interactions": interactions,
            "open_s": stats(out["opens"]),
            "interaction_in_browser_ms": stats([x for x in out["latencies"] if x == x], 1),
            "sent_per_interaction": round(sum(out["sent"]) / interactions, 2),
            "errors": len(out["errors"]), "error_detail": sorted(set(out["errors"]))[:3],
            "server_cpu_pct": round(100 * cpu / wall, 1),
            "server_cpu_ms_per_interaction": round(1000 * cpu / interactions, 1),
            "wall_s": round(wall, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--contexts", type=int, default=10)
    ap.add_argument("--interactions", type=int, default=10)
    ap.add_argument("--pages", nargs="*", default=["digits", "gradient_descent"],
                    choices=["digits", "gradient_descent"])
    ap.add_argument("--cap", type=float, default=120.0, help="seconds a page may take to open")
    args = ap.parse_args()
    rows = []
    with running_app() as served:
        for name in args.pages:
            rows.append(asyncio.run(room(served.url, served.pid, name, args)))
            print(json.dumps(rows[-1]), file=sys.stderr)
    print(json.dumps({"rows": rows}, indent=1))


if __name__ == "__main__":
    main()
