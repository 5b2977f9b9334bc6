"""Streamlit helpers that every page shares: URL state, presenter mode, reset.

Each page declares its state once, as a dataclass whose fields are made with
:func:`param` (default, bounds, choices). The widgets are Streamlit's own, bound
to the URL with ``bind="query-params"`` (Streamlit 1.67), so a view is a link.
What binding does not cover lives here:

* :func:`load_state` checks the query string against the table before any widget
  reads it, and turns every malformed or out-of-range value into a visible warning
  (Streamlit silently drops them) and the default.
* :func:`grid` is an editable number grid kept in the URL as ``1,2;3,4``.
* :func:`reset_button` restores every default in one call.
* :func:`presenter` reads ``present=1``: wide layout, large type, secondary
  controls folded away.

This module is private to the pages (its name starts with ``_``, so
``st.navigation`` never lists it) and is never imported by ``dlcore``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import streamlit as st

T = TypeVar("T")


def leave_legacy_multipage_mode() -> None:
    """Make the first visit of a fresh server through a deep link run ``app.py``.

    Streamlit treats an app with a ``pages/`` folder as a v1 multipage app until
    ``st.navigation`` is first called, so the very first request for ``/convolution``
    would run that page alone, without the app shell. Every page imports this
    module, so it switches that mode off and asks for a rerun, which goes through
    ``app.py`` and its ``st.navigation``.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


leave_legacy_multipage_mode()


def one_torch_thread() -> None:
    """Serve torch on one intra-op thread; the pages that run torch call this each run.

    Each rerun computes on one small input while sessions run side by side, so a second
    thread only contends with them and with the browser: pen up to answer on the digits
    page took 741-765 ms with torch's two threads and 514-556 ms with one
    (``python benchmarks/browser_latency.py``, with and without ``OMP_NUM_THREADS=1``).
    It is set on every run because torch keeps the count per thread: a thread that already
    existed keeps its own.
    """
    import torch  # here, so that pages without torch (home) never load it

    torch.set_num_threads(1)


PRESENT_KEY = "present"
_GLOBAL_KEYS = {PRESENT_KEY}
_GRID_MAX_CELLS = 64 * 64


# --------------------------------------------------------------------------- state table
def param(default: Any, *, lo: float | None = None, hi: float | None = None,
          choices: tuple | list | None = None, parse: Callable[[str], Any] | None = None) -> Any:
    """A field of a page's state table: its default and what the URL may set.

    A field with ``parse`` (a grid, an encoded image) has no bound widget: the page
    writes it to the URL itself, ``parse`` reads it back and raises ValueError on
    anything malformed.
    """
    meta = {"lo": lo, "hi": hi, "choices": tuple(choices) if choices else None, "parse": parse}
    if isinstance(default, np.ndarray):
        return dataclasses.field(default_factory=default.copy, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _fields(cls) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls)}


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory()  # type: ignore[misc]


def _coerce(raw: str, f: dataclasses.Field, item: bool = False) -> Any:
    """Parse one query-string value for field ``f`` (one ``item`` of a tuple field);
    raise ValueError when it is bad."""
    meta = f.metadata
    kind = str if item else type(_default(f))
    if meta.get("parse"):
        return meta["parse"](raw)
    if kind is bool:
        low = raw.strip().lower()
        if low not in ("true", "false"):
            raise ValueError("expected true or false")
        value: Any = low == "true"
    elif kind is int:
        value = int(raw)
    elif kind is float:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError("not a finite number")
    else:
        value = raw
    if meta.get("choices") is not None and value not in meta["choices"]:
        raise ValueError("expected one of " + ", ".join(map(str, meta["choices"])))
    if meta.get("lo") is not None and value < meta["lo"]:
        raise ValueError(f"below the minimum {meta['lo']}")
    if meta.get("hi") is not None and value > meta["hi"]:
        raise ValueError(f"above the maximum {meta['hi']}")
    return value


