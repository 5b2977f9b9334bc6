"""dlcore.conv against torch.nn.functional (the oracle) and the slide's numbers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcore import conv

X, K = conv.SLIDE_INPUT, conv.SLIDE_KERNEL


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64)[None, None]


def test_slide_numbers_no_padding_unit_stride():
    np.testing.assert_array_equal(conv.conv2d(X, K), [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


def test_slide_numbers_padding_one_stride_two():
    out = conv.conv2d(X, K, stride=2, padding=1)
    np.testing.assert_array_equal(out, [[6, 17, 3], [8, 17, 13], [6, 4, 4]])


def test_padding_one_keeps_size_and_centre():
    out = conv.conv2d(X, K, padding=1)
    assert out.shape == (5, 5)
    np.testing.assert_array_equal(out[1:-1, 1:-1], conv.conv2d(X, K))


def test_flipped_kernel_is_true_convolution():
    out = conv.conv2d(X, K, flip=True)
    np.testing.assert_array_equal(out, [[18, 20, 19], [10, 9, 17], [11, 8, 14]])


def test_pooling_on_the_slide_input():
    np.testing.assert_array_equal(conv.pool2d(X, 3, mode="max"), [[3, 3, 3], [3, 3, 3], [3, 2, 3]])
    np.testing.assert_allclose(conv.pool2d(X, 3, mode="avg"),
                               np.array([[15, 15, 15], [9, 11, 16], [10, 7, 12]]) / 9)


def _settings(rng):
    """Random valid settings: shapes, strides, paddings and dilations."""
    while True:
        i, k = int(rng.integers(1, 12)), int(rng.integers(1, 6))
        s, p, d = int(rng.integers(1, 4)), int(rng.integers(0, 4)), int(rng.integers(1, 4))
        if d * (k - 1) + 1 <= i + 2 * p:
            return i, k, s, p, d


@pytest.mark.parametrize("seed", range(200))
def test_conv2d_matches_torch(seed):
    rng = np.random.default_rng(seed)
    i, k, s, p, d = _settings(rng)
    x, w = rng.normal(size=(i, i)), rng.normal(size=(k, k))
    flip = bool(seed % 2)
    ours = conv.conv2d(x, w, stride=s, padding=p, dilation=d, flip=flip)
    wt = _t(w).flip(-1, -2) if flip else _t(w)
    ref = F.conv2d(_t(x), wt, stride=s, padding=p, dilation=d)[0, 0].numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    assert ours.shape[0] == conv.output_size(i, k, p, s, d)


@pytest.mark.parametrize("seed", range(100))
def test_pooling_matches_torch(seed):
    rng = np.random.default_rng(1000 + seed)
    i, k, s, p, d = _settings(rng)
    p = min(p, k // 2)  # torch's limit for pooling
    i = max(i, d * (k - 1) + 1)
    x = rng.normal(size=(i, i))
    ours = conv.pool2d(x, k, stride=s, padding=p, dilation=d, mode="max")
    ref = F.max_pool2d(_t(x), k, stride=s, padding=p, dilation=d)[0, 0].numpy()
    np.testing.assert_allclose(ours, ref)
    ours = conv.pool2d(x, k, stride=s, padding=p, mode="avg")
    ref = F.avg_pool2d(_t(x), k, stride=s, padding=p)[0, 0].numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("i,k,p,s,d", [(5, 3, 0, 0, 1), (3, 5, 0, 1, 1), (5, 3, 0, 1, 3),
                                       (4, 3, -1, 1, 1), (5, 3, 0, 1, 0)])
def test_no_output_is_a_clear_error(i, k, p, s, d):
    with pytest.raises(conv.NoOutput):
        conv.output_size(i, k, p, s, d)
    with pytest.raises(conv.NoOutput):
        conv.conv2d(np.ones((i, i)), np.ones((k, k)), stride=s, padding=p, dilation=d)


def test_pooling_limits_follow_torch():
    with pytest.raises(conv.NoOutput):
        conv.pool2d(X, 3, padding=2)
    with pytest.raises(conv.NoOutput):
        conv.pool2d(X, 3, dilation=2, mode="avg")


def test_steps_rebuild_the_output_and_write_the_sum():
    frames = list(conv.steps("xcorr", X, K))
    assert [f.result for f in frames] == [12, 12, 17, 10, 17, 19, 9, 6, 14]
    assert conv.written_sum("xcorr", frames[0]) == "12 = 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2"
    assert all(sum(f.products) == f.result for f in frames)
    fourth = frames[3]
    assert (fourth.out_row, fourth.out_col) == (1, 0)
    assert fourth.taps[0] == (1, 0) and fourth.taps[-1] == (3, 2)


@pytest.mark.parametrize("op", conv.OPS)
def test_steps_match_apply_with_padding_stride_dilation(op):
    rng = np.random.default_rng(7)
    x, w = rng.integers(0, 4, (7, 7)).astype(float), rng.integers(0, 3, (3, 3)).astype(float)
    d = 1 if op == "avg" else 2
    out = conv.apply(op, x, w, stride=2, padding=1, dilation=d)
    frames = list(conv.steps(op, x, w, stride=2, padding=1, dilation=d))
    assert len(frames) == out.size
    np.testing.assert_allclose([f.result for f in frames], out.ravel())


def test_written_sums_of_pooling():
    max_first = next(conv.steps("max", X, K))
    assert conv.written_sum("max", max_first) == "3 = max(3, 3, 2, 0, 0, 1, 3, 1, 2)"
    avg_first = next(conv.steps("avg", X, K))
    assert conv.written_sum("avg", avg_first) == "1.67 = (3 + 3 + 2 + 0 + 0 + 1 + 3 + 1 + 2) / 9"


def test_size_formula_substitutes_numbers():
    assert conv.size_formula(5, 3, 1, 2, 1).endswith("= 3")
    assert "no output" in conv.size_formula(3, 5, 0, 1, 1)


@pytest.mark.parametrize("name", sorted(conv.PRESETS))
def test_presets_are_3x3(name):
    assert conv.PRESETS[name].shape == (3, 3)
    out = conv.conv2d(np.eye(8), conv.PRESETS[name], padding=1)
    assert out.shape == (8, 8)


@pytest.mark.parametrize("op", conv.OPS)
def test_torch_call_shown_on_the_page_computes_the_same(op):
    d = 1 if op == "avg" else 2
    code = conv.torch_call(op, X, K, stride=1, padding=1, dilation=d)
    namespace: dict = {}
    exec(code.rsplit("\n", 1)[0], namespace)
    result = eval(code.rsplit("\n", 1)[1], namespace)  # the last line is the call itself
    np.testing.assert_allclose(result[0, 0].numpy(), conv.apply(op, X, K, 1, 1, d), rtol=1e-6)


def test_default_grids_are_the_slide_for_seed_zero_and_repeatable():
    np.testing.assert_array_equal(conv.default_input(5, 0), conv.SLIDE_INPUT)
    np.testing.assert_array_equal(conv.default_kernel(3, 0), conv.SLIDE_KERNEL)
    a, b = conv.default_input(7, 4), conv.default_input(7, 4)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (7, 7) and set(np.unique(a)) <= {0, 1, 2, 3}
    assert conv.default_kernel(2, 1).shape == (2, 2)
    assert not np.array_equal(conv.default_input(5, 1), conv.SLIDE_INPUT)


@pytest.mark.parametrize("op", conv.OPS)
def test_torch_call_with_float_grids_gives_exactly_the_same_numbers(op):
    rng = np.random.default_rng(3)
    x, k = rng.normal(size=(6, 6)) * 10, rng.normal(size=(3, 3)).round(4)
    code = conv.torch_call(op, x, k, stride=1, padding=1, dilation=1)
    namespace: dict = {}
    exec(code.rsplit("\n", 1)[0], namespace)
    result = eval(code.rsplit("\n", 1)[1], namespace)
    np.testing.assert_allclose(result[0, 0].numpy(), conv.apply(op, x, k, 1, 1, 1),
                               rtol=1e-12, atol=1e-12)
