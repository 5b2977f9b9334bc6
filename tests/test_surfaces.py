"""dlcore.surfaces and dlcore.linefit: grids, minima, derivatives checked against autograd,
closed forms and numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcore import linefit, surfaces


def test_at_least_eight_named_surfaces_with_domain_minima_and_start():
    assert len(surfaces.SURFACES) >= 8
    for s in surfaces.SURFACES.values():
        assert s.dims == 2 and s.minima and s.title and s.note
        for (lo, hi), v in zip(s.domain, s.start, strict=True):
            assert lo < v < hi, s.key
        for m in s.minima:
            for (lo, hi), v in zip(s.domain, m, strict=True):
                assert lo <= v <= hi, s.key


@pytest.mark.parametrize("key", list(surfaces.SURFACES))
def test_known_minima_are_stationary_and_lowest_on_the_grid(key):
    s = surfaces.SURFACES[key]
    for m in s.minima:
        p = torch.tensor(m, dtype=torch.float64, requires_grad=True)
        s(p).backward()
        assert p.grad.norm() < 1e-5 * max(1.0, abs(s.value(s.start))), (key, m, p.grad)
    _, _, z = surfaces.grid(s, 201)
    assert z.min() >= s.min_value - 1e-9


def test_grid_rows_follow_y_and_columns_follow_x():
    s = surfaces.SURFACES["rosenbrock"]
    xs, ys, z = surfaces.grid(s, 50)
    assert z.shape == (50, 50) and xs[0] == s.domain[0][0] and ys[-1] == s.domain[1][1]
    assert z[7, 31] == s.value((xs[31], ys[7]))


def test_bowl_condition_number_is_the_ratio_of_curvatures():
    hessian = torch.autograd.functional.hessian(
        surfaces.bowl(25.0), torch.tensor([0.3, -0.2], dtype=torch.float64))
    np.testing.assert_allclose(hessian.numpy(), [[1.0, 0.0], [0.0, 25.0]])


def test_curve_derivatives_match_the_closed_forms():
    xs = np.linspace(-2, 2, 9)
    loss, d1, d2 = surfaces.derivatives(surfaces.CURVES["double_well"], xs)
    np.testing.assert_allclose(loss, xs ** 4 - 3 * xs ** 2 + xs)
    np.testing.assert_allclose(d1, 4 * xs ** 3 - 6 * xs + 1, atol=1e-12)
    np.testing.assert_allclose(d2, 12 * xs ** 2 - 6, atol=1e-12)
    for c in surfaces.CURVES.values():
        for (m,) in c.minima:  # dL/dx = 0 and d2L/dx2 >= 0: the slide's conditions
            _, d1, d2 = surfaces.derivatives(c, [m])
            assert abs(d1[0]) < 1e-6 and d2[0] >= 0, c.key


def test_linefit_least_squares_matches_numpy():
    data = linefit.make_data(n=30, seed=5)
    w, b = linefit.least_squares(data)
    np.testing.assert_allclose([w, b], np.polyfit(data.x.numpy(), data.y.numpy(), 1))
    s = linefit.surface(data)
    assert s.minima == ((w, b),)
    _, _, z = surfaces.grid(s, 101)
    assert z.min() >= s.min_value - 1e-12


def test_a_typed_formula_is_a_surface_on_its_extent():
    s2 = surfaces.custom("x**2 + 3*sin(y)", extent=2.0)
    assert s2.title == "L(x, y) = x**2 + 3*sin(y)" and s2.dims == 2
    assert s2.domain == ((-2.0, 2.0), (-2.0, 2.0)) and s2.start == pytest.approx((-1.6, 1.2))
    x, y = torch.tensor([1.0]), torch.tensor([0.5])
    assert s2.fn(x, y).item() == pytest.approx(1 + 3 * np.sin(0.5))
    s1 = surfaces.custom("x**4 - 3*x**2 + x", extent=3.0, dims=1)
    assert s1.title == "L(x) = x**4 - 3*x**2 + x" and s1.domain == ((-3.0, 3.0),)
    assert s1.start == pytest.approx((2.4,))
    from dlcore.formula import FormulaError
    with pytest.raises(FormulaError):
        surfaces.custom("x + y", dims=1)  # y is not a variable of a curve
