"""The convolution page's stepper, stepped in the browser (issue 24).

A Streamlit custom component (v2: inline HTML and CSS, its JavaScript a static file,
``ui.served.component_js``). The server computes every output cell once
(:func:`dlcore.conv.steps`, checked against torch) and sends them with the grids' texts;
``conv_stepper.js`` draws the cell on show and steps through the cells (Prev, Next, the
cell slider, Play at the chosen speed) without the server. The cell and the speed come
back once they rest for 0.6 s, and once when Play stops, to the page's state and link (a
fragment's rerun), and so to the deck's room. Anchor: CNN Explainer, which steps its
convolution in the browser too.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import streamlit as st

from dlcore import conv
from ui import served

HERE = Path(__file__).parent
NAME = "dlcore_conv_stepper"
HTML = """
<div class="cv-stepper">
  <div class="cv-buttons">
    <button type="button" class="cv-prev">◀ Prev</button>
    <button type="button" class="cv-next">Next ▶</button>
    <button type="button" class="cv-play">▶️ Play</button>
    <strong class="cv-count"></strong>
  </div>
  <div class="cv-row" data-slide-part="picture"></div>
  <pre class="cv-sum" data-slide-part="answer"></pre>
  <p class="cv-where"></p>
  <div class="cv-under">
    <label><span class="cv-cell-name"></span><input type="range" class="cv-cell"></label>
    <label>Speed of ▶️ Play <select class="cv-speed"></select></label>
  </div>
</div>
"""
CSS = """
.cv-stepper {font-family:var(--st-font, sans-serif); color:var(--st-text-color, #111)}
.cv-buttons {display:flex; flex-wrap:wrap; gap:.5rem; align-items:center}
.cv-buttons button {font:inherit; padding:.3rem .8rem; min-height:2.2rem; border-radius:.5rem;
  border:1px solid #bbb; background:var(--st-background-color, #fff); cursor:pointer}
.cv-buttons button:disabled {opacity:.45; cursor:default}
.cv-row {display:flex; gap:2.5rem; flex-wrap:wrap; align-items:flex-start; margin:.5rem 0}
.cv-grid {border-collapse:collapse; font-family:monospace; font-size:1.05rem}
.cv-grid td {width:2.6rem; height:2.6rem; text-align:center; border:1px solid #bbb}
.cv-grid td.pad {color:#6b6b6b; border-style:dashed; background:#fafafa}
.cv-grid td.tap {background:#fde68a; border:2px solid #d97706}
.cv-grid td.cur {background:#93c5fd; border:2px solid #1d4ed8; font-weight:bold}
.cv-grid td.done {background:#eef2ff}
.cv-grid sub {color:#92400e; font-size:.7rem}
.cv-cap {font-size:.85rem; color:#555; margin-bottom:.2rem}
.cv-sum {font-family:monospace; font-size:.95rem; white-space:pre-wrap; background:#f6f7f9;
  padding:.5rem .7rem; border-radius:.4rem; margin:.4rem 0}
.cv-where {font-size:.85rem; color:#555; margin:.2rem 0}
.cv-under {display:flex; flex-wrap:wrap; gap:1.2rem; align-items:flex-end}
.cv-under label {display:flex; flex-direction:column; font-size:.9rem; gap:.2rem}
.cv-under select {font:inherit; min-height:2rem}
.cv-cell {width:14rem; max-width:70vw}
.cv-stepper [hidden], .cv-on-slide .cv-under, .cv-on-slide .cv-where {display:none}
.cv-on-slide .cv-sum {font-size:24px}
.cv-on-slide .cv-grid td {width:1.8rem; height:1.8rem; padding:0}
.cv-on-slide .cv-row {margin:0}
@media (max-width: 640px) {  /* a phone: input, kernel and output on one row */
  .cv-row {gap:.8rem}
  .cv-grid {font-size:.8rem}
  .cv-grid td {width:1.75rem; height:1.75rem; padding:0}
  .cv-grid sub {font-size:.55rem}
}
"""


@functools.cache
def _js() -> str:
    return (HERE / "conv_stepper.js").read_text()


def frames_data(op: str, x: np.ndarray, kernel: np.ndarray, out: np.ndarray, padding: int,
                frames: list[conv.Frame]) -> dict:
    """What the browser draws every cell from: the grids' texts (``conv.fmt``) and, per
    cell, its window, its weights, where it is and its written sum."""
    n = x.shape[0]
    padded = conv.pad(x, padding)
    inside = [[padding <= r < padding + n and padding <= c < padding + n
               for c in range(padded.shape[1])] for r in range(padded.shape[0])]
    data = {
        "input": {"caption": f"input {n}×{n}" + (f", padding {padding}" if padding else ""),
                  "cells": [[conv.fmt(padded[r, c]) if inside[r][c] else "·"
                             for c in range(padded.shape[1])] for r in range(padded.shape[0])],
                  "classes": [["" if inside[r][c] else "pad" for c in range(padded.shape[1])]
                              for r in range(padded.shape[0])]},
        "kernel": None,
        "out": {"caption": f"output {out.shape[0]}×{out.shape[1]}",
                "cells": [[conv.fmt(v) for v in row] for row in out]},
        "frames": [{"index": f.index, "taps": [list(t) for t in f.taps],
                    "weights": [conv.fmt(w) for w in f.weights] if f.weights else None,
                    "where": f"row {f.out_row + 1}, column {f.out_col + 1}",
                    "sum": conv.written_sum(op, f)} for f in frames],
    }
    if op in ("xcorr", "conv"):
        shown = kernel[::-1, ::-1] if op == "conv" else kernel
        data["kernel"] = {"caption": "kernel" + (" (flipped)" if op == "conv" else ""),
                          "cells": [[conv.fmt(v) for v in row] for row in shown]}
    return data


def stepper(data: dict, cell: int, speed: str, speeds: dict[str, float], key: str,
            on_change, on_slide: bool = False) -> None:
    """Mount the stepper at ``cell`` (1-based) and ``speed``; ``on_change(values)`` gets
    the browser's ``{"cell", "speed"}`` once they rest."""
    component = st.components.v2.component(NAME, html=HTML, css=CSS,
                                            js=served.component_js(_js()))
    component(key=key, data={**data, "cell": int(cell), "speed": speed, "speeds": speeds,
                             "on_slide": bool(on_slide)},
              on_view_change=lambda: _changed(key, on_change))


def _changed(key: str, on_change) -> None:
    result = st.session_state.get(key)
    view = result.get("view") if hasattr(result, "get") else None
    if isinstance(view, dict):
        on_change(view)
