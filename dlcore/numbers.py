"""Numbers as text, in one place: for people (plain text and LaTeX) and for links.

Every number the app writes goes through here, so a value reads the same in a caption,
a table, a formula and a URL. Two kinds of text:

* :func:`short` is for reading: ``digits`` significant digits, and a value within
  :data:`ZERO` of zero is written 0 (float64 arithmetic leaves residues such as
  -1.1e-16 where the exact answer is zero; six digits of that noise say nothing).
  ``whole=True`` writes whole numbers in full (the convolution's sums: 1234, not 1.23e+03).
* :func:`exact` is for reading back: the shortest text that parses to the same float
  (a link's value, a grid written as Python source).

``tex_number`` and ``tex_value`` put :func:`short` into LaTeX. Pure Python + numpy:
``dlcore`` uses it, and the pages and the URL codec (``ui/``) import it from here.
"""

from __future__ import annotations

import math

import numpy as np

ZERO = 1e-12  # |v| below this is shown as 0
DIGITS = 6  # significant digits shown
WHOLE_MAX = 1e15  # whole numbers below this are written in full when asked


def short(v: float, digits: int = DIGITS, *, whole: bool = False) -> str:
    """``v`` to read, with ``digits`` significant digits: 3, -1.5, 0.000123, 1.2e+08, inf,
    nan. Never raises. ``whole``: a whole number below 1e15 is written in full."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if abs(v) < ZERO:
        return "0"
    if whole and v.is_integer() and abs(v) < WHOLE_MAX:
        return str(int(v))
    return f"{v:.{digits}g}"


def exact(v: float) -> str:
    """The shortest text that reads back as exactly ``v``: ``0.1``, ``3``, ``1e-07``,
    ``1e+06`` (Python's shortest repr, or a ``g`` form of it when that is shorter;
    0 for -0.0; inf and nan as Python writes them)."""
    v = float(v)
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return str(v)
    texts = [f"{v:.6g}", f"{v:.12g}", repr(v).removesuffix(".0")]
    return min((t for t in texts if float(t) == v), key=len)


def tex_number(v: float, digits: int = DIGITS) -> str:
    """``v`` in LaTeX: ``1.5``, ``2 \\cdot 10^{-7}``, ``\\text{nan}``."""
    text = short(v, digits)
    if not math.isfinite(float(v)):
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
