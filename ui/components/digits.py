"""The digits page's drawing pad, answered while you draw: both networks run in the browser.

A Streamlit custom component (v2: inline HTML, CSS and JavaScript, no iframe). The
JavaScript (``digits_net.js``: the CNN, the MLP and the MNIST preparation by hand;
``digits_pad.js``: the canvas and the answers) reads ``static/digits_nets.bin``, exported
from the shipped ``.pt`` files by ``python -m dlcore.digits export``, and served by the app
(``server.enableStaticServing``), cached by the browser. Python gets the 28x28 digit at
most once per pen-up, and only while the page asks for it (``send``): for what only the
server draws (the feature maps while their section is open, a perturbed digit's answers).
Anchors: ConvNetJS's MNIST demo, Adam Harley's interactive CNN, which also compute in the
browser.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from dlcore.digits import export
from dlcore.digits.model import WEIGHTS
from ui import served

HERE = Path(__file__).parent
NAME = "dlcore_digits_pad"
HTML = """
<div class="dg-pad">
  <div class="dg-draw">
    <canvas class="dg-canvas" width="280" height="280" aria-label="Draw a digit here"
      data-slide-part="picture"></canvas>
    <div class="dg-tools"><button type="button" class="dg-undo">↶ Undo</button>
      <button type="button" class="dg-clear">✕ Clear</button></div>
  </div>
  <div class="dg-answers">
    <p class="dg-status">Loading the drawing pad…</p>
    <div class="dg-model"><p class="dg-verdict" data-kind="cnn" data-slide-part="answer"></p>
      <div class="dg-bars" data-kind="cnn"></div><p class="dg-about" data-kind="cnn"></p></div>
    <div class="dg-model"><p class="dg-verdict" data-kind="mlp" data-slide-part="answer"></p>
      <div class="dg-bars" data-kind="mlp"></div><p class="dg-about" data-kind="mlp"></p></div>
    <div class="dg-input"><canvas class="dg-seen" width="28" height="28"></canvas>
      <p>The 28×28 input both networks read. Computed in your browser, while you draw, by
      the same networks as the server's (the same weights and the same preparation,
      checked against PyTorch).</p></div>
  </div>
</div>
"""
CSS = """
.dg-pad {display:flex; flex-wrap:wrap; gap:1.2rem; font-family:var(--st-font, sans-serif);
         color:var(--st-text-color, #111); font-size:.95rem}
.dg-draw {flex:0 0 auto; max-width:100%}
.dg-canvas {width:280px; max-width:100%; aspect-ratio:1; background:#fff; border:1px solid #bbb;
            border-radius:4px; touch-action:none; cursor:crosshair; display:block}
.dg-tools {display:flex; gap:.5rem; margin-top:.4rem}
.dg-tools button {font:inherit; padding:.2rem .7rem; border:1px solid #bbb; border-radius:4px;
                  background:var(--st-secondary-background-color, #f3f4f6); cursor:pointer}
.dg-answers {flex:1 1 240px; min-width:220px}
.dg-answers p {margin:.2rem 0}
.dg-model, .dg-input {display:none}
.dg-has-answer .dg-model {display:block; margin-bottom:.6rem}
.dg-has-answer .dg-input {display:flex; gap:.6rem; align-items:center; font-size:.8rem; color:#555}
.dg-verdict {font-weight:600}
.dg-about {font-size:.8rem; color:#666}
.dg-bars {display:flex; gap:4px; height:80px; align-items:flex-end}
.dg-col {flex:1; height:100%; display:flex; flex-direction:column; justify-content:flex-end;
         align-items:center; font-size:.75rem}
.dg-bar {width:100%; background:#9ca3af; min-height:1px}
.dg-bar.dg-top {background:#2563eb}
.dg-bar.dg-unsure {background:#f59e0b}
.dg-seen {width:56px; height:56px; image-rendering:pixelated; background:#000; flex:0 0 auto}
.dg-stage .dg-verdict {font-size:26px}
.dg-stage .dg-about, .dg-stage .dg-has-answer .dg-input {display:none}
.dg-stage.dg-has-answer .dg-input {display:none}
"""


def _mtimes() -> tuple[float, ...]:
    try:
        return tuple(p.stat().st_mtime for p in (export.OUT, *WEIGHTS.values()))
    except OSError:
        return ()


@functools.lru_cache(maxsize=4)
def _export_version(mtimes: tuple[float, ...]) -> str | None:
    """A short hash of the export when it is the shipped weights' (else None)."""
    if not mtimes or not export.is_current(export.OUT):
        return None
    return hashlib.sha256(export.OUT.read_bytes()).hexdigest()[:12]


def available() -> bool:
    """True when the browser's copy of the networks is there and current."""
    return _export_version(_mtimes()) is not None


@functools.cache
def _js() -> str:
    return (HERE / "digits_net.js").read_text() + "\n" + (HERE / "digits_pad.js").read_text()


def draw_pad(pen: int, names: dict[str, str], about: dict[str, str], key: str,
             send: bool = True, stage: bool = False) -> np.ndarray | None:
    """Mount the pad; the 28x28 uint8 digit of the last pen-up it sent, or None (empty
    canvas). With ``send`` False the browser keeps its pen-ups to itself; when it turns
    True, the browser sends the drawing it has, once, then each pen-up's. ``stage``: the
    deck's slide form (the verdicts in large type, the notes left to the page)."""
    component = st.components.v2.component(NAME, html=HTML, css=CSS,
                                            js=served.component_js(_js()))
    version = _export_version(_mtimes())
    result = component(key=key, data={
        # relative to the page: app/static/ under any base URL path the app is served at
        "url": f"app/static/{export.OUT.name}?v={version}", "pen": int(pen),
        "names": names, "about": about, "send": bool(send), "stage": bool(stage),
    }, on_digit_change=lambda: None)
    return as_digit(result.get("digit") if hasattr(result, "get") else None)


def as_digit(value) -> np.ndarray | None:
    """What the browser sent, checked: 784 integers in 0..255, else None."""
    if not isinstance(value, list) or len(value) != 28 * 28:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value):
        return None
    return np.array(value, np.uint8).reshape(28, 28)
