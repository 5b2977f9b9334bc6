"""Sampling speed of the char-RNN: ``python benchmarks/charrnn.py`` prints one JSON object.

* ``chars_per_s``: median, over ``--repeat`` runs, of characters written per second by
  :class:`dlcore.charrnn.sample.Writer` (the hand-written NumPy cell) on one core, at
  temperature 0.8 from the shipped model; target >= 5,000, aim 10,000.
* ``chars_per_cpu_s``: the same per second of the process's CPU time, which a busy
  machine changes much less than the wall time (the project's machine is shared).
* ``nn_lstm_chars_per_s``, ``nn_lstm_chars_per_cpu_s``: the same model stepping
  ``nn.LSTM`` one character per call, the way the cell's speed-up is measured.
* ``load_average``: the machine's 1-minute load while it ran.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before NumPy loads
os.environ.setdefault("OMP_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402

from dlcore.charrnn import corpus  # noqa: E402
from dlcore.charrnn.model import load  # noqa: E402
from dlcore.charrnn.sample import Writer  # noqa: E402


def sampling_rates(writer: Writer, chars: int, repeat: int) -> tuple[list[float], list[float]]:
    """Characters per wall second and per CPU second of ``writer`` at temperature 0.8,
    one run of ``chars`` characters per seed, after a warm-up."""
    writer.sample("Romeo.\n", 200, 0.8, 0, 0)  # warm-up
    rates, cpu_rates = [], []
    for seed in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        writer.sample("Romeo.\n", chars, 0.8, 0, seed)
        rates.append(chars / (time.perf_counter() - start))
        cpu_rates.append(chars / (time.process_time() - cpu))
    return rates, cpu_rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=2000, help="characters per run")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, meta = load()
    rates, cpu_rates = sampling_rates(Writer(model), args.chars, args.repeat)

    steps = 300
    x = torch.tensor(corpus.encode("Romeo.\n"))[None]
    with torch.no_grad():
        start, cpu = time.perf_counter(), time.process_time()
        logits, state = model(x)
        for _ in range(steps):
            p = torch.softmax(logits[0, -1] / 0.8, 0)
            nxt = torch.multinomial(p, 1)
            logits, state = model(nxt[None], state)
        nn_rate = steps / (time.perf_counter() - start)
        nn_cpu_rate = steps / (time.process_time() - cpu)
    print(json.dumps({
        "chars_per_s": round(statistics.median(rates)),
        "chars_per_s_runs": [round(r) for r in rates],
        "chars_per_cpu_s": round(statistics.median(cpu_rates)),
        "nn_lstm_chars_per_s": round(nn_rate), "nn_lstm_chars_per_cpu_s": round(nn_cpu_rate),
        "chars": args.chars, "params": sum(p.numel() for p in model.parameters()),
        "stage": meta.get("stage"), "load_average": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
