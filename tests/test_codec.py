"""The URL codec (ui/codec.py) alone: pure functions, hypothesis-tested on every field of
every page's state table, with no Streamlit and no mocks.

What a link may hold is stated here, from each field's declared limits, not asked of
the code under test: a value within the limits goes into a link and reads back as the
same value; text outside them (a word where a number goes, a number past a bound, a
choice the table does not offer, a string over its length, too many items) is refused
with :class:`BadValue`; whatever a link holds, ``from_url`` either refuses it or returns
a value within the limits; the refusal's text shows the link's text only escaped.

This is what makes one page run per page enough in tests/test_hostile_links.py and
tests/test_state_contract.py: each field's own parsing is covered here."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ui import catalog, codec

FIELDS = [(c.url_path, name, spec) for c in catalog.available()
          for name, spec in codec.specs(codec.state_class(c.url_path)).items()]
PLAIN_FIELDS = [f for f in FIELDS if f[2].parse is None]
IDS = [f"{page}-{name}" for page, name, _ in FIELDS]
PLAIN_IDS = [f"{page}-{name}" for page, name, _ in PLAIN_FIELDS]

HOSTILE = ["", " ", "abc", "nan", "-nan", "inf", "-inf", "1e999", "1e308", "9" * 400,
           "<script>alert(1)</script>", "**b**", "[x](javascript:1)", "$x$", "%00",
           "\u202eevil", "a\x00b", "1,2;3", "b64:9:9:AAAA", "true", "TRUE", "-0", " 7 "]
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
UNESCAPED = re.compile(r"(?<!\\)[<>\[\]`$|~#!*_]")


def item_values(spec: codec.Spec) -> st.SearchStrategy:
    """One valid item of the field, from its declared limits."""
    options = spec.options()
    if options is not None:
        return st.sampled_from(options)
    if spec.kind is bool:
        return st.booleans()
    if spec.kind is int:
        return st.integers(-10**9 if spec.lo is None else spec.lo,
                           10**9 if spec.hi is None else spec.hi)
    if spec.kind is float:
        return st.floats(spec.lo, spec.hi, allow_nan=False, allow_infinity=False)
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=spec.max_len or 80)


def valid_values(spec: codec.Spec) -> st.SearchStrategy:
    if spec.many:
        return st.lists(item_values(spec), max_size=spec.max_items or 6).map(tuple)
    return item_values(spec)


def within_limits(spec: codec.Spec, value) -> bool:
    items = value if spec.many else (value,)
    if spec.many and spec.max_items is not None and len(items) > spec.max_items:
        return False
    if spec.parse is not None:
        return True  # a field with its own parser: its parser's tests say what it takes
    options = spec.options()
    for v in items:
        if type(v) is not spec.kind:
            return False
        if isinstance(v, float) and not math.isfinite(v):
            return False
        if options is not None and v not in options:
            return False
        if spec.lo is not None and v < spec.lo or spec.hi is not None and v > spec.hi:
            return False
        if isinstance(v, str) and spec.max_len is not None and len(v) > spec.max_len:
            return False
    return True


def outside(spec: codec.Spec) -> st.SearchStrategy[str] | None:
    """URL texts of ONE item that the field must refuse, by its declared limits."""
    bad: list[st.SearchStrategy[str]] = []
    options = spec.options()
    if spec.kind in (int, float):
        bad.append(st.text(st.characters(categories=("L",)), min_size=1, max_size=8))
        step = 1 if spec.kind is int else 0.5
        if spec.hi is not None:
            bad.append(st.integers(1, 10**6).map(lambda d: codec._text(spec, spec.hi + d * step)))
        if spec.lo is not None:
            bad.append(st.integers(1, 10**6).map(lambda d: codec._text(spec, spec.lo - d * step)))
        if spec.kind is int:
            bad.append(st.sampled_from(["1.5", "2e3", "0x10"]))
    elif spec.kind is bool:  # a link's switch says 1/0, true/false, yes/no or on/off
        bad.append(st.text(max_size=8).filter(lambda t: t.strip().lower() not in
                                              ("1", "0", "true", "false", "yes", "no",
                                               "on", "off")))
    elif options is not None:
        bad.append(st.text(max_size=20).filter(lambda t: t not in options))
    elif spec.max_len is not None:
        bad.append(st.text(min_size=spec.max_len + 1, max_size=spec.max_len + 40))
    if not bad:
        return None
    strategy = st.one_of(*bad)
    return strategy.filter(bool) if spec.many else strategy  # a lone "" is the empty tuple


@pytest.mark.parametrize("page,name,spec", PLAIN_FIELDS, ids=PLAIN_IDS)
def test_a_value_within_the_limits_reads_back_from_its_link(page, name, spec):
    @SETTINGS
    @given(valid_values(spec))
    def check(value):
        texts = codec.to_url(spec, value)
        if texts is None:
            assert codec.is_default(spec, value)
            return
        assert codec.from_url(spec, texts) == value

    check()


@pytest.mark.parametrize("page,name,spec", PLAIN_FIELDS, ids=PLAIN_IDS)
def test_text_outside_the_limits_is_refused(page, name, spec):
    strategy = outside(spec)
    if strategy is None:
        pytest.skip(f"{page}.{name} takes any text")

    @SETTINGS
    @given(strategy)
    def check(text):
        with pytest.raises(codec.BadValue):
            codec.from_url(spec, [text])

    check()


@pytest.mark.parametrize("page,name,spec", FIELDS, ids=IDS)
def test_any_link_text_is_refused_or_within_the_limits(page, name, spec):
    text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                     st.floats().map(str), st.integers().map(str))

    @SETTINGS
    @given(st.lists(text, min_size=1, max_size=4))
    def check(raws):
        try:
            value = codec.from_url(spec, raws)
        except codec.BadValue as bad:
            shown = codec.problem_text(name, bad.shown, bad, spec)
            assert shown.startswith(f"**{name}** = ")
            bare = UNESCAPED.findall(shown.removeprefix(f"**{name}**"))
            assert not bare, (bare, shown)  # the link's text shows only escaped
            return
        if spec.parse is None:
            assert within_limits(spec, value), (raws, value)

    check()


@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=6), min_size=1,
                max_size=6).filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_a_grid_reads_back_exactly(rows):
    a = np.array(rows, dtype=float)
    np.testing.assert_array_equal(codec.decode_grid(codec.encode_grid(a)), a)


def test_every_page_has_a_table_with_a_seed():
    assert catalog.available()
    for concept in catalog.available():
        assert "seed" in codec.specs(codec.state_class(concept.url_path)), concept.file
