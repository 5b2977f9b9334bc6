"""Pictures the app makes itself for the talk's slides that have no live view.

Each is drawn offline from what the app ships: the ImageNet network (EfficientNet-lite0)
classifying drawings the app makes and scikit-image's bundled photos, its class
activation maps over those photos, diagrams drawn by Graphviz, published figures typed
in with their source, and a snippet run live. Nothing is fetched, nothing is a stock
image. ``PICTURES`` maps a slide number to the function that draws its picture.
"""

from __future__ import annotations

import functools
import io
import platform
from collections.abc import Callable

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw

from ui import kit

# ILSVRC classification winners, top-5 error (%), as published: 2010-2014 from
# Russakovsky et al. (2015), "ImageNet Large Scale Visual Recognition Challenge", IJCV,
# table 7 (2010 NEC-UIUC, 2011 XRCE, 2012 SuperVision = AlexNet, 2013 Clarifai,
# 2014 GoogLeNet); 2015 ResNet, He et al. (2016); 2016 Trimps-Soushen and 2017 SENet,
# the ILSVRC 2016 and 2017 results (Hu et al., 2018, for SENet). Human: 5.1%, one
# trained annotator in Russakovsky et al. (2015), section 6.4.
IMAGENET_TOP5 = ((2010, "NEC-UIUC", 28.2, False), (2011, "XRCE", 25.8, False),
                 (2012, "AlexNet", 16.4, True), (2013, "Clarifai", 11.7, True),
                 (2014, "GoogLeNet", 6.7, True), (2015, "ResNet", 3.57, True),
                 (2016, "Trimps-Soushen", 2.99, True), (2017, "SENet", 2.25, True))
HUMAN_TOP5 = 5.1
IMAGENET_CREDIT = ("Figures: Russakovsky et al. (2015), IJCV, table 7 (2010-2014); He et al. "
                   "(2016) for ResNet; ILSVRC 2016 and 2017 results; Hu et al. (2018) for "
                   "SENet. Human: one trained annotator, Russakovsky et al. (2015).")


# --------------------------------------------------------------------------- drawings
WOOD, CLOTH = (120, 70, 30), (200, 40, 40)


def drawing(kind: str) -> Image.Image:
    """A chair drawn by the app, 256 x 256: flat shapes, as a child would draw it."""
    im = Image.new("RGB", (256, 256), "white")
    d = ImageDraw.Draw(im)
    if kind == "kitchen chair":
        d.rectangle((80, 30, 95, 150), fill=WOOD)  # back posts
        d.rectangle((165, 30, 180, 150), fill=WOOD)
        for y in (40, 70, 100):
            d.rectangle((95, y, 165, y + 10), fill=WOOD)  # back slats
        d.polygon(((60, 150), (200, 150), (185, 170), (75, 170)), fill=WOOD)  # seat
        for x in (65, 175):
            d.rectangle((x, 170, x + 12, 240), fill=WOOD)
    elif kind == "stool":
        d.ellipse((60, 60, 196, 100), fill=WOOD)
        for x0, x1 in ((75, 55), (128, 128), (181, 201)):
            d.line((x0, 85, x1, 240), fill=WOOD, width=12)
        d.line((70, 180, 186, 180), fill=WOOD, width=6)
    elif kind == "armchair":
        d.rounded_rectangle((50, 40, 206, 150), 30, fill=CLOTH)  # back
        d.rounded_rectangle((30, 110, 80, 210), 20, fill=CLOTH)  # arms
        d.rounded_rectangle((176, 110, 226, 210), 20, fill=CLOTH)
        d.rectangle((70, 150, 186, 200), fill=(220, 70, 70))  # cushion
        for x in (40, 206):
            d.rectangle((x, 210, x + 10, 235), fill=WOOD)
    elif kind == "bean bag":
        d.ellipse((40, 90, 216, 236), fill=(60, 120, 200))
        d.ellipse((70, 60, 190, 170), fill=(80, 140, 220))
    elif kind == "rocking chair":
        d.rectangle((150, 30, 165, 170), fill=WOOD)
        d.rectangle((80, 150, 165, 165), fill=WOOD)
        d.rectangle((85, 160, 97, 215), fill=WOOD)
        d.rectangle((150, 160, 162, 215), fill=WOOD)
        d.arc((40, 120, 220, 230), 20, 160, fill=WOOD, width=10)
    else:  # "hanging egg chair"
        d.line((128, 0, 128, 50), fill=(90, 90, 90), width=5)
        d.ellipse((60, 50, 196, 240), outline=(150, 110, 60), width=14)
        d.ellipse((85, 140, 171, 200), fill=(240, 230, 200))
    return im


def encoded(img: Image.Image, kind: str = "PNG") -> bytes:
    """A picture as the file the browser gets: encoded once where it is cached, not on
    every run of every session (a room of 50 following the deck reruns the slide 50
    times at each change)."""
    out = io.BytesIO()
    img.save(out, format=kind, **({"quality": 90} if kind == "JPEG" else {}))
    return out.getvalue()


