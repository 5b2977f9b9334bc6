"""The URL-state layer (ui/kit.py): per-page session keys, URL <-> session sync,
escaping of text that a link supplies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dlcore import descent
from tests.conftest import REPO
from tests.harness import page_test, page_text, switch_page, with_contour_map
from ui import kit


@pytest.mark.slow
def test_a_seed_set_on_one_page_does_not_reach_another():
    """Issue 14: the digits page's dice wrote ``seed``, and the convolution page, opened
    afterwards with a clean URL, showed that seed and replaced the slide's input."""
    at = page_test("app.py", timeout=90).run()
    switch_page(at, "digits").run()
    at.radio[0].set_value("test digit").run()
    at.button[[b.label for b in at.button].index("🎲 Another test digit")].click().run()
    assert not at.exception
    at.query_params.clear()
    switch_page(at, "convolution").run()
    assert not at.exception
    seeds = [n.value for n in at.number_input if "Seed" in n.label]
    assert seeds == [0]
    assert "seed" not in at.query_params
    assert "12 = 3*0 + 3*1 + 2*2" in page_text(at)  # the stepper's first cell, the slide's


def run_page(name: str, **params: str) -> AppTest:
    at = with_contour_map(page_test(str(REPO / "pages" / f"{name}.py"), timeout=90))
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.slow
def test_a_default_sent_after_another_value_sets_the_widget():
    """Issue 15: ``lr_exp=-1.0`` (the default) after ``-0.9`` left the slider at -0.9."""
    at = run_page("gradient_descent", lr_exp="-0.9")
    assert at.slider(key="gradient_descent.lr_exp").value == pytest.approx(-0.9)
    at.query_params["lr_exp"] = "-1.0"
    at.run()
    assert at.slider(key="gradient_descent.lr_exp").value == pytest.approx(-1.0)
    assert "lr_exp" not in at.query_params  # a default is left out of the link
    at.query_params["lr_exp"] = "-0.9"
    at.run()
    assert at.slider(key="gradient_descent.lr_exp").value == pytest.approx(-0.9)
    assert at.query_params["lr_exp"] == "-0.9"


@pytest.mark.slow
def test_a_default_sent_after_a_move_sets_the_widget_through_the_app_shell():
    """Issue 15 again, as a session of the whole app meets it (st.navigation, one session):
    the default after a link's value and after the person's own move of the slider."""
    at = page_test("app.py", timeout=120).run()
    switch_page(with_contour_map(at), "gradient_descent")
    lr = "gradient_descent.lr_exp"
    for sent in ("-0.9", "-1.0", "-1"):
        at.query_params["lr_exp"] = sent
        at.run()
        assert at.slider(key=lr).value == pytest.approx(float(sent))
    at.slider(key=lr).set_value(-0.9).run()
    assert at.query_params["lr_exp"] == "-0.9"
    at.query_params["lr_exp"] = "-1.0"
    at.run()
    assert at.slider(key=lr).value == pytest.approx(-1.0) and "lr_exp" not in at.query_params


@pytest.mark.slow
def test_a_widget_change_goes_to_the_url_and_survives_reruns():
    at = run_page("convolution")
    at.slider(key="convolution.stride").set_value(2).run()
    assert at.query_params["stride"] == "2"
    at.run()
    assert at.slider(key="convolution.stride").value == 2
    assert at.query_params["stride"] == "2"


