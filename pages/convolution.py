"""Convolution step-through: the talk's slide, one output cell at a time.

The engine is ``dlcore.conv``; this page reads the URL state, calls it and draws.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.colors
import streamlit as st

from dlcore import conv, paths
from dlcore.data import images
from ui import animate, kit
from ui.states.convolution import OP_BY_NAME, SPEEDS, ConvState

# Session keys that are no fields (through kit.key, so an embedded view has its own):
FROM_LINK = "_k_from_link"  # a kernel size taken from the link, once
IMAGE_LINK = "_image_from_link"  # so is a picture
PLAYING = "_playing"  # the stepper's Play
SLIDER_PX = 118  # a size slider's width in its row: five on a laptop's line, three on a phone's


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
@media (max-width: 640px) {  /* a phone: input, kernel and output on one row */
  .cv-row {gap:.8rem}
  .cv-grid {font-size:.8rem}
  .cv-grid td {width:1.75rem !important; height:1.75rem !important; padding:0 !important}
  .cv-grid sub {font-size:.55rem}
}
</style>"""

LEADS = {
    "xcorr": "A kernel slides over the input; each output cell is the sum of the products "
             "under it.",
    "conv": "A kernel, turned by 180°, slides over the input; each output cell is the sum of "
            "the products under it.",
    "max": "A window slides over the input; each output cell is the largest value under it "
           "(max pooling: no weights).",
    "avg": "A window slides over the input; each output cell is the mean of the values under "
           "it (average pooling: no weights).",
}


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


# plotly.py's colour scales, spelled out: plotly.js in the browser knows neither "gray_r"
# nor plotly.py's "RdBu" (its own runs blue to red through grey), and a name it does not
# know falls back to Streamlit's theme scale.
GREYS = plotly.colors.get_colorscale("gray_r")
RED_BLUE = plotly.colors.get_colorscale("RdBu")  # negative red, zero white, positive blue


def image_figure(image: np.ndarray, fmap: np.ndarray, title: str) -> animate.Prepared:
    """The picture and its feature map side by side, as plotly JSON: building it with
    ``make_subplots`` and ``go.Heatmap`` validated every cell and was a third of the
    page's first run, which 50 people pay at once when they open the link (issue 15)."""
    if fmap.min() >= 0:  # pooling a picture (or a positive kernel): no negative values
        scale = {"colorscale": GREYS, "zmin": 0, "zmax": float(fmap.max()) or 1.0}
    else:  # signed: zero white, positive blue, negative red, on a symmetric scale
        lim = float(np.abs(fmap).max()) or 1.0
        scale = {"colorscale": RED_BLUE, "zmid": 0, "zmin": -lim, "zmax": lim}
    data = [{"type": "heatmap", "z": np.asarray(image).tolist(), "colorscale": GREYS,
             "showscale": False, "xaxis": "x", "yaxis": "y",
             "hovertemplate": "row %{y}, col %{x}: %{z}<extra></extra>"},
            {"type": "heatmap", "z": animate.rounded(fmap.ravel()).reshape(fmap.shape).tolist(),
             **scale, "xaxis": "x2", "yaxis": "y2",
             "hovertemplate": "row %{y}, col %{x}: %{z:.3g}<extra></extra>"}]
    half = (1 - 0.08) / 2  # the two panels, 8% of the width between them
    axes = {}
    for n, (lo, hi) in ((1, (0, half)), (2, (1 - half, 1))):
        x, y = ("x", "y") if n == 1 else ("x2", "y2")
        bare = {"showticklabels": False, "showgrid": False, "zeroline": False}
        axes["xaxis" if n == 1 else "xaxis2"] = {"domain": [lo, hi], "anchor": y, **bare}
        axes["yaxis" if n == 1 else "yaxis2"] = {"domain": [0, 1], "anchor": x,
                                                 "autorange": "reversed", "scaleanchor": x,
                                                 **bare}
    titles = [{"text": t, "x": (lo + hi) / 2, "y": 1, "xref": "paper", "yref": "paper",
               "xanchor": "center", "yanchor": "bottom", "showarrow": False,
               "font": {"size": 16}}
              for t, (lo, hi) in (("image", (0, half)), (title, (1 - half, 1)))]
    layout = {**axes, "annotations": titles, "height": 340,
              "margin": {"l": 10, "r": 10, "t": 40, "b": 10}}
    return animate.Prepared({"data": data, "layout": layout})


