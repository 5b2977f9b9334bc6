"""Loss surfaces to descend: named 2-D test functions and 1-D curves, written in torch.

Each function is elementwise in its inputs, so one call evaluates a whole grid for the
plots and the same code, under autograd, gives the gradient an optimizer follows. Each
surface carries its plotting domain, its known minima and a start point that shows
something (a ravine, a plateau, a saddle to escape).

References: the test functions and their minima follow Surjanovic & Bingham's
"Virtual Library of Simulation Experiments" (https://www.sfu.ca/~ssurjano/optimization.html)
and Jamil & Yang, "A literature survey of benchmark functions for global optimisation
problems" (2013, arXiv:1308.4008); the ill-conditioned bowl is the quadratic of
Goh, "Why Momentum Really Works", Distill 2017 (https://distill.pub/2017/momentum/).
The 1-D curves are the talk's slide "Recall: Minimization" (dL/dx = 0, d2L/dx2 > 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

Point = tuple[float, ...]


@dataclass(frozen=True)
class Surface:
    """A loss L(x, y) (or L(x) when ``dims == 1``) with what a plot and a run need."""

    key: str
    title: str
    fn: Callable[..., Tensor]  # elementwise: fn(x, y) or fn(x), tensors of any one shape
    domain: tuple[tuple[float, float], ...]  # (lo, hi) per coordinate
    minima: tuple[Point, ...]  # the known global (and notable local) minima
    start: Point
    note: str = ""
    log_color: bool = False  # values span decades: colour the contours by log(1 + L - min)

    @property
    def dims(self) -> int:
        return len(self.domain)

    def __call__(self, points: Tensor) -> Tensor:
        """The loss at each row of ``points`` (shape ``[..., dims]``)."""
        return self.fn(*points.unbind(-1))

    def value(self, point) -> float:
        return float(self(torch.as_tensor(point, dtype=torch.float64)))

    @property
    def min_value(self) -> float | None:
        return min(self.value(m) for m in self.minima) if self.minima else None

    @property
    def span(self) -> float:
        return max(hi - lo for lo, hi in self.domain)

    def nearest_minimum(self, point) -> tuple[Point | None, float]:
        """The known minimum closest to ``point`` and its distance (None, inf without one)."""
        if not self.minima:
            return None, math.inf
        p = np.asarray(point, dtype=float)
        dist = [float(np.linalg.norm(p - np.asarray(m))) for m in self.minima]
        i = int(np.argmin(dist))
        return self.minima[i], dist[i]


def grid(surface: Surface, n: int = 200) -> tuple[np.ndarray, ...]:
    """Coordinates and values on an ``n``-point (per axis) grid over the domain.

    One batched torch call: returns ``(xs, L)`` in 1-D, ``(xs, ys, Z)`` in 2-D with
    ``Z[i, j] = L(xs[j], ys[i])`` (rows follow y, as plotly's contour expects).
    """
    axes = [torch.linspace(lo, hi, n, dtype=torch.float64) for lo, hi in surface.domain]
    with torch.no_grad():
        if surface.dims == 1:
            return axes[0].numpy(), surface.fn(axes[0]).numpy()
        yy, xx = torch.meshgrid(axes[1], axes[0], indexing="ij")
        return axes[0].numpy(), axes[1].numpy(), surface.fn(xx, yy).numpy()


# --------------------------------------------------------------------------- 2-D surfaces
def bowl(condition: float = 10.0) -> Surface:
    """L = (x^2 + kappa y^2) / 2: curvature 1 along x and kappa along y.

    A step size stable across y (lr < 2 / kappa) crawls along x; that gap between the
    two directions is what momentum closes.
    """
    kappa = float(condition)
    return Surface(
        "bowl", f"Quadratic bowl (condition number {kappa:g})",
        lambda x, y: 0.5 * (x * x + kappa * y * y),
        ((-2.0, 2.0), (-2.0, 2.0)), ((0.0, 0.0),), (-1.8, 1.2),
        "A ravine when κ is large: the gradient points across it, not along it.",
    )


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _beale(x, y):
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def _himmelblau(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _saddle(x, y):
    return x * x - y * y + y ** 4 / 4


def _plateau(x, y):
    return 1 - torch.exp(-(x * x + y * y) / 2)


def _rastrigin(x, y):
    tau = 2 * math.pi
    return 20 + x * x - 10 * torch.cos(tau * x) + y * y - 10 * torch.cos(tau * y)


def _camel(x, y):
    return (4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (-4 + 4 * y ** 2) * y ** 2


def _styblinski_tang(x, y):
    return 0.5 * (x ** 4 - 16 * x ** 2 + 5 * x + y ** 4 - 16 * y ** 2 + 5 * y)


_ST = -2.903534027771178  # Styblinski-Tang's minimiser in each coordinate

SURFACES: dict[str, Surface] = {s.key: s for s in (
    bowl(),
    Surface("rosenbrock", "Rosenbrock's banana valley", _rosenbrock,
            ((-2.0, 2.0), (-1.0, 3.0)), ((1.0, 1.0),), (-1.5, 2.5),
            "Easy to reach the curved valley, slow to follow it to (1, 1).", log_color=True),
    Surface("beale", "Beale", _beale, ((-4.5, 4.5), (-4.5, 4.5)), ((3.0, 0.5),), (1.0, 1.6),
            "Flat arms and steep walls: values from 0 to 10⁵.", log_color=True),
    Surface("himmelblau", "Himmelblau (four minima)", _himmelblau,
            ((-5.0, 5.0), (-5.0, 5.0)),
            ((3.0, 2.0), (-2.805118094, 3.131312511), (-3.779310263, -3.283186002),
             (3.584428333, -1.848126533)),
            (-0.3, -0.9), "Four equal minima: which one you reach depends on the start.",
            log_color=True),
    Surface("saddle", "Saddle point", _saddle, ((-2.5, 2.5), (-2.5, 2.5)),
            ((0.0, math.sqrt(2)), (0.0, -math.sqrt(2))), (-2.0, 0.01),
            "The gradient vanishes at the saddle (0, 0) too: a start near y = 0 stalls there."),
    Surface("plateau", "Plateau", _plateau, ((-4.0, 4.0), (-4.0, 4.0)), ((0.0, 0.0),),
            (3.2, 2.6), "Far from the well the gradient is almost zero: plain steps barely move."),
    Surface("rastrigin", "Rastrigin (many local minima)", _rastrigin,
            ((-5.12, 5.12), (-5.12, 5.12)), ((0.0, 0.0),), (3.3, -2.2),
            "A bowl covered in bumps: every bump is a local minimum to get stuck in."),
    Surface("camel", "Six-hump camel", _camel, ((-3.0, 3.0), (-2.0, 2.0)),
            ((0.089842007, -0.712656408), (-0.089842007, 0.712656408)), (-1.8, -1.2),
            "Two global minima and four local ones.", log_color=True),
    Surface("styblinski", "Styblinski-Tang", _styblinski_tang, ((-5.0, 5.0), (-5.0, 5.0)),
            ((_ST, _ST),), (4.5, 4.2),
            "One global minimum and three local ones, at the corners of a square."),
)}


def get(key: str, condition: float = 10.0) -> Surface:
    """A named surface; the bowl is built with the given condition number."""
    return bowl(condition) if key == "bowl" else SURFACES[key]


def custom(text: str, extent: float = 3.0, dims: int = 2) -> Surface:
    """A loss typed as a formula in x (``dims=1``) or x and y, on ``[-extent, extent]``
    per axis; raises :class:`dlcore.formula.FormulaError` with the reason it refuses it."""
    from dlcore import formula  # here: only a typed formula needs the parser

    names = ("x", "y")[:dims]
    f = formula.parse(text, variables=names)
    title = f"L({', '.join(names)}) = {f.text}"
    start = (0.8 * extent,) if dims == 1 else (-0.8 * extent, 0.6 * extent)
    return Surface("custom", title, f, ((-extent, extent),) * dims, (), start)


# --------------------------------------------------------------------------- 1-D curves
CURVES: dict[str, Surface] = {s.key: s for s in (
    Surface("parabola", "Parabola L = x²", lambda x: x * x, ((-3.0, 3.0),), ((0.0,),), (2.5,),
            "One minimum; the gradient shrinks as you approach it."),
    Surface("double_well", "Double well L = x⁴ - 3x² + x", lambda x: x ** 4 - 3 * x * x + x,
            ((-2.2, 2.2),), ((-1.300839566,), (1.130901123,)), (2.0,),
            "A global minimum on the left, a local one on the right: start there and you stay."),
    Surface("wiggly", "Wiggly L = x²/4 + sin 3x", lambda x: x * x / 4 + torch.sin(3 * x),
            ((-5.0, 5.0),), ((-0.496011119,),), (4.0,),
            "Where d²L/dx² < 0 the tangent lies above the curve and steps speed up."),
    Surface("quartic", "Flat bottom L = x⁴", lambda x: x ** 4, ((-2.0, 2.0),), ((0.0,),), (1.6,),
            "d²L/dx² = 0 at the minimum: the last stretch takes many steps."),
)}


def derivatives(curve: Surface, xs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L, dL/dx and d2L/dx2 at each of ``xs``, by autograd.

    The curve is elementwise, so the gradient of the sum is each point's own
    derivative; the second pass differentiates the first (``create_graph``).
    """
    x = torch.as_tensor(np.asarray(xs, dtype=float), dtype=torch.float64).requires_grad_()
    loss = curve.fn(x)
    zeros = torch.zeros_like(x)
    if not loss.requires_grad:  # a constant curve
        return loss.detach().expand_as(x).numpy().copy(), zeros.numpy(), zeros.numpy()
    (d1,) = torch.autograd.grad(loss.sum(), x, create_graph=True)
    d2 = torch.autograd.grad(d1.sum(), x, allow_unused=True)[0] if d1.requires_grad else None
    return (loss.detach().numpy(), d1.detach().numpy(),
            (zeros if d2 is None else d2).detach().numpy())
