"""Maps of meaning: a set of word vectors drawn in 2-D or 3-D.

* PCA (scikit-learn) keeps the directions of largest spread; the page states how much of
  the spread the picture keeps.
* t-SNE (van der Maaten and Hinton 2008, scikit-learn's Barnes-Hut, from a seeded random
  start: with a PCA start the seed would change nothing) keeps neighbourhoods,
  not distances; the seed fixes the picture, so a link shows the same map on every laptop.
* Axes made of word pairs (word2viz; koaning/whatlies): the x axis is the direction from
  one word to another (man -> woman), the y axis another pair (poor -> rich), and each word
  sits at the cosine of its vector with each direction.

These are the Embedding Projector's views (https://projector.tensorflow.org). Results are
cached by their inputs (the vectors themselves, method, dimensions, seed) and read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dlcore.embeddings.vectors import Embeddings, WordError

METHODS = ("pca", "tsne")
MIN_WORDS = 3


@dataclass(frozen=True)
class Projection:
    words: tuple[str, ...]
    coords: np.ndarray  # (len(words), dims), read-only
    method: str
    kept: float | None = None  # PCA: the share of the spread the picture keeps


def project(model: Embeddings, words: list[str], method: str = "pca", dims: int = 2,
            seed: int = 0, vocab: int | None = None) -> Projection:
    """The words (known ones, see ``Embeddings.word_list``) mapped to ``dims`` dimensions."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if dims not in (2, 3):
        raise ValueError("dims must be 2 or 3")
    if len(words) < MIN_WORDS:
        raise WordError(f"A map needs at least {MIN_WORDS} known words; it has {len(words)}.")
    rows = model.unit[[model.index(w, vocab) for w in words]]
    coords, kept = _reduce(np.ascontiguousarray(rows).tobytes(), rows.shape, method, dims,
                           int(seed))
    return Projection(tuple(words), coords, method, kept)


@lru_cache(maxsize=128)
def _reduce(data: bytes, shape: tuple[int, int], method: str, dims: int, seed: int
            ) -> tuple[np.ndarray, float | None]:
    x = np.frombuffer(data, dtype=np.float32).reshape(shape).astype(np.float64)
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=dims, svd_solver="full", random_state=seed)
        coords, kept = pca.fit_transform(x), float(pca.explained_variance_ratio_.sum())
        # an SVD's signs are arbitrary: fix them so the first word sits on the positive side
        coords *= np.where(coords[0] < 0, -1.0, 1.0)
    else:
        from sklearn.manifold import TSNE
        from threadpoolctl import threadpool_limits

        perplexity = min(30.0, max(1.0, (len(x) - 1) / 3))
        # 500 steps: on 300 GloVe words the KL divergence is 1.001 after 500, 0.994 after
        # scikit-learn's default 1,000, for half the time
        tsne = TSNE(n_components=dims, perplexity=perplexity, init="random", learning_rate="auto",
                    max_iter=500, random_state=seed)
        # one thread: on a busy server OpenMP's threads wait on each other (300 words took
        # 72 s with two threads beside other work, 3 s with one)
        with threadpool_limits(limits=1):
            coords, kept = tsne.fit_transform(x), None
    coords = np.ascontiguousarray(coords, dtype=np.float64)
    coords.setflags(write=False)
    return coords, kept


@dataclass(frozen=True)
class PairAxes:
    words: tuple[str, ...]
    coords: np.ndarray  # (len(words), 2): cosine with each axis direction
    axes: tuple[tuple[str, str], tuple[str, str]]


def pair_axes(model: Embeddings, words: list[str], x_pair: tuple[str, str],
              y_pair: tuple[str, str], vocab: int | None = None) -> PairAxes:
    """Each word's cosine with the directions x_pair[0] -> x_pair[1] and y_pair[0] -> y_pair[1]."""
    directions = []
    for pair, axis in ((x_pair, "x"), (y_pair, "y")):
        i, j = (model.index(w, vocab, f"the {axis} axis' {end} word")
                for w, end in zip(pair, ("first", "second"), strict=True))
        if i == j:
            raise WordError(f"The {axis} axis needs two different words.")
        d = model.unit[j] - model.unit[i]
        directions.append(d / np.linalg.norm(d))
    if not words:
        raise WordError("Type some words to place on the axes.")
    rows = model.unit[[model.index(w, vocab) for w in words]]
    coords = rows @ np.stack(directions, axis=1)
    coords.setflags(write=False)
    pairs = (tuple(x_pair), tuple(y_pair))
    return PairAxes(tuple(words), coords, pairs)


@dataclass(frozen=True)
class AnalogyPlane:
    """An analogy drawn flat: its words and the point b - a + c, by PCA of those vectors."""
    words: tuple[str, ...]  # a, b, c, then the answers
    coords: np.ndarray  # (len(words), 2)
    target: np.ndarray  # (2,): where b - a + c lands


def analogy_plane(model: Embeddings, analogy, vocab: int | None = None) -> AnalogyPlane:
    """The words of an :class:`~dlcore.embeddings.vectors.Analogy` and its target in 2-D."""
    words = list(analogy.inputs) + [w for w, _ in analogy.answers]
    rows = model.unit[[model.index(w, vocab) for w in words]]
    a, b, c = rows[:3]
    target = b - a + c
    stacked = np.vstack([rows, target / np.linalg.norm(target)]).astype(np.float32)
    coords, _ = _reduce(stacked.tobytes(), stacked.shape, "pca", 2, 0)
    return AnalogyPlane(tuple(words), coords[:-1], coords[-1])
