"""Optimizer paths stay apart without colour (a colour-blind viewer, a greyscale print):
every optimizer's line has its own dash and marker on every gradient-descent figure, and
the loss-against-step panel draws one such line per optimizer."""

from __future__ import annotations

import numpy as np

from dlcore import descent, race, surfaces
from ui import descent_charts
from ui.descent_charts import DASHES, SYMBOLS, SYMBOLS_3D

ALL = tuple(descent.OPTIMIZERS)


def _runs(mode="2d", key="bowl"):
    surface = race.loss_surface(mode, key)
    return surface, race.race(surface, ALL, 0.01, steps=20, mode=mode)


def test_each_optimizer_has_its_own_dash_and_marker():
    assert set(DASHES) == set(SYMBOLS) == set(SYMBOLS_3D) == set(ALL)
    assert len({(DASHES[n], SYMBOLS[n]) for n in ALL}) == len(ALL)
    assert len(set(SYMBOLS.values())) == len(ALL)  # the markers alone tell them apart
    assert len(set(SYMBOLS_3D.values())) == len(ALL)


def _moving(fig) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for t in fig["data"]:
        if t.get("legendgroup") in DASHES:
            out.setdefault(t["legendgroup"], []).append(t)
    return out


def test_map_curve_and_model_figures_style_each_path():
    surface, runs = _runs()
    grid = surfaces.grid(surface, 30)
    curve, cruns = _runs("1d", "double_well")
    cgrid = surfaces.grid(curve, 50)
    derivs = [surfaces.derivatives(curve, r.points[:, 0])[1:] for r in cruns]
    figs = [descent_charts.contour_figure(grid, "", surface, runs, 5, 20),
            descent_charts.curve_figure(curve, cgrid[0], cgrid[1], cruns, derivs, 5, 20)]
    for fig in figs:
        moving = _moving(fig)
        assert set(moving) == set(ALL)
        for name, traces in moving.items():
            for t in traces:  # the trail (a line with markers) and the head (a marker)
                assert t["marker"]["symbol"] == SYMBOLS[name]
                if "lines" in t["mode"]:
                    assert t["line"]["dash"] == DASHES[name]
        # the frames change coordinates only, so the style holds while Play runs
        for frame in fig["frames"]:
            for t in frame["data"][:2 * len(ALL)]:  # trails and heads
                assert set(t) <= {"type", "x", "y"}, set(t)
    spec = descent_charts.surface_figure(grid, surface, runs, 5)
    markers = [t["marker"]["symbol"] for t in spec["data"] if t.get("mode") == "markers"]
    assert markers == [SYMBOLS_3D[n] for n in ALL]


def test_loss_panel_one_styled_line_per_optimizer():
    _, runs = _runs()
    fig = descent_charts.loss_figure(runs, 7)
    assert [t["name"] for t in fig["data"]] == [r.config.label for r in runs]
    for t, r in zip(fig["data"], runs, strict=True):
        assert t["line"]["dash"] == DASHES[r.config.name]
        assert t["marker"]["symbol"] == SYMBOLS[r.config.name]
        assert t["y"] == descent_charts.as_list(r.losses)
        assert t["x"] == list(range(len(r.losses)))
    assert fig["layout"]["shapes"][0]["x0"] == 7  # the step on show


def test_loss_panel_survives_a_diverged_run():
    surface = race.loss_surface("2d", "bowl")
    runs = race.race(surface, ("gd", "adam"), 10 ** 0.5, steps=50)
    assert runs[0].diverged_at is not None
    fig = descent_charts.loss_figure(runs, 0)
    ys = [v for t in fig["data"] for v in t["y"]]
    assert all(v is None or np.isfinite(v) for v in ys)
    import json
    json.dumps(fig, allow_nan=False)
