"""Split your data, and overfitting: a network trains live on three-way-split MNIST digits.

The engine is ``dlcore.lab`` (split, model, bounded run, presets); this page reads the URL
state, streams a run's epochs into two charts and reports the test score once. Anchor:
TensorFlow Playground's live train and test loss, here with real digits, the validation
set the talk insists on, and the classic mistakes made on purpose.
"""

from __future__ import annotations

from dataclasses import astuple

import streamlit as st

from dlcore import lab
from dlcore.lab import server
from ui import kit
from ui.splits_charts import curves, pct, split_bar
from ui.states.splits import SplitsState, preset_link

TRAINERS = server.TRAINERS  # runs training at once on this server; the others wait
WAIT_S = 30  # how long a run waits for a free trainer before giving up
RUN = "_run"  # session (through kit.key): this session's last finished run, (settings, outcome)


@st.cache_resource
def pool():
    """The lab's digits, read once (read-only: a client's clear_cache only reads them again)."""
    return lab.load_pool(), lab.load_world()


# The training slots and the finished runs shared by all sessions are dlcore.lab.server's
# module-level objects, never in a cache a client can clear (issue 23).
def remember(cfg: lab.LabConfig, outcome: lab.Outcome) -> None:
    server.FINISHED.put(astuple(cfg), outcome)


def recall(cfg: lab.LabConfig) -> lab.Outcome | None:
    mine = st.session_state.get(kit.key(SplitsState, RUN))
    if mine and mine[0] == cfg:
        return mine[1]
    return server.FINISHED.get(astuple(cfg))


# --------------------------------------------------------------------------- views
def height() -> int:
    return 300 if kit.presenter() else 340


def settings() -> None:
    """The controls, bound to the link (their values are read by load_state next run)."""
    left, right = st.columns(2)
    kit.slider(SplitsState, "val_pct", "Validation share (%)", left)
    kit.slider(SplitsState, "test_pct", "Test share (%)", left)
    kit.slider(SplitsState, "train_size", "Training digits used", left, step=50)
    kit.slider(SplitsState, "width", "Capacity: hidden units per layer", right, step=8)
    kit.slider(SplitsState, "depth", "Capacity: hidden layers", right)
    kit.toggle(SplitsState, "early_stopping", "Early stopping", right)
    with kit.secondary("Regularisation, training and mistakes"):
        a, b = st.columns(2)
        kit.slider(SplitsState, "dropout", "Dropout", a, step=0.05)
        kit.select(SplitsState, "weight_decay", "Weight decay (L2)", a, radio=True)
        kit.slider(SplitsState, "patience", "Early-stopping patience (epochs)", a)
        kit.slider(SplitsState, "epochs", "Epochs (at most)", b)
        kit.select(SplitsState, "lr", "Learning rate (Adam)", b, radio=True)
        kit.slider(SplitsState, "batch_size", "Batch size", b, step=8)
        kit.slider(SplitsState, "leak_pct", "Mistake: test digits copied from training (%)", a)
        kit.toggle(SplitsState, "tune_on_test", "Mistake: pick the epoch by the test score", b)
        kit.number(SplitsState, "seed", "Seed", a)
        kit.reset_button(SplitsState, container=b)


