"""Char-RNN: an LSTM that writes Shakespeare, and shows how it chooses each letter.

The talk's "NLP - Char-RNN" slide and Karpathy's "The Unreasonable Effectiveness of
Recurrent Neural Networks" (2015), whose figures (temperature, samples along training,
the top five next characters, neuron colouring) are live here. The engine is
``dlcore.charrnn``; this page reads the URL state, calls it and draws.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator

import numpy as np
import streamlit as st

from dlcore import shared
from dlcore.charrnn import corpus
from dlcore.charrnn import model as charmodel
from dlcore.charrnn.sample import Writer, next_char_probs
from dlcore.charrnn.train import stage_file
from dlcore.paths import asset
from ui import kit
from ui.animate import Prepared
from ui.states.char_rnn import MAX_LENGTH, STAGES, CharRnnState

NEURONS_FILE = "charrnn_neurons.json"
STREAM_CHUNK = 12  # characters per screen update while writing
STREAM_PAUSE = 0.015  # seconds between updates, so the text is seen being written
FOLLOW_EVERY = 0.1  # seconds between a following session's looks at the shared writing
SHOWN = {"\n": "↵", " ": "␣"}


# --------------------------------------------------------------------------- the models
@st.cache_resource
def load_writers() -> dict[str, tuple[Writer, dict]]:
    """Every shipped checkpoint as a read-only Writer, with its step and held-out loss."""
    out = {}
    for stage in STAGES:
        path = asset(charmodel.FINAL if stage == "final" else stage_file(int(stage)))
        model, meta = charmodel.load(path)
        out[stage] = (Writer(model), {"step": int(meta["stage"]),
                                      "val_loss": float(meta["val_loss"])})
    return out


@st.cache_resource
def load_neurons() -> list[dict]:
    import json
    try:
        return json.loads(asset(NEURONS_FILE).read_text())["units"]
    except (FileNotFoundError, KeyError, ValueError):
        return []


@st.cache_data(max_entries=16, show_spinner=False)
def traced(stage: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores after each character and every hidden unit (float16, to keep the cache small)."""
    trace = load_writers()[stage][0].trace(text)
    return trace.logits, trace.hidden.astype(np.float16)


def shown(ch: str) -> str:
    return SHOWN.get(ch, ch)


# Texts written or being written, by their settings, shared by the sessions: the same
# settings always give the same text, so a room that opens the same slide, or presses
# Another sample together, writes it once (4 sessions opening at once each took 28-31 s of
# a loaded server before; 50 pressing Another sample at once, each writing its own, took
# 16.6 s at p95). 64 texts of at most MAX_LENGTH characters each.
WRITTEN = shared.SingleFlight(kept=64)


# --------------------------------------------------------------------------- drawing
def _show(area, text: str) -> None:
    area.code(text + "▌", language=None, wrap_lines=True)


def write_text(state: CharRnnState, prime: str, area) -> str:
    """The text after ``prime``: streamed into ``area`` as it is written the first time
    these settings are asked for on this server, then remembered. A session asking while
    another writes it follows that writing instead of writing it again; if the writer
    stops (its person moved on mid-way), the next in line writes it."""
    writer = load_writers()[state.stage][0]
    request = (state.stage, prime, state.length, state.temperature, state.top_k, state.seed)
    shown = 0

    def written() -> Iterator[str]:
        for i, ch in enumerate(writer.write(prime, state.length, state.temperature,
                                            state.top_k, state.seed)):
            yield ch
            if i % STREAM_CHUNK == STREAM_CHUNK - 1:
                time.sleep(STREAM_PAUSE)  # so that the text is seen being written

    def show(chars: list[str]) -> None:
        nonlocal shown
        if len(chars) - shown >= STREAM_CHUNK:
            shown = len(chars)
            _show(area, prime + "".join(chars[:shown]))

    return WRITTEN.get(request, written, "".join, on_parts=show, follow_every=FOLLOW_EVERY)


def coloured(text: str, values: np.ndarray, start: int) -> str:
    """``text`` as escaped HTML, each character shaded by a unit's value in [-1, 1]
    (red positive, blue negative), as in Karpathy's figures; runs of one shade share a span."""
    levels = np.clip(np.round(np.asarray(values, dtype=float) * 5), -5, 5).astype(int)
    parts, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and levels[j] == levels[i]:
            j += 1
        level = levels[i]
        rgb = "220,38,38" if level > 0 else "37,99,235"
        style = f"background:rgba({rgb},{abs(level) / 5:.1f})"
        weight = ";font-weight:600" if i >= start else ""
        parts.append(f'<span style="{style}{weight}">{html.escape(text[i:j])}</span>')
        i = j
    return ('<div style="font-family:monospace;white-space:pre-wrap;line-height:1.5;'
            'padding:0.5rem;border:1px solid #ddd;border-radius:0.3rem">'
            + "".join(parts) + "</div>")


