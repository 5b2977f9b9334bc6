"""Convolution and pooling on small 2-D arrays, written out step by step.

The talk's slide takes its example from Dumoulin & Visin, "A guide to convolution
arithmetic for deep learning" (arXiv:1603.07285, github.com/vdumoulin/conv_arithmetic):
a 5x5 input, a 3x3 kernel, stride 1, no padding, a 3x3 output. What deep-learning
libraries call convolution is cross-correlation; ``flip=True`` gives true
convolution (the kernel turned by 180 degrees). Every function here is checked
against ``torch.nn.functional`` in ``tests/test_conv.py``.

The output size along one axis is (the guide's relationship 15, with dilation)::

    o = floor((i + 2p - d(k - 1) - 1) / s) + 1
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlcore import numbers

OPS = ("xcorr", "conv", "max", "avg")
OP_NAMES = {
    "xcorr": "cross-correlation",
    "conv": "convolution (flipped kernel)",
    "max": "max pooling",
    "avg": "average pooling",
}

# The slide's example (conv_arithmetic, "no padding, unit strides").
SLIDE_INPUT = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]],
    dtype=float,
)
SLIDE_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=float)

PRESETS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "edge": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    "sobel_x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "sobel_y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
}


class NoOutput(ValueError):
    """The settings give no output (stride 0, a kernel wider than the padded input...)."""


def output_size(i: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Output length along one axis; raises :class:`NoOutput` when there is none."""
    if stride < 1:
        raise NoOutput(f"stride must be at least 1 (got {stride})")
    if dilation < 1:
        raise NoOutput(f"dilation must be at least 1 (got {dilation})")
    if k < 1 or i < 1:
        raise NoOutput("input and kernel need at least one cell")
    if padding < 0:
        raise NoOutput(f"padding cannot be negative (got {padding})")
    span = dilation * (k - 1) + 1
    if span > i + 2 * padding:
        raise NoOutput(
            f"the kernel spans {span} cells (d(k-1)+1 = {dilation}*({k}-1)+1) but the padded "
            f"input has only {i + 2 * padding} (i+2p = {i}+2*{padding})"
        )
    return (i + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def _check_pool(op: str, k: int, padding: int, dilation: int) -> None:
    # PyTorch's own limits, so that the page's PyTorch call is always valid.
    if padding > k // 2:
        raise NoOutput(f"pooling padding must be at most half the kernel size ({k // 2})")
    if op == "avg" and dilation != 1:
        raise NoOutput("average pooling has no dilation (torch's avg_pool2d); use dilation 1")


def pad(x: np.ndarray, padding: int, value: float = 0.0) -> np.ndarray:
    return np.pad(np.asarray(x, dtype=float), padding, constant_values=value)


def _windows(x: np.ndarray, k: int, stride: int, padding: int, dilation: int,
             fill: float) -> np.ndarray:
    """All receptive fields: array [oh, ow, k, k] (dilated taps only)."""
    oh = output_size(x.shape[0], k, padding, stride, dilation)
    ow = output_size(x.shape[1], k, padding, stride, dilation)
    span = dilation * (k - 1) + 1
    views = sliding_window_view(pad(x, padding, fill), (span, span))
    return views[: (oh - 1) * stride + 1: stride, : (ow - 1) * stride + 1: stride,
                 ::dilation, ::dilation]


def conv2d(x: np.ndarray, k: np.ndarray, stride: int = 1, padding: int = 0,
           dilation: int = 1, flip: bool = False) -> np.ndarray:
    """Cross-correlation of a 2-D input with a square 2-D kernel (true convolution if ``flip``)."""
    kernel = np.asarray(k, dtype=float)
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1]:
        raise NoOutput("the kernel must be a square grid")
    if flip:
        kernel = kernel[::-1, ::-1]
    win = _windows(np.asarray(x, dtype=float), kernel.shape[0], stride, padding, dilation, 0.0)
    return np.einsum("abij,ij->ab", win, kernel)


def pool2d(x: np.ndarray, size: int, stride: int = 1, padding: int = 0, dilation: int = 1,
           mode: str = "max") -> np.ndarray:
    """Max or average pooling (average counts the zero padding, as torch does by default)."""
    _check_pool(mode, size, padding, dilation)
    fill = -np.inf if mode == "max" else 0.0
    win = _windows(np.asarray(x, dtype=float), size, stride, padding, dilation, fill)
    return win.max(axis=(2, 3)) if mode == "max" else win.mean(axis=(2, 3))


def apply(op: str, x: np.ndarray, k: np.ndarray, stride: int = 1, padding: int = 0,
          dilation: int = 1) -> np.ndarray:
    """One entry point for the four operations the page steps through."""
    if op in ("xcorr", "conv"):
        return conv2d(x, k, stride, padding, dilation, flip=op == "conv")
    if op in ("max", "avg"):
        return pool2d(x, np.asarray(k).shape[0], stride, padding, dilation, mode=op)
    raise ValueError(f"unknown operation {op!r}; expected one of {OPS}")


