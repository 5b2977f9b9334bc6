"""Draw a digit: a CNN trained on MNIST reads your drawing, next to a fully connected net.

The engine is the package ``dlcore.digits``: ``preprocess`` (drawing -> 28x28),
``model`` (the two networks) and ``predict`` (perturb the digit, ask both networks); this
page reads the URL state, calls them and draws. Anchors: Adam Harley's interactive CNN
visualisation, the ConvNetJS MNIST demo, CNN Explainer.
"""

from __future__ import annotations

import inspect

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from streamlit_drawable_canvas import st_canvas

from dlcore.data import images, mnist
from dlcore.digits import model as digits_model
from dlcore.digits import predict, preprocess
from dlcore.digits import train as digits_train
from pages import _ui
from pages._states.digits import DigitsState

NAMES = {"cnn": "CNN", "mlp": "MLP (fully connected)"}
CANVAS = 280  # px; a 20 px pen on it becomes a 2 px MNIST stroke
UPLOAD_MAX_SIDE = 1024

_ui.one_torch_thread()


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
def load_sample() -> tuple[np.ndarray, np.ndarray]:
    return mnist.load_sample()


@st.cache_resource
def load_mistakes() -> dict[str, np.ndarray]:
    return digits_train.load_mistakes()


def zoom(img: np.ndarray, size: int = 112) -> np.ndarray:
    """Nearest-neighbour enlargement, so pixels stay visible squares.

    A hair-thin picture (the crop of a one-pixel line) is padded with dark ground to at
    least an eighth of its length: ``st.image`` scales to a width and cannot show a
    picture that would be less than a pixel tall.
    """
    a = np.asarray(img)
    a = (a * 255).round().astype(np.uint8) if a.dtype != np.uint8 else a
    short = max(a.shape) // 8
    pad = [(0, 0) if n >= short else ((short - n) // 2, short - n - (short - n) // 2)
           for n in a.shape]
    a = np.pad(a, pad)
    k = max(1, size // max(a.shape))
    return np.kron(a, np.ones((k, k), np.uint8))


def probability_chart(probs: np.ndarray, sure: bool) -> go.Figure:
    top = int(np.argmax(probs))
    colours = ["#9ca3af"] * 10
    colours[top] = "#2563eb" if sure else "#f59e0b"
    fig = go.Figure(go.Bar(x=[str(d) for d in range(10)], y=probs, marker_color=colours,
                           hovertemplate="%{x}: p = %{y:.3f}<extra></extra>"))
    fig.update_layout(height=200, margin=dict(l=10, r=10, t=10, b=10),
                      yaxis=dict(range=[0, 1], title="p"), xaxis=dict(type="category"))
    return fig


def conv_link(kernel: np.ndarray, digit: np.ndarray) -> str:
    """A link to the convolution page with this kernel and this digit as the image."""
    return _ui.link_to("convolution", kernel=np.round(kernel.astype(float), 3), preset="edited",
                       source="link", image=_ui.encode_image(digit))


def random_digit_index(seed: int, n: int) -> int:
    return int(np.random.default_rng(seed).integers(n))


def _next_seed() -> None:
    st.session_state[_ui.key(DigitsState, "seed")] = int(np.random.default_rng().integers(2**31 - 1))


# --------------------------------------------------------------------------- the page
state = _ui.load_state(DigitsState)
_ui.page_title(
    "Draw a digit", "MNIST - Hello (Deep Learning) World",
    "Draw a digit with the mouse or a finger. It is prepared the way MNIST's 70,000 digits "
    "were, then read by two networks trained on them: a small convolutional network and a "
    "fully connected one. Look inside the CNN, then push your digit until they break.",
)
try:
    models, about = load_models()
except (FileNotFoundError, RuntimeError, ValueError) as err:
    st.error(f"The trained weights could not be loaded ({_ui.plain(err)}). Train them with "
             "`python -m dlcore.digits train --model cnn` and `--model mlp`.", icon="🚫")
    st.stop()

source = _ui.select(DigitsState, "source", "Where the digit comes from", radio=True)
digit: np.ndarray | None = None
truth: str | None = None
steps: preprocess.Steps | None = None

if source == "draw":
    pen = _ui.slider(DigitsState, "pen", "Pen width (px)", container=_ui.secondary("Pen"))
    st.caption("Draw one digit, big, in the middle. Undo and clear are in the canvas toolbar; "
               "the networks read it each time you lift the pen.")
    drawing = st_canvas(stroke_width=pen, stroke_color="#000000", background_color="#ffffff",
                        height=CANVAS, width=CANVAS, drawing_mode="freedraw",
                        return_image_data=True, key="canvas")
    if drawing.image_data is None:
        st.info("The canvas is empty: draw a digit.", icon="✍️")
    else:
        steps = preprocess.preprocess(drawing.image_data)

elif source == "test digit":
    sample_images, sample_labels = load_sample()
    cols = st.columns([2, 1])
    seed = _ui.number(DigitsState, "seed", "Seed (which test digit)", container=cols[0])
    cols[1].button("🎲 Another test digit", on_click=_next_seed)
    i = random_digit_index(seed, len(sample_labels))
    digit, truth = sample_images[i], str(sample_labels[i])
    st.caption(f"MNIST test digit, labelled **{truth}** by a person. It is already prepared "
               "the MNIST way, so it goes straight to the networks.")

elif source == "mistakes":
    try:
        wrong = load_mistakes()
    except FileNotFoundError:
        st.error("No gallery of mistakes: run `python -m dlcore.digits evaluate --save`.")
        st.stop()
    n = len(wrong["labels"])
    st.markdown(f"The CNN gets **{n}** of the 10,000 MNIST test digits wrong. Here they are; "
                "each caption reads *number: the CNN's answer ≠ the person's label*. "
                "Would you have got them right?")
    st.image([zoom(im, 56) for im in wrong["images"]], width=56,
             caption=[f"{k + 1}: {p}≠{t}" for k, (p, t) in
                      enumerate(zip(wrong["predicted"], wrong["labels"], strict=True))])
    k = _ui.number(DigitsState, "mistake", "Look closer at mistake number")
    if k > n:
        st.warning(f"There are only {n} mistakes; showing the last one.", icon="⚠️")
    k = min(k, n) - 1
    digit, truth = wrong["images"][k], str(wrong["labels"][k])

else:
    upload = st.file_uploader("A PNG or JPEG picture of one digit (at most "
                              f"{images.MAX_BYTES // 2**20} MB): any size, colour or grey, "
                              "dark on light or light on dark", type=["png", "jpg", "jpeg"])
    if upload is None:
        st.info("Choose a picture; it stays in this browser session and is not in the link.")
    else:
        try:
            picture = images.read_grey(upload.getvalue(), max_side=UPLOAD_MAX_SIDE)
        except images.BadImage as err:
            st.error(f"This file cannot be used: {_ui.plain(err)}.", icon="🚫")
        else:
            steps = preprocess.preprocess(picture)

if steps is not None:
    if steps.digit is None:
        st.info(steps.empty_reason.capitalize() + ".", icon="🫥")
    else:
        digit = steps.digit
        st.subheader("What the networks see")
        cols = st.columns(4)
        cols[0].image(zoom(steps.ink, 140), caption="your drawing, as ink", width=140)
        cols[1].image(zoom(steps.crop, 140), caption="cropped to the ink", width=140)
        cols[2].image(zoom(steps.scaled, 140), caption="longer side 20 px", width=140)
        cols[3].image(zoom(steps.digit, 140), caption="28×28, centred by mass", width=140)
        with st.expander("Show the code"):
            st.code(inspect.getsource(preprocess.preprocess), language="python")

if digit is None:
    st.stop()

# --------------------------------------------------------------------------- perturb
with st.expander("🔧 Perturb your digit: where do the networks break?",
                 expanded=any(getattr(state, f) for f in ("shift_x", "shift_y", "rotate",
                                                          "stroke"))):
    pcols = st.columns(4)
    shift_x = _ui.slider(DigitsState, "shift_x", "Shift right (px)", container=pcols[0])
    shift_y = _ui.slider(DigitsState, "shift_y", "Shift down (px)", container=pcols[1])
    rotate = _ui.slider(DigitsState, "rotate", "Rotate (°)", container=pcols[2])
    stroke = _ui.slider(DigitsState, "stroke", "Thinner / thicker (px)", container=pcols[3])
    _ui.reset_button(DigitsState, "Reset everything")
reading = predict.read(digit, models, predict.Perturbation(shift_x, shift_y, rotate, stroke))
seen = reading.seen

# --------------------------------------------------------------------------- predictions
st.subheader("What they read")
if truth is not None:
    st.caption(f"Truth (MNIST's label): **{truth}**")
if reading.changes:
    st.caption("Perturbed: " + ", ".join(reading.changes) + ".")
cols = st.columns([1, 2, 2])
cols[0].image(zoom(seen, 112), caption="the input")
for col, (kind, answer) in zip(cols[1:], reading.answers.items(), strict=True):
    with col:
        if answer.sure:
            st.markdown(f"**{NAMES[kind]}** says **{answer.top}** (p = {answer.p:.2f})")
        else:
            st.markdown(f"**{NAMES[kind]}** is not sure: maybe {answer.top}? "
                        f"(p = {answer.p:.2f})")
        st.plotly_chart(probability_chart(answer.probs, answer.sure), key=f"chart_{kind}",
                        config={"displayModeBar": False, "staticPlot": True})
        st.caption(about[kind])

# --------------------------------------------------------------------------- inside the CNN
st.subheader("Inside the CNN")
cnn = models["cnn"]
maps = digits_model.feature_maps(cnn, seen)
mcols = st.columns(len(maps))
for i, (col, m) in enumerate(zip(mcols, maps, strict=True)):
    col.image(digits_model.tile(m, nrow=8), width="stretch",
              caption=f"conv{i + 1}: {m.shape[0]} maps of {m.shape[1]}×{m.shape[2]}")
filters = cnn.first_filters()[:, 0].numpy()
st.markdown(f"The {len(filters)} learned first-layer filters ({filters.shape[1]}×"
            f"{filters.shape[2]}; light = positive weight, dark = negative). Open one in the "
            "convolution page, sliding over your digit:")
st.image(digits_model.tile(filters, nrow=16, signed=True, zoom=6), width=min(640, 16 * 36))
st.markdown(" · ".join(f"[{j + 1}]({conv_link(f, seen)})" for j, f in enumerate(filters)))
