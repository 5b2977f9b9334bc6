"""Streamlit helpers that every page shares: URL state, presenter mode, grids.

The URL-state layer (``ui/binding.py``: :func:`param`, :func:`load_state`, the
widget helpers, :func:`key`, :func:`link`, :func:`plain`) is re-exported here, so a
page imports this one module. Besides it:

* :func:`grid` is an editable number grid kept in the URL as ``1,2;3,4``.
* :func:`presenter` reads ``present=1``: wide layout, large type, secondary
  controls folded away.

This module is private to the pages (its name starts with ``_``, so
``st.navigation`` never lists it) and is never imported by ``dlcore``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator

import numpy as np
import streamlit as st

from ui.binding import (  # noqa: F401  (re-exported: the pages' one import)
    GLOBAL_KEYS,
    BadValue,
    decode_grid,
    decode_image,
    embedded,
    encode_grid,
    encode_image,
    end_of_run,
    forget,
    from_url,
    in_scope,
    key,
    last_query,
    link,
    link_to,
    load_state,
    mark_moved,
    multiselect,
    number,
    param,
    plain,
    reset,
    reset_button,
    scope,
    select,
    select_slider,
    set_value,
    slider,
    specs,
    state_class,
    text,
    text_area,
    to_url,
    toggle,
    value,
)


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

    if torch.get_num_threads() != 1:  # (setting it costs more than asking)
        torch.set_num_threads(1)
    _one_blas_thread()


@functools.cache
def _one_blas_thread() -> None:
    """NumPy's OpenBLAS on one thread too, once per process (its count is global): the
    char-RNN's sampling cell took 1,083 ms of CPU per sample with OpenBLAS's two threads
    spinning and 236 ms with one (benchmarks/reruns.py)."""
    from threadpoolctl import threadpool_limits  # ships with scikit-learn

    threadpool_limits(1, user_api="blas")


@st.cache_resource
def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """The shipped MNIST test digits, read once per server and shared by the pages that
    show them (digits, convolution); a missing file raises ``dlcore.paths.AssetError``."""
    from dlcore.data import mnist

    return mnist.load_sample()


@functools.cache
def source(obj) -> str:
    """An object's source code, read once per server (``inspect.getsource`` reads and
    parses its file on each call)."""
    import inspect

    return inspect.getsource(obj)


PRESENT_KEY = "present"


# --------------------------------------------------------------------------- grids
def grid(cls: type, name: str, grid_now: np.ndarray, default: np.ndarray, label: str,
         container=st) -> np.ndarray:
    """An editable number grid for field ``name`` (a ``parse=decode_grid`` field); edits
    go to the session and the URL (a grid equal to ``default`` is left out of the link).

    The editor's key follows the grid's content, so a grid changed by code (random
    fill, reset, a resize) shows a fresh editor instead of replaying old edits.
    """
    grid_now = np.asarray(grid_now, dtype=float)
    edited = container.data_editor(
        grid_now, key=f"{key(cls, name)}._editor_{hash(grid_now.tobytes()) & 0xFFFFFFFF:x}_{grid_now.shape}",
        hide_index=True, width="stretch",
    )
    out = np.nan_to_num(np.asarray(edited, dtype=float))
    try:
        decode_grid(encode_grid(out))  # the same bounds as a link
    except ValueError as err:
        container.error(f"Not used: {plain(err)}.")
        out = grid_now
    set_value(cls, name, out, default=default)
    container.caption(label)
    return out


# --------------------------------------------------------------------------- presenter mode
PRESENT_WORDS = {"1": True, "true": True, "yes": True, "on": True,  # as every switch in a link
                 "0": False, "false": False, "no": False, "off": False}


def presenter() -> bool:
    """``present=1`` in the URL: the stage view. It sticks for the session, across pages.
    Any other value than :data:`PRESENT_WORDS` leaves the mode as it was, leaves the link
    and is named by :func:`presenter_switch`'s warning."""
    if PRESENT_KEY in st.query_params:
        raw = st.query_params[PRESENT_KEY]
        word = raw.strip().lower()
        if word in PRESENT_WORDS:
            st.session_state["_present"] = PRESENT_WORDS[word]
        else:
            st.session_state["_present_bad"] = raw
            del st.query_params[PRESENT_KEY]
            if st.session_state.get("_present"):
                st.query_params[PRESENT_KEY] = "1"
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
    bad = st.session_state.pop("_present_bad", None)
    if bad is not None:
        shown = plain(bad[:60]) + ("…" if len(bad) > 60 else "")
        st.warning(f"**present** = {shown} was not understood (1, true or yes: presenter "
                   "mode; 0, false or no: off), so presenter mode stays "
                   f"{'on' if presenter() else 'off'}.", icon="⚠️")


