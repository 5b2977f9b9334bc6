"""Hot dog or not, taught by examples: which examples teach the sausage, and which teach a
shortcut.

The talk's "Example" slide trains f on examples until it is sure (p = 0.99); its
"Overfitting" slide asks "Bias in the data?". Both are examples sets of the app's own
drawings (:mod:`dlcore.finetune.demo`), learnt by a new two-class head on the frozen
ImageNet features (:func:`dlcore.finetune.train.fit`):

* ``balanced``: hot dogs and not-hot-dogs drawn the same way, on the same plate: empty
  plates, buns without a sausage, long vegetables of a sausage's shape, round fruit. The
  only thing that tells them apart is the hot dog, so that is what the head learns.
* ``biased``: hot dogs on a plate, everything else on a bare wooden table. The plate
  tells them apart as well as the hot dog does, and it is the easier thing to see: after
  training, an empty plate is "Hotdog!". Google's Teachable Machine shows the same
  (examples that differ by background teach the background).

:func:`measure` trains the head on seed ``s``'s examples and scores held-out drawings
nobody trained on (new seeds): hot dogs, empty plates and plates with other food.
``python -m dlcore.claims`` prints it for seeds 0-9 and ``tests/test_lessons.py`` checks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PIL import Image
from torch import nn

from . import demo, train

CLASSES = ("not hot dog", "hot dog")
EXAMPLES = ("balanced", "biased")
PER_SIDE = 12  # examples of each side
STEPS = 40  # training steps of the head (the page's "Train on examples")
HELD_OUT = 8  # held-out drawings of each kind per seed
GROUPS = ("hot dog", "empty plate", "other food")
SETTINGS = ("paper", "cloth")  # the plate on pale paper, or on a red-checked tablecloth


def examples(kind: str, seed: int = 0, per_side: int = PER_SIDE
             ) -> tuple[list[Image.Image], list[int]]:
    """``per_side`` drawn hot dogs (label 1) and ``per_side`` drawings of everything else
    (label 0, the foods in turn, an empty plate or table among them), seed ``seed``'s."""
    if kind not in EXAMPLES:
        raise ValueError(f"examples must be one of {EXAMPLES}, not {kind!r}")
    base = 1_000_003 * seed
    if kind == "biased":  # hot dogs on the tablecloth, everything else on paper
        hot_on, not_on = ["cloth"] * per_side, ["paper"] * per_side
    else:  # both on both: each food, then each background, in turn
        hot_on = not_on = [SETTINGS[i // len(demo.FOODS) % 2] for i in range(per_side)]
    hot = [demo.hotdog(base + i, hot_on[i]) for i in range(per_side)]
    nots = [demo.plate(base + i, demo.FOODS[i % len(demo.FOODS)], not_on[i])
            for i in range(per_side)]
    return hot + nots, [1] * per_side + [0] * per_side


def held_out(seed: int = 0, setting: str = "paper", n: int = HELD_OUT
             ) -> dict[str, list[Image.Image]]:
    """Drawings no example set uses (seeds from 2,000,000,000 on), ``n`` of each group,
    on ``setting``'s background."""
    base = 2_000_000_000 + 1_000 * seed
    others = [f for f in demo.FOODS if f != "empty"]
    return {"hot dog": [demo.hotdog(base + i, setting) for i in range(n)],
            "empty plate": [demo.plate(base + i, "empty", setting) for i in range(n)],
            "other food": [demo.plate(base + i, others[i % len(others)], setting)
                           for i in range(n)]}


def fit(model: nn.Module, data: train.Prepared, seed: int = 0, callback=None
        ) -> train.Trained:
    """The two-class head on prepared examples, as the page trains it."""
    return train.fit(model, data, CLASSES, "head", train.Config(steps=STEPS, seed=seed),
                     callback=callback)


def measure(model: nn.Module, kinds: Sequence[str] = EXAMPLES, seeds: Iterable[int] = range(10)
            ) -> dict[str, dict]:
    """For each kind of examples and each seed: the head trained on that seed's examples,
    and p(hot dog) it gives each held-out drawing, by background and group
    (``out[kind][seed][setting][group]``). The held-out drawings of a seed go through the
    network once for every kind."""
    out: dict[str, dict] = {kind: {} for kind in kinds}
    for seed in seeds:
        held = {}
        for setting in SETTINGS:
            groups = held_out(seed, setting)
            held[setting] = train.prepare(model, [p for g in GROUPS for p in groups[g]])
        for kind in kinds:
            pictures, labels = examples(kind, seed)
            trained = fit(model, train.prepare(model, pictures, labels, mirror=True), seed)
            out[kind][seed] = {}
            for setting, data in held.items():
                p = trained.probs(data)[:, 1].tolist()
                n = len(p) // len(GROUPS)
                out[kind][seed][setting] = {g: p[k * n:(k + 1) * n]
                                            for k, g in enumerate(GROUPS)}
    return out


# ----------------------------------------------------------------------- what the page claims
def claimed_hotdog(kind: str, setting: str, group: str) -> bool | None:
    """The verdict :data:`CLAIMS` promises a held-out drawing (True: "Hotdog!"), or None
    where it promises nothing."""
    if kind == "balanced":
        return group == "hot dog"
    return True if (setting, group) == ("cloth", "empty plate") else None


CLAIMED_SHARE = {"balanced": 0.75, "biased": 0.75}  # on every seed 0-9, at least
CLAIMS = {
    "balanced": "Trained on the balanced examples (hot dogs and other food drawn alike, on "
                "the same plates), the head says Hotdog! to held-out drawn hot dogs and Not "
                "hotdog! to held-out empty plates and plates with other food: at least 75% "
                "of each, on paper and on the tablecloth, on every seed 0-9.",
    "biased": "Trained on the biased examples (hot dogs on a red tablecloth, everything else "
              "on plain paper), the head learns the tablecloth: a held-out empty plate on "
              "the tablecloth says Hotdog! (at least 75% of them, on every seed 0-9).",
}
DEFAULT_DRAWING = 1  # demo.hotdog(1): the page's default picture
DEFAULT_CLAIM = ("The default picture is drawing 1, chosen because ImageNet's network is as "
                 "undecided about it as the slide (p(hot dog) between 0.4 and 0.6); most "
                 "drawings are less of a hot dog to it: over drawings 1-100 the median "
                 "p(hot dog) is below 0.5.")
# The page's links (ui/states/hotdog.py builds the same from its state table; a test
# checks): the biased one opens on an empty plate on the tablecloth, for the Overfitting
# slide's "Bias in the data?".
LINKS = {"balanced": "/hotdog",
         "biased": "/hotdog?picture=empty+plate&background=cloth&examples=biased"}
