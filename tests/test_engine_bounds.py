"""Every control's whole range works: the state tables' numeric fields at their bounds.

Hypothesis draws each numeric field of a page's state table (``pages/_states/*.py``) from
its lowest value, its highest, its default and values in between, in every combination,
and runs the engine functions the page calls on them (``dlcore``, not the page): none may
raise, except the refusals the page catches and shows as a message (``conv.NoOutput``,
``LabConfig.checked``'s ValueError, a formula the parser refuses).

Issue 23: ``momentum=0`` (the slider's own minimum) crashed gradient descent.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlcore import conv, descent, race, surfaces, updates
from ui import codec
from ui.states.char_rnn import CharRnnState
from ui.states.convolution import OP_BY_NAME, ConvState
from ui.states.digits import DigitsState
from ui.states.gradient_descent import DescentState
from ui.states.splits import SplitsState

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def numbers(spec: codec.Spec, lo=None, hi=None) -> st.SearchStrategy:
    """A numeric field's value: a bound, the default, or anything between (``lo``/``hi``
    narrow the range drawn between, never the bounds themselves)."""
    options = spec.options()
    if options is not None:
        return st.sampled_from(options)
    if spec.kind is bool:
        return st.booleans()
    a = spec.lo if spec.lo is not None else -10**6
    b = spec.hi if spec.hi is not None else 10**6
    edges = st.sampled_from([a, b, spec.default])
    inner_a, inner_b = max(a, lo) if lo is not None else a, min(b, hi) if hi is not None else b
    if spec.kind is int:
        return st.one_of(edges, st.integers(inner_a, inner_b))
    return st.one_of(edges, st.floats(inner_a, inner_b, allow_nan=False))


def states(cls: type, skip: tuple[str, ...] = (), **narrow) -> st.SearchStrategy:
    """A state of ``cls`` with every numeric, boolean and choice field drawn; the other
    fields (text, grids) keep their defaults unless ``narrow`` gives a strategy."""
    fields = {}
    for name, spec in codec.specs(cls).items():
        if name in skip:
            continue
        if name in narrow:
            fields[name] = narrow[name]
        elif spec.kind in (int, float, bool) and not spec.many:
            fields[name] = numbers(spec)
        elif spec.kind is str and spec.options() is not None and not spec.many:
            fields[name] = st.sampled_from(spec.options())
    return st.fixed_dictionaries(fields).map(lambda f: cls(**f))


# --------------------------------------------------------------------------- gradient descent
def descend(s: DescentState) -> list[descent.Run]:
    """What pages/gradient_descent.py's view computes for ``s`` (its ``descend`` cache,
    the contour grid aside, and the written-out updates)."""
    key = s.surface if s.mode == "2d" else s.curve
    text = s.formula if s.mode == "2d" else s.formula1d
    surface = race.loss_surface(s.mode, key, s.kappa, text, s.extent, s.seed)
    start = ((s.x0, s.y0) if surface.dims == 2 else (s.x0,)) if s.own_start else surface.start
    runs = race.race(surface, s.opts, 10 ** s.lr_exp, steps=s.steps, start=start,
                     momentum=s.momentum, betas=(s.beta1, s.beta2), mode=s.mode,
                     batch=s.batch, seed=s.seed)
    if s.mode == "1d":
        for r in runs:
            surfaces.derivatives(surface, r.points[:, 0])
    for r in runs:
        step = min(s.step, s.steps)
        if step < r.steps:
            updates.explain(r, step)
    return runs


@pytest.mark.parametrize("mode", ["2d", "1d", "model"])
@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_momentum_zero_runs(mode, name):
    """The issue's crash: momentum 0 (the slider's minimum) in every mode. With mu = 0
    the velocity v = mu v + g is the gradient, and the path is plain SGD's."""
    s = DescentState(mode=mode, opts=(name, "sgd"), momentum=0.0, steps=20)
    heavy, plain = descend(s)
    assert heavy.diverged_at is None
    np.testing.assert_array_equal(heavy.state["momentum_buffer"], heavy.grads[:-1])
    np.testing.assert_allclose(heavy.points, plain.points, rtol=0, atol=1e-12)


@FAST
@given(states(DescentState, skip=("opts", "steps", "step"),
              opts=st.lists(st.sampled_from(tuple(descent.OPTIMIZERS)), min_size=1,
                            max_size=3, unique=True).map(tuple),
              steps=st.sampled_from([5, 6, 37, 120]), step=st.integers(0, 120)))
def test_gradient_descent_bounds(s):
    """Every setting of the page at its bounds runs (steps is kept short: its upper bound
    1,000 is a run length, exercised by the presets' tests). A run that diverges (a start
    far outside the map) ends with its reason, which the page shows."""
    for r in descend(s):
        assert r.diverged_at is None or r.reason


