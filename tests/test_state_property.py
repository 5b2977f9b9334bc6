"""Hypothesis throws random and hostile query strings at every page's state table.

Two properties:
* ``load_state`` never raises: what it takes is the link's value, what it does not take
  is the default, and everything it did not take (refused values, unknown keys) is named
  in ONE warning, escaped; every value it returns keeps the table's limits. Run on the
  real ``load_state`` with Streamlit's query parameters, session state and warning
  replaced by small stand-ins, so hundreds of links per page take a second.
* The page itself renders such a link in AppTest without an exception, and a markup
  payload (HTML, Markdown, LaTeX) never reaches the page as markup: a few links per page,
  the whole page run being the slow part.
"""

from __future__ import annotations

import re
import string
import types
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.harness import open_page
from tests.test_codec import within_limits
from ui import binding, catalog, codec

PAGES = catalog.available()

# Payloads that would be markup if a page showed them as Markdown or HTML.
MARKUP = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold** _it_",
    "[link](javascript:alert(1))", "![x](http://example.com/x.png)", "`code`",
    r"$\href{javascript:alert(1)}{x}$", ":red[red] :smile:", "# heading", "<b>x</b>",
    "<!-- x -->", "&lt;b&gt;", "<style>*{display:none}</style>", "www.example.com",
]
HOSTILE = MARKUP + [
    "", " ", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e999", "-1e999", "1e308",
    "9" * 5000, "-" + "9" * 60, "0x10", "1_000", "١٢٣", "²", "true", "TRUE", "None", "null",
    "\u202eevil", "a\x00b", "\n\n---\n", "x" * 20_000, "🧠" * 300, "b64:8:8:" + "A" * 86,
    "b64:99999:99999:AA", "1,2;3,4", ";;;", "1" + ",1" * 5000, "1e-400", "-0", "+5", " 7 ",
    "%00", "%3Cb%3E", "../../etc/passwd", "__import__('os').system('id')",
]
UNKNOWN_KEYS = ["", "x", "<b>key</b>", "[k](javascript:1)", "__proto__", "constructor",
                "a" * 300, "ключ", "_ui_url_seen", "present"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)  # no lone surrogates


def table(concept) -> type:
    return binding.state_class(concept.url_path)


def values_for(spec: binding.Spec) -> st.SearchStrategy[str]:
    """URL texts for one field: good ones (so values are taken too) and hostile ones."""
    good: list[st.SearchStrategy[str]] = []
    options = spec.options()
    if options is not None:
        good.append(st.sampled_from([codec._text(spec, o) for o in options]))
    elif spec.kind is int:
        good.append(st.integers(-10**6 if spec.lo is None else spec.lo,
                                10**6 if spec.hi is None else spec.hi).map(str))
    elif spec.kind is float:
        good.append(st.floats(-1e6 if spec.lo is None else spec.lo,
                              1e6 if spec.hi is None else spec.hi).map(repr))
    elif spec.kind is bool:
        good.append(st.sampled_from(["true", "false"]))
    return st.one_of(*good, st.sampled_from(HOSTILE), TEXT,
                     st.integers().map(str), st.floats().map(str))


@st.composite
def queries(draw, cls: type, min_fields: int = 0) -> dict[str, list[str]]:
    """A query string for ``cls``'s page: some of its fields, maybe repeated, maybe with
    keys it does not have."""
    table = binding.specs(cls)
    names = draw(st.lists(st.sampled_from(sorted(table)), min_size=min_fields,
                          max_size=len(table), unique=True))
    query = {n: draw(st.lists(values_for(table[n]), min_size=1, max_size=3)) for n in names}
    for k in draw(st.lists(st.one_of(st.sampled_from(UNKNOWN_KEYS), TEXT), max_size=3)):
        if k not in table:
            query[k] = draw(st.lists(st.sampled_from(HOSTILE) | TEXT, min_size=1, max_size=2))
    return query


class QueryParams:
    """What ``load_state`` uses of ``st.query_params``: repeated keys, the last one wins."""

    def __init__(self, query: dict[str, list[str]]):
        self.data = {k: list(v) for k, v in query.items()}

    def keys(self):
        return self.data.keys()

    def __contains__(self, k):
        return k in self.data

    def get_all(self, k):
        return list(self.data.get(k, []))

    def __getitem__(self, k):
        return self.data[k][-1]

    def __setitem__(self, k, v):
        self.data[k] = [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]

    def __delitem__(self, k):
        del self.data[k]

    def pop(self, k, default=None):
        return self.data.pop(k, default)

    def from_dict(self, d):
        self.data = {}
        for k, v in d.items():
            self[k] = v


