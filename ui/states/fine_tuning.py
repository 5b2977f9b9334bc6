"""The "Fine-tuning" page's settings: the pictures (demo classes or your own names), how
much of the network learns, and for how many steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dlcore.finetune import demo
from ui import codec

SOURCES = ("demo", "yours")
MODES = ("head", "last block")


@dataclass
class FineTuningState:
    PAGE: ClassVar[str] = "fine_tuning"
    source: str = codec.param("demo", choices=SOURCES)
    classes: tuple[str, ...] = codec.param(("cat", "coffee", "rocket"), choices=demo.CLASSES,
                                         max_items=5)  # the demo's classes
    per_class: int = codec.param(6, lo=2, hi=20)  # demo pictures per class
    names: str = codec.param("thumbs up, thumbs down", max_len=160)  # yours, comma-separated
    mode: str = codec.param("head", choices=MODES)
    steps: int = codec.param(20, lo=5, hi=200)
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)  # demo pictures and initial weights
