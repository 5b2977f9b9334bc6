"""dlcore.images: what an upload may be, and the clear refusals for what it may not."""

import io

import numpy as np
import pytest
from PIL import Image

from dlcore import images


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def test_png_with_transparency_becomes_grey_on_white():
    img = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    img.putpixel((5, 5), (255, 0, 0, 255))
    grey = images.read_grey(_encode(img, "PNG"))
    assert grey.shape == (20, 40) and grey.dtype == np.uint8
    assert grey[0, 0] == 255 and grey[5, 5] < 100


def test_large_jpeg_is_shrunk_keeping_aspect():
    img = Image.new("RGB", (800, 400), (10, 200, 30))
    grey = images.read_grey(_encode(img, "JPEG"), max_side=96)
    assert grey.shape == (48, 96)


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"hello, I am a text file" * 10, "not a readable"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a readable"),
])
def test_non_images_are_refused(data, reason):
    with pytest.raises(images.BadImage, match=reason):
        images.read_grey(data)


def test_other_formats_are_refused():
    gif = _encode(Image.new("L", (8, 8)), "GIF")
    with pytest.raises(images.BadImage, match="GIF is not accepted"):
        images.read_grey(gif)


def test_oversized_file_is_refused():
    with pytest.raises(images.BadImage, match="limit"):
        images.read_grey(b"\0" * (images.MAX_BYTES + 1))


def test_decompression_bomb_is_refused():
    bomb = _encode(Image.new("L", (6000, 6000)), "PNG")  # small file, 36 M pixels
    assert len(bomb) < images.MAX_BYTES
    with pytest.raises(images.BadImage, match="too large"):
        images.read_grey(bomb)