# --------------------------------------------------------------------------- page
def _random_fill(n: int, k: int) -> None:
    new_seed = min(kit.value(ConvState, "seed") + 1, 2**31 - 1)
    kit.set_value(ConvState, "seed", new_seed)
    kit.set_value(ConvState, "x", conv.default_input(n, new_seed))
    kit.set_value(ConvState, "kernel", conv.default_kernel(k, new_seed))


def _go(delta: int, total: int, cell_key: str, playing_key: str) -> None:
    st.session_state[playing_key] = False
    st.session_state[cell_key] = min(max(1, st.session_state[cell_key] + delta), total)


def view(state: ConvState) -> None:
    """The step-through at ``state``: the arithmetic's controls, the grids cell by cell,
    the output size, the kernel on a real image and the same call in PyTorch."""
    controls, picture = kit.stage_columns((1, 3))
    op = OP_BY_NAME[kit.select(ConvState, "op", "Operation", radio=True, container=controls)]
    # the sizes in one row that wraps (a phone's stacked columns pushed the grids off its
    # first screen, issue 22); on the stage, one above the other beside the grids
    row = controls if kit.presenter() else kit.row(controls)
    n = kit.slider(ConvState, "n", "Input size i", container=row, width=SLIDER_PX)
    k = kit.slider(ConvState, "k", "Kernel size k", container=row, width=SLIDER_PX)
    stride = kit.slider(ConvState, "stride", "Stride s", container=row, width=SLIDER_PX)
    padding = kit.slider(ConvState, "padding", "Padding p", container=row, width=SLIDER_PX)
    dilation = kit.slider(ConvState, "dilation", "Dilation d", container=row, width=SLIDER_PX)

    # Laid out in this order, filled in another: the stepper needs the edited grids.
    stepper_area = picture.container()
    formula_area = picture.container()  # under the grids: on the stage they come first
    if op in ("xcorr", "conv"):  # beside the grids on the stage, under them elsewhere
        (controls if kit.presenter() else formula_area).caption(
            "Deep-learning libraries compute **cross-correlation** and call it convolution; "
            "true **convolution** first turns the kernel by 180°. With learned kernels the "
            "difference does not matter: the network learns the flipped weights.")
    with st.expander("Edit the numbers: input, kernel, seed"):
        seed = kit.number(ConvState, "seed", "Seed (random fill)")
        x_default, k_default = conv.default_input(n, seed), conv.default_kernel(k, seed)
        x0 = state.x if state.x is not None and state.x.shape == (n, n) else x_default
        k0 = (state.kernel if state.kernel is not None and state.kernel.shape == (k, k)
              else k_default)
        gcols = st.columns([n, k] if op in ("xcorr", "conv") else [1])
        x = kit.grid(ConvState, "x", x0, x_default, "input", container=gcols[0])
        kernel = (kit.grid(ConvState, "kernel", k0, k_default, "kernel", container=gcols[1])
                  if op in ("xcorr", "conv") else k0)
        bcols = st.columns(2)
        bcols[0].button("🎲 Random fill", on_click=kit.in_scope(_random_fill), args=(n, k),
                        key=kit.key(ConvState, "_random_fill"),
                        help="Next seed, new input and kernel")
        with bcols[1]:
            kit.reset_button(ConvState)

    formula_area.markdown("**Output size**")
    formula_area.latex(conv.size_formula(n, k, padding, stride, dilation, lines=True))
    try:
        out = conv.apply(op, x, kernel, stride, padding, dilation)
        frames = list(conv.steps(op, x, kernel, stride, padding, dilation))
    except conv.NoOutput as err:
        stepper_area.error(f"No output for these settings: {kit.plain(err)}.")
        frames = []
    if frames:
        with stepper_area:
            stepper(op, x, kernel, out, padding, frames)
    real_image(state, op, kernel, stride, padding, dilation)
    with st.expander("The same in PyTorch", expanded=not kit.presenter()):
        st.code(conv.torch_call(op, x, kernel, stride, padding, dilation), language="python")


