"""The step where a plotly animation stopped, back to the page (issue 22: the step slider
stayed at 0 while Play ran the picture to its end).

Play runs a figure's frames in the browser (``ui/animate.py``), with no server round trip
per frame. This component (v2: inline JavaScript, no iframe, nothing drawn) watches the
animated figures inside one keyed container; when an animation stops (Play at its end,
Pause, or a step picked on the figure's own slider) it sends the step of the frame on
show once, and ``on_stop(step)`` writes it to the page's state and link, so that the
step slider, the loss panel's rule and the update with its numbers show that step.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import streamlit as st

NAME = "dlcore_play_step"


@functools.cache
def _js() -> str:
    """The script without its comments and indents: every rerun sends it (a slider's
    rerun on this page stays under issue 15's 100 kB). A comment is ``//`` at a line's
    start or after a space (the script has no ``//`` in a string)."""
    lines = (Path(__file__).parent / "play_step.js").read_text().splitlines()
    code = (re.sub(r"(^|\s+)//\s.*$", "", line).strip() for line in lines)
    return "\n".join(line for line in code if line)


def css_class(key: str) -> str:
    """The class Streamlit gives a keyed container (``st-key-`` and the key, every
    character other than a letter, a digit, ``_`` or ``-`` made ``-``)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def checked_step(value, steps: int) -> int | None:
    """The step the browser sent, if it is one of this race's (0 to ``steps``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value <= steps or value != round(value):  # NaN fails the first, inf too
        return None
    return int(value)


def follow_play(figures_key: str, step: int, steps: int, key: str,
                on_stop: Callable[[int], None]) -> None:
    """Watch the animated figures in the container keyed ``figures_key`` (now at
    ``step`` of ``steps``); ``on_stop(step)`` gets each step where an animation stopped."""
    component = st.components.v2.component(NAME, js=_js())
    component(key=key, data={"scope": css_class(figures_key), "step": int(step)},
              on_stopped_change=lambda: _stopped(key, steps, on_stop))


def _stopped(key: str, steps: int, on_stop: Callable[[int], None]) -> None:
    result = st.session_state.get(key)
    value = result.get("stopped") if hasattr(result, "get") else None
    step = checked_step(value, steps)
    if step is not None:
        on_stop(step)
