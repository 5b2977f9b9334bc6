"""dlcore.digits.predict: the page's perturb-and-predict pipeline, against the parts it
is made of (augment.perturb and model.predict_proba) as the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcore.data import mnist
from dlcore.digits import augment, model, predict


@pytest.fixture(scope="module")
def models():
    return {kind: model.load(kind)[0] for kind in ("cnn", "mlp")}


@pytest.fixture(scope="module")
def digit():
    images, labels = mnist.load_sample()
    return images[0], int(labels[0])


def test_unperturbed_reading_is_the_models_own_answer(models, digit):
    image, label = digit
    reading = predict.read(image, models)
    np.testing.assert_array_equal(reading.seen, image)
    assert reading.changes == [] and list(reading.answers) == ["cnn", "mlp"]
    for kind, m in models.items():
        answer = reading.answers[kind]
        np.testing.assert_array_equal(answer.probs, model.predict_proba(m, image))
        assert answer.top == label and answer.sure and answer.p == answer.probs.max()


def test_perturbed_reading_reads_the_perturbed_digit(models, digit):
    image, _ = digit
    change = predict.Perturbation(shift_x=3, shift_y=-2, rotate=45, stroke=-1)
    reading = predict.read(image, models, change)
    x = torch.from_numpy(image.astype(np.float32) / 255)[None, None]
    expected = augment.perturb(x, (3.0, -2.0), 45.0, -1)[0, 0].numpy()
    np.testing.assert_array_equal(reading.seen, (expected * 255).round().astype(np.uint8))
    np.testing.assert_array_equal(reading.answers["cnn"].probs,
                                  model.predict_proba(models["cnn"], reading.seen))
    assert reading.changes == ["strokes 1 px thinner", "shifted +3 px across, -2 px down",
                               "turned 45° clockwise"]
    assert not np.array_equal(reading.seen, image)


def test_a_digit_pushed_off_the_field_is_read_without_error(models, digit):
    reading = predict.read(digit[0], models, predict.Perturbation(shift_x=8, shift_y=8,
                                                                  rotate=180, stroke=3))
    assert reading.seen.shape == (28, 28) and reading.seen.dtype == np.uint8
    for answer in reading.answers.values():
        assert answer.probs.sum() == pytest.approx(1, abs=1e-5)


def test_read_refuses_a_picture_that_is_not_28x28(models):
    with pytest.raises(ValueError, match="28x28"):
        predict.read(np.zeros((20, 20), np.uint8), models)


def test_verdict_is_unsure_below_the_threshold():
    probs = np.full(10, 0.41 / 9)
    probs[3] = 0.59
    assert predict.verdict(probs) == (3, pytest.approx(0.59), False)
    probs = np.zeros(10)
    probs[8] = 1.0
    assert predict.verdict(probs)[2]