@pytest.mark.slow
def test_a_move_sent_with_an_old_address_keeps_what_the_last_run_set():
    """A rerun carries the address as the browser showed it when the rerun was asked for:
    on a busy server, before the last run's new link arrived. A move sent with such an
    old address (stride 2 just set, the address still without it) keeps stride 2 and
    writes it back; the same old address with no move (browser Back) is followed."""
    at = run_page("convolution")
    at.slider(key="convolution.stride").set_value(2).run()
    assert at.query_params["stride"] == "2"
    del at.query_params["stride"]  # the address the browser had before that run's write
    at.slider(key="convolution.padding").set_value(1).run()
    assert not at.exception
    assert at.slider(key="convolution.stride").value == 2  # was reset to 1 before the fix
    assert at.slider(key="convolution.padding").value == 1
    assert at.query_params["stride"] == "2" and at.query_params["padding"] == "1"
    del at.query_params["stride"]  # Back to the address without stride: nothing moved
    at.run()
    assert at.slider(key="convolution.stride").value == 1
    assert "stride" not in at.query_params and at.query_params["padding"] == "1"
    # a button's callback (kit.in_scope) is a move too
    at.slider(key="convolution.stride").set_value(2).run()
    del at.query_params["stride"]
    at.button[[b.label for b in at.button].index("🎲 Random fill")].click().run()
    assert at.slider(key="convolution.stride").value == 2 and at.query_params["stride"] == "2"


@pytest.mark.slow
def test_eight_optimizers_in_a_link_stay_eight():
    every = list(descent.OPTIMIZERS)
    at = with_contour_map(page_test(str(REPO / "pages" / "gradient_descent.py"), timeout=90))
    at.query_params["opts"] = every
    at.query_params["steps"] = "5"
    at.run()
    assert not at.exception and not at.warning
    assert at.multiselect(key="gradient_descent.opts").value == every


def test_links_hold_only_the_fields_off_their_default():
    from ui.states.convolution import ConvState
    from ui.states.gradient_descent import DescentState

    assert kit.link(ConvState()) == "convolution"
    assert kit.link(ConvState(stride=2, op="max-pool")) == "convolution?op=max-pool&stride=2"
    assert kit.link_to("gradient_descent", opts=("gd", "adam"), lr_exp=-1.5) == \
        "gradient_descent?opts=gd&opts=adam&lr_exp=-1.5"
    assert kit.link(DescentState(opts=())) == "gradient_descent?opts="
    with pytest.raises(TypeError):
        kit.link_to("convolution", strides=2)  # a renamed field raises here, not on stage
    grid = np.array([[1.2345, -0.1], [1e-7, 3.0]])
    query = parse_qs(urlsplit(kit.link_to("convolution", kernel=grid)).query)
    np.testing.assert_array_equal(kit.decode_grid(query["kernel"][0]), grid)


@pytest.mark.parametrize("text", [
    "[Click here to log in](http://example.com/login)", "![x](http://example.com/pixel.png)",
    "a`[Click](http://example.com/)`", "<img src=http://example.com/p.png>", "$x$ :red[y]",
    "**bold** _i_ # h", "line\nbreak",
])
def test_plain_leaves_no_markup(text):
    out = kit.plain(text)
    assert "\n" not in out
    for ch in "[]()!`<>*_#$:":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch), (ch, out)


# --------------------------------------------------------------------------- hostile text
PHISH = "[Click here to log in](http://example.com/login)"
PIXEL = "![x](http://example.com/pixel.png)"




@pytest.mark.slow
@pytest.mark.parametrize("params", [
    {"surface": "custom", "formula": PHISH}, {"surface": "custom", "formula": PIXEL},
    {"surface": "custom", "formula": "x`[Click](http://example.com/)`"},
    {"a`[Click](http://example.com/)`": "1"}, {"mode": PHISH}, {"opts": PIXEL},
])
def test_text_from_a_link_never_becomes_markup(params):
    at = run_page("gradient_descent", **params)
    assert not at.exception
    body = page_text(at, "error", "warning", "markdown", "caption")
    # Shown, if at all, with every bracket escaped: never a link, an image or a code span.
    assert not re.search(r"(?<!\\)[\[\]`]", body), body