def stepper(op: str, x: np.ndarray, kernel: np.ndarray, out: np.ndarray, padding: int,
            frames: list[conv.Frame], on_slide: bool = False) -> None:
    """Prev / Next / Play through the output cells, the grids at the current cell and
    its written sum (a fragment: Play reruns it alone, on a timer)."""
    total = len(frames)
    cell_key, playing_key = kit.key(ConvState, "cell"), kit.key(ConvState, PLAYING)
    playing = st.session_state.get(playing_key, False)
    speed = SPEEDS[kit.value(ConvState, "speed")]

    def stepper_body() -> None:
        if st.session_state.get(playing_key):
            nxt = st.session_state[cell_key] + 1
            if nxt > total:
                st.session_state[playing_key] = False
                st.rerun(scope="app")  # stops the timer
            st.session_state[cell_key] = nxt
        elif st.session_state[cell_key] > total:
            st.session_state[cell_key] = total
        # one row that wraps on a phone (columns would stack, one button a row)
        row = st.container(horizontal=True, vertical_alignment="center")
        at = st.session_state[cell_key]
        go_args = (total, cell_key, playing_key)
        row.button("◀ Prev", on_click=_go, args=(-1, *go_args), disabled=at <= 1,
                   key=kit.key(ConvState, "_prev"))
        row.button("Next ▶", on_click=_go, args=(1, *go_args), disabled=at >= total,
                   key=kit.key(ConvState, "_next"))
        if row.button("⏸️ Pause" if st.session_state.get(playing_key) else "▶️ Play",
                      key=kit.key(ConvState, "_play")):
            now = not st.session_state.get(playing_key, False)
            if now and st.session_state[cell_key] >= total:
                st.session_state[cell_key] = 1
            st.session_state[playing_key] = now
            st.rerun(scope="app")
        # the grids and their sum under the buttons, then the cell and the speed (issue 22)
        grids = st.container()
        under = None if on_slide else kit.row(vertical_alignment="bottom")
        if total > 1 and under:
            cell = kit.slider(ConvState, "cell", f"Output cell (1–{total})", max_value=total,
                              container=under)
        else:
            cell = min(max(1, st.session_state[cell_key]), total)
        if under:  # the slide steps with the buttons alone
            kit.select(ConvState, "speed", "Speed of ▶️ Play", container=under, width=130)
        frame = frames[cell - 1]
        with grids, kit.slide_part("picture"):
            st.markdown(grids_html(op, x, kernel, out, padding, frame), unsafe_allow_html=True)
        where = f"row {frame.out_row + 1}, column {frame.out_col + 1}"  # not on a page's row
        row.markdown(f"**Cell {cell} of {total}**" + (f" ({where})" if on_slide else ""))
        with grids, kit.slide_part("answer"):
            st.code(conv.written_sum(op, frame), language=None, wrap_lines=True)
            if not on_slide:
                st.caption(f"Cell {cell} is {where} of the output.")

    # a fragment: its reruns keep the deck's scope and form, and reach the room
    kit.fragment(stepper_body, run_every=speed if playing else None)()


