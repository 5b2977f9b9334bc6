"""Pictures the app makes, served as files by Streamlit's static file serving.

The gradient-descent map is a PNG inside a plotly figure (a layout image). Sent inside
the figure it would be 40-150 kB of base64 with every rerun; as a file it is a short
URL, fetched once and shared by the map and the start picker. ``static/`` beside
``app.py`` is served at ``app/static/`` (``server.enableStaticServing`` in
``.streamlit/config.toml``), a documented Streamlit feature, so no Streamlit internal is
needed (the media route the map used before is one).

A picture is written once under ``static/made/``, named by a hash of its bytes (the same
name in every session and every worker of one machine), written to a temporary name
and renamed, so a reader never sees half a file. The folder holds at most :data:`KEEP`
pictures: a new one removes the oldest beyond that, so a client typing formula after
formula cannot fill the disk (KEEP x ~150 kB). Where the folder cannot be written (a
read-only install) or static serving is off (Streamlit run without the app's
``.streamlit/config.toml``), the picture goes inside the figure as a data URL.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

import streamlit as st

MADE = Path(__file__).resolve().parents[1] / "static" / "made"
KEEP = 256  # pictures kept on disk
CODE = MADE / "code"  # the components' JavaScript modules (a folder pictures never prune)
KEEP_CODE = 16


def data_url(data: bytes, mimetype: str) -> str:
    """The picture inside its address."""
    return f"data:{mimetype};base64," + base64.b64encode(data).decode("ascii")


def _write(path: Path, data: bytes) -> None:
    """``data`` at ``path`` in one step (a temporary file renamed onto it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prune(folder: Path = MADE, keep: int = KEEP) -> int:
    """Remove the oldest pictures beyond ``keep``; how many were removed."""
    try:
        files = [(p.stat().st_mtime, p) for p in folder.iterdir()
                 if p.is_file() and not p.name.startswith(".")]
    except OSError:
        return 0
    removed = 0
    for _, p in sorted(files, key=lambda f: f[0])[:max(0, len(files) - keep)]:
        try:
            p.unlink()
            removed += 1
        except OSError:  # another worker removed it first
            pass
    return removed


def static_file(data: bytes, suffix: str, folder: Path = MADE,
                keep: int = KEEP) -> Path | None:
    """The file holding ``data`` under ``folder`` (written now if new, then the folder
    pruned to ``keep``), or None when the folder cannot be written."""
    path = folder / (hashlib.sha256(data).hexdigest()[:32] + suffix)
    if path.exists():
        return path
    try:
        _write(path, data)
    except OSError:
        return None
    prune(folder, keep)
    return path


def _route(relative: str) -> str:
    """The address static serving gives the file at ``relative`` under ``static/``."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{'/' + base if base else ''}/app/static/{relative}"


def picture_url(data: bytes, mimetype: str = "image/png", suffix: str = ".png",
                folder: Path = MADE) -> str:
    """Where the browser fetches the picture: ``/app/static/made/<hash>.png`` with static
    serving on (the app's config), else a data URL."""
    if not st.get_option("server.enableStaticServing"):
        return data_url(data, mimetype)
    path = static_file(data, suffix, folder)
    if path is None:
        return data_url(data, mimetype)
    return _route(f"{path.parent.name}/{path.name}")


@functools.lru_cache(maxsize=16)
def _code_file(code: str, folder: Path) -> Path:
    """Where ``code`` is kept: named by its hash, computed once per code (each rerun that
    draws a component, a write-back's too, asks again)."""
    return folder / (hashlib.sha256(code.encode()).hexdigest()[:32] + ".js")


def component_js(code: str, folder: Path = CODE) -> str:
    """The ``js`` of a components-v2 component: a loader of a few lines that imports
    ``code`` (an ES module) from its file under ``static/made/code/``, named by its hash,
    so that the browser fetches it once and caches it, and each rerun that draws the
    component sends the loader instead of the code (the live map's 18 kB, sent again by
    every write-back, issue 24). Where static serving is off or the folder cannot be
    written: ``code`` itself, as before."""
    if not st.get_option("server.enableStaticServing"):
        return code
    path = _code_file(code, folder)
    if not path.exists():  # (first use, or removed since): written again
        path = static_file(code.encode(), ".js", folder, KEEP_CODE)
        if path is None:
            return code
    return ("export default function (component) {\n"
            f"  return import(new URL({json.dumps(_route(f'made/code/{path.name}'))},"
            " location.origin).href)\n"
            "    .then((m) => m.default(component));\n}\n")
