"""Word embeddings: neighbours, analogies and maps of meaning, GloVe beside a word2vec
trained here on Shakespeare.

The engine is ``dlcore.embeddings``; this page reads the URL state, calls it and draws.
Words typed are user text: they reach the page only through ``kit.plain``, tables and
``html.escape`` in chart labels.
"""

from __future__ import annotations

import html
import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dlcore import paths
from dlcore.embeddings import TITLES, WordError, load, projection
from ui import kit
from ui.animate import Prepared
from ui.states.embeddings import (
    MODELS,
    PAIRED,
    PRESETS,
    VIEW_TITLES,
    WORD_SETS,
    EmbeddingsState,
    preset_of,
    word_set,
)

S = EmbeddingsState
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c")


@st.cache_resource(show_spinner="Loading word vectors (once per server)…")
def model(name: str):
    """Each model once per server, shared read-only by every session."""
    return load(name)


@st.cache_data(show_spinner=False)
def saved_scores() -> dict[str, dict | None]:
    out = {}
    for name in MODELS:
        path = paths.asset(f"embeddings_{name}_eval.json")
        out[name] = paths.read_asset(path, lambda p: json.loads(p.read_text())) \
            if path.is_file() else None
    return out


def label_size() -> int:
    return 24 if kit.presenter() else 17


def lesson(state: S) -> None:
    """The preset's lesson, when the view is one, right under the picture it is read
    from: above it, it pushed a phone's picture off the first screen (issue 22)."""
    name = preset_of(state)
    if name:
        st.info(f"**{PRESETS[name].title}.** {PRESETS[name].lesson}")


def say(err: Exception) -> None:
    """A message about the user's input, their words shown as plain text."""
    st.warning(kit.plain(err), icon="✋")


def _layout(fig: go.Figure, height: int, **kwargs) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10),
                      font=dict(size=label_size() - 3), showlegend=kwargs.pop("legend", False),
                      **kwargs)
    return fig


# --------------------------------------------------------------------------- views
def neighbours_view(state: S, vectors, vocab: int) -> None:
    controls = kit.row()
    word = kit.text(S, "word", "A word", controls)
    k = kit.slider(S, "k", "Neighbours", controls)
    try:
        found = vectors.neighbours(word, k, vocab)
    except WordError as err:
        say(err)
        return
    st.markdown(f"Nearest to **{kit.plain(word.strip().casefold())}**: "
                + ", ".join(kit.plain(w) for w, _ in found[:5]))
    chart, table = st.columns([3, 2])  # the chart first: a phone stacks them
    table.dataframe({"word": [w for w, _ in found], "cosine": [round(s, 3) for _, s in found]},
                    hide_index=True, width="stretch")
    # plotly JSON: a validated go.Figure was over half of this rerun (issue 15)
    kit.chart(Prepared({
        "data": [{"type": "bar", "x": [round(float(s), 4) for _, s in found][::-1],
                  "y": [html.escape(w) for w, _ in found][::-1], "orientation": "h",
                  "marker": {"color": COLOURS[0]},
                  "hovertemplate": "%{y}: %{x:.3f}<extra></extra>"}],
        "layout": {"xaxis": {"title": {"text": "cosine similarity"}, "range": [0, 1]},
                   "height": max(260, 28 * len(found) + 60),
                   "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
                   "font": {"size": label_size() - 3}, "showlegend": False}}),
              chart, width="stretch")
    lesson(state)
    other = kit.text(S, "other", "Similarity with", st)
    if other.strip():
        try:
            sim = vectors.similarity(word, other, vocab)
        except WordError as err:
            say(err)
            return
        st.metric(f"cosine({kit.plain(word.strip().casefold())}, "
                  f"{kit.plain(other.strip().casefold())})", f"{sim:.3f}")