# --------------------------------------------------------------------------- convolution
@FAST
@given(states(ConvState))
def test_convolution_bounds(s):
    """The convolution page's sizes at every bound: an output, or NoOutput (the page's
    "No output for these settings" message)."""
    op = OP_BY_NAME[s.op]
    x, kernel = conv.default_input(s.n, s.seed), conv.default_kernel(s.k, s.seed)
    conv.size_formula(s.n, s.k, s.padding, s.stride, s.dilation, lines=True)
    try:
        out = conv.apply(op, x, kernel, s.stride, s.padding, s.dilation)
        frames = list(conv.steps(op, x, kernel, s.stride, s.padding, s.dilation))
    except conv.NoOutput as err:
        assert str(err)
        return
    assert len(frames) == out.size
    for f in frames[:3]:
        conv.written_sum(op, f)
    conv.torch_call(op, x, kernel, s.stride, s.padding, s.dilation)


# --------------------------------------------------------------------------- splits
@pytest.fixture(scope="module")
def lab_pool():
    from dlcore import lab
    try:
        return lab.load_pool(), lab.load_world()
    except FileNotFoundError as err:
        pytest.skip(f"the lab's digits are missing: {err}")


@pytest.mark.slow
def test_splits_bounds(lab_pool):
    """Every split and capacity setting at its bounds: refused by ``checked`` (the page
    says "These settings cannot train") or splits the pool and trains an epoch."""
    from dlcore import lab
    data, world = lab_pool

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(states(SplitsState))
    def check(s):
        cfg = s.config()
        sizes = lab.split_sizes(cfg)
        assert all(v >= 0 for v in sizes.values())
        try:
            cfg = cfg.checked()
        except ValueError as err:
            assert str(err)
            return
        cfg = dataclasses.replace(cfg, epochs=1, seconds=5.0)
        run = lab.Run(cfg, data=data, world=world)
        assert len(list(run)) == 1
        run.finish().summary()

    check()


# --------------------------------------------------------------------------- char-RNN
@pytest.fixture(scope="module")
def writer():
    from dlcore.charrnn import model as charmodel
    from dlcore.charrnn.sample import Writer
    from dlcore.paths import asset
    try:
        model, _ = charmodel.load(asset(charmodel.FINAL))
    except FileNotFoundError as err:
        pytest.skip(f"no char-RNN weights: {err}")
    return Writer(model)


@pytest.mark.slow
def test_char_rnn_bounds(writer):
    """Length, temperature (0: greedy), top-k and the unit at their bounds, with hostile
    beginnings: written, traced and coloured as the page does."""
    from dlcore.charrnn import corpus
    from dlcore.charrnn.sample import next_char_probs

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(states(CharRnnState, skip=("length",), length=st.sampled_from([1, 2, 57, 2000])),
           st.sampled_from(["", "Romeo.\n", "🧠" * 10, "é\t“x”", "a" * 500, "\x00"]))
    def check(s, raw):
        prime, _ = corpus.clean_prime(raw)
        prime = prime or "\n"
        text = prime + writer.sample(prime, s.length, s.temperature, s.top_k, s.seed)
        assert len(text) == len(prime) + s.length
        trace = writer.trace(text)
        units = trace.hidden.shape[0] * trace.hidden.shape[2]
        layer, index = divmod(min(s.unit, units - 1), trace.hidden.shape[2])
        assert trace.hidden[layer, :, index].shape == (len(text),)
        p = next_char_probs(trace.logits[min(s.position, len(text)) - 1], s.temperature,
                            s.top_k)
        assert np.isfinite(p).all() and abs(p.sum() - 1) < 1e-9

    check()


# --------------------------------------------------------------------------- digits
@pytest.fixture(scope="module")
def digit_models():
    from dlcore.digits import model as digits_model
    try:
        return {kind: digits_model.load(kind)[0] for kind in ("mlp", "cnn")}
    except FileNotFoundError as err:
        pytest.skip(f"no digits weights: {err}")


def test_digits_bounds(digit_models):
    """Shift, rotation and stroke at their bounds, on an empty, a full and a real-ish
    digit: every model answers with probabilities."""
    from dlcore.digits import predict

    rng = np.random.default_rng(0)
    digits = [np.zeros((28, 28), np.uint8), np.full((28, 28), 255, np.uint8),
              (rng.random((28, 28)) > 0.8).astype(np.uint8) * 255]

    @FAST
    @given(states(DigitsState), st.sampled_from(range(len(digits))))
    def check(s, which):
        reading = predict.read(digits[which], digit_models,
                               predict.Perturbation(s.shift_x, s.shift_y, s.rotate, s.stroke))
        for answer in reading.answers.values():
            assert np.isfinite(answer.probs).all()

    check()