# Every screen: a formula or a table too wide for a phone scrolls inside its own box
# instead of running past the screen's edge; on a phone, formulas are a little smaller.
# Captions in a darker grey: Streamlit draws them at opacity 0.6 (#828180 on white, 3.9:1),
# below WCAG AA's 4.5:1 (axe-core, tests/test_accessibility_browser.py); #5c5b5a at full
# opacity is 6.8:1. The same for the shortcut keys shown on buttons (the talk's ⏭ End).
_BASE_CSS = """
.katex-display {overflow-x: auto; overflow-y: hidden; max-width: 100%; padding: 2px 0}
.st-scroll-x {overflow-x: auto; max-width: 100%}
[data-testid="stCaptionContainer"], button[kind="secondary"] kbd {color: #5c5b5a !important;
  opacity: 1 !important}
@media (max-width: 640px) {
  .katex-display {font-size: 0.85em}
  .stMainBlockContainer {padding-left: 0.75rem; padding-right: 0.75rem}
}
"""

# The stage: everything a person in the back row reads grows with the type, not only
# paragraphs (Streamlit sizes its widgets in rem, so the root size scales them), and
# the page starts near the top so its main picture is on the first screen.
_PRESENTER_CSS = """
html {font-size: 20px}
@media (min-width: 1800px) {html {font-size: 24px}}
.stMainBlockContainer {padding-top: 3.6rem; padding-bottom: 2rem}
.stMarkdown p, .stMarkdown li, [data-testid="stCaptionContainer"] {font-size: 1.1rem}
[data-testid="stWidgetLabel"] p, [data-testid="stWidgetLabel"] label {font-size: 1rem}
.stButton button p, [data-testid="stBaseButton-secondary"] p {font-size: 1.05rem}
.katex {font-size: 1.3em}
h1 {font-size: 2.3rem !important; padding-top: 0 !important}
h2 {font-size: 1.6rem !important}
h3 {font-size: 1.3rem !important}
table, [data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 1.05rem}
"""

CHART_FONT = {False: 13, True: 19}
SLIDE_TICK_PX = 18  # a chart's tick labels on a slide (issue 21: at least 16 px on the stage)  # plotly's base font size: laptop and phone, stage


def apply_style() -> None:
    """The app's CSS, once per run (app.py): every screen, plus the stage's large type."""
    css = _BASE_CSS + (_PRESENTER_CSS if presenter() else "")
    st.html(f"<style>{css}</style>")


def chart_font_size() -> int:
    """The base font size of every chart: larger on the stage."""
    return CHART_FONT[presenter()]


def chart(fig, container=st, **kwargs):
    """``st.plotly_chart`` with the app's look on every page: type that scales with
    presenter mode (axes, legends, titles and annotations grow from the base size), and
    no plotly toolbar, which sat on legends and titles on a phone (a double click still
    resets a zoom). ``fig`` is a ``go.Figure`` or a figure already in JSON form (an
    object whose ``to_dict()`` returns its own dict)."""
    import plotly.graph_objects as go  # here, so that pages without charts never load it

    size = chart_font_size()
    if isinstance(fig, go.Figure):
        fig.update_layout(font={"size": size})
        if on_slide():
            fig.update_xaxes(tickfont={"size": SLIDE_TICK_PX})
            fig.update_yaxes(tickfont={"size": SLIDE_TICK_PX})
    else:  # a copy: the spec may be cached and shared by every session
        spec = fig.to_dict()
        layout = {**spec.get("layout", {})}
        layout["font"] = {**layout.get("font", {}), "size": size}
        if on_slide():
            for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
                layout[name] = {**layout[name], "tickfont": {
                    **layout[name].get("tickfont", {}), "size": SLIDE_TICK_PX}}
        fig = type(fig)({**spec, "layout": layout})
    config = {"displayModeBar": False, **kwargs.pop("config", {})}
    return container.plotly_chart(fig, config=config, **kwargs)


def row(container=st, **kwargs):
    """Controls side by side that stay side by side on a phone: columns stack one per line
    under 640 px, which pushed the main picture off a phone's first screen (issue 22); a
    row's controls share its width and wrap only when one would be too narrow."""
    return container.container(horizontal=True, gap="small", **kwargs)


def stage_columns(ratio: tuple[float, float] = (1, 2.6)):
    """(controls, picture): side by side on the stage, so the main picture is on the
    first screen beside its controls; one above the other elsewhere (a phone stacks
    columns anyway, and a laptop has the height)."""
    if presenter():
        return tuple(st.columns(list(ratio), gap="large"))
    return st.container(), st.container()


# --------------------------------------------------------------------------- the slide form
_FORM: contextvars.ContextVar[str] = contextvars.ContextVar("view_form", default="page")


