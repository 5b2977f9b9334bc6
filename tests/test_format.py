"""Numbers for display (ui/numbers.py): one formatter for text and LaTeX."""

from __future__ import annotations

import numpy as np
import pytest

from ui import numbers


@pytest.mark.parametrize("v,text", [(3.0, "3"), (-1.5, "-1.5"), (-1.1e-16, "0"), (0.0, "0"),
                                    (1.23456789e-5, "1.23457e-05"), (np.nan, "nan"),
                                    (np.inf, "inf")])
def test_short(v, text):
    assert numbers.short(v) == text


def test_tex_number_writes_powers_of_ten_and_zero_for_float_residue():
    assert numbers.tex_number(2e-7) == r"2 \cdot 10^{-7}"
    assert numbers.tex_number(-1.1e-16) == "0"
    assert numbers.tex_number(np.inf) == r"\text{inf}"
    assert numbers.tex_value([1.0, 2.5e10]) == r"\begin{pmatrix}1 \\ 2.5 \cdot 10^{10}\end{pmatrix}"
