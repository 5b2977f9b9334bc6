"""dlcore.digits.preprocess: the MNIST-style pipeline from a drawing to 28x28."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from dlcore.data import mnist
from dlcore.digits import preprocess as pp
from tests.harness import SEVEN, canvas


def test_output_shape_range_and_centre():
    steps = pp.preprocess(canvas([SEVEN]))
    d = steps.digit
    assert d.shape == (28, 28) and d.dtype == np.uint8 and d.max() >= 250
    assert max(steps.scaled.shape) == 20
    rows, cols = np.nonzero(d)
    assert rows.min() >= 0 and rows.max() <= 27
    mass = d.astype(float)
    com = [(mass.sum(1) @ np.arange(28)) / mass.sum(), (mass.sum(0) @ np.arange(28)) / mass.sum()]
    np.testing.assert_allclose(com, [14, 14], atol=0.6)


def test_shifted_drawing_gives_the_same_digit():
    a = pp.preprocess(canvas([SEVEN])).digit
    b = pp.preprocess(canvas([SEVEN], offset=(-45, 25))).digit
    np.testing.assert_array_equal(a, b)


def test_scaled_drawing_gives_nearly_the_same_digit():
    a = pp.preprocess(canvas([SEVEN])).digit.astype(float)
    b = pp.preprocess(canvas([SEVEN], scale=0.6, offset=(40, 20))).digit.astype(float)
    assert np.abs(a - b).mean() < 0.05 * 255
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.9


def test_mnist_digits_come_back_nearly_unchanged():
    images, _ = mnist.load_sample()
    corr = []
    for img in images[:30]:
        big = np.asarray(Image.fromarray(img).resize((280, 280), Image.Resampling.BILINEAR))
        out = pp.preprocess(big).digit.astype(float)
        corr.append(np.corrcoef(out.ravel(), img.astype(float).ravel())[0, 1])
    assert np.mean(corr) > 0.9 and np.min(corr) > 0.6


@pytest.mark.parametrize("variant", ["grey_dark_on_light", "grey_light_on_dark", "rgb_blue",
                                     "rgba_opaque_white_paper"])
def test_any_colours_and_polarity_give_the_same_digit(variant):
    rgba = canvas([SEVEN])
    alpha = rgba[..., 3].astype(float) / 255
    reference = pp.preprocess(rgba).digit.astype(float)
    if variant == "grey_dark_on_light":
        img = (255 * (1 - alpha)).astype(np.uint8)
    elif variant == "grey_light_on_dark":
        img = (255 * alpha).astype(np.uint8)
    elif variant == "rgb_blue":  # blue pen on cream paper, larger picture
        paper, pen = np.array([250, 240, 220.0]), np.array([20, 40, 200.0])
        img = (paper * (1 - alpha[..., None]) + pen * alpha[..., None]).astype(np.uint8)
    else:
        img = np.dstack([(255 * (1 - alpha)).astype(np.uint8)] * 3 + [np.full_like(rgba[..., 0], 255)])
    out = pp.preprocess(img).digit.astype(float)
    assert np.abs(out - reference).mean() < 0.02 * 255


def test_empty_dot_and_full_ink_are_not_digits():
    empty = np.zeros((280, 280, 4), np.uint8)
    dot = canvas([[(140, 140), (141, 140)]])
    full = np.zeros((280, 280, 4), np.uint8)
    full[..., 3] = 255  # the whole canvas painted black
    mostly = full.copy()
    mostly[:10, :10, 3] = 0  # a painted canvas with a corner left
    for img in (empty, dot, full, mostly, np.full((50, 50), 255, np.uint8)):
        steps = pp.preprocess(img)
        assert steps.digit is None
        assert steps.empty_reason.startswith("nothing to classify")


def test_an_opaque_black_canvas_is_mostly_ink_not_empty():
    full = np.zeros((280, 280, 4), np.uint8)
    full[..., 3] = 255  # every pixel painted with the black pen, nothing transparent
    assert pp.preprocess(full).empty_reason == "nothing to classify: the picture is mostly ink"
    white = np.full((280, 280, 4), 255, np.uint8)  # an opaque canvas with nothing drawn
    assert pp.preprocess(white).empty_reason == "nothing to classify: the picture is empty"


@pytest.mark.parametrize("shape", [(3, 1000), (1, 25000), (1000, 3), (1, 1)])
def test_hair_thin_pictures_get_a_reason_not_an_error(shape):
    for value in (0, 255):
        img = np.full(shape, value, np.uint8)
        img[..., ::7] = 255 - value  # some ink
        steps = pp.preprocess(img)
        assert steps.empty_reason.startswith("nothing to classify")
        if max(shape) > 1:
            assert "is a line, not a digit" in steps.empty_reason

def test_tiny_and_odd_inputs():
    one = np.zeros((5, 3), np.uint8)
    one[:, 1] = 255  # a 5x3 "1", light on dark
    steps = pp.preprocess(one)
    assert steps.digit.shape == (28, 28) and max(steps.scaled.shape) == 20
    with pytest.raises(ValueError):
        pp.to_ink(np.zeros((4, 4, 4, 4)))
