"""Gradient descent and its relatives, run side by side on one loss.

The update of the talk's slide, x' = x - eps * grad f(x) (Goodfellow, Bengio & Courville,
*Deep Learning*, 2016, section 4.3, http://www.deeplearningbook.org), is written out by
hand in :func:`gradient_step`; the others are ``torch.optim``'s own (SGD, momentum,
Nesterov, Adagrad, RMSprop, Adam, AdamW), so what the page shows is what PyTorch does.

:func:`run` steps every optimizer from the same start and records, at every step, the
point, the loss, the gradient and the optimizer's state (velocity, squared-gradient
averages), so a page can write each update out with its real numbers. A run that
diverges (a value that is not a finite number, or a point far outside the domain) ends
there and says why; it never raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor
from torch.optim.adagrad import adagrad
from torch.optim.adam import adam
from torch.optim.rmsprop import rmsprop
from torch.optim.sgd import sgd

# name -> label; "gd" is the update written by hand, the rest are torch.optim.
OPTIMIZERS: dict[str, str] = {
    "gd": "Gradient descent (by hand)",
    "sgd": "SGD (torch)",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}
ADAGRAD_EPS = 1e-10  # torch.optim.Adagrad's default

# The per-parameter state each torch optimizer keeps (besides its step count).
STATE_KEYS: dict[str, tuple[str, ...]] = {
    "momentum": ("momentum_buffer",), "nesterov": ("momentum_buffer",),
    "adagrad": ("sum",), "rmsprop": ("square_avg",),
    "adam": ("exp_avg", "exp_avg_sq"), "adamw": ("exp_avg", "exp_avg_sq"),
}

Loss = Callable[[Tensor], Tensor]  # points [k, d] -> losses [k]
BatchLoss = Callable[[Tensor, int], Tensor]  # (points, step) -> minibatch losses [k]


@dataclass(frozen=True)
class OptimizerConfig:
    """One optimizer and its hyper-parameters (torch's defaults, except the learning rate)."""

    name: str = "gd"
    lr: float = 0.01
    momentum: float = 0.9  # SGD momentum and Nesterov
    betas: tuple[float, float] = (0.9, 0.999)  # Adam, AdamW
    alpha: float = 0.99  # RMSprop's smoothing of the squared gradient
    eps: float = 1e-8  # Adam, AdamW, RMSprop (Adagrad uses torch's ADAGRAD_EPS)
    weight_decay: float = 0.01  # AdamW's decoupled decay; the others use none

    @property
    def label(self) -> str:
        return OPTIMIZERS[self.name]


def make_optimizer(cfg: OptimizerConfig, param: Tensor) -> torch.optim.Optimizer | None:
    """The torch optimizer object for ``cfg`` over one parameter tensor (None for the hand
    step): what :func:`run` computes, and the oracle the tests compare it with."""
    n = cfg.name
    if n == "gd":
        return None
    if n == "sgd":
        return torch.optim.SGD([param], lr=cfg.lr)
    if n in ("momentum", "nesterov"):
        return torch.optim.SGD([param], lr=cfg.lr, momentum=cfg.momentum,
                               nesterov=n == "nesterov")
    if n == "adagrad":
        return torch.optim.Adagrad([param], lr=cfg.lr)
    if n == "rmsprop":
        return torch.optim.RMSprop([param], lr=cfg.lr, alpha=cfg.alpha, eps=cfg.eps)
    if n == "adam":
        return torch.optim.Adam([param], lr=cfg.lr, betas=cfg.betas, eps=cfg.eps)
    if n == "adamw":
        return torch.optim.AdamW([param], lr=cfg.lr, betas=cfg.betas, eps=cfg.eps,
                                 weight_decay=cfg.weight_decay)
    raise ValueError(f"unknown optimizer {n!r}; expected one of {', '.join(OPTIMIZERS)}")


class _Update:
    """One optimizer's step through torch.optim's functional API (``torch.optim.sgd.sgd``,
    ``torch.optim.adam.adam``, ...): the code ``Optimizer.step`` runs, with the state it
    would keep.

    ``Optimizer.step`` spends more time on bookkeeping (hooks, profiler records, group
    setup) than on the update of two numbers; calling the update itself makes a run
    about twice as fast. The tests check every step against the ``torch.optim`` classes.
    """

    def __init__(self, cfg: OptimizerConfig, param: Tensor):
        self.cfg, self.param = cfg, param
        zeros = torch.zeros_like(param)
        self.step_count = torch.tensor(0.0, dtype=torch.get_default_dtype())
        self.state: dict[str, list] = {
            "momentum": {"momentum_buffer": [None]}, "nesterov": {"momentum_buffer": [None]},
            "sgd": {"momentum_buffer": [None]}, "adagrad": {"sum": [zeros]},
            "rmsprop": {"square_avg": [zeros]},
            "adam": {"exp_avg": [zeros], "exp_avg_sq": [zeros.clone()]},
            "adamw": {"exp_avg": [zeros], "exp_avg_sq": [zeros.clone()]},
        }[cfg.name]

    def __call__(self, grad: Tensor) -> None:
        c, p, s, steps = self.cfg, [self.param], self.state, [self.step_count]
        self.grad = grad
        if c.name in ("sgd", "momentum", "nesterov"):
            sgd(p, [grad], s["momentum_buffer"], foreach=False,
                                weight_decay=0.0, momentum=0.0 if c.name == "sgd" else c.momentum,
                                lr=c.lr, dampening=0.0, nesterov=c.name == "nesterov",
                                maximize=False)
        elif c.name == "adagrad":
            adagrad(p, [grad], s["sum"], steps, foreach=False, lr=c.lr,
                                        weight_decay=0.0, lr_decay=0.0, eps=ADAGRAD_EPS,
                                        maximize=False)
        elif c.name == "rmsprop":
            rmsprop(p, [grad], s["square_avg"], [], [], steps,
                                        foreach=False, lr=c.lr, alpha=c.alpha, eps=c.eps,
                                        weight_decay=0.0, momentum=0.0, centered=False)
        else:
            adam(p, [grad], s["exp_avg"], s["exp_avg_sq"], [], steps,
                                  foreach=False, decoupled_weight_decay=c.name == "adamw",
                                  amsgrad=False, beta1=c.betas[0], beta2=c.betas[1], lr=c.lr,
                                  weight_decay=c.weight_decay if c.name == "adamw" else 0.0,
                                  eps=c.eps, maximize=False)

    def snapshot(self) -> dict[str, Tensor]:
        """Copies of the state torch.optim reports (no buffer at all for plain SGD).

        With momentum 0 torch keeps no momentum buffer (it stays None); the velocity
        v = mu * v + g is then the gradient itself, which is what is recorded.
        """
        return {k: (self.grad if v[0] is None else v[0]).clone()
                for k, v in self.state.items() if k in STATE_KEYS.get(self.cfg.name, ())}


def gradient_step(x: Sequence[float], grad: Sequence[float], lr: float) -> list[float]:
    """x' = x - lr * grad, for each coordinate, rounded once to the nearest float64.

    torch's SGD computes ``x + (-lr) * grad`` as one fused multiply-add (a single
    rounding) on every CPU with FMA, so the naive ``x - lr * grad`` in two roundings
    differs in the last bit about one time in five. Doing the arithmetic exactly and
    rounding once gives the same float64 as torch.
    """
    return [_exact_update(float(xi), float(gi), float(lr)) for xi, gi in zip(x, grad, strict=True)]


def _exact_update(x: float, g: float, lr: float) -> float:
    """x - lr * g with exact integers: every float is n / 2**k, and Python's int
    division rounds correctly."""
    if not (math.isfinite(x) and math.isfinite(g)):
        return x - lr * g  # inf or nan stays so; divergence is detected by the caller
    (xn, xd), (gn, gd), (ln, ld) = x.as_integer_ratio(), g.as_integer_ratio(), lr.as_integer_ratio()
    try:
        return (xn * gd * ld - ln * gn * xd) / (xd * gd * ld)
    except OverflowError:
        return math.copysign(math.inf, x - lr * g)


@dataclass
class Run:
    """One optimizer's path. Step ``i`` moves ``points[i]`` to ``points[i + 1]`` using
    ``grads[i]`` and leaves the optimizer state ``state[key][i]``."""

    config: OptimizerConfig
    points: np.ndarray  # (n, d): the start, then the point after each step
    losses: np.ndarray  # (n,): the loss at each point (the full loss, also in minibatch mode)
    grads: np.ndarray  # (n, d): the gradient the optimizer used at each point
    state: dict[str, np.ndarray] = field(default_factory=dict)  # key -> (n - 1, d)
    diverged_at: int | None = None  # the step whose result was unusable
    reason: str = ""

    @property
    def steps(self) -> int:
        return len(self.points) - 1


def run(loss: Loss, start: Sequence[float], configs: Sequence[OptimizerConfig],
        steps: int = 200, *, domain: Sequence[tuple[float, float]] | None = None,
        escape: float = 10.0, batch_loss: BatchLoss | None = None) -> list[Run]:
    """Step every optimizer in ``configs`` from ``start`` for ``steps`` steps.

    All optimizers advance together: one forward and one backward pass per step over
    all their points, then each optimizer updates its own point. With ``batch_loss`` the
    gradient at step t comes from ``batch_loss(points, t)`` (a minibatch) while the
    recorded loss is ``loss``. A point further than ``escape`` domain widths outside
    ``domain`` counts as diverged.
    """
    d = len(start)
    # One tensor holds every optimizer's point; each optimizer steps its own row (a
    # view, so the optimizers update it in place) and one autograd pass per step gives
    # all the gradients: the gradient of a sum of independent losses is each one's own.
    current = torch.tensor([list(start)] * len(configs), dtype=torch.float64)
    rows = list(current)
    updates = [None if c.name == "gd" else _Update(c, row)
               for c, row in zip(configs, rows, strict=True)]
    # The losses and gradients are fresh tensors at each step, so keeping references is
    # enough; the points and the optimizer state change in place and are copied.
    pts, losses, grads = [], [], []
    state = [{key: [] for key in STATE_KEYS.get(c.name, ())} for c in configs]
    lo, hi = _escape_box(domain, d, escape)
    ones = torch.ones(len(configs), dtype=torch.float64)
    for t in range(steps + 1):
        leaf = current.detach().requires_grad_()
        objective = batch_loss(leaf, t) if batch_loss else loss(leaf)
        if objective.requires_grad:  # d(sum of losses): each row's own gradient
            (gradient,) = torch.autograd.grad(objective, leaf, ones, allow_unused=True)
        else:
            gradient = None
        if gradient is None:  # a loss that ignores the parameters has no gradient
            gradient = torch.zeros_like(current)
        pts.append(current.clone())
        with torch.no_grad():
            losses.append(loss(current) if batch_loss else objective.detach())
        grads.append(gradient)
        if t == steps or (t % 25 == 24 and _all_bad(pts[-1], lo, hi)):
            break
        for cfg, row, g, update, rec in zip(configs, rows, gradient, updates, state,
                                            strict=True):
            if update is None:
                row.copy_(torch.tensor(gradient_step(row.tolist(), g.tolist(), cfg.lr),
                                       dtype=torch.float64))
            else:
                update(g)
                for key, value in update.snapshot().items():
                    rec[key].append(value)
    points, values = torch.stack(pts).numpy(), torch.stack(losses).numpy()
    gradients = torch.stack(grads).numpy()
    return [_finish(cfg, points[:, i], values[:, i], gradients[:, i],
                    {key: torch.stack(h).numpy() if h else np.empty((0, d))
                     for key, h in rec.items()}, lo, hi)
            for i, (cfg, rec) in enumerate(zip(configs, state, strict=True))]


def _escape_box(domain, d: int, escape: float) -> tuple[np.ndarray, np.ndarray]:
    if domain is None:
        return np.full(d, -np.inf), np.full(d, np.inf)
    lo = np.array([a for a, _ in domain], dtype=float)
    hi = np.array([b for _, b in domain], dtype=float)
    return lo - escape * (hi - lo), hi + escape * (hi - lo)


def _all_bad(points: Tensor, lo: np.ndarray, hi: np.ndarray) -> bool:
    p = points.numpy()
    return bool(np.all(~np.isfinite(p).all(-1) | (p < lo).any(-1) | (p > hi).any(-1)))


def _finish(cfg, points, losses, grads, state, lo, hi) -> Run:
    """Cut the record at the first unusable point and say what went wrong."""
    checks = (
        (~np.isfinite(points).all(-1), "the point is not a finite number"),
        ((points < lo).any(-1) | (points > hi).any(-1), "the point left the domain far behind"),
        (~np.isfinite(losses), "the loss is not a finite number"),
        (~np.isfinite(grads).all(-1), "the gradient is not a finite number"),
    )
    bad = np.logical_or.reduce([c for c, _ in checks])
    if not bad.any():
        return Run(cfg, points, losses, grads, state)
    n = int(np.argmax(bad))
    reason = next(why for c, why in checks if c[n])
    keep = {key: h[:max(n - 1, 0)] for key, h in state.items()}
    return Run(cfg, points[:n], losses[:n], grads[:n], keep, diverged_at=n, reason=reason)


def steps_to_reach(points: np.ndarray, targets: Sequence[Sequence[float]],
                   tol: float) -> int | None:
    """The first step after which the path is within ``tol`` of one of ``targets``."""
    if not len(targets) or not len(points):
        return None
    t = np.asarray(targets, dtype=float)
    dist = np.linalg.norm(points[:, None, :] - t[None, :, :], axis=-1).min(-1)
    hit = np.flatnonzero(dist < tol)
    return int(hit[0]) if hit.size else None