@contextlib.contextmanager
def slide_form() -> Iterator[None]:
    """Draw a view in its slide form: ``with kit.slide_form(): view(state)`` (the deck).

    The same code draws both forms (STYLE.md rule 9); inside, :func:`on_slide` is true, so
    a view keeps to the slide's picture, its answer and the one or two controls the
    slide's notes use, and :func:`secondary` controls are not shown (the page, one click
    away, has them). Contexts nest like :func:`embedded`."""
    token = _FORM.set("slide")
    try:
        yield
    finally:
        _FORM.reset(token)


# --------------------------------------------------------------------------- the navigation
_QUIET = "_navigation_quiet_on"


def quiet_navigation(page: str | None) -> None:
    """The app's navigation is not drawn on ``page`` (its url path) from the next run on,
    until this is called with None: a follower of the deck's room, whose screen the talk
    drives, reruns the page at each slide change with 50 others, and the sidebar's links
    were a third of what each rerun drew."""
    st.session_state[_QUIET] = page


def navigation_quiet_on() -> str | None:
    """The url path where :func:`quiet_navigation` keeps the navigation out, if any."""
    return st.session_state.get(_QUIET)


# --------------------------------------------------------------------------- fragments
_AFTER: contextvars.ContextVar = contextvars.ContextVar("after_fragment", default=None)


@contextlib.contextmanager
def after_fragment(hook) -> Iterator[None]:
    """The host of an embedded view (the deck): ``hook()`` runs after each rerun of one of
    the view's :func:`fragment` parts that runs alone (its own button, its timer), which
    the host's full run never sees; so a presenter's step in a fragment reaches the room."""
    token = _AFTER.set(hook)
    try:
        yield
    finally:
        _AFTER.reset(token)


def fragment(body, *, run_every=None):
    """``st.fragment(body)`` made during the view's run, to be called at once:
    ``kit.fragment(part, run_every=...)(args)``. Streamlit reruns a fragment alone,
    outside every context; its reruns keep the scope and the form (page or slide) it was
    made in, and tell the host (:func:`after_fragment`)."""
    scope_name, form, hook = scope(), _FORM.get(), _AFTER.get()

    @st.fragment(run_every=run_every)
    @functools.wraps(body)
    def run(*args, **kwargs):
        alone = _AFTER.get() is None and hook is not None  # a full run has the host's context
        token = _FORM.set(form)
        try:
            with embedded(scope_name) if scope_name else contextlib.nullcontext():
                body(*args, **kwargs)
        finally:
            _FORM.reset(token)
        if alone:
            hook()
            end_of_run()  # a fragment's rerun reads no link: its mark is spent here

    return run


def on_slide() -> bool:
    """True while a view is drawn in its slide form (:func:`slide_form`)."""
    return _FORM.get() == "slide"


def slide_part(part: str, container=st):
    """Where a view draws its slide's ``part``: ``"picture"`` (the main picture) or
    ``"answer"`` (the result that carries the slide). On a slide, a marked container
    (``.st-key-slide-<part>``: the deck's large type, and what benchmarks/deck_fit.py
    measures, numbered: a slide may have two pictures); on the page, a plain one."""
    if part not in ("picture", "answer"):
        raise ValueError(f"a slide part is 'picture' or 'answer': {part!r}")
    return container.container(key=f"slide-{part}-{_next_hidden()}" if on_slide() else None)


def secondary(label: str = "More settings"):
    """Where secondary controls go: folded by default, so that a page's main picture
    starts on the first screen (issue 22: at 1440x900 gradient descent's open "More
    settings" and "Start point" pushed its map to y = 1162); on a slide, drawn but never
    shown (the deck's CSS hides ``.st-key-slide-hidden-*``)."""
    if on_slide():
        return st.container(key=f"slide-hidden-{_next_hidden()}")
    return st.expander(label, expanded=False)


def new_marks() -> None:
    """Start the marked boxes' count again: the deck calls it at the start of a run, so
    that a slide's boxes keep their names from one run to the next."""
    st.session_state["_slide_marks"] = {}


def _mark_scope() -> str:
    return (scope() or "page").replace(".", "-").replace("/", "-")


def _next_hidden() -> str:
    """A name for each marked box of this run (a key is unique within a run): the
    embedded view's scope and a count that the deck starts again with each run
    (:func:`new_marks`; the print view draws every slide in one run)."""
    where = _mark_scope()
    counts = st.session_state.setdefault("_slide_marks", {})
    counts[where] = counts.get(where, 0) + 1
    return f"{where}-{counts[where]}"


def page_title(title: str, slide: str, lead: str) -> None:
    """The page heading, the talk slide it belongs to and one sentence of context.

    On the stage only the heading: the presenter is showing that slide and says the
    context, and the main picture needs the first screen."""
    st.title(title)
    if not presenter():
        st.caption(f"Talk slide: *{slide}*")
        if lead:
            st.markdown(lead)
