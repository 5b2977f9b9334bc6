"""The page-view contract (issue 13): importing a page draws nothing and costs little; it
only defines ``view(state)`` (the live view, which the deck embeds) and ``main()``.

Each page is imported in a fresh interpreter outside Streamlit, with every way a page
could touch Streamlit at import time recorded: an element or widget (all of them go
through ``DeltaGenerator._enqueue``), the session state, the query string, a rerun or
stop, and torch's thread setting (``kit.one_torch_thread``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

# The pages converted to the contract so far (pages/<name>.py)
PAGES = ("gradient_descent", "embeddings", "char_rnn", "splits", "fine_tuning", "cpu_gpu",
         "jargon")

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

page = importlib.import_module("pages." + sys.argv[1])
view = getattr(page, "view", None)
print(json.dumps({
    "calls": calls,
    "view": callable(view) and list(inspect.signature(view).parameters) == ["state"],
    "main": callable(getattr(page, "main", None)),
}))
"""


@pytest.mark.parametrize("name", PAGES)
def test_importing_a_page_draws_nothing_and_defines_its_view(name):
    done = subprocess.run([sys.executable, "-c", PROBE, name], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["calls"] == [], f"importing pages.{name} touched Streamlit: {got['calls']}"
    assert got["view"], f"pages.{name}.view(state) is missing"
    assert got["main"], f"pages.{name}.main() is missing"
