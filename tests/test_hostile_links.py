"""Every page survives a hostile or broken query string: each setting of its state table
(``ui/states/<url_path>.py``) gets garbage, and the page still renders, with a warning
that names the setting, and no exception."""

from __future__ import annotations

import pytest

from tests.harness import page_test
from ui import catalog, kit

GARBAGE = ["", "abc", "-1", "1e308", "nan", "inf", "9" * 40, "<script>alert(1)</script>",
           "__import__('os').system('id')", "1,2;3", "b64:9:9:AAAA", "%00", "true"]

PAGES = catalog.available()


def table(concept) -> type:
    return kit.state_class(concept.url_path)


def refused(concept, field: str, value: str) -> bool:
    """Whether the state table refuses ``value`` for ``field`` (the page must then say so)."""
    try:
        kit.from_url(kit.specs(table(concept))[field], [value])
    except ValueError:
        return True
    return False


CASES = [(c, field, GARBAGE[i % len(GARBAGE)])
         for c in PAGES for i, field in enumerate(kit.specs(table(c)))]


def test_every_page_declares_its_state_seed_included():
    assert PAGES
    for concept in PAGES:
        assert "seed" in kit.specs(table(concept)), concept.file


@pytest.mark.parametrize("concept,field,value", CASES,
                         ids=[f"{c.url_path}-{f}" for c, f, _ in CASES])
def test_garbage_in_one_setting(concept, field, value):
    at = page_test(str(concept.path), timeout=90)
    at.query_params[field] = value
    at.run()
    assert not at.exception, (field, value, at.exception)
    if refused(concept, field, value):
        warning = " ".join(w.value for w in at.warning)
        assert f"**{field}**" in warning, (field, value, warning)


@pytest.mark.parametrize("concept", PAGES, ids=lambda c: c.file)
def test_garbage_in_every_setting_at_once(concept):
    at = page_test(str(concept.path), timeout=90)
    fields = list(kit.specs(table(concept)))
    for i, field in enumerate(fields):
        at.query_params[field] = GARBAGE[(i * 5 + 1) % len(GARBAGE)]
    at.query_params["not_a_setting"] = "1"
    at.run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "not\\_a\\_setting" in warning
    for i, field in enumerate(fields):
        if refused(concept, field, GARBAGE[(i * 5 + 1) % len(GARBAGE)]):
            assert f"**{field}**" in warning, field
