"""Each gradient-descent preset teaches the sentence it states: checked here on the run
the page draws (``dlcore.race``, with the preset's own settings)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcore import descent, race, surfaces
from ui import descent_charts
from ui.animate import COLORS
from ui.states.gradient_descent import PRESETS

BY_NAME = {p.name: p for p in PRESETS}


def runs_of(name: str):
    s = BY_NAME[name].state
    surface = race.loss_surface(s.mode, s.curve if s.mode == "1d" else s.surface, s.kappa,
                                seed=s.seed)
    runs = race.race(surface, s.opts, 10 ** s.lr_exp, steps=s.steps, momentum=s.momentum,
                     betas=(s.beta1, s.beta2), mode=s.mode, batch=s.batch, seed=s.seed)
    return surface, {r.config.name: r for r in runs}


def reach(surface, run, tol=0.05):
    return descent.steps_to_reach(run.points, surface.minima, tol)


def lesson_slide(surface, r):
    end = r["gd"].points[-1, 0]
    assert end == pytest.approx(1.13, abs=0.01)  # the nearer valley
    deeper = float(surface.fn(torch.tensor([-1.3008])))
    assert r["gd"].losses[-1] > deeper + 2  # the deeper valley was never found


def drawn_paths(surface, runs) -> dict[str, np.ndarray]:
    """Each optimizer's whole path as the contour map draws it (the faint dotted line
    under the animation holds every step), read back from the figure's JSON."""
    grid = surfaces.grid(surface, 40)
    fig = descent_charts.contour_figure(grid, "", surface, list(runs), 0, runs[0].steps)
    out = {}
    for run in runs:
        (trace,) = [t for t in fig["data"] if t.get("hoverinfo") == "skip"
                    and t.get("line", {}).get("dash") == "dot"
                    and t["line"].get("color") == COLORS[run.config.name]]
        out[run.config.name] = np.column_stack([trace["x"], trace["y"]])
    return out


def zigzags(y: np.ndarray, amplitude: float) -> int:
    """Crossings of the valley floor y = 0 between points at least ``amplitude`` off it
    (a crossing is a change of sign of the across-valley coordinate)."""
    big = y[np.abs(y) >= amplitude]
    return int((np.sign(big[1:]) != np.sign(big[:-1])).sum())


def ravine_shows(surface, runs) -> tuple[int, int]:
    """The ravine lesson on one run: returns the steps to the minimum (legend's count)."""
    paths = drawn_paths(surface, runs)
    r = {run.config.name: run for run in runs}
    gd, mom = paths["gd"], paths["momentum"]
    y0 = abs(gd[0, 1])
    # plain descent: the bounce across the valley has died down within five steps
    assert np.abs(gd[5:, 1]).max() < 0.1 * y0
    assert zigzags(gd[5:, 1], 0.1 * y0) == 0
    # momentum swings across the ravine again and again, with big swings
    assert zigzags(mom[5:, 1], 0.5 * y0) >= 4
    assert np.abs(mom[5:, 1]).max() > 0.75 * y0
    # and overshoots the minimum x = 0 along the valley, which plain descent never does
    side = np.sign(gd[0, 0])
    assert (side * gd[:, 0]).min() > -0.01
    assert (side * mom[:, 0]).min() < -0.3 * abs(gd[0, 0])
    tol = descent_charts.reach_tolerance(surface)
    n_gd = descent.steps_to_reach(r["gd"].points, surface.minima, tol)
    n_mom = descent.steps_to_reach(r["momentum"].points, surface.minima, tol)
    assert n_gd is not None and n_mom is not None
    assert 1.6 * n_mom <= n_gd <= 2.4 * n_mom  # about half the steps
    return n_gd, n_mom


def lesson_ravine(surface, r):
    n_gd, n_mom = ravine_shows(surface, list(r.values()))
    assert (n_mom, n_gd) == (61, 119)  # the numbers the words give
    path = drawn_paths(surface, list(r.values()))["momentum"]
    assert path[:, 0].max() == pytest.approx(0.7, abs=0.05)  # overshoots to x ≈ 0.7


@pytest.mark.parametrize("start", [(1.8, -1.2), (-1.5, 0.8), (1.9, 1.5), (-1.2, -1.8)])
def test_ravine_lesson_holds_from_other_starts(start):
    s = BY_NAME["Ill-conditioned bowl, with and without momentum"].state
    surface = race.loss_surface(s.mode, s.surface, s.kappa)
    runs = race.race(surface, s.opts, 10 ** s.lr_exp, steps=s.steps, start=start)
    ravine_shows(surface, runs)


