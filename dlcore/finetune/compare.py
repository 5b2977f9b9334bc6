"""Fine-tuned against from scratch, on held-out pictures, as the pictures per class grow.

The talk's "Fine-Tuning" slide says a pretrained network is "great for smaller datasets".
:func:`curve` measures it: for each number of training pictures per class, the same
seeded pictures train the fine-tuned network (a new head, or the last block too) and the
small CNN from scratch for the same steps, and both are scored on held-out pictures that
are new pictures (:func:`dlcore.finetune.demo.held_out_set`: the last 80 faces and
non-faces of scikit-image's LFW subset), never other crops of a training picture.

The pictures go through the frozen network once (the largest set, then its first ``n``
per class), so a whole curve costs the features of about 200 pictures and a few hundred
cheap training steps. ``python -m dlcore.claims`` prints it for seeds 0-9.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from . import demo, train

SIZES = (2, 3, 5, 10, 20)  # training pictures per class on the chart
DEFAULT_CLASSES = ("face", "not face")


def _subset(data: train.Prepared, keep: torch.Tensor) -> train.Prepared:
    return train.Prepared(data.trunk[keep], data.pooled[keep], data.small[keep],
                          data.labels[keep])


def first_per_class(data: train.Prepared, n: int) -> train.Prepared:
    """The first ``n`` pictures of each class (a demo set of ``n``, same seed)."""
    keep = torch.zeros(len(data), dtype=torch.bool)
    for k in data.labels.unique():
        keep[torch.nonzero(data.labels == k).flatten()[:n]] = True
    return _subset(data, keep)


def prepare_pool(model: nn.Module, classes: Sequence[str], seed: int
                 ) -> tuple[train.Prepared, train.Prepared]:
    """The largest training set of ``seed`` and the held-out set, through the network."""
    pool = train.prepare_once(model, *demo.demo_set(classes, max(SIZES), seed))
    return pool, train.prepare_once(model, *demo.held_out_set(classes))


def reseeded(pool: train.Prepared, seed: int) -> train.Prepared:
    """Seed 0's pool of faces and non-faces in the order seed ``seed`` takes them (the same
    pictures: the network's features are computed once for every seed)."""
    index, start = [], 0
    for k in range(int(pool.labels.max()) + 1):
        base = demo.face_order(0, k)
        where = {picture: start + i for i, picture in enumerate(base)}
        index += [where[picture] for picture in demo.face_order(seed, k)]
        start += len(base)
    return _subset(pool, torch.as_tensor(index))


def curve(model: nn.Module, classes: Sequence[str] = DEFAULT_CLASSES, steps: int = 20,
          mode: str = "head", seed: int = 0, sizes: Sequence[int] = SIZES,
          prepared: tuple[train.Prepared, train.Prepared] | None = None
          ) -> dict[str, list[float]]:
    """Held-out accuracy of ``{"fine-tuned": [...], "from scratch": [...]}``, one value per
    entry of ``sizes`` (training pictures per class), both trained ``steps`` steps."""
    pool, held = prepared or prepare_pool(model, classes, seed)
    config = train.Config(steps=steps, seed=seed)
    out: dict[str, list[float]] = {"fine-tuned": [], "from scratch": []}
    for n in sizes:
        data = first_per_class(pool, n)
        for name, how in (("fine-tuned", mode), ("from scratch", "scratch")):
            trained = train.fit(model, data, classes, how, config)
            out[name].append(train.accuracy(trained.net, held.inputs(how), held.labels))
    return out


# The fine-tuning page's defaults (ui/states/fine_tuning.py reads them) and its claim.
DEFAULTS = {"classes": DEFAULT_CLASSES, "per_class": 3, "steps": 20, "mode": "head"}
CLAIMED_GAP = 10.0  # points
CLAIM = ("At the defaults (3 faces and 3 non-faces, 20 steps, a new head), the fine-tuned "
         "network beats the CNN from scratch on the 160 held-out pictures by at least 10 "
         "points of accuracy, on average over seeds 0-9.")
