"""Teaching the pretrained network new classes from a few pictures, and the same from scratch.

The talk's "Fine-Tuning" slide: "use a model trained on ImageNet to classify new classes ...
takes a lot less time to converge". Three ways to learn the same pictures:

* ``head``: the network's 1,280 pooled features are kept frozen, and only a new linear
  layer (features -> your classes) is trained (a "linear probe"; Yosinski et al., "How
  transferable are features in deep neural networks?", NeurIPS 2014);
* ``last block``: the last inverted-residual block and the head convolution are trained
  too (a per-session deep copy of them: the shared network is never touched);
* ``scratch``: a small CNN, randomly initialised, on the same pictures at 64 x 64.

The pictures go through the frozen trunk once (:func:`prepare`); each training step then
costs a few milliseconds, so the head learns in well under a second on a CPU. Every
optimiser step is reported to a :class:`dlcore.training.Progress` callback.

A server runs many sessions' trainings in one process: :data:`SLOTS` lets two run at once
(one per core of a small server) and queues the rest, so the first people in a room who
press Train get their answer in seconds instead of everyone waiting for all of them
(``python benchmarks/imagenet.py``).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from dlcore import paths
from dlcore.shared import Slots
from dlcore.training import Callback, Progress, seed_everything

from . import imagenet

MODES = ("head", "last block", "scratch")
SMALL = 64  # side of the pictures the from-scratch CNN sees


SLOTS = Slots(2)  # trainings at once in this process (dlcore.shared.Slots)


@dataclass
class Config:
    steps: int = 60
    lr: dict[str, float] = field(default_factory=lambda: {
        "head": 3e-3, "last block": 1e-3, "scratch": 3e-3})
    weight_decay: float = 1e-4
    seed: int = 0


@dataclass
class Prepared:
    """Pictures after the frozen part of the network, ready for many cheap training steps."""
    trunk: torch.Tensor  # N x 192 x 7 x 7, input of the last block
    pooled: torch.Tensor  # N x 1280, input of the classifier layer
    small: torch.Tensor  # N x 3 x 64 x 64, input of the from-scratch CNN
    labels: torch.Tensor  # N class indices (-1 where unknown)

    def __len__(self) -> int:
        return len(self.labels)

    def inputs(self, mode: str) -> torch.Tensor:
        return {"head": self.pooled, "last block": self.trunk}.get(mode, self.small)

    def __add__(self, other: Prepared) -> Prepared:
        return Prepared(*(torch.cat([a, b]) for a, b in (
            (self.trunk, other.trunk), (self.pooled, other.pooled),
            (self.small, other.small), (self.labels, other.labels))))


def prepare(model: nn.Module, pictures: Sequence[Image.Image],
            labels: Sequence[int] | None = None, mirror: bool = False,
            chunk: int = 16, batch: torch.Tensor | None = None) -> Prepared:
    """Run the frozen trunk once over the pictures (and their mirror images if asked);
    ``batch``: the pictures already preprocessed (:func:`imagenet.batch`)."""
    x = imagenet.batch(pictures) if batch is None else batch
    y = torch.as_tensor(list(labels) if labels is not None else [-1] * len(pictures))
    if mirror:
        x, y = torch.cat([x, x.flip(3)]), torch.cat([y, y])
    trunks = torch.cat([imagenet.trunk(model, c) for c in x.split(chunk)])
    with torch.no_grad():
        pooled = imagenet.top_of(model)(trunks)
    trunks = trunks.contiguous()  # the usual layout, as prepare_once's files give it back
    small = F.interpolate(x, size=(SMALL, SMALL), mode="bilinear", antialias=True)
    return Prepared(trunks, pooled, small, y)


# ----------------------------------------------------------------------- features kept on disk
# The app's own fixed pictures (the held-out faces and drawings, the hot-dog examples) go
# through the frozen trunk once per machine, not once per server process: a cold server's
# fine-tuning slide took about 11 s, most of it the 160 held-out pictures. Only the app's
# pictures are kept, never a person's uploads. A file is named by the SHA-256 of everything
# its numbers depend on (the network's weights, the preprocessed pictures, the labels, the
# mirror flag, this code's version, torch's version), so a stale file is never read.
FEATURES_VERSION = 1  # raise when prepare() computes something else from the same inputs
FEATURES_KEPT = 12  # files in the folder at most (about 15 MB each for 160 pictures)
_DIGESTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _model_digest(model: nn.Module) -> str:
    digest = _DIGESTS.get(model)
    if digest is None:
        h = hashlib.sha256()
        for name, tensor in model.state_dict().items():
            h.update(name.encode())
            h.update(tensor.detach().contiguous().numpy())
        digest = _DIGESTS[model] = h.hexdigest()
    return digest


def _load(file: Path, n: int) -> Prepared | None:
    try:
        saved = torch.load(file, map_location="cpu", weights_only=True)
        got = Prepared(saved["trunk"], saved["pooled"], saved["small"], saved["labels"])
    except Exception:  # noqa: BLE001  missing, cut short or not ours (torch raises many
        return None    # kinds, unpickling errors among them): computed again
    return got if all(len(t) == n for t in (got.trunk, got.pooled, got.small)) else None


def prepare_once(model: nn.Module, pictures: Sequence[Image.Image],
                 labels: Sequence[int] | None = None, mirror: bool = False,
                 folder: Path | None = None) -> Prepared:
    """:func:`prepare`, read from ``folder`` (``paths.cache_dir("features")``) when this
    machine has computed it before, else computed and written there (where the folder
    cannot be written, only computed). For the app's own pictures only."""
    x = imagenet.batch(pictures)
    y = list(labels) if labels is not None else [-1] * len(pictures)
    h = hashlib.sha256(f"{FEATURES_VERSION} {torch.__version__} {mirror} {y}".encode())
    h.update(_model_digest(model).encode())
    h.update(x.numpy())
    folder = folder or paths.cache_dir("features")
    file = folder / f"{h.hexdigest()[:32]}.pt"
    n = len(pictures) * (2 if mirror else 1)
    got = _load(file, n)
    if got is not None:
        with contextlib.suppress(OSError):
            os.utime(file)  # kept longer: the folder drops the least recently used
        return got
    got = prepare(model, pictures, labels, mirror=mirror, batch=x)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(f".tmp{os.getpid()}")
        torch.save({"trunk": got.trunk, "pooled": got.pooled,
                    "small": got.small, "labels": got.labels}, tmp)
        os.replace(tmp, file)
        for old in sorted(folder.glob("*.pt"), key=lambda f: f.stat().st_mtime)[:-FEATURES_KEPT]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: computed each time, as before
    return got


