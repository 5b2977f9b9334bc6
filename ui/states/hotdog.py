"""The "Hot dog or not" page's settings: which picture, and which drawing or crop of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dlcore.finetune import hotdog
from ui import codec

DRAWINGS = ("hot dog", "empty plate", "other food")  # drawn by the app, on a background
DEMOS = DRAWINGS + ("cat", "coffee", "rocket", "astronaut")
PICTURES = DEMOS + ("upload", "camera")


@dataclass
class HotdogState:
    PAGE: ClassVar[str] = "hotdog"
    picture: str = codec.param("hot dog", choices=PICTURES)
    # which drawing or which crop of a photo (0: the whole photo). The default hot dog,
    # seed 0 (drawing hotdog.DEFAULT_DRAWING), was chosen as undecided as the slide.
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)
    background: str = codec.param("paper", choices=hotdog.SETTINGS)  # of the drawings
    examples: str = codec.param("balanced", choices=hotdog.EXAMPLES)  # "Train on examples"
