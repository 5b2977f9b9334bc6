"""The training lab under load: one run alone, then the same run from several sessions at once.

    .venv/bin/python benchmarks/lab.py                 # 1 and 4 concurrent default runs
    .venv/bin/python benchmarks/lab.py --sessions 1 2 8 --preset memorise
    .venv/bin/python benchmarks/lab.py --dry-run

Each session is a thread running ``dlcore.lab.train`` on one torch thread, as a Streamlit
session does (the page sets one torch thread per rerun). Prints one JSON object: for each
number of sessions, the median and slowest wall time of a run and the epochs each reached
(runs stop at the lab's time cap, so a crowded server gives shorter runs, not longer waits).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from dlcore import lab  # noqa: E402


def one_run(cfg: lab.LabConfig, data, world, out: list) -> None:
    torch.set_num_threads(1)
    t = time.perf_counter()
    outcome = lab.train(cfg, data=data, world=world)
    out.append((time.perf_counter() - t, len(outcome.history), outcome.stopped_by))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--preset", choices=sorted(lab.PRESETS))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    cfg = lab.preset(args.preset) if args.preset else lab.LabConfig()
    if args.dry_run:
        cfg.epochs, args.sessions = 2, [1, 2]
    data, world = lab.load_pool(), lab.load_world()
    result = {"config": {k: v for k, v in vars(cfg).items()}, "runs": {}}
    for n in args.sessions:
        out: list = []
        threads = [threading.Thread(target=one_run, args=(cfg, data, world, out))
                   for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        walls = [w for w, _, _ in out]
        result["runs"][str(n)] = {
            "median_s": round(statistics.median(walls), 2), "max_s": round(max(walls), 2),
            "epochs": [e for _, e, _ in out], "stopped_by": sorted({s for _, _, s in out})}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