def analogy_view(state: S, vectors, vocab: int) -> None:
    st.markdown("**a** is to **b** as **c** is to **?**  (answer ≈ b − a + c)")
    controls = kit.row()
    a = kit.text(S, "a", "a", controls)
    b = kit.text(S, "b", "b", controls)
    c = kit.text(S, "c", "c", controls)
    k = kit.slider(S, "k", "Answers", controls, max_value=20)
    try:
        result = vectors.analogy(a, b, c, min(k, 20), vocab)
        plane = projection.analogy_plane(vectors, result, vocab)
    except WordError as err:
        say(err)
        return
    wa, wb, wc = result.inputs
    best, score = result.answers[0]
    st.subheader(f"{kit.plain(wb)} − {kit.plain(wa)} + {kit.plain(wc)} ≈ {kit.plain(best)}")
    drawing, table = st.columns([3, 2])
    kit.chart(analogy_figure(plane), drawing, width="stretch")
    table.dataframe({"answer": [w for w, _ in result.answers],
                     "cosine": [round(s, 3) for _, s in result.answers]},
                    hide_index=True, width="stretch")
    st.caption(kit.plain(result.note))
    lesson(state)


ANALOGY_HEIGHT = 430
ANALOGY_MARGIN = dict(l=10, r=10, t=64, b=10)
ANALOGY_WIDTH = 400  # px the plot gets in its column on a laptop (a phone's is wider)
# Where a label may go around its point: plotly's textposition and the box's offset from
# the point in label widths / heights (x right, y up).
PLACES = {"top center": (-0.5, 0.15), "bottom center": (-0.5, -1.15),
          "middle right": (0.06, -0.5), "middle left": (-1.06, -0.5),
          "top right": (0.02, 0.1), "top left": (-1.02, 0.1),
          "bottom right": (0.02, -1.1), "bottom left": (-1.02, -1.1)}


def label_boxes(xy, texts: list[str], places: list[str], scale: float, size: int) -> np.ndarray:
    """Each label's box (x0, y0, x1, y1) in pixels from the plot's origin, as plotly
    draws ``size``-px text at ``places`` around points ``xy`` shown at ``scale`` px a
    unit (the width of a character about 0.6 of the size)."""
    out = []
    for (x, y), text, place in zip(np.asarray(xy) * scale, texts, places, strict=True):
        w, h = 0.6 * size * len(text) + 4, 1.25 * size
        dx, dy = PLACES[place]
        out.append((x + dx * w, y + dy * h, x + dx * w + w, y + dy * h + h))
    return np.array(out, dtype=float).reshape(-1, 4)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the smaller box that two boxes have in common."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(w * h / small)


def place_labels(xy: np.ndarray, texts: list[str], first: list[str], scale: float,
                 size: int) -> list[str]:
    """A place for each label, in order: its ``first`` choice unless that box overlaps a
    label already placed or a point, then the place that overlaps least."""
    points = [np.array([x - 6, y - 6, x + 6, y + 6]) for x, y in np.asarray(xy) * scale]
    placed: list[np.ndarray] = []
    chosen = []
    for i, text in enumerate(texts):
        def cost(place: str, i: int = i, text: str = text) -> float:
            box = label_boxes(xy[i:i + 1], [text], [place], scale, size)[0]
            return (sum(overlap(box, other) for other in placed)
                    + sum(overlap(box, p) for j, p in enumerate(points) if j != i))
        order = [first[i], *(p for p in PLACES if p != first[i])]
        best = min(order, key=lambda p: (round(cost(p), 3), order.index(p)))
        chosen.append(best)
        placed.append(label_boxes(xy[i:i + 1], [text], [best], scale, size)[0])
    return chosen


def analogy_ranges(xy: np.ndarray, boxes: np.ndarray, scale: float) -> tuple[list, list]:
    """Axis ranges holding every point and every label box (boxes in px), padded."""
    lo = np.minimum(xy.min(0), boxes[:, :2].min(0) / scale)
    hi = np.maximum(xy.max(0), boxes[:, 2:].max(0) / scale)
    pad = 0.04 * (hi - lo)
    return [lo[0] - pad[0], hi[0] + pad[0]], [lo[1] - pad[1], hi[1] + pad[1]]


