"""Scores of a word-vector model on the two benchmarks that ship inside gensim.

* Analogies: ``questions-words.txt`` (Mikolov et al. 2013; 19,544 questions "a is to b
  as c is to d" in 14 sections, 5 semantic and 9 syntactic). A question counts when its
  four words are among the ``vocab`` most frequent; the answer is the nearest word to
  b - a + c among them, the three inputs excluded (3CosAdd), as in gensim.
* Word similarity: ``wordsim353.tsv`` (Finkelstein et al. 2002; 353 pairs rated by people
  from 0 to 10); the Spearman rank correlation of those ratings with the cosine
  similarities, over the pairs whose two words are known.

The rules follow gensim's ``evaluate_word_analogies`` and ``evaluate_word_pairs`` (case
folded, questions with unknown words skipped) so the numbers equal gensim's on the same
vectors and restriction; the work is done for many questions at once, as one matrix
product per batch, instead of one ``most_similar`` call per question.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gensim.matutils import unitvec
from scipy import stats

from dlcore.embeddings.vectors import Embeddings

SCORES_PER_BATCH = 16_000_000  # questions x words scored at once: 64 MB of float32


def datapath(name: str) -> str:
    from gensim.test.utils import datapath as gensim_datapath

    return gensim_datapath(name)


def _known(model: Embeddings, vocab: int) -> dict[str, int]:
    """Upper-cased words of the first ``vocab`` rows; the most frequent wins a clash."""
    return {w.upper(): i for i, w in reversed(list(enumerate(model.words[:vocab])))}


def analogies(model: Embeddings, vocab: int, path: str | Path | None = None) -> dict:
    """Accuracy on the analogy questions, overall and per section."""
    n = model.size(vocab)
    known = _known(model, n)
    sections: list[tuple[str, list[tuple[int, int, int, int]]]] = []
    questions = 0
    for line in Path(path or datapath("questions-words.txt")).read_text().splitlines():
        if line.startswith(": "):
            sections.append((line[2:].strip(), []))
            continue
        words = [w.upper() for w in line.split()]
        if len(words) != 4:
            continue
        questions += 1
        if all(w in known for w in words):
            sections[-1][1].append(tuple(known[w] for w in words))
    vectors = np.asarray(model.kv.vectors[:n], dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1)
    unit = vectors / norms[:, None]
    batch = max(1, min(512, SCORES_PER_BATCH // n))
    result, correct_all, answered_all = {}, 0, 0
    for name, rows in sections:
        correct = 0
        for start in range(0, len(rows), batch):
            ids = np.array(rows[start:start + batch])
            a, b, c, expected = ids.T
            # gensim: the mean of the unit vectors of b, c and -a, made unit length, and the
            # scores of all words as dot products with it divided by their lengths
            # (gensim's division and normalisation run in float64)
            mean = (unit[b] + unit[c] - unit[a]).astype(np.float64) / 3
            mean = (mean / np.linalg.norm(mean, axis=1, keepdims=True)).astype(np.float32)
            scores = (vectors @ mean.T) / norms[:, None]
            cols = np.arange(len(ids))
            for excluded in (a, b, c):
                scores[excluded, cols] = -np.inf
            correct += int((scores.argmax(axis=0) == expected).sum())
        result[name] = {"correct": correct, "answered": len(rows),
                        "accuracy": correct / len(rows) if rows else None}
        correct_all += correct
        answered_all += len(rows)
    return {
        "accuracy": correct_all / answered_all if answered_all else None,
        "correct": correct_all,
        "answered": answered_all,
        "questions": questions,
        "oov_ratio": (questions - answered_all) / questions * 100 if questions else None,
        "sections": result,
    }


def word_pairs(model: Embeddings, vocab: int, path: str | Path | None = None) -> dict:
    """Spearman (and Pearson) correlation of human ratings with cosine similarities."""
    n = model.size(vocab)
    known = _known(model, n)
    gold, ours, unknown = [], [], 0
    vectors = model.kv.vectors
    for line in Path(path or datapath("wordsim353.tsv")).read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        try:
            a, b, rating = (w.upper() for w in line.split("\t"))
            rating = float(rating)
        except ValueError:
            continue
        if a not in known or b not in known:
            unknown += 1
            continue
        gold.append(rating)
        # gensim's KeyedVectors.similarity, to its last bit
        ours.append(float(np.dot(unitvec(vectors[known[a]]), unitvec(vectors[known[b]]))))
    if len(gold) < 3:
        return {"spearman": None, "pearson": None, "pairs": len(gold), "unknown": unknown}
    return {
        "spearman": float(stats.spearmanr(gold, ours).statistic),
        "pearson": float(stats.pearsonr(gold, ours).statistic),
        "pairs": len(gold),
        "oov_ratio": unknown / (len(gold) + unknown) * 100,
    }


def evaluate(model: Embeddings, vocab: int) -> dict:
    """Both benchmarks on the ``vocab`` most frequent words, stated in the result."""
    n = model.size(vocab)
    analogy, pairs = analogies(model, n), word_pairs(model, n)
    return {
        "model": model.name,
        "title": model.title,
        "vocabulary": f"the {n:,} most frequent words of {len(model):,}",
        "restrict_vocab": n,
        "analogy_accuracy": analogy["accuracy"],
        "analogy_correct": analogy["correct"],
        "analogy_answered": analogy["answered"],
        "analogy_questions": analogy["questions"],
        "analogy_sections": {k: v["accuracy"] for k, v in analogy["sections"].items()},
        "wordsim353_spearman": pairs["spearman"],
        "wordsim353_pearson": pairs["pearson"],
        "wordsim353_pairs": pairs["pairs"],
    }
