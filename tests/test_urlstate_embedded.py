"""The URL-state layer's embedded mode (``kit.embedded``): a page's view drawn inside
another page (the deck's live slides) at a preset, under a session scope of its own,
never touching the host page's link."""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

from ui import kit
from ui.states.convolution import ConvState

pytestmark = pytest.mark.slow  # AppTest page runs


def host() -> None:
    """A toy host page: its own state in the link, and one toy view embedded twice."""
    from dataclasses import dataclass
    from typing import ClassVar

    import streamlit as st

    from ui import kit

    @dataclass
    class HostState:
        PAGE: ClassVar[str] = "host"
        slide: int = kit.param(1, lo=1, hi=9)

    @dataclass
    class ToyState:
        PAGE: ClassVar[str] = "toy"
        level: int = kit.param(3, lo=0, hi=10)
        kind: str = kit.param("a", choices=("a", "b", "c"))

    def view(state: ToyState) -> None:
        level = kit.slider(ToyState, "level", "Level")
        kind = kit.select(ToyState, "kind", "Kind", radio=True)
        st.button("Bump", key=kit.key(ToyState, "bump"),
                  on_click=kit.in_scope(kit.set_value), args=(ToyState, "level", 10))
        st.button("Zero", key=kit.key(ToyState, "zero"),  # a plain callback finds its scope
                  on_click=kit.set_value, args=(ToyState, "level", 0))

        @st.fragment
        def part() -> None:
            st.button("Again", key=kit.key(ToyState, "again"))
            st.caption(f"{kit.scope()}: {kit.key(ToyState, 'level')} = "
                       f"{kit.value(ToyState, 'level')}")

        part()
        st.text(f"{kit.scope()}: state {state.level}{state.kind}, widgets {level}{kind}")

    kit.load_state(HostState)
    for scope_name in st.session_state.get("forget", ()):
        kit.forget(scope_name)  # before it is drawn, as the deck does on a new slide
    presets = st.session_state.get("presets", {"talk.1": {"level": 7}, "talk.2": {"kind": "c"}})
    for scope_name, preset in presets.items():
        with kit.embedded(scope_name):
            view(kit.load_state(ToyState, preset=preset))
    st.text(f"outside: {kit.scope()} {kit.key(ToyState, 'level')}")


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
                         "outside: None talk.2/toy.level"]  # the page's last view's scope
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
    assert kit.key(ConvState, "stride") == "convolution.stride"
    assert kit.key(ConvState, "play") == "convolution.play"  # a widget that is no field
    seen = {}

    def run(scope_name: str, barrier: threading.Barrier) -> None:
        with kit.embedded(scope_name):
            barrier.wait()  # both threads inside their contexts at once
            seen[scope_name] = kit.key(ConvState, "stride")
            barrier.wait()

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=run, args=(s, barrier)) for s in ("talk.1", "talk.2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"talk.1": "talk.1/convolution.stride", "talk.2": "talk.2/convolution.stride"}
    with kit.embedded("a"), kit.embedded("b"):
        assert kit.key(ConvState, "stride") == "b/convolution.stride"
    assert kit.scope() is None
    with pytest.raises(ValueError):
        kit.load_state(ConvState, preset={"stride": 2})  # a preset outside a view
    with pytest.raises(KeyError):
        kit.value(ConvState, "strid")


def test_plain_callbacks_and_fragment_reruns_reach_their_scope(at):
    at.session_state["presets"] = {"talk.1": {"level": 7}}  # one view of the page, as the deck
    at.run()
    at.button(key="talk.1/toy.zero").click().run()
    assert texts(at)[0] == "talk.1: state 0a, widgets 0a"
    at.button(key="talk.1/toy.again").click().run()  # (AppTest reruns the whole script)
    assert "talk.1: talk.1/toy.level = 0" in [c.value for c in at.caption]
    assert dict(at.query_params) == {"slide": "2"}
    assert "toy.level" not in at.session_state and "toy.kind" not in at.session_state


def test_outside_a_context_keys_follow_the_pages_last_embedded_view():
    """What a callback or a fragment rerun meets: no context, the session's record of the
    scope each page was last drawn in; a page's own load_state starts afresh."""

    def script() -> None:
        import streamlit as st

        from ui import kit
        from ui.states.convolution import ConvState

        st.session_state["_ui_embedded"] = {"convolution": "talk.21"}  # left by a last run
        st.text(kit.key(ConvState, "stride"))
        kit.set_value(ConvState, "stride", 2)  # as a plain callback would
        st.text(repr(st.query_params.to_dict()))
        kit.load_state(ConvState)  # the page's own run
        st.text(kit.key(ConvState, "stride"))

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    assert texts(at) == ["talk.21/convolution.stride", "{}", "convolution.stride"]
    assert at.session_state["talk.21/convolution.stride"] == 2
