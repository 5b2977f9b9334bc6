"""dlcore.descent and dlcore.updates against torch.optim as the oracle."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from dlcore import descent, linefit, surfaces, updates
from dlcore.descent import OptimizerConfig

LRS = {"gd": 1e-3, "sgd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 0.1,
       "rmsprop": 1e-2, "adam": 0.05, "adamw": 0.05}


def test_hand_step_equals_torch_sgd_to_the_last_bit():
    rng = random.Random(0)
    for _ in range(3000):
        x = [rng.gauss(0, 3) for _ in range(2)]
        g = [rng.gauss(0, 10) * 10 ** rng.randint(-6, 6) for _ in range(2)]
        lr = 10 ** rng.uniform(-6, 1)
        p = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(g, dtype=torch.float64)
        torch.optim.SGD([p], lr=lr).step()
        assert descent.gradient_step(x, g, lr) == p.detach().tolist(), (x, g, lr)


def test_hand_step_handles_non_finite_numbers():
    out = descent.gradient_step([1.0, float("inf")], [float("nan"), 1.0], 0.1)
    assert np.isnan(out[0]) and out[1] == float("inf")
    assert descent.gradient_step([1e308], [-1e308], 1e10) == [float("inf")]


def _direct_loop(loss, start, cfg, steps, batch=None):
    """The textbook torch loop: zero_grad, loss, backward, step."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = (torch.optim.SGD([p], lr=cfg.lr) if cfg.name == "gd"
           else descent.make_optimizer(cfg, p))
    points, state = [p.detach().clone()], {k: [] for k in descent.STATE_KEYS.get(cfg.name, ())}
    for t in range(steps):
        opt.zero_grad()
        (batch(p[None], t) if batch else loss(p[None])).sum().backward()
        opt.step()
        points.append(p.detach().clone())
        for key in state:
            state[key].append(opt.state[p][key].clone())
    return torch.stack(points).numpy(), {k: torch.stack(v).numpy() for k, v in state.items()}


@pytest.mark.parametrize("key", ["rosenbrock", "himmelblau", "plateau", "rastrigin"])
def test_every_optimizer_follows_the_direct_torch_loop_exactly(key):
    surface = surfaces.SURFACES[key]
    configs = [OptimizerConfig(name, lr=lr) for name, lr in LRS.items()]
    runs = descent.run(surface, surface.start, configs, 120, domain=surface.domain)
    for cfg, run in zip(configs, runs, strict=True):
        assert run.diverged_at is None
        points, state = _direct_loop(surface, surface.start, cfg, 120)
        np.testing.assert_array_equal(run.points, points, err_msg=cfg.name)
        for k, values in state.items():
            np.testing.assert_array_equal(run.state[k], values, err_msg=f"{cfg.name} {k}")


def test_minibatch_runs_follow_the_direct_torch_loop_exactly():
    data = linefit.make_data(seed=3)
    surface = linefit.surface(data)
    batch = linefit.batch_loss(data, 8, 60, seed=3)
    configs = [OptimizerConfig(n, lr=0.03) for n in ("gd", "momentum", "adam")]
    runs = descent.run(surface, surface.start, configs, 60, domain=surface.domain,
                       batch_loss=batch)
    for cfg, run in zip(configs, runs, strict=True):
        points, _ = _direct_loop(surface, surface.start, cfg, 60, batch=batch)
        np.testing.assert_array_equal(run.points, points)
        # the recorded loss is the full data set's, the gradient the minibatch's
        full = linefit.mse(data, torch.tensor(run.points[:, 0]), torch.tensor(run.points[:, 1]))
        np.testing.assert_allclose(run.losses, full.numpy(), rtol=1e-12)


def test_minibatch_noise_is_seeded():
    data = linefit.make_data()
    surface = linefit.surface(data)
    cfg = [OptimizerConfig("gd", lr=0.05)]

    def path(batch_size, seed):
        batch = linefit.batch_loss(data, batch_size, 50, seed)
        return descent.run(surface, surface.start, cfg, 50, batch_loss=batch)[0].points

    full = descent.run(surface, surface.start, cfg, 50)[0].points
    np.testing.assert_array_equal(path(data.n, 0), full)
    np.testing.assert_array_equal(path(4, 1), path(4, 1))
    assert not np.array_equal(path(4, 1), path(4, 2))
    assert not np.array_equal(path(4, 1), full)


def test_batch_order_visits_every_row_once_per_epoch():
    order = linefit.batch_order(12, 4, 8, seed=0)  # 3 batches per epoch, 9 batches
    assert order.shape == (9, 4)
    for epoch in range(3):
        assert sorted(order[3 * epoch:3 * epoch + 3].flatten().tolist()) == list(range(12))


