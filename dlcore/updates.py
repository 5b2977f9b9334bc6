"""Each optimizer's update rule, written out with the real numbers of one step.

:func:`explain` takes a recorded :class:`dlcore.descent.Run` and a step index and
returns the lines of that step's update: the gradient, the optimizer's state (the
velocity of momentum, the squared-gradient sums and averages of Adagrad, RMSprop and
Adam) and the new point, each as a symbol, its formula (LaTeX) and its value. The state
values are the ones torch kept; the rules are torch's own, as documented for
``torch.optim`` (https://pytorch.org/docs/stable/optim.html), and the tests check every
value written out against the rules computed independently, by hand.

References: Polyak (1964) and Sutskever et al. (2013) for momentum and Nesterov;
Duchi et al. (2011) Adagrad; Hinton's lecture 6e (2012) RMSprop; Kingma & Ba (2015)
Adam; Loshchilov & Hutter (2019) AdamW.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlcore.descent import ADAGRAD_EPS, Run


@dataclass(frozen=True)
class Line:
    symbol: str  # LaTeX, e.g. "v"
    formula: str  # LaTeX, e.g. r"\mu v + g"
    value: np.ndarray | float


def explain(run: Run, step: int) -> list[Line]:
    """The update that took ``run.points[step]`` to ``run.points[step + 1]``.

    Raises IndexError when the run has no such step (it is shorter, or diverged).
    """
    if not 0 <= step < run.steps:
        raise IndexError(f"step {step} is outside the run's {run.steps} steps")
    cfg, name = run.config, run.config.name
    x, g, x_new = run.points[step], run.grads[step], run.points[step + 1]
    s = {key: h[step] for key, h in run.state.items()}
    t = step + 1  # torch counts steps from 1
    lines = [Line("x", "", x), Line("g", r"\nabla f(x)", g)]
    if name in ("gd", "sgd"):
        lines.append(Line(r"\epsilon", "", cfg.lr))
        lines.append(Line("x'", r"x - \epsilon\, g", x_new))
    elif name in ("momentum", "nesterov"):
        first = step == 0
        lines += [Line(r"\epsilon", "", cfg.lr), Line(r"\mu", "", cfg.momentum),
                  Line("v", "g" if first else r"\mu\, v + g", s["momentum_buffer"])]
        if name == "momentum":
            lines.append(Line("x'", r"x - \epsilon\, v", x_new))
        else:
            lines.append(Line("x'", r"x - \epsilon\,(g + \mu\, v)", x_new))
    elif name == "adagrad":
        lines += [Line(r"\epsilon", "", cfg.lr), Line(r"\delta", "", ADAGRAD_EPS),
                  Line("s", r"s + g^2", s["sum"]),
                  Line("x'", r"x - \epsilon\, g / (\sqrt{s} + \delta)", x_new)]
    elif name == "rmsprop":
        lines += [Line(r"\epsilon", "", cfg.lr), Line(r"\alpha", "", cfg.alpha),
                  Line(r"\delta", "", cfg.eps),
                  Line("s", r"\alpha\, s + (1 - \alpha)\, g^2", s["square_avg"]),
                  Line("x'", r"x - \epsilon\, g / (\sqrt{s} + \delta)", x_new)]
    elif name in ("adam", "adamw"):
        b1, b2 = cfg.betas
        m, v = s["exp_avg"], s["exp_avg_sq"]
        lines += [Line(r"\epsilon", "", cfg.lr), Line(r"\beta_1", "", b1),
                  Line(r"\beta_2", "", b2), Line(r"\delta", "", cfg.eps)]
        if name == "adamw":
            lines.append(Line(r"\lambda", "", cfg.weight_decay))
        lines += [Line("m", r"\beta_1 m + (1 - \beta_1)\, g", m),
                  Line("v", r"\beta_2 v + (1 - \beta_2)\, g^2", v),
                  Line(r"\hat m", rf"m / (1 - \beta_1^{{{t}}})", m / (1 - b1 ** t)),
                  Line(r"\hat v", rf"v / (1 - \beta_2^{{{t}}})", v / (1 - b2 ** t))]
        decay = r"(1 - \epsilon\lambda)\, x" if name == "adamw" else "x"
        lines.append(Line("x'", rf"{decay} - \epsilon\, \hat m / (\sqrt{{\hat v}} + \delta)",
                          x_new))
    return lines
