"""Each gradient-descent preset teaches the sentence it states: checked here on the run
the page draws (``dlcore.race``, with the preset's own settings)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcore import descent, race
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


def lesson_ravine(surface, r):
    gd, mom = reach(surface, r["gd"]), reach(surface, r["momentum"])
    assert gd is not None and mom is not None
    assert gd >= 1.6 * mom  # about half the steps
    y = r["gd"].points[:60, 1]
    crossings = int((np.sign(y[1:]) != np.sign(y[:-1])).sum())
    assert crossings >= 30  # it zig-zags across the valley floor y = 0


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
    first = {n: reach(surface, run) for n, run in r.items()}
    assert first["momentum"] is not None
    assert all(v is None or v > first["momentum"] for n, v in first.items() if n != "momentum")
    assert first["gd"] is None  # still creeping after 300 steps


def lesson_rastrigin(surface, r):
    for name, run in r.items():
        assert reach(surface, run, tol=0.5) is None, name
        assert run.losses[-1] > 1.0, name


def lesson_minibatch(surface, r):
    noisy = r["gd"].losses
    ups = int((np.diff(noisy) > 1e-9).sum())
    assert ups >= 20  # the loss goes up on many steps
    s = BY_NAME["A real model with minibatch noise"].state
    full = race.race(surface, ["gd"], 10 ** s.lr_exp, steps=s.steps, mode="model",
                     batch=race.DATA_N, seed=s.seed)[0]
    assert int((np.diff(full.losses) > 1e-9).sum()) == 0  # the full batch falls steadily


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
