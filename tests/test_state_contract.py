"""Contract tests generated from every state table in ``ui/states/``.

A page gets them by declaring its table there (``PAGE`` = its url path): the defaults
round-trip; each field's bad values are refused with a warning that names the field and
its default; a valid non-default value survives a rerun and stays in the URL; the page
opens through ``app.py`` with and without ``present=1``.
"""

from __future__ import annotations

import pkgutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.harness import page_test, switch_page
from ui import catalog, kit, states
from ui.codec import Spec, _shown_default, _text

pytestmark = pytest.mark.slow  # AppTest page runs

TIMEOUT = 90
TABLES = [kit.state_class(m.name) for m in pkgutil.iter_modules(states.__path__)]
IDS = [t.PAGE for t in TABLES]
# Fields whose non-default value draws a whole other page: left out of the all-at-once
# run below, each with the test that makes that run, keeps it through a rerun and reads
# it from the link and the session instead.
OWN_RUN = {("talk", "print"): "tests/test_talk.py::test_print_draws_every_slide_one_per_page"}


def bad_values(spec: Spec) -> list[str]:
    """Texts the field must refuse."""
    if spec.parse is not None:
        return ["%%%", "1;;x"]
    if spec.kind is bool:
        return ["maybe", "2"]
    if spec.kind in (int, float):
        out = ["abc", "1.5" if spec.kind is int else "nan"]
        if spec.lo is not None:
            out.append(str(spec.lo - 1))
        if spec.hi is not None:
            out.append(str(spec.hi + 1))
        return out
    out = []
    if spec.options() is not None:
        out.append("not-a-choice")
    if spec.max_len is not None:
        out.append("x" * (spec.max_len + 1))
    return out


def good_value(spec: Spec):
    """A valid value other than the default (None for a field with its own parser)."""
    if spec.parse is not None:
        return None
    if spec.many:
        return spec.default[:-1] if spec.default else spec.options()[:1]
    options = spec.options()
    if options is not None:
        return [o for o in options if o != spec.default][-1]
    if spec.kind is bool:
        return not spec.default
    if spec.kind in (int, float):
        step = 1 if spec.kind is int else 0.5
        up = spec.default + step
        return up if spec.hi is None or up <= spec.hi else spec.default - step
    return "x" if spec.default != "x" else "y"


def table_page(cls) -> AppTest:
    return page_test(f"pages/{cls.PAGE}.py", timeout=TIMEOUT)


@pytest.mark.parametrize("cls", TABLES, ids=IDS)
def test_the_table_is_a_page_with_valid_defaults(cls):
    assert cls.PAGE in {c.url_path for c in catalog.available()}, "not in ui/catalog.py"
    table = kit.specs(cls)
    assert "seed" in table, "every page has a seed"
    assert kit.link(cls()) == cls.PAGE  # defaults are left out of a link
    for name, spec in table.items():
        value = good_value(spec)
        if value is not None:  # a valid value reads back from its link unchanged
            texts = kit.to_url(spec, value)
            assert texts is not None and kit.from_url(spec, texts) == value, name
            assert kit.link(cls(**{name: value})).startswith(f"{cls.PAGE}?{name}=")
        if spec.parse is None:  # the default passes the table's own checks
            texts = [_text(spec, v) for v in spec.default] or [""] if spec.many else \
                [_text(spec, spec.default)]
            assert kit.from_url(spec, texts) == spec.default, name
        for bad in bad_values(spec):
            with pytest.raises(ValueError):
                kit.from_url(spec, [bad])


@pytest.mark.parametrize("cls", TABLES, ids=IDS)
def test_defaults_give_a_clean_page_and_a_clean_link(cls):
    at = table_page(cls).run()
    assert not at.exception, at.exception
    assert not at.warning or all("not understood" not in w.value for w in at.warning)
    assert not set(at.query_params) & set(kit.specs(cls)), at.query_params


@pytest.mark.parametrize("cls", TABLES, ids=IDS)
def test_each_bad_value_is_named_with_its_default(cls):
    table = kit.specs(cls)
    rounds = max(len(bad_values(s)) for s in table.values())
    for r in range(rounds):
        at = table_page(cls)
        sent = {}
        for name, spec in table.items():
            bads = bad_values(spec)
            if bads:
                sent[name] = at.query_params[name] = bads[r % len(bads)]
        at.run()
        assert not at.exception, (sent, at.exception)
        warning = " ".join(w.value for w in at.warning)
        for name in sent:
            assert f"**{name}**" in warning, (name, sent[name], warning)
            default = kit.plain(_shown_default(table[name]))
            assert f"{name}** = " in warning and f"default {default}".strip() in warning, name
            assert name not in at.query_params, (name, "a refused value leaves the link")


@pytest.mark.parametrize("cls", TABLES, ids=IDS)
def test_valid_values_survive_a_rerun_and_stay_in_the_link(cls):
    """Every field at a valid non-default value at once: one page run and one rerun per
    page (each field's own round trip is tests/test_codec.py's)."""
    at = table_page(cls)
    sent = {}
    for name, spec in kit.specs(cls).items():
        value = good_value(spec)
        if value is not None and (cls.PAGE, name) not in OWN_RUN:
            texts = kit.to_url(spec, value)
            sent[name] = (value, texts if spec.many else texts[0])
            at.query_params[name] = sent[name][1]
    at.run()
    at.run()  # a rerun, as any widget makes
    assert not at.exception, at.exception
    failures = []
    for name, (value, text) in sent.items():
        spec = kit.specs(cls)[name]
        held = at.query_params.get(name)
        if spec.many and isinstance(held, str):  # AppTest gives one repeated value as text
            held = [held]
        if held != text:
            failures.append((name, f"URL holds {held!r}"))
        elif at.session_state[kit.key(cls, name)] != (list(value) if spec.many else value):
            failures.append((name, f"session holds {at.session_state[kit.key(cls, name)]!r}"))
    assert not failures, failures


@pytest.mark.parametrize("present", [False, True], ids=["laptop", "stage"])
@pytest.mark.parametrize("cls", TABLES, ids=IDS)
def test_the_page_opens_through_the_app(cls, present):
    at = page_test("app.py", timeout=TIMEOUT)
    if present:
        at.query_params["present"] = "1"
    at.run()
    switch_page(at, cls.PAGE).run()
    assert not at.exception, at.exception
    assert at.title, "the page draws its title"
    assert at.session_state[kit.key(cls, "seed")] == 0
    if present:
        assert at.session_state["_present"] is True and at.query_params.get("present") == "1"
