"""The URL-state layer: each page's settings, declared once, kept in the link.

A page declares its state table in ``pages/_states/<url_path>.py``: a dataclass with a
``PAGE`` class attribute (its url path) and fields made with :func:`param`. Types come
from the annotations (``int``, ``float``, ``bool``, ``str``, ``tuple[float, ...]``);
``param`` adds the default and what a link may set (bounds, choices, lengths, a parser).

* :func:`load_state` reads the query string before any widget exists: every value is
  checked against the table, and whatever is not understood is named in ONE warning
  (the field, the value, the default used instead).
* The widget helpers (:func:`slider`, :func:`select`, ...) create Streamlit's own
  widgets under a session key of the page's own (:func:`key`: ``"<page>.<field>"``),
  so no field of one page can reach another; the URL keeps the bare field names.
  The layer syncs URL and session itself (Streamlit's ``bind="query-params"`` would
  use the namespaced key as the URL name): a value that arrives in the URL (a link,
  a changed query string) sets the widget, a widget's value is written back, and a
  field at its default is left out of the link.
* :func:`link` / :func:`link_to` build a relative link to a page from a state object,
  holding only the non-default fields.
* :func:`plain` escapes text that a user or a link supplies before it is shown.
* :func:`embedded` draws a page's view inside another page (the deck's live slides):
  within ``with embedded("talk.12"):`` the state comes from a preset, not the link, and
  every session key lives under the scope (``"talk.12/<page>.<field>"``), so the view
  neither reads nor writes the query string and two slides never share a value.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import contextvars
import dataclasses
import functools
import importlib
import math
import re
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlencode

import numpy as np
import streamlit as st

T = TypeVar("T")
GLOBAL_KEYS = frozenset({"present"})  # query parameters every page accepts
GRID_MAX_CELLS = 64 * 64
_SEEN = "_ui_url_seen"  # session: {page: {field: its URL value as last read or written}}
# The scope of the embedded view being drawn, if any. Streamlit runs each session's script
# in a thread of its own, and a context variable is per thread: sessions never see
# each other's scope.
_SCOPE: contextvars.ContextVar[str | None] = contextvars.ContextVar("ui_scope", default=None)


# --------------------------------------------------------------------------- text
_MARKUP = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# GitHub-flavoured Markdown links bare URLs and e-mail addresses AFTER escapes are read
# (a transform on the text), so an invisible word joiner breaks those patterns instead.
_AUTOLINK = re.compile(r"(?i)(:|@|\bwww(?=\.))")
_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` escaped for Streamlit's Markdown: shown as typed, never as markup.

    Every ASCII punctuation character gets a backslash (CommonMark's escape), so no
    link, image, code span, emphasis, HTML tag, LaTeX, ``:emoji:`` or ``:color[...]``
    can be formed; a word joiner (invisible) after ``:``, before ``@`` and after
    ``www`` stops bare URLs and addresses from becoming links; line breaks become spaces.
    """
    text = re.sub(r"[\r\n\t\v\f]", " ", str(text))
    text = _AUTOLINK.sub(lambda m: _JOINER + m[1] if m[1] == "@" else m[1] + _JOINER, text)
    return _MARKUP.sub(r"\\\1", text)


def number_text(v: float) -> str:
    """The shortest text that reads back as exactly ``v`` (``0.1``, ``3``, ``1e-07``)."""
    v = float(v)
    if v == 0:
        return "0"
    for digits in (6, 12, 17):
        text = f"{v:.{digits}g}"
        if float(text) == v:
            return text
    return repr(v)  # pragma: no cover - 17 significant digits always round-trip


