"""Draw a digit: a CNN trained on MNIST reads your drawing, next to a fully connected net.

The engine is the package ``dlcore.digits``: ``preprocess`` (drawing -> 28x28),
``model`` (the two networks) and ``predict`` (perturb the digit, ask both networks); this
page reads the URL state, calls them and draws. Anchors: Adam Harley's interactive CNN
visualisation, the ConvNetJS MNIST demo, CNN Explainer.
"""

from __future__ import annotations

import base64
import functools
import io
import math

import numpy as np
import streamlit as st
import torch
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from dlcore.data import images
from dlcore.digits import model as digits_model
from dlcore.digits import predict, preprocess
from dlcore.digits import train as digits_train
from ui import animate, kit
from ui.components import digits as digits_pad
from ui.states.digits import DigitsState

NAMES = {"cnn": "CNN", "mlp": "MLP (fully connected)"}
CANVAS = 280  # px; a 20 px pen on it becomes a 2 px MNIST stroke
UPLOAD_MAX_SIDE = 1024
_CSS = """<style>
.dg-filters {display:grid; grid-template-columns:repeat(auto-fill, minmax(44px, 1fr));
             gap:6px; max-width:100%}
.dg-filters a {display:flex; flex-direction:column; align-items:center; text-decoration:none;
               font-size:.8rem}
.dg-filters img {width:40px; height:40px; image-rendering:pixelated; border:1px solid #ccc}
.dg-filters a:hover img {outline:2px solid #2563eb}
</style>"""


@st.cache_resource
def load_models() -> tuple[dict[str, torch.nn.Module], dict[str, str]]:
    """Both networks (eval mode, frozen) and a one-line description of each."""
    models, about = {}, {}
    for kind in NAMES:
        models[kind], _ = digits_model.load(kind)
        about[kind] = f"{digits_model.count_params(models[kind]):,} parameters"
        try:
            about[kind] += f", {digits_train.load_report(kind)['accuracy']:.2%} on MNIST's test set"
        except (FileNotFoundError, KeyError, ValueError):
            pass
    return models, about


@st.cache_resource
def load_mistakes() -> dict[str, np.ndarray]:
    return digits_train.load_mistakes()


