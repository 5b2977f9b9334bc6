"""The char-RNN page's settings: every one of them is in its link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ui import codec

#: Training stages the page can sample from: steps of the shipped checkpoints.
STAGES = ("100", "300", "1000", "final")
MAX_LENGTH = 2000  # characters per request on the page (the engine allows more)
MAX_PRIME = 500


@dataclass
class CharRnnState:
    PAGE: ClassVar[str] = "char_rnn"
    prime: str = codec.param("Romeo.\n", max_len=MAX_PRIME)
    length: int = codec.param(400, lo=1, hi=MAX_LENGTH)
    temperature: float = codec.param(0.8, lo=0.0, hi=2.0)
    top_k: int = codec.param(0, lo=0, hi=78)  # 0: every character
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)
    stage: str = codec.param("final", choices=STAGES)
    position: int = codec.param(0, lo=0, hi=MAX_PRIME + MAX_LENGTH + 1)  # 0: the end
    colour: bool = codec.param(False)  # colour the text by a hidden unit
    # layer * 256 + unit; the default follows the position in the line (r = 0.85, found by
    # `python -m dlcore.charrnn neurons`, listed in assets/charrnn_neurons.json)
    unit: int = codec.param(486, lo=0, hi=511)