def analogy_figure(plane: projection.AnalogyPlane) -> go.Figure:
    xy = plane.coords
    size = label_size()
    fig = go.Figure()
    for (i, j), colour in (((0, 1), COLOURS[0]), ((2, 3), COLOURS[1])):
        fig.add_annotation(x=xy[j, 0], y=xy[j, 1], ax=xy[i, 0], ay=xy[i, 1], xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.5,
                           arrowwidth=3, arrowcolor=colour, standoff=6)
    fig.add_annotation(x=plane.target[0], y=plane.target[1], ax=xy[2, 0], ay=xy[2, 1],
                       xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=2,
                       arrowwidth=1.5, arrowcolor="#888")
    # each arrow's words labelled away from it first (the end beyond the head, the start
    # behind), then moved where they would cover another label or a point
    where = ["top center"] * len(xy)
    for i, j in ((0, 1), (2, 3)):
        down = xy[j, 1] < xy[i, 1]
        where[i], where[j] = ("top center", "bottom center") if down else ("bottom center",
                                                                            "top center")
    allxy = np.vstack([xy, plane.target[None]])
    texts = [*plane.words, "b − a + c"]
    span = np.ptp(allxy, axis=0)
    plot_h = ANALOGY_HEIGHT - ANALOGY_MARGIN["t"] - ANALOGY_MARGIN["b"]
    scale = 0.75 * min(plot_h / max(span[1], 1e-9), ANALOGY_WIDTH / max(span[0], 1e-9))
    places = place_labels(allxy, texts, [*where, "bottom center"], scale, size)
    role = ["a", "b", "c"] + ["answer"] * (len(xy) - 3)
    colours = [COLOURS[0], COLOURS[0], COLOURS[1]] + [COLOURS[1]] + ["#777"] * (len(xy) - 4)
    fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers+text",
                             text=[html.escape(w) for w in plane.words],
                             textposition=places[:-1], cliponaxis=False,
                             textfont=dict(size=size, color=colours),
                             marker=dict(size=10, color=colours), customdata=role,
                             hovertemplate="%{text} (%{customdata})<extra></extra>"))
    fig.add_trace(go.Scatter(x=[plane.target[0]], y=[plane.target[1]], mode="markers+text",
                             text=["b − a + c"], textposition=places[-1], cliponaxis=False,
                             textfont=dict(size=size - 3),
                             marker=dict(symbol="x", size=12, color="#444"),
                             hovertemplate="b − a + c<extra></extra>"))
    xr, yr = analogy_ranges(allxy, label_boxes(allxy, texts, places, scale, size), scale)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, showticklabels=False, range=yr)
    fig.update_xaxes(showticklabels=False, range=xr)
    _layout(fig, ANALOGY_HEIGHT)
    fig.update_layout(margin=ANALOGY_MARGIN, title=dict(
        text="PCA of these words' vectors:<br>the two arrows run nearly parallel",
        x=0, xanchor="left", xref="paper", y=0.97, yanchor="top"))
    return fig


def _words(state: S, vectors, vocab: int) -> tuple[list[str], dict[str, str]]:
    """The chosen word set's known words (messages for the rest) and their groups."""
    items, groups = word_set(state)
    words, notes = vectors.word_list(items, vocab)
    for note in notes:
        st.caption(kit.plain(note))
    return words, groups


def _own_words(state: S) -> None:
    """Under the controls' row, the box for one's own words when the set is "own"."""
    if state.words == "own":
        kit.text(S, "own", "Your words (commas or spaces, up to 30)",
                 placeholder="cat, dog, car, bus, apple, pear")


