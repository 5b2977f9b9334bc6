"""Reading an uploaded picture safely: bounded in bytes, pixels and memory, upright, plain.

Uploads come from strangers, and fifty people may upload at once to a small server, so
every step is bounded before it costs anything:

1. the file: at most :data:`MAX_BYTES`, a PNG, a JPEG (also a phone's MPO: a JPEG with a
   second picture embedded, of which the first is read), a WebP, or an AVIF where Pillow
   reads it (checked from the header). HEIC, an iPhone's default, needs a plugin
   (pillow-heif) the app does not ship: it is refused with what to do instead;
2. the picture's size, read from the header before any pixel is decoded: at most
   :data:`MAX_PIXELS`, else "too large" with its size (Pillow's decompression-bomb guard
   becomes the same refusal);
3. decoding at a bounded size: a JPEG is decoded already reduced (``Image.draft``, the
   decoder's own 1/2, 1/4, 1/8 scaling), a PNG in full only when it has at most
   :data:`MAX_DECODED_PIXELS`; then reduced to ``max_side`` (``Image.reduce`` inside
   ``resize(reducing_gap=...)``), never to a side of 0 pixels;
4. upright: the EXIF orientation a phone writes is applied (``ImageOps.exif_transpose``);
5. plain: 16-bit grey is stretched over its own range of levels (so a faint scan stays
   readable), palettes and CMYK become RGB, transparency is put on white paper.

:func:`read_grey` gives a grey uint8 array (the digits and convolution pages);
:func:`read_rgb` an RGB ``PIL.Image`` (for colour photos).
"""

from __future__ import annotations

import io
import re
import struct
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError, features

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000  # the largest picture looked at (a JPEG is decoded reduced)
MAX_DECODED_PIXELS = 12_000_000  # decoded at full size (a PNG): 48 MB as RGBA
MAX_SIDE = 1024  # the longer side after reading, unless the caller asks for another
# Pillow's format names read here: MPO is Pillow's name for a JPEG with more pictures
# after the first (phone cameras: depth maps, previews); WebP and AVIF are decoded in full,
# so they are bounded like a PNG (MAX_DECODED_PIXELS).
FORMATS = ("PNG", "JPEG", "MPO", "WEBP", *(("AVIF",) if features.check("avif") else ()))
JPEG_LIKE = ("JPEG", "MPO")
# What the pages' upload boxes offer (the browser's file picker filters by these): HEIC
# and HEIF are offered so that an iPhone photo gets the message below, not the picker's.
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "heic", "heif",
                *(("avif",) if "AVIF" in FORMATS else ()))
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
HEIC_ADVICE = ("HEIC (an iPhone's photo format) cannot be read here; send it as JPEG "
               "(on the iPhone: Settings > Camera > Formats > Most Compatible, or share "
               "the photo by mail, which converts it)")
_PLAIN_MODES = ("L", "LA", "RGB", "RGBA")


class BadImage(ValueError):
    """The bytes are not an image this app accepts; the message says why."""


def _too_large(width: int, height: int, limit: int, what: str = "") -> BadImage:
    return BadImage(f"it is too large: {width}×{height} pixels ({width * height / 1e6:.1f} "
                    f"megapixels); the limit{what} is {limit / 1e6:.0f} megapixels")


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk (for the message about a bomb)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    return None


