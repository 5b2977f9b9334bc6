"""Figures and formula panels of the gradient-descent page (plotly; no computation).

Every animated figure shares one scheme: a faint trace of each optimizer's whole path,
a "trail" up to the current step and a "head" marker at it. Plotly frames replace the
trails and heads (and the 1-D tangents), so Play runs in the browser without a server
round trip; the figure opens at the step chosen on the page's step slider.

The figures are plain plotly JSON dicts: building ``go`` objects validates every one of
the few thousand small arrays in the frames, which took most of a rerun. The tests
check that each figure is a valid ``go.Figure``; the page hands them to Streamlit in a
:class:`Prepared` wrapper so they are not validated again on every rerun.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image
from plotly.basedatatypes import BaseFigure
from plotly.colors import hex_to_rgb, sequential

from dlcore import descent, updates
from dlcore.descent import Run
from dlcore.surfaces import Surface

COLORS = {"gd": "#1f77b4", "sgd": "#17becf", "momentum": "#ff7f0e", "nesterov": "#8c564b",
          "adagrad": "#9467bd", "rmsprop": "#2ca02c", "adam": "#d62728", "adamw": "#e377c2"}
MAX_FRAMES = 60
MAX_TRAIL = 150  # points per trail in a frame
FRAME_MS = 90
LEVELS = 30  # contour bands
CLICK_POINTS = 40  # clickable points per axis
_VIRIDIS = np.array([hex_to_rgb(c) for c in sequential.Viridis], dtype=float)
_PALETTE = np.stack([np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_VIRIDIS)),
                               _VIRIDIS[:, k]) for k in range(3)], axis=1).astype(np.uint8)


class Prepared(BaseFigure):
    """A figure already in plotly's JSON form: ``st.plotly_chart`` only calls ``to_dict``."""

    def __init__(self, spec: dict):  # no BaseFigure.__init__: nothing to validate again
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def _list(a) -> list:
    return np.asarray(a, dtype=float).tolist()


def _grid_values(z: np.ndarray) -> list:
    """A surface's values for the JSON, to about 5 significant digits of their range
    (the frontend's plotly.js did not draw a 2-D typed array, so these are lists)."""
    finite = z[np.isfinite(z)]
    spread = float(finite.max() - finite.min()) if finite.size else 0.0
    decimals = int(np.clip(4 - np.floor(np.log10(spread)), 0, 12)) if spread > 0 else 6
    return np.round(z, decimals).tolist()


def reach_tolerance(surface: Surface) -> float:
    return 0.01 * surface.span


def legend_name(run: Run, surface: Surface) -> str:
    """The optimizer, its final loss and how many steps it took to reach a minimum."""
    label = run.config.label
    if run.diverged_at is not None:
        return f"{label}: diverged at step {run.diverged_at}"
    if not surface.minima:
        return f"{label}: loss {run.losses[-1]:.3g}"
    reached = descent.steps_to_reach(run.points, surface.minima, reach_tolerance(surface))
    reach = "minimum not reached" if reached is None else f"minimum in {reached} steps"
    return f"{label}: loss {run.losses[-1]:.3g}, {reach}"


def frame_steps(steps: int, current: int) -> list[int]:
    """At most MAX_FRAMES step numbers from 0 to ``steps``, always with ``current``."""
    marks = np.linspace(0, steps, min(steps + 1, MAX_FRAMES)).round().astype(int)
    return sorted({*marks.tolist(), current})


def _at(run: Run, step: int) -> int:
    """The index of ``step`` in the run (its last point if the run ended earlier)."""
    return max(0, min(step, len(run.points) - 1))


def _thin(values: np.ndarray) -> np.ndarray:
    if len(values) <= MAX_TRAIL:
        return values
    keep = np.unique(np.linspace(0, len(values) - 1, MAX_TRAIL).round().astype(int))
    return values[keep]


def _scatter(x, y, **kw) -> dict:
    return {"type": "scatter", "x": _list(x), "y": _list(y), **kw}


def _animation(marks: list[int], current: int) -> dict:
    """Play/pause buttons and a step slider that run the frames in the browser."""
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    still = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0},
             "mode": "immediate"}
    return {
        "updatemenus": [{"type": "buttons", "direction": "left", "showactive": False,
                         "x": 0, "y": -0.13, "xanchor": "left", "yanchor": "top",
                         "pad": {"t": 0, "r": 10},
                         "buttons": [{"label": "▶ Play", "method": "animate",
                                      "args": [None, play]},
                                     {"label": "⏸ Pause", "method": "animate",
                                      "args": [[None], still]}]}],
        "sliders": [{"active": marks.index(current), "x": 0.2, "len": 0.8, "y": -0.1,
                     "yanchor": "top", "pad": {"t": 0},
                     "currentvalue": {"prefix": "step ", "visible": True, "xanchor": "right"},
                     "steps": [{"label": str(s), "method": "animate", "args": [[str(s)], still]}
                               for s in marks]}],
    }


