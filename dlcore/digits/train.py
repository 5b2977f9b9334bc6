"""Training and evaluating the digit readers (the command line is :mod:`dlcore.digits.__main__`).

The recipe of pytorch/examples' ``mnist/main.py`` (model, train, test, main with
argparse), with what it takes to reach 99.5% on two CPU cores: augmentation suited to
hand-drawn digits (:mod:`dlcore.digits.augment`), SGD with Nesterov momentum and a
one-cycle learning rate (Smith & Topin, "Super-convergence", 2018), label smoothing,
and 5,000 training digits held out to watch each epoch. The models are in
:mod:`dlcore.digits.model`; the test set is only touched by :func:`evaluate`.

Built on the shared training core (:mod:`dlcore.training`): progress goes through a
callback that hears a :class:`dlcore.training.Progress` (``metrics["val_accuracy"]`` at
each epoch's end), so the command line plugs in a text bar and a page ``st.progress``;
``device`` is passed through to the model and the batches.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from dlcore import paths, training
from dlcore.digits.augment import AugmentConfig, augment
from dlcore.digits.model import build, count_params, normalise
from dlcore.training import Callback, Progress


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
    device: str = "cpu"  # cpu, cuda, cuda:N, mps or auto (dlcore.training.resolve_device)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    dry_run: bool = False  # two batches of one epoch: does everything run?


@torch.no_grad()
def predict_all(model: torch.nn.Module, images: torch.Tensor, batch_size: int = 1000
                ) -> torch.Tensor:
    """Softmax probabilities [N, 10] (on the CPU) for uint8 images [N, 28, 28]."""
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([F.softmax(model(normalise(images[i:i + batch_size].unsqueeze(1))
                                      .to(device)), dim=1).cpu()
                      for i in range(0, len(images), batch_size)])


def train(config: TrainConfig, images: torch.Tensor, labels: torch.Tensor,
          callback: Callback | None = None) -> tuple[torch.nn.Module, dict]:
    """Train ``config.model`` on uint8 images [N, 28, 28]; returns the model and its stats."""
    torch.set_num_threads(config.threads)
    device = training.resolve_device(config.device)
    gen = training.seed_everything(config.seed)
    order = torch.randperm(len(labels), generator=gen)
    val_idx, train_idx = order[:config.val_size], order[config.val_size:]
    x_train, y_train = images[train_idx].unsqueeze(1), labels[train_idx]
    x_val, y_val = images[val_idx], labels[val_idx]

    model = build(config.model).to(device)
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
            # augmentation draws from the CPU generator, so a run is the same on any device
            x = augment(x_train[idx].float() / 255.0, config.augment, gen).to(device)
            loss = F.cross_entropy(model(normalise(x)), y_train[idx].to(device),
                                   label_smoothing=config.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            metrics = {}
            if step == steps_per_epoch:
                check = slice(0, 1000) if config.dry_run else slice(None)
                pred = predict_all(model, x_val[check]).argmax(1)
                metrics["val_accuracy"] = (pred == y_val[check]).float().mean().item()
                history.append(metrics["val_accuracy"])
                model.train()
            if callback:
                callback(Progress(step, steps_per_epoch, loss.item(),
                                  time.perf_counter() - start, epoch, epochs, metrics))
    model.eval()
    stats = {"val_accuracy": history[-1], "val_history": [round(v, 4) for v in history],
             "train_seconds": round(time.perf_counter() - start, 1),
             "cpu_seconds": round(time.process_time() - cpu_start, 1), "epochs": epochs,
             "seed": config.seed, "params": count_params(model), "device": str(device),
             "threads": config.threads, "n_train": len(y_train), "n_val": len(y_val)}
    return model, stats


def evaluate(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> dict:
    """Accuracy on a labelled set, plus the wrong answers (for the mistakes gallery)."""
    probs = predict_all(model, images)
    pred = probs.argmax(1)
    wrong = (pred != labels).nonzero().flatten()
    return {"accuracy": (pred == labels).float().mean().item(), "n": len(labels),
            "wrong": wrong.numpy(), "predicted": pred.numpy(), "probs": probs.numpy()}


def summary(kind: str, model: torch.nn.Module, result: dict) -> dict:
    """The report ``evaluate`` prints and ``--save`` writes: what the README quotes."""
    return {"model": kind, "accuracy": round(result["accuracy"], 4), "n": result["n"],
            "errors": len(result["wrong"]), "params": count_params(model)}


def mistakes_path(kind: str, weights: str | Path | None = None) -> Path:
    """The wrong answers of ``evaluate --save``, next to the weights they come from."""
    return _beside(kind, weights, "mistakes.npz")


def report_path(kind: str, weights: str | Path | None = None) -> Path:
    """The report of ``evaluate --save``, next to the weights it comes from."""
    return _beside(kind, weights, "test.json")


def _beside(kind: str, weights: str | Path | None, suffix: str) -> Path:
    if weights is None:
        return paths.asset(f"digits_{kind}_{suffix}")
    weights = Path(weights)
    return weights.with_name(f"{weights.stem}_{suffix}")


def write_mistakes(result: dict, images: torch.Tensor, labels: torch.Tensor,
                   path: str | Path) -> Path:
    """The test digits the model gets wrong, with its answer and the truth, as a small .npz."""
    w = result["wrong"]
    np.savez_compressed(path, images=images.numpy()[w], labels=labels.numpy()[w],
                        predicted=result["predicted"][w].astype(np.int64),
                        probs=result["probs"][w].astype(np.float16), indices=w.astype(np.int32))
    return Path(path)


def load_mistakes(kind: str = "cnn") -> dict[str, np.ndarray]:
    """The shipped wrong answers (raises :class:`~dlcore.paths.AssetError`)."""
    def read(path: Path) -> dict[str, np.ndarray]:
        with np.load(path) as z:
            out = {k: z[k] for k in z.files}
        for k in ("images", "labels", "predicted", "probs", "indices"):
            if k not in out:
                raise KeyError(k)
        return out

    return paths.read_asset(mistakes_path(kind), read)


def load_report(kind: str) -> dict:
    """The saved result of ``evaluate --save`` (accuracy on the test set and more;
    raises :class:`~dlcore.paths.AssetError`)."""
    return paths.read_asset(report_path(kind), lambda p: dict(json.loads(p.read_text())))
