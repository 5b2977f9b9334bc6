"""Benchmark of the deck's live slides: prints one JSON object (CPU ms per rerun).

    .venv/bin/python benchmarks/talk_slides.py            # the numbers the README quotes
    .venv/bin/python benchmarks/talk_slides.py --dry-run  # one repeat, to check it runs

For each live slide whose page has a ``view`` (and one text slide), and for that page on
its own at the same settings: the median CPU time of a rerun in Streamlit's AppTest after
a first run (warm caches, settings unchanged), and the wall time. A live slide should cost
what its page costs: the deck adds its text and its buttons, nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness import open_page  # noqa: E402
from ui import kit, slides  # noqa: E402


def reruns(path: str, params: dict, repeats: int) -> dict[str, float]:
    at = open_page(path, params, timeout=240)
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        at.run()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    if at.exception:
        raise RuntimeError(f"{path} {params}: {at.exception[0].value}")
    return {"cpu_ms": round(1000 * statistics.median(cpu)),
            "wall_ms": round(1000 * statistics.median(wall))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="reruns per slide (median)")
    ap.add_argument("--dry-run", action="store_true", help="one rerun of two slides")
    args = ap.parse_args()
    repeats = 1 if args.dry_run else args.repeats
    out: dict[str, object] = {}
    seen: set[tuple] = set()
    for n, s in enumerate(slides.SLIDES, 1):
        if not s.live or (s.live, tuple(s.preset.items())) in seen:
            continue
        seen.add((s.live, tuple(s.preset.items())))
        query = urlsplit(kit.link_to(s.live, **s.preset)).query  # the page at the preset
        page_params = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(query).items()}
        out[f"slide_{n}_{s.live}"] = {"slide": reruns("pages/talk.py", {"slide": str(n)}, repeats),
                                      "page": reruns(f"pages/{s.live}.py", page_params, repeats)}
        if args.dry_run:
            break
    out["text_slide_2"] = reruns("pages/talk.py", {"slide": "2"}, repeats)
    out["loadavg_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
