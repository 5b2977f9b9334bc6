"""AppTest: what issue 8 saw wrong on the pages, checked without a browser (the geometry
is measured in Chromium by tests/test_layouts_browser.py)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dlcore import race
from tests.harness import open_page, page_test, switch_page, with_contour_map
from ui import kit
from ui.states.gradient_descent import DescentState

pytestmark = pytest.mark.slow  # AppTest page runs


def run(path: str, **params: str) -> AppTest:
    at = open_page(path, params)
    assert not at.exception, at.exception
    return at


def chart_fonts(at: AppTest) -> set[int]:
    return {json.loads(el.proto.spec)["layout"]["font"]["size"] for el in at.get("plotly_chart")}


@pytest.mark.parametrize("present,size", [("0", kit.CHART_FONT[False]),
                                          ("1", kit.CHART_FONT[True])])
def test_chart_type_grows_on_the_stage(present, size):
    at = run("app.py", present=present)  # the shell, then the page, as a person opens it
    switch_page(with_contour_map(at), "gradient_descent").run()
    assert not at.exception, at.exception
    assert chart_fonts(at) == {size}
    assert all(json.loads(el.proto.config or "{}").get("displayModeBar") is False
               for el in at.get("plotly_chart"))


def test_convolution_pooling_says_what_it_computes_and_the_stepper_gets_every_cell():
    at = run("pages/convolution.py", op="max-pool")
    lead = at.markdown[0].value
    assert "largest value" in lead and "sum of the products" not in lead
    (stepper,) = [e for e in at.get("bidi_component")
                  if e.proto.component_name == "dlcore_conv_stepper"]
    data = json.loads(stepper.proto.json)
    assert data["cell"] == 1 and len(data["frames"]) == 9 and data["kernel"] is None
    assert data["frames"][0]["sum"].startswith("3 = max(") and data["speed"] == "normal"
    at = run("pages/convolution.py", cell="9")
    (stepper,) = [e for e in at.get("bidi_component")
                  if e.proto.component_name == "dlcore_conv_stepper"]
    assert json.loads(stepper.proto.json)["cell"] == 9


@pytest.mark.parametrize("mode", ["2d", "1d"])
def test_the_start_boxes_show_where_the_run_starts(mode):
    at = with_contour_map(page_test("pages/gradient_descent.py"))
    at.query_params["mode"] = mode
    at.run()
    defaults = DescentState()
    surface = race.loss_surface(mode, defaults.surface if mode == "2d" else defaults.curve,
                                defaults.kappa, "", 3.0, 0)
    shown = [n.value for n in at.number_input if n.disabled]
    assert shown == pytest.approx(list(surface.start))

