"""Pictures the app makes itself, so the fine-tuning pages work with no camera and no upload.

* :func:`hotdog`: a hot dog drawn from shaded capsules (bun, sausage, a zigzag of mustard)
  on a plate, at a seeded angle, size and colour. EfficientNet-lite0 recognises many of
  them as "hotdog" (p from about 0.1 to 0.8), which is what the "Hot dog or not" page
  needs: a real ImageNet network, a picture nobody has to download, and an answer that is
  not always sure.
* :func:`plate`: the same plate with something else (nothing, a bun without its sausage,
  a long vegetable, fruit), and both on other backgrounds (a tablecloth, a table): what
  "Hot dog or not" trains on (:mod:`dlcore.finetune.hotdog`).
* :func:`face`: scikit-image's bundled subset of Labeled Faces in the Wild
  (``skimage.data.lfw_subset``: 100 faces and 100 non-faces, 25 x 25 grey): new
  pictures for the fine-tuning page's held-out set, not new crops of a training photo.
* :func:`photo`: a seeded random crop, flip and colour change of one of scikit-image's
  bundled photographs (``skimage.data``: chelsea the cat, a cup of coffee, a rocket, an
  astronaut; all free to use and installed with scikit-image).

:func:`demo_set` mixes them into a small labelled training set; :func:`held_out_set` gives
pictures of the same classes that no training set contains.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageEnhance

SIDE = 320
PHOTOS = {"cat": "chelsea", "coffee": "coffee", "rocket": "rocket", "astronaut": "astronaut"}
CLASSES = ("hot dog", "plate", "cat", "coffee", "rocket", "astronaut")
# scikit-image's LFW subset (lfw_subset: 100 faces, then 100 non-faces, 25 x 25 grey):
FACES = {"face": 0, "not face": 100}
FACE_POOL = 20  # the first 20 of each kind may be trained on; the other 80 are held out
FACE_SIDE = 112
HELD_OUT_DRAWINGS = 20
# The fine-tuning page's classes: each has held-out pictures that are new pictures
NEW_PICTURE_CLASSES = ("face", "not face", "hot dog", "plate")
_BACKGROUND = (245, 245, 240)
_TABLE = (150, 105, 65)
_CLOTH = (200, 45, 45)
SETTINGS = ("paper", "cloth", "table")
FOODS = ("empty", "bun", "capsule", "fruit")
_VEGETABLES = ((70, 140, 60), (90, 50, 110), (60, 90, 200), (130, 130, 135))
_FRUITS = ((210, 40, 30), (240, 140, 20), (120, 190, 60), (230, 210, 60))


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


def _table(rng: np.random.Generator) -> np.ndarray:
    """A wooden table seen from above: brown planks with a grain (no plate)."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    tone = rng.uniform(0.85, 1.1)
    grain = 0.9 + 0.1 * np.sin(yy / rng.uniform(3, 6) + 2 * np.sin(xx / 40))
    canvas = np.asarray(_TABLE, np.float32)[None, None, :] * (tone * grain)[..., None]
    canvas[(yy % 64) < 2] *= 0.7  # the gaps between planks
    return canvas + rng.normal(0, 4, canvas.shape)


