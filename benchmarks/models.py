"""Model latencies on one thread: ``python benchmarks/models.py`` prints one JSON object.

Each number is the median (with p95) of ``--repeat`` calls after a warm-up, on one torch
and BLAS thread, as the pages serve a visitor:

* ``digit_ms``: one 28x28 digit through the CNN and through the MLP (``predict_proba``);
* ``charrnn``: characters per second of the char-RNN's sampler (``benchmarks/charrnn.py``'s
  ``sampling_rates``: 2,000 characters a run at temperature 0.8, wall and CPU);
* ``embeddings_ms``: the 10 nearest words over all 400,000 GloVe words and over the page's
  default 50,000, and one analogy (b - a + c) over 400,000;
* ``descent_ms``: one race (``dlcore.race``) as the gradient-descent page opens: plain GD,
  momentum and Adam, 100 steps, on the bowl at learning rate 0.1;
* ``imagenet_ms``: one EfficientNet-lite0 classification of a photo (preprocessing to top
  five), as the hot-dog page does.

``*_cpu`` rows are the process's CPU time, which a busy machine changes much less.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before NumPy loads
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import torch  # noqa: E402
from _measure import load_average, summary  # noqa: E402


def timed(fn, repeat: int, clock=time.perf_counter) -> dict:
    """Median, p95, min, max of ``fn()`` in milliseconds by ``clock``, after a warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append((clock() - start) * 1e3)
    return summary(times, 2)


def both(fn, repeat: int) -> dict:
    """Wall and CPU milliseconds of ``fn()``."""
    return {"wall": timed(fn, repeat), "cpu": timed(fn, repeat, time.process_time)}


def digits(repeat: int) -> dict:
    from dlcore.digits import model as digits_model

    digit = (torch.rand(28, 28) * 255).to(torch.uint8).numpy()
    models = {kind: digits_model.load(kind)[0] for kind in ("cnn", "mlp")}
    return {kind: both(lambda m=m: digits_model.predict_proba(m, digit), repeat)
            for kind, m in models.items()}


def charrnn(repeat: int, chars: int) -> dict:
    from charrnn import sampling_rates

    from dlcore.charrnn.model import load
    from dlcore.charrnn.sample import Writer

    rates, cpu_rates = sampling_rates(Writer(load()[0]), chars, repeat)
    return {"chars_per_s": round(statistics.median(rates)),
            "chars_per_cpu_s": round(statistics.median(cpu_rates)), "chars": chars,
            "runs": len(rates)}


def embeddings(repeat: int) -> dict:
    from dlcore.embeddings import load

    glove = load("glove")
    words = iter(glove.words[100:20_000:97] * 100)
    return {"neighbours_400000": both(lambda: glove.neighbours(next(words), 10), repeat),
            "neighbours_50000": both(lambda: glove.neighbours(next(words), 10, 50_000), repeat),
            "analogy_400000": both(lambda: glove.analogy("man", "woman", next(words), 5),
                                   repeat)}


def descent(repeat: int) -> dict:
    from dlcore import race

    bowl = race.loss_surface("2d", "bowl")
    return both(lambda: race.race(bowl, ("gd", "momentum", "adam"), 0.1, steps=100), repeat)


def imagenet(repeat: int) -> dict:
    from dlcore.finetune import demo
    from dlcore.finetune import imagenet as net

    model, photo = net.load_model(), demo.photo("cat", seed=None)
    return both(lambda: net.predict(model, photo), repeat)


def measure(repeat: int = 20, chars: int = 2000) -> dict:
    torch.set_num_threads(1)
    return {"digit_ms": digits(repeat), "charrnn": charrnn(max(3, repeat // 3), chars),
            "embeddings_ms": embeddings(repeat), "descent_ms": descent(repeat),
            "imagenet_ms": imagenet(repeat), "repeat": repeat,
            "torch_threads": torch.get_num_threads(), "load_average": load_average()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per number")
    parser.add_argument("--chars", type=int, default=2000, help="char-RNN characters per run")
    args = parser.parse_args()
    print(json.dumps(measure(args.repeat, args.chars)))


if __name__ == "__main__":
    main()
