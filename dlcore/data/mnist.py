"""MNIST from the four standard IDX files, plus the small test sample the app ships.

The data set is LeCun, Cortes and Burges' MNIST (http://yann.lecun.com/exdb/mnist/):
60,000 training and 10,000 test digits, 28x28 grey, ink light on a black ground. The
files use the IDX format described on that page: a big-endian magic number
(``0x00000803`` for images, ``0x00000801`` for labels), the dimension sizes, then the
raw bytes. Both the gzipped and the plain files are read.

Where the files live: :func:`resolve_dir` (through :mod:`dlcore.paths`). The app itself
never needs the data set; it ships ``assets/mnist_sample.npz``, a seeded draw of test
digits written by ``python -m dlcore.data.mnist sample --data-dir DIR``.
"""

from __future__ import annotations

import argparse
import gzip
import os
from pathlib import Path

import numpy as np
import torch

from dlcore import paths

ENV_VAR = paths.ENV_VAR
SAMPLE_PATH = paths.asset("mnist_sample.npz")
CACHE_DIR = paths.CACHE / "mnist"

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}
_IMAGE_MAGIC, _LABEL_MAGIC = 0x803, 0x801


class MnistError(RuntimeError):
    """The MNIST files are missing or not what they should be."""


def has_files(d: Path) -> bool:
    """Whether ``d`` holds the four IDX files (gzipped or plain)."""
    return all(_find(d, name) is not None for names in FILES.values() for name in names[:2])


def _find(d: Path, name: str) -> Path | None:
    for candidate in (d / name, d / (name + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def resolve_dir(data_dir: str | Path | None = None) -> Path:
    """The folder holding the four IDX files.

    ``data_dir`` if given (or its ``mnist/`` subfolder, so a data root works too), else
    ``$DLCORE_DATA_DIR/mnist``, else ``~/.cache/dlcore/mnist``, which torchvision fills
    from the internet when the files are not there yet.
    """
    if data_dir is not None:
        d = Path(data_dir).expanduser()
        if (d / "mnist").is_dir():
            d = d / "mnist"
        if not d.is_dir():
            raise MnistError(f"MNIST data folder {d} does not exist")
        return d
    if os.environ.get(ENV_VAR):
        d = Path(os.environ[ENV_VAR]).expanduser() / "mnist"
        if not d.is_dir():
            raise MnistError(f"{ENV_VAR} is set but {d} does not exist")
        return d
    if not has_files(CACHE_DIR):
        download(CACHE_DIR)
    return CACHE_DIR


def download(target: Path = CACHE_DIR) -> Path:
    """Fetch MNIST with torchvision's ordinary download into ``target`` (needs the
    internet); returns ``target``. Raises :class:`MnistError` when the download fails."""
    from torchvision.datasets import MNIST

    root = target.parent / "_torchvision"
    try:
        MNIST(str(root), train=True, download=True)
        MNIST(str(root), train=False, download=True)
    except Exception as err:  # no network, mirror down, disk full...
        raise MnistError(
            f"no MNIST files found and the download failed ({err}). Put the four IDX files "
            f"in a folder and pass --data-dir DIR or set {ENV_VAR} to a root holding mnist/."
        ) from err
    target.mkdir(parents=True, exist_ok=True)
    raw = root / "MNIST" / "raw"
    for names in FILES.values():
        for name in names[:2]:
            src = _find(raw, name)
            if src is None:
                raise MnistError(f"torchvision's download has no {name} in {raw}")
            (target / src.name).write_bytes(src.read_bytes())
    return target


def read_idx(path: str | Path, magic: int) -> np.ndarray:
    """One IDX file (gzipped or not) as a uint8 array; checks magic number and sizes."""
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as err:
        raise MnistError(f"{path} cannot be read ({err})") from err
    if len(data) < 8:
        raise MnistError(f"{path} is too short to be an IDX file")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise MnistError(f"{path}: magic number {found:#010x}, expected {magic:#010x}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(data) != header + int(np.prod(shape)):
        raise MnistError(f"{path}: {len(data) - header} data bytes for shape {shape}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_split(split: str, data_dir: str | Path | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """``"train"`` or ``"test"``: uint8 images [N, 28, 28] and int64 labels [N]."""
    if split not in FILES:
        raise ValueError(f"split must be one of {sorted(FILES)}, not {split!r}")
    d = resolve_dir(data_dir)
    image_name, label_name, n = FILES[split]
    paths = [_find(d, name) for name in (image_name, label_name)]
    missing = [name for name, p in zip((image_name, label_name), paths, strict=True) if p is None]
    if missing:
        raise MnistError(f"{d} lacks {', '.join(missing)} (.gz or plain)")
    images = read_idx(paths[0], _IMAGE_MAGIC)
    labels = read_idx(paths[1], _LABEL_MAGIC)
    if images.shape != (n, 28, 28) or labels.shape != (n,):
        raise MnistError(f"{split}: images {images.shape} and labels {labels.shape}, "
                         f"expected ({n}, 28, 28) and ({n},)")
    if labels.max() > 9:
        raise MnistError(f"{paths[1]} holds labels above 9")
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


def write_sample(data_dir: str | Path | None, path: str | Path = SAMPLE_PATH,
                 n: int = 300, seed: int = 0) -> Path:
    """A seeded random draw of ``n`` test digits: images, labels and their test indices."""
    images, labels = load_split("test", data_dir)
    rng = np.random.default_rng(seed)
    indices = np.sort(rng.choice(len(labels), size=n, replace=False))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, images=images.numpy()[indices], labels=labels.numpy()[indices],
                        indices=indices.astype(np.int32))
    return path


def load_sample(path: str | Path = SAMPLE_PATH) -> tuple[np.ndarray, np.ndarray]:
    """The shipped test digits: uint8 images [N, 28, 28] and int64 labels [N]; a missing
    or damaged file raises :class:`~dlcore.paths.AssetError`."""
    def read(path: Path) -> tuple[np.ndarray, np.ndarray]:
        with np.load(path) as z:
            images, labels = z["images"].astype(np.uint8), z["labels"].astype(np.int64)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
            raise ValueError(f"images of shape {images.shape}, {len(labels)} labels")
        return images, labels

    return paths.read_asset(path, read)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dlcore.data.mnist", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample", help="write the shipped sample of test digits")
    sample.add_argument("--data-dir", help=f"folder with the IDX files (default: ${ENV_VAR})")
    sample.add_argument("--n", type=int, default=300, help="how many digits (default 300)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sample.add_argument("--out", default=str(SAMPLE_PATH), help="output .npz")
    args = parser.parse_args(argv)
    try:
        out = write_sample(args.data_dir, args.out, n=args.n, seed=args.seed)
    except MnistError as err:
        parser.exit(1, f"error: {err}\n")
    print(f"wrote {args.n} test digits to {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
