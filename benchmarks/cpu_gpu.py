"""CPU vs GPU: the numbers the CPU-vs-GPU page shows, printed as one JSON object.

    .venv/bin/python benchmarks/cpu_gpu.py              # sizes 128-2048, 1 s budget each
    .venv/bin/python benchmarks/cpu_gpu.py --dry-run    # two small sizes, to check it runs
    .venv/bin/python benchmarks/cpu_gpu.py --threads 1     # as the page serves a visitor

Matrix multiply (n x n, float32) and one training step (784-1024-1024-10 MLP, batch 256) on
the CPU and on the first CUDA GPU if torch sees one: medians after a warm-up, the GPU
synchronised before each reading (``dlcore.hardware``). Without a GPU the CPU rows alone
are printed and ``gpu_used`` is null.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from dlcore import hardware  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(hardware.SIZES))
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per measurement")
    parser.add_argument("--batch", type=int, default=256, help="training-step batch size")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own; "
                        "the page uses 1 per visitor)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    sizes = (64, 128) if args.dry_run else tuple(args.sizes)
    print(json.dumps(hardware.compare(sizes, args.batch, 0.1 if args.dry_run else args.budget),
                     indent=1))


if __name__ == "__main__":
    main()
