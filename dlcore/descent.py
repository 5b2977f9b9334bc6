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
from fractions import Fraction

import numpy as np
import torch
from torch import Tensor

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
    eps: float = 1e-8  # Adam, AdamW, RMSprop (Adagrad uses torch's 1e-10)
    weight_decay: float = 0.01  # AdamW's decoupled decay; the others use none

    @property
    def label(self) -> str:
        return OPTIMIZERS[self.name]


def make_optimizer(cfg: OptimizerConfig, param: Tensor) -> torch.optim.Optimizer | None:
    """The torch optimizer for ``cfg`` over one parameter tensor (None for the hand step)."""
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


def gradient_step(x: Sequence[float], grad: Sequence[float], lr: float) -> list[float]:
    """x' = x - lr * grad, for each coordinate, rounded once to the nearest float64.

    torch's SGD computes ``x + (-lr) * grad`` as one fused multiply-add (a single
    rounding) on every CPU with FMA, so the naive ``x - lr * grad`` in two roundings
    differs in the last bit about one time in five. Doing the arithmetic exactly
    (fractions) and rounding once gives the same float64 as torch.
    """
    return [_exact_update(float(xi), float(gi), float(lr)) for xi, gi in zip(x, grad, strict=True)]


def _exact_update(x: float, g: float, lr: float) -> float:
    if not (math.isfinite(x) and math.isfinite(g)):
        return x - lr * g  # inf or nan stays so; divergence is detected by the caller
    try:
        return float(Fraction(x) - Fraction(lr) * Fraction(g))
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
    the stacked points (the gradient of a sum of independent losses is each loss's own
    gradient), then each optimizer steps its own parameter. With ``batch_loss`` the
    gradient at step t comes from ``batch_loss(points, t)`` (a minibatch) while the
    recorded loss is ``loss``. A point further than ``escape`` domain widths outside
    ``domain`` counts as diverged.
    """
    k, d = len(configs), len(start)
    params = [torch.tensor(start, dtype=torch.float64, requires_grad=True) for _ in configs]
    opts = [make_optimizer(c, p) for c, p in zip(configs, params, strict=True)]
    nan = float("nan")
    pts = torch.full((steps + 1, k, d), nan, dtype=torch.float64)
    grads = torch.full((steps + 1, k, d), nan, dtype=torch.float64)
    losses = torch.full((steps + 1, k), nan, dtype=torch.float64)
    state = [{key: torch.full((steps, d), nan, dtype=torch.float64)
              for key in STATE_KEYS.get(c.name, ())} for c in configs]
    lo, hi = _escape_box(domain, d, escape)
    for t in range(steps + 1):
        stacked = torch.stack(params)
        objective = batch_loss(stacked, t) if batch_loss else loss(stacked)
        for p in params:
            p.grad = None
        if objective.requires_grad:
            objective.sum().backward()
        with torch.no_grad():
            pts[t] = stacked
            losses[t] = loss(stacked) if batch_loss else objective
            for p in params:  # a loss that ignores a coordinate leaves no gradient there
                if p.grad is None:
                    p.grad = torch.zeros_like(p)
            torch.stack([p.grad for p in params], out=grads[t])
        if t == steps or (t % 25 == 24 and _all_bad(pts[t], lo, hi)):
            break
        for cfg, p, opt, rec in zip(configs, params, opts, state, strict=True):
            if opt is None:
                with torch.no_grad():
                    p.copy_(torch.tensor(gradient_step(p.tolist(), p.grad.tolist(), cfg.lr),
                                         dtype=torch.float64))
            else:
                opt.step()
                for key, hist in rec.items():
                    hist[t] = opt.state[p][key]
    return [_finish(cfg, pts[:, i].numpy(), losses[:, i].numpy(), grads[:, i].numpy(),
                    {key: h.numpy() for key, h in rec.items()}, lo, hi)
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