def _setting(setting: str, seed: int) -> np.ndarray:
    """The canvas: a white plate on pale paper or on a red-checked tablecloth, or a bare
    wooden table (one of :data:`SETTINGS`)."""
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}, not {setting!r}")
    if setting == "table":
        return _table(np.random.default_rng([seed, 1]))
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    canvas = np.empty((SIDE, SIDE, 3), np.float32)
    canvas[:] = _BACKGROUND
    if setting == "cloth":
        canvas[(yy // 32 + xx // 32) % 2 == 0] = _CLOTH
    plate = ((xx - 160) / 150) ** 2 + ((yy - 170) / 110) ** 2
    canvas[plate < 1] = (255, 255, 255)
    canvas[(plate < 1) & (plate > 0.9)] = (220, 220, 225)
    return canvas


def _finish(canvas: np.ndarray, rng: np.random.Generator, setting: str) -> Image.Image:
    """The drawing turned by a seeded angle, the corners filled like the background."""
    img = Image.fromarray(canvas.clip(0, 255).astype(np.uint8))
    angle = float(rng.uniform(-40, 40))
    fill = {"table": _TABLE, "cloth": _CLOTH}.get(setting, _BACKGROUND)
    return img.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=fill)


def hotdog(seed: int = 0, setting: str = "paper") -> Image.Image:
    """A drawn hot dog on a plate on pale paper (or another of :data:`SETTINGS`), its
    angle, length and colours picked by ``seed``."""
    rng = np.random.default_rng(seed)
    canvas = _setting(setting, seed)
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
    return _finish(canvas, rng, setting)


def _disc(canvas: np.ndarray, cy: int, cx: int, r: int, colour, rng) -> None:
    """A round fruit lit from the top left."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    d = np.sqrt(((yy - cy) / r) ** 2 + ((xx - cx) / r) ** 2)
    inside = d < 1
    light = 0.55 + 0.45 * np.sqrt(np.clip(1 - d**2, 0, 1)) \
        + 0.35 * np.exp(-(((yy - cy + r / 2.5) ** 2 + (xx - cx + r / 2.5) ** 2) / (r / 4) ** 2))
    shaded = np.asarray(colour, np.float32)[None, None, :] * light[..., None]
    canvas[inside] = (shaded + rng.normal(0, 4, shaded.shape))[inside]


def plate(seed: int = 0, food: str | None = None, setting: str = "paper") -> Image.Image:
    """A drawn plate on pale paper (or another of :data:`SETTINGS`) with something that is
    not a hot dog: nothing (``"empty"``), a bun without its sausage (``"bun"``), a long vegetable
    of a hot dog's shape and size (``"capsule"``: cucumber green, aubergine, blue or grey) or
    round fruit (``"fruit"``). ``food=None`` lets the seed pick one of :data:`FOODS`."""
    rng = np.random.default_rng([seed, 2])
    food = FOODS[int(rng.integers(len(FOODS)))] if food is None else food
    if food not in FOODS:
        raise ValueError(f"food must be one of {FOODS}, not {food!r}")
    canvas = _setting(setting, seed)
    length = int(rng.integers(200, 262))
    left = (SIDE - length) // 2
    if food == "bun":
        bun = np.array((225, 160, 85)) * rng.uniform(0.9, 1.05)
        _paste(canvas, _cylinder(90, length, bun, rng, dark=0.55), 130, left)
        _paste(canvas, _cylinder(50, length - 10, bun * 1.05, rng, dark=0.6), 150, left + 5)
    elif food == "capsule":
        colour = _VEGETABLES[int(rng.integers(len(_VEGETABLES)))]
        colour = np.array(colour) * rng.uniform(0.85, 1.1)
        height = int(rng.integers(46, 80))
        _paste(canvas, _cylinder(height, length, colour, rng, dark=0.4, shine=0.25, grain=3),
               170 - height // 2, left)
    elif food == "fruit":
        for _ in range(int(rng.integers(1, 4))):
            colour = np.array(_FRUITS[int(rng.integers(len(_FRUITS)))]) * rng.uniform(0.85, 1.1)
            _disc(canvas, int(rng.integers(120, 220)), int(rng.integers(80, 240)),
                  int(rng.integers(28, 50)), colour, rng)
    return _finish(canvas, rng, setting)


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


@lru_cache(maxsize=1)
def _lfw() -> np.ndarray:
    import skimage.data

    return skimage.data.lfw_subset()


def face(label: str, index: int) -> Image.Image:
    """Picture ``index`` (0-99) of scikit-image's LFW subset of ``label`` ("face" or "not
    face"), 25 x 25 grey, shown at :data:`FACE_SIDE` pixels."""
    grey = (_lfw()[FACES[label] + index] * 255).round().astype(np.uint8)
    img = Image.fromarray(grey, "L").resize((FACE_SIDE, FACE_SIDE), Image.Resampling.BICUBIC)
    return img.convert("RGB")


def face_order(seed: int, k: int) -> list[int]:
    """The order in which seed ``seed``'s training sets take class ``k``'s pool of faces."""
    return [int(i) for i in np.random.default_rng([seed, k]).permutation(FACE_POOL)]


def picture(label: str, seed: int = 0) -> Image.Image:
    """A demo picture of class ``label`` (one of :data:`CLASSES`)."""
    if label == "hot dog":
        return hotdog(seed)
    if label == "plate":
        return plate(seed)
    if label in PHOTOS:
        return photo(label, seed)
    raise ValueError(f"no demo pictures of {label!r}; there are {', '.join(CLASSES)}")


def demo_set(classes: Sequence[str], per_class: int, seed: int = 0
             ) -> tuple[list[Image.Image], list[int]]:
    """``per_class`` training pictures of each class, labelled by position in ``classes``.

    Faces and non-faces are drawn (by ``seed``) from the first :data:`FACE_POOL` of each
    kind, which :func:`held_out_set` never uses; drawings and photo crops are made from
    seeds, different seeds giving different pictures. A smaller set is the start of a
    larger one with the same seed.
    """
    pictures, labels = [], []
    for k, name in enumerate(classes):
        if name in FACES:
            if per_class > FACE_POOL:
                raise ValueError(f"at most {FACE_POOL} training pictures of {name!r}")
            pictures += [face(name, i) for i in face_order(seed, k)[:per_class]]
        else:
            pictures += [picture(name, 1_000_003 * seed + 1_009 * k + i)
                         for i in range(per_class)]
        labels += [k] * per_class
    return pictures, labels


def held_out_set(classes: Sequence[str], drawings: int = HELD_OUT_DRAWINGS
                 ) -> tuple[list[Image.Image], list[int]]:
    """Pictures of each class that no training set contains: the last 80 faces or
    non-faces, or ``drawings`` new drawings (seeds from 2,000,000,000 on). Photo crops are
    not new pictures (another crop of the same photo), so they have no held-out set."""
    pictures, labels = [], []
    for k, name in enumerate(classes):
        if name in FACES:
            new = [face(name, i) for i in range(FACE_POOL, 100)]
        elif name in ("hot dog", "plate"):
            new = [picture(name, 2_000_000_000 + 1_009 * k + i) for i in range(drawings)]
        else:
            raise ValueError(f"{name!r} has no held-out pictures: its pictures are crops "
                             "of one photo")
        pictures += new
        labels += [k] * len(new)
    return pictures, labels