def _is_heic(data: bytes) -> bool:
    """An ISO base media file (``ftyp`` box) whose brand is HEIF's, not AVIF's."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS and b"avif" not in data[8:32]


def open_image(data: bytes, max_bytes: int = MAX_BYTES) -> Image.Image:
    """Open a picture of :data:`FORMATS` without decoding its pixels (the first picture
    of an MPO or an animation); raise :class:`BadImage` for anything else, and for a
    picture over :data:`MAX_PIXELS` (with its size)."""
    if not data:
        raise BadImage("the file is empty")
    if len(data) > max_bytes:
        raise BadImage(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    try:
        with warnings.catch_warnings():
            # our own pixel limit below is lower than Pillow's warning level
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as err:
        size = _png_size(data)
        if size:
            raise _too_large(*size, MAX_PIXELS) from err
        pixels = re.search(r"\((\d+) pixels\)", str(err))
        count = f"{int(pixels.group(1)) / 1e6:.0f} megapixels" if pixels else "too many pixels"
        raise BadImage(f"it is too large: {count}; the limit is "
                       f"{MAX_PIXELS / 1e6:.0f} megapixels") from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        if _is_heic(data):
            raise BadImage(HEIC_ADVICE) from err
        raise BadImage("it is not a readable PNG or JPEG image") from err
    if img.format not in FORMATS:
        raise BadImage(f"{img.format or 'this format'} is not accepted; use PNG or JPEG")
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)  # the first picture: an MPO's main photo, an animation's first frame
    if img.width * img.height > MAX_PIXELS:
        raise _too_large(img.width, img.height, MAX_PIXELS)
    return img


def _target(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``size`` shrunk so its longer side is ``max_side``, aspect kept, no side below 1."""
    w, h = size
    if max(w, h) <= max_side:
        return w, h
    scale = max_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _plain(img: Image.Image) -> Image.Image:
    """The decoded picture in one of L, LA, RGB, RGBA."""
    if img.mode in _PLAIN_MODES:
        return img
    if img.mode.startswith("I") or img.mode == "F":  # 16-bit grey: stretch its own range
        a = np.asarray(img, dtype=np.float32)
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.clip(a / 257.0, 0, 255)
        return Image.fromarray(np.round(a).astype(np.uint8), "L")
    if img.mode in ("1",):
        return img.convert("L")
    if img.mode in ("P", "PA"):
        has_alpha = img.mode == "PA" or "transparency" in img.info
        return img.convert("RGBA" if has_alpha else "RGB")
    return img.convert("RGB")  # CMYK, YCbCr, LAB ...


def _shrink(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Resize to ``size`` (anti-aliased). With transparency, one band at a time: Pillow
    premultiplies a whole RGBA copy first, which would double the peak memory."""
    if size == img.size:
        return img
    if img.mode not in ("LA", "RGBA"):
        return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)
    bands = [img.getchannel(i).resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)
             for i in range(len(img.getbands()))]
    return Image.merge(img.mode, bands)


def decode(data: bytes, max_side: int = MAX_SIDE, max_bytes: int = MAX_BYTES) -> Image.Image:
    """An uploaded picture decoded at a bounded size: upright, longer side at most
    ``max_side``, mode L, LA, RGB or RGBA. Raises :class:`BadImage` with the reason."""
    img = open_image(data, max_bytes)
    size = img.size
    if img.format in JPEG_LIKE:
        img.draft(img.mode if img.mode in ("L", "RGB") else None, _target(size, max_side))
    if img.width * img.height > MAX_DECODED_PIXELS:
        raise _too_large(*size, MAX_DECODED_PIXELS, f" for a {img.format}")
    try:
        img.load()
        img = _plain(img)
        img = _shrink(img, _target(img.size, max_side))
        img = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError, EOFError) as err:  # truncated, corrupt
        raise BadImage("it is not a readable PNG or JPEG image") from err
    return img


def _on_white(img: Image.Image) -> Image.Image:
    """Transparency composited onto white paper (as a page shows it)."""
    if img.mode not in ("LA", "RGBA"):
        return img
    rgba = img.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)


def to_grey(img: Image.Image) -> np.ndarray:
    """Grey uint8, with transparency composited onto white."""
    return np.asarray(_on_white(_plain(img)).convert("L"), dtype=np.uint8)


def read_grey(data: bytes, max_side: int = MAX_SIDE, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """An uploaded PNG/JPEG as a grey uint8 array, upright, longer side at most ``max_side``."""
    return to_grey(decode(data, max_side, max_bytes))


def read_rgb(data: bytes, max_side: int = MAX_SIDE, max_bytes: int = MAX_BYTES) -> Image.Image:
    """An uploaded PNG/JPEG as an RGB ``PIL.Image``, upright, longer side at most
    ``max_side``, transparency on white: a colour photo ready for a classifier."""
    return _on_white(decode(data, max_side, max_bytes)).convert("RGB")