BOWL_LRS = {"gd": 0.1, "sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5,
            "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05}


def test_every_optimizer_reaches_the_minimum_of_the_round_bowl():
    bowl = surfaces.bowl(1.0)
    configs = [OptimizerConfig(n, lr=lr) for n, lr in BOWL_LRS.items()]
    for run in descent.run(bowl, bowl.start, configs, 500, domain=bowl.domain):
        assert run.diverged_at is None
        assert descent.steps_to_reach(run.points, bowl.minima, 1e-3) is not None, run.config.name
        assert np.linalg.norm(run.points[-1]) < 1e-3
        assert run.losses[-1] < 1e-6


def test_momentum_beats_plain_descent_in_the_ravine():
    ravine = surfaces.bowl(50.0)
    gd, momentum = descent.run(ravine, ravine.start, [OptimizerConfig("gd", lr=0.02),
                                                       OptimizerConfig("momentum", lr=0.02)],
                               1000, domain=ravine.domain)
    slow = descent.steps_to_reach(gd.points, ravine.minima, 1e-2)
    fast = descent.steps_to_reach(momentum.points, ravine.minima, 1e-2)
    assert slow is not None and fast is not None
    assert fast < slow / 2, (fast, slow)


def test_a_huge_learning_rate_reports_divergence_without_an_exception():
    bowl = surfaces.bowl(10.0)
    configs = [OptimizerConfig(n, lr=1e4) for n in descent.OPTIMIZERS]
    for run in descent.run(bowl, bowl.start, configs, 100, domain=bowl.domain):
        assert run.diverged_at is not None and run.reason
        assert len(run.points) == run.diverged_at
        assert np.isfinite(run.points).all() and np.isfinite(run.losses).all()
    # without a domain the values overflow to inf and nan; still no exception
    gd = descent.run(bowl, bowl.start, [OptimizerConfig("gd", lr=10.0)], 1000)[0]
    assert gd.diverged_at is not None and "finite" in gd.reason
    assert 2 < gd.diverged_at < 1000 and np.isfinite(gd.points).all()


def test_a_gradient_that_is_not_finite_at_the_start_ends_the_run_at_step_zero():
    cusp = surfaces.Surface("cusp", "cusp", lambda x, y: torch.sqrt(torch.abs(x)) + y * y,
                            ((-1.0, 1.0), (-1.0, 1.0)), ((0.0, 0.0),), (0.0, 0.5))
    run = descent.run(cusp, cusp.start, [OptimizerConfig("adam")], 10)[0]
    assert run.diverged_at == 0 and "gradient" in run.reason and run.steps == -1


def _by_hand(cfg: OptimizerConfig, surface, start, steps: int) -> list[dict[str, np.ndarray]]:
    """Each step's update computed independently of dlcore and of torch.optim: gradients
    by autograd at the hand-computed point, then the update rules as the papers and
    torch's documentation write them, in numpy. One dict of written-out values per step."""
    b1, b2 = cfg.betas
    x = np.array(start, dtype=np.float64)
    v = m = s = np.zeros(2)
    out = []
    for t in range(1, steps + 1):
        p = torch.tensor(x, requires_grad=True)
        surface(p[None]).sum().backward()
        g = p.grad.numpy().copy()
        row = {"x": x, "g": g}
        if cfg.name in ("gd", "sgd"):
            x_new = x - cfg.lr * g
        elif cfg.name in ("momentum", "nesterov"):
            v = g if t == 1 else cfg.momentum * v + g  # Sutskever et al. (2013), torch's form
            row["v"] = v
            x_new = x - cfg.lr * (v if cfg.name == "momentum" else g + cfg.momentum * v)
        elif cfg.name == "adagrad":
            s = s + g * g  # Duchi et al. (2011)
            row["s"] = s
            x_new = x - cfg.lr * g / (np.sqrt(s) + 1e-10)
        elif cfg.name == "rmsprop":
            s = cfg.alpha * s + (1 - cfg.alpha) * g * g
            row["s"] = s
            x_new = x - cfg.lr * g / (np.sqrt(s) + cfg.eps)
        else:  # Kingma & Ba (2015), algorithm 1; AdamW: Loshchilov & Hutter (2019)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
            row.update({"m": m, "v": v, r"\hat m": m_hat, r"\hat v": v_hat})
            decayed = x * (1 - cfg.lr * cfg.weight_decay) if cfg.name == "adamw" else x
            x_new = decayed - cfg.lr * m_hat / (np.sqrt(v_hat) + cfg.eps)
        row["x'"] = x_new
        out.append(row)
        x = x_new
    return out


@pytest.mark.parametrize("name", list(descent.OPTIMIZERS))
def test_the_update_written_out_equals_an_independent_computation(name):
    """Every value the page writes out (the gradient, momentum's velocity, Adagrad's sum,
    RMSprop's average, Adam's m, v, m-hat and v-hat, the new point) against the update
    rule computed by hand: a copy of the same value would not be a test."""
    surface = surfaces.SURFACES["himmelblau"]
    cfg = OptimizerConfig(name, lr=LRS[name] * 5)
    run = descent.run(surface, surface.start, [cfg], 40)[0]
    expected = _by_hand(cfg, surface, surface.start, 40)
    for step in (0, 1, 17, 39):
        lines = {line.symbol: line.value for line in updates.explain(run, step)}
        wanted = expected[step]
        state = set(wanted) - {"x", "g", "x'"}
        assert state <= set(lines), (name, sorted(lines))
        assert name in ("gd", "sgd") or state, name  # every stateful rule is checked
        for symbol, value in wanted.items():
            np.testing.assert_allclose(lines[symbol], value, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name} step {step} {symbol}")
    with pytest.raises(IndexError):
        updates.explain(run, 40)


def test_steps_to_reach():
    pts = np.array([[2.0, 0.0], [1.0, 0.0], [0.05, 0.0], [0.0, 0.0]])
    assert descent.steps_to_reach(pts, [(0.0, 0.0)], 0.1) == 2
    assert descent.steps_to_reach(pts, [(5.0, 5.0)], 0.1) is None
    assert descent.steps_to_reach(pts, [], 0.1) is None
