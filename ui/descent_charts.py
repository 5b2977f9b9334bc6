"""Figures and formula panels of the gradient-descent page (plotly; no computation).

The animation scheme (faint whole paths, trails, heads, frames played in the browser)
is in ``ui/animate.py``; each figure here opens at the step chosen on the page's
step slider, and the 1-D curve's tangents move with its frames too. The tests check
that each figure is a valid ``go.Figure``; the page hands them to Streamlit in a
:class:`Prepared` wrapper so they are not validated again on every rerun.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from plotly.colors import hex_to_rgb, sequential

from dlcore import descent, updates
from dlcore.descent import Run
from dlcore.numbers import short, tex_value
from dlcore.surfaces import Surface
from ui import served
from ui.animate import (
    COLORS,
    Paths,
    animated_figure,
    as_list,
    grid_values,
    index_at,
    scatter,
)

LEVELS = 30  # contour bands
CLICK_POINTS = 40  # clickable points per axis of the start picker
HOVER_POINTS = 25  # points per axis that show the loss on hover on the animated maps
_VIRIDIS = np.array([hex_to_rgb(c) for c in sequential.Viridis], dtype=float)
SHADES = 128  # colours of the map picture, each with a darker twin for the contour lines
_PALETTE = np.stack([np.interp(np.linspace(0, 1, SHADES), np.linspace(0, 1, len(_VIRIDIS)),
                               _VIRIDIS[:, k]) for k in range(3)], axis=1)
_SHADED_PALETTE = np.concatenate([_PALETTE, _PALETTE * 0.75]).astype(np.uint8)


# Each optimizer's line style and marker, so that paths stay apart for a colour-blind
# viewer and in greyscale (colour is never the only difference; WCAG 1.4.1).
DASHES = {"gd": "solid", "sgd": "dot", "momentum": "dash", "nesterov": "longdash",
          "adagrad": "dashdot", "rmsprop": "longdashdot", "adam": "dot", "adamw": "dash"}
SYMBOLS = {"gd": "circle", "sgd": "square", "momentum": "diamond", "nesterov": "triangle-up",
           "adagrad": "cross", "rmsprop": "x", "adam": "star", "adamw": "pentagon"}

# scatter3d knows fewer symbols
SYMBOLS_3D = {"gd": "circle", "sgd": "square", "momentum": "diamond", "nesterov": "cross",
              "adagrad": "circle-open", "rmsprop": "x", "adam": "square-open",
              "adamw": "diamond-open"}


def styled(spec: dict) -> dict:
    """``spec`` with every optimizer's trail and head (the traces grouped by optimizer
    name) drawn in that optimizer's dash and marker. Frames replace only coordinates,
    so the style holds while Play runs."""
    for trace in spec["data"]:
        name = trace.get("legendgroup")
        if name in DASHES:
            if "lines" in trace.get("mode", ""):
                trace["line"] = {**trace.get("line", {}), "dash": DASHES[name]}
            trace["marker"] = {**trace.get("marker", {}), "symbol": SYMBOLS[name]}
    return spec


def loss_figure(runs: list[Run], current: int) -> dict:
    """The loss against the step, one line per optimizer (its colour, dash and marker),
    a vertical rule at the step on show. A log axis when every loss is positive and
    they span more than two decades; the full loss in minibatch mode (what jitters)."""
    traces, finite = [], []
    for run in runs:
        name = run.config.name
        y = np.asarray(run.losses, dtype=float)
        finite.append(y[np.isfinite(y)])
        traces.append({"type": "scatter", "x": list(range(len(y))),
                       "y": [v if np.isfinite(v) else None for v in as_list(y)],
                       "mode": "lines+markers", "name": run.config.label,
                       "line": {"color": COLORS[name], "width": 2, "dash": DASHES[name]},
                       "marker": {"color": COLORS[name], "symbol": SYMBOLS[name], "size": 8,
                                  "maxdisplayed": 12},
                       "hovertemplate": f"{run.config.label}<br>step %{{x}}: L = %{{y:.4g}}"
                                        "<extra></extra>"})
    values = np.concatenate(finite) if finite else np.empty(0)
    log = bool(values.size and values.min() > 0 and values.max() > 100 * values.min())
    layout = {"height": 300, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
              "title": {"text": "Loss against step", "x": 0, "xanchor": "left"},
              "xaxis": {"title": {"text": "step"}, "rangemode": "tozero"},
              "yaxis": {"title": {"text": "loss L"}, "type": "log" if log else "linear"},
              "legend": {"orientation": "h", "y": -0.3, "yanchor": "top", "x": 0},
              "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": current,
                          "x1": current, "y0": 0, "y1": 1,
                          "line": {"color": "#555", "width": 1, "dash": "dot"}}]}
    return {"data": traces, "layout": layout}


def reach_tolerance(surface: Surface) -> float:
    return 0.01 * surface.span


def legend_name(run: Run, surface: Surface) -> str:
    """The optimizer, its final loss and how many steps it took to reach a minimum."""
    label = run.config.label
    if run.diverged_at is not None:
        return f"{label}: diverged at step {run.diverged_at}"
    if not surface.minima:
        return f"{label}: loss {short(run.losses[-1], 3)}"
    reached = descent.steps_to_reach(run.points, surface.minima, reach_tolerance(surface))
    reach = "minimum not reached" if reached is None else f"minimum in {reached} steps"
    return f"{label}: loss {short(run.losses[-1], 3)}, {reach}"


def _scaled(z: np.ndarray, log_color: bool) -> np.ndarray:
    """Values mapped to 0..1 for colouring (non-finite values count as the top)."""
    shown = np.log1p(z - np.nanmin(z)) if log_color else z
    finite = shown[np.isfinite(shown)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    with np.errstate(invalid="ignore"):
        t = (shown - lo) / (hi - lo if hi > lo else 1.0)
    return np.clip(np.nan_to_num(t, nan=1.0, posinf=1.0, neginf=0.0), 0.0, 1.0)


def contour_image(z: np.ndarray, log_color: bool) -> bytes:
    """The map as a PNG: Viridis colours, darker lines between LEVELS bands.

    A picture in the layout instead of a contour trace: plotly.js stops drawing contour
    and heatmap traces while frames animate (plotly.js#4491, plotly.py#2151). An 8-bit
    palette PNG (SHADES colours and their darker twins for the lines) is 2-3 times smaller
    than the same picture in RGB.
    """
    t = _scaled(z, log_color)
    shade = (t * (SHADES - 1)).round().astype(np.uint8)
    band = np.minimum((t * LEVELS).astype(int), LEVELS - 1)
    edge = np.zeros(band.shape, bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    shade[edge] += SHADES
    picture = Image.fromarray(shade[::-1], mode="P")  # image row 0 is the top
    picture.putpalette(_SHADED_PALETTE.ravel().tolist())
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def picture_url(png: bytes) -> str:
    """Where the browser fetches the map picture: a file under ``static/`` named by its
    bytes (``ui/served.py``), not the picture itself inside the figure. The figure's
    JSON then holds a short URL instead of 40-150 kB of base64 sent with every rerun,
    the map and the start picker share one download, and the address is the same for
    every session showing that surface."""
    return served.picture_url(png)


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
    step = max(1, len(xs) // (CLICK_POINTS if click else HOVER_POINTS))
    gx, gy = np.meshgrid(xs[::step], ys[::step])
    hint = "<br>click to start here" if click else ""
    traces = [scatter(gx.ravel(), gy.ravel(), mode="markers", showlegend=False,
                       customdata=as_list(z[::step, ::step].ravel()),
                       marker={"size": 10, "opacity": 0},
                       hovertemplate=f"(%{{x:.3g}}, %{{y:.3g}}): L = %{{customdata:.4g}}{hint}"
                                     "<extra></extra>", **axes)]
    if surface.minima:
        m = np.asarray(surface.minima)
        traces.append(scatter(m[:, 0], m[:, 1], mode="markers", name="known minimum",
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
        traces.append(scatter(*_xy(run, slice(None)), mode="lines", opacity=0.5,
                               line={"color": COLORS[run.config.name], "width": 1,
                                     "dash": DASHES[run.config.name]},
                               showlegend=False, hoverinfo="skip"))
    traces.append(scatter([start[0]], [start[1]], mode="markers", name="start",
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
    paths = Paths(runs, _xy)
    traces, images = _contour(grid, image, surface)
    layout = {**_map_axes(surface, ("x", "y")), "images": images, "plot_bgcolor": "white",
              "height": 620, "margin": {"l": 10, "r": 10, "t": 10, "b": 170}}
    return styled(animated_figure(traces + paths.faint(), paths,
                                  [legend_name(r, surface) for r in runs], current, steps, layout))


def surface_figure(grid, surface: Surface, runs: list[Run], current: int) -> dict:
    """The surface in 3-D with every path, the points at the current step marked."""
    xs, ys, z = grid
    base = np.nanmin(z)
    lift = (lambda v: np.log1p(np.asarray(v) - base)) if surface.log_color else np.asarray
    data = [{"type": "surface", "x": as_list(xs), "y": as_list(ys), "z": grid_values(lift(z)),
             "colorscale": "Viridis", "opacity": 0.9, "showscale": False, "hoverinfo": "skip"}]
    for run in runs:
        color, i, zs = COLORS[run.config.name], index_at(run, current), lift(run.losses)
        p = run.points
        data.append({"type": "scatter3d", "x": as_list(p[:, 0]), "y": as_list(p[:, 1]),
                     "z": as_list(zs), "mode": "lines",
                     "line": {"color": color, "width": 5, "dash": DASHES[run.config.name]},
                     "name": run.config.label})
        data.append({"type": "scatter3d", "x": as_list(p[i:i + 1, 0]), "y": as_list(p[i:i + 1, 1]),
                     "z": as_list(zs[i:i + 1]), "mode": "markers", "showlegend": False,
                     "marker": {"color": color, "size": 6,
                                "symbol": SYMBOLS_3D[run.config.name]}})
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
    paths = Paths(runs, _xy)
    line_x = np.array([data_x.min(), data_x.max()])
    w0, b0 = surface.minima[0]
    traces, images = _contour(grid, image, surface)
    static = traces + paths.faint() + [
        scatter(data_x, data_y, mode="markers", name="data", marker={"color": "#444", "size": 6},
                 **right),
        scatter(line_x, w0 * line_x + b0, mode="lines", name="least squares",
                 line={"color": "black", "dash": "dash"}, **right)]

    def lines(step: int):
        traces = []
        for run in runs:
            w, b = run.points[index_at(run, step)] if len(run.points) else (np.nan, np.nan)
            traces.append(scatter(line_x, w * line_x + b, mode="lines", showlegend=False,
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
        "height": 620, "margin": {"l": 10, "r": 10, "t": 30, "b": 170},
    }
    return styled(animated_figure(static, paths, [legend_name(r, surface) for r in runs], current,
                                  steps, layout, extra=lines))


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

    paths = Paths(runs, xy)
    static = [scatter(xs, loss, mode="lines", name="L(x)", line={"color": "#444", "width": 2})]
    if curve.minima:
        m = [v for (v,) in curve.minima]
        static.append(scatter(m, [curve.value((v,)) for v in m], mode="markers",
                               name="known minimum",
                               marker={"symbol": "star", "size": 14, "color": "gold",
                                       "line": {"color": "black", "width": 1}}))
    static += paths.faint()

    def tangents(step: int):
        traces, notes = [], []
        for j, run in enumerate(runs):
            if not len(run.points):
                traces.append(scatter([], [], mode="lines"))
                continue
            i = index_at(run, step)
            x0, l0, d1, d2 = run.points[i, 0], run.losses[i], derivs[j][0][i], derivs[j][1][i]
            tx = np.array([x0 - half, x0 + half])
            traces.append(scatter(tx, l0 + d1 * (tx - x0), mode="lines", showlegend=False,
                                   hoverinfo="skip",
                                   line={"color": COLORS[run.config.name], "dash": "dot"}))
            if j == 0:  # the label leans towards the middle, so the chart's edge never cuts it
                lean = 60 if x0 < (lo + hi) / 2 else -60
                notes.append({"x": float(x0), "y": float(l0), "showarrow": True, "ax": lean,
                              "ay": -70, "align": "left", "bgcolor": "rgba(255,255,255,0.85)",
                              "bordercolor": COLORS[run.config.name],
                              "text": f"x = {short(x0, 4)}<br>dL/dx = {short(d1, 4)}"
                                      f"<br>d²L/dx² = {short(d2, 4)}"})
        return traces, {"annotations": notes}

    top, bottom = float(np.nanmax(loss)), float(np.nanmin(loss))
    pad = 0.06 * (top - bottom or 1.0)
    layout = {"xaxis": {"range": [lo, hi], "title": {"text": "x"}},
              "yaxis": {"range": [bottom - pad, top + pad], "title": {"text": "L(x)"}},
              "height": 560, "margin": {"l": 10, "r": 10, "t": 10, "b": 170}}
    return styled(animated_figure(static, paths, [legend_name(r, curve) for r in runs], current,
                                  steps, layout, extra=tangents))


# --------------------------------------------------------------------------- formulas
def update_tex(run: Run, step: int) -> str:
    """The update at ``step`` as aligned LaTeX lines: symbol = rule = numbers."""
    rows = []
    for line in updates.explain(run, step):
        rule = f"{line.formula} = " if line.formula else ""
        rows.append(f"{line.symbol} &= {rule}{tex_value(line.value)}")
    return r"\begin{aligned}" + r" \\[2pt] ".join(rows) + r"\end{aligned}"
