"""Convolution step-through: the talk's slide, one output cell at a time.

The engine is ``dlcore.conv``; this page reads the URL state, calls it and draws.
"""

from __future__ import annotations

import functools

import numpy as np
import plotly.colors
import streamlit as st

from dlcore import conv, paths
from dlcore.data import images
from ui import animate, kit
from ui.components import conv_stepper
from ui.states.convolution import OP_BY_NAME, SPEEDS, ConvState

# Session keys that are no fields (through kit.key, so an embedded view has its own):
FROM_LINK = "_k_from_link"  # a kernel size taken from the link, once
IMAGE_LINK = "_image_from_link"  # so is a picture
SLIDER_PX = 118  # a size slider's width in its row: five on a laptop's line, three on a phone's


# --------------------------------------------------------------------------- drawing
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
    its written sum: stepped in the browser (``ui/components/conv_stepper.py``), every
    cell computed here once; the cell and the speed come back at rest, through a
    fragment, which on a slide also tells the room."""
    data = conv_stepper.frames_data(op, x, kernel, out, padding, frames)
    cell_key = kit.key(ConvState, "cell")
    if st.session_state[cell_key] > len(frames):
        st.session_state[cell_key] = len(frames)

    def stepper_body() -> None:
        conv_stepper.stepper(data, kit.value(ConvState, "cell"), kit.value(ConvState, "speed"),
                             SPEEDS, key=kit.key(ConvState, "_stepper"),
                             on_change=kit.in_scope(functools.partial(_stepped, len(frames))),
                             on_slide=on_slide)

    kit.fragment(stepper_body)()


def _stepped(total: int, values: dict) -> None:
    """The browser's cell and speed, checked as a link's would be (one that is not, left)."""
    cell, speed = values.get("cell"), values.get("speed")
    if isinstance(cell, int) and not isinstance(cell, bool) and 1 <= cell <= total:
        kit.set_value(ConvState, "cell", cell)
    if speed in SPEEDS:
        kit.set_value(ConvState, "speed", speed)


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
