"""Fine-tuning: teach a network trained on ImageNet new classes from a few pictures.

The engine is ``dlcore.finetune`` (``train``: a new head on frozen EfficientNet-lite0
features, or the last block too, and a small CNN from scratch; ``demo``: the built-in
pictures). This page reads the URL state, calls it and draws both learning curves on one
chart. Anchor: Google's Teachable Machine; beyond it, the from-scratch twin trains beside
the fine-tuned network on the same pictures, so the room sees why the talk says "fine-tune".
"""

from __future__ import annotations

import hashlib
import io

import streamlit as st

from dlcore.data import images
from dlcore.finetune import compare, demo, train
from ui import kit, photos
from ui.animate import Prepared
from ui.states.fine_tuning import FineTuningState

# What a session keeps (its keys through kit.key, so an embedded view keeps its own):
PICTURES = "_pictures"  # {class index: [camera pictures]}
DECODED = "_decoded"  # {class index: {upload file id: picture}}
RESULT = "_result"  # what the last training left
NAME_LEN = 30
MODE_NAMES = {"head": "new head on frozen features", "last block": "last block + new head"}
S = FineTuningState


# Few entries: each holds full-size pictures (237 MB for 16 settings; benchmarks/leak.py
# grew 532 MB over 67 moves of the pictures-per-class slider with 16).
@st.cache_resource(max_entries=3)
def demo_pictures_for(classes: tuple[str, ...], per_class: int, seed: int):
    """Training and held-out demo pictures, made once per server (shared, read-only). The
    held-out pictures are new pictures (the last 80 of scikit-image's faces and non-faces,
    new drawings), never other crops of a training picture."""
    return demo.demo_set(classes, per_class, seed=seed), demo.held_out_set(classes)


@st.cache_resource(max_entries=2)
def held_prepared(classes: tuple[str, ...]) -> train.Prepared:
    """The held-out pictures through the frozen network, once per server (read-only)."""
    return train.prepare_once(photos.network(), *demo.held_out_set(classes))


@st.cache_resource(max_entries=4, show_spinner=False)
def size_curve(classes: tuple[str, ...], steps: int, seed: int) -> dict[str, list[float]]:
    """Held-out accuracy of a new head and of the CNN from scratch against the pictures
    per class (:func:`dlcore.finetune.compare.curve`), once per server for these settings:
    a room that trains the same demo computes it once. Always the new head: the last
    block would cost ten times more at every size."""
    model = photos.network()
    pool = train.prepare_once(model, *demo.demo_set(classes, max(compare.SIZES), seed))
    return compare.curve(model, classes, steps, "head", seed,
                         prepared=(pool, held_prepared(classes)))


THUMB = 64  # px: how wide the training pictures show


@st.cache_resource(max_entries=3)
def demo_thumbnails(classes: tuple[str, ...], per_class: int, seed: int) -> list[bytes]:
    """The training pictures as small JPEGs, made once per setting: ``st.image`` encoded
    every full-size picture again on each run (more than half of the page's first run,
    which a room pays at once, issue 15)."""
    (pictures, _), _ = demo_pictures_for(classes, per_class, seed)
    out = []
    for picture in pictures:
        small = picture.convert("RGB")
        small.thumbnail((THUMB, 10 * THUMB))
        buf = io.BytesIO()
        small.save(buf, format="JPEG", quality=90)
        out.append(buf.getvalue())
    return out


@st.cache_resource(max_entries=4)
def demo_prepared(classes: tuple[str, ...], per_class: int, seed: int):
    """The demo pictures through the frozen network, once per server (read-only tensors)."""
    (pictures, labels), held = demo_pictures_for(classes, per_class, seed)
    return train.prepare_once(photos.network(), pictures, labels), held_prepared(classes)


