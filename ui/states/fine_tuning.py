"""The "Fine-tuning" page's settings: the pictures (demo classes or your own names), how
much of the network learns, and for how many steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dlcore.finetune import compare, demo
from ui import codec

SOURCES = ("demo", "yours")
MODES = ("head", "last block")


@dataclass
class FineTuningState:
    PAGE: ClassVar[str] = "fine_tuning"
    source: str = codec.param("demo", choices=SOURCES)
    # the demo's classes: each has held-out pictures that are new pictures
    classes: tuple[str, ...] = codec.param(compare.DEFAULTS["classes"],
                                         choices=demo.NEW_PICTURE_CLASSES,
                                         max_items=len(demo.NEW_PICTURE_CLASSES))
    per_class: int = codec.param(compare.DEFAULTS["per_class"], lo=2,
                               hi=demo.FACE_POOL)  # demo pictures per class
    names: str = codec.param("thumbs up, thumbs down", max_len=160)  # yours, comma-separated
    mode: str = codec.param(compare.DEFAULTS["mode"], choices=MODES)
    steps: int = codec.param(compare.DEFAULTS["steps"], lo=5, hi=200)
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)  # demo pictures and initial weights