def lesson_rosenbrock(surface, r):
    assert reach(surface, r["momentum"]) is not None
    assert reach(surface, r["sgd"]) is None and reach(surface, r["adam"]) is None
    assert r["momentum"].losses[-1] < 0.01 < r["sgd"].losses[-1] < r["adam"].losses[-1]
    assert np.linalg.norm(r["adam"].points[-1] - [1, 1]) > 1.0  # still far away


def lesson_divergence(surface, r):
    assert r["gd"].diverged_at is not None and r["gd"].diverged_at <= 10
    assert r["adam"].diverged_at is None and reach(surface, r["adam"]) is not None


def lesson_plateau(surface, r):
    for name in ("gd", "momentum"):
        assert reach(surface, r[name]) is None
        assert np.linalg.norm(r[name].points[-1] - r[name].points[0]) < 0.5  # barely moved
    for name in ("rmsprop", "adam"):
        assert reach(surface, r[name]) is not None


def lesson_saddle(surface, r):
    assert tuple(r["gd"].points[0]) == (-2.0, 0.01)  # the start the words give
    first = {n: reach(surface, run) for n, run in r.items()}
    tol = descent_charts.reach_tolerance(surface)
    legend = {n: descent.steps_to_reach(run.points, surface.minima, tol) for n, run in r.items()}
    assert legend["momentum"] == 83 and legend["gd"] is None and legend["adam"] is None
    assert first["momentum"] is not None
    assert all(v is None or v > first["momentum"] for n, v in first.items() if n != "momentum")
    near = {n: np.linalg.norm(p, axis=1) < 0.3 for n, p in drawn_paths(surface, list(r.values())).items()}
    assert near["gd"].sum() >= 30  # lingers: dozens of steps within 0.3 of the saddle
    assert 0 < near["momentum"].sum() <= 15  # passes through quickly
    assert near["adam"].sum() == 0  # never comes near it
    slope = np.linalg.norm(r["gd"].grads, axis=1)[near["gd"]]
    assert slope.max() < 0.6 < np.linalg.norm(r["gd"].grads[0])  # where the gradient almost vanishes
    adam = r["adam"].points
    assert abs(adam[10, 1]) > 5 * abs(r["gd"].points[10, 1])  # drifts off y = 0 from the start
    assert adam[-1, 0] < -0.1 and abs(adam[-1, 1]) == pytest.approx(2 ** 0.5, abs=0.01)  # along x


def lesson_rastrigin(surface, r):
    for name, run in r.items():
        assert reach(surface, run, tol=0.5) is None, name
        assert run.losses[-1] > 1.0, name


def drawn_losses(runs) -> dict[str, np.ndarray]:
    """Each optimizer's loss as the loss-against-step panel draws it."""
    fig = descent_charts.loss_figure(list(runs), 0)
    return {run.config.name: np.array([np.nan if v is None else v for v in t["y"]])
            for run, t in zip(runs, fig["data"], strict=True)}


def minibatch_shows(seed: int) -> None:
    s = BY_NAME["A real model with minibatch noise"].state
    surface = race.loss_surface("model", seed=seed)
    noisy = drawn_losses(race.race(surface, s.opts, 10 ** s.lr_exp, steps=s.steps, mode="model",
                                   batch=s.batch, seed=seed))
    full = drawn_losses(race.race(surface, s.opts, 10 ** s.lr_exp, steps=s.steps, mode="model",
                                  batch=race.DATA_N, seed=seed))
    ups = int((np.diff(noisy["gd"]) > 1e-9).sum())
    assert ups >= s.steps / 3, ups  # goes up on a third of the steps or more
    assert int((np.diff(full["gd"]) > 1e-9).sum()) == 0  # the full batch falls at every step
    half = s.steps // 3
    assert noisy["momentum"][half:].max() > full["momentum"][half:].max()  # swings higher
    assert noisy["momentum"][half:].max() > noisy["gd"][half:].max()  # higher still


def lesson_minibatch(surface, r):
    minibatch_shows(BY_NAME["A real model with minibatch noise"].state.seed)


@pytest.mark.parametrize("seed", range(10))
def test_minibatch_lesson_holds_on_seeds(seed):
    minibatch_shows(seed)


CHECKS = {
    "The talk's slide: one curve, plain steps": lesson_slide,
    "Ill-conditioned bowl, with and without momentum": lesson_ravine,
    "Rosenbrock: momentum follows the curved valley": lesson_rosenbrock,
    "Too large a step diverges": lesson_divergence,
    "Plateau: adaptive steps escape": lesson_plateau,
    "Saddle point": lesson_saddle,
    "Many local minima (Rastrigin)": lesson_rastrigin,
    "A real model with minibatch noise": lesson_minibatch,
}


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_each_preset_teaches_its_lesson(preset):
    assert preset.lesson.endswith(".") and len(preset.lesson) > 40
    assert preset.name in CHECKS, "a preset without a check of its lesson"
    CHECKS[preset.name](*runs_of(preset.name))