def run_load_state(cls: type, query: dict[str, list[str]]):
    warnings: list[str] = []
    fake = types.SimpleNamespace(query_params=QueryParams(query), session_state={},
                                 warning=lambda body, icon=None: warnings.append(body))
    with mock.patch.object(binding, "st", fake):
        state = binding.load_state(cls)
    return state, warnings, fake.query_params.data


UNESCAPED = re.compile(r"(?<!\\)[<>\[\]`$|~#!]")


@pytest.mark.parametrize("concept", PAGES, ids=lambda c: c.url_path)
def test_load_state_takes_what_it_can_and_names_the_rest_once(concept):
    cls = table(concept)
    specs = binding.specs(cls)

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(queries(cls))
    def check(query):
        state, warnings, left = run_load_state(cls, query)
        refused, unknown = set(), set()
        for name, raws in query.items():
            if name not in specs:
                if name not in binding.GLOBAL_KEYS:
                    unknown.add(name)
                continue
            try:
                taken = binding.from_url(specs[name], raws)
            except binding.BadValue:
                refused.add(name)
                continue
            got = getattr(state, name)
            if hasattr(taken, "shape"):
                assert (got == taken).all(), name
            else:
                assert got == taken, (name, raws, got)
        for name, spec in specs.items():
            got = getattr(state, name)
            assert within_limits(spec, got), (name, got)
            if name not in query or name in refused:
                if hasattr(spec.default, "shape"):
                    assert (got == spec.default).all(), name
                else:
                    assert got == spec.default, (name, got)
        assert len(warnings) == (1 if refused or unknown else 0), (query, warnings)
        if warnings:
            text = warnings[0]
            for name in refused:
                assert f"**{name}**" in text, (name, text)
            for name in unknown:
                assert f"**{binding.plain(name)}**" in text, (name, text)
            # what came from the link is escaped: no markup character of it stands bare
            bare = UNESCAPED.findall(text.replace("**", ""))
            assert not bare, (bare, text)
        assert not (set(left) & (refused | unknown)), left  # they leave the link

    check()


def shown_text(at) -> list[tuple[str, str, bool]]:
    """Every piece of Markdown the page put on the screen: (element, text, HTML allowed)."""
    out = []
    for kind in ("markdown", "caption", "warning", "error", "info", "success", "title",
                 "header", "subheader"):
        for el in getattr(at, kind):
            out.append((kind, str(el.value), bool(getattr(el.proto, "allow_html", False))))
    for el in at.latex:
        out.append(("latex", str(el.value), False))
    return out


MARKUP_QUERIES_PER_PAGE = 1  # a page run each; the codec's own cases: test_codec.py


@pytest.mark.slow  # AppTest page runs
@pytest.mark.parametrize("concept", PAGES, ids=lambda c: c.url_path)
def test_the_page_renders_a_hostile_link(concept):
    cls = table(concept)
    specs = binding.specs(cls)
    texts = sorted(n for n, s in specs.items() if s.kind is str and s.options() is None
                   and s.parse is None)

    @settings(max_examples=MARKUP_QUERIES_PER_PAGE, deadline=None, derandomize=True,
              phases=[Phase.generate], database=None,
              suppress_health_check=list(HealthCheck))
    @given(queries(cls, min_fields=min(3, len(specs))), st.sampled_from(MARKUP))
    def check(query, payload):
        for name in texts:  # every free-text field gets the payload, whether taken or not
            query[name] = [payload]
        query[payload] = ["1"]  # and an unknown key made of it
        at = open_page(f"pages/{concept.file}", query, timeout=120)
        assert not at.exception, (query, [e.message for e in at.exception])
        for kind, text, html in shown_text(at):
            assert payload not in text, (kind, payload, text[:300], html)

    check()


def test_the_strategies_reach_the_hostile_cases():
    """The generators do produce what the properties are about (not only empty links)."""
    cls = table(PAGES[0])
    seen = {"refused": 0, "unknown": 0, "taken": 0}

    @settings(max_examples=100, deadline=None, derandomize=True)
    @given(queries(cls))
    def count(query):
        specs = binding.specs(cls)
        for name, raws in query.items():
            if name not in specs:
                seen["unknown"] += 1
                continue
            try:
                binding.from_url(specs[name], raws)
                seen["taken"] += 1
            except binding.BadValue:
                seen["refused"] += 1

    count()
    assert all(n >= 10 for n in seen.values()), seen
    assert set(string.punctuation) & set("".join(MARKUP))
