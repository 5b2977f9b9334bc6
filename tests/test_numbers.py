"""The one number formatter (dlcore/numbers.py): text to read, text to read back, LaTeX."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlcore import conv, numbers


@pytest.mark.parametrize("v,text", [(3.0, "3"), (-1.5, "-1.5"), (-1.1e-16, "0"), (0.0, "0"),
                                    (1.23456789e-5, "1.23457e-05"), (np.nan, "nan"),
                                    (np.inf, "inf"), (1.2e8, "1.2e+08")])
def test_short(v, text):
    assert numbers.short(v) == text


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 17))
def test_short_is_the_number_to_its_digits(v, digits):
    text = numbers.short(v, digits)
    if abs(v) < numbers.ZERO:
        assert text == "0"
    else:  # Python's own rounding to that many significant digits is the oracle
        assert float(text) == float(f"{v:.{digits - 1}e}")


@given(st.integers(-10**15 + 1, 10**15 - 1))
def test_whole_numbers_in_full_when_asked(n):
    assert numbers.short(float(n), 3, whole=True) == ("0" if n == 0 else str(n))


@given(st.floats())
def test_exact_reads_back_as_the_same_number(v):
    text = numbers.exact(v)
    if math.isnan(v):
        assert text == "nan"
    else:
        assert float(text) == v
        assert len(text) <= len(repr(v))  # never longer than Python's shortest repr


@pytest.mark.parametrize("v,text", [(0.1, "0.1"), (3.0, "3"), (-0.0, "0"), (1e-7, "1e-07"),
                                    (123456789.0, "123456789")])
def test_exact_examples(v, text):
    assert numbers.exact(v) == text


def test_tex_number_writes_powers_of_ten_and_zero_for_float_residue():
    assert numbers.tex_number(2e-7) == r"2 \cdot 10^{-7}"
    assert numbers.tex_number(-1.1e-16) == "0"
    assert numbers.tex_number(np.inf) == r"\text{inf}"
    assert numbers.tex_value([1.0, 2.5e10]) == r"\begin{pmatrix}1 \\ 2.5 \cdot 10^{10}\end{pmatrix}"


@pytest.mark.parametrize("v,text", [(3.0, "3"), (-0.0, "0"), (2 / 3, "0.667"), (1e308, "1e+308"),
                                    (1234.0, "1234"), (np.inf, "inf"), (np.nan, "nan"),
                                    (-np.inf, "pad")])
def test_the_convolution_cells_use_it_and_never_raise(v, text):
    assert conv.fmt(v) == text