def test_report(cfg: lab.LabConfig, o: lab.Outcome) -> None:
    """The scores of the kept model, the test set's among them, and what they mean."""
    c = o.chosen
    cols = st.columns(4)
    cols[0].metric("Training", pct(c.train_acc))
    cols[1].metric("Validation", pct(c.val_acc), f"{-100 * c.gap:+.1f} points gap",
                   delta_color="off")
    looks = "once" if o.test_looks == 1 else f"{o.test_looks} times"
    cols[2].metric(f"Test (looked at {looks})", pct(o.test_acc))
    cols[3].metric("World (500 unseen)", pct(o.world_acc),
                   f"{100 * (o.world_acc - o.test_acc):+.1f} vs test", delta_color="off")
    st.caption(f"Accuracies. World: 500 digits set aside, never split nor looked at. Kept: epoch {o.chosen_epoch} of {len(o.history)} ({o.stopped_by} ended the "
               f"run after {o.history[-1].seconds:.1f} s); {o.params:,} parameters; "
               f"{o.sizes['train']:,} training, {o.sizes['val']:,} validation and "
               f"{o.sizes['test']:,} test digits.")
    if o.sizes["leaked"]:
        st.error(f"**Too good to be true.** {o.sizes['leaked']} of the {o.sizes['test']} test "
                 f"digits are copies of training digits. Test score {pct(o.test_acc)}; on the "
                 f"clean test set {pct(o.clean_test_acc)}; in the world "
                 f"{pct(o.world_acc)}. Remove duplicates before you split.")
    elif cfg.tune_on_test and o.val_choice:
        v = o.val_choice
        st.error(f"**Tuned on the test set.** Picking the epoch by the test score gave epoch "
                 f"{o.chosen_epoch}: test {pct(o.test_acc)}, world {pct(o.world_acc)}. The "
                 f"validation loss would have picked epoch {v['epoch']}: test "
                 f"{pct(v['test_acc'])}, world {pct(v['world_acc'])}. The test gained "
                 f"{100 * (o.test_acc - v['test_acc']):+.1f} points, the world "
                 f"{100 * (o.world_acc - v['world_acc']):+.1f}: the test score no longer "
                 "predicts the world.")
    else:
        st.info("**Why the test set is looked at only once.** Every choice made while looking "
                "at a score (the epoch, the width, the dropout) fits the model a little to the "
                "digits behind that score. The validation set absorbs those choices; the test "
                "set, untouched until the end, is the honest estimate of the world.")


def trainer(state: SplitsState) -> None:
    """The Train button, the live charts and, once finished, the test score.

    A fragment (made in :func:`view`): pressing Train reruns only this part of the page
    while the run streams.
    """
    try:
        cfg = state.config().checked()
    except ValueError as err:
        st.error(f"These settings cannot train: {err}.")
        return
    outcome = recall(cfg)
    go_now = st.button("Train ▶" if outcome is None else "Train again ▶", type="primary",
                       key=kit.key(SplitsState, "_train"))
    left, right = st.columns(2)
    loss_slot, acc_slot = left.empty(), right.empty()
    status = st.empty()
    if go_now and stream(cfg, loss_slot, acc_slot, status) is not None:
        st.rerun()  # draw the finished run, its button now "Train again"
    # pressed but refused (busy, no digits): the status slot holds the reason
    if outcome is None:
        loss, acc = curves([], cfg, None, None, height())
        kit.chart(loss, loss_slot, key=kit.key(SplitsState, "_loss"))
        kit.chart(acc, acc_slot, key=kit.key(SplitsState, "_acc"))
        if not go_now:
            status.caption(f"Press Train: at most {cfg.epochs} epochs and "
                           f"{lab.LIMITS['seconds']:.0f} seconds.")
        return
    loss, acc = curves(outcome.history, cfg, outcome.stop_epoch, outcome.chosen_epoch, height())
    kit.chart(loss, loss_slot, key=kit.key(SplitsState, "_loss"))
    kit.chart(acc, acc_slot, key=kit.key(SplitsState, "_acc"))
    test_report(cfg, outcome)


def stream(cfg: lab.LabConfig, loss_slot, acc_slot, status) -> lab.Outcome | None:
    """Train, redrawing both charts after every epoch; ``None`` when the server is busy."""
    gate = server.TRAINING
    if not gate.acquire(blocking=False):
        status.info(f"{TRAINERS} runs are training on this server; yours starts when one ends.")
        if not gate.acquire(timeout=WAIT_S):
            status.warning("The server is busy: try again in a moment.")
            return None
    try:
        try:
            data, world = pool()
        except FileNotFoundError as err:
            status.error(f"The lab's digits are missing ({kit.plain(err)}).")
            return None
        run = lab.Run(cfg, data=data, world=world)
        for e in run:
            loss, acc = curves(run.history, cfg, run.would_stop, None, height())
            kit.chart(loss, loss_slot, key=kit.key(SplitsState, f"_loss{e.epoch}"))
            kit.chart(acc, acc_slot, key=kit.key(SplitsState, f"_acc{e.epoch}"))
            status.caption(f"Epoch {e.epoch} of at most {cfg.epochs}: validation accuracy "
                           f"{pct(e.val_acc)} ({e.seconds:.1f} s)")
        outcome = run.finish()
    finally:
        gate.release()
    st.session_state[kit.key(SplitsState, RUN)] = (cfg, outcome)
    remember(cfg, outcome)
    return outcome


def presets() -> None:
    st.markdown("**The signs of overfitting, on purpose:** " + " · ".join(
        f'<a href="{preset_link(name)}" target="_self">{p.title}</a>'
        for name, p in lab.PRESETS.items()), unsafe_allow_html=True)


