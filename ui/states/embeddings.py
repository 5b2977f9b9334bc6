"""The word-embeddings page's settings, its word sets and its presets (each with a lesson)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ui import codec

VIEWS = ("neighbours", "analogy", "map", "axes", "compare", "scores")
VIEW_TITLES = {"neighbours": "Neighbours", "analogy": "Analogy", "map": "Map",
               "axes": "Word-pair axes", "compare": "GloVe vs Shakespeare", "scores": "Scores"}
MODELS = ("glove", "shakespeare")
VOCABS = (10_000, 20_000, 50_000, 100_000, 200_000, 400_000)

# Word sets for the map and the axes: (title, groups of words); a group gets one colour.
WORD_SETS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "countries": ("Countries and capitals", {
        "country": ("france", "italy", "germany", "spain", "japan", "china", "russia",
                    "egypt", "greece", "poland"),
        "capital": ("paris", "rome", "berlin", "madrid", "tokyo", "beijing", "moscow",
                    "cairo", "athens", "warsaw")}),
    "comparatives": ("Comparatives", {
        "adjective": ("good", "bad", "big", "small", "fast", "strong"),
        "comparative": ("better", "worse", "bigger", "smaller", "faster", "stronger"),
        "superlative": ("best", "worst", "biggest", "smallest", "fastest", "strongest")}),
    "tenses": ("Verb tenses", {
        "present": ("walk", "go", "swim", "take", "see", "eat"),
        "past": ("walked", "went", "swam", "took", "saw", "ate"),
        "-ing": ("walking", "going", "swimming", "taking", "seeing", "eating")}),
    "gender": ("Gender pairs", {
        # son/daughter, not husband/wife: in this picture husband -> wife ran 47 degrees
        # off the others' direction (tests/test_embeddings_page.py measures every arrow)
        "male": ("man", "king", "boy", "father", "brother", "uncle", "prince", "son"),
        "female": ("woman", "queen", "girl", "mother", "sister", "aunt", "princess",
                   "daughter")}),
    "animals": ("Animals vs vehicles", {
        "animal": ("dog", "cat", "horse", "cow", "lion", "tiger", "sheep", "rabbit"),
        "vehicle": ("car", "truck", "bus", "train", "bicycle", "airplane", "boat",
                    "motorcycle")}),
    "jobs": ("People and jobs", {
        "word": ("king", "queen", "doctor", "nurse", "engineer", "secretary", "beggar",
                 "millionaire", "banker", "farmer", "actor", "actress", "soldier", "teacher")}),
    "own": ("Your own words", {}),
}


# Sets whose groups pair up word by word (france -> paris): the map joins them by arrows.
PAIRED = ("countries", "comparatives", "gender")


@dataclass
class EmbeddingsState:
    PAGE: ClassVar[str] = "embeddings"
    view: str = codec.param("neighbours", choices=VIEWS)
    model: str = codec.param("glove", choices=MODELS)
    vocab: int = codec.param(50_000, choices=VOCABS)  # the N most frequent words in use
    word: str = codec.param("frog", max_len=40)
    other: str = codec.param("toad", max_len=40)  # similarity with this word
    k: int = codec.param(10, lo=1, hi=50)
    a: str = codec.param("man", max_len=40)  # a is to b as c is to ?
    b: str = codec.param("woman", max_len=40)
    c: str = codec.param("king", max_len=40)
    words: str = codec.param("countries", choices=tuple(WORD_SETS))
    own: str = codec.param("", max_len=600)  # comma- or space-separated words
    method: str = codec.param("pca", choices=("pca", "tsne"))
    dims: int = codec.param(2, choices=(2, 3))
    x_from: str = codec.param("man", max_len=40)
    x_to: str = codec.param("woman", max_len=40)
    y_from: str = codec.param("poor", max_len=40)
    y_to: str = codec.param("rich", max_len=40)
    seed: int = codec.param(0, lo=0, hi=2**31 - 1)


@dataclass(frozen=True)
class Preset:
    title: str
    lesson: str
    state: EmbeddingsState


PRESETS: dict[str, Preset] = {
    "queen": Preset(
        "king − man + woman", "The arrow from man to woman, added to king, lands nearest to "
        "queen, once the three words typed are left out of the answers.",
        EmbeddingsState(view="analogy", a="man", b="woman", c="king", k=5)),
    "rome": Preset(
        "paris − france + italy", "The arrow from a country to its capital carries over: "
        "from italy it lands on rome.",
        EmbeddingsState(view="analogy", a="france", b="paris", c="italy", k=5)),
    "frog": Preset(
        "Neighbours of frog", "Most of the ten nearest words are other animals (snake, "
        "toad, spider, lizard, ape, monkey); a few are not animals at all (orchid, spiny) "
        "but turn up in the same nature writing: words used in the same contexts end up "
        "close, whatever they are.",
        EmbeddingsState(view="neighbours", word="frog", other="toad")),
    "capitals": Preset(
        "Countries and capitals", "Every arrow from a country to its capital points the "
        "same way: 'capital of' is a direction in the space.",
        EmbeddingsState(view="map", words="countries", method="pca")),
    "comparatives": Preset(
        "Comparatives", "Each arrow joins an adjective to its superlative (good → best, "
        "big → biggest, fast → fastest; the comparatives better, bigger, faster sit "
        "unjoined between them), and the six arrows point roughly the same way.",
        EmbeddingsState(view="map", words="comparatives", method="pca")),
    "tenses": Preset(
        "Verb tenses", "The forms of one verb sit together (walk, walked, walking): what a "
        "verb means outweighs its tense.",
        EmbeddingsState(view="map", words="tenses", method="tsne", seed=3)),
    "gender": Preset(
        "Gender pairs", "man → woman, king → queen, boy → girl: one direction for all "
        "eight pairs.",
        EmbeddingsState(view="map", words="gender", method="pca")),
    "islands": Preset(
        "Animals vs vehicles (t-SNE)", "t-SNE draws two islands, animals and vehicles, "
        "though nobody told the model which word is which.",
        EmbeddingsState(view="map", words="animals", method="tsne", seed=0)),
    "axes": Preset(
        "man → woman, poor → rich", "Two axes made of words: queen sits right of king "
        "(towards woman), millionaire above beggar (towards rich).",
        EmbeddingsState(view="axes", words="jobs")),
    "pretrained": Preset(
        "Look for pre-trained models", "Trained here on under a million words, the "
        "Shakespeare model finds dukes beside kings but has never seen a frog; GloVe, "
        "trained on six billion words, knows both.",
        EmbeddingsState(view="compare", word="king")),
}


def preset_of(state: EmbeddingsState) -> str | None:
    """The preset whose settings the state has, if any."""
    for name, preset in PRESETS.items():
        if preset.state == state:
            return name
    return None


def word_set(state: EmbeddingsState) -> tuple[str | list[str], dict[str, str]]:
    """The words of the chosen set (or the typed list) and each preset word's group."""
    if state.words == "own":
        return state.own, {}
    groups = WORD_SETS[state.words][1]
    return [w for ws in groups.values() for w in ws], {w: g for g, ws in groups.items()
                                                        for w in ws}