class _Paths:
    """Faint whole paths, trails and heads of the runs in one (x, y) plane; ``xy``
    maps a run and a slice of its steps to the plotted coordinates."""

    def __init__(self, runs: list[Run], xy, axes: dict | None = None):
        self.runs, self.xy, self.axes = runs, xy, axes or {}

    def faint(self) -> list[dict]:
        return [_scatter(*self.xy(r, slice(None)), mode="lines", opacity=0.35,
                         line={"color": COLORS[r.config.name], "width": 1},
                         showlegend=False, hoverinfo="skip", **self.axes) for r in self.runs]

    def trail(self, run: Run, step: int, **style) -> dict:
        x, y = self.xy(run, slice(0, _at(run, step) + 1))
        return _scatter(_thin(x), _thin(y), **style)

    def head(self, run: Run, step: int, **style) -> dict:
        i = _at(run, step)
        return _scatter(*self.xy(run, slice(i, i + 1)), **style)

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
        return ([self.trail(r, step) for r in self.runs]
                + [self.head(r, step) for r in self.runs])


def _figure(static: list[dict], paths: _Paths, names: list[str], current: int, steps: int,
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
              **_animation(marks, current), **layout, **more_layout}
    return {"data": static + moving + more, "layout": layout, "frames": frames}


def _scaled(z: np.ndarray, log_color: bool) -> np.ndarray:
    """Values mapped to 0..1 for colouring (non-finite values count as the top)."""
    shown = np.log1p(z - np.nanmin(z)) if log_color else z
    finite = shown[np.isfinite(shown)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    with np.errstate(invalid="ignore"):
        t = (shown - lo) / (hi - lo if hi > lo else 1.0)
    return np.clip(np.nan_to_num(t, nan=1.0, posinf=1.0, neginf=0.0), 0.0, 1.0)


def contour_image(z: np.ndarray, log_color: bool) -> str:
    """The map as a PNG data URL: Viridis colours, darker lines between LEVELS bands.

    A picture in the layout instead of a contour trace: plotly.js stops drawing contour
    and heatmap traces while frames animate (plotly.js#4491, plotly.py#2151).
    """
    t = _scaled(z, log_color)
    rgb = _PALETTE[(t * (len(_PALETTE) - 1)).round().astype(int)]
    band = np.minimum((t * LEVELS).astype(int), LEVELS - 1)
    edge = np.zeros(band.shape, bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] = (rgb[edge] * 0.75).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(rgb[::-1]).save(out, format="PNG")  # image row 0 is the top
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _contour(grid, image: str, surface: Surface, click: bool = False,
             axes: dict | None = None):
    """(traces, layout images): the map as a background picture, a grid of invisible
    points that show the loss on hover (and, with ``click``, are what a click selects:
    plotly selects points, not pixels) and the known minima."""
    xs, ys, z = grid
    axes = axes or {}
    (x0, x1), (y0, y1) = surface.domain
    picture = {"source": image, "xref": axes.get("xaxis", "x"), "yref": axes.get("yaxis", "y"),
               "x": x0, "y": y1, "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch",
               "xanchor": "left", "yanchor": "top", "layer": "below", "opacity": 0.9}
    step = max(1, len(xs) // CLICK_POINTS)
    gx, gy = np.meshgrid(xs[::step], ys[::step])
    hint = "<br>click to start here" if click else ""
    traces = [_scatter(gx.ravel(), gy.ravel(), mode="markers", showlegend=False,
                       customdata=_list(z[::step, ::step].ravel()),
                       marker={"size": 10, "opacity": 0},
                       hovertemplate=f"(%{{x:.3g}}, %{{y:.3g}}): L = %{{customdata:.4g}}{hint}"
                                     "<extra></extra>", **axes)]
    if surface.minima:
        m = np.asarray(surface.minima)
        traces.append(_scatter(m[:, 0], m[:, 1], mode="markers", name="known minimum",
                               marker={"symbol": "star", "size": 14, "color": "white",
                                       "line": {"color": "black", "width": 1}}, **axes))
    return traces, [picture]


def _map_axes(surface: Surface, names: tuple[str, str]) -> dict:
    return {"xaxis": {"range": list(surface.domain[0]), "title": {"text": names[0]},
                      "showgrid": False, "zeroline": False},
            "yaxis": {"range": list(surface.domain[1]), "title": {"text": names[1]},
                      "showgrid": False, "zeroline": False}}


def picker_figure(grid, image: str, surface: Surface, runs: list[Run], start,
                  names: tuple[str, str] = ("x", "y")) -> dict:
    """A still map to click on: the click picks the start point.

    Kept apart from the animated map because plotly.js stops reporting clicks on a
    figure once it has played its frames (seen with the plotly.js bundled here).
    """
    traces, images = _contour(grid, image, surface, click=True)
    for run in runs:
        traces.append(_scatter(*_xy(run, slice(None)), mode="lines", opacity=0.5,
                               line={"color": COLORS[run.config.name], "width": 1},
                               showlegend=False, hoverinfo="skip"))
    traces.append(_scatter([start[0]], [start[1]], mode="markers", name="start",
                           marker={"symbol": "x", "size": 12, "color": "black"},
                           hoverinfo="skip"))
    layout = {**_map_axes(surface, names), "images": images, "plot_bgcolor": "white",
              "height": 520, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
              "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}}
    return {"data": traces, "layout": layout}


def _xy(run: Run, sl: slice):
    return run.points[sl, 0], run.points[sl, 1]


def contour_figure(grid, image: str, surface: Surface, runs: list[Run], current: int,
                   steps: int) -> dict:
    """The contour map with every path, animated."""
    paths = _Paths(runs, _xy)
    traces, images = _contour(grid, image, surface)
    layout = {**_map_axes(surface, ("x", "y")), "images": images, "plot_bgcolor": "white",
              "height": 600, "margin": {"l": 10, "r": 10, "t": 10, "b": 140}}
    return _figure(traces + paths.faint(), paths, [legend_name(r, surface) for r in runs],
                   current, steps, layout)


def surface_figure(grid, surface: Surface, runs: list[Run], current: int) -> dict:
    """The surface in 3-D with every path, the points at the current step marked."""
    xs, ys, z = grid
    base = np.nanmin(z)
    lift = (lambda v: np.log1p(np.asarray(v) - base)) if surface.log_color else np.asarray
    data = [{"type": "surface", "x": _list(xs), "y": _list(ys), "z": _grid_values(lift(z)),
             "colorscale": "Viridis", "opacity": 0.9, "showscale": False, "hoverinfo": "skip"}]
    for run in runs:
        color, i, zs = COLORS[run.config.name], _at(run, current), lift(run.losses)
        p = run.points
        data.append({"type": "scatter3d", "x": _list(p[:, 0]), "y": _list(p[:, 1]),
                     "z": _list(zs), "mode": "lines", "line": {"color": color, "width": 5},
                     "name": run.config.label})
        data.append({"type": "scatter3d", "x": _list(p[i:i + 1, 0]), "y": _list(p[i:i + 1, 1]),
                     "z": _list(zs[i:i + 1]), "mode": "markers", "showlegend": False,
                     "marker": {"color": color, "size": 6}})
    ztitle = "log(1 + L − min L)" if surface.log_color else "L"
    layout = {"height": 480, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "showlegend": False,
              "scene": {"xaxis": {"title": {"text": "x"}}, "yaxis": {"title": {"text": "y"}},
                        "zaxis": {"title": {"text": ztitle}}, "aspectmode": "manual",
                        "aspectratio": {"x": 1, "y": 1, "z": 0.6}}}
    return {"data": data, "layout": layout}


def model_figure(grid, image: str, surface: Surface, runs: list[Run], current: int,
                 steps: int, data_x: np.ndarray, data_y: np.ndarray) -> dict:
    """The (w, b) loss surface beside the data, with each optimizer's line moving."""
    right = {"xaxis": "x2", "yaxis": "y2"}
    paths = _Paths(runs, _xy)
    line_x = np.array([data_x.min(), data_x.max()])
    w0, b0 = surface.minima[0]
    traces, images = _contour(grid, image, surface)
    static = traces + paths.faint() + [
        _scatter(data_x, data_y, mode="markers", name="data", marker={"color": "#444", "size": 6},
                 **right),
        _scatter(line_x, w0 * line_x + b0, mode="lines", name="least squares",
                 line={"color": "black", "dash": "dash"}, **right)]

    def lines(step: int):
        traces = []
        for run in runs:
            w, b = run.points[_at(run, step)] if len(run.points) else (np.nan, np.nan)
            traces.append(_scatter(line_x, w * line_x + b, mode="lines", showlegend=False,
                                   line={"color": COLORS[run.config.name], "width": 3},
                                   **right))
        return traces, {}

    pad = 0.15 * float(data_y.max() - data_y.min())
    layout = {
        "xaxis": {"domain": [0, 0.52], "range": list(surface.domain[0]),
                  "title": {"text": "w (slope)"}, "showgrid": False, "zeroline": False},
        "yaxis": {"range": list(surface.domain[1]), "title": {"text": "b (intercept)"},
                  "showgrid": False, "zeroline": False},
        "xaxis2": {"domain": [0.6, 1], "anchor": "y2", "title": {"text": "x"}},
        "yaxis2": {"anchor": "x2", "title": {"text": "y"},
                   "range": [float(data_y.min()) - pad, float(data_y.max()) + pad]},
        "images": images, "plot_bgcolor": "white",
        "height": 600, "margin": {"l": 10, "r": 10, "t": 30, "b": 140},
    }
    return _figure(static, paths, [legend_name(r, surface) for r in runs], current, steps,
                   layout, extra=lines)


def curve_figure(curve: Surface, xs: np.ndarray, loss: np.ndarray, runs: list[Run],
                 derivs: list[tuple[np.ndarray, np.ndarray]], current: int,
                 steps: int) -> dict:
    """L(x) with the steps on the curve and the tangent at the current point.

    ``derivs[j]`` holds dL/dx and d2L/dx2 at each point of ``runs[j]``.
    """
    lo, hi = curve.domain[0]
    half = 0.12 * (hi - lo)

    def xy(run: Run, sl: slice):
        return run.points[sl, 0], run.losses[sl]

    paths = _Paths(runs, xy)
    static = [_scatter(xs, loss, mode="lines", name="L(x)", line={"color": "#444", "width": 2})]
    if curve.minima:
        m = [v for (v,) in curve.minima]
        static.append(_scatter(m, [curve.value((v,)) for v in m], mode="markers",
                               name="known minimum",
                               marker={"symbol": "star", "size": 14, "color": "gold",
                                       "line": {"color": "black", "width": 1}}))
    static += paths.faint()

    def tangents(step: int):
        traces, notes = [], []
        for j, run in enumerate(runs):
            if not len(run.points):
                traces.append(_scatter([], [], mode="lines"))
                continue
            i = _at(run, step)
            x0, l0, d1, d2 = run.points[i, 0], run.losses[i], derivs[j][0][i], derivs[j][1][i]
            tx = np.array([x0 - half, x0 + half])
            traces.append(_scatter(tx, l0 + d1 * (tx - x0), mode="lines", showlegend=False,
                                   hoverinfo="skip",
                                   line={"color": COLORS[run.config.name], "dash": "dot"}))
            if j == 0:
                notes.append({"x": float(x0), "y": float(l0), "showarrow": True, "ax": 60,
                              "ay": -70, "align": "left", "bgcolor": "rgba(255,255,255,0.85)",
                              "bordercolor": COLORS[run.config.name],
                              "text": f"x = {x0:.4g}<br>dL/dx = {d1:.4g}"
                                      f"<br>d²L/dx² = {d2:.4g}"})
        return traces, {"annotations": notes}

    top, bottom = float(np.nanmax(loss)), float(np.nanmin(loss))
    pad = 0.06 * (top - bottom or 1.0)
    layout = {"xaxis": {"range": [lo, hi], "title": {"text": "x"}},
              "yaxis": {"range": [bottom - pad, top + pad], "title": {"text": "L(x)"}},
              "height": 520, "margin": {"l": 10, "r": 10, "t": 10, "b": 140}}
    return _figure(static, paths, [legend_name(r, curve) for r in runs], current, steps,
                   layout, extra=tangents)


# --------------------------------------------------------------------------- formulas
def _tex_number(v: float) -> str:
    if not np.isfinite(v):
        return r"\text{" + str(v) + "}"
    text = f"{v:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text


def tex_value(value) -> str:
    a = np.atleast_1d(np.asarray(value, dtype=float))
    if a.size == 1:
        return _tex_number(float(a[0]))
    return r"\begin{pmatrix}" + r" \\ ".join(_tex_number(float(v)) for v in a) + r"\end{pmatrix}"


def update_tex(run: Run, step: int) -> str:
    """The update at ``step`` as aligned LaTeX lines: symbol = rule = numbers."""
    rows = []
    for line in updates.explain(run, step):
        rule = f"{line.formula} = " if line.formula else ""
        rows.append(f"{line.symbol} &= {rule}{tex_value(line.value)}")
    return r"\begin{aligned}" + r" \\[2pt] ".join(rows) + r"\end{aligned}"
