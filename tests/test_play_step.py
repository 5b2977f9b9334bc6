"""Play and the page's step agree (issue 22): Play runs from the step on show, and the
step where an animation stopped comes back to the page checked. The browser side is in
tests/test_browser_gradient_descent.py."""

from __future__ import annotations

import pytest

from ui import animate
from ui.components import play_step


@pytest.mark.parametrize("steps,current", [(100, 0), (100, 40), (100, 100), (5, 3), (1000, 999)])
def test_play_runs_from_the_step_on_show(steps, current):
    marks = animate.frame_steps(steps, current)
    frames = animate.play_frames(marks, current)
    assert frames == sorted(frames, key=int)  # forward, each a frame of the figure
    assert set(frames) <= {str(s) for s in marks}
    if current < steps:
        assert frames[0] == str(current) and frames[-1] == str(steps)
    else:  # from the end, Play starts again from the start
        assert frames == [str(s) for s in marks]


def test_the_figure_plays_those_frames_and_resumes_after_pause():
    controls = animate.animation_controls(animate.frame_steps(100, 40), 40)
    play, pause = controls["updatemenus"][0]["buttons"]
    assert play["args"][0][0] == "40" and play["args"][1]["fromcurrent"] is True
    assert pause["args"][0] == [None]


@pytest.mark.parametrize("value,expected", [(0, 0), (37, 37), (100, 100), (12.0, 12),
                                            (101, None), (-1, None), (2.5, None),
                                            (True, None), ("7", None), (None, None),
                                            (float("nan"), None), (float("inf"), None)])
def test_a_stopped_step_is_one_of_the_race(value, expected):
    assert play_step.checked_step(value, 100) == expected


def test_the_watched_container_is_found_by_streamlit_s_class():
    # the rule of Streamlit's frontend: st-key- and the key, other characters made "-"
    assert play_step.css_class("gradient_descent._figures") == "st-key-gradient_descent-_figures"
    assert play_step.css_class("talk.live/gradient_descent._figures") == (
        "st-key-talk-live-gradient_descent-_figures")
