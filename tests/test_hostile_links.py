"""Every page survives a hostile or broken query string: every setting of its state table
(``ui/states/<url_path>.py``) gets garbage at once, and the page still renders, with one
warning, and no exception. One page run per page: how each field takes or refuses a text
is the codec's (tests/test_codec.py, every field, hypothesis); which values a page must
name in its warning is stated in tests/test_state_contract.py (``bad_values``)."""

from __future__ import annotations

import pytest

from tests.harness import page_test
from tests.test_state_contract import bad_values
from ui import catalog, kit

pytestmark = pytest.mark.slow  # AppTest page runs

GARBAGE = ["", "abc", "-1", "1e308", "nan", "inf", "9" * 40, "<script>alert(1)</script>",
           "__import__('os').system('id')", "1,2;3", "b64:9:9:AAAA", "%00", "true"]

PAGES = catalog.available()


def table(concept) -> type:
    return kit.state_class(concept.url_path)


@pytest.mark.parametrize("concept", PAGES, ids=lambda c: c.url_path)
def test_garbage_in_every_setting_at_once(concept):
    at = page_test(str(concept.path), timeout=90)
    specs = kit.specs(table(concept))
    for i, field in enumerate(specs):
        at.query_params[field] = GARBAGE[(i * 5 + 1) % len(GARBAGE)]
    at.query_params["not_a_setting"] = "1"
    at.run()
    assert not at.exception, at.exception
    assert len(at.warning) >= 1
    warning = " ".join(w.value for w in at.warning)
    assert "**not\\_a\\_setting** is not a setting" in warning
    for i, (field, spec) in enumerate(specs.items()):
        # a text this test states the field must refuse is named in the warning
        if GARBAGE[(i * 5 + 1) % len(GARBAGE)] in bad_values(spec) or spec.kind in (int, float) \
                and GARBAGE[(i * 5 + 1) % len(GARBAGE)] in ("abc", "nan", "inf"):
            assert f"**{field}**" in warning, field
