"""Where the engine's files live, defined once: the shipped assets and the data directory.

Product code never names a data path of its own: commands take ``--data-dir`` and the app
reads the ``DLCORE_DATA_DIR`` environment variable (a folder holding ``mnist/`` and
``shakespeare/``). Without either, a data set is looked for in the user's cache, where
the ordinary downloads (torchvision's, pip's) put it on a machine with internet.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO / "assets"
ENV_VAR = "DLCORE_DATA_DIR"
CACHE = Path.home() / ".cache" / "dlcore"


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
