"""The CPU-vs-GPU page's settings: every one of them is in its link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ui import codec

MAX_SIZES = (256, 512, 1024, 2048)  # the largest matrix timed; each step doubles from 128
BATCHES = (64, 256, 1024)


@dataclass
class CpuGpuState:
    PAGE: ClassVar[str] = "cpu_gpu"
    max_size: int = codec.param(1024, choices=MAX_SIZES)
    batch: int = codec.param(256, choices=BATCHES)  # the training step's batch
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)  # the random matrices and weights
