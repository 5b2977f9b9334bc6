"""Training and evaluating the digit readers: ``python -m dlcore.digits train|evaluate``.

The recipe of pytorch/examples' ``mnist/main.py`` (model, train, test, main with
argparse), with what it takes to reach 99.5% on two CPU cores: augmentation suited to
hand-drawn digits (:mod:`dlcore.digits_augment`), SGD with Nesterov momentum and a
one-cycle learning rate (Smith & Topin, "Super-convergence", 2018), label smoothing,
and 5,000 training digits held out to watch each epoch. The models are in
:mod:`dlcore.digits_model`; the test set is only touched by :func:`evaluate`.

Progress goes through a callback (as in minGPT's trainer) so that a UI can plug in;
the command line plugs in a text progress bar.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from dlcore import mnist
from dlcore.digits_augment import AugmentConfig, augment
from dlcore.digits_model import WEIGHTS, build, count_params, load, normalise, save


@dataclass(frozen=True)
class TrainConfig:
    model: str = "cnn"
    epochs: int = 10
    batch_size: int = 128
    max_lr: float = 0.08
    momentum: float = 0.9
    weight_decay: float = 3e-4
    label_smoothing: float = 0.05
    val_size: int = 5000  # training digits held out for the per-epoch check
    seed: int = 0
    threads: int = 2
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    dry_run: bool = False  # two batches of one epoch: does everything run?


@dataclass
class Progress:
    """What the callback hears after every batch (``val_accuracy`` at epoch ends)."""
    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    seconds: float
    val_accuracy: float | None = None


@torch.no_grad()
def predict_all(model: torch.nn.Module, images: torch.Tensor, batch_size: int = 1000
                ) -> torch.Tensor:
    """Softmax probabilities [N, 10] for uint8 images [N, 28, 28]."""
    model.eval()
    return torch.cat([F.softmax(model(normalise(images[i:i + batch_size].unsqueeze(1))), dim=1)
                      for i in range(0, len(images), batch_size)])


def train(config: TrainConfig, images: torch.Tensor, labels: torch.Tensor,
          callback: Callable[[Progress], None] | None = None) -> tuple[torch.nn.Module, dict]:
    """Train ``config.model`` on uint8 images [N, 28, 28]; returns the model and its stats."""
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    order = torch.randperm(len(labels), generator=gen)
    val_idx, train_idx = order[:config.val_size], order[config.val_size:]
    x_train, y_train = images[train_idx].unsqueeze(1), labels[train_idx]
    x_val, y_val = images[val_idx], labels[val_idx]

    model = build(config.model)
    steps_per_epoch = -(-len(y_train) // config.batch_size)
    if config.dry_run:
        steps_per_epoch = min(steps_per_epoch, 2)
    epochs = 1 if config.dry_run else config.epochs
    decay = [p for p in model.parameters() if p.ndim > 1]  # no decay on norms and biases
    rest = [p for p in model.parameters() if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": config.weight_decay},
                           {"params": rest, "weight_decay": 0.0}],
                          lr=config.max_lr, momentum=config.momentum, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.max_lr,
                                                total_steps=epochs * steps_per_epoch)
    start, cpu_start, history = time.perf_counter(), time.process_time(), []
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(y_train), generator=gen)
        for step in range(1, steps_per_epoch + 1):
            idx = perm[(step - 1) * config.batch_size: step * config.batch_size]
            x = augment(x_train[idx].float() / 255.0, config.augment, gen)
            loss = F.cross_entropy(model(normalise(x)), y_train[idx],
                                   label_smoothing=config.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            val = None
            if step == steps_per_epoch:
                check = slice(0, 1000) if config.dry_run else slice(None)
                pred = predict_all(model, x_val[check]).argmax(1)
                val = (pred == y_val[check]).float().mean().item()
                history.append(val)
                model.train()
            if callback:
                callback(Progress(epoch, epochs, step, steps_per_epoch, loss.item(),
                                  time.perf_counter() - start, val))
    model.eval()
    stats = {"val_accuracy": history[-1], "val_history": [round(v, 4) for v in history],
             "train_seconds": round(time.perf_counter() - start, 1),
             "cpu_seconds": round(time.process_time() - cpu_start, 1), "epochs": epochs,
             "seed": config.seed, "params": count_params(model),
             "threads": config.threads, "n_train": len(y_train), "n_val": len(y_val)}
    return model, stats


def evaluate(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> dict:
    """Accuracy on a labelled set, plus the wrong answers (for the mistakes gallery)."""
    probs = predict_all(model, images)
    pred = probs.argmax(1)
    wrong = (pred != labels).nonzero().flatten()
    return {"accuracy": (pred == labels).float().mean().item(), "n": len(labels),
            "wrong": wrong.numpy(), "predicted": pred.numpy(), "probs": probs.numpy()}


def mistakes_path(kind: str) -> Path:
    return WEIGHTS[kind].parent / f"digits_{kind}_mistakes.npz"


def report_path(kind: str) -> Path:
    return WEIGHTS[kind].parent / f"digits_{kind}_test.json"


def write_mistakes(result: dict, images: torch.Tensor, labels: torch.Tensor,
                   path: str | Path) -> Path:
    """The test digits the model gets wrong, with its answer and the truth, as a small .npz."""
    w = result["wrong"]
    np.savez_compressed(path, images=images.numpy()[w], labels=labels.numpy()[w],
                        predicted=result["predicted"][w].astype(np.int64),
                        probs=result["probs"][w].astype(np.float16), indices=w.astype(np.int32))
    return Path(path)


def load_mistakes(kind: str = "cnn") -> dict[str, np.ndarray]:
    with np.load(mistakes_path(kind)) as z:
        return {k: z[k] for k in z.files}


def load_report(kind: str) -> dict:
    """The saved result of ``evaluate --save`` (accuracy on the test set and more)."""
    return json.loads(report_path(kind).read_text())


# --------------------------------------------------------------------------- command line
def progress_bar(width: int = 30, stream=sys.stderr) -> Callable[[Progress], None]:
    """A text progress bar for :func:`train` (one line per epoch, redrawn in place)."""

    def show(p: Progress) -> None:
        done = (p.step / p.steps)
        bar = "#" * int(width * done) + "-" * (width - int(width * done))
        line = (f"\repoch {p.epoch}/{p.epochs} [{bar}] {p.step}/{p.steps} "
                f"loss {p.loss:.3f} {p.seconds:5.0f}s")
        if p.val_accuracy is not None:
            line += f" val {p.val_accuracy:.4f}\n"
        stream.write(line)
        stream.flush()

    return show


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dlcore.digits", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("train", "train a model and save its weights"),
                       ("evaluate", "accuracy on the 10,000 MNIST test digits, as JSON")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--model", choices=("cnn", "mlp"), default="cnn")
        p.add_argument("--data-dir", help=f"folder with the MNIST IDX files "
                                          f"(default: ${mnist.ENV_VAR}/mnist)")
        p.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    tr = sub.choices["train"]
    tr.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--dry-run", action="store_true", help="two batches, nothing saved")
    tr.add_argument("--out", help="weights file (default assets/digits_<model>.pt)")
    ev = sub.choices["evaluate"]
    ev.add_argument("--weights", help="weights file (default assets/digits_<model>.pt)")
    ev.add_argument("--save", action="store_true",
                    help="write the report and the wrong answers to assets/ (for the page)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        split = "train" if args.command == "train" else "test"
        images, labels = mnist.load_split(split, args.data_dir)
    except mnist.MnistError as err:
        parser.exit(1, f"error: {err}\n")
    if args.command == "train":
        config = TrainConfig(model=args.model, epochs=args.epochs, seed=args.seed,
                             threads=args.threads, dry_run=args.dry_run)
        model, stats = train(config, images, labels, progress_bar())
        if not args.dry_run:
            out = save(model, args.out or WEIGHTS[args.model], meta=stats)
            stats["weights"], stats["bytes"] = str(out), out.stat().st_size
        print(json.dumps({"model": args.model, **stats}))
        return
    start = time.perf_counter()
    try:
        model, meta = load(args.model, args.weights)
    except FileNotFoundError as err:
        parser.exit(1, f"error: no weights ({err}); train first\n")
    result = evaluate(model, images, labels)
    report = {"model": args.model, "accuracy": round(result["accuracy"], 4),
              "n": result["n"], "errors": len(result["wrong"]),
              "params": count_params(model), "seconds": round(time.perf_counter() - start, 2)}
    if args.save:
        write_mistakes(result, images, labels, mistakes_path(args.model))
        report_path(args.model).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
