"""The lab's settings and limits: one run's config, and the bounds that keep it short."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

LIMITS = {"epochs": 80, "width": 512, "depth": 3, "seconds": 20.0, "batch_size": 256}


@dataclass
class LabConfig:
    val_pct: int = 10  # share of the pool held out for validation
    test_pct: int = 10  # share held out for the final test
    train_size: int = 2400  # digits used for training, at most what the split leaves
    width: int = 128  # hidden units per layer
    depth: int = 1  # hidden layers
    dropout: float = 0.0
    weight_decay: float = 0.0  # L2 penalty: the loss gains weight_decay/2 * |w|^2
    early_stopping: bool = True
    patience: int = 5  # epochs without a better validation loss before stopping
    epochs: int = 30
    lr: float = 1e-3  # Adam
    batch_size: int = 64
    leak_pct: int = 0  # share of the test set replaced by copies of training digits
    tune_on_test: bool = False  # the mistake: choose the epoch by the test score
    seed: int = 0
    seconds: float = LIMITS["seconds"]  # time cap of the run

    def checked(self) -> LabConfig:
        """The config with every number inside the lab's limits (a ValueError otherwise)."""
        problems = []
        if not (5 <= self.val_pct <= 40 and 5 <= self.test_pct <= 40):
            problems.append("validation and test shares must each be 5-40 %")
        if self.val_pct + self.test_pct > 60:
            problems.append("validation and test together may take at most 60 %")
        if not 1 <= self.epochs <= LIMITS["epochs"]:
            problems.append(f"epochs must be 1-{LIMITS['epochs']}")
        if not (1 <= self.width <= LIMITS["width"] and 1 <= self.depth <= LIMITS["depth"]):
            problems.append(f"width 1-{LIMITS['width']}, depth 1-{LIMITS['depth']}")
        if not 0 <= self.dropout < 1:
            problems.append("dropout must be in [0, 1)")
        if not (0 <= self.weight_decay <= 1 and 0 < self.lr <= 1):
            problems.append("weight decay must be in [0, 1] and the learning rate in (0, 1]")
        if not (1 <= self.batch_size <= LIMITS["batch_size"] and self.train_size >= 10):
            problems.append(f"batch size 1-{LIMITS['batch_size']}, at least 10 training digits")
        if not (0 <= self.leak_pct <= 100 and self.patience >= 1):
            problems.append("leak 0-100 %, patience at least 1")
        if problems:
            raise ValueError("; ".join(problems))
        return dataclasses.replace(self, seconds=min(max(self.seconds, 0.1), LIMITS["seconds"]))
