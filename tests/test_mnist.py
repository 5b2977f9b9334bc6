"""dlcore.data.mnist: IDX reading (gzipped and plain), bad files, the shipped sample."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from dlcore.data import mnist


def _write_idx(path, array: np.ndarray, magic: int, compress: bool) -> None:
    header = magic.to_bytes(4, "big") + b"".join(s.to_bytes(4, "big") for s in array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    if compress:
        with gzip.open(path, "wb") as fh:
            fh.write(payload)
    else:
        path.write_bytes(payload)


def _fake_mnist(tmp_path, compress: bool, n_test: int = 10_000):
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split, (img_name, lab_name, n) in mnist.FILES.items():
        n = n_test if split == "test" else n
        suffix = ".gz" if compress else ""
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8) if split == "test" \
            else np.zeros((n, 28, 28), np.uint8)
        _write_idx(folder / (img_name + suffix), images, 0x803, compress)
        _write_idx(folder / (lab_name + suffix), np.arange(n) % 10, 0x801, compress)
    return tmp_path


@pytest.mark.parametrize("compress", [True, False])
def test_reads_gzipped_and_plain_idx(tmp_path, compress):
    root = _fake_mnist(tmp_path, compress)
    images, labels = mnist.load_split("test", root)  # a root holding mnist/ works too
    assert images.shape == (10_000, 28, 28) and str(images.dtype) == "torch.uint8"
    assert labels.shape == (10_000,) and str(labels.dtype) == "torch.int64"
    assert labels[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_env_var_names_the_data_root(tmp_path, monkeypatch):
    root = _fake_mnist(tmp_path, compress=True)
    monkeypatch.setenv(mnist.ENV_VAR, str(root))
    assert mnist.resolve_dir() == root / "mnist"


def test_corrupt_files_give_clear_errors(tmp_path):
    root = _fake_mnist(tmp_path, compress=False)
    path = root / "mnist" / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-5])  # truncated
    with pytest.raises(mnist.MnistError, match="data bytes"):
        mnist.load_split("test", root)
    path.write_bytes(b"\x00\x00\x08\x01" + b"\x00" * 20)  # a label header on the images
    with pytest.raises(mnist.MnistError, match="magic number"):
        mnist.load_split("test", root)
    (root / "mnist" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(mnist.MnistError, match="lacks"):
        mnist.load_split("test", root)
    with pytest.raises(mnist.MnistError, match="does not exist"):
        mnist.resolve_dir(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="split"):
        mnist.load_split("validation", root)


def test_sample_is_a_seeded_draw_of_the_test_set(tmp_path):
    root = _fake_mnist(tmp_path, compress=True)
    out = mnist.write_sample(root, tmp_path / "s.npz", n=50, seed=3)
    images, labels = mnist.load_sample(out)
    full_images, _ = mnist.load_split("test", root)
    with np.load(out) as z:
        indices = z["indices"]
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, full_images.numpy()[indices])
    np.testing.assert_array_equal(labels, indices % 10)
    again = mnist.write_sample(root, tmp_path / "t.npz", n=50, seed=3)
    np.testing.assert_array_equal(mnist.load_sample(again)[0], images)


def test_shipped_sample_matches_the_test_set(mnist_dir):
    images, labels = mnist.load_sample()
    assert 100 <= len(labels) <= 1000 and images.shape[1:] == (28, 28)
    test_images, test_labels = mnist.load_split("test", mnist_dir)
    with np.load(mnist.SAMPLE_PATH) as z:
        indices = z["indices"]
    np.testing.assert_array_equal(images, test_images.numpy()[indices])
    np.testing.assert_array_equal(labels, test_labels.numpy()[indices])
