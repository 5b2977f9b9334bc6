"""dlcore.data.images: what an upload may be, and the clear refusals for what it may not."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from dlcore.data import images


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
    rgb = images.read_rgb(_encode(img, "PNG"))  # the colour reader, for photos
    assert rgb.mode == "RGB" and rgb.getpixel((0, 0)) == (255, 255, 255)
    assert rgb.getpixel((5, 5)) == (255, 0, 0)


def test_large_colour_photo_with_transparency_is_shrunk_on_white():
    img = Image.new("RGBA", (3000, 1500), (0, 0, 0, 0))
    img.paste((0, 0, 255, 255), (0, 0, 1500, 1500))
    rgb = images.read_rgb(_encode(img, "PNG"), max_side=300)
    assert rgb.size == (300, 150)
    assert rgb.getpixel((50, 75)) == (0, 0, 255) and rgb.getpixel((250, 75)) == (255, 255, 255)


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


def _upright_seven() -> Image.Image:
    """A black 7 on white paper, 200x300 (taller than wide, as a phone holds it)."""
    img = Image.new("L", (200, 300), 255)
    draw = ImageDraw.Draw(img)
    draw.line([(40, 60), (160, 60), (90, 250)], fill=0, width=18)
    return img


def test_exif_orientation_is_applied():
    upright = _upright_seven()
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # as the sensor saw it: sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    buf = io.BytesIO()
    stored.save(buf, format="JPEG", quality=95, exif=exif)
    grey = images.read_grey(buf.getvalue())
    assert grey.shape == (300, 200)
    assert np.abs(grey.astype(int) - np.asarray(upright, dtype=int)).mean() < 3
    rgb = images.read_rgb(buf.getvalue())
    assert rgb.mode == "RGB" and rgb.size == (200, 300)


@pytest.mark.parametrize("size", [(1000, 3), (3, 1000), (25000, 1), (1, 1)])
def test_hair_thin_pictures_are_read_without_error(size):
    grey = images.read_grey(_encode(Image.new("L", size, 128), "PNG"))
    w, h = size
    assert grey.shape == (min(h, max(1, round(h * 1024 / max(w, h)))),
                          min(w, max(1, round(w * 1024 / max(w, h)))))
    assert images.read_rgb(_encode(Image.new("RGB", size), "PNG")).size == grey.shape[::-1]


def test_low_contrast_16_bit_grey_keeps_its_ink():
    a = np.full((120, 120), 30_000, np.uint16)
    a[20:100, 55:65] = 30_600  # a faint "1": 1% of the 16-bit range
    img = Image.fromarray(a)
    assert img.mode.startswith("I;16")
    grey = images.read_grey(_encode(img, "PNG"))
    assert grey[60, 60] == 255 and grey[5, 5] == 0  # stretched over its own levels


def test_a_huge_picture_is_too_large_with_its_size():
    png = _encode(Image.new("1", (10_000, 10_000)), "PNG")
    assert len(png) < images.MAX_BYTES
    with pytest.raises(images.BadImage, match="too large: 10000×10000 pixels"):
        images.read_grey(png)


def test_a_big_png_is_refused_before_it_is_decoded_and_a_big_jpeg_is_decoded_small():
    png = _encode(Image.new("1", (5000, 5000), 1), "PNG")
    with pytest.raises(images.BadImage, match="too large: 5000×5000 pixels.*for a PNG"):
        images.read_grey(png)
    jpeg = _encode(Image.new("L", (5000, 4000), 255), "JPEG")
    assert images.read_grey(jpeg).shape == (819, 1024)


_MEMORY = """
import sys
from pathlib import Path
from dlcore.data import images
def mb(field):
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field))
    return int(line.split()[1]) / 1024
data = [open(path, "rb").read() for path in sys.argv[1:]]
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from now
before = mb("VmRSS")
for d in data:
    try:
        images.read_grey(d)
    except images.BadImage:
        pass
print(mb("VmHWM") - before)
"""


@pytest.mark.slow
def test_decoding_an_upload_takes_bounded_memory(tmp_path):
    """The peak memory of reading the largest uploads, accepted or refused, in a fresh
    process (a 5000x5000 PNG grew the server by about 230 MB when decoded in full)."""
    import subprocess
    import sys

    from tests.harness import REPO

    files = []
    for name, img, fmt in (("big.png", Image.new("RGB", (5000, 5000), "white"), "PNG"),
                           ("most.png", Image.new("RGBA", (4000, 3000), "white"), "PNG"),
                           ("big.jpg", Image.new("RGB", (5000, 5000), "white"), "JPEG")):
        files.append(tmp_path / name)
        files[-1].write_bytes(_encode(img, fmt))
    out = subprocess.run([sys.executable, "-c", _MEMORY, *map(str, files)], cwd=REPO,
                         capture_output=True, text=True, timeout=120, check=True)
    assert float(out.stdout) < 80, f"peak memory grew by {out.stdout.strip()} MB"
