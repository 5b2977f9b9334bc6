"""The training lab under load: one run alone, then the same run from several sessions at once.

    .venv/bin/python benchmarks/lab.py                 # 1 and 4 concurrent default runs
    .venv/bin/python benchmarks/lab.py --sessions 1 2 8 --preset memorise
    .venv/bin/python benchmarks/lab.py --dry-run

It also prints ``bytes_per_redraw`` (both charts of a 40-epoch run as plotly JSON: what one
epoch's redraw sends to a browser) and ``page_rerun_ms`` (the splits page rerun with nothing
changed, in Streamlit's AppTest, median of 5 after a warm-up).

Each session is a thread running ``dlcore.lab.train`` on one torch thread, as a Streamlit
session does, through a gate of ``--trainers`` runs at once, as the page's. Prints one JSON
object: for each number of sessions, the median and slowest time from pressing Train to the
test score (waiting included) and the epochs each run reached (a run stops at the lab's
time cap, so a crowded server gives shorter runs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from dlcore import lab  # noqa: E402
from ui.splits_charts import curves  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def page_costs() -> dict:
    from tests.harness import page_test

    cfg = lab.preset("memorise")
    outcome = lab.train(cfg)
    figs = curves(outcome.history, cfg, outcome.stop_epoch, outcome.chosen_epoch)
    at = page_test(str(REPO / "pages" / "splits.py"), timeout=120).run()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
    import plotly.io

    return {"bytes_per_redraw": sum(len(plotly.io.to_json(f, validate=False)) for f in figs),
            "page_rerun_ms": round(statistics.median(times) * 1e3, 1)}


def one_run(cfg: lab.LabConfig, data, world, gate: threading.Semaphore, out: list) -> None:
    torch.set_num_threads(1)
    t = time.perf_counter()
    with gate:  # the page lets this many runs train at once; the others wait
        outcome = lab.train(cfg, data=data, world=world)
    out.append((time.perf_counter() - t, len(outcome.history), outcome.stopped_by))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--preset", choices=sorted(lab.PRESETS))
    parser.add_argument("--trainers", type=int, default=2,
                        help="runs training at once, as the page's TRAINERS (default 2)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    cfg = lab.preset(args.preset) if args.preset else lab.LabConfig()
    if args.dry_run:
        cfg.epochs, args.sessions = 2, [1, 2]
    data, world = lab.load_pool(), lab.load_world()
    result = {"config": vars(cfg), "trainers": args.trainers, "cpu_cores": os.cpu_count(),
              "runs": {}}
    for n in args.sessions:
        out: list = []
        gate = threading.Semaphore(args.trainers)
        threads = [threading.Thread(target=one_run, args=(cfg, data, world, gate, out))
                   for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        walls = [w for w, _, _ in out]
        result["runs"][str(n)] = {
            "median_s": round(statistics.median(walls), 2), "max_s": round(max(walls), 2),
            "epochs": [e for _, e, _ in out], "stopped_by": sorted({s for _, _, s in out})}
    if not args.dry_run:
        result.update(page_costs())
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
