"""The URL codec: each page's settings, declared once, as text and back. Pure Python.

A page declares its state table in ``ui/states/<url_path>.py``: a dataclass with a
``PAGE`` class attribute (its url path) and fields made with :func:`param`. Types come
from the annotations (``int``, ``float``, ``bool``, ``str``, ``tuple[float, ...]``);
``param`` adds the default and what a link may set (bounds, choices, lengths, a parser).

* :func:`from_url` / :func:`to_url` turn a field's URL texts into its typed value and
  back; a value the table refuses raises :class:`BadValue`, which names the text.
* :func:`link` / :func:`link_to` build a relative link to a page from a state object,
  holding only the non-default fields.
* :func:`plain` escapes text that a user or a link supplies before it is shown.

It imports no Streamlit: ``ui/binding.py`` binds it to widgets, the session and the URL.
Reference: TensorFlow Playground's ``state.ts`` (one typed table is the truth).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import importlib
import math
import re
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import numpy as np

from dlcore.numbers import exact

T = TypeVar("T")


GLOBAL_KEYS = frozenset({"present"})  # query parameters every page accepts


GRID_MAX_CELLS = 64 * 64


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


def spec_of(cls: type, name: str) -> Spec:
    try:
        return specs(cls)[name]
    except KeyError:
        raise KeyError(f"{cls.__name__} has no field {name!r}") from None


class BadValue(ValueError):
    """A URL value the table refuses: ``shown`` is the offending text."""

    def __init__(self, shown: str, reason: str):
        super().__init__(reason)
        self.shown = shown


_TRUE = frozenset({"1", "true", "yes", "on"})  # what a link may say for a switch
_FALSE = frozenset({"0", "false", "no", "off"})


def _one(spec: Spec, raw: str) -> Any:
    text = raw.strip()
    try:
        if spec.kind is bool:
            word = text.lower()
            if word not in _TRUE and word not in _FALSE:
                raise ValueError("expected 1/0, true/false or yes/no")
            value: Any = word in _TRUE
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
        raise BadValue(raw, "not one of " + _options_text(options))
    if spec.lo is not None and value < spec.lo:
        raise BadValue(raw, f"below the minimum {spec.lo}")
    if spec.hi is not None and value > spec.hi:
        raise BadValue(raw, f"above the maximum {spec.hi}")
    return value


SHOWN_OPTIONS = 12  # choices named in a warning; a longer list ends with "and N more"
SHOWN_CHARS = 60  # characters of a refused value (or of a reason) quoted in a warning


def _options_text(options: tuple) -> str:
    """The choices for a warning: "(empty)" for the empty choice (no stray comma), at
    most :data:`SHOWN_OPTIONS` of them."""
    names = ["(empty)" if o == "" else str(o) for o in options]
    more = len(names) - SHOWN_OPTIONS
    return ", ".join(names[:SHOWN_OPTIONS]) + (f" and {more} more" if more > 0 else "")


def _short(text: str, limit: int = SHOWN_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def fits(spec: Spec, value: Any) -> bool:
    """Whether ``value`` keeps the table's limits (length, items, bounds): only such a
    value is written into the link, so a link never carries what it would refuse."""
    if spec.parse is not None:
        return True
    items = list(value) if spec.many else [value]
    if spec.many and spec.max_items is not None and len(items) > spec.max_items:
        return False
    for v in items:
        if isinstance(v, str) and spec.max_len is not None and len(v) > spec.max_len:
            return False
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
                return False
    return True


def from_url(spec: Spec, raws: list[str]) -> Any:
    """The value of a field from its URL texts; raises BadValue."""
    if spec.parse is not None:
        try:
            return spec.parse(raws[-1])
        except (ValueError, OverflowError) as err:
            raise BadValue(raws[-1], _short(str(err), 2 * SHOWN_CHARS)) from None
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
        return exact(value)
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
    """The state table of the page with url path ``page`` (``ui/states/<page>.py``)."""
    module = importlib.import_module(f"ui.states.{page}")
    for obj in vars(module).values():
        if dataclasses.is_dataclass(obj) and getattr(obj, "PAGE", None) == page:
            return obj
    raise LookupError(f"ui/states/{page}.py declares no state table with PAGE = {page!r}")


def link_to(page: str, **fields: Any) -> str:
    """:func:`link` from the url path: ``link_to("convolution", stride=2)``; a field the
    table does not have raises TypeError."""
    return link(state_class(page)(**fields))


def problem_text(name: str, shown: str, reason: object, spec: Spec) -> str:
    return (f"**{name}** = {plain(_short(shown))} "
            f"({plain(reason)}), so the default {plain(_shown_default(spec))} is used"
            ).replace("  ", " ")


def encode_grid(a: np.ndarray) -> str:
    """A grid as URL text, ``1,2;3,4``, each number in its shortest exact form."""
    return ";".join(",".join(exact(v) for v in row) for row in np.asarray(a, dtype=float))


def decode_grid(text: str, limit: float = 1e6) -> np.ndarray:
    """``"1,2;3,4"`` -> 2x2 float array. Raises ValueError on anything else, on more
    than 64x64 cells and on a number beyond ±``limit``."""
    if len(text) > GRID_MAX_CELLS * 32:
        raise ValueError(f"longer than {GRID_MAX_CELLS * 32:,} characters")
    rows = [r for r in text.strip().split(";") if r.strip()]
    if not rows:
        raise ValueError("empty grid")
    try:
        cells = [[float(v) for v in r.replace(" ", ",").split(",") if v.strip()] for r in rows]
    except ValueError:
        raise ValueError("a cell is not a number") from None
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
