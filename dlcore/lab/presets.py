"""The lab's presets: the signs of overfitting and the classic mistakes, each with its lesson
(``tests/test_lab.py`` checks every lesson on the seeded run)."""

from __future__ import annotations

from dataclasses import dataclass

from dlcore.lab.config import LabConfig


@dataclass(frozen=True)
class Preset:
    title: str
    lesson: str
    changes: dict  # LabConfig fields that differ from the defaults


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
        "The epoch is picked by the test score, looked at after every epoch. The test score "
        "rises above what the validation set would have picked, but on the world's digits "
        "the gain is not there: it was the test set's luck. Tune on validation, test once.",
        {"train_size": 300, "test_pct": 5, "epochs": 40, "early_stopping": False,
         "lr": 3e-3, "tune_on_test": True, "seed": 1}),
}


def preset(name: str) -> LabConfig:
    return LabConfig(**PRESETS[name].changes)