def _pairs(words: list[str], groups: dict[str, str], set_name: str) -> list[tuple[str, str]]:
    """Preset sets with matching groups: first group's i-th word -> last group's i-th."""
    if set_name not in PAIRED:
        return []
    sets = list(WORD_SETS[set_name][1].values())
    known = set(words)
    return [(f, t) for f, t in zip(sets[0], sets[-1], strict=True) if f in known and t in known]


def map_view(state: S, vectors, vocab: int) -> None:
    controls = kit.row()
    kit.select(S, "words", "Words", controls, format_func=lambda n: WORD_SETS[n][0])
    method = kit.select(S, "method", "Method", controls, radio=True,
                        format_func=lambda m: {"pca": "PCA", "tsne": "t-SNE"}[m])
    dims = kit.select(S, "dims", "Dimensions", controls, radio=True,
                      format_func=lambda d: f"{d}-D")
    if method == "tsne":
        kit.number(S, "seed", "Seed", controls)
    _own_words(state)
    words, groups = _words(state, vectors, vocab)
    try:
        with st.spinner("Arranging the words…"):
            proj = projection.project(vectors, words, method, dims, state.seed, vocab)
    except WordError as err:
        say(err)
        return
    kit.chart(map_figure(proj, groups, _pairs(words, groups, state.words)), width="stretch",
              config={"displayModeBar": dims == 3})
    if proj.kept is not None:
        st.caption(f"PCA keeps {proj.kept:.0%} of the spread of these {len(words)} words' "
                   f"{vectors.dim}-dimensional vectors.")
    else:
        st.caption(f"t-SNE keeps neighbourhoods, not distances; seed {state.seed} fixes the "
                   "picture (another seed, another arrangement of the same islands).")
    lesson(state)


def map_figure(proj, groups: dict[str, str], pairs: list[tuple[str, str]]) -> go.Figure:
    xyz = proj.coords
    three = xyz.shape[1] == 3
    index = {w: i for i, w in enumerate(proj.words)}
    names = list(dict.fromkeys(groups.get(w, "word") for w in proj.words))
    fig = go.Figure()
    for f, t in pairs:  # the arrows of a preset's pairs: country -> capital, man -> woman
        i, j = index[f], index[t]
        line = dict(color="#bbb", width=2)
        if three:
            fig.add_trace(go.Scatter3d(x=xyz[[i, j], 0], y=xyz[[i, j], 1], z=xyz[[i, j], 2],
                                       mode="lines", line=line, hoverinfo="skip",
                                       showlegend=False))
        else:
            fig.add_annotation(x=xyz[j, 0], y=xyz[j, 1], ax=xyz[i, 0], ay=xyz[i, 1], xref="x",
                               yref="y", axref="x", ayref="y", arrowhead=2, arrowwidth=1.5,
                               arrowcolor="#bbb")
    for n, name in enumerate(names):
        ids = [i for i, w in enumerate(proj.words) if groups.get(w, "word") == name]
        text = [html.escape(proj.words[i]) for i in ids]
        style = dict(mode="markers+text", name=name, text=text, textposition="top center",
                     textfont=dict(size=label_size(), color=COLOURS[n % len(COLOURS)]),
                     marker=dict(size=7, color=COLOURS[n % len(COLOURS)]),
                     hovertemplate="%{text}<extra>" + html.escape(name) + "</extra>")
        if three:
            fig.add_trace(go.Scatter3d(x=xyz[ids, 0], y=xyz[ids, 1], z=xyz[ids, 2], **style))
        else:
            fig.add_trace(go.Scatter(x=xyz[ids, 0], y=xyz[ids, 1], **style))
    if not three:
        fig.update_yaxes(scaleanchor="x", scaleratio=1, showticklabels=False)
        fig.update_xaxes(showticklabels=False)
    return _layout(fig, 560, legend=len(names) > 1,
                   legend_orientation="h", legend_y=-0.05)


