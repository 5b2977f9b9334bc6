"""The page-view contract (issue 13): importing a page draws nothing and costs little; it
only defines ``view(state)`` (the live view, which the deck embeds) and ``main()``.

The pages (every row of ``ui/catalog.py``, and home) are imported one after another in
ONE fresh interpreter outside Streamlit, with every way a page could touch Streamlit at
import time recorded and charged to the page being imported: an element or widget (all
of them go through ``DeltaGenerator._enqueue``), the session state, the query string, a
rerun or stop, and torch's thread setting (``kit.one_torch_thread``). A call made while
a shared module loads is charged to the first page that imports it: still a failure.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO
from ui import catalog

PAGES = [c.url_path for c in catalog.available()] + ["home"]
NO_VIEW = {"talk", "home"}  # the deck and the front page embed the others' views
# Pages that cannot be imported outside a running Streamlit, and why (not their fault):
NEEDS_RUNTIME = {"digits": "streamlit-drawable-canvas 0.13 registers its component when "
                           "imported, which needs a running Streamlit"}

PROBE = r"""
import importlib, inspect, json, sys
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.state.query_params_proxy import QueryParamsProxy
from streamlit.runtime.state.session_state_proxy import SessionStateProxy

calls = []

def record(owner, name):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        calls.append(f"{owner.__name__}.{name}")
        return original(*args, **kwargs)
    setattr(owner, name, wrapper)

record(DeltaGenerator, "_enqueue")
for name in ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__getattr__",
             "__setattr__", "get", "setdefault", "pop", "update", "keys"):
    if hasattr(SessionStateProxy, name):
        record(SessionStateProxy, name)
for name in ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__",
             "get", "get_all", "keys", "pop", "update", "from_dict", "clear"):
    if hasattr(QueryParamsProxy, name):
        record(QueryParamsProxy, name)
for module, name in ((st, "rerun"), (st, "stop"), (torch, "set_num_threads")):
    original = getattr(module, name)
    setattr(module, name, lambda *a, _n=name, _o=original, **k: (calls.append(_n), _o(*a, **k)))

out = {}
for name in sys.argv[1:]:
    del calls[:]
    try:
        page = importlib.import_module("pages." + name)
    except Exception as err:  # reported per page
        out[name] = {"error": f"{type(err).__name__}: {err}"[:300]}
        continue
    view = getattr(page, "view", None)
    out[name] = {
        "calls": list(calls),
        "view": callable(view) and list(inspect.signature(view).parameters) == ["state"],
        "main": callable(getattr(page, "main", None)),
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def imported() -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *PAGES], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # a fresh interpreter that imports torch and every page
@pytest.mark.parametrize("name", PAGES)
def test_importing_a_page_draws_nothing_and_defines_its_view(name, imported):
    got = imported[name]
    if name in NEEDS_RUNTIME:
        assert "error" in got, f"pages.{name} imports outside Streamlit now: drop it from NEEDS_RUNTIME"
        return  # its main() and view are checked by the AppTest page tests
    assert "error" not in got, got.get("error")
    assert got["calls"] == [], f"importing pages.{name} touched Streamlit: {got['calls']}"
    assert got["main"], f"pages.{name}.main() is missing"
    if name not in NO_VIEW:
        assert got["view"], f"pages.{name}.view(state) is missing"
