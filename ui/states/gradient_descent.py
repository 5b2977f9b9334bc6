"""The gradient-descent page's settings: every one of them is in its link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dlcore import descent, formula, race, surfaces
from ui import codec

MODES = ("2d", "1d", "model")
DATA_N = race.DATA_N  # points of the line-fitting model
FORMULA_MAX = formula.MAX_LENGTH  # (a field below is named formula)


@dataclass
class DescentState:
    PAGE: ClassVar[str] = "gradient_descent"
    mode: str = codec.param("2d", choices=MODES)
    surface: str = codec.param("bowl", choices=(*surfaces.SURFACES, "custom"))
    kappa: float = codec.param(10.0, lo=1.0, hi=100.0)  # the bowl's condition number
    formula: str = codec.param("x**2 + 3*sin(y)", max_len=FORMULA_MAX)
    curve: str = codec.param("double_well", choices=(*surfaces.CURVES, "custom"))
    formula1d: str = codec.param("x**4 - 3*x**2 + x", max_len=FORMULA_MAX)
    extent: float = codec.param(3.0, lo=0.5, hi=50.0)  # a custom formula's plot range
    opts: tuple[str, ...] = codec.param(("gd", "momentum", "adam"),
                                      choices=tuple(descent.OPTIMIZERS))
    lr_exp: float = codec.param(-1.0, lo=-5.0, hi=1.0)  # learning rate = 10 ** lr_exp
    momentum: float = codec.param(0.9, lo=0.0, hi=0.99)
    beta1: float = codec.param(0.9, lo=0.0, hi=0.999)
    beta2: float = codec.param(0.999, lo=0.0, hi=0.9999)
    steps: int = codec.param(100, lo=5, hi=1000)
    step: int = codec.param(0, lo=0, hi=1000)  # the step on show
    own_start: bool = codec.param(False)
    x0: float = codec.param(0.0, lo=-100.0, hi=100.0)
    y0: float = codec.param(0.0, lo=-100.0, hi=100.0)
    batch: int = codec.param(DATA_N, lo=1, hi=DATA_N)
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)


@dataclass(frozen=True)
class Preset:
    """A view worth a link, and the one sentence it teaches (checked on the real run by
    ``tests/test_descent_presets.py``)."""
    name: str
    lesson: str
    fields: dict

    @property
    def state(self) -> DescentState:
        return DescentState(**self.fields)


PRESETS: tuple[Preset, ...] = (
    Preset("The talk's slide: one curve, plain steps",
           "From x = 2 the steps roll into the nearer valley, x ≈ 1.13, and stop there: the "
           "slope only says which way is down where you stand, so the deeper valley at "
           "x ≈ −1.30 is never found.",
           {"mode": "1d", "opts": ("gd",), "lr_exp": -1.5, "steps": 40}),
    Preset("Ill-conditioned bowl, with and without momentum",
           "Plain descent's first steps bounce between the steep walls, but within five "
           "steps the bounce has died down and it crawls along the flat valley floor. "
           "Momentum keeps its speed: it swings across the ravine again and again and "
           "overshoots the minimum to x ≈ 0.7, yet reaches it in about half the steps "
           "(61 against 119).",
           {"kappa": 50, "opts": ("gd", "momentum"), "lr_exp": -1.5, "steps": 200}),
    Preset("Rosenbrock: momentum follows the curved valley",
           "At a step small enough for SGD to survive the steep walls (ε = 0.001), SGD crawls "
           "along the banana valley and Adam, whose steps are about ε long, is still far "
           "away after 1,000 steps; momentum gathers speed and reaches the minimum (1, 1).",
           {"surface": "rosenbrock", "opts": ("sgd", "momentum", "adam"), "lr_exp": -3,
            "steps": 1000}),
    Preset("Too large a step diverges",
           "At ε = 0.25 each plain step overshoots the steep direction by more than it "
           "corrects, and the run diverges within ten steps; Adam's steps are normalised, "
           "stay bounded and reach the minimum.",
           {"kappa": 10, "opts": ("gd", "adam"), "lr_exp": -0.6, "steps": 60}),
    Preset("Plateau: adaptive steps escape",
           "On a flat plateau the gradient is tiny, so plain steps and momentum barely move; "
           "RMSprop and Adam divide by the gradient's recent size and walk off it to the "
           "minimum.",
           {"surface": "plateau", "opts": ("gd", "momentum", "rmsprop", "adam"), "lr_exp": -1,
            "steps": 200}),
    Preset("Saddle point",
           "From (−2, 0.01), just off the line y = 0, plain steps and momentum first roll "
           "down to the saddle at (0, 0), where the gradient almost vanishes. Plain steps "
           "linger near it for dozens of steps and have not reached a minimum after 300; "
           "momentum rushes through and is the first to reach one (step 83). Adam's steps "
           "are all about ε long, in x and y alike: it drifts off y = 0 from the start, "
           "never comes near the saddle, and crawls along x.",
           {"surface": "saddle", "opts": ("gd", "momentum", "adam"), "lr_exp": -2,
            "steps": 300}),
    Preset("Many local minima (Rastrigin)",
           "On Rastrigin's egg box every optimizer ends in, or bounces between, local minima: "
           "none of them finds the global minimum at (0, 0).",
           {"surface": "rastrigin", "opts": ("gd", "momentum", "adam"), "lr_exp": -2,
            "steps": 300}),
    Preset("A real model with minibatch noise",
           "With minibatches of 4 of the 40 points each step follows a noisy gradient: in "
           "the loss-against-step panel plain descent's loss goes up on a third of the "
           "steps or more (on seeds 0–9), where on all 40 points it falls at every step; "
           "momentum carries the noise along and swings higher still.",
           {"mode": "model", "opts": ("gd", "momentum"), "lr_exp": -1.3, "batch": 4,
            "steps": 150}),
)
