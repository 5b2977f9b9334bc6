"""The word-embeddings page: every view and preset renders, each preset's lesson holds on
the real vectors, deep links set the state, and bad or hostile input gets a message."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dlcore.embeddings import WordError, load, projection
from tests.conftest import REPO
from tests.harness import open_page, page_text
from ui import kit
from ui.states.embeddings import PRESETS, VIEWS, EmbeddingsState, word_set

pytestmark = pytest.mark.slow  # AppTest page runs

PAGE = str(REPO / "pages" / "embeddings.py")


def run_page(params: dict[str, str] | None = None) -> AppTest:
    return open_page(PAGE, params, timeout=120)




def link_params(state: EmbeddingsState) -> dict[str, str]:
    return dict(parse_qsl(urlparse(kit.link(state)).query))


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders(view):
    at = run_page({"view": view})
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.get("plotly_chart") or at.dataframe


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_link_opens_with_its_lesson(name):
    at = run_page(link_params(PRESETS[name].state))
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert PRESETS[name].title in page_text(at)


def test_the_default_view_answers_frog():
    at = run_page()
    body = page_text(at)
    assert "Nearest to **frog**" in body and "toad" in body
    assert "cosine(frog, toad)" in body  # the similarity box


def test_deep_link_builds_the_analogy():
    at = run_page({"view": "analogy", "a": "france", "b": "paris", "c": "italy", "k": "3"})
    assert at.subheader[0].value == "paris − france + italy ≈ rome"
    assert "left out of the answers" in page_text(at)


def test_typing_a_word_changes_the_link():
    at = run_page()
    at.text_input(key=kit.key(EmbeddingsState, "word")).input("Toad ").run()
    assert "Nearest to **toad**" in page_text(at) and at.query_params["word"] in ("Toad ", ["Toad "])


@pytest.mark.parametrize("params, expected", [
    ({"word": "kingg"}, "Closest spellings that are"),
    ({"word": " "}, "the box is empty"),
    ({"word": "**bold** [x](javascript:alert(1))"}, "without spaces"),
    ({"view": "analogy", "b": "zzqqxxv"}, "not in the vocabulary"),
    ({"view": "map", "words": "own", "own": "cat"}, "at least 3 known words"),
    ({"view": "axes", "x_to": "man"}, "two different words"),
    ({"word": "litoria", "vocab": "10000"}, "raise the vocabulary size"),
    ({"view": "sideways", "k": "9999"}, "not understood"),
])
def test_bad_input_gets_a_message(params, expected):
    at = run_page(params)
    assert not at.exception
    warnings = "\n".join(w.value for w in at.warning)
    assert expected in warnings, warnings
    assert "**bold**" not in warnings and "](" not in warnings


def test_own_words_with_markup_are_shown_as_text():
    at = run_page({"view": "map", "words": "own",
                   "own": "cat dog cat horse <img src=x onerror=alert(1)> car" + ", x" * 40})
    assert not at.exception and not at.warning
    body = page_text(at)
    assert "Repeated words were taken once" in body and "\\<img" in body
    assert "<img" not in body.replace("\\<img", "")


def test_shakespeare_model_and_vocabulary_from_the_link():
    at = run_page({"model": "shakespeare", "word": "frog"})
    assert "not in the vocabulary" in at.warning[0].value and "Shakespeare" in at.warning[0].value
    at = run_page({"model": "shakespeare", "word": "king"})
    assert "duke" in page_text(at)


# --------------------------------------------------------------------------- the lessons
@pytest.fixture(scope="module")
def glove():
    return load("glove")


def _offset_agreement(coords: np.ndarray, pairs: list[tuple[int, int]]) -> float:
    """The mean cosine between the arrows of the pairs in the picture (1: all parallel)."""
    arrows = np.array([coords[j] - coords[i] for i, j in pairs])
    arrows /= np.linalg.norm(arrows, axis=1, keepdims=True)
    return float((arrows @ arrows.T)[np.triu_indices(len(arrows), 1)].mean())


def _map(glove, name):
    state = PRESETS[name].state
    words, groups = word_set(state)
    proj = projection.project(glove, words, state.method, state.dims, state.seed, state.vocab)
    return words, groups, proj.coords


def _first_to_last(words, groups):
    names = list(dict.fromkeys(groups.values()))
    first = [i for i, w in enumerate(words) if groups[w] == names[0]]
    last = [i for i, w in enumerate(words) if groups[w] == names[-1]]
    return list(zip(first, last, strict=True))


def test_lesson_queen(glove):
    s = PRESETS["queen"].state
    assert glove.analogy(s.a, s.b, s.c, s.k, s.vocab).answers[0][0] == "queen"


def test_lesson_rome(glove):
    s = PRESETS["rome"].state
    assert "rome" in [w for w, _ in glove.analogy(s.a, s.b, s.c, 3, s.vocab).answers]


ANIMALS = {"snake", "ape", "toad", "monkey", "spider", "lizard", "cat", "rattlesnake",
           "frogs", "turtle", "rat", "rabbit", "snakes", "salamander", "newt"}


def test_lesson_frog(glove):
    """Most neighbours are animals; the non-animals are the ones the words name."""
    s, lesson = PRESETS["frog"].state, PRESETS["frog"].lesson
    words = [w for w, _ in glove.neighbours(s.word, s.k, s.vocab)]
    animals = [w for w in words if w in ANIMALS]
    assert "toad" in animals and len(animals) >= 0.7 * len(words)
    others = [w for w in words if w not in ANIMALS]
    assert others and all(w in lesson for w in others), others
    named_animals = lesson.split("animals (")[1].split(")")[0].split(", ")
    assert set(named_animals) <= set(animals)
    assert "small animals" not in lesson


def _directions(glove, name):
    """Each drawn arrow's direction in the picture, as the cosine with the arrows' mean
    direction (1: the same way, -1: the other way)."""
    words, groups, coords = _map(glove, name)
    index = {w: i for i, w in enumerate(words)}
    from pages.embeddings import _pairs

    pairs = _pairs(words, groups, PRESETS[name].state.words)
    arrows = np.array([coords[index[t]] - coords[index[f]] for f, t in pairs])
    arrows /= np.linalg.norm(arrows, axis=1, keepdims=True)
    mean = arrows.sum(0) / np.linalg.norm(arrows.sum(0))
    return pairs, arrows @ mean


def test_lesson_gender_every_pair_points_one_way(glove):
    pairs, cos = _directions(glove, "gender")
    assert len(pairs) == 8 and "eight pairs" in PRESETS["gender"].lesson
    assert [f for f, _ in pairs][:3] == ["man", "king", "boy"]  # male -> female, as stated
    assert [t for _, t in pairs][:3] == ["woman", "queen", "girl"]
    assert cos.min() > 0.9, dict(zip(pairs, cos.round(2), strict=True))  # within 25 degrees


def test_lesson_comparatives_arrows_are_the_ones_named(glove):
    pairs, cos = _directions(glove, "comparatives")
    lesson = PRESETS["comparatives"].lesson
    for f, t in (("good", "best"), ("big", "biggest"), ("fast", "fastest")):
        assert (f, t) in pairs and f"{f} → {t}" in lesson  # the arrows drawn are the named ones
    assert not any(t in ("better", "bigger", "faster") for _, t in pairs)  # unjoined, as said
    assert len(pairs) == 6 and "six arrows" in lesson
    assert cos.min() > 0.8, dict(zip(pairs, cos.round(2), strict=True))  # roughly one way


def test_compare_view_says_the_vocabulary_in_use_and_in_the_file():
    at = run_page({"view": "compare", "word": "king"})
    body = page_text(at)
    assert "the 50,000 most frequent words in use, of the 400,000 in its file" in body
    at = run_page({"view": "neighbours"})
    labels = [e.label for e in at.expander]
    assert any("the 50,000 most frequent words in use, of the 400,000 in its file" in x
               for x in labels), labels


@pytest.mark.parametrize("name, least", [("capitals", 0.9), ("comparatives", 0.75),
                                         ("gender", 0.8)])
def test_lesson_parallel_arrows(glove, name, least):
    words, groups, coords = _map(glove, name)
    assert _offset_agreement(coords, _first_to_last(words, groups)) > least


def _nearest_in_picture(coords: np.ndarray) -> np.ndarray:
    d = ((coords[:, None] - coords[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return d.argmin(1)


def test_lesson_islands(glove):
    words, groups, coords = _map(glove, "islands")
    group = np.array([groups[w] for w in words])
    assert (group[_nearest_in_picture(coords)] == group).mean() >= 0.9


def test_lesson_tenses(glove):
    words, groups, coords = _map(glove, "tenses")
    verb = np.arange(len(words)) % 6  # three groups of six, in the same verb order
    assert (verb[_nearest_in_picture(coords)] == verb).mean() >= 0.7  # chance: 2 in 17


def test_lesson_axes(glove):
    s = PRESETS["axes"].state
    words, _ = word_set(s)
    axes = projection.pair_axes(glove, words, (s.x_from, s.x_to), (s.y_from, s.y_to), s.vocab)
    at = dict(zip(axes.words, axes.coords, strict=True))
    assert at["queen"][0] > at["king"][0] and at["actress"][0] > at["actor"][0]
    assert at["millionaire"][1] > at["beggar"][1]


def test_lesson_pretrained(glove):
    bard = load("shakespeare")
    with pytest.raises(WordError):
        bard.neighbours("frog")
    assert glove.neighbours("frog")
    assert "duke" in [w for w, _ in bard.neighbours(PRESETS["pretrained"].state.word)]


def test_scores_view_shows_the_saved_evaluation():
    import json

    at = run_page({"view": "scores"})
    table = at.dataframe[0].value
    for name in ("glove", "shakespeare"):
        saved = json.loads((REPO / "assets" / f"embeddings_{name}_eval.json").read_text())
        column = list(table[saved["title"]])
        assert f"{saved['analogy_accuracy']:.1%}" in column
        assert f"{saved['wordsim353_spearman']:.3f}" in column
    assert "Spearman" in page_text(at)


@pytest.mark.parametrize("name", ["queen", "rome"])
def test_analogy_picture_draws_nearly_parallel_arrows(glove, name):
    """What the analogy chart's title claims, on the two analogy presets."""
    s = PRESETS[name].state
    result = glove.analogy(s.a, s.b, s.c, s.k, s.vocab)
    xy = projection.analogy_plane(glove, result, s.vocab).coords
    first, second = xy[1] - xy[0], xy[3] - xy[2]
    assert first @ second / np.linalg.norm(first) / np.linalg.norm(second) > 0.85


def test_map_joins_only_paired_sets_by_arrows():
    import json

    def annotations(name):
        at = run_page(link_params(PRESETS[name].state))
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        return spec["layout"].get("annotations", [])

    assert len(annotations("capitals")) == 10  # one arrow per country -> capital
    assert annotations("islands") == []  # a dog is not paired with a car
