"""Numbers for display, in one place: plain text and LaTeX.

The engine returns floats; the pages show them through these functions, so a number
reads the same in a caption, a table and a formula. A value within :data:`ZERO` of
zero is shown as 0: float64 arithmetic leaves residues such as -1.1e-16 where the
exact answer is zero, and six significant digits of a noise term say nothing.
"""

from __future__ import annotations

import numpy as np

ZERO = 1e-12  # |v| below this is shown as 0
DIGITS = 6  # significant digits shown


def short(v: float, digits: int = DIGITS) -> str:
    """``v`` as text with ``digits`` significant digits: 3, -1.5, 0.000123, 1.2e+08."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    if abs(v) < ZERO:
        return "0"
    return f"{v:.{digits}g}"


def tex_number(v: float, digits: int = DIGITS) -> str:
    """``v`` in LaTeX: ``1.5``, ``2 \\cdot 10^{-7}``, ``\\text{nan}``."""
    text = short(v, digits)
    if not np.isfinite(float(v)):
        return r"\text{" + text + "}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text


def tex_value(value, digits: int = DIGITS) -> str:
    """A number, or a column vector of them, in LaTeX."""
    a = np.atleast_1d(np.asarray(value, dtype=float))
    if a.size == 1:
        return tex_number(float(a[0]), digits)
    return (r"\begin{pmatrix}" + r" \\ ".join(tex_number(float(v), digits) for v in a)
            + r"\end{pmatrix}")