# --------------------------------------------------------------------------- the table
def param(default: Any, *, lo: float | None = None, hi: float | None = None,
          choices: tuple | list | Callable[[], Any] | None = None, max_len: int | None = None,
          max_items: int | None = None, parse: Callable[[str], Any] | None = None) -> Any:
    """A field of a page's state table: its default and what a link may set.

    ``choices`` may be a function returning the allowed values (computed when they are
    checked). ``max_len`` bounds a string (each item of a tuple of strings), ``max_items``
    a tuple. A field with ``parse`` (a grid, an encoded picture) has no widget of the
    layer: ``parse`` reads its URL text and raises ValueError on anything malformed.
    """
    meta = {"lo": lo, "hi": hi, "max_len": max_len, "max_items": max_items, "parse": parse,
            "choices": choices if choices is None or callable(choices) else tuple(choices)}
    if isinstance(default, np.ndarray):
        return dataclasses.field(default_factory=default.copy, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class Spec:
    """One field, as the layer uses it: its URL name, item type and limits."""

    name: str
    kind: type | None  # int, float, bool or str; None for a field with ``parse``
    many: bool  # a tuple: repeated in the URL (``opts=gd&opts=adam``)
    default: Any
    lo: Any
    hi: Any
    choices: tuple | Callable[[], Any] | None
    max_len: int | None
    max_items: int | None
    parse: Callable[[str], Any] | None

    def options(self) -> tuple | None:
        return tuple(self.choices()) if callable(self.choices) else self.choices


_KINDS = (bool, int, float, str)


@functools.cache
def specs(cls: type) -> dict[str, Spec]:
    """The table ``cls`` read once: raises TypeError on a field the layer cannot hold."""
    if not isinstance(getattr(cls, "PAGE", None), str):
        raise TypeError(f"{cls.__name__} needs PAGE: ClassVar[str], the page's url path")
    hints = typing.get_type_hints(cls)
    out = {}
    for f in dataclasses.fields(cls):
        meta = f.metadata
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        hint, many, kind = hints[f.name], False, None
        if typing.get_origin(hint) is tuple or hint is tuple:
            many, args = True, typing.get_args(hint)
            hint = args[0] if args else str
        elif typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        if meta.get("parse") is None:
            if hint not in _KINDS:
                raise TypeError(f"{cls.__name__}.{f.name}: annotate it as int, float, bool, "
                                "str or tuple[...] of one of them, or give it parse=")
            kind = hint
            default = tuple(kind(v) for v in default) if many else kind(default)
        lo, hi = meta.get("lo"), meta.get("hi")
        if kind in (int, float):
            lo, hi = (None if lo is None else kind(lo)), (None if hi is None else kind(hi))
        out[f.name] = Spec(f.name, kind, many, default, lo, hi, meta.get("choices"),
                           meta.get("max_len"), meta.get("max_items"), meta.get("parse"))
    return out


def _spec(cls: type, name: str) -> Spec:
    try:
        return specs(cls)[name]
    except KeyError:
        raise KeyError(f"{cls.__name__} has no field {name!r}") from None


def key(cls: type, name: str) -> str:
    """The session-state key of a field: ``"<page>.<field>"``, this page's alone; inside
    :func:`embedded`, ``"<scope>/<page>.<field>"``.

    ``name`` may also name something of the page's view that is not a field (a button,
    a canvas, what a session keeps: ``key(HotdogState, "examples")``), so that it is
    scoped too; :func:`value`, :func:`set_value` and the widgets check field names."""
    scope = _SCOPE.get()
    return f"{scope}/{cls.PAGE}.{name}" if scope else f"{cls.PAGE}.{name}"


# --------------------------------------------------------------------------- embedded views
@contextlib.contextmanager
def embedded(scope: str) -> Iterator[None]:
    """Draw a page's view inside another page: ``with embedded("talk.12"): view(...)``.

    Inside, :func:`load_state` builds the state from its ``preset`` (checked like a
    link), every key (:func:`key`, the widget helpers, :func:`value`, :func:`set_value`,
    :func:`reset`) lives under ``scope``, and the query string is neither read nor
    written: the host page's link stays its own. Contexts nest; the innermost wins.
    """
    if not scope or "/" in scope:
        raise ValueError(f"a scope is a non-empty name without '/': {scope!r}")
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def in_scope(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` bound to the scope it is drawn in: Streamlit runs callbacks before the
    script, outside any :func:`embedded` context, so a callback that calls
    :func:`set_value` or :func:`key` is passed as ``on_click=in_scope(callback)``."""
    return functools.partial(_call_in, _SCOPE.get(), callback)


def _call_in(scope_name: str | None, callback: Callable[..., Any], *args: Any,
             **kwargs: Any) -> Any:
    with embedded(scope_name) if scope_name else contextlib.nullcontext():
        return callback(*args, **kwargs)


def scope() -> str | None:
    """The scope of the embedded view being drawn, or None on a page of its own."""
    return _SCOPE.get()


def forget(scope_name: str) -> None:
    """Drop every session value of ``scope_name``: its view starts from its preset again."""
    prefix = scope_name + "/"
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[k]


# --------------------------------------------------------------------------- text <-> value
class BadValue(ValueError):
    """A URL value the table refuses: ``shown`` is the offending text."""

    def __init__(self, shown: str, reason: str):
        super().__init__(reason)
        self.shown = shown


def _one(spec: Spec, raw: str) -> Any:
    text = raw.strip()
    try:
        if spec.kind is bool:
            if text.lower() not in ("true", "false"):
                raise ValueError("expected true or false")
            value: Any = text.lower() == "true"
        elif spec.kind is int:
            value = int(text)
        elif spec.kind is float:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError("not a finite number")
        else:
            value = raw
            if spec.max_len is not None and len(raw) > spec.max_len:
                raise ValueError(f"longer than {spec.max_len} characters")
    except ValueError as err:
        reason = str(err) if spec.kind in (bool, str) or "finite" in str(err) else (
            "not a whole number" if spec.kind is int else "not a number")
        raise BadValue(raw, reason) from None
    options = spec.options()
    if options is not None and value not in options:
        raise BadValue(raw, "not one of " + ", ".join(map(str, options)))
    if spec.lo is not None and value < spec.lo:
        raise BadValue(raw, f"below the minimum {spec.lo}")
    if spec.hi is not None and value > spec.hi:
        raise BadValue(raw, f"above the maximum {spec.hi}")
    return value


def from_url(spec: Spec, raws: list[str]) -> Any:
    """The value of a field from its URL texts; raises BadValue."""
    if spec.parse is not None:
        try:
            return spec.parse(raws[-1])
        except (ValueError, OverflowError) as err:
            raise BadValue(raws[-1], str(err)) from None
    if spec.many:
        if raws == [""]:
            return ()
        if spec.max_items is not None and len(raws) > spec.max_items:
            raise BadValue(",".join(raws), f"more than {spec.max_items} items")
        return tuple(_one(spec, r) for r in raws)
    return _one(spec, raws[-1])


def _text(spec: Spec, value: Any) -> str:
    if isinstance(value, np.ndarray):
        return encode_grid(value)
    if spec.kind is bool:
        return "true" if value else "false"
    if spec.kind is float:
        return number_text(value)
    return str(value)


def to_url(spec: Spec, value: Any) -> list[str] | None:
    """A field's URL texts, or None when the value is the default (left out of links)."""
    if is_default(spec, value):
        return None
    if spec.many:
        return [_text(spec, v) for v in value] or [""]
    return [_text(spec, value)]


def is_default(spec: Spec, value: Any) -> bool:
    d = spec.default
    if isinstance(value, np.ndarray) or isinstance(d, np.ndarray):
        return (isinstance(value, np.ndarray) and isinstance(d, np.ndarray)
                and value.shape == d.shape and bool(np.array_equal(value, d)))
    if spec.many:
        return tuple(value) == d
    return value == d and type(value) is type(d)


def _shown_default(spec: Spec) -> str:
    if spec.default is None or (spec.many and not spec.default):
        return ""
    return ", ".join(map(str, spec.default)) if spec.many else _text(spec, spec.default)


# --------------------------------------------------------------------------- links
def link(state: Any) -> str:
    """A relative link to ``state``'s page holding its non-default fields:
    ``link(ConvState(stride=2))`` -> ``"convolution?stride=2"``."""
    cls = type(state)
    pairs = []
    for name, spec in specs(cls).items():
        texts = to_url(spec, getattr(state, name))
        pairs += [(name, t) for t in texts or ()]
    return cls.PAGE + ("?" + urlencode(pairs) if pairs else "")


def state_class(page: str) -> type:
    """The state table of the page with url path ``page`` (``pages/_states/<page>.py``)."""
    module = importlib.import_module(f"pages._states.{page}")
    for obj in vars(module).values():
        if dataclasses.is_dataclass(obj) and getattr(obj, "PAGE", None) == page:
            return obj
    raise LookupError(f"pages/_states/{page}.py declares no state table with PAGE = {page!r}")


def link_to(page: str, **fields: Any) -> str:
    """:func:`link` from the url path: ``link_to("convolution", stride=2)``; a field the
    table does not have raises TypeError."""
    return link(state_class(page)(**fields))


# --------------------------------------------------------------------------- URL <-> session
def _seen(cls: type) -> dict[str, list[str] | None]:
    return st.session_state.setdefault(_SEEN, {}).setdefault(cls.PAGE, {})


def _url(name: str) -> list[str] | None:
    return st.query_params.get_all(name) if name in st.query_params else None


def _for_session(spec: Spec, value: Any) -> Any:
    return list(value) if spec.many else value


def _from_session(spec: Spec, value: Any) -> Any:
    return tuple(value) if spec.many else value


def _write_url(cls: type, spec: Spec, value: Any) -> None:
    if _SCOPE.get():
        return  # an embedded view leaves the host page's link alone
    texts = to_url(spec, value)
    if _url(spec.name) != texts:
        if texts is None:
            del st.query_params[spec.name]
        else:
            st.query_params[spec.name] = texts if spec.many else texts[0]
    _seen(cls)[spec.name] = texts


def load_state(cls: type[T], preset: dict[str, Any] | None = None) -> T:
    """The page's state, and its session values set for the widgets. Call it first.

    Inside :func:`embedded`, the state comes from ``preset`` (field values, checked as a
    link's would be) the first time the scope draws it, and from the scope's session
    values after that; the query string is not touched. Outside, ``preset`` must be None.

    A field whose URL value changed since the layer last read or wrote it (a link, an
    edited query string, a value sent twice with a default in between) takes the URL's
    value; otherwise the session's value (what a widget or a callback set) is the truth
    and is written to the URL. Values the table refuses are named in one warning, fall
    back to the default and leave the URL, as do query parameters the page does not have.
    """
    if _SCOPE.get():
        return _load_embedded(cls, preset or {})
    if preset:
        raise ValueError("load_state(preset=...) is for an embedded view (_ui.embedded)")
    table, seen = specs(cls), _seen(cls)
    problems, values = [], {}
    for name in list(st.query_params.keys()):
        if name not in table and name not in GLOBAL_KEYS:
            problems.append(f"**{plain(name)}** is not a setting of this page")
            del st.query_params[name]
    for name, spec in table.items():
        k, raws = key(cls, name), _url(name)
        if spec.parse is not None or name not in seen or seen[name] != raws \
                or k not in st.session_state:
            value = spec.default
            if raws is not None:
                try:
                    value = from_url(spec, raws)
                except BadValue as bad:
                    problems.append(_problem(name, bad.shown, bad, spec))
                    del st.query_params[name]
                    raws = None
            st.session_state[k] = _for_session(spec, value)
            seen[name] = raws
        else:
            # Reassigned so that Streamlit keeps it on runs that do not draw its widget;
            # a choice that a run-time list (a vocabulary, the devices) no longer holds
            # falls back to the default.
            current = st.session_state[k]
            if callable(spec.choices) and not _still_allowed(spec, current):
                current = _for_session(spec, spec.default)
            st.session_state[k] = current
            if spec.parse is None:
                _write_url(cls, spec, st.session_state[k])
        values[name] = _from_session(spec, st.session_state[k])
    if problems:
        st.warning("Some settings in the link were not understood: "
                   + "; ".join(problems) + ".", icon="⚠️")
    return cls(**values)


def _problem(name: str, shown: str, reason: object, spec: Spec) -> str:
    return (f"**{name}** = {plain(shown[:60])}{'…' if len(shown) > 60 else ''} "
            f"({plain(reason)}), so the default {plain(_shown_default(spec))} is used"
            ).replace("  ", " ")


def _load_embedded(cls: type[T], preset: dict[str, Any]) -> T:
    """:func:`load_state` inside :func:`embedded`: the preset, then the scope's session."""
    table, problems, values = specs(cls), [], {}
    for name in preset:
        if name not in table:
            problems.append(f"**{plain(name)}** is not a setting of this page")
    for name, spec in table.items():
        k = key(cls, name)
        if k not in st.session_state:
            value = spec.default
            if name in preset:
                try:  # the preset goes through the link's checks: a slide is a link
                    texts = to_url(spec, preset[name])
                    value = spec.default if texts is None else from_url(spec, texts)
                except BadValue as bad:
                    problems.append(_problem(name, bad.shown, bad, spec))
                except (TypeError, ValueError) as err:  # not even of the field's type
                    problems.append(_problem(name, repr(preset[name]), err, spec))
            st.session_state[k] = _for_session(spec, value)
        else:
            current = st.session_state[k]
            if callable(spec.choices) and not _still_allowed(spec, current):
                current = _for_session(spec, spec.default)
            st.session_state[k] = current  # kept on runs that do not draw its widget
        values[name] = _from_session(spec, st.session_state[k])
    if problems:
        st.warning("Some settings of this view were not understood: "
                   + "; ".join(problems) + ".", icon="⚠️")
    return cls(**values)


def _still_allowed(spec: Spec, current: Any) -> bool:
    options = spec.options()
    return all(v in options for v in (current if spec.many else [current]))


def value(cls: type, name: str) -> Any:
    """A field's current value in this session (its default before :func:`load_state`)."""
    spec = _spec(cls, name)
    return _from_session(spec, st.session_state.get(key(cls, name), spec.default))


def set_value(cls: type, name: str, new: Any, default: Any = dataclasses.MISSING) -> None:
    """Set a field from code (a callback, a random fill) in the session and the URL.
    ``default``, when given, is what leaves the field out of the link (a grid's default
    depends on other settings)."""
    spec = _spec(cls, name)
    st.session_state[key(cls, name)] = _for_session(spec, new)
    if default is not dataclasses.MISSING:
        spec = dataclasses.replace(spec, default=default)
    _write_url(cls, spec, new)


def reset(cls: type) -> None:
    """Every field of the page back to its default, in the session and the URL."""
    for name, spec in specs(cls).items():
        st.session_state[key(cls, name)] = _for_session(spec, spec.default)
        if not _SCOPE.get():
            st.query_params.pop(name, None)
            _seen(cls)[name] = None


def reset_button(cls: type, label: str = "Reset", container=st) -> None:
    """One click puts every setting of the page back to its default."""
    container.button(label, on_click=in_scope(reset), args=(cls,), key=key(cls, "_reset"),
                     help="Restore every default on this page")


# --------------------------------------------------------------------------- widgets
def _widget(cls: type, name: str, make: Callable[[str, Spec], Any]) -> Any:
    spec, k = _spec(cls, name), key(cls, name)
    if k not in st.session_state:
        raise RuntimeError(f"call _ui.load_state({cls.__name__}) before its widgets")
    got = make(k, spec)
    _write_url(cls, spec, got)
    return _from_session(spec, got)


def slider(cls: type, name: str, label: str, container=st, **kwargs) -> Any:
    """A slider whose range comes from the state table (``max_value=`` narrows it)."""
    lo, hi = kwargs.pop("min_value", None), kwargs.pop("max_value", None)
    return _widget(cls, name, lambda k, s: container.slider(
        label, s.lo if lo is None else lo, s.hi if hi is None else hi, key=k, **kwargs))


def number(cls: type, name: str, label: str, container=st, **kwargs) -> Any:
    return _widget(cls, name, lambda k, s: container.number_input(
        label, min_value=s.lo, max_value=s.hi, key=k, **kwargs))


def select(cls: type, name: str, label: str, container=st, radio: bool = False,
           **kwargs) -> Any:
    """A selectbox (or horizontal radio) over the field's choices; the link holds the
    choice itself, so a ``format_func`` may show it in other words."""
    def make(k: str, s: Spec) -> Any:
        if radio:
            return container.radio(label, list(s.options()), key=k,
                                   horizontal=kwargs.pop("horizontal", True), **kwargs)
        return container.selectbox(label, list(s.options()), key=k, **kwargs)
    return _widget(cls, name, make)


def multiselect(cls: type, name: str, label: str, container=st, **kwargs) -> tuple:
    """Several of the field's choices; ``max_items`` of the table bounds the selection."""
    return _widget(cls, name, lambda k, s: container.multiselect(
        label, list(s.options()), key=k, max_selections=s.max_items, **kwargs))


def toggle(cls: type, name: str, label: str, container=st, **kwargs) -> bool:
    return _widget(cls, name, lambda k, s: container.toggle(label, key=k, **kwargs))


def text(cls: type, name: str, label: str, container=st, **kwargs) -> str:
    """A text box; ``max_len`` of the table is its maximum length (``max_chars=None``
    lets longer text in, for a page that reports it). Show what it returns with
    :func:`plain` (or ``st.text``), never as Markdown."""
    max_chars = kwargs.pop("max_chars", dataclasses.MISSING)
    return _widget(cls, name, lambda k, s: container.text_input(
        label, key=k, max_chars=s.max_len if max_chars is dataclasses.MISSING else max_chars,
        **kwargs))


# --------------------------------------------------------------------------- encodings
def encode_grid(a: np.ndarray) -> str:
    """A grid as URL text, ``1,2;3,4``, each number in its shortest exact form."""
    return ";".join(",".join(number_text(v) for v in row) for row in np.asarray(a, dtype=float))


def decode_grid(text: str, limit: float = 1e6) -> np.ndarray:
    """``"1,2;3,4"`` -> 2x2 float array. Raises ValueError on anything else, on more
    than 64x64 cells and on a number beyond ±``limit``."""
    rows = [r for r in text.strip().split(";") if r.strip()]
    if not rows:
        raise ValueError("empty grid")
    cells = [[float(v) for v in r.replace(" ", ",").split(",") if v.strip()] for r in rows]
    if len({len(r) for r in cells}) != 1 or not cells[0]:
        raise ValueError("rows of different lengths")
    a = np.array(cells, dtype=float)
    if a.size > GRID_MAX_CELLS:
        raise ValueError("more than 64×64 numbers")
    if not np.all(np.isfinite(a)) or np.abs(a).max() > limit:
        raise ValueError(f"a number is not between -{limit:.0f} and {limit:.0f}")
    return a


def encode_image(img: np.ndarray) -> str:
    """A small grey image (uint8, at most 64x64) as URL-safe text: ``b64:H:W:<base64>``."""
    a = np.clip(np.asarray(img), 0, 255).astype(np.uint8)
    if a.ndim != 2 or a.size > GRID_MAX_CELLS:
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
    if tag != "b64" or not (0 < h * w <= GRID_MAX_CELLS) or len(raw) != h * w:
        raise ValueError("not an encoded image")
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w).copy()
