"""The ImageNet network behind "Hot dog or not" and "Fine-tuning": it loads offline, knows a
cat, its hot-dog probability is class 934's softmax mass, and new heads learn new classes
(faster than a CNN from scratch), without ever changing the shared network."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from dlcore.finetune import demo, imagenet, train

pytestmark = pytest.mark.slow  # EfficientNet forward and backward passes


CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat", "lynx"}


@pytest.fixture(scope="module")
def model():
    return imagenet.load_model()


def test_loads_offline_from_the_package(model, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the model must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    again = imagenet.load_model()
    assert not again.training and not any(p.requires_grad for p in again.parameters())
    names = imagenet.categories()
    assert len(names) == 1000 and names[imagenet.HOTDOG] == "hotdog"


def test_chelsea_is_a_cat(model):
    # Recorded on 2026-11-28: tiger cat 0.38, Egyptian cat 0.38, tabby 0.17, lynx 0.02.
    pred = imagenet.predict(model, demo.photo("cat", seed=None))
    labels = [label for label, _ in pred.top]
    assert len(labels) == 5 and labels[0] in CATS
    assert sum(p for label, p in pred.top if label in CATS) > 0.8
    coffee = imagenet.predict(model, demo.photo("coffee", seed=None))
    assert coffee.top[0][0] == "espresso"


def test_hotdog_probability_is_the_softmax_mass_of_class_934(model):
    img = demo.hotdog(5)
    pred = imagenet.predict(model, img)
    with torch.no_grad():
        logits = model(imagenet.preprocess(img)[None])[0]
    p = torch.softmax(logits.double(), 0)[934].item()
    assert pred.p_hotdog == pytest.approx(p, abs=1e-6)
    assert pred.top[0][0] == "hotdog"
    # the trunk / top split the fine-tuning uses is the same network
    feats = imagenet.features(model, imagenet.preprocess(img)[None])
    assert torch.allclose(model._fc(feats)[0], logits, atol=1e-4)


def test_verdict_reads_like_the_slide():
    assert imagenet.verdict(0.41) == (False, "Not hotdog! p = 0.59")
    assert imagenet.verdict(0.59) == (True, "Hotdog! p = 0.59")
    assert imagenet.verdict(0.5)[0]
    # both of the slide's lines, each with its own p, the more probable first
    assert imagenet.verdict_lines(0.41) == (False, ["Not hotdog! p = 0.59", "Hotdog! p = 0.41"])
    assert imagenet.verdict_lines(0.99) == (True, ["Hotdog! p = 0.99", "Not hotdog! p = 0.01"])


def test_any_size_and_mode_becomes_224(model):
    for img in (Image.new("L", (30, 900), 128), Image.new("RGBA", (640, 20)),
                Image.new("P", (1, 1))):
        assert imagenet.preprocess(img).shape == (3, 224, 224)


def _synthetic(kind: str, seed: int) -> Image.Image:
    """Stripes across or stripes down, at a random period, phase and colour."""
    rng = np.random.default_rng(seed)
    period, phase = rng.uniform(12, 40), rng.uniform(0, 40)
    yy, xx = np.mgrid[0:200, 0:200]
    t = (yy if kind == "across" else xx) + phase
    on = (np.sin(2 * np.pi * t / period) > 0)[..., None]
    a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    while np.abs(a.astype(int) - b).sum() < 200:
        b = rng.integers(0, 256, 3)
    return Image.fromarray(np.where(on, a, b).astype(np.uint8))


def test_new_head_learns_separable_classes_to_100_percent(model):
    classes = ("across", "down")
    pictures = [_synthetic(k, s) for k in classes for s in range(6)]
    held = [_synthetic(k, 100 + s) for k in classes for s in range(8)]
    labels = [0] * 6 + [1] * 6
    data = train.prepare(model, pictures, labels)
    test = train.prepare(model, held, [0] * 8 + [1] * 8)
    seen = []
    result = train.fit(model, data, classes, "head", train.Config(steps=40),
                       callback=seen.append, held_out=test)
    assert [p.step for p in seen] == list(range(1, 41))
    assert result.losses[-1] < result.losses[0]
    assert result.accuracy[-1] == (40, 1.0)


def test_fine_tuned_beats_from_scratch_and_leaves_the_network_alone(model):
    classes = ("face", "not face")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    data = train.prepare(model, *demo.demo_set(classes, 3, seed=0), mirror=False)
    pictures, labels = demo.held_out_set(classes)
    test = train.prepare(model, pictures[::4], labels[::4])  # 40 of the 160 new pictures
    config = train.Config(steps=20, seed=0)
    acc = {mode: train.fit(model, data, classes, mode, config, held_out=test).accuracy[-1][1]
           for mode in train.MODES}
    # Recorded on 2026-12-04 after 20 steps on 3 pictures per class: head and last block
    # 0.95 or more, scratch 0.80 (tests/test_lessons.py: the gap over seeds 0-9).
    assert acc["head"] >= 0.95 and acc["last block"] >= 0.95
    assert acc["scratch"] < acc["head"] - 0.1
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not model.training and not any(p.requires_grad for p in model.parameters())


def test_fit_needs_two_classes(model):
    data = train.Prepared(torch.zeros(2, 192, 7, 7), torch.zeros(2, 1280),
                          torch.zeros(2, 3, 64, 64), torch.tensor([0, 0]))
    with pytest.raises(ValueError, match="two classes"):
        train.fit(model, data, ("a", "b"))
    with pytest.raises(ValueError, match="mode"):
        train.fit(model, train.Prepared(data.trunk, data.pooled, data.small,
                                        torch.tensor([0, 1])), ("a", "b"), "everything")


def test_demo_sets_differ_by_seed():
    a, la = demo.demo_set(("hot dog", "cat"), 2, seed=0)
    b, _ = demo.demo_set(("hot dog", "cat"), 2, seed=1)
    assert la == [0, 0, 1, 1]
    for x, y in zip(a, b, strict=True):
        assert not np.array_equal(np.asarray(x), np.asarray(y))
    with pytest.raises(ValueError, match="no demo pictures"):
        demo.picture("giraffe")


def test_held_out_pictures_are_new_pictures():
    """No held-out picture is a training picture, for any seed or size; photo crops have
    none. Faces come from one pool in a seed's order: seeds 0-9; the drawings' seeds
    never reach the held-out ones by construction (and each costs a drawing): 0-2."""
    classes = ("face", "not face", "hot dog", "plate")
    held = {np.asarray(p).tobytes() for p in demo.held_out_set(classes)[0]}
    assert len(held) == 80 + 80 + 2 * demo.HELD_OUT_DRAWINGS
    for seed in range(10):
        if seed == 3:
            classes = classes[:2]
        pictures, labels = demo.demo_set(classes, demo.FACE_POOL, seed)
        assert not held & {np.asarray(p).tobytes() for p in pictures}
        small, _ = demo.demo_set(classes, 3, seed)  # a smaller set starts the larger one
        assert [np.asarray(p).tobytes() for p in small[:3]] == \
            [np.asarray(p).tobytes() for p in pictures[:3]]
    with pytest.raises(ValueError, match="crops of one photo"):
        demo.held_out_set(("cat", "face"))



def test_class_activation_map_is_the_logit_spread_over_positions(model):
    """CAM (Zhou et al., 2016): the top class's map, unscaled, averages to its logit less
    the bias; checked against the whole network's forward pass (torch as the oracle), and
    the cat's map is strongest on the cat (chelsea fills the left two thirds)."""
    img = demo.photo("cat", seed=None)
    cam, top = imagenet.class_activation_map(model, img, 3)
    with torch.no_grad():
        x = imagenet.preprocess(img)[None]
        logits = model(x)[0]
        t = imagenet.top_of(model)
        a = t.act(t.bn(t.conv(t.block(imagenet.trunk(model, x)))))[0]
    best = int(logits.argmax())
    raw = torch.einsum("c,chw->hw", model._fc.weight[best], a)
    assert (raw.mean() + model._fc.bias[best]).item() == pytest.approx(logits[best].item(),
                                                                       abs=1e-3)
    assert top[0][0] == imagenet.categories()[best] and top[0][0] in CATS
    assert cam.shape == (7, 7) and cam.min() == 0 and cam.max() == pytest.approx(1)
    assert np.unravel_index(cam.argmax(), cam.shape)[1] <= 4