def parse_names(text: str) -> tuple[list[str], str | None]:
    """Class names from comma-separated text, and what is wrong with them (or None)."""
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if len(names) < 2:
        return names, "give at least two class names, separated by commas"
    if len(names) > 5:
        return names[:5], "at most five classes: the first five are used"
    long = [n for n in names if len(n) > NAME_LEN]
    if long:
        return [n[:NAME_LEN] for n in names], f"names are cut to {NAME_LEN} characters"
    return names, None


# --------------------------------------------------------------------------- pictures
def demo_pictures(state: FineTuningState):
    left, right = st.columns([2, 1])
    classes = list(kit.multiselect(FineTuningState, "classes", "Classes (two to four)",
                                   container=left))
    per_class = kit.slider(FineTuningState, "per_class", "Training pictures per class",
                           container=right)
    if len(classes) < 2:
        st.info("Choose at least two classes.", icon="☝️")
        return None
    (pictures, labels), held = demo_pictures_for(tuple(classes), per_class, state.seed)
    return classes, pictures, labels, held


def _uploaded(k: int, files) -> list:
    """Class ``k``'s uploads, each decoded once; removed uploads are forgotten."""
    decoded = st.session_state.setdefault(kit.key(S, DECODED), {})
    before = decoded.get(k, {})
    now = {f.file_id: before[f.file_id] if f.file_id in before else photos.picture_from(f)
           for f in files[:photos.MAX_KEPT]}
    decoded[k] = now
    return [img for img in now.values() if img is not None]


def your_pictures(state: FineTuningState):
    text = kit.text(FineTuningState, "names", "Your classes, separated by commas")
    names, problem = parse_names(text)
    if problem:
        st.warning(problem.capitalize() + ".", icon="⚠️")
    if len(names) < 2:
        return None
    camera = st.session_state.setdefault(kit.key(S, PICTURES), {})
    pictures, labels = [], []
    cols = st.columns(len(names))
    for k, (col, name) in enumerate(zip(cols, names, strict=True)):
        col.markdown(f"**{kit.plain(name)}**")
        files = col.file_uploader("Pictures", type=list(images.UPLOAD_TYPES),
                                  accept_multiple_files=True, key=kit.key(S, f"_up{k}"),
                                  label_visibility="collapsed")
        mine = (_uploaded(k, files or []) + camera.get(k, []))[:photos.MAX_KEPT]
        if len(files or []) + len(camera.get(k, [])) > photos.MAX_KEPT:
            col.caption(f"only the first {photos.MAX_KEPT} are used")
        pictures += mine
        labels += [k] * len(mine)
        col.caption(f"{len(mine)} picture{'s' * (len(mine) != 1)}")
        if mine:
            col.image(mine[-4:], width=48, alt=[f"your picture of {name}"] * len(mine[-4:]))
    # the camera starts only when asked for: no permission prompt on opening the page
    if st.toggle("Take pictures with the camera", key=kit.key(S, "_use_camera")):
        k = st.radio("For class", range(len(names)), horizontal=True,
                     format_func=lambda i: kit.plain(names[i]),
                     key=kit.key(S, f"_for_class{len(names)}"))  # fresh for a new count
        shot = photos.picture_from(st.camera_input("Camera", key=kit.key(S, "_camera")))
        full = len(camera.get(k, [])) >= photos.MAX_KEPT
        if shot is not None and st.button("Add this picture", disabled=full,
                                          key=kit.key(S, "_add_picture")):
            camera.setdefault(k, []).append(shot)
            st.rerun()
    counts = [labels.count(k) for k in range(len(names))]
    if min(counts) < 2:
        st.info("Give each class at least two pictures (three to ten work well). They stay "
                "in this browser session only: not on disk, not in the link.", icon="📷")
        return None
    return names, pictures, labels, None