def distribution_chart(before: np.ndarray, after: np.ndarray, temperature: float,
                       top_k: int) -> Prepared:
    """The ten likeliest next characters: the model's softmax, and what the sampler draws
    from after temperature (and top-k)."""
    order = np.argsort(-np.maximum(before, after))[:10]
    labels = [shown(corpus.ALPHABET[i]) for i in order]
    after_name = "sampled from (T = 0, greedy)" if temperature == 0 else \
        f"sampled from (T = {temperature:g}{f', top {top_k}' if top_k else ''})"
    # plotly JSON: a validated go.Figure was a fifth of the page's run (issue 15)
    bars = [{"type": "bar", "name": name, "x": labels, "marker": {"color": colour},
             "y": [round(float(v), 4) for v in values[order]]}
            for name, values, colour in (("model (T = 1)", before, "#9ca3af"),
                                         (after_name, after, "#2563eb"))]
    return Prepared({"data": bars, "layout": {
        "barmode": "group", "height": 260, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "yaxis": {"range": [0, 1], "title": {"text": "p"}}, "xaxis": {"type": "category"},
        "legend": {"orientation": "h", "y": 1.15}}})


def top5_strip(text: str, logits: np.ndarray, end: int, width: int) -> str:
    """Karpathy's figure: for each of the ``width`` characters before ``end``, the five
    likeliest next characters below it, shaded by probability. Escaped HTML."""
    cols = []
    for t in range(max(0, end - width), end):
        p = next_char_probs(logits[t])
        top = np.argsort(-p)[:5]
        cells = [f'<td style="background:#fde68a;font-weight:700">'
                 f'{html.escape(shown(text[t]))}</td>']
        for i in top:
            cells.append(f'<td style="background:rgba(37,99,235,{p[i]:.2f});'
                         f'color:{"#fff" if p[i] > 0.5 else "#111"}" title="{p[i]:.3f}">'
                         f'{html.escape(shown(corpus.ALPHABET[i]))}</td>')
        cols.append(cells)
    rows = ["<tr>" + "".join(c[r] for c in cols) + "</tr>" for r in range(6)]
    return ('<div style="overflow-x:auto"><table style="font-family:monospace;'
            'border-collapse:collapse;text-align:center">' + "".join(rows) + "</table></div>")


def stage_caption(stage: str) -> str:
    info = load_writers()[stage][1]
    return (f"Checkpoint after {info['step']:,} training steps: {info['val_loss']:.2f} nats "
            f"per character ({info['val_loss'] / np.log(2):.2f} bits) on the held-out works.")


def presets() -> list[tuple[str, str, CharRnnState]]:
    """Deep links, each with its lesson (tests/test_char_rnn_page.py checks the lessons)."""
    return [
        ("Cold", "At temperature 0.3 it plays safe and repeats its favourite words.",
         CharRnnState(temperature=0.3)),
        ("Hot", "At temperature 1.5 it invents words and punctuation.",
         CharRnnState(temperature=1.5)),
        ("Greedy", "Temperature 0 always takes the likeliest letter: it falls into a loop.",
         CharRnnState(temperature=0.0)),
        ("Step 100", "After 100 steps it has learnt letters, spaces and a few short words "
         "(the, and, to); almost every longer word is made up.",
         CharRnnState(stage="100")),
        ("Not dialogue", "A unit that is blue (negative) inside [stage directions] and "
         "speakers' names alike and red in the spoken lines: it marks what is not dialogue.",
         CharRnnState(prime="[Enter", colour=True, unit=_unit_for("stage_direction"))),
    ]


def width() -> int:
    """Units per layer of the shipped model (a page's unit number is layer × width + unit)."""
    return load_writers()["final"][0].size


def _unit_for(feature: str) -> int:
    for u in load_neurons():
        if u["feature"] == feature:
            return u["layer"] * width() + u["unit"]
    return 0


def _next_seed(seed_key: str) -> None:
    """The next seed: a room that presses Another sample together reads the same new text,
    written once (a random seed each made 50 samples of 0.24 s of CPU queue up)."""
    st.session_state[seed_key] = (int(st.session_state.get(seed_key) or 0) + 1) % (2**31 - 1)


