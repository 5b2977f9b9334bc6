"""The lab's digits and their split: a seeded pool of MNIST training digits, "the world" set
aside from the same draw, and the three-way split with (on request) a leaking test set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from dlcore import paths
from dlcore.data import mnist
from dlcore.lab.config import LabConfig

POOL_PATH = paths.asset("mnist_lab.npz")
POOL_SIZE = 3000
WORLD_SIZE = 500


def _read(path: str | Path) -> dict[str, np.ndarray]:
    """The pool's arrays; a missing or damaged file raises :class:`~dlcore.paths.AssetError`
    (a FileNotFoundError or ValueError) naming ``python -m dlcore.lab sample``."""
    def read(path: Path) -> dict[str, np.ndarray]:
        with np.load(path) as z:
            return {k: z[k] for k in ("images", "labels", "world_images", "world_labels")}

    return paths.read_asset(path, read)


def load_pool(path: str | Path = POOL_PATH) -> tuple[torch.Tensor, torch.Tensor]:
    """The lab's digits as floats in [0, 1], flattened [N, 784], and labels [N]."""
    z = _read(path)
    return _flat(z["images"]), torch.from_numpy(z["labels"].astype(np.int64))


def load_world(path: str | Path = POOL_PATH) -> tuple[torch.Tensor, torch.Tensor]:
    """Digits set aside from the same draw: the world a model meets after its test.

    Never split, never looked at while tuning; their score is what a test score promises.
    """
    z = _read(path)
    return _flat(z["world_images"]), torch.from_numpy(z["world_labels"].astype(np.int64))


def _flat(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)


def write_pool(data_dir: str | Path | None, path: str | Path = POOL_PATH, n: int = POOL_SIZE,
               world: int = WORLD_SIZE, seed: int = 0) -> Path:
    """A seeded draw of ``n + world`` digits from MNIST's training set, in two parts."""
    images, labels = mnist.load_split("train", data_dir)
    drawn = np.random.default_rng(seed).choice(len(labels), size=n + world, replace=False)
    pool, rest = np.sort(drawn[:n]), np.sort(drawn[n:])
    path = Path(path)
    np.savez_compressed(path, images=images.numpy()[pool], labels=labels.numpy()[pool],
                        indices=pool.astype(np.int32), world_images=images.numpy()[rest],
                        world_labels=labels.numpy()[rest], world_indices=rest.astype(np.int32))
    return path


@dataclass
class Splits:
    train: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]  # what the run reports on (leaked if asked)
    clean_test: tuple[torch.Tensor, torch.Tensor]  # the test set before any planting
    leaked: int  # test digits that are copies of training digits


def split_sizes(cfg: LabConfig, n: int = POOL_SIZE) -> dict[str, int]:
    """How many of ``n`` digits each part gets: train (used and unused), val, test, leaked."""
    n_test = max(1, round(n * cfg.test_pct / 100))
    n_val = max(1, round(n * cfg.val_pct / 100))
    room = n - n_test - n_val
    train = min(cfg.train_size, room)
    return {"train": train, "unused": room - train, "val": n_val, "test": n_test,
            "leaked": min(round(n_test * cfg.leak_pct / 100), train)}


def split(x: torch.Tensor, y: torch.Tensor, cfg: LabConfig) -> Splits:
    """Shuffle the pool (seeded) and cut it into train / validation / test.

    The training set keeps its first ``train_size`` digits. With ``leak_pct``, that share of
    the test set is replaced by copies of training digits, labels included.
    """
    g = torch.Generator().manual_seed(cfg.seed)
    order = torch.randperm(len(y), generator=g)
    size = split_sizes(cfg, len(y))
    n_test, n_val = size["test"], size["val"]
    test_i, val_i = order[:n_test], order[n_test:n_test + n_val]
    train_i = order[n_test + n_val:][:size["train"]]
    test = (x[test_i], y[test_i])
    leaked_x, leaked_y = test[0].clone(), test[1].clone()
    if size["leaked"]:
        copies = train_i[torch.randperm(len(train_i), generator=g)[:size["leaked"]]]
        slots = torch.randperm(n_test, generator=g)[:len(copies)]
        leaked_x[slots], leaked_y[slots] = x[copies], y[copies]
    return Splits((x[train_i], y[train_i]), (x[val_i], y[val_i]), (leaked_x, leaked_y), test,
                  size["leaked"])
