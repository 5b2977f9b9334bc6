"""AppTest of the lab's three pages: splits (a preset trains and states its lesson, bad
settings give messages), CPU vs GPU without a GPU, and the jargon (every glossary link opens
its page without a warning; the search box is never markup)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from dlcore import lab
from tests.conftest import REPO
from tests.harness import page_test
from ui import glossary, kit
from ui.states.jargon import JargonState
from ui.states.splits import SplitsState, preset_link

pytestmark = pytest.mark.slow  # AppTest page runs

TIMEOUT = 120


def run_page(page: str, query: str = "") -> AppTest:
    at = page_test(str(REPO / "pages" / f"{page}.py"), timeout=TIMEOUT)
    for k, v in parse_qsl(query, keep_blank_values=True):
        at.query_params[k] = v
    return at.run()


def body(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for kind in (at.error, at.warning, at.info, at.success) for x in kind]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    return "\n".join(map(str, parts))


def test_splits_default_waits_for_train():
    at = run_page("splits")
    assert not at.exception and not at.warning
    assert at.button(key="splits._train").label == "Train ▶"
    assert "Press Train" in body(at) and "The signs of overfitting" in body(at)
    for name in lab.PRESETS:
        assert preset_link(name) in body(at)


def test_splits_leak_preset_trains_and_shows_the_too_good_score():
    at = run_page("splits", urlsplit(preset_link("leak")).query)
    assert not at.exception and not at.warning
    assert lab.PRESETS["leak"].lesson in body(at)  # the preset states its lesson
    at.button(key="splits._train").click().run()
    assert not at.exception
    text = body(at)
    assert "Too good to be true" in text and "150 of the 300 test digits" in text
    leaked, clean = (float(v) for v in re.findall(
        r"Test score ([\d.]+)%; on the clean test set ([\d.]+)%", text)[0])
    assert leaked > clean + 5
    assert at.button(key="splits._train").label == "Train again ▶"
    at.run()  # a rerun shows the finished run again without training
    assert "Too good to be true" in body(at)


def test_splits_tune_on_test_preset_states_its_spread_over_seeds():
    """The words give the spread over seeds 0-9 (tests/test_lessons.py measures it), and
    the run at the link's own seed is named as one seed's."""
    at = run_page("splits", urlsplit(preset_link("tune-on-test")).query)
    assert not at.exception and not at.warning
    lesson = lab.PRESETS["tune-on-test"].lesson
    assert lesson in body(at) and "Over ten seeds (0-9)" in lesson
    assert "mean +1.5" in lesson and "mean -0.6" in lesson


def test_splits_bad_settings_give_messages():
    at = run_page("splits", "val_pct=40&test_pct=40&width=abc&seed=-3")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "width" in warning and "seed" in warning
    assert "at most 60 %" in " ".join(e.value for e in at.error)
    at = run_page("splits", "val_pct=30&test_pct=30")
    assert "leaves 1,200 digits for training, fewer than the 2,400 asked for" in body(at)


def test_splits_state_mirrors_the_engine_config():
    state = SplitsState.of(lab.preset("tune-on-test"))
    assert state.config() == lab.preset("tune-on-test")
    assert kit.link(state).startswith("splits?") and "tune_on_test=true" in kit.link(state)


def test_cpu_gpu_page_without_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    at = run_page("cpu_gpu", "max_size=256&batch=64")
    assert not at.exception and not at.warning
    text = body(at)
    assert "No GPU on this machine" in text and "GPU: none" in text
    assert "One training step of a 784-1024-1024-10 network on 64 digits" in text
    assert len(at.get("plotly_chart")) == 1


def _installed_links() -> list[tuple[str, str]]:
    links = {}
    for term in glossary.TERMS:
        target = glossary.href(term)
        if target is not None:
            links.setdefault(target, term.id)
    return sorted((t, i) for t, i in links.items())


def test_glossary_covers_the_slide_and_every_link_is_built_from_a_state_table():
    ids = {t.id for t in glossary.TERMS}
    for word in ("loss", "epoch", "batch", "split", "learning-rate", "accuracy", "dropout",
                 "early-stopping", "layer", "convolution", "pooling", "rnn", "lstm", "mlp",
                 "fully-connected", "embedding", "fine-tuning", "overfitting", "gradient",
                 "optimizer", "temperature"):
        assert word in ids
    for term in glossary.TERMS:
        if glossary.page_installed(term.page):  # a renamed field raises here
            assert glossary.href(term) == kit.link_to(term.page, **term.fields)
        else:
            assert glossary.href(term) is None


@pytest.mark.parametrize("target,term", _installed_links())
def test_every_glossary_link_opens_its_page_without_a_warning(target, term, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    page, _, query = target.partition("?")
    at = run_page(page, query)
    assert not at.exception, term
    assert not at.warning, (term, [w.value for w in at.warning])


def test_jargon_term_link_focuses_the_term():
    at = run_page("jargon", "term=dropout")
    assert not at.exception and not at.warning
    first = at.markdown[1].value if at.markdown[0].value.startswith("Loss, epoch") else ""
    assert '<span id="dropout"></span>**Dropout**' in first
    assert "The term this link points to." in body(at)


def test_jargon_search_filters_and_never_renders_markup():
    at = run_page("jargon", "q=recurrent")
    entries = [m.value for m in at.markdown if m.value.startswith("<span id=")]
    assert {e.split('"')[1] for e in entries} == {"rnn", "lstm"}
    hostile = "<img src=x onerror=alert(1)>[x](http://e.vil)"
    at = run_page("jargon", "q=" + hostile[:40])
    assert not at.exception
    shown = " ".join(i.value for i in at.info)
    assert "No term matches" in shown
    assert not re.search(r"(?<!\\)[<>\[\]()]", shown.split("matches", 1)[1].split("Try")[0])
    assert not [m for m in at.markdown if m.value.startswith("<span id=")]


def test_jargon_unknown_term_gives_a_warning():
    at = run_page("jargon", "term=flux-capacitor")
    assert not at.exception
    assert "term" in " ".join(w.value for w in at.warning)


def test_jargon_random_term_is_drawn_by_its_seed():
    at = run_page("jargon")
    at.button(key="jargon._draw").click().run()
    assert not at.exception
    seed = at.session_state[kit.key(JargonState, "seed")]
    term = at.session_state[kit.key(JargonState, "term")]
    assert seed > 0 and term == glossary.random_term(seed)
    assert at.query_params["term"] == [term] or at.query_params["term"] == term



def test_splits_without_its_digits_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(lab, "load_pool", lambda: lab.data.load_pool(tmp_path / "missing.npz"))
    st.cache_resource.clear()  # the digits loaded by an earlier test
    at = run_page("splits", "seed=77")
    at.button(key="splits._train").click().run()
    assert not at.exception
    assert "digits are missing" in " ".join(e.value for e in at.error), body(at)
    st.cache_resource.clear()  # and not the missing ones for a later test


@pytest.mark.parametrize("ms", [[0.4, 3.0, 25.0, 180.0], [2.0, 3.5, 6.0], [0.002, 9000.0]])
def test_cpu_gpu_log_axis_labels_every_tick_in_full(ms):
    """No minor "2"/"5" labels in plotly's 11 px: every tick is ours, labelled in full at
    the chart's font size (13 px and up), and the ticks cover the data."""
    from pages.cpu_gpu import time_chart

    sizes = [128, 256, 512, 1024, 2048][:len(ms)]
    fig = time_chart([{"device": "cpu", "task": "matmul", "size": n, "ms": v, "gflops": 1.0}
                      for n, v in zip(sizes, ms, strict=True)])
    y = fig.layout.yaxis
    assert y.type == "log" and y.tickvals and list(y.ticktext) == [f"{t:g}" for t in y.tickvals]
    assert min(y.tickvals) <= min(ms) * 2.5 and max(y.tickvals) >= max(ms) / 2.5
    assert 2 <= len(y.tickvals) <= 9
    assert y.tickfont.size is None or y.tickfont.size >= 13  # the base font: kit.CHART_FONT
    assert min(kit.CHART_FONT.values()) >= 13
