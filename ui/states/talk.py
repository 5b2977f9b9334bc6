"""The live deck's settings: the slide, the room to follow, the speaker view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dlcore import rooms
from ui import codec, slides


@dataclass
class TalkState:
    PAGE: ClassVar[str] = "talk"
    slide: int = codec.param(1, lo=1, hi=len(slides.SLIDES))
    room: str = codec.param("", max_len=rooms.CODE_LENGTH + 4)  # the room to follow
    speaker: bool = codec.param(False)  # the speaker view: notes, next slide, timer
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)  # passed to the live views' presets
    print: bool = codec.param(False)  # every slide, one after another, one per printed page
