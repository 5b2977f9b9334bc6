"""Cost of the "Hot dog or not" and "Fine-tuning" pages: ``python benchmarks/imagenet.py``
prints one JSON object.

* ``load``: seconds to load EfficientNet-lite0 and the server's memory growth for it
  (resident set size before and after, MB);
* ``classify_ms_1_thread``: median time of one classification (preprocessing, network,
  softmax, top five) on one thread, as the pages serve it; target < 150 ms;
* ``train_3x10_s_2_threads``: three classes of ten pictures on two threads: reading them
  through the frozen network (as the page reads a person's pictures), then the new head
  (``head``), the last block, and the from-scratch CNN, each for the page's 20 steps;
  target for the head (reading included) < 10 s;
* ``trunk_layout``: 32 pictures through the frozen trunk on one thread (median of
  ``--layout-repeat`` runs), in the default (NCHW) memory layout and in the channels-last
  layout :func:`dlcore.finetune.imagenet.trunk` uses, their ratio and the largest
  difference between the two results;
* ``ten_sessions``: ten threads, one thread of torch each (as the pages), each reading
  and training its own 3 x 10 pictures at once, as ten people pressing Train together,
  through the pages' queue (``train.SLOTS``: two at a time; ``--slots 0``: all at once):
  the wall time each waited, and the same work done by one session alone.

The fine-tuning page reads each picture once, without mirror images, as here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dlcore.finetune import demo, imagenet, train  # noqa: E402

CLASSES = ("cat", "coffee", "rocket")
STEPS = 20  # the fine-tuning page's default


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def session(model, pictures, labels, slots: train.Slots | None = None) -> float:
    """One person's Train press on their own pictures: read them, then fit; seconds."""
    start = time.perf_counter()
    with slots.turn() if slots else contextlib.nullcontext():
        data = train.prepare(model, pictures, labels)
        train.fit(model, data, CLASSES, "head", train.Config(steps=STEPS))
    return time.perf_counter() - start


def layouts(model, x: torch.Tensor, repeat: int) -> dict:
    """The trunk in both memory layouts: median seconds, ratio, largest difference."""
    def plain() -> torch.Tensor:  # the trunk as before, without imagenet.fast
        with torch.no_grad():
            y = model._swish(model._bn0(model._conv_stem(x)))
            for block in model._blocks[:-1]:
                y = block(y)
        return y

    out, times = {}, {}
    for name, fn in (("nchw", plain), ("channels_last", lambda: imagenet.trunk(model, x))):
        out[name] = fn()
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        times[name] = statistics.median(runs)
    return {"pictures": len(x), **{f"{k}_s": round(v, 3) for k, v in times.items()},
            "ratio": round(times["channels_last"] / times["nchw"], 3),
            "max_abs_difference": float((out["nchw"] - out["channels_last"]).abs().max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="classifications timed")
    parser.add_argument("--sessions", type=int, default=10, help="people training at once")
    parser.add_argument("--slots", type=int, default=2,
                        help="trainings at once (the pages' train.SLOTS: 2); 0: no queue")
    parser.add_argument("--layout-repeat", type=int, default=5,
                        help="runs of the trunk in each memory layout")
    args = parser.parse_args()

    torch.set_num_threads(1)
    before = rss_mb()
    start = time.perf_counter()
    model = imagenet.load_model()
    img = demo.photo("cat", seed=None)
    imagenet.predict(model, img)  # first call allocates the working buffers
    result = {"load": {"seconds": round(time.perf_counter() - start, 2),
                       "rss_growth_mb": round(rss_mb() - before, 1)}}
    result["classify_ms_1_thread"] = median_ms(lambda: imagenet.predict(model, img),
                                               args.repeat)

    batch = imagenet.batch(demo.demo_set(CLASSES, 11, seed=1)[0][:32])
    result["trunk_layout"] = layouts(model, batch, args.layout_repeat)

    torch.set_num_threads(2)
    pictures, labels = demo.demo_set(CLASSES, 10, seed=0)
    t = time.perf_counter()
    data = train.prepare(model, pictures, labels)
    read = time.perf_counter() - t
    timing = {"read_pictures": round(read, 2)}
    for mode in train.MODES:
        fitted = train.fit(model, data, CLASSES, mode, train.Config(steps=STEPS))
        timing[mode] = round(fitted.seconds, 2)
    timing["head_with_reading"] = round(read + timing["head"], 2)
    result["train_3x10_s_2_threads"] = timing

    torch.set_num_threads(1)
    alone = session(model, pictures, labels)
    slots = train.Slots(args.slots) if args.slots else None
    waits: list[float] = []

    def one(k: int) -> None:
        torch.set_num_threads(1)
        pics, labs = demo.demo_set(CLASSES, 10, seed=100 + k)
        waits.append(session(model, pics, labs, slots))

    threads = [threading.Thread(target=one, args=(k,)) for k in range(args.sessions)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    result["ten_sessions"] = {
        "sessions": args.sessions, "slots": args.slots, "alone_s": round(alone, 2),
        "each_s": sorted(round(w, 1) for w in waits),
        "median_s": round(statistics.median(waits), 1),
        "all_done_s": round(time.perf_counter() - t, 1)}
    result["rss_after_mb"] = round(rss_mb(), 1)
    result["torch"] = torch.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    main()
