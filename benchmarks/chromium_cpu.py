"""What a page load costs the tests' Chromium, with and without the address bar's popup
pages (``tests.harness.NO_OMNIBOX_WEBUI``): ``python benchmarks/chromium_cpu.py`` prints
one JSON object.

    .venv/bin/python benchmarks/chromium_cpu.py [--page jargon] [--loads 10] [--repeat 2]

For each setting, a headless Chromium opens ``--page`` ``--loads`` times, each in a fresh
browser context (as each browser test does), waits for the script to finish, and closes
the context; the CPU seconds of every Chromium process over those loads (read from
``/proc``, Linux) are divided by ``--loads``. ``--repeat`` alternates the settings to
take the machine's drift; the medians are reported, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _measure import cpu_seconds, load_average  # noqa: E402

from tests.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    NO_OMNIBOX_WEBUI,
    OFFLINE_ARGS,
    PLAYWRIGHT_DISABLED,
    running_app,
    wait_for_app,
)


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process alive now (those that exited are lost, so
    each measure ends with its contexts closed and the browser still running)."""
    total = 0.0
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if b"chrom" in (d / "cmdline").read_bytes().split(b"\0")[0]:
                    total += cpu_seconds(d.name)
            except OSError:
                continue
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", default="jargon", help="url path of the page to open")
    ap.add_argument("--loads", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    plain = [a for a in CHROMIUM_ARGS if not a.startswith("--disable-features=")]
    settings = {
        "with_popup_pages": plain + ["--disable-features=" + ",".join(PLAYWRIGHT_DISABLED)],
        "without (the tests' args)": CHROMIUM_ARGS,
    }
    per_load: dict[str, list[float]] = {name: [] for name in settings}
    t0 = time.perf_counter()
    with running_app() as served, sync_playwright() as pw:
        for _ in range(args.repeat):
            for name, flags in settings.items():
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=flags + OFFLINE_ARGS)
                warm = browser.new_context()
                warm.new_page().goto(f"{served.url}/{args.page}")
                warm.close()
                before = chromium_cpu()
                for _ in range(args.loads):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(f"{served.url}/{args.page}")
                    wait_for_app(page)
                    context.close()
                per_load[name].append((chromium_cpu() - before) / args.loads)
                browser.close()
    medians = {name: round(statistics.median(v), 3) for name, v in per_load.items()}
    a, b = medians.values()
    print(json.dumps({
        "page": args.page, "loads": args.loads, "repeat": args.repeat,
        "disabled_features_added": list(NO_OMNIBOX_WEBUI),
        "chromium_cpu_s_per_load": medians,
        "runs": {name: [round(x, 3) for x in v] for name, v in per_load.items()},
        "ratio_without_to_with": round(b / a, 2) if a else None,
        "load_average": load_average(), "seconds": round(time.perf_counter() - t0, 1),
    }))


if __name__ == "__main__":
    main()
