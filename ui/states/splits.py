"""The splits-and-overfitting page's settings: every one of them is in its link.

The fields mirror ``dlcore.lab.LabConfig`` (the run) plus the page's own (none yet), so a
preset of the engine is a link: ``codec.link(SplitsState.of(lab.preset("leak")))``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from dlcore import lab
from ui import codec

DECAYS = (0.0, 0.0001, 0.001, 0.01, 0.1)  # weight decay: an L2 penalty's strength
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01)  # Adam's step size

@dataclass
class SplitsState:
    PAGE: ClassVar[str] = "splits"
    val_pct: int = codec.param(10, lo=5, hi=40)
    test_pct: int = codec.param(10, lo=5, hi=40)
    train_size: int = codec.param(2400, lo=50, hi=2400)
    width: int = codec.param(128, lo=8, hi=lab.LIMITS["width"])
    depth: int = codec.param(1, lo=1, hi=lab.LIMITS["depth"])
    dropout: float = codec.param(0.0, lo=0.0, hi=0.9)
    weight_decay: float = codec.param(0.0, choices=DECAYS)
    early_stopping: bool = codec.param(True)
    patience: int = codec.param(5, lo=1, hi=20)
    epochs: int = codec.param(30, lo=1, hi=lab.LIMITS["epochs"])
    lr: float = codec.param(0.001, choices=LEARNING_RATES)
    batch_size: int = codec.param(64, lo=8, hi=lab.LIMITS["batch_size"])
    leak_pct: int = codec.param(0, lo=0, hi=100)
    tune_on_test: bool = codec.param(False)
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)

    @classmethod
    def of(cls, cfg: lab.LabConfig) -> SplitsState:
        return cls(**{f.name: getattr(cfg, f.name) for f in dataclasses.fields(cls)})

    def config(self) -> lab.LabConfig:
        return lab.LabConfig(**dataclasses.asdict(self))


def preset_link(name: str) -> str:
    return codec.link(SplitsState.of(lab.preset(name)))
