"""dlcore.digits: the shipped models, the training CLI, augmentation and prediction."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from dlcore import training
from dlcore.data import mnist
from dlcore.digits import augment as digits_augment
from dlcore.digits import model as digits_model
from dlcore.digits import predict, preprocess
from dlcore.digits import train as digits
from tests.harness import REPO, SEVEN, canvas


@pytest.fixture(scope="module")
def models():
    return {kind: digits_model.load(kind)[0] for kind in ("cnn", "mlp")}


def test_shipped_weights_are_small_and_frozen(models):
    assert digits_model.count_params(models["cnn"]) <= 100_000
    for kind, model in models.items():
        assert digits_model.WEIGHTS[kind].stat().st_size < 1_000_000
        assert not model.training and not any(p.requires_grad for p in model.parameters())


@pytest.mark.slow
def test_shipped_sample_is_read_correctly(models):
    images, labels = mnist.load_sample()
    probs = digits_model.predict_proba(models["cnn"], images)
    assert probs.shape == (len(labels), 10)
    np.testing.assert_allclose(probs.sum(1), 1, rtol=1e-5)
    assert (probs.argmax(1) == labels).mean() >= 0.99
    assert (digits_model.predict_proba(models["mlp"], images).argmax(1) == labels).mean() >= 0.95


@pytest.mark.slow
@pytest.mark.data
def test_train_dry_run(mnist_dir, tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "dlcore.digits", "train", "--dry-run", "--data-dir",
         str(mnist_dir), "--model", "cnn", "--out", str(tmp_path / "w.pt")],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    stats = json.loads(out.stdout)
    assert stats["epochs"] == 1 and stats["dry_run"] and stats["device"] == "cpu"
    assert "] 2/2 loss" in out.stderr and "val_accuracy" in out.stderr  # the progress bar
    assert not (tmp_path / "w.pt").exists()  # a dry run saves nothing


@pytest.mark.slow
def test_evaluate_prints_one_json_object_and_save_writes_it_beside_the_weights(tmp_path,
                                                                              capsys):
    from dlcore.digits.__main__ import main
    from tests.test_mnist import _fake_mnist

    root = _fake_mnist(tmp_path, compress=False)  # random pictures, labels 0..9 in turn
    weights = tmp_path / "mine.pt"
    weights.write_bytes(digits_model.WEIGHTS["mlp"].read_bytes())
    main(["evaluate", "--model", "mlp", "--weights", str(weights), "--data-dir", str(root),
          "--save"])
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((tmp_path / "mine_test.json").read_text())
    sizes = [28 * 28, *digits_model.MLPConfig().hidden, 10]  # the config is the oracle
    weights_and_biases = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    assert printed["n"] == 10_000 and printed["params"] == weights_and_biases
    with np.load(tmp_path / "mine_mistakes.npz") as wrong:
        assert len(wrong["labels"]) == printed["errors"]
        np.testing.assert_array_equal(wrong["labels"], wrong["indices"] % 10)
        assert (wrong["predicted"] != wrong["labels"]).all()


def test_cli_refuses_a_device_that_is_not_there(tmp_path, capsys):
    from dlcore.digits.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", "--device", "tpu", "--data-dir", str(tmp_path)])
    out = capsys.readouterr()
    assert exit_.value.code == 1 and "'tpu' is not a device" in out.err and not out.out


@pytest.mark.slow
def test_train_reports_progress_through_a_callback(tmp_path):
    rng = np.random.default_rng(0)
    images = torch.from_numpy(rng.integers(0, 256, (300, 28, 28), dtype=np.uint8))
    labels = torch.from_numpy(rng.integers(0, 10, 300))
    seen: list[training.Progress] = []
    config = digits.TrainConfig(model="mlp", epochs=2, batch_size=100, val_size=100)
    model, stats = digits.train(config, images, labels, seen.append)
    assert [(p.epoch, p.step, p.steps) for p in seen] == [(1, 1, 2), (1, 2, 2), (2, 1, 2),
                                                          (2, 2, 2)]
    assert "val_accuracy" in seen[-1].metrics and not seen[0].metrics
    assert stats["n_train"] == 200 and len(stats["val_history"]) == 2
    path = digits_model.save(model, tmp_path / "m.pt", meta=stats)
    again, meta = digits_model.load("mlp", path)
    assert meta["n_train"] == 200 and meta["kind"] == "mlp"
    # the training core's format: plain tensors and values, read with weights_only=True
    state_dict, raw = training.load(path)
    assert raw["config"] == {"hidden": [128, 64], "dropout": 0.1}
    x = images[:4].numpy()
    np.testing.assert_allclose(digits_model.predict_proba(again, x),
                               digits_model.predict_proba(model, x), atol=1e-6)
    with pytest.raises(ValueError, match="not 'cnn'"):
        digits_model.load("cnn", path)


def test_shipped_weights_are_in_the_training_core_format():
    for kind, path in digits_model.WEIGHTS.items():
        state_dict, meta = training.load(path)  # weights_only=True
        assert meta["kind"] == kind and meta["seed"] == 0 and meta["epochs"] == 10
        assert sum(v.numel() for k, v in state_dict.items() if "running" not in k
                   and "num_batches" not in k) == meta["params"]


def test_a_drawn_seven_is_a_seven(models):
    reading = predict.read(preprocess.preprocess(canvas([SEVEN])).digit, models)
    answer = reading.answers["cnn"]
    assert answer.top == 7 and answer.p > 0.5 and answer.sure
    assert reading.answers["mlp"].top == 7


def test_feature_maps_and_filters(models):
    images, _ = mnist.load_sample()
    maps = digits_model.feature_maps(models["cnn"], images[0])
    channels = digits_model.CNNConfig().channels
    assert [m.shape[0] for m in maps] == list(channels)
    assert maps[0].shape[1:] == (14, 14) and maps[-1].shape[1:] == (7, 7)
    filters = models["cnn"].first_filters()
    assert tuple(filters.shape) == (channels[0], 1, 5, 5)
    grid = digits_model.tile(filters[:, 0], nrow=16, signed=True, zoom=3)
    assert grid.dtype == np.uint8 and grid.shape == (3 * (2 * 6 + 1), 3 * (16 * 6 + 1))


def test_perturbations():
    images, _ = mnist.load_sample()
    x = torch.from_numpy(images[:8].astype(np.float32) / 255).unsqueeze(1)
    assert torch.equal(digits_augment.perturb(x), x)
    shifted = digits_augment.perturb(x, shift_px=(2.0, -1.0))
    assert torch.allclose(shifted[..., 1:-1, 2:], x[..., 2:, :-2], atol=1e-5)
    assert digits_augment.thicken(x).sum() > x.sum() > digits_augment.thin(x).sum()
    turned = digits_augment.perturb(digits_augment.perturb(x, rotation_deg=90), rotation_deg=-90)
    assert (turned - x).abs().mean() < 0.05
    gen = torch.Generator().manual_seed(1)
    a = digits_augment.augment(x, generator=gen)
    b = digits_augment.augment(x, generator=torch.Generator().manual_seed(1))
    assert a.shape == x.shape and torch.equal(a, b) and 0 <= a.min() and a.max() <= 1.0001


def test_positive_rotation_turns_clockwise_on_screen():
    bar = torch.zeros(1, 1, 28, 28)
    bar[0, 0, 13:15, 4:24] = 1
    rows, cols = np.nonzero(digits_augment.perturb(bar, rotation_deg=30)[0, 0].numpy() > 0.3)
    slope = np.polyfit(cols, rows, 1)[0]  # rows grow downwards: the right end went down
    assert slope == pytest.approx(np.tan(np.radians(30)), abs=0.1)
