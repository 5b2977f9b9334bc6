"""Optimizers racing down one loss: the gradient-descent page's computation, minus drawing.

:func:`loss_surface` picks the loss on show (a named 2-D surface, a 1-D curve, a typed
formula, or the mean squared error of a line fit, whose parameters are w and b), and
:func:`race` starts every optimizer from the same point on it (``dlcore.descent.run``),
with minibatch gradients for the line fit when the batch is smaller than the data. The
page, its presets and the tests of the presets' lessons all call these two, so a lesson
is checked on exactly the run that the page draws.
"""

from __future__ import annotations

from collections.abc import Sequence

from dlcore import descent, linefit, surfaces

DATA_N = 40  # points of the line-fitting model


def loss_surface(mode: str = "2d", key: str = "bowl", kappa: float = 10.0, text: str = "",
                 extent: float = 3.0, seed: int = 0) -> surfaces.Surface:
    """The loss on show; raises ``formula.FormulaError`` for a typed formula it refuses."""
    if mode == "model":
        return linefit.surface(linefit.make_data(DATA_N, seed))
    if key == "custom":
        return surfaces.custom(text, extent, dims=1 if mode == "1d" else 2)
    return surfaces.CURVES[key] if mode == "1d" else surfaces.get(key, kappa)


def race(surface: surfaces.Surface, names: Sequence[str], lr: float, *, steps: int,
         start: Sequence[float] | None = None, momentum: float = 0.9,
         betas: tuple[float, float] = (0.9, 0.999), mode: str = "2d", batch: int = DATA_N,
         seed: int = 0) -> list[descent.Run]:
    """Every optimizer in ``names`` from ``start`` (the surface's own by default)."""
    configs = [descent.OptimizerConfig(n, lr=lr, momentum=momentum, betas=betas)
               for n in names]
    batch_loss = None
    if mode == "model" and batch < DATA_N:
        batch_loss = linefit.batch_loss(linefit.make_data(DATA_N, seed), batch, steps, seed)
    return descent.run(surface, tuple(surface.start if start is None else start), configs,
                       steps, domain=surface.domain, batch_loss=batch_loss)
