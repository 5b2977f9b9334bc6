"""The "Draw a digit" page's pipeline: perturb a 28x28 digit, then ask every network.

One call, :func:`read`, takes the digit the networks see (from a drawing prepared by
:mod:`dlcore.digits.preprocess`, a test digit or a mistake), applies the page's
:class:`Perturbation` (shift, rotation, stroke width: :func:`dlcore.digits.augment.perturb`)
and returns a :class:`Reading`: the input the networks saw, each network's ten
probabilities and :func:`verdict`, and the perturbation in words. The page only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from dlcore.digits.augment import perturb
from dlcore.digits.model import predict_proba

NOT_SURE_BELOW = 0.7  # a top probability below this is answered "not sure"


@dataclass(frozen=True)
class Perturbation:
    """The page's sliders: pixels right and down, degrees clockwise, stroke pixels."""
    shift_x: int = 0
    shift_y: int = 0
    rotate: int = 0
    stroke: int = 0  # thinner < 0 < thicker

    def __bool__(self) -> bool:
        return any((self.shift_x, self.shift_y, self.rotate, self.stroke))

    def describe(self) -> list[str]:
        """The changes in words, in the order they are applied to the picture."""
        words = []
        if self.stroke:
            words.append(f"strokes {abs(self.stroke)} px "
                         f"{'thicker' if self.stroke > 0 else 'thinner'}")
        if self.shift_x or self.shift_y:
            words.append(f"shifted {self.shift_x:+d} px across, {self.shift_y:+d} px down")
        if self.rotate:
            words.append(f"turned {self.rotate}° clockwise")
        return words

    def apply(self, digit: np.ndarray) -> np.ndarray:
        """The perturbed copy of a uint8 28x28 digit (uint8 28x28)."""
        if not self:
            return np.asarray(digit, dtype=np.uint8).copy()
        x = torch.from_numpy(np.asarray(digit, dtype=np.float32) / 255)[None, None]
        out = perturb(x, (float(self.shift_x), float(self.shift_y)), float(self.rotate),
                      self.stroke)
        return (out[0, 0].numpy() * 255).round().astype(np.uint8)


@dataclass(frozen=True)
class Answer:
    """One network's reading: its ten probabilities, its top digit and whether it is sure."""
    probs: np.ndarray
    top: int
    p: float
    sure: bool


@dataclass
class Reading:
    """What the networks made of a digit, after the perturbation."""
    seen: np.ndarray  # uint8 28x28: the input the networks read
    answers: dict[str, Answer] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)


def verdict(probs: np.ndarray, not_sure_below: float = NOT_SURE_BELOW) -> tuple[int, float, bool]:
    """The top answer, its probability, and whether that is sure enough to say."""
    top = int(np.argmax(probs))
    return top, float(probs[top]), bool(probs[top] >= not_sure_below)


def read(digit: np.ndarray, models: dict[str, torch.nn.Module],
         perturbation: Perturbation = Perturbation()) -> Reading:
    """Perturb a uint8 28x28 digit (light ink on dark) and ask every model."""
    digit = np.asarray(digit)
    if digit.shape != (28, 28):
        raise ValueError(f"expected a 28x28 digit, got shape {digit.shape}")
    seen = perturbation.apply(digit)
    reading = Reading(seen, changes=perturbation.describe())
    for name, model in models.items():
        probs = predict_proba(model, seen)
        reading.answers[name] = Answer(probs, *verdict(probs))
    return reading