@dataclass(frozen=True)
class Frame:
    """One output cell: where the window sits and the arithmetic that fills the cell."""

    index: int  # position in row-major order
    out_row: int
    out_col: int
    taps: tuple[tuple[int, int], ...]  # (row, col) in the padded input, row-major
    values: tuple[float, ...]  # the input under each tap
    weights: tuple[float, ...]  # the kernel weight on each tap (flipped for convolution)
    result: float

    @property
    def products(self) -> tuple[float, ...]:
        return tuple(v * w for v, w in zip(self.values, self.weights, strict=True))


def steps(op: str, x: np.ndarray, k: np.ndarray, stride: int = 1, padding: int = 0,
          dilation: int = 1) -> Iterator[Frame]:
    """The frames of the step-through, one per output cell, row by row."""
    kernel = np.asarray(k, dtype=float)
    size = kernel.shape[0]
    out = apply(op, x, kernel, stride, padding, dilation)  # validates the settings
    if op == "conv":
        kernel = kernel[::-1, ::-1]
    fill = -np.inf if op == "max" else 0.0
    padded = pad(x, padding, fill)
    weights = tuple(float(w) for w in kernel.ravel()) if op in ("xcorr", "conv") else ()
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            taps = tuple((r * stride + i * dilation, c * stride + j * dilation)
                         for i in range(size) for j in range(size))
            yield Frame(
                index=r * out.shape[1] + c, out_row=r, out_col=c, taps=taps,
                values=tuple(float(padded[t]) for t in taps),
                weights=weights, result=float(out[r, c]),
            )


def fmt(v: float) -> str:
    """A grid cell or a term of a written-out sum: 3, -1.5, 0.667, 1234; ``pad`` for
    max-pooling's -inf padding; never raises (:func:`dlcore.numbers.short`)."""
    return "pad" if float(v) == -np.inf else numbers.short(v, 3, whole=True)


def default_input(n: int, seed: int) -> np.ndarray:
    """The page's input grid: the slide's 5x5 for seed 0, else small integers 0-3."""
    if n == SLIDE_INPUT.shape[0] and seed == 0:
        return SLIDE_INPUT.copy()
    return np.random.default_rng(seed).integers(0, 4, (n, n)).astype(float)


def default_kernel(k: int, seed: int) -> np.ndarray:
    """The page's kernel: the slide's 3x3 for seed 0, else small integers 0-2."""
    if k == SLIDE_KERNEL.shape[0] and seed == 0:
        return SLIDE_KERNEL.copy()
    return np.random.default_rng(seed + 1).integers(0, 3, (k, k)).astype(float)


def written_sum(op: str, frame: Frame) -> str:
    """The cell's arithmetic with the real numbers, e.g. ``12 = 3*0 + 3*1 + ...``."""
    vals = [fmt(v) for v in frame.values]
    if op in ("xcorr", "conv"):
        terms = " + ".join(f"{v}*{fmt(w)}" for v, w in zip(vals, frame.weights, strict=True))
        return f"{fmt(frame.result)} = {terms}"
    if op == "max":
        return f"{fmt(frame.result)} = max({', '.join(vals)})"
    return f"{fmt(frame.result)} = ({' + '.join(vals)}) / {len(vals)}"


def size_formula(i: int, k: int, padding: int, stride: int, dilation: int,
                 lines: bool = False) -> str:
    """The output-size relationship with the current numbers substituted (LaTeX);
    ``lines``: the rule and the numbers on two aligned lines (narrow screens)."""
    inner = i + 2 * padding - dilation * (k - 1) - 1
    rule = r"\left\lfloor \frac{i + 2p - d(k-1) - 1}{s} \right\rfloor + 1"
    numbers = (rf"\left\lfloor \frac{{{i} + 2\cdot{padding} - {dilation}({k}-1) - 1}}{{{stride}}}"
               r" \right\rfloor + 1")
    tail = (r" \;\Rightarrow\; \text{no output}" if stride < 1 or inner < 0
            else f" = {inner // stride + 1}")
    if lines:
        return rf"\begin{{aligned}} o &= {rule} \\ &= {numbers}{tail} \end{{aligned}}"
    return f"o = {rule} = {numbers}{tail}"


def torch_call(op: str, x: np.ndarray, k: np.ndarray, stride: int, padding: int,
               dilation: int) -> str:
    """Runnable PyTorch code that computes the same output as :func:`apply`: every
    number printed exactly, in float64 like this module."""
    def tensor(a: np.ndarray) -> str:
        rows = ",\n    ".join("[" + ", ".join(numbers.exact(v) for v in row) + "]" for row in a)
        return f"torch.tensor([\n    {rows},\n], dtype=torch.float64)[None, None]"

    size = np.asarray(k).shape[0]
    lines = ["import torch", "import torch.nn.functional as F", "", f"x = {tensor(x)}"]
    if op in ("xcorr", "conv"):
        lines.append(f"w = {tensor(k)}")
        if op == "conv":
            lines.append("w = w.flip(-1, -2)  # true convolution: turn the kernel by 180°")
        lines.append(f"F.conv2d(x, w, stride={stride}, padding={padding}, dilation={dilation})")
    elif op == "max":
        lines.append(f"F.max_pool2d(x, kernel_size={size}, stride={stride}, "
                     f"padding={padding}, dilation={dilation})")
    else:
        lines.append(f"F.avg_pool2d(x, kernel_size={size}, stride={stride}, padding={padding})")
    return "\n".join(lines)