@pytest.mark.slow
def test_a_formula_message_keeps_its_stars_and_the_title_its_formula():
    at = run_page("gradient_descent", surface="custom", formula="2x")
    error = at.error[0].value
    assert kit.plain("(write products with *, e.g. 2*x)") in error
    at = run_page("gradient_descent", surface="custom")
    title = "**" + kit.plain("L(x, y) = x**2 + 3*sin(y)") + ".**"
    assert any(m.value.startswith(title) for m in at.markdown)


@pytest.mark.slow
def test_a_formula_too_long_in_a_link_is_reported_as_too_long():
    at = run_page("gradient_descent", surface="custom", formula="x+" * 120 + "y")
    warning = at.warning[0].value
    assert "**formula**" in warning and "longer than 200 characters" in warning
    assert not at.error  # not cut and then called a syntax error


@pytest.mark.slow
def test_a_bad_optimizer_is_blamed_not_the_good_one():
    at = run_page("gradient_descent", opts=["nope", "gd"])
    warning = at.warning[0].value
    assert "**opts** = nope" in warning and "gd (" not in warning
    assert at.multiselect(key="gradient_descent.opts").value == ["gd", "momentum", "adam"]


# --------------------------------------------------------------------------- the table
VOCABULARY = ["king", "queen"]


@dataclass
class ToyState:
    PAGE: ClassVar[str] = "toy"
    word: str = kit.param("king", choices=lambda: VOCABULARY, max_len=10)
    weights: tuple[float, ...] = kit.param((0.5, 1), max_items=3, lo=-1, hi=1)
    note: str = kit.param("", max_len=5)
    on: bool = kit.param(False)
    seed: int = kit.param(0, lo=0, hi=9)


def test_types_come_from_the_annotations():
    table = kit.specs(ToyState)
    assert table["weights"].kind is float and table["weights"].many
    assert table["weights"].default == (0.5, 1.0)
    assert kit.from_url(table["weights"], ["0.25", "-1"]) == (0.25, -1.0)
    assert kit.from_url(table["on"], ["true"]) is True
    assert kit.link(ToyState(weights=(0.1,), on=True)) == "toy?weights=0.1&on=true"


@pytest.mark.parametrize("name,raws,reason", [
    ("weights", ["0.1", "0.2", "0.3", "0.4"], "more than 3 items"),
    ("weights", ["0.1", "2"], "above the maximum 1.0"),
    ("note", ["toolong"], "longer than 5 characters"),
    ("word", ["frog"], "not one of king, queen"),
    ("on", ["maybe"], "expected 1/0, true/false or yes/no"),
    ("on", ["2"], "expected 1/0, true/false or yes/no"),
    ("seed", ["1.5"], "not a whole number"),
])
def test_bad_values_are_refused_with_the_reason(name, raws, reason):
    with pytest.raises(kit.BadValue, match=reason):
        kit.from_url(kit.specs(ToyState)[name], raws)


@pytest.mark.parametrize("text,value", [
    ("1", True), ("0", False), ("true", True), ("False", False), ("yes", True),
    ("NO", False), (" on ", True), ("off", False)])
def test_switches_in_a_link_accept_1_0_true_false_yes_no(text, value):
    assert kit.from_url(kit.specs(ToyState)["on"], [text]) is value


def test_choices_computed_at_run_time():
    spec = kit.specs(ToyState)["word"]
    with pytest.raises(kit.BadValue):
        kit.from_url(spec, ["frog"])
    VOCABULARY.append("frog")
    try:
        assert kit.from_url(spec, ["frog"]) == "frog"
    finally:
        VOCABULARY.remove("frog")


def test_a_table_the_layer_cannot_hold_raises():
    @dataclass
    class NoPage:
        seed: int = kit.param(0)

    @dataclass
    class Odd:
        PAGE: ClassVar[str] = "odd"
        when: dict = kit.param(None)

    with pytest.raises(TypeError, match="PAGE"):
        kit.specs(NoPage)
    with pytest.raises(TypeError, match="annotate"):
        kit.specs(Odd)
    with pytest.raises(KeyError):
        kit.value(ToyState, "sed")
