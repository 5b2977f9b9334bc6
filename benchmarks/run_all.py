"""Every benchmark in one command: ``python benchmarks/run_all.py [--quick]`` prints one
JSON object, each benchmark's own object under its name, and the wall time of each.

Each benchmark runs as its own process (``python benchmarks/<name>.py ARGS``), one after
another, so none measures another's leftovers. ``PLAN`` gives each the arguments meant to
keep the whole run under 10 minutes on the project's 2-core machine (fewer repeats than
the benchmarks' own defaults for the slow ones: their full-size numbers come from running
them alone, as the README says; ``total_wall_s`` says what it took); ``--quick`` cuts
repeats further, to check that everything runs. Benchmarks that another branch adds (``load.py``, ``room.py``)
run when present and are listed under ``skipped`` when not; they get ``--quick`` or
``--dry-run`` in quick mode when their ``--help`` offers one. A benchmark that fails or
runs past its time limit is listed under ``failed`` with the end of its output.

    python benchmarks/run_all.py               # the numbers
    python benchmarks/run_all.py --quick       # a check that everything runs
    python benchmarks/run_all.py --only models reruns
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _measure import load_average  # noqa: E402

# name: (arguments, arguments with --quick, time limit in seconds). Sized from a run on the
# busy machine (load 5-38): leak.py with 8 s a page took 133 s, memory.py with 10 sessions
# 226 s, cold_start.py 74 s, reruns.py with 10 repeats 56 s.
PLAN: dict[str, tuple[list[str], list[str], int]] = {
    "models": (["--repeat", "15"], ["--repeat", "2", "--chars", "300"], 180),
    "reruns": (["--repeat", "5"], ["--repeat", "2"], 300),
    "leak": (["--reruns", "500", "--budget-s", "2"], ["--reruns", "10", "--budget-s", "2"], 300),
    "cold_start": (["--repeat", "1"], ["--repeat", "1", "--pages", "gradient_descent",
                                       "digits", "jargon"], 300),
    "memory": (["--sessions", "3"], ["--sessions", "2"], 400),
    "descent": ([], ["--dry-run"], 180),
    "digits": (["--repeat", "20"], ["--repeat", "2"], 180),
    "charrnn": ([], ["--repeat", "2", "--chars", "300"], 180),
    "embeddings": (["--repeat", "5"], ["--repeat", "2"], 240),
    "imagenet": (["--repeat", "5", "--sessions", "2"], ["--repeat", "2", "--sessions", "2"], 400),
    "cpu_gpu": (["--budget", "0.3"], ["--dry-run"], 180),
    "lab": (["--sessions", "1", "2"], ["--dry-run"], 240),
    "uploads": ([], [], 120),
    "browser_latency": (["--repeat", "2"], ["--repeat", "1"], 240),
    "browser_views": (["--interactions", "20"], ["--interactions", "3"], 240),
    # real Chromium pages as a room on the two browser-side views (opens bound by Chromium)
    "browser_room": (["--contexts", "10", "--interactions", "10"],
                     ["--contexts", "2", "--interactions", "2"], 300),
    # real Chromium followers of a room: does every one follow every change
    "browser_follow": (["--followers", "14", "--changes", "24"],
                       ["--followers", "2", "--changes", "2"], 300),
    "hostile": ([], ["--rooms", "3", "--probes", "5", "--clears", "2", "--uploads", "3",
                     "--upload-mb", "1", "--seconds", "30"], 180),
    "talk_slides": (["--repeats", "3"], ["--dry-run"], 180),
    # a follower's rerun of five slides on a real server: CPU, bytes, first/last message
    "slide_reruns": ([], ["--slides", "4", "--repeat", "3"], 180),
    # a Chromium walk of the 45 slides at both stage sizes: 263 s at 1920x1080 alone
    "deck_fit": ([], ["--dry-run"], 600),
    # 50 sessions on every page, each page capped, and the deck with 50 followers
    "load": (["--sessions", "50", "--interactions", "1", "--cap", "25", "--leave-wait", "3"],
             ["--sessions", "5", "--interactions", "1", "--cap", "15",
              "--pages", "convolution", "talk"], 420),
    "room": (["--followers", "50", "--changes", "6", "--view-changes", "4", "--idle", "15"],
             ["--followers", "5", "--changes", "2", "--view-changes", "2", "--live-changes",
              "1", "--idle", "3"], 420),
    # the deck printed to PDF (every slide drawn once, live slides at their preset)
    "deck_pdf": (["--out", "/tmp/dlgs-deck.pdf"], ["--out", "/tmp/dlgs-deck.pdf"], 600),
    "code_health": ([], [], 60),  # README lines, longest page function, private names
    # the tests' Chromium: a page load's CPU with and without the address bar's popup pages
    "chromium_cpu": (["--repeat", "3"], ["--loads", "2", "--repeat", "1"], 240),
}
# Benchmarks that another one covers: run them alone for their own output.
COVERED = {"app_memory": "memory.py opens every page through app_memory.open_pages and "
                         "reports the same number as all_pages_mb"}
# Benchmarks that need what the app does not install: run them alone, as their docstring says.
NEEDS_MORE = {"digits_runtime": "onnxruntime-web from npm and the onnx and onnxscript "
                                "packages, to compare with the hand-written forward pass"}
LIBRARIES = {"stclient"}  # modules in benchmarks/ that other benchmarks import, not run
TOOLS = {"report"}  # not benchmarks: report.py renders this command's JSON into docs/


def quick_flag(script: Path) -> list[str]:
    """``--quick`` or ``--dry-run`` if the script's ``--help`` offers one."""
    try:
        helptext = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                                  text=True, timeout=120).stdout
    except subprocess.TimeoutExpired:
        return []
    return next(([f] for f in ("--quick", "--dry-run") if f in helptext), [])


