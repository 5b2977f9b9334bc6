"""From a drawing or a photo to the 28x28 digit a network reads, the way MNIST was made.

LeCun, Cortes & Burges describe MNIST's preparation (http://yann.lecun.com/exdb/mnist/):
each NIST digit was size-normalised to fit a 20x20 box, aspect ratio kept, with
anti-aliasing (hence the grey levels), then centred in a 28x28 field by its centre
of mass. :func:`preprocess` repeats those steps on anything a person gives the app:

1. ink: RGBA canvas (alpha is the ink), RGB or grey, dark-on-light or light-on-dark,
   turned into light ink on a dark ground in [0, 1];
2. crop to the ink's bounding box;
3. scale so that the longer side is 20 px, aspect kept (anti-aliased);
4. paste into 28x28 with the centre of mass at pixel (14, 14), where MNIST has it.

The last step, normalising with the training set's mean and std, is
:func:`dlcore.digits.model.normalise`, applied inside ``predict_proba``. An empty,
near-empty, painted-over or hair-thin picture stops early with a reason ("nothing to
classify: ..."), not a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

BOX, SIZE, CENTRE = 20, 28, 14.0
INK_LEVEL = 0.2  # below this (fraction of full contrast) a pixel is paper, not ink
MIN_EXTENT = 0.12  # ink spanning less of the picture's longer side is a dot, not a digit
MAX_COVER = 0.6  # ink covering more of the picture than this is not a digit either
MAX_ASPECT = 20  # a picture longer than this many times its width is a line, not a digit


@dataclass
class Steps:
    """Every stage of :func:`preprocess`; ``digit`` is None when there is nothing to read."""
    ink: np.ndarray  # float [0, 1], light ink on dark, the picture's own size
    box: tuple[int, int, int, int] | None = None  # top, left, bottom, right (exclusive)
    crop: np.ndarray | None = None
    scaled: np.ndarray | None = None  # longer side 20 px
    digit: np.ndarray | None = None  # uint8 28x28, what the networks see
    empty_reason: str | None = None


def to_ink(image: np.ndarray) -> np.ndarray:
    """Any picture as light ink on a dark ground, float [0, 1].

    RGBA with transparency: the alpha channel is the ink (a canvas leaves the paper
    transparent). Otherwise grey levels, flipped when the border (the paper) is light,
    measured from the paper's level and stretched to full contrast. An opaque RGBA
    picture is a canvas painted over: its paper is light (the canvas's own), so a dark
    border means ink reaching the edges, and an all-black canvas is all ink.
    """
    a = np.asarray(image)
    canvas = a.ndim == 3 and a.shape[2] == 4
    if canvas and a[..., 3].min() < 255:
        return a[..., 3].astype(np.float32) / 255.0
    if a.ndim == 3:
        a = a[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    if a.ndim != 2:
        raise ValueError(f"expected a grey, RGB or RGBA image, got shape {np.shape(image)}")
    grey = a.astype(np.float32) / (255.0 if a.dtype == np.uint8 or a.max() > 1 else 1.0)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    if canvas and paper <= 0.5:
        paper = 1.0
    ink = paper - grey if paper > 0.5 else grey - paper
    top = float(ink.max())
    if top <= 0:
        return np.zeros_like(grey)
    return np.clip(ink / top, 0.0, 1.0)


def ink_box(ink: np.ndarray, level: float = INK_LEVEL) -> tuple[int, int, int, int] | None:
    rows, cols = np.nonzero(ink > level)
    if len(rows) == 0:
        return None
    return int(rows.min()), int(cols.min()), int(rows.max()) + 1, int(cols.max()) + 1


def scale_to_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """Resize so the longer side is ``box`` pixels, aspect kept, anti-aliased."""
    h, w = crop.shape
    factor = box / max(h, w)
    size = (max(1, round(h * factor)), max(1, round(w * factor)))
    x = torch.from_numpy(np.ascontiguousarray(crop, dtype=np.float32))[None, None]
    return F.interpolate(x, size=size, mode="bilinear", antialias=True,
                         align_corners=False)[0, 0].clamp(0, 1).numpy()


def centre_by_mass(scaled: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Paste into ``size`` x ``size`` so that the centre of mass lands on pixel (14, 14)."""
    h, w = scaled.shape
    mass = scaled.sum()
    rows, cols = np.arange(h), np.arange(w)
    com_r = (scaled.sum(1) @ rows) / mass if mass > 0 else (h - 1) / 2
    com_c = (scaled.sum(0) @ cols) / mass if mass > 0 else (w - 1) / 2
    top, left = int(round(CENTRE - com_r)), int(round(CENTRE - com_c))
    out = np.zeros((size, size), np.float32)
    # clip the paste to the field: a lopsided digit may be pushed past an edge, as in MNIST
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + h, size), min(left + w, size)
    if r1 > r0 and c1 > c0:
        out[r0:r1, c0:c1] = scaled[r0 - top:r1 - top, c0 - left:c1 - left]
    return out


def preprocess(image: np.ndarray) -> Steps:
    """Picture -> :class:`Steps`, ending in the 28x28 uint8 digit (or an empty reason)."""
    ink = to_ink(image)
    steps = Steps(ink=ink)
    h, w = ink.shape
    if max(h, w) > MAX_ASPECT * min(h, w):
        steps.empty_reason = (f"nothing to classify: a {w}×{h} picture is a line, not a digit "
                              f"(a digit's picture is at most {MAX_ASPECT} times longer than wide)")
        return steps
    box = ink_box(ink)
    if box is None:
        steps.empty_reason = "nothing to classify: the picture is empty"
        return steps
    steps.box = box
    top, left, bottom, right = box
    if max(bottom - top, right - left) < MIN_EXTENT * max(ink.shape):
        steps.empty_reason = "nothing to classify: the ink is a dot, not a digit"
        return steps
    if (ink > INK_LEVEL).mean() > MAX_COVER:
        steps.empty_reason = "nothing to classify: the picture is mostly ink"
        return steps
    steps.crop = ink[top:bottom, left:right]
    steps.scaled = scale_to_box(steps.crop)
    steps.digit = np.round(centre_by_mass(steps.scaled) * 255).astype(np.uint8)
    return steps
