"""Pictures the app makes itself, so the fine-tuning pages work with no camera and no upload.

* :func:`hotdog`: a hot dog drawn from shaded capsules (bun, sausage, a zigzag of mustard)
  on a plate, at a seeded angle, size and colour. EfficientNet-lite0 recognises many of
  them as "hotdog" (p from about 0.1 to 0.8), which is what the "Hot dog or not" page
  needs: a real ImageNet network, a picture nobody has to download, and an answer that is
  not always sure.
* :func:`photo`: a seeded random crop, flip and colour change of one of scikit-image's
  bundled photographs (``skimage.data``: chelsea the cat, a cup of coffee, a rocket, an
  astronaut; all free to use and installed with scikit-image).

:func:`demo_set` mixes them into a small labelled set of clearly different classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageEnhance

SIDE = 320
PHOTOS = {"cat": "chelsea", "coffee": "coffee", "rocket": "rocket", "astronaut": "astronaut"}
CLASSES = ("hot dog", "cat", "coffee", "rocket", "astronaut")
_BACKGROUND = (245, 245, 240)


def _cylinder(h: int, w: int, colour, rng: np.random.Generator, light: float = 1.0,
              dark: float = 0.5, shine: float = 0.0, grain: float = 8.0) -> np.ndarray:
    """A horizontal cylinder lit from above: brightness follows the curved surface."""
    y = np.linspace(-1, 1, h)[:, None]
    shade = dark + (light - dark) * np.sqrt(np.clip(1 - y**2, 0, 1)) * (1 - 0.3 * y)
    img = np.asarray(colour, np.float32)[None, None, :] * shade[..., None]
    img = np.broadcast_to(img, (h, w, 3)).copy()
    img += shine * 255 * np.exp(-(((y + 0.45) / 0.12) ** 2))[..., None]
    return img + rng.normal(0, grain, img.shape)


def _capsule(h: int, w: int) -> np.ndarray:
    """Mask of a rectangle with fully rounded ends."""
    yy, xx = np.mgrid[0:h, 0:w]
    r = h / 2
    cx = np.clip(xx, r, w - r)
    return (xx - cx) ** 2 + (yy - r) ** 2 <= r * r


def _paste(canvas: np.ndarray, img: np.ndarray, top: int, left: int) -> None:
    h, w = img.shape[:2]
    mask = _capsule(h, w)
    canvas[top:top + h, left:left + w][mask] = img[mask]


def hotdog(seed: int = 0) -> Image.Image:
    """A drawn hot dog on a plate, its angle, length and colours picked by ``seed``."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    canvas = np.empty((SIDE, SIDE, 3), np.float32)
    canvas[:] = _BACKGROUND
    plate = ((xx - 160) / 150) ** 2 + ((yy - 170) / 110) ** 2
    canvas[plate < 1] = (255, 255, 255)
    canvas[(plate < 1) & (plate > 0.9)] = (220, 220, 225)

    length = int(rng.integers(220, 262))
    left = (SIDE - length) // 2
    bun = np.array((225, 160, 85)) * rng.uniform(0.9, 1.05)
    sausage = np.array((185, 70, 45)) * rng.uniform(0.85, 1.1)
    _paste(canvas, _cylinder(90, length, bun, rng, dark=0.55), 130, left)
    _paste(canvas, _cylinder(46, length + 30, sausage, rng, dark=0.4, shine=0.35, grain=2),
           140, left - 15)
    _paste(canvas, _cylinder(50, length - 10, bun * 1.05, rng, dark=0.6), 170, left + 5)
    if rng.random() < 0.85:  # mustard, mostly
        for i in range(int((length - 20) / 5.5)):
            x, y = int(left + 10 + i * 5.5), int(158 + 10 * np.sin(i * 0.9))
            canvas[y - 3:y + 3, x - 3:x + 3] = (235, 190, 30)
    img = Image.fromarray(canvas.clip(0, 255).astype(np.uint8))
    angle = float(rng.uniform(-40, 40))
    return img.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=_BACKGROUND)


@lru_cache(maxsize=len(PHOTOS))
def _photo(name: str) -> Image.Image:
    import skimage.data

    return Image.fromarray(getattr(skimage.data, PHOTOS[name])()).convert("RGB")


def photo(name: str, seed: int | None = 0) -> Image.Image:
    """One of the bundled photographs; with a ``seed``, a random crop (half to all of the
    picture), maybe mirrored, with brightness and saturation changed a little."""
    img = _photo(name)
    if seed is None:
        return img.copy()
    rng = np.random.default_rng(seed)
    w, h = img.size
    scale = rng.uniform(0.5, 1.0)
    cw, ch = int(w * scale), int(h * scale)
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    img = img.crop((x, y, x + cw, y + ch))
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.75, 1.25))
    return ImageEnhance.Color(img).enhance(rng.uniform(0.6, 1.4))


def picture(label: str, seed: int = 0) -> Image.Image:
    """A demo picture of class ``label`` (one of :data:`CLASSES`)."""
    if label == "hot dog":
        return hotdog(seed)
    if label in PHOTOS:
        return photo(label, seed)
    raise ValueError(f"no demo pictures of {label!r}; there are {', '.join(CLASSES)}")


def demo_set(classes: Sequence[str], per_class: int, seed: int = 0
             ) -> tuple[list[Image.Image], list[int]]:
    """``per_class`` pictures of each class, labelled by position in ``classes``.

    Different seeds give different pictures: seed 0 for training and seed 1 for held-out
    pictures never share one.
    """
    pictures, labels = [], []
    for k, name in enumerate(classes):
        for i in range(per_class):
            pictures.append(picture(name, 1_000_003 * seed + 1_009 * k + i))
            labels.append(k)
    return pictures, labels
