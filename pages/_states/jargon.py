"""The jargon page's settings: the term in focus and the search text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pages import _ui
from pages._glossary import TERMS


@dataclass
class JargonState:
    PAGE: ClassVar[str] = "jargon"
    term: str = _ui.param("", choices=("", *(t.id for t in TERMS)))  # jargon?term=dropout
    q: str = _ui.param("", max_len=40)  # the search box
    seed: int = _ui.param(0, lo=0, hi=2**31 - 1)  # draws the "random term"
