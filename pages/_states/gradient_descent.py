"""The gradient-descent page's settings: every one of them is in its link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dlcore import descent, formula, surfaces
from pages import _ui

MODES = ("2d", "1d", "model")
DATA_N = 40  # points of the line-fitting model
FORMULA_MAX = formula.MAX_LENGTH  # (a field below is named formula)


@dataclass
class DescentState:
    PAGE: ClassVar[str] = "gradient_descent"
    mode: str = _ui.param("2d", choices=MODES)
    surface: str = _ui.param("bowl", choices=(*surfaces.SURFACES, "custom"))
    kappa: float = _ui.param(10.0, lo=1.0, hi=100.0)  # the bowl's condition number
    formula: str = _ui.param("x**2 + 3*sin(y)", max_len=FORMULA_MAX)
    curve: str = _ui.param("double_well", choices=(*surfaces.CURVES, "custom"))
    formula1d: str = _ui.param("x**4 - 3*x**2 + x", max_len=FORMULA_MAX)
    extent: float = _ui.param(3.0, lo=0.5, hi=50.0)  # a custom formula's plot range
    opts: tuple[str, ...] = _ui.param(("gd", "momentum", "adam"),
                                      choices=tuple(descent.OPTIMIZERS))
    lr_exp: float = _ui.param(-1.0, lo=-5.0, hi=1.0)  # learning rate = 10 ** lr_exp
    momentum: float = _ui.param(0.9, lo=0.0, hi=0.99)
    beta1: float = _ui.param(0.9, lo=0.0, hi=0.999)
    beta2: float = _ui.param(0.999, lo=0.0, hi=0.9999)
    steps: int = _ui.param(100, lo=5, hi=1000)
    step: int = _ui.param(0, lo=0, hi=1000)  # the step on show
    own_start: bool = _ui.param(False)
    x0: float = _ui.param(0.0, lo=-100.0, hi=100.0)
    y0: float = _ui.param(0.0, lo=-100.0, hi=100.0)
    batch: int = _ui.param(DATA_N, lo=1, hi=DATA_N)
    seed: int = _ui.param(0, lo=0, hi=2**31 - 1)