# --------------------------------------------------------------------------- training
def signature(classes, pictures, mode: str, steps: int, seed: int,
              demo_set: int | None = None) -> str:
    """What a training was run on: a changed picture or setting asks for a new one. The
    demo set is named by its pictures per class (with the classes and the seed, that is
    the set) instead of hashing its full-size pixels on every run."""
    h = hashlib.sha1(repr((list(classes), mode, steps, seed, demo_set)).encode())
    for p in pictures if demo_set is None else ():
        h.update(repr(p.size).encode())
        h.update(p.tobytes())
    return h.hexdigest()


def run_training(classes, pictures, labels, held, state: FineTuningState) -> dict:
    """Fine-tune and train from scratch for the same steps, drawing both curves live.
    Two trainings run at once on the server; a third waits its turn (``train.SLOTS``)."""
    model = photos.network()
    note = st.empty()
    with train.SLOTS.turn(lambda n: note.info(f"Waiting for a free place to train: {n} "
                                              "waiting (two train at once).", icon="⏳")):
        note.empty()
        with st.spinner("Reading the pictures through the frozen network…"):
            if held is not None:
                data, test = demo_prepared(tuple(classes), state.per_class, state.seed)
            else:
                data, test = train.prepare(model, pictures, labels), None
        config = train.Config(steps=state.steps, seed=state.seed)
        chart, bar = st.empty(), st.progress(0.0)
        curves: dict[str, list[float]] = {}
        results = {}
        for mode, name in ((state.mode, "fine-tuned"), ("scratch", "from scratch")):
            curves[name] = []

            def show(p, name=name):
                curves[name].append(p.loss)
                bar.progress(p.fraction,
                             text=f"{name}: step {p.step}/{p.steps}, loss {p.loss:.3f}")
                if p.step % 5 == 0 or p.step == p.steps:
                    kit.chart(loss_figure(curves), chart)

            results[name] = train.fit(model, data, classes, mode, config, callback=show,
                                      held_out=test, every=5)
    bar.empty()
    chart.empty()
    return results


COLOURS = {"fine-tuned": "#2563eb", "from scratch": "#f59e0b"}


def curves_figure(series: dict[str, tuple[list[int], list[float]]], y_title: str,
                  y_range: tuple[float, float] | None = None) -> Prepared:
    """Both networks' curves on one chart, the legend on top (readable on a phone). Plotly
    JSON: it is redrawn after every training step, and a validated go.Figure cost more
    than the step's own drawing (issue 15)."""
    data = [{"type": "scatter", "x": list(x), "y": [round(float(v), 5) for v in y],
             "name": name, "mode": "lines", "line": {"color": COLOURS[name], "width": 3}}
            for name, (x, y) in series.items()]
    yaxis = {"title": {"text": y_title}, **({"range": list(y_range)} if y_range else {})}
    return Prepared({"data": data, "layout": {
        "height": 250, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                   "bgcolor": "rgba(0,0,0,0)"},
        "xaxis": {"title": {"text": "step"}}, "yaxis": yaxis}})


def loss_figure(curves: dict[str, list[float]]) -> Prepared:
    return curves_figure({k: (list(range(1, len(c) + 1)), c) for k, c in curves.items()},
                         "training loss")


def curves_view(results: dict) -> None:
    tuned, scratch = results["fine-tuned"], results["from scratch"]
    left, right = st.columns(2)
    kit.chart(loss_figure({k: r.losses for k, r in results.items()}), left,
              key=kit.key(S, "_loss"))
    if tuned.accuracy:
        accuracy = {k: ([s for s, _ in r.accuracy], [a for _, a in r.accuracy])
                    for k, r in results.items()}
        kit.chart(curves_figure(accuracy, "held-out accuracy", (0, 1.05)), right,
                  key=kit.key(S, "_accuracy"))
    right.caption(f"Fine-tuned ({MODE_NAMES[tuned.mode]}): {tuned.seconds:.1f} s. "
                  f"From scratch (a small CNN, 64×64 pictures): {scratch.seconds:.1f} s. "
                  "Same pictures, same steps, same optimiser (Adam).")


