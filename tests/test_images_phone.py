"""Phone pictures (issue 23): an MPO (a JPEG with a second picture, as many phone cameras
write) is read as its first picture, a WebP too; an iPhone's HEIC gets what to do."""

import io

import numpy as np
import pytest
from PIL import Image

from dlcore.data import images


def mpo(first: Image.Image, *more: Image.Image, **save) -> bytes:
    """A real MPO file, written by Pillow's MPO encoder."""
    buf = io.BytesIO()
    first.save(buf, format="MPO", save_all=True, append_images=list(more), **save)
    return buf.getvalue()


def test_mpo_is_read_as_its_first_picture():
    data = mpo(Image.new("RGB", (300, 200), (220, 20, 20)), Image.new("RGB", (64, 64), (0, 0, 255)))
    with Image.open(io.BytesIO(data)) as check:  # it really is an MPO of two pictures
        assert check.format == "MPO" and check.n_frames == 2
    rgb = images.read_rgb(data)
    assert rgb.size == (300, 200)
    r, g, b = rgb.getpixel((150, 100))
    assert r > 200 and g < 50 and b < 50  # the first picture (red), not the second (blue)
    grey = images.read_grey(data, max_side=30)
    assert grey.shape == (20, 30)


def test_large_mpo_is_decoded_reduced_and_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held upright: turn 90 degrees clockwise
    first = Image.new("RGB", (4000, 3000), (255, 255, 255))
    first.paste((0, 0, 0), (0, 0, 2000, 3000))  # left half black
    data = mpo(first, Image.new("RGB", (320, 240)), exif=exif, quality=70)
    assert len(data) < images.MAX_BYTES
    img = images.decode(data, max_side=100)
    assert img.size == (75, 100)  # portrait after the EXIF turn, longer side 100
    grey = np.asarray(img.convert("L"))
    assert grey[5, 30] < 60 and grey[-5, 30] > 200  # the black half is now on top


def test_mpo_over_the_pixel_limit_is_refused_from_its_header():
    data = mpo(Image.new("L", (6000, 5000)), Image.new("L", (8, 8)))
    with pytest.raises(images.BadImage, match="too large"):
        images.open_image(data, max_bytes=len(data))


def test_animated_webp_is_read_as_its_first_frame():
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 200, 0)).save(
        buf, format="WEBP", save_all=True, lossless=True,
        append_images=[Image.new("RGB", (40, 30), (200, 0, 0))])
    rgb = images.read_rgb(buf.getvalue())
    assert rgb.size == (40, 30) and rgb.getpixel((20, 15)) == (0, 200, 0)


def test_heic_says_what_to_do():
    # the first bytes of an iPhone photo: an ISO media file of brand heic
    head = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    with pytest.raises(images.BadImage, match="HEIC") as err:
        images.read_rgb(head)
    assert "JPEG" in str(err.value)


def test_upload_boxes_offer_phone_formats():
    assert {"jpg", "jpeg", "png", "webp", "heic"} <= set(images.UPLOAD_TYPES)
