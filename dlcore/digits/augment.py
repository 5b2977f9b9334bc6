"""Distortions of handwritten digits, for training and for the page's "perturb" controls.

The classic MNIST augmentations (Simard, Steinkraus & Platt, "Best practices for
convolutional neural networks applied to visual document analysis", ICDAR 2003):
affine maps (shift, rotation, scale, shear) and elastic distortion, a smooth random
displacement field. Stroke thickness (grey-level dilation and erosion) stands in for
the pens and brush widths of a drawing canvas.

Everything works on whole batches [B, 1, 28, 28] of floats in [0, 1] with tensor ops
(``affine_grid`` + ``grid_sample``, max-pooling), so augmenting a batch costs little next
to a training step. The same functions, with fixed instead of random amounts, are the
page's perturbation sliders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

SIZE = 28


@dataclass(frozen=True)
class AugmentConfig:
    max_rotation_deg: float = 10.0
    scale: tuple[float, float] = (0.9, 1.1)
    max_shift_px: float = 2.0
    max_shear: float = 0.1
    p_thicken: float = 0.15
    p_thin: float = 0.1
    elastic_px: float = 1.0  # largest displacement of the elastic field, in pixels
    elastic_grid: int = 4  # the field is random on this coarse grid, then smoothly upsampled


def affine_grid(rotation_deg: torch.Tensor, scale: torch.Tensor, shift_px: torch.Tensor,
                shear: torch.Tensor) -> torch.Tensor:
    """Sampling grids [B, 28, 28, 2] that rotate, scale, shift ([B, 2]: x, y) and shear."""
    a = torch.deg2rad(rotation_deg)
    cos, sin = torch.cos(a), torch.sin(a)
    # theta maps output coordinates to input ones: the inverse of the wanted motion
    inv = 1.0 / scale
    theta = torch.stack([
        torch.stack([cos * inv, (sin + shear * cos) * inv, -shift_px[:, 0] * 2 / SIZE], dim=1),
        torch.stack([-sin * inv, (cos - shear * sin) * inv, -shift_px[:, 1] * 2 / SIZE], dim=1),
    ], dim=1)
    return F.affine_grid(theta, [len(theta), 1, SIZE, SIZE], align_corners=False)


def elastic_field(batch: int, max_px: float, coarse: int,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """A smooth random displacement [B, 28, 28, 2] of at most ``max_px`` pixels."""
    field = torch.rand(batch, 2, coarse, coarse, generator=generator) * 2 - 1
    field = F.interpolate(field, size=(SIZE, SIZE), mode="bicubic", align_corners=True)
    return (field * (max_px * 2 / SIZE)).permute(0, 2, 3, 1)


def warp(x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def thicken(x: torch.Tensor, steps: int = 1) -> torch.Tensor:
    """Grey dilation by a 2x2 square, ``steps`` times: strokes one pixel wider each."""
    for i in range(steps):
        pad = (0, 1, 0, 1) if i % 2 == 0 else (1, 0, 1, 0)  # alternate to stay centred
        x = F.max_pool2d(F.pad(x, pad), 2, stride=1)
    return x


def thin(x: torch.Tensor, steps: int = 1) -> torch.Tensor:
    """Grey erosion by a 2x2 square: strokes one pixel thinner each step."""
    return -thicken(-x, steps)


def stroke(x: torch.Tensor, steps: int) -> torch.Tensor:
    """Thicker strokes for ``steps`` > 0, thinner for < 0."""
    return thicken(x, steps) if steps > 0 else thin(x, -steps)


def perturb(x: torch.Tensor, shift_px: tuple[float, float] = (0.0, 0.0),
            rotation_deg: float = 0.0, stroke_steps: int = 0) -> torch.Tensor:
    """The page's controls: one fixed distortion of a batch [B, 1, 28, 28] in [0, 1].

    ``shift_px`` is (right, down); a positive ``rotation_deg`` turns clockwise on screen.
    """
    b = len(x)
    x = stroke(x, stroke_steps)
    if shift_px != (0.0, 0.0) or rotation_deg:
        grid = affine_grid(torch.full((b,), float(rotation_deg)), torch.ones(b),
                           torch.tensor([shift_px], dtype=torch.float32).expand(b, 2),
                           torch.zeros(b))
        x = warp(x, grid)
    return x.clamp(0, 1)


def augment(x: torch.Tensor, config: AugmentConfig = AugmentConfig(),
            generator: torch.Generator | None = None) -> torch.Tensor:
    """A random distortion per digit of the batch [B, 1, 28, 28], floats in [0, 1]."""
    b = len(x)

    def uniform(lo: float, hi: float, *shape: int) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(b, *shape, generator=generator)

    choice = torch.rand(b, 1, 1, 1, generator=generator)
    x = torch.where(choice < config.p_thicken, thicken(x), x)
    x = torch.where(choice > 1 - config.p_thin, thin(x), x)
    log_lo, log_hi = math.log(config.scale[0]), math.log(config.scale[1])
    grid = affine_grid(
        uniform(-config.max_rotation_deg, config.max_rotation_deg),
        torch.exp(uniform(log_lo, log_hi)),
        uniform(-config.max_shift_px, config.max_shift_px, 2),
        uniform(-config.max_shear, config.max_shear),
    )
    if config.elastic_px > 0:
        grid = grid + elastic_field(b, config.elastic_px, config.elastic_grid, generator)
    return warp(x, grid)