def _same(a: train.Prepared, b: train.Prepared) -> bool:
    return all(torch.equal(x, y) for x, y in ((a.trunk, b.trunk), (a.pooled, b.pooled),
                                               (a.small, b.small), (a.labels, b.labels)))


def test_features_kept_on_disk_are_the_features(model, tmp_path, monkeypatch):
    """``prepare_once`` gives exactly what ``prepare`` computes, reads it back instead of
    computing it again, names a file by everything it depends on, computes again over a
    damaged file, keeps the folder bounded and still works where it cannot write."""
    pictures, labels = demo.demo_set(("hot dog", "plate"), 2, seed=3)
    fresh = train.prepare(model, pictures, labels, mirror=True)
    first = train.prepare_once(model, pictures, labels, mirror=True, folder=tmp_path)
    assert _same(first, fresh)
    files = list(tmp_path.glob("*.pt"))
    assert len(files) == 1

    computed = []
    real = train.prepare
    monkeypatch.setattr(train, "prepare", lambda *a, **k: computed.append(1) or real(*a, **k))
    assert _same(train.prepare_once(model, pictures, labels, mirror=True, folder=tmp_path),
                 fresh)
    assert not computed  # read back
    # other labels, no mirror images, another picture: other files
    train.prepare_once(model, pictures, labels[::-1], mirror=True, folder=tmp_path)
    train.prepare_once(model, pictures, labels, folder=tmp_path)
    train.prepare_once(model, pictures[:1] + pictures[2:] + pictures[1:2], labels,
                       folder=tmp_path)
    assert len(computed) == 3 and len(list(tmp_path.glob("*.pt"))) == 4

    files[0].write_bytes(b"not a tensor file")  # damaged: computed again, and right
    assert _same(train.prepare_once(model, pictures, labels, mirror=True, folder=tmp_path),
                 fresh)
    assert len(computed) == 4

    monkeypatch.setattr(train, "FEATURES_KEPT", 2)
    train.prepare_once(model, pictures[:2], labels[:2], folder=tmp_path)
    assert len(list(tmp_path.glob("*.pt"))) == 2

    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    assert _same(train.prepare_once(model, pictures, labels, mirror=True, folder=blocked),
                 fresh)


def test_features_folder_follows_the_environment(monkeypatch, tmp_path):
    from dlcore import paths

    monkeypatch.setenv(paths.CACHE_ENV_VAR, str(tmp_path))
    assert paths.cache_dir("features") == tmp_path / "features"
    monkeypatch.delenv(paths.CACHE_ENV_VAR)
    assert paths.cache_dir("features") == paths.CACHE / "features"


def test_the_channels_last_trunk_is_the_networks_own_trunk(model):
    """``imagenet.trunk`` runs the pictures in the channels-last layout (for speed): the
    same activations as the network's modules in their usual layout, and ``predict`` the
    same probabilities as the whole network called as it is."""
    pictures = [demo.photo("cat", seed=None), demo.hotdog(0), demo.plate(1, "bun")]
    x = imagenet.batch(pictures)
    with torch.no_grad():
        y = model._swish(model._bn0(model._conv_stem(x)))
        for block in model._blocks[:-1]:
            y = block(y)
        torch.testing.assert_close(imagenet.trunk(model, x), y, rtol=1e-4, atol=1e-4)
        whole = torch.softmax(model(x[:1]), dim=1)[0].double().numpy()
    assert np.allclose(imagenet.predict(model, pictures[0]).probs, whole, atol=1e-6)