def size_view(state: FineTuningState, classes) -> None:
    """Held-out accuracy against the number of training pictures per class, both networks:
    the slide's "great for smaller datasets", measured."""
    with st.spinner("Training both at every size, on held-out pictures…"):
        with train.SLOTS.turn():
            curve = size_curve(tuple(classes), state.steps, state.seed)
    spec = curves_figure({k: (list(compare.SIZES), v) for k, v in curve.items()},
                         "held-out accuracy", (0, 1.05)).to_dict()
    spec["layout"]["xaxis"] = {"title": {"text": "training pictures per class"},
                               "type": "log", "tickvals": list(compare.SIZES)}
    for trace, symbol in zip(spec["data"], ("circle", "square"), strict=False):
        trace["mode"], trace["marker"] = "lines+markers", {"symbol": symbol, "size": 8}
    kit.chart(Prepared(spec), key=kit.key(S, "_sizes"))
    st.caption(f"Each point trains a new head (fine-tuned) and the CNN from scratch "
               f"{state.steps} steps on that many pictures per class (seed {state.seed}) and "
               "scores them on pictures neither saw. "
               "`python -m dlcore.claims --only 'fine-tuning defaults'` measures the "
               "default's gap over seeds 0-9.")


def classify_view(results: dict, classes, held) -> None:
    st.subheader("Classify a new picture")
    if held is not None:
        pics, labels = held
        i = st.slider("Held-out picture (never trained on)", 1, len(pics),
                      key=kit.key(S, "_held_out")) - 1
        img, truth = pics[i], classes[labels[i]]
    else:
        choice = st.radio("From", ("upload", "camera"), horizontal=True,
                          key=kit.key(S, "_classify_from"))
        up = (st.file_uploader("A picture to classify", type=list(images.UPLOAD_TYPES),
                               key=kit.key(S, "_test")) if choice == "upload"
              else st.camera_input("A picture to classify", key=kit.key(S, "_testcam")))
        img, truth = photos.picture_from(up), None
        if img is None:
            return
    x = train.prepare(photos.network(), [img])
    left, right = st.columns([1, 2])
    left.image(img, width="stretch", alt="the test picture",
               caption=None if truth is None else f"truth: {kit.plain(truth)}")
    table = {"class": list(classes)}
    for name, r in results.items():
        table[name] = r.probs(x)[0].tolist()
    bar = st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f")
    right.dataframe(table, hide_index=True, width="stretch",
                    column_config={k: bar for k in results})


def view(state: FineTuningState) -> None:
    """The page's live view at ``state``: the pictures, the settings, both trainings'
    curves and a new picture classified. Everything below the page title; the deck
    (pages/talk.py) calls it on a live slide."""
    try:
        photos.network()
    except (ImportError, FileNotFoundError, RuntimeError) as err:
        st.error(f"The ImageNet network could not be loaded ({kit.plain(err)}).", icon="🚫")
        return
    source = kit.select(FineTuningState, "source", "Pictures", radio=True,
                        format_func=lambda s: {"demo": "built-in demo set",
                                               "yours": "your own"}[s])
    got = demo_pictures(state) if source == "demo" else your_pictures(state)
    left, right = st.columns([2, 1])
    mode = kit.select(FineTuningState, "mode", "What learns", radio=True, container=left,
                      format_func=MODE_NAMES.get)
    kit.slider(FineTuningState, "steps", "Steps (both networks)", container=right)
    if got is None:
        return
    classes, pictures, labels, held = got
    if source == "demo":
        with st.expander(f"The {len(pictures)} training pictures"):
            st.image(demo_thumbnails(tuple(classes), state.per_class, state.seed), width=THUMB,
                     alt=[f"a training picture of {classes[k]}" for k in labels],
                     caption=[classes[k] for k in labels])
    sig = signature(classes, pictures, mode, state.steps, state.seed,
                    demo_set=state.per_class if source == "demo" else None)
    result = st.session_state.get(kit.key(S, RESULT))
    if st.button("Train both", type="primary", key=kit.key(S, "_train")):
        result = {"sig": sig, "classes": classes,
                  "models": run_training(classes, pictures, labels, held, state)}
        st.session_state[kit.key(S, RESULT)] = result
    if result is None:
        st.info("Press **Train both**: the fine-tuned network and a CNN from scratch learn "
                "the same pictures, side by side.", icon="🏁")
        return
    if result["sig"] != sig:
        st.caption("The pictures or settings changed since this training: press Train "
                   "both again.")
    curves_view(result["models"])
    if source == "demo" and result["sig"] == sig:
        size_view(state, classes)
    classify_view(result["models"], result["classes"], held if result["sig"] == sig else None)