def axes_view(state: S, vectors, vocab: int) -> None:
    controls = kit.row()
    kit.select(S, "words", "Words", controls, format_func=lambda n: WORD_SETS[n][0])
    x_pair = (kit.text(S, "x_from", "x axis from", controls), kit.text(S, "x_to", "to", controls))
    y_pair = (kit.text(S, "y_from", "y axis from", controls), kit.text(S, "y_to", "to", controls))
    _own_words(state)
    words, groups = _words(state, vectors, vocab)
    try:
        axes = projection.pair_axes(vectors, words, x_pair, y_pair, vocab)
    except WordError as err:
        say(err)
        return
    (xf, xt), (yf, yt) = ((html.escape(p.strip().casefold()) for p in pair)
                          for pair in axes.axes)
    xy = axes.coords
    fig = go.Figure(go.Scatter(
        x=xy[:, 0], y=xy[:, 1], mode="markers+text", text=[html.escape(w) for w in axes.words],
        textposition="top center", textfont=dict(size=label_size(), color=COLOURS[0]),
        marker=dict(size=8, color=COLOURS[0]), hovertemplate="%{text}: (%{x:.2f}, %{y:.2f})"
        "<extra></extra>"))
    fig.add_hline(y=0, line_color="#ccc")
    fig.add_vline(x=0, line_color="#ccc")
    fig.update_xaxes(title=f"{xf} → {xt}")
    fig.update_yaxes(title=f"{yf} → {yt}")
    kit.chart(_layout(fig, 540), width="stretch")
    st.caption("Each word sits at the cosine of its vector with the direction from one word "
               "to the other (word2viz): right is closer to the second x word, up to the "
               "second y word.")
    lesson(state)


def compare_view(state: S, vocab: int) -> None:
    word = kit.text(S, "word", "A word")
    k = min(state.k, 20)
    cols = st.columns(2)
    for col, name in zip(cols, MODELS, strict=True):
        vectors = model(name)
        used = len(vectors) if name == "shakespeare" else vocab
        scope = (f"all {used:,} words" if used == len(vectors)
                 else f"the {used:,} most frequent words in use, of the {len(vectors):,} in its "
                    "file")
        col.markdown(f"**{TITLES[name]}** (neighbours among {scope})")
        try:
            found = vectors.neighbours(word, k, None if name == "shakespeare" else vocab)
        except WordError as err:
            col.info(kit.plain(err))  # a finding here, not a mistake: one model lacks it
            continue
        col.dataframe({"word": [w for w, _ in found], "cosine": [round(s, 3) for _, s in found]},
                      hide_index=True, width="stretch")
    lesson(state)
    st.caption("GloVe learned from 6 billion words of Wikipedia and news; the Shakespeare "
               "model from 0.85 million words of plays and poems, trained in half a minute "
               "here. Look for pre-trained models: the bigger corpus knows more words, and "
               "knows them better.")


def scores_view() -> None:
    scores = {name: s for name, s in saved_scores().items() if s is not None}
    if not scores:
        st.info("No saved scores: run `python -m dlcore.embeddings evaluate --model glove --save`.")
        return
    rows = {"": ["words used", "analogies right", "analogies answered", "WordSim-353 Spearman",
                 "word pairs known"]}
    for s in scores.values():
        rows[s["title"]] = [s["vocabulary"].removeprefix("the "),
                            f"{s['analogy_accuracy']:.1%}",
                            f"{s['analogy_answered']:,} of {s['analogy_questions']:,}",
                            f"{s['wordsim353_spearman']:.3f}", str(s["wordsim353_pairs"])]
    st.dataframe(rows, hide_index=True, width="stretch")
    st.markdown(
        "**Analogies**: the share of questions like *athens is to greece as oslo is to ?* "
        "answered with exactly the right word (gensim's 19,544 questions, counting those "
        "whose four words the model knows). **Spearman**: how closely the model's cosine "
        "similarities order 353 word pairs the way people rated them (1: the same order, "
        "0: no relation).")
    st.caption("Computed once by `python -m dlcore.embeddings evaluate --model NAME --save`; "
               "equal to gensim's `evaluate_word_analogies` and `evaluate_word_pairs`.")


