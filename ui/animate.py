"""Plotly animation plumbing shared by the gradient-descent figures (no computation).

Every animated figure shares one scheme: a faint trace of each optimizer's whole path,
a "trail" up to the current step and a "head" marker at it. Plotly frames replace the
trails and heads, so Play runs in the browser without a server round trip. Figures are
plain plotly JSON dicts: building ``go`` objects validates every one of the few thousand
small arrays in the frames, which took most of a rerun.
"""

from __future__ import annotations

import numpy as np
from plotly.basedatatypes import BaseFigure

from dlcore.descent import Run

COLORS = {"gd": "#1f77b4", "sgd": "#17becf", "momentum": "#ff7f0e", "nesterov": "#8c564b",
          "adagrad": "#9467bd", "rmsprop": "#2ca02c", "adam": "#d62728", "adamw": "#e377c2"}
# Every rerun sends every frame, and each frame holds every trail up to its step: the
# frames were two thirds of a rerun's bytes (issue 15). 30 frames with trails of at most
# 32 points keep Play smooth (the faint whole path below shows every step).
MAX_FRAMES = 30
MAX_TRAIL = 150  # points of a trail at the step on show
FRAME_TRAIL = 32  # points of a trail in an animation frame
FRAME_MS = 150


class Prepared(BaseFigure):
    """A figure already in plotly's JSON form: ``st.plotly_chart`` only calls ``to_dict``."""

    def __init__(self, spec: dict):  # no BaseFigure.__init__: nothing to validate again
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


DIGITS = 4  # significant digits of every coordinate sent: a ten-thousandth of a value,
# far below a pixel, and the numbers on hover show four too ("%{x:.4g}")


def as_list(a, digits: int = DIGITS) -> list:
    """Numbers for the figure's JSON, each rounded to ``digits`` significant digits: the
    full 17 digits of a float tripled the bytes of every rerun (issue 15) and no screen
    shows them. Non-finite values pass unchanged."""
    a = np.array(a, dtype=float)
    ok = np.isfinite(a) & (a != 0)
    if ok.any():
        v = a[ok]
        k = np.minimum(digits - 1 - np.floor(np.log10(np.abs(v))).astype(int), 300)
        up = k >= 0  # divide by exact powers of ten, so 2.987 is sent as "2.987"
        v[up] = np.round(v[up] * 10.0 ** k[up]) / 10.0 ** k[up]
        v[~up] = np.round(v[~up] / 10.0 ** -k[~up]) * 10.0 ** -k[~up]
        a[ok] = v
    return a.tolist()


def grid_values(z: np.ndarray) -> list:
    """A surface's values for the JSON, to about 5 significant digits of their range
    (the frontend's plotly.js did not draw a 2-D typed array, so these are lists)."""
    finite = z[np.isfinite(z)]
    spread = float(finite.max() - finite.min()) if finite.size else 0.0
    decimals = int(np.clip(4 - np.floor(np.log10(spread)), 0, 12)) if spread > 0 else 6
    return np.round(z, decimals).tolist()


def frame_steps(steps: int, current: int) -> list[int]:
    """At most MAX_FRAMES step numbers from 0 to ``steps``, always with ``current``."""
    marks = np.linspace(0, steps, min(steps + 1, MAX_FRAMES)).round().astype(int)
    return sorted({*marks.tolist(), current})


def index_at(run: Run, step: int) -> int:
    """The index of ``step`` in the run (its last point if the run ended earlier)."""
    return max(0, min(step, len(run.points) - 1))


def rounded(a, digits: int = DIGITS) -> np.ndarray:
    """``as_list``'s rounding, kept as an array (to slice before it is sent)."""
    return np.asarray(as_list(a, digits), dtype=float)


def thin(values: np.ndarray, most: int = MAX_TRAIL) -> np.ndarray:
    """At most ``most`` of the points, evenly spaced, the first and the last kept.
    (Marks more than one apart round to distinct integers: no duplicates to remove.)"""
    if len(values) <= most:
        return values
    return values[np.linspace(0, len(values) - 1, most).round().astype(int)]


def scatter(x, y, **kw) -> dict:
    return {"type": "scatter", "x": as_list(x), "y": as_list(y), **kw}


def play_frames(marks: list[int], current: int) -> list[str]:
    """The frames Play runs: from the step on show to the end, or all of them from the
    end (plotly's ``fromcurrent`` alone knows only the frames it has played itself, so a
    figure opened at step 40 played from 0)."""
    rest = [str(s) for s in marks if s >= current]
    return rest if len(rest) > 1 else [str(s) for s in marks]