@functools.lru_cache(maxsize=16)
def drawing_file(kind: str) -> bytes:
    """:func:`drawing` as a PNG file, made once per process (pure and small)."""
    return encoded(drawing(kind))


@st.cache_resource(max_entries=8, show_spinner=False)
def guesses(kind: str) -> list[tuple[str, float]]:
    """The ImageNet network's three likeliest classes for a drawing, once per server."""
    from dlcore.finetune import imagenet
    from ui import photos

    return imagenet.predict(photos.network(), drawing(kind)).top[:3]


def chairs(kinds: tuple[str, ...], lead: str) -> None:
    """Drawings of chairs beside what the ImageNet network says each is, live."""
    st.markdown(lead)
    for col, kind in zip(st.columns(len(kinds)), kinds, strict=True):
        col.image(drawing_file(kind), width=120, caption=f"a {kind}, drawn",
                  alt=f"a {kind}, drawn")
        with kit.slide_part("answer", col):
            st.markdown("<br>".join(f"{kit.plain(label)}: {p:.0%}"
                                     for label, p in guesses(kind)),
                         unsafe_allow_html=True)  # ImageNet's own class names, escaped


def slide_chairs() -> None:
    chairs(("kitchen chair", "stool", "armchair"),
           "Chairs the app draws, and the ImageNet network's three likeliest classes, live:")


def slide_odd_chairs() -> None:
    chairs(("bean bag", "rocking chair", "hanging egg chair"),
           "A rule (four legs, a back) misses these; a network knows what its examples "
           "showed it. The same network, live:")


# --------------------------------------------------------------------------- ImageNet
def slide_imagenet_error() -> None:
    import plotly.graph_objects as go

    years = [y for y, *_ in IMAGENET_TOP5]
    fig = go.Figure(go.Bar(
        x=years, y=[e for *_, e, _ in IMAGENET_TOP5],
        marker_color=["#2563eb" if deep else "#9ca3af" for *_, deep in IMAGENET_TOP5],
        text=[f"{name}<br>{e:g}%" for _, name, e, _ in IMAGENET_TOP5],
        textposition="outside", cliponaxis=False))
    fig.add_hline(y=HUMAN_TOP5, line_dash="dash", line_color="#b91c1c",
                  annotation_text=f"one trained person: {HUMAN_TOP5}%",
                  annotation_position="top right")
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=10), showlegend=False,
                      yaxis=dict(title="top-5 error (%)", range=[0, 33]),
                      xaxis=dict(tickvals=years, title="ILSVRC year (grey: before deep "
                                                         "networks; blue: deep networks)"))
    kit.chart(fig, key="slide-imagenet-error")
    st.caption(IMAGENET_CREDIT)


@st.cache_resource(max_entries=8, show_spinner=False)
def named_photo(name: str) -> tuple[bytes, list[tuple[str, float]]]:
    """A bundled photo (as a JPEG file) and the network's top class for it, once per
    server: four forward passes of the ImageNet network on every run of every follower
    were most of a room's cost at a slide change (benchmarks/room.py)."""
    from dlcore.finetune import demo, imagenet
    from ui import photos

    img = demo.photo(name, None)
    return encoded(img, "JPEG"), imagenet.predict(photos.network(), img).top[:1]


@st.cache_resource(max_entries=4, show_spinner=False)
def cam_picture(name: str) -> tuple[bytes, list[tuple[str, float]]]:
    """A bundled photo with the network's class activation map over it (as a JPEG file),
    and its top three classes, once per server."""
    from dlcore.finetune import demo, imagenet
    from ui import photos

    img = demo.photo(name, None)
    cam, top = imagenet.class_activation_map(photos.network(), img, 3)
    heat = Image.fromarray(np.uint8(255 * cam)).resize(img.size, Image.BILINEAR)
    red = Image.new("RGB", img.size, (255, 30, 30))
    shown = Image.composite(red, img, heat.point(lambda v: int(v * 0.6)))
    return encoded(shown.convert("RGB"), "JPEG"), top


def photos_with(names: tuple[str, ...], lead: str, cam: bool) -> None:
    st.markdown(lead)
    for col, name in zip(st.columns(len(names)), names, strict=True):
        img, top = cam_picture(name) if cam else named_photo(name)
        col.image(img, width=150, caption=f"skimage.data: {name}", alt=name)
        with kit.slide_part("answer", col):
            st.markdown(f"**{kit.plain(top[0][0])}** {top[0][1]:.0%}")


def slide_imagenet_photos() -> None:
    photos_with(("cat", "coffee", "rocket", "astronaut"),
                "A descendant of AlexNet (EfficientNet-lite0) names the bundled photos, live: "
                "its top class of ImageNet's 1,000.", cam=False)