# --------------------------------------------------------------------------- the slide
@st.cache_resource(max_entries=4, show_spinner="Training both networks once for the room…")
def shared_training(classes: tuple[str, ...], per_class: int, seed: int, mode: str,
                    steps: int) -> dict:
    """The slide's finished run on the demo set: fine-tuned and from scratch, seeded, once
    per server and shared read-only, so a room that opens the slide trains nothing."""
    data, test = demo_prepared(classes, per_class, seed)
    config = train.Config(steps=steps, seed=seed)
    return {name: train.fit(photos.network(), data, list(classes), m, config, held_out=test,
                            every=2)
            for m, name in ((mode, "fine-tuned"), ("scratch", "from scratch"))}


def slide(state: FineTuningState) -> None:
    """The slide form: both networks' held-out accuracy as they train (the shared finished
    run; the press trains both again for this session) and the final scores in large type;
    choosing classes and your own pictures are the page's."""
    try:
        photos.network()
    except (ImportError, FileNotFoundError, RuntimeError) as err:
        st.error(f"The ImageNet network could not be loaded ({kit.plain(err)}).", icon="🚫")
        return
    classes = tuple(state.classes)
    if state.source != "demo" or len(classes) < 2:
        view(state)
        return
    controls, picture = st.columns([1, 2.4], gap="medium")
    controls.markdown("Classes: " + ", ".join(kit.plain(c) for c in classes)
                      + f"; {state.per_class} pictures each.")
    mine = st.session_state.get(kit.key(S, RESULT))
    sig = signature(classes, [], state.mode, state.steps, state.seed, demo_set=state.per_class)
    if controls.button("Train both again", type="primary", key=kit.key(S, "_train")):
        (pictures, labels), held = demo_pictures_for(classes, state.per_class, state.seed)
        with picture:
            mine = {"sig": sig, "classes": list(classes),
                    "models": run_training(list(classes), pictures, labels, held, state)}
        st.session_state[kit.key(S, RESULT)] = mine
    results = (mine["models"] if mine and mine["sig"] == sig else
               shared_training(classes, state.per_class, state.seed, state.mode, state.steps))
    with kit.slide_part("answer", controls):
        for name, r in results.items():
            if r.accuracy:
                st.metric(f"{name}, held out", f"{r.accuracy[-1][1]:.0%}")
    accuracy = {k: ([s for s, _ in r.accuracy], [a for _, a in r.accuracy])
                for k, r in results.items()}
    fig = curves_figure(accuracy, "held-out accuracy", (0, 1.05)).to_dict()
    with kit.slide_part("picture", picture):
        kit.chart(Prepared({**fig, "layout": {**fig["layout"], "height": 400}}),
                  key=kit.key(S, "_accuracy"))


def main() -> None:
    """The page: its title and the view at the link's state."""
    kit.one_torch_thread()
    kit.page_title(
        "Fine-tuning", "Fine-Tuning",
        "Start from a network trained on ImageNet's 1.28 million photos and teach it new "
        "classes from a few pictures: its features already know edges, textures and parts, "
        "so only a new last layer has to learn. Beside it, a CNN learns the same pictures "
        "from scratch.")
    view(kit.load_state(FineTuningState))