def real_image(state: ConvState, op: str, kernel: np.ndarray, stride: int, padding: int,
               dilation: int) -> None:
    """The kernel (or a preset one) on a digit, a drawing from the link or an upload."""
    st.subheader("On a real image")
    try:
        sample_images, sample_labels = kit.mnist_sample()
    except paths.AssetError as err:  # the stepper above works without it
        st.error(kit.plain(err), icon="🧩")
        return
    preset = (kit.select(ConvState, "preset", "Kernel (edited = the kernel above)")
              if op in ("xcorr", "conv") else "edited")
    if not state.image and kit.value(ConvState, "source") == "link":
        kit.set_value(ConvState, "source", "digit")  # nothing came by link
    source = kit.select(ConvState, "source", "Image", radio=True,
                        format_func={"link": "from the link (your drawing)",
                                     "digit": "MNIST test digit", "upload": "upload"}.get)
    picture = None
    if source == "link":
        picture = kit.decode_image(state.image)
    elif source == "digit":
        digit = min(kit.number(ConvState, "digit", f"Test digit (0–{len(sample_images) - 1})"),
                    len(sample_images) - 1)
        picture = sample_images[digit]
        st.caption(f"MNIST test digit, label {int(sample_labels[digit])}")
    else:
        upload = st.file_uploader("An image: JPEG, PNG or WebP (at most 2 MB)",
                                  type=list(images.UPLOAD_TYPES), key=kit.key(ConvState, "_upload"))
        if upload is not None:
            try:
                picture = images.read_grey(upload.getvalue(), max_side=96)
            except images.BadImage as err:
                st.error(f"That file cannot be used: {kit.plain(err)}")
        else:
            st.info("Choose an image file; it stays in this browser session and is not in "
                    "the link.")
    if picture is not None:
        chosen = kernel if preset == "edited" or op in ("max", "avg") else conv.PRESETS[preset]
        try:
            fmap = conv.apply(op, picture.astype(float), chosen, stride, padding, dilation)
            kit.chart(image_figure(picture, fmap, f"feature map ({conv.OP_NAMES[op]})"),
                      width="stretch")
        except conv.NoOutput as err:
            st.error(f"No feature map for these settings: {kit.plain(err)}.")


def slide(state: ConvState) -> None:
    """The slide form: the grids cell by cell with Prev / Next / Play and the written sum
    in large type (the slide's numbers), stride and padding beside them; the other
    operations, the numbers' editor and the real image are the page's."""
    controls, picture = st.columns([1, 3], gap="medium")
    op, n, k = OP_BY_NAME[state.op], state.n, state.k
    stride = kit.slider(ConvState, "stride", "Stride s", container=controls)
    padding = kit.slider(ConvState, "padding", "Padding p", container=controls)
    x = state.x if state.x is not None and state.x.shape == (n, n) else conv.default_input(
        n, state.seed)
    kernel = (state.kernel if state.kernel is not None and state.kernel.shape == (k, k)
              else conv.default_kernel(k, state.seed))
    try:
        out = conv.apply(op, x, kernel, stride, padding, state.dilation)
        frames = list(conv.steps(op, x, kernel, stride, padding, state.dilation))
    except conv.NoOutput as err:
        picture.error(f"No output for these settings: {kit.plain(err)}.")
        return
    controls.markdown(f"Output: **{out.shape[0]}×{out.shape[1]}**")
    st.html("<style>.st-key-talk-live .cv-grid td {width: 1.8rem; height: 1.8rem; padding: 0}"
            ".st-key-talk-live .cv-row {margin: 0}</style>")
    with picture:
        stepper(op, x, kernel, out, padding, frames, on_slide=True)


def take_from_link(state: ConvState) -> None:
    """A kernel arriving by link (from the digits page) sets the kernel size, once per
    session; so does a picture (older links carry no ``source=link``)."""
    if (state.kernel is not None and state.kernel.shape[0] == state.kernel.shape[1]
            and 1 <= state.kernel.shape[0] <= 5 and "k" not in st.query_params
            and not st.session_state.get(kit.key(ConvState, FROM_LINK))):
        st.session_state[kit.key(ConvState, "k")] = state.kernel.shape[0]
        st.session_state[kit.key(ConvState, FROM_LINK)] = True
    if (state.image and "source" not in st.query_params
            and not st.session_state.get(kit.key(ConvState, IMAGE_LINK))):
        st.session_state[kit.key(ConvState, "source")] = "link"
        st.session_state[kit.key(ConvState, IMAGE_LINK)] = True


def main() -> None:
    """The page: its title, the link's kernel and picture taken in, the view."""
    state = kit.load_state(ConvState)
    kit.page_title(
        "Convolution, step by step", "Convolution",
        LEADS[OP_BY_NAME[kit.value(ConvState, "op")]],
    )
    take_from_link(state)
    view(state)
