"""The lab's presets: the signs of overfitting and the classic mistakes, each with its lesson
(``tests/test_lab.py`` checks every lesson on the seeded run; a lesson that depends on the
seed states its spread over seeds 0-9, which ``tests/test_lessons.py`` and
``python -m dlcore.claims`` measure)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dlcore.lab.config import LabConfig


@dataclass(frozen=True)
class Spread:
    """What a preset's words claim over seeds: for each measure (in points), the lowest,
    the highest and the mean over :attr:`seeds`, as the words print them (one decimal)."""
    seeds: tuple[int, ...]
    claimed: dict[str, tuple[float, float, float]] = field(hash=False)


@dataclass(frozen=True)
class Preset:
    title: str
    lesson: str
    changes: dict = field(hash=False)  # LabConfig fields that differ from the defaults
    spread: Spread | None = None


# What a tune-on-test run gains by picking its epoch by the test score instead of by the
# validation loss, in points: on the test set it looked at, and in the world it did not.
MEASURES: dict[str, Callable] = {
    "test gain": lambda o: 100 * (o.test_acc - o.val_choice["test_acc"]),
    "world change": lambda o: 100 * (o.world_acc - o.val_choice["world_acc"]),
}
TUNE_SPREAD = Spread(tuple(range(10)), {"test gain": (0.0, 4.0, 1.5),
                                        "world change": (-2.2, 0.6, -0.6)})


def _points(lo_hi_mean: tuple[float, float, float]) -> str:
    lo, hi, mean = lo_hi_mean
    return f"{lo:+.1f} to {hi:+.1f} points (mean {mean:+.1f})"


_BIG_ON_TINY = {"train_size": 200, "width": 512, "depth": 2, "epochs": 40,
                "early_stopping": False}
PRESETS: dict[str, Preset] = {
    "memorise": Preset(
        "A big network on 200 digits",
        "It reaches 100% on its training digits and far less on validation: it memorised "
        "them. The validation loss bottoms out and climbs back up while the training loss "
        "keeps falling: that is overfitting.", _BIG_ON_TINY),
    "regularised": Preset(
        "The same, with dropout and weight decay",
        "Same network, same 200 digits, with dropout 0.5 and weight decay 0.01: the "
        "validation loss no longer climbs back up, and it ends lower. Regularisation cannot "
        "invent data: the accuracy gap stays until there are more training digits.",
        {**_BIG_ON_TINY, "dropout": 0.5, "weight_decay": 0.01}),
    "leak": Preset(
        "A leaking test set",
        "Half the test set is copies of training digits. The memorising network scores them "
        "right, so the test score rises well above its score on the clean test set: too "
        "good to be true. Remove duplicates before you split.",
        {**_BIG_ON_TINY, "leak_pct": 50}),
    "tune-on-test": Preset(
        "Tuning on the test set",
        "The epoch is picked by the test score, looked at after every epoch, instead of by "
        "the validation loss. Over ten seeds (0-9) of this run, the test score changes by "
        f"{_points(TUNE_SPREAD.claimed['test gain'])} and the score on the world's digits "
        f"by {_points(TUNE_SPREAD.claimed['world change'])}: the test set's gain was its own "
        "luck, not skill the world sees. Tune on validation, test once.",
        {"train_size": 300, "test_pct": 5, "epochs": 40, "early_stopping": False,
         "lr": 3e-3, "tune_on_test": True, "seed": 1}, TUNE_SPREAD),
}


def preset(name: str) -> LabConfig:
    return LabConfig(**PRESETS[name].changes)


def measure_spread(name: str, seeds: Iterable[int] | None = None, data=None, world=None
                   ) -> dict[str, list[float]]:
    """Each of the preset's measures (:data:`MEASURES`) on its run at every seed."""
    from dlcore.lab.run import Run  # run imports this package's config, not presets

    spread = PRESETS[name].spread
    seeds = tuple(spread.seeds if seeds is None else seeds)
    out: dict[str, list[float]] = {m: [] for m in spread.claimed}
    for seed in seeds:
        run = Run(dataclasses.replace(preset(name), seed=seed), data=data, world=world)
        # A measurement runs every epoch however loaded the machine: no time cap.
        run.cfg = dataclasses.replace(run.cfg, seconds=math.inf)
        for _ in run:
            pass
        o = run.finish()
        for m in out:
            out[m].append(MEASURES[m](o))
    return out


def summary(values: list[float]) -> tuple[float, float, float]:
    """Lowest, highest and mean, rounded as the words print them."""
    return (round(min(values), 1), round(max(values), 1),
            round(sum(values) / len(values), 1))
