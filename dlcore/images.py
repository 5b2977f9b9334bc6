"""Reading an uploaded picture safely: type, size and pixel-count checks, then grey.

Uploads come from strangers: the bytes are checked before Pillow decodes them, and
Pillow's decompression-bomb guard is turned into an ordinary refusal.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000
FORMATS = ("PNG", "JPEG")


class BadImage(ValueError):
    """The bytes are not an image this app accepts; the message says why."""


def open_image(data: bytes, max_bytes: int = MAX_BYTES) -> Image.Image:
    """Decode a PNG or JPEG; raise :class:`BadImage` for anything else."""
    if not data:
        raise BadImage("the file is empty")
    if len(data) > max_bytes:
        raise BadImage(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in FORMATS:
                raise BadImage(f"{img.format or 'this format'} is not accepted; use PNG or JPEG")
            if img.width * img.height > MAX_PIXELS:
                raise BadImage(f"{img.width}×{img.height} pixels is too large")
            img.load()
    except BadImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise BadImage("it is not a readable PNG or JPEG image") from err
    return img


def to_grey(img: Image.Image) -> np.ndarray:
    """Grey uint8, with transparency composited onto white (as a page shows it)."""
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return np.asarray(img.convert("L"), dtype=np.uint8)


def read_grey(data: bytes, max_side: int | None = None, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """An uploaded PNG/JPEG as a grey uint8 array, shrunk to ``max_side`` if given."""
    img = open_image(data, max_bytes)
    if max_side is not None and max(img.size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return to_grey(img)
