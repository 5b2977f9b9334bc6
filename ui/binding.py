"""The binding of the URL codec (``ui/codec.py``) to Streamlit: session, widgets, URL.

* :func:`load_state` reads the query string before any widget exists: every value is
  checked against the table, and whatever is not understood is named in ONE warning
  (the field, the value, the default used instead).
* The widget helpers (:func:`slider`, :func:`select`, ...) create Streamlit's own
  widgets under a session key of the page's own (:func:`key`: ``"<page>.<field>"``),
  so no field of one page can reach another; the URL keeps the bare field names.
  A value that arrives in the URL (a link, a changed query string) sets the widget, a
  widget's value is written back, and a field at its default is left out of the link.
* :func:`embedded` draws a page's view inside another page (the deck's live slides):
  within ``with embedded("talk.12"):`` the state comes from a preset, not the link, and
  every session key lives under the scope (``"talk.12/<page>.<field>"``), so the view
  neither reads nor writes the query string and two slides never share a value.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import streamlit as st

from ui.codec import (  # noqa: F401  (re-exported for the pages through ui.kit)
    GLOBAL_KEYS,
    BadValue,
    Spec,
    decode_grid,
    decode_image,
    encode_grid,
    encode_image,
    fits,
    from_url,
    is_default,
    link,
    link_to,
    param,
    plain,
    problem_text,
    spec_of,
    specs,
    state_class,
    to_url,
)
from ui.components import query_watch

T = TypeVar("T")

_SEEN = "_ui_url_seen"  # session: {page: {field: its URL value as last read or written}}


# The scope of the embedded view being drawn, if any. Streamlit runs each session's script
# in a thread of its own, and a context variable is per thread: sessions never see
# each other's scope.
_SCOPE: contextvars.ContextVar[str | None] = contextvars.ContextVar("ui_scope", default=None)


_EMBEDDED = "_ui_embedded"  # session: {page: scope} of the views the last run embedded
_MOVED = "_ui_moved"  # session: a person changed something in this rerun (mark_moved)
_CUT = "_ui_cut"  # session: {widget key: length} of texts cut to their field's max_len


def key(cls: type, name: str) -> str:
    """The session-state key of a field: ``"<page>.<field>"``, this page's alone; inside
    :func:`embedded`, ``"<scope>/<page>.<field>"``.

    ``name`` may also name something of the page's view that is not a field (a button,
    a canvas, what a session keeps: ``key(HotdogState, "examples")``), so that it is
    scoped too; :func:`value`, :func:`set_value` and the widgets check field names."""
    scope_name = _scope_of(cls)
    return f"{scope_name}/{cls.PAGE}.{name}" if scope_name else f"{cls.PAGE}.{name}"


def _scope_of(cls: type) -> str | None:
    """The scope ``cls``'s keys live under: the context's; outside one, the scope that
    this session's last run drew the page's view in, if it drew it embedded. Streamlit
    runs callbacks (before the script) and fragment reruns outside any context, and what
    they touch belongs to a widget of the last run, so they reach the right scope without
    help. The page's keys stay in that scope until a page's own :func:`load_state` starts
    a run; a host that embeds one page twice in a run binds its callbacks with
    :func:`in_scope` (this finds the last one)."""
    current = _SCOPE.get()
    if current:
        return current
    try:
        return st.session_state.get(_EMBEDDED, {}).get(cls.PAGE)
    except Exception:  # noqa: BLE001 - no session at all (a bare import): no scope
        return None


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


def in_scope(callback: Callable[..., T]) -> Callable[..., T]:
    """``callback`` bound to the scope it is made in, explicitly. Streamlit runs callbacks
    before the script and reruns a fragment alone, both outside any :func:`embedded`
    context; :func:`key` finds their scope by itself (the page's scope in the last run),
    and this states it where a callback should not depend on that. A callback is a
    person's doing: it marks the rerun (:func:`mark_moved`)."""
    scope_name = _SCOPE.get()

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> T:
        mark_moved()
        with embedded(scope_name) if scope_name else contextlib.nullcontext():
            return callback(*args, **kwargs)

    return run


def mark_moved() -> None:
    """A person changed something in this rerun (a widget, a button, a key; the binding's
    widgets and :func:`in_scope` callbacks mark it themselves).

    The browser sends its address with every rerun, as the address bar shows it when the
    rerun is asked for, which may be before the last run's new link has arrived: the
    older link, which would otherwise be taken as a link to follow and undo what the
    last run set (a clicker key pressed just after a click on the canvas on a busy
    server; a second word typed right after a first). So in a marked rerun
    :func:`load_state` keeps the session's values and writes them back. Browser Back
    and a typed link change nothing on the page: there the address wins, as before."""
    st.session_state[_MOVED] = True


def end_of_run() -> None:
    """The run (or a fragment's rerun) is over: its mark is spent."""
    st.session_state.pop(_MOVED, None)


def _marking(kwargs: dict) -> dict:
    """A widget's keyword arguments with an ``on_change`` that marks the rerun, then calls
    the caller's own (with the widget's ``args``/``kwargs``)."""
    own = kwargs.get("on_change")

    def changed(*args: Any, **kw: Any) -> None:
        mark_moved()
        if own is not None:
            own(*args, **kw)

    return {**kwargs, "on_change": changed}


def scope() -> str | None:
    """The scope of the embedded view being drawn, or None on a page of its own."""
    return _SCOPE.get()


def forget(scope_name: str) -> None:
    """Drop every session value of ``scope_name``: its view starts from its preset again."""
    prefix = scope_name + "/"
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[k]


def _seen(cls: type) -> dict[str, list[str] | None]:
    return st.session_state.setdefault(_SEEN, {}).setdefault(cls.PAGE, {})


def _url(name: str) -> list[str] | None:
    return st.query_params.get_all(name) if name in st.query_params else None


def _for_session(spec: Spec, value: Any) -> Any:
    return list(value) if spec.many else value


def _from_session(spec: Spec, value: Any) -> Any:
    return tuple(value) if spec.many else value


def _write_url(cls: type, spec: Spec, value: Any) -> None:
    if _scope_of(cls):
        return  # an embedded view leaves the host page's link alone
    if not fits(spec, value):
        return  # over a limit: the link keeps its last good value (issue 23)
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
        raise ValueError("load_state(preset=...) is for an embedded view (kit.embedded)")
    st.session_state.pop(_EMBEDDED, None)  # a new run of a page: no view embedded yet
    table, seen = specs(cls), _seen(cls)
    problems, values = [], {}
    unknown = [n for n in st.query_params.keys() if n not in table and n not in GLOBAL_KEYS]
    if unknown:  # one write for all of them: each del sends the browser the whole string
        problems += [f"**{plain(name)}** is not a setting of this page" for name in unknown]
        st.query_params.from_dict({n: st.query_params.get_all(n)
                                   for n in st.query_params.keys() if n in table or n in GLOBAL_KEYS})
    moved = st.session_state.pop(_MOVED, False)  # then the address may be an old one
    for name, spec in table.items():
        k, raws = key(cls, name), _url(name)
        if spec.parse is not None or name not in seen or k not in st.session_state \
                or (seen[name] != raws and not moved):
            value = spec.default
            if raws is not None:
                try:
                    value = from_url(spec, raws)
                except BadValue as bad:
                    problems.append(problem_text(name, bad.shown, bad, spec))
                    del st.query_params[name]
                    raws = None
            st.session_state[k] = _for_session(spec, value)
            seen[name] = raws
        else:
            _keep(spec, k)
            if spec.parse is None:
                _write_url(cls, spec, st.session_state[k])
        values[name] = _from_session(spec, st.session_state[k])
    query_watch.watch()
    ignored = query_watch.dropped()
    if ignored:
        problems.append(ignored)
    if problems:
        st.warning("Some settings in the link were not understood: "
                   + "; ".join(problems) + ".", icon="⚠️")
    return cls(**values)


def _load_embedded(cls: type[T], preset: dict[str, Any]) -> T:
    """:func:`load_state` inside :func:`embedded`: the preset, then the scope's session."""
    table, problems, values = specs(cls), [], {}
    st.session_state.setdefault(_EMBEDDED, {})[cls.PAGE] = _SCOPE.get()
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
                    problems.append(problem_text(name, bad.shown, bad, spec))
                except (TypeError, ValueError) as err:  # not even of the field's type
                    problems.append(problem_text(name, repr(preset[name]), err, spec))
            st.session_state[k] = _for_session(spec, value)
        else:
            _keep(spec, k)
        values[name] = _from_session(spec, st.session_state[k])
    if problems:
        st.warning("Some settings of this view were not understood: "
                   + "; ".join(problems) + ".", icon="⚠️")
    return cls(**values)


def _keep(spec: Spec, k: str) -> None:
    """A field's session value, kept as the widget (or a callback) left it: reassigned so
    that Streamlit keeps it on runs that do not draw its widget; a choice that a run-time
    list (a vocabulary, the devices) no longer holds falls back to the default; text typed
    or pasted past the field's limit is cut to it, and the box says so."""
    current = st.session_state[k]
    if callable(spec.choices) and not _still_allowed(spec, current):
        current = _for_session(spec, spec.default)
    if isinstance(current, str) and not fits(spec, current):
        st.session_state[_CUT] = {**st.session_state.get(_CUT, {}), k: len(current)}
        current = current[:spec.max_len]
    st.session_state[k] = current


def _still_allowed(spec: Spec, current: Any) -> bool:
    options = spec.options()
    return all(v in options for v in (current if spec.many else [current]))


def value(cls: type, name: str) -> Any:
    """A field's current value in this session (its default before :func:`load_state`)."""
    spec = spec_of(cls, name)
    return _from_session(spec, st.session_state.get(key(cls, name), spec.default))


def set_value(cls: type, name: str, new: Any, default: Any = dataclasses.MISSING) -> None:
    """Set a field from code (a callback, a random fill) in the session and the URL.
    ``default``, when given, is what leaves the field out of the link (a grid's default
    depends on other settings)."""
    spec = spec_of(cls, name)
    st.session_state[key(cls, name)] = _for_session(spec, new)
    if default is not dataclasses.MISSING:
        spec = dataclasses.replace(spec, default=default)
    _write_url(cls, spec, new)


def reset(cls: type) -> None:
    """Every field of the page back to its default, in the session and the URL."""
    for name, spec in specs(cls).items():
        st.session_state[key(cls, name)] = _for_session(spec, spec.default)
        if not _scope_of(cls):
            st.query_params.pop(name, None)
            _seen(cls)[name] = None


def reset_button(cls: type, label: str = "Reset", container=st) -> None:
    """One click puts every setting of the page back to its default."""
    container.button(label, on_click=in_scope(reset), args=(cls,), key=key(cls, "_reset"),
                     help="Restore every default on this page")


def _widget(cls: type, name: str, make: Callable[[str, Spec], Any]) -> Any:
    spec, k = spec_of(cls, name), key(cls, name)
    if k not in st.session_state:
        raise RuntimeError(f"call kit.load_state({cls.__name__}) before its widgets")
    got = make(k, spec)
    _write_url(cls, spec, got)
    return _from_session(spec, got)


def slider(cls: type, name: str, label: str, container=st, **kwargs) -> Any:
    """A slider whose range comes from the state table (``max_value=`` narrows it)."""
    lo, hi = kwargs.pop("min_value", None), kwargs.pop("max_value", None)
    kwargs = _marking(kwargs)
    return _widget(cls, name, lambda k, s: container.slider(
        label, s.lo if lo is None else lo, s.hi if hi is None else hi, key=k, **kwargs))


def number(cls: type, name: str, label: str, container=st, **kwargs) -> Any:
    kwargs = _marking(kwargs)
    return _widget(cls, name, lambda k, s: container.number_input(
        label, min_value=s.lo, max_value=s.hi, key=k, **kwargs))


def select(cls: type, name: str, label: str, container=st, radio: bool = False,
           **kwargs) -> Any:
    """A selectbox (or horizontal radio) over the field's choices; the link holds the
    choice itself, so a ``format_func`` may show it in other words."""
    kwargs = _marking(kwargs)

    def make(k: str, s: Spec) -> Any:
        if radio:
            return container.radio(label, list(s.options()), key=k,
                                   horizontal=kwargs.pop("horizontal", True), **kwargs)
        return container.selectbox(label, list(s.options()), key=k, **kwargs)
    return _widget(cls, name, make)


def multiselect(cls: type, name: str, label: str, container=st, **kwargs) -> tuple:
    """Several of the field's choices; ``max_items`` of the table bounds the selection."""
    kwargs = _marking(kwargs)
    return _widget(cls, name, lambda k, s: container.multiselect(
        label, list(s.options()), key=k, max_selections=s.max_items, **kwargs))


def toggle(cls: type, name: str, label: str, container=st, **kwargs) -> bool:
    kwargs = _marking(kwargs)
    return _widget(cls, name, lambda k, s: container.toggle(label, key=k, **kwargs))


def text(cls: type, name: str, label: str, container=st, **kwargs) -> str:
    """A text box; ``max_len`` of the table is its maximum length: longer text (a paste)
    is cut to it and the box says so (the browser's own ``max_chars`` would refuse the
    paste silently, leaving the box empty). Show what it returns with :func:`plain` (or
    ``st.text``), never as Markdown."""
    kwargs.pop("max_chars", None)
    kwargs = _marking(kwargs)
    got = _widget(cls, name, lambda k, s: container.text_input(label, key=k, **kwargs))
    cut_note(cls, name, container)
    return got


def cut_note(cls: type, name: str, container=st) -> None:
    """Say, under a text box, that what was typed or pasted was cut to the limit."""
    length = st.session_state.get(_CUT, {}).pop(key(cls, name), None)
    if length is not None:
        limit = spec_of(cls, name).max_len
        container.warning(f"That text was {length:,} characters long; this box takes at most "
                          f"{limit:,}, so the first {limit:,} are kept.", icon="✂️")


def last_query(page: str) -> dict[str, str | list[str]]:
    """The query string page ``page`` had when this session last showed it (its
    non-default fields), so that a way back to it (the sidebar) restores its settings."""
    seen = st.session_state.get(_SEEN, {}).get(page, {})
    return {name: texts if len(texts) > 1 else texts[0]
            for name, texts in seen.items() if texts}


def text_area(cls: type, name: str, label: str, container=st, **kwargs) -> str:
    """A text area; ``max_len`` of the table is its maximum length: longer text is cut
    to it and the area says so (as :func:`text`). Show what it returns with
    :func:`plain` (or ``st.text``), never as Markdown."""
    kwargs.pop("max_chars", None)
    kwargs = _marking(kwargs)
    got = _widget(cls, name, lambda k, s: container.text_area(label, key=k, **kwargs))
    cut_note(cls, name, container)
    return got


def select_slider(cls: type, name: str, label: str, container=st, **kwargs) -> Any:
    """A slider over the field's choices (in the table's order)."""
    kwargs = _marking(kwargs)
    return _widget(cls, name, lambda k, s: container.select_slider(
        label, list(s.options()), key=k, **kwargs))
