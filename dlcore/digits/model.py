"""The two digit readers of the talk's MNIST slides: a small CNN and a fully connected MLP.

The CNN follows LeNet-5 (LeCun et al., "Gradient-based learning applied to document
recognition", Proc. IEEE 1998, fig. 2): convolutions and pooling that shrink a 28x28
digit to a few feature maps, then a linear classifier. Modernised the usual way:
batch normalisation (Ioffe & Szegedy 2015), ReLU, 3x3 kernels after a 5x5 first layer,
and global average pooling (Lin et al., "Network in Network", 2014) in place of the big
fully connected layers, which keeps it under 100,000 parameters.

Pooling comes right after the convolution, before batch norm and ReLU: max-pooling
commutes with ReLU, and normalising a quarter of the pixels is a quarter of the work,
which matters when the whole training run has two CPU cores.

Inputs are 28x28 grey images, ink light on dark like MNIST, normalised by
:func:`normalise`. Weights are saved with their kind, config and metadata in one file
by the training core (:func:`dlcore.training.save`) and read back with
``torch.load(weights_only=True)`` (:func:`dlcore.training.load`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from dlcore import paths, training
from dlcore.training import count_params as count_params  # re-exported for the page

WEIGHTS = {kind: paths.asset(f"digits_{kind}.pt") for kind in ("cnn", "mlp")}
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # pixel mean and std of the MNIST training set


def normalise(images: torch.Tensor) -> torch.Tensor:
    """Pixels in [0, 1] (float) or [0, 255] (uint8) -> the network's input scale."""
    x = images.float() / 255.0 if images.dtype == torch.uint8 else images.float()
    return (x - MNIST_MEAN) / MNIST_STD


@dataclass(frozen=True)
class CNNConfig:
    channels: tuple[int, ...] = (32, 48, 64, 96)  # output channels of each conv layer
    first_kernel: int = 5
    pool_after: tuple[int, ...] = (0, 1)  # conv layers followed by a 2x2 max-pool
    dropout: float = 0.1


@dataclass(frozen=True)
class MLPConfig:
    hidden: tuple[int, ...] = (128, 64)
    dropout: float = 0.1