def _pick_unit(pick_key: str, unit_key: str, options: dict[str, int]) -> None:
    choice = st.session_state[pick_key]
    if choice in options:
        st.session_state[unit_key] = options[choice]


def preset_links() -> None:
    st.markdown("Try: " + " · ".join(f"[{name}]({kit.link(s)}) *{lesson}*"
                                     for name, lesson, s in presets()))


# --------------------------------------------------------------------------- the page
def settings(state: CharRnnState):
    """The beginning and the settings, bound to the link: the state they make, the place
    for the text (above the secondary settings, so it is on a laptop's first screen) and
    the place under it."""
    left, right = st.columns([3, 2])
    raw_prime = kit.text_area(CharRnnState, "prime", "Beginning (prime text)", left, height=90)
    temperature = kit.slider(CharRnnState, "temperature", "Temperature", container=right,
                             step=0.05, help="Scores are divided by it before the softmax: "
                             "below 1 sharpens the guess, above 1 flattens it; 0 is greedy.")
    stage = kit.select_slider(CharRnnState, "stage", "Training stage", right,
                              format_func=lambda v: "end" if v == "final" else f"step {v}")
    area = st.empty()
    below_text = st.container()
    with kit.secondary("More settings"):
        cols = st.columns(4)
        length = kit.number(CharRnnState, "length", f"Characters (at most {MAX_LENGTH:,})",
                            container=cols[0])
        top_k = kit.number(CharRnnState, "top_k", "Top-k (0: all)", container=cols[1])
        seed = kit.number(CharRnnState, "seed", "Seed", container=cols[2])
        cols[3].button("🎲 Another sample", on_click=_next_seed,
                       args=(kit.key(CharRnnState, "seed"),))
        kit.reset_button(CharRnnState, "Reset everything")
    state = CharRnnState(**{**vars(state), "prime": raw_prime, "temperature": temperature,
                            "stage": stage, "length": length, "top_k": top_k, "seed": seed})
    return state, area, below_text


def clean_beginning(raw_prime: str, below_text) -> str:
    """The beginning in the model's characters (what it never saw is left out, and said)."""
    prime, dropped = corpus.clean_prime(raw_prime)
    if dropped:
        below_text.warning(f"The model never saw {kit.plain(corpus.printable(dropped))}: left "
                           "out of the beginning.", icon="✂️")
    if not prime:
        below_text.info("No beginning: the model starts from a new line.", icon="📝")
    return prime or "\n"


def show_text(state: CharRnnState, text: str, prime: str, hidden, area, below_text) -> bool:
    """The text, plain or coloured by a hidden unit; True when coloured."""
    colour = kit.toggle(CharRnnState, "colour", "Colour by a hidden unit", container=below_text)
    if colour:
        unit = kit.value(CharRnnState, "unit")
        units = hidden.shape[0] * hidden.shape[2]
        if unit >= units:
            below_text.caption(f"The model has {units} units (0 to {units - 1}): showing the last.")
        layer, index = divmod(min(unit, units - 1), hidden.shape[2])
        area.html(coloured(text, hidden[layer, :, index], len(prime)))
    else:
        area.code(text, language=None, wrap_lines=True)
    below_text.caption(("Greedy: the likeliest character every time. "
                        if state.temperature == 0 else "")
                       + stage_caption(state.stage) + f" {len(text) - len(prime):,} characters "
                       f"written after the {len(prime):,} of the beginning.")
    return colour


def unit_picker() -> None:
    """The units worth looking at, and any unit by its number."""
    unit = kit.value(CharRnnState, "unit")
    unit_pick = kit.key(CharRnnState, "_unit_pick")  # the "units worth looking at" box
    options = {f"layer {u['layer'] + 1}, unit {u['unit']}: {u['description']} "
               f"(r = {u['correlation']:+.2f})": u["layer"] * width() + u["unit"]
               for u in load_neurons()}
    cols = st.columns([3, 1])
    current = next((name for name, v in options.items() if v == unit), None)
    cols[0].selectbox("Units worth looking at (found by `python -m dlcore.charrnn neurons`)",
                      list(options), index=list(options).index(current) if current else None,
                      key=unit_pick, on_change=_pick_unit,
                      args=(unit_pick, kit.key(CharRnnState, "unit"), options),
                      placeholder="any unit: type its number")
    kit.number(CharRnnState, "unit", f"Unit (layer × {width()} + unit)", container=cols[1])
    st.caption("Red: the unit is positive, blue: negative (h in [-1, 1]); bold: written by "
               "the model. A unit that follows the play's format shows it in its colour.")


