"""The URL-state layer's embedded mode (``_ui.embedded``): a page's view drawn inside
another page (the deck's live slides) at a preset, under a session scope of its own,
never touching the host page's link."""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

from pages import _ui
from pages._states.convolution import ConvState


def host() -> None:
    """A toy host page: its own state in the link, and one toy view embedded twice."""
    from dataclasses import dataclass
    from typing import ClassVar

    import streamlit as st

    from pages import _ui

    @dataclass
    class HostState:
        PAGE: ClassVar[str] = "host"
        slide: int = _ui.param(1, lo=1, hi=9)

    @dataclass
    class ToyState:
        PAGE: ClassVar[str] = "toy"
        level: int = _ui.param(3, lo=0, hi=10)
        kind: str = _ui.param("a", choices=("a", "b", "c"))

    def view(state: ToyState) -> None:
        level = _ui.slider(ToyState, "level", "Level")
        kind = _ui.select(ToyState, "kind", "Kind", radio=True)
        st.button("Bump", key=_ui.key(ToyState, "bump"),
                  on_click=_ui.in_scope(_ui.set_value), args=(ToyState, "level", 10))
        st.text(f"{_ui.scope()}: state {state.level}{state.kind}, widgets {level}{kind}")

    _ui.load_state(HostState)
    for scope_name in st.session_state.get("forget", ()):
        _ui.forget(scope_name)  # before it is drawn, as the deck does on a new slide
    presets = st.session_state.get("presets", {"talk.1": {"level": 7}, "talk.2": {"kind": "c"}})
    for scope_name, preset in presets.items():
        with _ui.embedded(scope_name):
            view(_ui.load_state(ToyState, preset=preset))
    st.text(f"outside: {_ui.scope()} {_ui.key(ToyState, 'level')}")


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


@pytest.fixture
def at() -> AppTest:
    at = AppTest.from_function(host, default_timeout=30)
    at.query_params["slide"] = "2"
    return at.run()


def test_each_scope_starts_at_its_preset_and_the_link_stays_the_hosts(at):
    assert not at.exception and not at.warning
    assert texts(at) == ["talk.1: state 7a, widgets 7a", "talk.2: state 3c, widgets 3c",
                         "outside: None toy.level"]
    assert at.slider(key="talk.1/toy.level").value == 7
    assert dict(at.query_params) == {"slide": "2"}


def test_moving_an_embedded_widget_changes_its_scope_only_and_never_the_link(at):
    at.slider(key="talk.1/toy.level").set_value(9).run()
    at.radio(key="talk.2/toy.kind").set_value("b").run()
    assert texts(at)[:2] == ["talk.1: state 9a, widgets 9a", "talk.2: state 3b, widgets 3b"]
    assert dict(at.query_params) == {"slide": "2"}  # no field of the view in the link
    at.button(key="talk.2/toy.bump").click().run()  # a callback with the scope in args
    assert texts(at)[:2] == ["talk.1: state 9a, widgets 9a", "talk.2: state 10b, widgets 10b"]
    assert dict(at.query_params) == {"slide": "2"}
    at.run()  # values survive reruns
    assert at.slider(key="talk.1/toy.level").value == 9


def test_a_new_scope_starts_at_its_preset_and_a_forgotten_one_starts_again(at):
    at.slider(key="talk.1/toy.level").set_value(1).run()
    at.session_state["presets"] = {"talk.1": {"level": 7}, "talk.3": {"level": 5}}
    at.run()
    assert texts(at)[:2] == ["talk.1: state 1a, widgets 1a", "talk.3: state 5a, widgets 5a"]
    at.session_state["forget"] = ["talk.1"]
    at.run()
    at.session_state["forget"] = []
    at.run()
    assert texts(at)[0] == "talk.1: state 7a, widgets 7a"


def test_a_bad_preset_is_named_and_falls_back_to_the_default():
    at = AppTest.from_function(host, default_timeout=30)
    at.session_state["presets"] = {"talk.1": {"level": 99, "kind": "z", "colour": 1}}
    at.run()
    assert not at.exception
    (warning,) = at.warning
    assert "level" in warning.value and "above the maximum 10" in warning.value
    assert "colour" in warning.value and "not one of a\\, b\\, c" in warning.value
    assert texts(at)[0] == "talk.1: state 3a, widgets 3a"


def test_keys_are_scoped_inside_the_context_and_per_thread():
    assert _ui.key(ConvState, "stride") == "convolution.stride"
    assert _ui.key(ConvState, "play") == "convolution.play"  # a widget that is no field
    seen = {}

    def run(scope_name: str, barrier: threading.Barrier) -> None:
        with _ui.embedded(scope_name):
            barrier.wait()  # both threads inside their contexts at once
            seen[scope_name] = _ui.key(ConvState, "stride")
            barrier.wait()

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=run, args=(s, barrier)) for s in ("talk.1", "talk.2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"talk.1": "talk.1/convolution.stride", "talk.2": "talk.2/convolution.stride"}
    with _ui.embedded("a"), _ui.embedded("b"):
        assert _ui.key(ConvState, "stride") == "b/convolution.stride"
    assert _ui.scope() is None
    with pytest.raises(ValueError):
        _ui.load_state(ConvState, preset={"stride": 2})  # a preset outside a view
    with pytest.raises(KeyError):
        _ui.value(ConvState, "strid")
