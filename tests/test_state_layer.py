"""The URL-state layer (pages/_ui.py): per-page session keys, URL <-> session sync,
escaping of text that a link supplies."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dlcore import descent
from pages import _ui
from tests.conftest import REPO


def test_a_seed_set_on_one_page_does_not_reach_another():
    """Issue 14: the digits page's dice wrote ``seed``, and the convolution page, opened
    afterwards with a clean URL, showed that seed and replaced the slide's input."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90).run()
    at.switch_page("pages/digits.py").run()
    at.radio[0].set_value("test digit").run()
    at.button[[b.label for b in at.button].index("🎲 Another test digit")].click().run()
    assert not at.exception
    at.query_params.clear()
    at.switch_page("pages/convolution.py").run()
    assert not at.exception
    seeds = [n.value for n in at.number_input if "Seed" in n.label]
    assert seeds == [0]
    assert "seed" not in at.query_params
    body = "\n".join(c.value for c in at.code)
    assert "12 = 3*0 + 3*1 + 2*2" in body


def run_page(name: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{name}.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


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


def test_a_widget_change_goes_to_the_url_and_survives_reruns():
    at = run_page("convolution")
    at.slider(key="convolution.stride").set_value(2).run()
    assert at.query_params["stride"] == "2"
    at.run()
    assert at.slider(key="convolution.stride").value == 2
    assert at.query_params["stride"] == "2"


def test_eight_optimizers_in_a_link_stay_eight():
    every = list(descent.OPTIMIZERS)
    at = AppTest.from_file(str(REPO / "pages" / "gradient_descent.py"), default_timeout=90)
    at.query_params["opts"] = every
    at.query_params["steps"] = "5"
    at.run()
    assert not at.exception and not at.warning
    assert at.multiselect(key="gradient_descent.opts").value == every


def test_links_hold_only_the_fields_off_their_default():
    from pages._states.convolution import ConvState
    from pages._states.gradient_descent import DescentState

    assert _ui.link(ConvState()) == "convolution"
    assert _ui.link(ConvState(stride=2, op="max-pool")) == "convolution?op=max-pool&stride=2"
    assert _ui.link_to("gradient_descent", opts=("gd", "adam"), lr_exp=-1.5) == \
        "gradient_descent?opts=gd&opts=adam&lr_exp=-1.5"
    assert _ui.link(DescentState(opts=())) == "gradient_descent?opts="
    with pytest.raises(TypeError):
        _ui.link_to("convolution", strides=2)  # a renamed field raises here, not on stage
    grid = np.array([[1.2345, -0.1], [1e-7, 3.0]])
    query = parse_qs(urlsplit(_ui.link_to("convolution", kernel=grid)).query)
    np.testing.assert_array_equal(_ui.decode_grid(query["kernel"][0]), grid)


@pytest.mark.parametrize("text", [
    "[Click here to log in](http://example.com/login)", "![x](http://example.com/pixel.png)",
    "a`[Click](http://example.com/)`", "<img src=http://example.com/p.png>", "$x$ :red[y]",
    "**bold** _i_ # h", "line\nbreak",
])
def test_plain_leaves_no_markup(text):
    out = _ui.plain(text)
    assert "\n" not in out
    for ch in "[]()!`<>*_#$:":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch), (ch, out)
