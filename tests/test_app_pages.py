"""AppTest: the shell, the home page and the convolution page render, deep links set
their state, and bad parameters give a message instead of an exception."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dlcore import conv
from tests.harness import open_page, page_text, stepper_text
from ui import kit

pytestmark = pytest.mark.slow  # AppTest page runs

TIMEOUT = 60


def run_app(path: str = "app.py", **params: str) -> AppTest:
    return open_page(path, params, timeout=TIMEOUT)




def test_home_renders_the_map_of_the_talk():
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "Deep Learning: Getting Started"
    latex = " ".join(str(x.value) for x in at.latex)
    for piece in (r"\mathbf{X}", r"\mathbf{y}", "f(", "L(", r"\nabla"):
        assert piece in latex
    assert "Convolution" in page_text(at)


def test_presenter_mode_from_the_link():
    at = run_app(present="1")
    assert not at.exception
    assert at.session_state["_present"] is True
    assert at.toggle(key="_present_switch").value is True


def test_conv_page_default_is_the_slide():
    at = run_app("pages/convolution.py")
    assert not at.exception
    body = page_text(at)
    assert "12 = 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2" in body
    assert "Cell 1 of 9" in body
    assert "F.conv2d(x, w, stride=1, padding=0, dilation=1)" in body


def test_conv_the_fourth_cell_shows_the_fourth_sum():
    """The stepper steps in the browser (tests/test_browser_shell.py clicks Next); the
    cell it sends back, or a link's, is the one the page draws."""
    at = run_app("pages/convolution.py", cell="4")
    assert not at.exception
    assert "Cell 4 of 9" in page_text(at)
    assert "10 = 0*0 + 0*1 + 1*2 + 3*2 + 1*2 + 2*0 + 2*0 + 0*1 + 0*2" in page_text(at)


def test_conv_deep_link_stride_two_padding_one():
    at = run_app("pages/convolution.py", stride="2", padding="1", cell="9")
    assert not at.exception
    assert at.slider(key="convolution.stride").value == 2 and at.slider(key="convolution.padding").value == 1
    body = page_text(at)
    assert "Cell 9 of 9" in body
    assert "4 = " in body  # the last cell of 6 17 3 / 8 17 13 / 6 4 4
    np.testing.assert_array_equal(conv.conv2d(conv.SLIDE_INPUT, conv.SLIDE_KERNEL, 2, 1),
                                  [[6, 17, 3], [8, 17, 13], [6, 4, 4]])


@pytest.mark.parametrize("op,expected", [("convolution", "18 = "), ("max-pool", "3 = max("),
                                         ("average-pool", "1.67 = (3 + 3")])
def test_conv_deep_link_operation(op, expected):
    at = run_app("pages/convolution.py", op=op)
    assert not at.exception
    assert expected in page_text(at)


def test_conv_deep_link_grids_and_image():
    digit = (np.arange(28 * 28) % 256).reshape(28, 28).astype(np.uint8)
    at = run_app("pages/convolution.py", x="1,2,3;4,5,6;7,8,9", n="3", k="2",
                 kernel="1,0;0,-1", preset="edited", image=kit.encode_image(digit))
    assert not at.exception
    assert "-4 = 1*1 + 2*0 + 4*0 + 5*-1" in page_text(at)
    assert at.radio[1].value == "link"
    assert len(at.get("plotly_chart")) == 1


def test_conv_kernel_from_link_sets_kernel_size():
    at = run_app("pages/convolution.py", kernel=kit.encode_grid(np.ones((5, 5))), preset="edited")
    assert not at.exception
    assert at.slider(key="convolution.k").value == 5


@pytest.mark.parametrize("params", [
    {"stride": "0"}, {"stride": "abc"}, {"padding": "99"}, {"op": "fft"},
    {"x": "1,2;3"}, {"kernel": "nan,1;1,1"}, {"image": "b64:28:28:@@"}, {"bogus": "1"},
    {"cell": "-5"}, {"n": "1e9"},
])
def test_conv_bad_parameters_warn_and_fall_back(params):
    at = run_app("pages/convolution.py", **params)
    assert not at.exception
    assert at.warning, "a bad link parameter must be reported"
    assert "12 = 3*0" in page_text(at)  # the defaults still work


def test_conv_settings_without_output_give_a_message():
    at = run_app("pages/convolution.py", n="3", k="5")
    assert not at.exception
    assert any("No output" in e.value for e in at.error)
    at = run_app("pages/convolution.py", op="average-pool", dilation="2")
    assert not at.exception
    assert any("dilation" in e.value for e in at.error)


def test_conv_reset_restores_defaults():
    at = run_app("pages/convolution.py", stride="2", padding="1", op="max-pool")
    at.button[[b.label for b in at.button].index("Reset")].click().run()
    assert not at.exception
    assert at.slider(key="convolution.stride").value == 1 and at.slider(key="convolution.padding").value == 0
    assert "12 = 3*0" in page_text(at)


def test_conv_random_fill_uses_the_seed():
    at = run_app("pages/convolution.py")
    at.button[[b.label for b in at.button].index("🎲 Random fill")].click().run()
    assert not at.exception
    assert at.number_input(key="convolution.seed").value == 1
    assert "12 = 3*0 + 3*1" not in page_text(at)


def test_conv_printed_pytorch_call_computes_the_page_numbers_for_float_grids():
    x = np.array([[1.2345, -0.5, 2.25], [0.1, 3.0, -1.75], [0.3333, 1e-3, 7.5]])
    w = np.array([[0.125, -1.2345], [2.5, 0.1]])
    at = run_app("pages/convolution.py", n="3", k="2", x=kit.encode_grid(x),
                 kernel=kit.encode_grid(w))
    assert not at.exception and not at.warning
    code = next(c.value for c in at.code if "F.conv2d" in c.value)
    namespace: dict = {}
    exec(code.rsplit("\n", 1)[0], namespace)  # the code as printed on the page
    result = eval(code.rsplit("\n", 1)[1], namespace)[0, 0].numpy()
    np.testing.assert_allclose(result, conv.apply("xcorr", x, w, 1, 0, 1), rtol=1e-12)
    written = stepper_text(at)[1]  # the first cell's sum, as the stepper shows it
    assert written.startswith(conv.fmt(result[0, 0]) + " = ")


@pytest.mark.parametrize("grid", ["1e308,1e308,1e308;1e308,1e308,1e308;1e308,1e308,1e308",
                                  "1e308,-1e308;-1e308,1e308", "2e6,0;0,0"])
def test_conv_huge_numbers_in_a_link_are_refused_by_name(grid):
    at = run_app("pages/convolution.py", x=grid)
    assert not at.exception
    assert "**x**" in at.warning[0].value and "1000000" in at.warning[0].value
    assert "12 = 3*0" in page_text(at)


def test_conv_image_source_is_in_the_link():
    at = run_app("pages/convolution.py", source="upload")
    assert not at.exception
    assert at.radio(key="convolution.source").value == "upload"
    at.radio(key="convolution.source").set_value("digit").run()
    assert "source" not in at.query_params  # the default is left out
    at.radio(key="convolution.source").set_value("upload").run()
    assert at.query_params["source"] == "upload"
