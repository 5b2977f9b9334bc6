"""The jargon page's settings: the term in focus and the search text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ui import codec
from ui.glossary import TERMS


@dataclass
class JargonState:
    PAGE: ClassVar[str] = "jargon"
    term: str = codec.param("", choices=("", *(t.id for t in TERMS)))  # jargon?term=dropout
    q: str = codec.param("", max_len=40)  # the search box
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)  # draws the "random term"