def slide_where() -> None:
    photos_with(("cat", "coffee", "rocket"),
                "Where the network looks: its class activation map (Zhou et al., 2016) for "
                "its top class, in red, over the bundled photos, live.", cam=True)


def slide_where_more() -> None:
    photos_with(("astronaut", "cat"),
                "Localisation without boxes to learn from: the same map, on a person and a "
                "cat. Detection and segmentation (Mask R-CNN) learn boxes and masks.",
                cam=True)


# --------------------------------------------------------------------------- diagrams
def _graph(dot: str, share: float = 1.0) -> None:
    """A Graphviz diagram as wide as ``share`` of the slide (it scales with the width, so a
    tall one gets a narrower column, to stay inside a 1920x1080 screen as well)."""
    box = st.columns([share, 1 - share])[0] if share < 1 else st
    box.graphviz_chart(dot, width="stretch")


def slide_pipeline() -> None:
    _graph('digraph { rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#eef2ff",'
           ' fontsize=22, fontname="sans-serif"]; edge [penwidth=2];'
           ' x [label="Input x\\n(a photo)"]; f [label="Black box f\\n(a network)",'
           ' fillcolor="#1f2937", fontcolor=white]; y [label="Prediction y\'\\n(hot dog: 0.99)"];'
           ' x -> f -> y }')


def slide_mlp() -> None:
    from dlcore.digits.model import MLPConfig

    sizes = (784, *MLPConfig().hidden, 10)
    names = ["input: 28×28 pixels"] + [f"hidden: {n} units" for n in sizes[1:-1]] + \
        ["output: 10 digits"]
    nodes = "; ".join(f'l{i} [label="{n}\\n{names[i]}"]' for i, n in enumerate(sizes))
    edges = "; ".join(f'l{i} -> l{i + 1} [label="{a * b:,} weights"]'
                      for i, (a, b) in enumerate(zip(sizes, sizes[1:], strict=False)))
    _graph('digraph { rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#eef2ff",'
           f' fontsize=20, fontname="sans-serif"]; edge [fontsize=16]; {nodes}; {edges} }}')
    st.caption("The app's own MLP on the digits page (dlcore/digits/model.py): every unit "
               "of a layer connects to every unit of the next.")


def slide_rnn() -> None:
    cells = "; ".join(f'h{t} [label="h{t}"]; x{t} [label="{c}", shape=plaintext]; '
                      f'y{t} [label="{n}", shape=plaintext]; x{t} -> h{t}; h{t} -> y{t}'
                      for t, (c, n) in enumerate(zip("ROMEO", "OMEO:", strict=True), 1))
    chain = " -> ".join(f"h{t}" for t in range(1, 6))
    _graph('digraph { rankdir=BT; node [shape=box, style="rounded,filled", fillcolor="#eef2ff",'
           f' fontsize=22, fontname="monospace"]; {cells}; '
           f'{{rank=same; {chain} [constraint=false, color="#b91c1c", penwidth=2]}} }}',
           share=0.6)
    st.caption("Unrolled in time: the same cell reads a character and its hidden state "
               "from the step before, and guesses the next character (the char-RNN slide).")


# --------------------------------------------------------------------------- tools
SNIPPET = '''import torch
x = torch.randn(256, 784)          # a batch of 256 "images"
layer = torch.nn.Linear(784, 10)   # one fully connected layer
y = layer(x).softmax(dim=1)        # 10 probabilities each
print(y.shape, y.sum(dim=1)[:3])'''


def slide_tools() -> None:
    import torch

    left, right = st.columns([3, 2], gap="medium")
    left.code(SNIPPET, language="python")
    torch.manual_seed(0)
    x = torch.randn(256, 784)
    y = torch.nn.Linear(784, 10)(x).softmax(dim=1)
    with kit.slide_part("answer", right):
        st.markdown("Run live, on this server:")
        st.code(f"{tuple(y.shape)} {[round(v, 3) for v in y.sum(dim=1)[:3].tolist()]}",
                language=None)
    right.caption(f"Python {platform.python_version()}, torch {torch.__version__}, "
                  f"Streamlit {st.__version__}: the tools this app is made of.")


PICTURES: dict[int, Callable[[], None]] = {
    3: slide_chairs, 4: slide_odd_chairs, 9: slide_pipeline, 20: slide_mlp,
    23: slide_imagenet_photos, 24: slide_imagenet_error, 25: slide_where,
    26: slide_where_more, 30: slide_rnn, 44: slide_tools,
}


def has(index: int) -> bool:
    return index in PICTURES


def draw(index: int) -> None:
    """Slide ``index``'s picture; one that fails says so and the deck goes on."""
    with kit.slide_form(), kit.slide_part("picture"):
        try:
            kit.one_torch_thread()
            PICTURES[index]()
        except Exception as err:  # noqa: BLE001 - a picture's failure never breaks the deck
            st.error(f"This picture failed ({kit.plain(type(err).__name__)}: "
                     f"{kit.plain(err)}).", icon="⚠️")
