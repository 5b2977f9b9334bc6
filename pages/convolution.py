"""Convolution step-through: the talk's slide, one output cell at a time.

The engine is ``dlcore.conv``; this page reads the URL state, calls it and draws.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dlcore import conv
from dlcore.data import images, mnist
from pages import _ui
from pages._states.convolution import OP_BY_NAME, SPEEDS, ConvState

FROM_LINK = f"{ConvState.PAGE}._k_from_link"  # a kernel size taken from the link, once
PLAYING = f"{ConvState.PAGE}._playing"
IMAGE_LINK = f"{ConvState.PAGE}._image_from_link"
CELL = _ui.key(ConvState, "cell")


# --------------------------------------------------------------------------- drawing
_CSS = """<style>
.cv-row {display:flex; gap:2.5rem; flex-wrap:wrap; align-items:flex-start; margin:.5rem 0}
.cv-grid {border-collapse:collapse; font-family:monospace; font-size:1.05rem}
.cv-grid td {width:2.6rem; height:2.6rem; text-align:center; border:1px solid #bbb}
.cv-grid td.pad {color:#aaa; border-style:dashed; background:#fafafa}
.cv-grid td.tap {background:#fde68a; border:2px solid #d97706}
.cv-grid td.cur {background:#93c5fd; border:2px solid #1d4ed8; font-weight:bold}
.cv-grid td.done {background:#eef2ff}
.cv-grid sub {color:#b45309; font-size:.7rem}
.cv-cap {font-size:.85rem; color:#555; margin-bottom:.2rem}
</style>"""


def _table(cells: list[list[str]], classes: list[list[str]], caption: str) -> str:
    rows = "".join(
        "<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in zip(r, cr, strict=True)) + "</tr>"
        for r, cr in zip(cells, classes, strict=True))
    return f'<div><div class="cv-cap">{html.escape(caption)}</div><table class="cv-grid">{rows}</table></div>'


def grids_html(op: str, x: np.ndarray, kernel: np.ndarray, out: np.ndarray, padding: int,
               frame: conv.Frame) -> str:
    n, size = x.shape[0], kernel.shape[0]
    padded = conv.pad(x, padding)
    taps = {t: w for t, w in zip(frame.taps, frame.weights or [None] * len(frame.taps),
                                 strict=True)}
    cells, classes = [], []
    for r in range(padded.shape[0]):
        row, cls = [], []
        for c in range(padded.shape[1]):
            is_pad = not (padding <= r < padding + n and padding <= c < padding + n)
            text = "·" if is_pad else conv.fmt(padded[r, c])
            if (r, c) in taps:
                w = taps[(r, c)]
                text += "" if w is None else f"<sub>{conv.fmt(w)}</sub>"
            row.append(text)
            cls.append(" ".join(filter(None, ["pad" if is_pad else "",
                                              "tap" if (r, c) in taps else ""])))
        cells.append(row)
        classes.append(cls)
    parts = [_table(cells, classes, f"input {n}×{n}" + (f", padding {padding}" if padding else ""))]
    if op in ("xcorr", "conv"):
        shown = kernel[::-1, ::-1] if op == "conv" else kernel
        parts.append(_table([[conv.fmt(v) for v in r] for r in shown],
                            [[""] * size for _ in range(size)],
                            "kernel" + (" (flipped)" if op == "conv" else "")))
    oh, ow = out.shape
    out_cells = [[conv.fmt(out[r, c]) if r * ow + c <= frame.index else "" for c in range(ow)]
                 for r in range(oh)]
    out_cls = [["cur" if r * ow + c == frame.index else "done" if r * ow + c < frame.index else ""
                for c in range(ow)] for r in range(oh)]
    parts.append(_table(out_cells, out_cls, f"output {oh}×{ow}"))
    return _CSS + '<div class="cv-row">' + "".join(parts) + "</div>"


def image_figure(image: np.ndarray, fmap: np.ndarray, title: str) -> go.Figure:
    fig = make_subplots(1, 2, subplot_titles=("image", title), horizontal_spacing=0.08)
    fig.add_trace(go.Heatmap(z=image, colorscale="gray_r", showscale=False,
                             hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>"), 1, 1)
    lim = float(np.abs(fmap).max()) or 1.0
    fig.add_trace(go.Heatmap(z=fmap, colorscale="RdBu", zmid=0, zmin=-lim, zmax=lim,
                             hovertemplate="row %{y}, col %{x}: %{z:.3g}<extra></extra>"), 1, 2)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False)
    fig.update_yaxes(scaleanchor="x2", row=1, col=2)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10))
    return fig


# --------------------------------------------------------------------------- page
_ui.page_title(
    "Convolution, step by step", "Convolution",
    "A kernel slides over the input; each output cell is the sum of the products under it. "
    "Step through the cells, change the arithmetic, then try the kernel on a real digit.",
)
state = _ui.load_state(ConvState)

# A kernel arriving by link (from the digits page) sets the kernel size, once per session.
if (state.kernel is not None and state.kernel.shape[0] == state.kernel.shape[1]
        and 1 <= state.kernel.shape[0] <= 5 and "k" not in st.query_params
        and not st.session_state.get(FROM_LINK)):
    st.session_state[_ui.key(ConvState, "k")] = state.kernel.shape[0]
    st.session_state[FROM_LINK] = True
# So does a picture arriving by link (older links carry no source=link).
if state.image and "source" not in st.query_params and not st.session_state.get(IMAGE_LINK):
    st.session_state[_ui.key(ConvState, "source")] = "link"
    st.session_state[IMAGE_LINK] = True

op = OP_BY_NAME[_ui.select(ConvState, "op", "Operation", radio=True)]
if op in ("xcorr", "conv"):
    st.caption("Deep-learning libraries compute **cross-correlation** and call it convolution; "
               "true **convolution** first turns the kernel by 180°. With learned kernels the "
               "difference does not matter: the network learns the flipped weights.")
cols = st.columns(5)
n = _ui.slider(ConvState, "n", "Input size i", container=cols[0])
k = _ui.slider(ConvState, "k", "Kernel size k", container=cols[1])
stride = _ui.slider(ConvState, "stride", "Stride s", container=cols[2])
padding = _ui.slider(ConvState, "padding", "Padding p", container=cols[3])
dilation = _ui.slider(ConvState, "dilation", "Dilation d", container=cols[4])

# Laid out in this order, filled in another: the stepper needs the edited grids.
stepper_area = st.container()
edit_area = st.expander("Edit the numbers: input, kernel, seed")
with edit_area:
    seed = _ui.number(ConvState, "seed", "Seed (random fill)")
    x_default, k_default = conv.default_input(n, seed), conv.default_kernel(k, seed)
    x0 = state.x if state.x is not None and state.x.shape == (n, n) else x_default
    k0 = state.kernel if state.kernel is not None and state.kernel.shape == (k, k) else k_default

    def _random_fill() -> None:
        new_seed = min(_ui.value(ConvState, "seed") + 1, 2**31 - 1)
        _ui.set_value(ConvState, "seed", new_seed)
        _ui.set_value(ConvState, "x", conv.default_input(n, new_seed))
        _ui.set_value(ConvState, "kernel", conv.default_kernel(k, new_seed))

    gcols = st.columns([n, k] if op in ("xcorr", "conv") else [1])
    x = _ui.grid(ConvState, "x", x0, x_default, "input", container=gcols[0])
    kernel = (_ui.grid(ConvState, "kernel", k0, k_default, "kernel", container=gcols[1])
              if op in ("xcorr", "conv") else k0)
    bcols = st.columns(2)
    bcols[0].button("🎲 Random fill", on_click=_random_fill, help="Next seed, new input and kernel")
    with bcols[1]:
        _ui.reset_button(ConvState)


stepper_area.latex(conv.size_formula(n, k, padding, stride, dilation))
try:
    out = conv.apply(op, x, kernel, stride, padding, dilation)
    frames = list(conv.steps(op, x, kernel, stride, padding, dilation))
except conv.NoOutput as err:
    stepper_area.error(f"No output for these settings: {_ui.plain(err)}.")
    frames = []

if frames:
    total = len(frames)

    def _go(delta: int) -> None:
        st.session_state[PLAYING] = False
        st.session_state[CELL] = min(max(1, st.session_state[CELL] + delta), total)

    playing = st.session_state.get(PLAYING, False)
    speed = SPEEDS[_ui.value(ConvState, "speed")]

    @st.fragment(run_every=speed if playing else None)
    def stepper() -> None:
        if st.session_state.get(PLAYING):
            nxt = st.session_state[CELL] + 1
            if nxt > total:
                st.session_state[PLAYING] = False
                st.rerun(scope="app")  # stops the timer
            st.session_state[CELL] = nxt
        elif st.session_state[CELL] > total:
            st.session_state[CELL] = total
        c = st.columns([1.2, 1.2, 1.5, 1.6, 3])
        c[0].button("◀ Prev", on_click=_go, args=(-1,), disabled=total == 1)
        c[1].button("Next ▶", on_click=_go, args=(1,), disabled=total == 1)
        if c[2].button("⏸️ Pause" if st.session_state.get(PLAYING) else "▶️ Play"):
            now = not st.session_state.get(PLAYING, False)
            if now and st.session_state[CELL] >= total:
                st.session_state[CELL] = 1
            st.session_state[PLAYING] = now
            st.rerun(scope="app")
        _ui.select(ConvState, "speed", "Speed", container=c[3], label_visibility="collapsed")
        if total > 1:
            cell = _ui.slider(ConvState, "cell", "Output cell", container=c[4], max_value=total,
                              label_visibility="collapsed")
        else:
            cell = 1
        frame = frames[cell - 1]
        st.markdown(grids_html(op, x, kernel, out, padding, frame), unsafe_allow_html=True)
        st.markdown(f"**Cell {cell} of {total}** (row {frame.out_row + 1}, column "
                    f"{frame.out_col + 1}):")
        st.code(conv.written_sum(op, frame), language=None)

    with stepper_area:
        stepper()

# --------------------------------------------------------------------------- a real image
st.subheader("On a real image")
sample_images, sample_labels = mnist.load_sample()
preset = (_ui.select(ConvState, "preset", "Kernel (edited = the kernel above)")
          if op in ("xcorr", "conv") else "edited")
if not state.image and _ui.value(ConvState, "source") == "link":
    _ui.set_value(ConvState, "source", "digit")  # nothing came by link
source = _ui.select(ConvState, "source", "Image", radio=True,
                    format_func={"link": "from the link (your drawing)",
                                 "digit": "MNIST test digit", "upload": "upload"}.get)
picture = None
if source == "link":
    picture = _ui.decode_image(state.image)
elif source == "digit":
    digit = min(_ui.number(ConvState, "digit", f"Test digit (0–{len(sample_images) - 1})"),
                len(sample_images) - 1)
    picture = sample_images[digit]
    st.caption(f"MNIST test digit, label {int(sample_labels[digit])}")
else:
    upload = st.file_uploader("A PNG or JPEG image (at most 2 MB)", type=["png", "jpg", "jpeg"])
    if upload is not None:
        try:
            picture = images.read_grey(upload.getvalue(), max_side=96)
        except images.BadImage as err:
            st.error(f"That file cannot be used: {_ui.plain(err)}")
    else:
        st.info("Choose an image file; it stays in this browser session and is not in the link.")

if picture is not None:
    chosen = kernel if preset == "edited" or op in ("max", "avg") else conv.PRESETS[preset]
    try:
        fmap = conv.apply(op, picture.astype(float), chosen, stride, padding, dilation)
        st.plotly_chart(image_figure(picture, fmap, f"feature map ({conv.OP_NAMES[op]})"),
                        width="stretch")
    except conv.NoOutput as err:
        st.error(f"No feature map for these settings: {_ui.plain(err)}.")

with st.expander("The same in PyTorch", expanded=not _ui.presenter()):
    st.code(conv.torch_call(op, x, kernel, stride, padding, dilation), language="python")
