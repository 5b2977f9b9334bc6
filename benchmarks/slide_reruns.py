"""A follower's rerun of the deck's slides on a real server: ``python
benchmarks/slide_reruns.py`` prints one JSON object.

Starts the app (``tests.harness.running_app``), opens ``/talk?slide=N`` with the protocol
client (``benchmarks/stclient.py``) for each slide of ``--slides``, reruns it 3 times to
warm it, then ``--repeat`` times, one after another. Per slide:

* ``server_cpu_ms``: the server's CPU per rerun (``/proc/<pid>/stat``, utime+stime over the
  repeats, divided by their number);
* ``bytes``: what one rerun sends (websocket payloads);
* ``first_ms``, ``last_ms``: the median time from the rerun request to the first message
  (``new_session``) and to ``script_finished``, as the client receives them.

``last_ms - first_ms`` far above the run's CPU is time the messages waited on the way:
before ``ui/nodelay.py`` every rerun's messages after the first waited ~43 ms for the
client's delayed acknowledgement (Nagle's algorithm on the server's sockets).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._measure import cpu_seconds  # noqa: E402
from benchmarks.stclient import Session  # noqa: E402
from tests.harness import running_app  # noqa: E402


async def slide(url: str, pid: int, n: int, repeat: int) -> dict:
    s = Session(url, "talk", f"slide={n}", follow_auto_reruns=False)
    await s.open()
    try:
        for _ in range(3):
            await s.wait(await s.rerun())
        first, last = [], []
        b0, c0 = s.total_bytes, cpu_seconds(pid)
        for _ in range(repeat):
            t0 = time.perf_counter()
            run = await s.wait(await s.rerun())
            # the run's first message is its new_session (the client's "start" event)
            first.append(next(t for t, what, *_ in s.events if t >= t0 and what == "start")
                         - t0)
            last.append(run.finished - t0)
        c1 = cpu_seconds(pid)
        return {"server_cpu_ms": round(1000 * (c1 - c0) / repeat, 1),
                "bytes": (s.total_bytes - b0) // repeat,
                "first_ms": round(1000 * statistics.median(first), 1),
                "last_ms": round(1000 * statistics.median(last), 1)}
    finally:
        await s.close()


async def measure(url: str, pid: int, slides: list[int], repeat: int) -> dict:
    return {str(n): await slide(url, pid, n, repeat) for n in slides}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--slides", default="4,12,15,18,21", help="comma-separated slide numbers")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    slides = [int(x) for x in args.slides.split(",")]
    with running_app() as app:
        out = {"slides": asyncio.run(measure(app.url, app.pid, slides, args.repeat)),
               "repeat": args.repeat, "cpus": os.cpu_count()}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
