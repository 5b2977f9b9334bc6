"""The gradient-descent page's live map: paths recomputed in the browser as sliders move.

A Streamlit custom component (v2: inline HTML, CSS and JavaScript, no iframe). The
JavaScript (``descent_engine.js``: the built-in surfaces and torch.optim's update rules by
hand, checked against :mod:`dlcore.descent` in Chromium; ``descent_view.js``: the map,
the paths and the controls) answers every slider move without the server. When a slider
is let go, a box ticked or a start clicked, the settings come back once and are written
to the page's state and link (:func:`write_back`), in a fragment: the rest of the page is
not run again. Anchor: Distill's "Why Momentum Really Works" and TensorFlow Playground,
which compute in the browser too.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from dlcore import descent, surfaces
from ui import served

HERE = Path(__file__).parent
NAME = "dlcore_descent_live"
FIELDS = ("lr_exp", "steps", "momentum", "beta1", "beta2", "opts", "own_start", "x0", "y0")
HTML = """
<div class="gd-live">
  <div class="gd-controls">
    <label>Learning rate ε (log₁₀) <output name="lr_exp"></output>
      <input type="range" name="lr_exp"></label><span class="gd-lr"></span>
    <label class="gd-more">Steps <output name="steps"></output><input type="range" name="steps"></label>
    <label class="gd-more">Momentum μ <output name="momentum"></output><input type="range" name="momentum"></label>
    <label class="gd-more">Adam β₁ <output name="beta1"></output><input type="range" name="beta1"></label>
    <label class="gd-more">Adam β₂ <output name="beta2"></output><input type="range" name="beta2"></label>
    <div class="gd-opts"></div>
  </div>
  <div class="gd-right">
    <div class="gd-plot" data-slide-part="picture"><canvas class="gd-map" width="120" height="120"></canvas>
      <svg class="gd-paths" viewBox="0 0 360 360"></svg></div>
    <div class="gd-play"><button type="button" class="gd-playbtn">▶ Play</button>
      <span class="gd-step"></span>
      <button type="button" class="gd-ownstart" hidden>↺ The surface's own start</button></div>
    <ul class="gd-legend"></ul>
    <svg class="gd-loss" viewBox="0 0 360 130" role="img" aria-label="Loss against step"></svg>
    <p class="gd-note">Computed in your browser with the same update rules as torch.optim
      (checked against PyTorch). Click on the map to start there.</p>
  </div>
</div>
"""
CSS = """
.gd-live {display:flex; flex-wrap:wrap; gap:1rem; font-family:var(--st-font, sans-serif);
          color:var(--st-text-color, #111); font-size:.9rem}
.gd-controls {flex:1 1 220px; display:flex; flex-direction:column; gap:.35rem}
.gd-controls label {display:flex; flex-direction:column}
.gd-controls output {font-weight:600}
.gd-lr {font-size:.8rem; color:#555}
.gd-opts {display:flex; flex-direction:column; margin-top:.3rem}
.gd-opts label {flex-direction:row; gap:.4rem; align-items:center; min-height:26px}
.gd-opts input {width:18px; height:18px; margin:0}
.gd-right {flex:0 1 360px; max-width:100%; order:-1}  /* the map first on a phone */
.gd-plot {position:relative; width:360px; max-width:100%; aspect-ratio:1; cursor:crosshair;
          overflow:hidden; border:1px solid #ccc}
.gd-map {position:absolute; inset:0; width:100%; height:100%; image-rendering:auto}
.gd-paths {position:absolute; inset:0; width:100%; height:100%}
.gd-min {fill:#fff; font-size:14px}
.gd-legend {margin:.4rem 0; padding-left:1rem}
.gd-legend li::marker {color:var(--c); font-size:1.3em}
.gd-note {font-size:.8rem; color:#555}
.gd-play {display:flex; gap:.5rem; align-items:center; margin-top:.3rem}
.gd-play button {font:inherit; padding:.15rem .6rem; min-height:28px; border:1px solid #bbb; border-radius:4px;
                 background:var(--st-secondary-background-color, #f3f4f6); cursor:pointer}
.gd-step {font-size:.8rem; color:#555}
.gd-loss {width:360px; max-width:100%; display:block}
.gd-axis {font-size:10px; fill:#555}
.gd-compact .gd-more, .gd-compact .gd-loss, .gd-compact .gd-note {display:none}
.gd-compact .gd-legend {font-size:24px; margin-top:.6rem}
.gd-compact .gd-right {flex-basis:300px}
.gd-compact .gd-plot {width:300px}
.gd-compact .gd-opts {display:grid; grid-template-columns:repeat(4, auto); gap:.1rem .8rem}
"""


@functools.cache
def _js() -> str:
    return (HERE / "descent_engine.js").read_text() + "\n" + (HERE / "descent_view.js").read_text()


def supported(mode: str, surface_key: str) -> bool:
    """The browser knows the built-in 2-D surfaces (a typed formula stays on the server)."""
    return mode == "2d" and surface_key in surfaces.SURFACES


def live_map(settings: dict, surface_key: str, kappa: float, key: str, on_change,
             compact: bool = False) -> None:
    """Mount the live map at these ``settings`` (the fields of :data:`FIELDS`);
    ``on_change(values)`` gets the browser's settings, once per let-go. ``compact`` (the
    deck's slide): the learning rate and the optimizers only, no loss panel."""
    surface = surfaces.get(surface_key, kappa)
    component = st.components.v2.component(NAME, html=HTML, css=CSS,
                                            js=served.component_js(_js()))
    component(key=key, data={
        "surface": surface_key, "kappa": float(kappa), "log_color": surface.log_color,
        "labels": descent.OPTIMIZERS, "compact": bool(compact),
        "state": {f: list(v) if isinstance(v, tuple) else v for f, v in settings.items()},
    }, on_view_change=lambda: _changed(key, on_change))


def _changed(key: str, on_change) -> None:
    result = st.session_state.get(key)
    view = result.get("view") if hasattr(result, "get") else None
    if isinstance(view, dict):
        on_change({f: view[f] for f in FIELDS if f in view})