def parse(stdout: str) -> dict | None:
    """The JSON object a benchmark printed: its whole output (some indent it), else its
    last line, else the text from the last line that opens an object."""
    lines = stdout.strip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("{")]
    for text in (stdout, lines[-1] if lines else "", "\n".join(lines[starts[-1]:]) if starts else ""):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            return data
    return None


def run_one(name: str, args: list[str], limit: int) -> tuple[dict | None, float, str]:
    """A benchmark's JSON object (None when it failed), its wall seconds, and why."""
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *args],
                              capture_output=True, text=True, timeout=limit, cwd=BENCH.parent)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start, f"ran past its limit of {limit} s"
    seconds = time.perf_counter() - start
    data = parse(proc.stdout) if proc.returncode == 0 else None
    if data is not None:
        return data, seconds, ""
    tail = (proc.stdout + proc.stderr)[-600:]
    return None, seconds, f"exit {proc.returncode}: {tail}"


def run(quick: bool = False, only: list[str] | None = None) -> dict:
    results, walls, skipped, failed = {}, {}, {}, {}
    total = time.perf_counter()
    skipped.update({n: why for n, why in COVERED.items() if not only or n in only})
    for name, (full, short, limit) in PLAN.items():
        if only and name not in only:
            continue
        script = BENCH / f"{name}.py"
        if not script.exists():
            skipped[name] = f"benchmarks/{name}.py is not in this checkout"
            continue
        args = short if quick else full
        if quick and name in ("load", "room"):
            args = quick_flag(script)
        data, seconds, why = run_one(name, args, limit)
        walls[name] = round(seconds, 1)
        if data is None:
            failed[name] = why
        else:
            results[name] = data
        print(f"{name}: {seconds:.0f} s{' FAILED' if data is None else ''}", file=sys.stderr)
    return {"benchmarks": results, "wall_s": walls, "total_wall_s":
            round(time.perf_counter() - total, 1), "skipped": skipped, "failed": failed,
            "quick": quick, "only": only or [], "load_average": load_average()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats: check it runs")
    parser.add_argument("--only", nargs="*", choices=list(PLAN), help="these benchmarks only")
    args = parser.parse_args()
    result = run(args.quick, args.only)
    print(json.dumps(result))
    sys.exit(1 if result["failed"] else 0)


if __name__ == "__main__":
    main()