# --------------------------------------------------------------------------- page
def presets_panel() -> None:
    with kit.secondary("Presets: one link each, with its lesson"):
        st.markdown("\n".join(f'- <a href="{html.escape(kit.link(p.state))}" target="_self">'
                              f"{html.escape(p.title)}</a>: {html.escape(p.lesson)}"
                              for p in PRESETS.values()), unsafe_allow_html=True)


def view(state: S) -> None:
    """The page's live view at ``state``: the preset's lesson, the view chooser, its
    controls and its picture. Everything below the page title; the deck
    (pages/talk.py) calls it on a live slide. A damaged or missing shipped file (the
    Shakespeare vectors, the saved scores) is said in the page, with its rebuild command."""
    try:
        _view(state)
    except paths.AssetError as err:
        st.error(kit.plain(err), icon="🧩")


def _view(state: S) -> None:
    chosen = kit.select(S, "view", "View", radio=True, format_func=VIEW_TITLES.get,
                      label_visibility="collapsed")
    if chosen == "scores":
        scores_view()
        return
    if chosen != "compare":
        total = len(model(state.model))
        shown = min(state.vocab, total)
        scope = (f"all {total:,} words" if shown == total
                 else f"the {shown:,} most frequent words in use, of the {total:,} in its file")
        with st.expander(f"Model: {TITLES[state.model]}, {scope}"):
            cols = st.columns([1, 1])
            kit.select(S, "model", "Model", cols[0], radio=True, format_func=TITLES.get)
            kit.select(S, "vocab", "Vocabulary: the N most frequent words", cols[1],
                       format_func=lambda n: f"{n:,}")
    vectors = model(state.model)
    vocab = vectors.size(state.vocab)
    if chosen == "compare":
        compare_view(state, vocab)
    elif chosen == "neighbours":
        neighbours_view(state, vectors, vocab)
    elif chosen == "analogy":
        analogy_view(state, vectors, vocab)
    elif chosen == "map":
        map_view(state, vectors, vocab)
    else:
        axes_view(state, vectors, vocab)


def slide(state: S) -> None:
    """The slide form: on the analogy slide, the three words (the notes type them), the
    answer in large type and the arrows; the other views as on the page."""
    if state.view != "analogy":
        view(state)
        return
    try:
        vectors = model(state.model)
        vocab = vectors.size(state.vocab)
        cols = st.columns([1, 1, 1, 3], vertical_alignment="bottom")
        a, b, c = (kit.text(S, f, f, cols[i]) for i, f in enumerate("abc"))
        try:
            result = vectors.analogy(a, b, c, min(state.k, 20), vocab)
            plane = projection.analogy_plane(vectors, result, vocab)
        except WordError as err:
            say(err)
            return
        wa, wb, wc = result.inputs
        with kit.slide_part("answer", cols[3]):
            st.markdown(f"{kit.plain(wb)} − {kit.plain(wa)} + {kit.plain(wc)} ≈ "
                        f"**{kit.plain(result.answers[0][0])}**")
        fig = analogy_figure(plane)
        fig.update_layout(height=290)
        with kit.slide_part("picture"):
            kit.chart(fig, width="stretch")
    except paths.AssetError as err:
        st.error(kit.plain(err), icon="🧩")


def main() -> None:
    """The page: its title, the view at the link's state, the presets and a reset."""
    kit.page_title("Word embeddings", "Word Embeddings (word2vec, GloVe etc.)",
                   "Each word is a vector; words used alike point alike, so meaning becomes "
                   "direction and distance.")
    view(kit.load_state(S))
    presets_panel()
    kit.reset_button(S)
