"""Does every slide fit the projector? Prints one JSON object.

    .venv/bin/python benchmarks/deck_fit.py                      # 45 slides, both sizes
    .venv/bin/python benchmarks/deck_fit.py --slides 12-15 --sizes 1280x720

A Chromium walk of the deck in presenter mode (``/talk?slide=N&present=1``, a fresh
session per slide, as a room opening a link): for each slide and screen size, the page's
height, whether the slide's main picture (``.st-key-slide-picture``), its answer
(``.st-key-slide-answer``) and the deck's counter and progress (``.st-key-talk-nav``) are
inside the screen, the smallest font of the answer and of the picture's tick labels. A
slide *fits* when the page does not scroll, all three are inside the screen, the answer's
type is at least 24 px and the ticks at least 16 px (issue 21). ``tests/harness.py``
holds the walk; ``tests/test_deck_fit_browser.py`` runs the same walk as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness import CHROMIUM, CHROMIUM_ARGS, measure_slide, running_app  # noqa: E402
from ui import slides  # noqa: E402


def numbers(text: str, last: int) -> list[int]:
    """``"1-3,7"`` -> [1, 2, 3, 7]."""
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += range(int(a), int(b or a) + 1)
    return [n for n in out if 1 <= n <= last]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--slides", default=f"1-{len(slides.SLIDES)}", help="e.g. 1-45 or 8,12")
    ap.add_argument("--sizes", default="1280x720,1920x1080", help="WxH,WxH")
    ap.add_argument("--dry-run", action="store_true", help="slide 1 at 1280x720 only")
    args = ap.parse_args()
    wanted = [1] if args.dry_run else numbers(args.slides, len(slides.SLIDES))
    sizes = ["1280x720"] if args.dry_run else args.sizes.split(",")
    from playwright.sync_api import sync_playwright

    out: dict[str, object] = {"slides": {}}
    t0 = time.perf_counter()
    env = dict(os.environ)
    data = REPO.parent / "shared" / "data"
    if data.exists():
        env.setdefault("DLCORE_DATA_DIR", str(data))
    with running_app(env=env) as served, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in sizes:
            w, h = (int(v) for v in size.split("x"))
            context = browser.new_context(viewport={"width": w, "height": h})
            pg = context.new_page()
            pg.set_default_timeout(120_000)
            for n in wanted:
                out["slides"].setdefault(str(n), {})[size] = m = measure_slide(pg, served.url, n)
                print(f"{size} slide {n}: {'fits' if m['fits'] else m['why']}", file=sys.stderr)
            context.close()
        browser.close()
    rows = [r for per in out["slides"].values() for r in per.values()]
    out["fit"] = sum(r["fits"] for r in rows)
    out["measured"] = len(rows)
    out["not_fitting"] = [f"{n}@{size}: {', '.join(r['why'])}"
                          for n, per in out["slides"].items() for size, r in per.items()
                          if not r["fits"]]
    out["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
