"""Benchmark of the gradient-descent page: prints one JSON object of medians (ms).

    .venv/bin/python benchmarks/descent.py            # the numbers the README quotes
    .venv/bin/python benchmarks/descent.py --dry-run  # one quick repeat, to check it runs

* ``grid_200x200_ms``: one batched evaluation of a surface on a 200x200 grid
  (Rosenbrock; ``grid_200x200_worst_ms`` is the slowest of all named surfaces).
* ``run_4x500_ms``: four optimizers (plain GD, momentum, RMSprop, Adam) x 500 steps from
  the same start on Rosenbrock, with every point, gradient and optimizer state recorded.
* ``page_rerun_ms``: a whole rerun of the page in Streamlit's AppTest after a warm-up,
  settings unchanged (cached engine results); ``page_rerun_new_lr_ms``: a rerun after
  the learning rate changed, so the runs and the figures are computed afresh;
  ``page_rerun_new_lr_bytes``: what that rerun sends to the browser (the ForwardMsgs the
  session enqueues, median; the map picture is a media file fetched once, not counted).
Targets: grid < 100 ms, runs < 300 ms, page rerun < 400 ms, < 100 kB per rerun (issue 15).
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

import torch  # noqa: E402

from dlcore import descent, surfaces  # noqa: E402


def timed(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def page_reruns(repeats: int) -> tuple[float, float, int]:
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    from tests.harness import page_test

    sent: list[int] = []
    enqueue = ForwardMsgQueue.enqueue

    def counted(self, msg):
        sent.append(msg.ByteSize())
        return enqueue(self, msg)

    ForwardMsgQueue.enqueue = counted
    at = page_test(str(REPO / "pages" / "gradient_descent.py"), timeout=120)
    at.run()
    same = timed(lambda: at.run(), repeats)
    values = iter([-1.0 - 0.1 * (i % 9 + 1) for i in range(repeats + 1)])
    sizes: list[int] = []

    def new_lr():
        sent.clear()
        at.slider(key="gradient_descent.lr_exp").set_value(next(values)).run()
        sizes.append(sum(sent))

    new_ms = timed(new_lr, repeats)
    ForwardMsgQueue.enqueue = enqueue
    return same, new_ms, int(statistics.median(sizes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats per number")
    parser.add_argument("--dry-run", action="store_true", help="one repeat of each, quickly")
    args = parser.parse_args()
    repeats = 1 if args.dry_run else args.repeats
    torch.set_num_threads(1)

    rosenbrock = surfaces.SURFACES["rosenbrock"]
    grid_ms = timed(lambda: surfaces.grid(rosenbrock, 200), repeats)
    worst_ms = max(timed(lambda s=s: surfaces.grid(s, 200), repeats)
                   for s in surfaces.SURFACES.values())
    configs = [descent.OptimizerConfig(n, lr=1e-3) for n in ("gd", "momentum", "rmsprop", "adam")]
    run_ms = timed(lambda: descent.run(rosenbrock, rosenbrock.start, configs, 500,
                                       domain=rosenbrock.domain), repeats)
    page_ms, page_new_ms, page_new_bytes = page_reruns(max(3, repeats // 3) if not args.dry_run else 1)
    print(json.dumps({
        "grid_200x200_ms": round(grid_ms, 2),
        "grid_200x200_worst_ms": round(worst_ms, 2),
        "run_4x500_ms": round(run_ms, 1),
        "run_per_optimizer_step_us": round(run_ms / 2000 * 1e3, 1),
        "page_rerun_ms": round(page_ms, 1),
        "page_rerun_new_lr_ms": round(page_new_ms, 1),
        "page_rerun_new_lr_bytes": page_new_bytes,
        "repeats": repeats,
        "torch_threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