def load_state(cls: type[T], extra_keys: tuple[str, ...] = ()) -> T:
    """The page's state: defaults, overridden by every valid query parameter.

    Bad values are reported in one warning and fall back to the default; bound
    widgets drop them from the URL themselves, the grids are dropped here.
    Call it before creating the page's widgets.
    """
    fields = _fields(cls)
    values, problems = {}, []
    for key in list(st.query_params.keys()):
        raw = st.query_params.get(key, "")
        if key in fields:
            try:
                if isinstance(_default(fields[key]), tuple):  # a multiselect: key=a&key=b
                    values[key] = tuple(_coerce(v, fields[key], item=True)
                                        for v in st.query_params.get_all(key))
                else:
                    values[key] = _coerce(raw, fields[key])
            except (ValueError, OverflowError) as err:
                problems.append(f"`{key}={raw[:40]}` ({err})")
                if fields[key].metadata.get("parse"):
                    del st.query_params[key]
        elif key not in _GLOBAL_KEYS and key not in extra_keys:
            problems.append(f"`{key}` (not a setting of this page)")
    if problems:
        st.warning("Some link settings were not understood and use their defaults: "
                   + "; ".join(problems), icon="⚠️")
    return cls(**values)


def reset_button(cls: type, label: str = "Reset") -> None:
    """One click puts every setting of the page back to its default."""

    def _reset() -> None:
        for name, f in _fields(cls).items():
            if f.metadata.get("parse"):
                st.query_params.pop(name, None)
            else:
                st.session_state[name] = _default(f)

    st.button(label, on_click=_reset, help="Restore every default on this page")


# --------------------------------------------------------------------------- widgets
def _bounds(cls: type, name: str) -> tuple[Any, Any, Any]:
    f = _fields(cls)[name]
    return f.metadata.get("lo"), f.metadata.get("hi"), _default(f)


def slider(cls: type, name: str, label: str, container=st, **kwargs) -> Any:
    """A slider whose range and default come from the state table, bound to the URL."""
    lo, hi, default = _bounds(cls, name)
    return container.slider(label, lo, hi, default, key=name, bind="query-params", **kwargs)


def number(cls: type, name: str, label: str, container=st, **kwargs) -> Any:
    lo, hi, default = _bounds(cls, name)
    return container.number_input(label, lo, hi, default, key=name, bind="query-params",
                                  **kwargs)


def select(cls: type, name: str, label: str, container=st, radio: bool = False,
           **kwargs) -> Any:
    """A selectbox (or radio) bound to the URL. The options ARE the URL values:
    Streamlit writes a bound option's *displayed* text into the URL, so a
    ``format_func`` would make links disagree with the state table; pick short,
    readable option strings instead."""
    if "format_func" in kwargs:
        raise TypeError("_ui.select takes no format_func: the option text is the URL value")
    f = _fields(cls)[name]
    options = list(f.metadata["choices"])
    widget = container.radio if radio else container.selectbox
    extra = {"horizontal": True} if radio else {}
    return widget(label, options, index=options.index(_default(f)), key=name,
                  bind="query-params", **extra, **kwargs)


def toggle(cls: type, name: str, label: str, container=st, **kwargs) -> bool:
    return container.toggle(label, _default(_fields(cls)[name]), key=name,
                            bind="query-params", **kwargs)


# --------------------------------------------------------------------------- grids
def encode_grid(a: np.ndarray) -> str:
    return ";".join(",".join(f"{v:g}" for v in row) for row in np.asarray(a, dtype=float))


def decode_grid(text: str) -> np.ndarray:
    """``"1,2;3,4"`` -> 2x2 float array. Raises ValueError on anything else."""
    rows = [r for r in text.strip().split(";") if r.strip()]
    if not rows:
        raise ValueError("empty grid")
    cells = [[float(v) for v in r.replace(" ", ",").split(",") if v.strip()] for r in rows]
    if len({len(r) for r in cells}) != 1 or not cells[0]:
        raise ValueError("rows of different lengths")
    a = np.array(cells, dtype=float)
    if a.size > _GRID_MAX_CELLS or not np.all(np.isfinite(a)):
        raise ValueError("too large or not finite")
    return a


