"""The "Hot dog or not" page's settings: which picture, and which drawing or crop of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ui import codec

DEMOS = ("hot dog", "cat", "coffee", "rocket", "astronaut")
PICTURES = DEMOS + ("upload", "camera")


@dataclass
class HotdogState:
    PAGE: ClassVar[str] = "hotdog"
    picture: str = codec.param("hot dog", choices=PICTURES)
    # which drawn hot dog (the default, 0, is "Not hotdog! p = 0.53": as undecided as the
    # slide) or which crop of a photo (0: the whole photo)
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)