class DigitCNN(nn.Module):
    def __init__(self, config: CNNConfig = CNNConfig()):
        super().__init__()
        self.config = config
        blocks, in_ch = [], 1
        for i, out_ch in enumerate(config.channels):
            k = config.first_kernel if i == 0 else 3
            layers: list[nn.Module] = [nn.Conv2d(in_ch, out_ch, k, padding=k // 2, bias=False)]
            if i in config.pool_after:
                layers.append(nn.MaxPool2d(2))
            layers += [nn.BatchNorm2d(out_ch), nn.ReLU()]
            blocks.append(nn.Sequential(*layers))
            in_ch = out_ch
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Dropout(config.dropout), nn.Linear(in_ch, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with_maps(x)[0]

    def forward_with_maps(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits and the output of every convolution block (after pool, norm and ReLU)."""
        maps = []
        for block in self.blocks:
            x = block(x)
            maps.append(x)
        return self.head(x), maps

    def first_filters(self) -> torch.Tensor:
        """The learned first-layer kernels, [channels, 1, k, k]."""
        return self.blocks[0][0].weight.detach()


class DigitMLP(nn.Module):
    """The talk's "fully connected" network: every pixel wired to every hidden unit."""

    def __init__(self, config: MLPConfig = MLPConfig()):
        super().__init__()
        self.config = config
        layers: list[nn.Module] = [nn.Flatten()]
        in_features = 28 * 28
        for width in config.hidden:
            layers += [nn.Linear(in_features, width), nn.ReLU(), nn.Dropout(config.dropout)]
            in_features = width
        layers.append(nn.Linear(in_features, 10))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


KINDS = {"cnn": (DigitCNN, CNNConfig), "mlp": (DigitMLP, MLPConfig)}


def build(kind: str, config=None) -> nn.Module:
    if kind not in KINDS:
        raise ValueError(f"model must be one of {sorted(KINDS)}, not {kind!r}")
    model_cls, config_cls = KINDS[kind]
    return model_cls(config or config_cls())


def save(model: nn.Module, path: str | Path, meta: dict | None = None) -> Path:
    """Weights with ``kind``, ``config`` and ``meta`` (training stats) in one file."""
    kind = next(k for k, (cls, _) in KINDS.items() if isinstance(model, cls))
    config = {k: list(v) if isinstance(v, tuple) else v
              for k, v in dataclasses.asdict(model.config).items()}
    return training.save(path, model.state_dict(), {**(meta or {}), "kind": kind,
                                                    "config": config})


def load(kind: str = "cnn", path: str | Path | None = None,
         device: str | torch.device = "cpu") -> tuple[nn.Module, dict]:
    """A trained model in eval() mode, frozen, with its metadata.

    Raises :class:`~dlcore.paths.MissingAsset` (a FileNotFoundError) when the file is
    missing and :class:`~dlcore.paths.BrokenAsset` (a ValueError) when it is not a
    checkpoint or holds the other kind of model; each names the command that rebuilds it.
    """
    path = Path(path) if path else WEIGHTS[kind]

    def read(path: Path) -> tuple[nn.Module, dict]:
        state_dict, meta = training.load(path, map_location=device)
        if meta.get("kind") != kind:
            raise ValueError(f"{path} holds a {meta.get('kind')!r} model, not {kind!r}")
        config_cls = KINDS[kind][1]
        config = config_cls(**{k: tuple(v) if isinstance(v, list) else v
                               for k, v in meta["config"].items()})
        model = build(kind, config).to(device)
        model.load_state_dict(state_dict)
        return model, meta

    model, meta = paths.read_asset(path, read)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, meta


@torch.no_grad()
def predict_proba(model: nn.Module, digits: np.ndarray | torch.Tensor) -> np.ndarray:
    """The ten class probabilities for one 28x28 digit ([10]) or a batch ([N, 10]).

    ``digits``: uint8 in [0, 255] or float in [0, 1], ink light on dark.
    """
    x = torch.as_tensor(np.asarray(digits))
    single = x.ndim == 2
    x = normalise(x.reshape(-1, 1, 28, 28)).to(_device(model))
    probs = F.softmax(model(x), dim=1).cpu().numpy()
    return probs[0] if single else probs


@torch.no_grad()
def feature_maps(model: DigitCNN, digit: np.ndarray | torch.Tensor) -> list[np.ndarray]:
    """Each conv block's output for one 28x28 digit: a list of [channels, h, w] arrays."""
    x = normalise(torch.as_tensor(np.asarray(digit)).reshape(1, 1, 28, 28)).to(_device(model))
    return [m[0].cpu().numpy() for m in model.forward_with_maps(x)[1]]


def _device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def tile(maps: np.ndarray | torch.Tensor, nrow: int = 8, signed: bool = False,
         zoom: int = 1) -> np.ndarray:
    """Maps or kernels [C, h, w] side by side as one grey uint8 picture (``make_grid``).

    One scale for the whole grid, so a quiet map looks quiet. ``signed``: zero is mid
    grey, positive light, negative dark (for kernels).
    """
    from torchvision.utils import make_grid

    x = torch.as_tensor(np.asarray(maps), dtype=torch.float32)
    top = float(x.abs().max()) or 1.0
    x = (x / top + 1) / 2 if signed else x.clamp(min=0) / top
    grid = make_grid(x.unsqueeze(1), nrow=nrow, padding=1, pad_value=1.0)[0]
    img = (grid.numpy() * 255).round().astype(np.uint8)
    return np.kron(img, np.ones((zoom, zoom), np.uint8)) if zoom > 1 else img
