"""The convolution page's settings: every one of them is in its link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcore import conv
from ui import codec

PRESET_NAMES = ("edited", *conv.PRESETS)
# The option text is what the link carries (op=convolution), so it is short and readable.
OP_BY_NAME = {"cross-correlation": "xcorr", "convolution": "conv",
              "max-pool": "max", "average-pool": "avg"}
SPEEDS = {"slow": 1.5, "normal": 0.8, "fast": 0.3}
SOURCES = ("digit", "link", "upload")  # where the real image comes from


def _parse_image(text: str) -> str:
    """The ``image`` link parameter: an encoded 28x28-ish picture (see codec.encode_image)."""
    codec.decode_image(text)
    return text


@dataclass
class ConvState:
    PAGE: ClassVar[str] = "convolution"
    op: str = codec.param("cross-correlation", choices=tuple(OP_BY_NAME))
    n: int = codec.param(5, lo=3, hi=9)  # input size
    k: int = codec.param(3, lo=1, hi=5)  # kernel size
    stride: int = codec.param(1, lo=1, hi=4)
    padding: int = codec.param(0, lo=0, hi=3)
    dilation: int = codec.param(1, lo=1, hi=3)
    cell: int = codec.param(1, lo=1, hi=225)  # the output cell on show, 1-based
    speed: str = codec.param("normal", choices=tuple(SPEEDS))
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)
    x: np.ndarray | None = codec.param(None, parse=codec.decode_grid)
    kernel: np.ndarray | None = codec.param(None, parse=codec.decode_grid)
    preset: str = codec.param("edge", choices=PRESET_NAMES)
    source: str = codec.param("digit", choices=SOURCES)
    digit: int = codec.param(0, lo=0, hi=10_000)
    image: str = codec.param("", parse=_parse_image)
