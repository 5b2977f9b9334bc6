"""``python -m dlcore.digits train|evaluate|export``: train the digit readers, evaluate them on
MNIST's 10,000 test digits (one JSON object on stdout), or export the shipped weights for
the browser (``static/digits_nets.bin``, see :mod:`dlcore.digits.export`).

Training draws a progress bar on stderr and prints one JSON line of stats; ``--dry-run``
runs two batches and saves nothing. ``evaluate --save`` writes the report and the wrong
answers next to the weights: for the shipped ones ``assets/digits_<model>_test.json``
(what the page and the README quote) and ``assets/digits_<model>_mistakes.npz`` (the
page's gallery).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import torch

from dlcore import training
from dlcore.data import mnist
from dlcore.digits import export
from dlcore.digits import train as digits_train
from dlcore.digits.model import WEIGHTS, load, save


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:
        return export_main(argv[1:])
    parser, train_cmd, evaluate_cmd = training.cli(
        "python -m dlcore.digits", __doc__,
        data_help=f"folder with the MNIST IDX files, or a root holding mnist/ "
                  f"(default ${mnist.ENV_VAR}/mnist)")
    for p in (train_cmd, evaluate_cmd):
        p.add_argument("--model", choices=("cnn", "mlp"), default="cnn")
    train_cmd.add_argument("--epochs", type=int, default=digits_train.TrainConfig.epochs)
    train_cmd.add_argument("--out", help="weights file (default assets/digits_<model>.pt)")
    evaluate_cmd.add_argument("--weights", help="weights file (default assets/digits_<model>.pt)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        device = training.resolve_device(args.device)
    except training.DeviceError as err:
        parser.exit(1, f"error: {err}\n")
    try:
        split = "train" if args.command == "train" else "test"
        images, labels = mnist.load_split(split, args.data_dir)
    except mnist.MnistError as err:
        parser.exit(1, f"error: {err}\n")

    if args.command == "train":
        config = digits_train.TrainConfig(model=args.model, epochs=args.epochs, seed=args.seed,
                                          threads=args.threads, device=str(device),
                                          dry_run=args.dry_run)
        model, stats = digits_train.train(config, images, labels, training.progress_bar())
        if not args.dry_run:
            out = save(model, args.out or WEIGHTS[args.model], meta=stats)
            stats["weights"], stats["bytes"] = str(out), out.stat().st_size
        training.report({"model": args.model, "dry_run": args.dry_run, **stats})
        return

    start = time.perf_counter()
    try:
        model, _ = load(args.model, args.weights, device=device)
    except FileNotFoundError as err:
        parser.exit(1, f"error: no weights ({err}); train first\n")
    except ValueError as err:
        parser.exit(1, f"error: {err}\n")
    result = digits_train.evaluate(model, images, labels)
    report = {**digits_train.summary(args.model, model, result),
              "seconds": round(time.perf_counter() - start, 2)}
    if args.save:  # beside the weights: evaluating other weights never overwrites assets/
        digits_train.write_mistakes(result, images, labels,
                                    digits_train.mistakes_path(args.model, args.weights))
    training.report(report, digits_train.report_path(args.model, args.weights)
                    if args.save else None)


def export_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m dlcore.digits export",
        description="Write both shipped networks as one float32 file the browser reads "
                    "(JSON header with the .pt files' SHA-256, then the tensors).")
    parser.add_argument("--out", default=str(export.OUT), help="default: %(default)s")
    parser.add_argument("--dry-run", action="store_true", help="build it, write nothing")
    args = parser.parse_args(argv)
    blob = export.build()
    if not args.dry_run:
        export.write(args.out)
    print(json.dumps({"out": None if args.dry_run else args.out, "bytes": len(blob),
                      "source": export.read(blob)[0]["source"]}))


if __name__ == "__main__":
    main()