def grid(name: str, value: np.ndarray, default: np.ndarray, label: str,
         container=st) -> np.ndarray:
    """An editable number grid; edits go to the URL (the default is left out of it).

    The editor's key follows the grid's content, so a grid changed by code (random
    fill, reset, a resize) shows a fresh editor instead of replaying old edits.
    """
    value = np.asarray(value, dtype=float)
    edited = container.data_editor(
        value, key=f"_grid_{name}_{hash(value.tobytes()) & 0xFFFFFFFF:x}_{value.shape}",
        hide_index=True, width="stretch",
    )
    out = np.nan_to_num(np.asarray(edited, dtype=float))
    set_grid(name, out, default)
    container.caption(label)
    return out


def set_grid(name: str, value: np.ndarray, default: np.ndarray) -> None:
    if value.shape == default.shape and np.array_equal(value, default):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = encode_grid(value)


def encode_image(img: np.ndarray) -> str:
    """A small grey image (uint8, at most 64x64) as URL-safe text: ``b64:H:W:<base64>``."""
    a = np.clip(np.asarray(img), 0, 255).astype(np.uint8)
    if a.ndim != 2 or a.size > _GRID_MAX_CELLS:
        raise ValueError("expected a 2-D image of at most 64x64 pixels")
    payload = base64.urlsafe_b64encode(a.tobytes()).decode().rstrip("=")
    return f"b64:{a.shape[0]}:{a.shape[1]}:{payload}"


def decode_image(text: str) -> np.ndarray:
    """Inverse of :func:`encode_image`; raises ValueError on anything malformed."""
    try:
        tag, h, w, payload = text.split(":", 3)
        h, w = int(h), int(w)
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (ValueError, binascii.Error) as err:
        raise ValueError("not an encoded image") from err
    if tag != "b64" or not (0 < h * w <= _GRID_MAX_CELLS) or len(raw) != h * w:
        raise ValueError("not an encoded image")
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w).copy()


# --------------------------------------------------------------------------- presenter mode
def presenter() -> bool:
    """``present=1`` in the URL: the stage view. It sticks for the session, across pages."""
    if PRESENT_KEY in st.query_params:
        st.session_state["_present"] = st.query_params[PRESENT_KEY] in ("1", "true")
    elif st.session_state.get("_present"):
        st.query_params[PRESENT_KEY] = "1"  # keep it in every page's link
    return bool(st.session_state.get("_present", False))


def presenter_switch() -> None:
    """A sidebar switch for presenter mode (it writes ``present=1`` into the URL)."""

    def _flip() -> None:
        on = st.session_state["_present_switch"]
        st.session_state["_present"] = on
        if on:
            st.query_params[PRESENT_KEY] = "1"
        else:
            st.query_params.pop(PRESENT_KEY, None)

    st.sidebar.toggle("Presenter mode", value=presenter(), key="_present_switch",
                      on_change=_flip, help="Large type, wide layout, fewer controls")


def apply_presenter_style() -> None:
    """Large type for the back of the room; called once by app.py."""
    if presenter():
        st.html("<style>html, .stMarkdown p, .stMarkdown li {font-size: 1.25rem;}"
                "h1 {font-size: 3rem !important;}</style>")


def secondary(label: str = "More settings"):
    """Where secondary controls go: folded away in presenter mode, open otherwise."""
    return st.expander(label, expanded=not presenter())


def page_title(title: str, slide: str, lead: str) -> None:
    """The page heading, the talk slide it belongs to and one sentence of context."""
    st.title(title)
    st.caption(f"Talk slide: *{slide}*")
    if lead:
        st.markdown(lead)