class SmallCNN(nn.Module):
    """The from-scratch twin: three conv-ReLU-pool stages and a linear layer (about 24,000
    weights for three classes)."""

    def __init__(self, classes: int):
        super().__init__()
        chans = (3, 16, 32, 64)
        layers: list[nn.Module] = []
        for a, b in zip(chans, chans[1:], strict=False):
            layers += [nn.Conv2d(a, b, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(chans[-1], classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


class Finetuned(nn.Module):
    """A session's own classifier: a new linear layer, after a private copy of the top
    (mode ``last block``) or straight on the frozen features (mode ``head``)."""

    def __init__(self, model: nn.Module, classes: int, mode: str):
        super().__init__()
        self.mode = mode
        if mode == "last block":
            top = imagenet.top_of(model)
            self.block, self.conv, self.bn = (copy.deepcopy(m) for m in top.modules())
            self.act = top.act  # ReLU6: no weights
        self.fc = nn.Linear(imagenet.FEATURES, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "last block":
            x = imagenet.Top(self.block, self.conv, self.bn, self.act)(x)
        return self.fc(x)


@dataclass
class Trained:
    """What a training run leaves: the classifier and its learning curve."""
    mode: str
    classes: tuple[str, ...]
    net: nn.Module
    losses: list[float]
    accuracy: list[tuple[int, float]]  # (step, held-out accuracy) when a held-out set is given
    seconds: float

    def probs(self, prepared: Prepared) -> torch.Tensor:
        with torch.no_grad():
            return torch.softmax(self.net(prepared.inputs(self.mode)), dim=1)


def new_net(model: nn.Module, classes: int, mode: str) -> nn.Module:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    return SmallCNN(classes) if mode == "scratch" else Finetuned(model, classes, mode)


def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((net(x).argmax(1) == y).float().mean())


def fit(model: nn.Module, data: Prepared, classes: Sequence[str], mode: str = "head",
        config: Config | None = None, callback: Callback | None = None,
        held_out: Prepared | None = None, every: int = 5) -> Trained:
    """Train a new classifier for ``classes`` on prepared pictures, full batch, with Adam.

    Batch norm keeps ImageNet's statistics (a handful of pictures cannot estimate new
    ones), so the network's layers run in eval mode; only the weights learn. With
    ``held_out``, its accuracy is measured every ``every`` steps and at the end.
    """
    config = config or Config()
    if len(set(data.labels.tolist())) < 2:
        raise ValueError("training needs pictures of at least two classes")
    seed_everything(config.seed)
    net = new_net(model, len(classes), mode)
    net.eval()
    net.requires_grad_(True)  # the copied top comes frozen from the shared network
    opt = torch.optim.Adam(net.parameters(), lr=config.lr[mode], weight_decay=config.weight_decay)
    x, y = data.inputs(mode), data.labels
    losses: list[float] = []
    curve: list[tuple[int, float]] = []
    start = time.perf_counter()
    for step in range(1, config.steps + 1):
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        metrics = {}
        if held_out is not None and (step % every == 0 or step == config.steps):
            metrics["accuracy"] = accuracy(net, held_out.inputs(mode), held_out.labels)
            curve.append((step, metrics["accuracy"]))
        if callback is not None:
            callback(Progress(step, config.steps, losses[-1], time.perf_counter() - start,
                              metrics=metrics))
    net.requires_grad_(False)
    return Trained(mode, tuple(classes), net, losses, curve, time.perf_counter() - start)