def zoom(img: np.ndarray, size: int = 112) -> np.ndarray:
    """Nearest-neighbour enlargement in a square box, so pixels stay visible squares.

    A thin picture (the crop of a drawn "1") is centred on dark ground in a square:
    every step of the preparation takes the same box, instead of a 140 px wide crop
    growing over 1,000 px tall and pushing the answer down the page.
    """
    a = np.asarray(img)
    a = (a * 255).round().astype(np.uint8) if a.dtype != np.uint8 else a
    side = max(a.shape)
    a = np.pad(a, [((side - n) // 2, side - n - (side - n) // 2) for n in a.shape])
    k = max(1, size // side)
    return np.kron(a, np.ones((k, k), np.uint8))


def png_url(img: np.ndarray) -> str:
    """A small grey picture as a data URL, for a picture that is also a link."""
    out = io.BytesIO()
    Image.fromarray(img).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


@functools.lru_cache(maxsize=4)
def _filter_pictures(raw: bytes, shape: tuple[int, ...]) -> tuple[str, ...]:
    """The filters' pictures as data URLs, on one scale for all (zero mid grey, positive
    light): the same for every drawing, so made once per model, not on every stroke."""
    filters = np.frombuffer(raw, dtype=np.float32).reshape(shape)
    top = float(np.abs(filters).max()) or 1.0
    return tuple(png_url(np.kron(((f / top + 1) / 2 * 255).round().astype(np.uint8),
                                 np.ones((8, 8), np.uint8))) for f in filters)


def filter_links(filters: np.ndarray, digit: np.ndarray) -> str:
    """Each first-layer filter as a picture that is its own link to the convolution page,
    numbered under it."""
    filters = np.ascontiguousarray(filters, dtype=np.float32)
    pictures = _filter_pictures(filters.tobytes(), filters.shape)
    image = kit.encode_image(digit)  # once for all the links
    cells = [f'<a href="{conv_link(f, image)}" target="_self" title="filter {j + 1}">'
             f'<img src="{src}" alt="filter {j + 1}"><span>{j + 1}</span></a>'
             for j, (f, src) in enumerate(zip(filters, pictures, strict=True))]
    return '<div class="dg-filters">' + "".join(cells) + "</div>"


def probability_chart(probs: np.ndarray, sure: bool) -> animate.Prepared:
    """The ten probabilities as bars, plotly JSON (a ``go.Figure`` validated it on every
    stroke)."""
    top = int(np.argmax(probs))
    colours = ["#9ca3af"] * 10
    colours[top] = "#2563eb" if sure else "#f59e0b"
    return animate.Prepared({
        "data": [{"type": "bar", "x": [str(d) for d in range(10)],
                  "y": [round(float(p), 4) for p in probs], "marker": {"color": colours},
                  "hovertemplate": "%{x}: p = %{y:.3f}<extra></extra>"}],
        "layout": {"height": 150, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                   "yaxis": {"range": [0, 1], "title": {"text": "p"}},
                   "xaxis": {"type": "category"}}})


def conv_link(kernel: np.ndarray, image: str) -> str:
    """A link to the convolution page with this kernel and this (encoded) digit as the
    image."""
    return kit.link_to("convolution", kernel=np.round(kernel.astype(float), 3), preset="edited",
                       source="link", image=image)


def random_digit_index(seed: int, n: int) -> int:
    return int(np.random.default_rng(seed).integers(n))


def _next_seed() -> None:
    st.session_state[kit.key(DigitsState, "seed")] = int(np.random.default_rng().integers(2**31 - 1))


# --------------------------------------------------------------------------- the page
def from_canvas(pen: int, input_col, answer_col) -> preprocess.Steps | None:
    """The server's canvas (without the browser's exported weights): the drawing, prepared."""
    with input_col:
        drawing = st_canvas(stroke_width=pen, stroke_color="#000000",
                            background_color="#ffffff", height=CANVAS, width=CANVAS,
                            drawing_mode="freedraw", return_image_data=True,
                            key=kit.key(DigitsState, "_canvas"))
        st.caption("Draw one digit, big, in the middle; the networks read it each time you "
                   "lift the pen. After the first stroke, undo and clear appear in a bar "
                   "above the canvas.")
    if drawing.image_data is None:
        answer_col.info("The canvas is empty: draw a digit.", icon="✍️")
        return None
    return preprocess.preprocess(drawing.image_data)


def test_digit(input_col) -> tuple[np.ndarray, str]:
    """A shipped MNIST test digit, picked by the seed, with its label."""
    sample_images, sample_labels = kit.mnist_sample()
    seed = kit.number(DigitsState, "seed", "Seed (which test digit)", container=input_col)
    input_col.button("🎲 Another test digit", on_click=kit.in_scope(_next_seed),
                     key=kit.key(DigitsState, "_another"))
    i = random_digit_index(seed, len(sample_labels))
    digit, truth = sample_images[i], str(sample_labels[i])
    input_col.image(zoom(digit, 168), width=168, alt=f"MNIST test digit {truth}")
    input_col.caption(f"MNIST test digit, labelled **{truth}** by a person. It is already "
                      "prepared the MNIST way, so it goes straight to the networks.")
    return digit, truth


def mistake(input_col) -> tuple[np.ndarray, str] | None:
    """The gallery of the CNN's mistakes on the test set, and the one looked at closer."""
    try:
        wrong = load_mistakes()
    except FileNotFoundError:
        st.error("No gallery of mistakes: run `python -m dlcore.digits evaluate --save`.")
        return None
    n = len(wrong["labels"])
    with input_col:
        st.markdown(f"The CNN gets **{n}** of the 10,000 MNIST test digits wrong. Here they "
                    "are; each caption reads *number: the CNN's answer ≠ the person's "
                    "label*. Would you have got them right?")
        st.image([zoom(im, 56) for im in wrong["images"]], width=56,
                 alt=[f"a {t} read as {p}" for p, t in
                      zip(wrong["predicted"], wrong["labels"], strict=True)],
                 caption=[f"{k + 1}: {p}≠{t}" for k, (p, t) in
                          enumerate(zip(wrong["predicted"], wrong["labels"], strict=True))])
        k = kit.number(DigitsState, "mistake", "Look closer at mistake number")
    if k > n:
        input_col.warning(f"There are only {n} mistakes; showing the last one.", icon="⚠️")
    k = min(k, n) - 1
    return wrong["images"][k], str(wrong["labels"][k])


def from_upload(input_col, answer_col) -> preprocess.Steps | None:
    """An uploaded picture of one digit, prepared; a file that cannot be read says why."""
    upload = input_col.file_uploader(
        "A PNG or JPEG picture of one digit (at most "
        f"{images.MAX_BYTES // 2**20} MB): any size, colour or grey, dark on light or "
        "light on dark", type=list(images.UPLOAD_TYPES), key=kit.key(DigitsState, "_upload"))
    if upload is None:
        answer_col.info("Choose a picture; it stays in this browser session and is not in "
                        "the link.")
        return None
    try:
        picture = images.read_grey(upload.getvalue(), max_side=UPLOAD_MAX_SIDE)
    except images.BadImage as err:
        answer_col.error(f"This file cannot be used: {kit.plain(err)}.", icon="🚫")
        return None
    return preprocess.preprocess(picture)


def prepared(steps: preprocess.Steps, answer_col) -> np.ndarray | None:
    """The 28×28 digit of a drawing or an upload, with the preparation's steps shown."""
    if steps.digit is None:
        answer_col.info(steps.empty_reason.capitalize() + ".", icon="🫥")
        return None
    st.subheader("What the networks see")
    cols = st.columns(4)
    for col, img, caption in zip(cols, (steps.ink, steps.crop, steps.scaled, steps.digit), (
            "your drawing, as ink", "cropped to the ink", "longer side 20 px",
            "28×28, centred by mass"), strict=True):
        col.image(zoom(img, 140), caption=caption, width="stretch", alt=caption)
    with st.expander("Show the code"):
        st.code(kit.source(preprocess.preprocess), language="python")
    return steps.digit


def perturbation(state: DigitsState) -> predict.Perturbation:
    """The perturbation sliders (open when the link perturbs the digit)."""
    with st.expander("🔧 Perturb your digit: where do the networks break?",
                     expanded=any(getattr(state, f) for f in ("shift_x", "shift_y", "rotate",
                                                              "stroke"))):
        pcols = st.columns(4)
        shift_x = kit.slider(DigitsState, "shift_x", "Shift right (px)", container=pcols[0])
        shift_y = kit.slider(DigitsState, "shift_y", "Shift down (px)", container=pcols[1])
        rotate = kit.slider(DigitsState, "rotate", "Rotate (°)", container=pcols[2])
        stroke = kit.slider(DigitsState, "stroke", "Thinner / thicker (px)", container=pcols[3])
        kit.reset_button(DigitsState, "Reset everything")
    return predict.Perturbation(shift_x, shift_y, rotate, stroke)


def answers(reading, about: dict, truth: str | None) -> None:
    """Each network's verdict over its probability chart, then the input they read.
    One model under the other, each verdict above its own chart: side by side, a verdict
    that wrapped put the two charts at different heights."""
    for kind, answer in reading.answers.items():
        if answer.sure:
            st.markdown(f"**{NAMES[kind]}** says **{answer.top}** (p = {answer.p:.2f})")
        else:
            st.markdown(f"**{NAMES[kind]}** is not sure: maybe {answer.top}? "
                        f"(p = {answer.p:.2f})")
        kit.chart(probability_chart(answer.probs, answer.sure),
                  key=kit.key(DigitsState, f"_chart_{kind}"), config={"staticPlot": True})
        st.caption(about[kind])
    facts = ([f"Truth (MNIST's label): **{truth}**"] if truth is not None else []) + (
        ["Perturbed: " + ", ".join(reading.changes)] if reading.changes else [])
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.image(zoom(reading.seen, 84), width=84, alt="the 28×28 input both networks read")
    right.caption("The 28×28 input both networks read. " + ". ".join(facts))


def inside_the_cnn(cnn, seen: np.ndarray) -> None:
    """The CNN's feature maps of the digit, and its first-layer filters as links."""
    st.subheader("Inside the CNN")
    maps = digits_model.feature_maps(cnn, seen)
    mcols = st.columns(len(maps))
    for i, (col, m) in enumerate(zip(mcols, maps, strict=True)):
        # a square tiling for every layer, so the pictures line up at one height
        col.image(digits_model.tile(m, nrow=math.ceil(math.sqrt(m.shape[0]))), width="stretch",
                  alt=f"feature maps of conv{i + 1}",
                  caption=f"conv{i + 1}: {m.shape[0]} maps of {m.shape[1]}×{m.shape[2]}")
    filters = cnn.first_filters()[:, 0].numpy()
    st.markdown(f"The {len(filters)} learned first-layer filters ({filters.shape[1]}×"
                f"{filters.shape[2]}; light = positive weight, dark = negative). Click one to "
                "open it in the convolution page, sliding over your digit:")
    st.markdown(_CSS + filter_links(filters, seen), unsafe_allow_html=True)


def view(state: DigitsState) -> None:
    """Where the digit comes from (the canvas, a test digit, the CNN's mistakes, an
    upload), both networks' answers beside it, the perturbations and inside the CNN."""
    try:
        models, about = load_models()
    except (FileNotFoundError, RuntimeError, ValueError) as err:
        st.error(f"The trained weights could not be loaded ({kit.plain(err)}). Train them with "
                 "`python -m dlcore.digits train --model cnn` and `--model mlp`.", icon="🚫")
        return
    source = kit.select(DigitsState, "source", "Where the digit comes from", radio=True,
                        horizontal=True)
    digit, truth, steps = None, None, None
    if source == "draw":
        pen = kit.slider(DigitsState, "pen", "Pen width (px)", container=kit.secondary("Pen"))
        if digits_pad.available():
            drawn_in_the_browser(state, pen, models, about)
            return
    # The digit on the left, the answer beside it, on the screen while you draw (a phone
    # stacks the two: the canvas, then the answer under it).
    input_col, answer_col = st.columns([1, 1.15], gap="medium")
    if source == "draw":  # without the exported weights the server reads the canvas
        steps = from_canvas(pen, input_col, answer_col)
    elif source == "test digit":
        digit, truth = test_digit(input_col)
    elif source == "mistakes":
        picked = mistake(input_col)
        if picked is None:
            return
        digit, truth = picked
    elif source == "upload":
        steps = from_upload(input_col, answer_col)
    if steps is not None:
        digit = prepared(steps, answer_col)
    if digit is None:
        return
    reading = predict.read(digit, models, perturbation(state))
    with answer_col:
        answers(reading, about, truth)
    inside_the_cnn(models["cnn"], reading.seen)


INSIDE = "🔬 Inside the CNN: its feature maps of your drawing"


def drawn_in_the_browser(state: DigitsState, pen: int, models: dict, about: dict) -> None:
    """Drawing, answered in the browser by the same networks (ui/components/digits.py).
    The server hears of the drawing only for what it draws from it: the CNN's feature
    maps while their section is open, or the answers to a perturbed digit. Otherwise a
    pen-up costs the server nothing (issue 24: a room drawing at once)."""
    pad_slot, answer_slot = st.container(), st.container()
    bent = perturbation(state)
    inside = st.expander(INSIDE, key=kit.key(DigitsState, "_inside"), on_change="rerun")
    needed = bool(inside.open) or bool(bent)
    # the run that starts asking holds an old digit (or none): the browser sends its own
    # straight after, and that run draws from it
    asked = kit.key(DigitsState, "_asked")  # the last run asked the browser for its digit
    asked_now = needed and not st.session_state.get(asked, False)
    st.session_state[asked] = needed
    with pad_slot:
        digit = digits_pad.draw_pad(pen, NAMES, about, key=kit.key(DigitsState, "_pad"),
                                    send=needed)
    if inside.open:
        inside.caption("The maps follow your drawing at each pen-up.")
    if digit is None or not needed or asked_now:
        return
    reading = predict.read(digit, models, bent)
    if bent:  # the browser answers the drawing as drawn; the server the perturbed one
        with answer_slot:
            answers(reading, about, None)
    if inside.open:
        with inside:
            inside_the_cnn(models["cnn"], reading.seen)


# --------------------------------------------------------------------------- the slide
def slide(state: DigitsState) -> None:
    """The slide form: the digit (drawn on the canvas, or a test digit with its "another"
    button), both networks' verdicts in large type over their probability charts, and for
    a test digit the CNN's feature maps (LeNet's slide); the mistakes, uploads, the
    perturbations and the filters are the page's."""
    if state.source not in ("draw", "test digit"):
        view(state)
        return
    try:
        models, about = load_models()
    except (FileNotFoundError, RuntimeError, ValueError) as err:
        st.error(f"The trained weights could not be loaded ({kit.plain(err)}).", icon="🚫")
        return
    if state.source == "draw" and digits_pad.available():  # answered in each browser
        digits_pad.draw_pad(state.pen, NAMES, about, key=kit.key(DigitsState, "_pad"),
                            send=False, stage=True)
        return
    digit_col, right = st.columns([0.55, 2.4], gap="medium")
    answer_cols = right.columns(2)
    digit, truth = None, None
    with kit.slide_part("picture", digit_col):
        if state.source == "draw":
            drawing = st_canvas(stroke_width=state.pen, stroke_color="#000000",
                                background_color="#ffffff", height=CANVAS, width=CANVAS,
                                drawing_mode="freedraw", return_image_data=True,
                                key=kit.key(DigitsState, "_canvas"))
            steps = (preprocess.preprocess(drawing.image_data)
                     if drawing.image_data is not None else None)
            digit = steps.digit if steps is not None else None
        else:
            sample_images, sample_labels = kit.mnist_sample()
            i = random_digit_index(state.seed, len(sample_labels))
            digit, truth = sample_images[i], str(sample_labels[i])
            st.image(zoom(digit, 112), width=112, alt=f"MNIST digit {truth}")
            st.caption(f"MNIST label: {truth}")
            st.button("🎲 Another", on_click=kit.in_scope(_next_seed),
                      key=kit.key(DigitsState, "_another"))
    if digit is None:
        answer_cols[0].info("Draw one digit, big, in the middle.", icon="✍️")
        return
    reading = predict.read(digit, models, predict.Perturbation(0, 0, 0, 0))
    for col, (kind, answer) in zip(answer_cols, reading.answers.items(), strict=True):
        with kit.slide_part("answer", col):
            said = f"says {answer.top}" if answer.sure else f"maybe {answer.top}?"
            st.markdown(f"**{NAMES[kind].split(' ')[0]}** {said} (p = {answer.p:.2f})")
        chart = probability_chart(answer.probs, answer.sure).to_dict()
        kit.chart(animate.Prepared({**chart, "layout": {**chart["layout"], "height": 158}}),
                  col, key=kit.key(DigitsState, f"_chart_{kind}"), config={"staticPlot": True})
    if state.source == "test digit":  # LeNet's slide: what the CNN's layers see
        maps = digits_model.feature_maps(models["cnn"], reading.seen)
        for col, (i, m) in zip(right.columns(len(maps)), enumerate(maps), strict=True):
            col.image(digits_model.tile(m, nrow=math.ceil(math.sqrt(m.shape[0]))), width=96,
                      alt=f"feature maps of conv{i + 1}",
                      caption=f"conv{i + 1}: {m.shape[0]} maps")


def main() -> None:
    """The page: its title and the view at the link's state."""
    kit.one_torch_thread()
    state = kit.load_state(DigitsState)
    kit.page_title(
        "Draw a digit", "MNIST - Hello (Deep Learning) World",
        "Draw a digit with the mouse or a finger. It is prepared the way MNIST's 70,000 "
        "digits were, then read by two networks trained on them: a small convolutional "
        "network and a fully connected one. Look inside the CNN, then push your digit "
        "until they break.",
    )
    view(state)
