"""The loss surface of a real model: a line y = w*x + b fitted to data by mean squared error.

Two parameters make the loss a surface over (w, b) that can be drawn, and the
optimizers of :mod:`dlcore.descent` descend it like any other. With a batch smaller
than the data set, each step's gradient comes from a random minibatch (shuffled once
per epoch, seeded): the talk's "the loss function and its derivative are only
approximated locally", made visible as a wobbling path.

Reference: least squares and minibatch SGD as in Goodfellow, Bengio & Courville,
*Deep Learning* (2016), sections 5.1.4 (linear regression) and 8.1.3 (minibatch
algorithms), http://www.deeplearningbook.org.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from dlcore.surfaces import Surface


@dataclass(frozen=True)
class LineData:
    """A small seeded data set around the line y = w_true * x + b_true."""

    x: Tensor  # (n,) float64
    y: Tensor
    w_true: float
    b_true: float

    @property
    def n(self) -> int:
        return len(self.x)


def make_data(n: int = 40, seed: int = 0, w_true: float = 1.5, b_true: float = -0.5,
              noise: float = 0.6, x_range: tuple[float, float] = (0.0, 4.0)) -> LineData:
    g = torch.Generator().manual_seed(seed)
    lo, hi = x_range
    x = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
    y = w_true * x + b_true + noise * torch.randn(n, generator=g, dtype=torch.float64)
    return LineData(x, y, w_true, b_true)


def mse(data: LineData, w: Tensor, b: Tensor, index: Tensor | None = None) -> Tensor:
    """Mean squared error of the line (w, b) on the data (or the rows in ``index``);
    ``w`` and ``b`` may be grids: the mean is over a new last axis."""
    x, y = (data.x, data.y) if index is None else (data.x[index], data.y[index])
    residual = w.unsqueeze(-1) * x + b.unsqueeze(-1) - y
    return (residual * residual).mean(-1)


def least_squares(data: LineData) -> tuple[float, float]:
    """The (w, b) with the smallest MSE, in closed form: the surface's one minimum."""
    design = torch.stack([data.x, torch.ones_like(data.x)], dim=1)
    solution = torch.linalg.lstsq(design, data.y.unsqueeze(1)).solution.squeeze(1)
    return float(solution[0]), float(solution[1])


def surface(data: LineData, half_width: float = 3.0) -> Surface:
    """The MSE over (w, b) as a surface, centred on the least-squares line."""
    w0, b0 = least_squares(data)
    return Surface(
        "line", "MSE of y = w·x + b over (w, b)", lambda w, b: mse(data, w, b),
        ((w0 - half_width, w0 + half_width), (b0 - half_width, b0 + half_width)),
        ((w0, b0),), (w0 - 0.8 * half_width, b0 + 0.8 * half_width),
        "A real model's loss: the valley runs diagonally because w and b trade off "
        "(raise the slope, lower the intercept).", log_color=True,
    )


def batch_order(n: int, batch_size: int, steps: int, seed: int) -> Tensor:
    """Row indices of the minibatch used at each of ``steps + 1`` steps, shape
    ``(steps + 1, batch_size)``: the data shuffled once per epoch, cut in batches (a
    last partial batch is dropped, as ``DataLoader(drop_last=True)`` does)."""
    batch_size = max(1, min(batch_size, n))
    per_epoch = n // batch_size
    epochs = (steps + 1 + per_epoch - 1) // per_epoch
    g = torch.Generator().manual_seed(seed)
    order = torch.cat([torch.randperm(n, generator=g)[:per_epoch * batch_size]
                       for _ in range(epochs)])
    return order[:(steps + 1) * batch_size].view(steps + 1, batch_size)


def batch_loss(data: LineData, batch_size: int, steps: int, seed: int):
    """The minibatch loss for :func:`dlcore.descent.run`: points ``[k, 2]`` and step t
    give the MSE of each (w, b) on step t's minibatch."""
    order = batch_order(data.n, batch_size, steps, seed) if batch_size < data.n else None

    def loss(points: Tensor, step: int) -> Tensor:  # a full batch is the full loss, in order
        return mse(data, points[:, 0], points[:, 1], None if order is None else order[step])

    return loss

