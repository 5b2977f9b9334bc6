"""``python -m dlcore.lab``: write the lab's digits, or run one training and print it as JSON."""

from __future__ import annotations

import argparse
import dataclasses

from dlcore import lab, training
from dlcore.data import mnist
from dlcore.lab import POOL_SIZE, PRESETS, WORLD_SIZE, LabConfig, preset, train, write_pool


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dlcore.lab", description=lab.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample", help="write assets/mnist_lab.npz from the MNIST files")
    sample.add_argument("--data-dir", help="folder with the IDX files (default: $DLCORE_DATA_DIR)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run = sub.add_parser("run", help="one run; prints its outcome as one JSON object")
    run.add_argument("--preset", choices=sorted(PRESETS), help="start from a preset")
    for f in dataclasses.fields(LabConfig):
        kind = (lambda t: t.lower() in ("1", "true", "yes")) if f.type == "bool" else \
            {"int": int, "float": float}[str(f.type)]
        run.add_argument("--" + f.name.replace("_", "-"), type=kind, help=f"(default {f.default})")
    run.add_argument("--dry-run", action="store_true", help="two epochs, to check it runs")
    args = parser.parse_args(argv)
    if args.command == "sample":
        try:
            out = write_pool(args.data_dir, seed=args.seed)
        except mnist.MnistError as err:
            parser.exit(1, f"error: {err}\n")
        print(f"wrote {POOL_SIZE} + {WORLD_SIZE} digits to {out} ({out.stat().st_size} bytes)")
        return
    cfg = preset(args.preset) if args.preset else LabConfig()
    changes = {f.name: getattr(args, f.name) for f in dataclasses.fields(LabConfig)
               if getattr(args, f.name) is not None}
    cfg = dataclasses.replace(cfg, **changes, **({"epochs": 2} if args.dry_run else {}))
    try:
        outcome = train(cfg, callback=training.progress_bar())
    except (ValueError, FileNotFoundError) as err:
        parser.exit(1, f"error: {err}\n")
    training.report(outcome.summary())


if __name__ == "__main__":
    main()
