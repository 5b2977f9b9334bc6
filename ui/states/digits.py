"""The digits page's settings: every one of them is in its link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ui import codec

SOURCES = ("draw", "test digit", "mistakes", "upload")


@dataclass
class DigitsState:
    PAGE: ClassVar[str] = "digits"
    source: str = codec.param("draw", choices=SOURCES)
    pen: int = codec.param(20, lo=6, hi=40)  # pen width on the canvas, px
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)  # picks the shipped test digit
    mistake: int = codec.param(1, lo=1, hi=1000)  # which wrong answer, 1-based
    shift_x: int = codec.param(0, lo=-8, hi=8)
    shift_y: int = codec.param(0, lo=-8, hi=8)
    rotate: int = codec.param(0, lo=-180, hi=180)
    stroke: int = codec.param(0, lo=-2, hi=3)  # thinner < 0 < thicker, in pixels