def lesson(state: SplitsState) -> None:
    """The lesson of the preset these settings are, if any."""
    for name, p in lab.PRESETS.items():
        if state == SplitsState.of(lab.preset(name)):
            st.success(f"**{p.title}.** {p.lesson}")


def view(state: SplitsState) -> None:
    """The page's live view at ``state``: the preset's lesson, the Train button and its
    live curves and scores, the split and the settings. Everything below the page title;
    the deck (pages/talk.py) calls it on a live slide."""
    lesson(state)
    kit.fragment(trainer)(state)  # its reruns keep the deck's scope, and reach the room
    sizes = lab.split_sizes(state.config())
    kit.chart(split_bar(state.config(), sizes), key=kit.key(SplitsState, "_bar"))
    if state.train_size > sizes["train"]:
        st.caption(f"This split leaves {sizes['train']:,} digits for training, fewer than the "
                   f"{state.train_size:,} asked for: all of them are used.")
    settings()


# --------------------------------------------------------------------------- the slide
@st.cache_resource(max_entries=8, show_spinner="Training the slide's run once for the room…")
def shared_run(cfg: lab.LabConfig) -> lab.Outcome | None:
    """The slide's finished run at these settings, trained once per server (seeded; read
    only, shared by every session): a room that opens the slide sees the curves at once
    and trains nothing. ``None`` when the lab's digits are missing."""
    try:
        data, world = pool()
    except FileNotFoundError:
        return None
    run = lab.Run(cfg, data=data, world=world)
    for _ in run:
        pass
    return run.finish()


def slide_trainer(state: SplitsState, controls, picture) -> None:
    """The slide's run: the session's own when it pressed Train again, else the shared one;
    the press streams a fresh run into the charts."""
    cfg = state.config().checked()
    outcome = recall(cfg) or shared_run(cfg)
    go_now = controls.button("Train again ▶", type="primary", key=kit.key(SplitsState, "_train"))
    with kit.slide_part("picture", picture):
        left, right = st.columns(2)
        loss_slot, acc_slot = left.empty(), right.empty()
        status = st.empty()
    if go_now and stream(cfg, loss_slot, acc_slot, status) is not None:
        st.rerun()
    if outcome is None:
        status.error("The lab's digits are missing: run `python -m dlcore.lab prepare`.")
        return
    loss, acc = curves(outcome.history, cfg, outcome.stop_epoch, outcome.chosen_epoch,
                       SLIDE_CURVES)
    kit.chart(loss, loss_slot, key=kit.key(SplitsState, "_loss"))
    kit.chart(acc, acc_slot, key=kit.key(SplitsState, "_acc"))
    c = outcome.chosen
    with kit.slide_part("answer", controls):
        a, b = st.columns(2)
        a.metric("Training", pct(c.train_acc))
        b.metric("Validation", pct(c.val_acc), f"{-100 * c.gap:+.1f}", delta_color="off")


SLIDE_CURVES = 270  # px of the loss and accuracy charts on the slide


def slide(state: SplitsState) -> None:
    """The slide form: the split bar (the slide's point) and the finished run's curves,
    the training and validation scores in large type, the split sliders on the default
    split (the notes move them) and Train again; the rest is the page's."""
    try:
        state.config().checked()
    except ValueError as err:
        st.error(f"These settings cannot train: {kit.plain(err)}.")
        return
    controls, picture = st.columns([1, 3], gap="medium")
    if state == SplitsState(seed=state.seed):  # the plain split: its sliders are the point
        kit.slider(SplitsState, "val_pct", "Validation share (%)", controls)
        kit.slider(SplitsState, "test_pct", "Test share (%)", controls)
        sizes = lab.split_sizes(state.config())
        with kit.slide_part("picture", picture):
            kit.chart(split_bar(state.config(), sizes), key=kit.key(SplitsState, "_bar"))
    slide_trainer(state, controls, picture)


def main() -> None:
    """The page: its title, the preset links and the view at the link's state."""
    kit.one_torch_thread()
    kit.page_title(
        "Splits and overfitting", "Split your data / Overfitting",
        "A network learns digits from the **training** set; the **validation** set picks when "
        "to stop and which settings win; the **test** set is opened once, at the end. Watch "
        "the curves part when the network memorises instead of learning.",
    )
    if not kit.presenter():
        presets()
    view(kit.load_state(SplitsState))
    if kit.presenter():
        presets()