def animation_controls(marks: list[int], current: int) -> dict:
    """Play/pause buttons and a step slider that run the frames in the browser. Play
    resumes where Pause stopped it (``fromcurrent``)."""
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    still = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0},
             "mode": "immediate"}
    # Buttons on their own row above a full-width slider: side by side, Play and Pause
    # covered the start of the slider on a phone.
    return {
        "updatemenus": [{"type": "buttons", "direction": "left", "showactive": False,
                         "x": 0, "y": -0.12, "xanchor": "left", "yanchor": "top",
                         "pad": {"t": 0, "r": 10},
                         "buttons": [{"label": "▶ Play", "method": "animate",
                                      "args": [play_frames(marks, current), play]},
                                     {"label": "⏸ Pause", "method": "animate",
                                      "args": [[None], still]}]}],
        "sliders": [{"active": marks.index(current), "x": 0, "len": 1, "y": -0.22,
                     "yanchor": "top", "pad": {"t": 0},
                     "currentvalue": {"prefix": "step ", "visible": True, "xanchor": "right"},
                     "steps": [{"label": str(s), "method": "animate", "args": [[str(s)], still]}
                               for s in marks]}],
    }


class Paths:
    """Faint whole paths, trails and heads of the runs in one (x, y) plane; ``xy``
    maps a run and a slice of its steps to the plotted coordinates."""

    def __init__(self, runs: list[Run], xy, axes: dict | None = None):
        self.runs, self.axes = runs, axes or {}
        # Each whole path rounded once: the frames slice it thousands of times, and
        # rounding each slice afresh was a quarter of a gradient-descent rerun (issue 15).
        whole = {id(r): tuple(rounded(c) for c in xy(r, slice(None))) for r in runs}
        self.xy = lambda run, sl: (whole[id(run)][0][sl], whole[id(run)][1][sl])

    def _scatter(self, x: np.ndarray, y: np.ndarray, **kw) -> dict:
        """A scatter of coordinates already rounded."""
        return {"type": "scatter", "x": x.tolist(), "y": y.tolist(), **kw}

    def faint(self) -> list[dict]:
        """Each whole path before Play: a dotted line in the run's colour on a pale
        casing, so it reads on the dark and the light ends of the colour map alike."""
        out = []
        for r in self.runs:
            xy = self.xy(r, slice(None))
            out.append(self._scatter(*xy, mode="lines", opacity=0.3, showlegend=False,
                               line={"color": "white", "width": 3}, hoverinfo="skip",
                               **self.axes))
            out.append(self._scatter(*xy, mode="lines", opacity=0.85, showlegend=False,
                               line={"color": COLORS[r.config.name], "width": 1.5,
                                     "dash": "dot"}, hoverinfo="skip", **self.axes))
        return out

    def trail(self, run: Run, step: int, most: int = MAX_TRAIL, **style) -> dict:
        x, y = self.xy(run, slice(0, index_at(run, step) + 1))
        return self._scatter(thin(x, most), thin(y, most), **style)

    def head(self, run: Run, step: int, **style) -> dict:
        i = index_at(run, step)
        return self._scatter(*self.xy(run, slice(i, i + 1)), **style)

    def moving(self, step: int, names: list[str]) -> list[dict]:
        """The trails (with their legend names) and heads at ``step``, styled."""
        trails = [self.trail(r, step, mode="lines+markers", name=n, legendgroup=r.config.name,
                             line={"color": COLORS[r.config.name], "width": 2},
                             marker={"size": 4}, **self.axes)
                  for r, n in zip(self.runs, names, strict=True)]
        heads = [self.head(r, step, mode="markers", showlegend=False,
                           legendgroup=r.config.name,
                           marker={"color": COLORS[r.config.name], "size": 13,
                                   "line": {"color": "white", "width": 2}},
                           hovertemplate=f"{r.config.label}<br>(%{{x:.4g}}, %{{y:.4g}})"
                                         "<extra></extra>", **self.axes)
                 for r in self.runs]
        return trails + heads

    def frame(self, step: int) -> list[dict]:
        """The same traces, coordinates only, for an animation frame."""
        return ([self.trail(r, step, FRAME_TRAIL) for r in self.runs]
                + [self.head(r, step) for r in self.runs])


def animated_figure(static: list[dict], paths: Paths, names: list[str], current: int, steps: int,
            layout: dict, extra=None) -> dict:
    """Assemble traces and frames: ``static`` first, then the moving paths, then the
    ``extra(step) -> (traces, layout)`` that also change with the step."""
    first = len(static)
    moving = paths.moving(current, names)
    more, more_layout = extra(current) if extra else ([], {})
    indices = list(range(first, first + len(moving) + len(more)))
    marks = frame_steps(steps, current)
    frames = []
    for s in marks:
        traces, frame_layout = extra(s) if extra else ([], {})
        frames.append({"name": str(s), "data": paths.frame(s) + traces, "traces": indices,
                       **({"layout": frame_layout} if frame_layout else {})})
    layout = {"legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
              **animation_controls(marks, current), **layout, **more_layout}
    return {"data": static + moving + more, "layout": layout, "frames": frames}