def next_character(state: CharRnnState, text: str, logits, on_stage: bool) -> None:
    """How it chooses the next character after a position: the distribution before and
    after temperature and top-k, and the five likeliest guesses along the text."""
    st.subheader("How it chooses the next character")
    position = kit.number(CharRnnState, "position",
                          "After character number (0: after the last one)")
    end = len(text) if position == 0 or position > len(text) else position
    if position > len(text):
        st.caption(f"The text has {len(text):,} characters: showing the end.")
    before = next_char_probs(logits[end - 1])
    after = next_char_probs(logits[end - 1], state.temperature, state.top_k)
    cols = st.columns([2, 3])
    with cols[0]:
        st.caption("What it has read (the end of it):")
        st.code(text[max(0, end - 60):end] + "▌", language=None, wrap_lines=True)
    with cols[1]:
        kit.chart(distribution_chart(before, after, state.temperature, state.top_k),
                  config={"staticPlot": True})
    st.caption("Each column: a character it read (yellow) and, below, its five likeliest guesses "
               "for the next one, darker when surer (Karpathy's figure, live).")
    st.html(top5_strip(text, logits, end, 16 if on_stage else 24))


def the_maths() -> None:
    with st.expander("The maths, and the code that writes"):
        st.markdown(
            "After reading character $x_t$ each layer updates its cell $c$ and output $h$:\n\n"
            "$i, f, o = \\sigma(W x_t + U h_{t-1} + b)$, $g = \\tanh(W_g x_t + U_g h_{t-1} + b_g)$, "
            "$c_t = f \\odot c_{t-1} + i \\odot g$, $h_t = o \\odot \\tanh(c_t)$.\n\n"
            "The scores $z = W_{out} h_t$ become probabilities $p_j = e^{z_j/T} / \\sum_k "
            "e^{z_k/T}$ at temperature $T$; the next character is drawn from $p$.")
        st.code(kit.source(Writer.step), language="python")


def view(state: CharRnnState) -> None:
    """The page's live view at ``state``: the beginning and the settings, the text it
    writes, its hidden units and how it chooses the next character. Everything below
    the page title; the deck (pages/talk.py) calls it on a live slide."""
    on_stage = kit.presenter()
    try:
        load_writers()
    except (FileNotFoundError, ValueError, KeyError) as err:
        st.error(f"The trained model could not be loaded ({kit.plain(err)}). Train it with "
                 "`python -m dlcore.charrnn train`.", icon="🚫")
        return
    if not on_stage:
        preset_links()
    state, area, below_text = settings(state)
    prime = clean_beginning(state.prime, below_text)
    text = prime + write_text(state, prime, area)
    logits, hidden = traced(state.stage, text)
    colour = show_text(state, text, prime, hidden, area, below_text)
    if on_stage:
        preset_links()
    if colour:
        unit_picker()
    next_character(state, text, logits, on_stage)
    the_maths()


# --------------------------------------------------------------------------- the slide
SLIDE_CHARS = 240  # characters written on the slide: in large type, inside the screen


def slide(state: CharRnnState) -> None:
    """The slide form: the temperature the notes move live and another sample beside the
    text the model writes, in large type; the beginning, the training stage, the hidden
    units and the next-character charts are the page's."""
    try:
        load_writers()
    except (FileNotFoundError, ValueError, KeyError) as err:
        st.error(f"The trained model could not be loaded ({kit.plain(err)}).", icon="🚫")
        return
    controls, picture = st.columns([1, 3], gap="medium")
    temperature = kit.slider(CharRnnState, "temperature", "Temperature", container=controls,
                             step=0.05)
    controls.button("🎲 Another sample", on_click=_next_seed,
                    args=(kit.key(CharRnnState, "seed"),), key=kit.key(CharRnnState, "_another"))
    seed = kit.value(CharRnnState, "seed")
    state = CharRnnState(**{**vars(state), "temperature": temperature, "seed": seed,
                            "length": min(state.length, SLIDE_CHARS)})
    prime = corpus.clean_prime(state.prime)[0] or "\n"
    controls.caption(stage_caption(state.stage))
    with kit.slide_part("answer", picture):
        area = st.empty()
        area.code(prime + write_text(state, prime, area), language=None, wrap_lines=True)


def main() -> None:
    """The page: its title and the view at the link's state."""
    kit.one_torch_thread()
    kit.page_title(
        "Char-RNN", "NLP – Char-RNN",
        "A recurrent network (an LSTM) that read Shakespeare's works one character at a time "
        "and learnt to guess the next one. Give it a beginning; it writes the rest, drawing "
        "each letter from its guess.")
    view(kit.load_state(CharRnnState))
