"""Every page survives a hostile or broken query string: each setting of its state
table gets garbage, and the page still renders, with a warning and no exception."""

from __future__ import annotations

import ast

import pytest
from streamlit.testing.v1 import AppTest

from pages import _catalog
from tests.conftest import REPO

GARBAGE = ["", "abc", "-1", "1e308", "nan", "inf", "9" * 40, "<script>alert(1)</script>",
           "__import__('os').system('id')", "1,2;3", "b64:9:9:AAAA", "%00", "true"]


def state_fields(path) -> list[str]:
    """The names of the fields made with ``_ui.param`` in a page's state dataclass."""
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr == "param":
                names.append(node.target.id)
    return names


PAGES = _catalog.available()
CASES = [(c.file, field, GARBAGE[i % len(GARBAGE)])
         for c in PAGES for i, field in enumerate(state_fields(c.path))]


def test_every_page_declares_its_state_seed_included():
    assert PAGES
    for concept in PAGES:
        assert "seed" in state_fields(concept.path), concept.file


@pytest.mark.parametrize("file,field,value", CASES)
def test_garbage_in_one_setting(file, field, value):
    at = AppTest.from_file(str(REPO / "pages" / file), default_timeout=90)
    at.query_params[field] = value
    at.run()
    assert not at.exception, (field, value, at.exception)


@pytest.mark.parametrize("concept", PAGES, ids=lambda c: c.file)
def test_garbage_in_every_setting_at_once(concept):
    at = AppTest.from_file(str(concept.path), default_timeout=90)
    for i, field in enumerate(state_fields(concept.path)):
        at.query_params[field] = GARBAGE[(i * 5 + 1) % len(GARBAGE)]
    at.query_params["not_a_setting"] = "1"
    at.run()
    assert not at.exception, at.exception
    assert at.warning, "a broken link must be reported on the page"
