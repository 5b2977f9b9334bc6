"""AppTest: the gradient-descent page renders every mode, surface and preset link, and
bad link values or formulas give a message instead of an exception."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from dlcore import surfaces
from pages.gradient_descent import TABS
from tests.conftest import REPO
from tests.harness import open_page, page_text
from ui import kit, served
from ui.states.gradient_descent import DescentState

pytestmark = pytest.mark.slow  # AppTest page runs

PAGE = str(REPO / "pages" / "gradient_descent.py")


def run_page(params: dict[str, str | list[str]] | None = None) -> AppTest:
    return open_page(PAGE, params)




def all_figures(at: AppTest) -> list[dict]:
    """Every chart's plotly JSON, checked to be a valid plotly figure."""
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    for spec in specs:
        go.Figure(spec)  # raises on anything plotly would not accept
    return specs


def is_loss_panel(spec: dict) -> bool:
    return spec["layout"].get("title", {}).get("text") == "Loss against step"


def figures(at: AppTest) -> list[dict]:
    """The figures of the tabs (every chart but the loss-against-step panel)."""
    return [s for s in all_figures(at) if not is_loss_panel(s)]


def loss_panel(at: AppTest) -> dict:
    (panel,) = [s for s in all_figures(at) if is_loss_panel(s)]
    return panel


def every_figure(at: AppTest) -> list[dict]:
    """The figure of each tab of the surface view, opened in turn (only the open tab's
    figure is built and sent)."""
    out, key = figures(at), kit.key(DescentState, "_tab_2d")
    for label in TABS["2d"][1:]:
        at.session_state[key] = label
        out += figures(at.run())
        assert not at.exception, label
    return out


def test_default_view_draws_the_bowl_with_three_optimizers():
    at = run_page()
    assert not at.exception and not at.warning and not at.error
    assert len(figures(at)) == 1  # the contour map; the other tabs are built when opened
    contour, surface3d, picker = every_figure(at)
    names = [t.get("name", "") for t in contour["data"]]
    for label in ("Gradient descent (by hand): loss", "Momentum: loss", "Adam: loss"):
        assert any(n.startswith(label) for n in names), names
    assert any("minimum in" in n for n in names)
    assert len(contour["frames"]) > 10 and contour["layout"]["updatemenus"]
    # the map picture is a static file the browser fetches (and caches) once, not base64
    # inside the figure of every rerun; the start picker shows the same file
    source = contour["layout"]["images"][0]["source"]
    assert source.startswith("/app/static/made/") and source.endswith(".png")
    assert (served.MADE / source.rsplit("/", 1)[1]).read_bytes()[:4] == b"\x89PNG"
    assert picker["layout"]["images"][0]["source"] == source
    assert surface3d["data"][0]["type"] == "surface"
    assert "click to start here" in picker["data"][0]["hovertemplate"] and "frames" not in picker
    body = page_text(at)
    assert "The update at step 0" in body and r"x - \epsilon\, g" in body
    panel = loss_panel(at)  # beside the map, one line per optimizer
    assert [t["name"] for t in panel["data"]] == ["Gradient descent (by hand)", "Momentum", "Adam"]


@pytest.mark.parametrize("mode", ["1d", "model"])
def test_other_modes_render(mode):
    at = run_page({"mode": mode})
    assert not at.exception and not at.warning and not at.error
    fig = figures(at)[0]
    assert fig["frames"]
    assert len(loss_panel(at)["data"]) == 3
    body = page_text(at)
    if mode == "1d":
        assert r"\frac{dL}{dx}" in body and r"\frac{d^2L}{dx^2}" in body
        assert fig["layout"]["annotations"][0]["text"].startswith("x = ")
    else:
        assert any(t.get("name") == "least squares" for t in fig["data"])
        assert fig["layout"]["xaxis"]["title"]["text"] == "w (slope)"


@pytest.mark.parametrize("key", [*surfaces.SURFACES, "custom"])
def test_every_surface_renders(key):
    at = run_page({"surface": key, "opts": ["gd", "rmsprop", "adamw"], "steps": "40"})
    assert not at.exception and not at.error
    assert len(every_figure(at)) == 3


def test_every_curve_and_the_custom_curve_render():
    for key in [*surfaces.CURVES, "custom"]:
        at = run_page({"mode": "1d", "curve": key, "opts": ["gd", "nesterov"]})
        assert not at.exception and not at.error, key
        assert len(figures(at)) == 1


def test_preset_links_render_their_view():
    from ui.states.gradient_descent import PRESETS

    for preset in PRESETS:
        name, params = preset.name, preset.fields
        query = parse_qs(urlparse(kit.link(preset.state)).query)
        at = run_page({k: v if len(v) > 1 else v[0] for k, v in query.items()})
        assert not at.exception and not at.error, name
        assert not any("not understood" in w.value for w in at.warning), name
        assert at.multiselect(key="gradient_descent.opts").value == list(params["opts"]), name
        assert at.slider(key="gradient_descent.lr_exp").value == pytest.approx(params["lr_exp"]), name
    assert 'target="_self"' in page_text(at)


def test_model_with_minibatches_and_seed():
    at = run_page({"mode": "model", "batch": "4", "seed": "7", "opts": "gd"})
    assert not at.exception and not at.warning
    assert at.slider(key="gradient_descent.batch").value == 4 and at.number_input(key="gradient_descent.seed").value == 7


def test_a_diverging_learning_rate_says_where_and_keeps_the_page():
    at = run_page({"lr_exp": "0.5", "opts": ["gd", "adam"]})
    assert not at.exception
    assert any("Gradient descent (by hand) diverged at step" in w.value for w in at.warning)
    contour = figures(at)[0]
    assert any("diverged at step" in t.get("name", "") for t in contour["data"])
    at.slider(key="gradient_descent.step").set_value(50).run()
    assert not at.exception
    assert any("This run diverged at step" in i.value for i in at.info)


def test_step_scrubber_shows_that_update():
    at = run_page({"step": "5", "opts": ["momentum"]})
    assert not at.exception
    body = page_text(at)
    assert "The update at step 5" in body and r"\mu\, v + g" in body
    contour = figures(at)[0]
    assert contour["layout"]["sliders"][0]["steps"][contour["layout"]["sliders"][0]["active"]][
        "label"] == "5"


def test_hostile_formula_from_a_link_is_refused_with_a_message():
    at = run_page({"surface": "custom", "formula": "__import__('os').system('id')"})
    assert not at.exception
    assert any("not accepted" in e.value and "attribute" in e.value for e in at.error)
    at = run_page({"surface": "custom", "formula": "x**2 + 3*sin(y)"})
    assert not at.exception and not at.error


@pytest.mark.parametrize("params", [
    {"lr_exp": "abc"}, {"lr_exp": "9"}, {"mode": "3d"}, {"surface": "everest"},
    {"opts": "bogus"}, {"steps": "99999"}, {"kappa": "-1"}, {"bogus": "1"},
    {"x0": "nan"}, {"step": "-3"},
])
def test_bad_link_values_warn_and_fall_back(params):
    at = run_page(params)
    assert not at.exception
    assert at.warning, "a bad link parameter must be reported"
    assert len(every_figure(at)) == 3


def test_own_start_point_and_reset():
    at = run_page({"own_start": "true", "x0": "1.5", "y0": "-1", "kappa": "30"})
    assert not at.exception
    assert "x &= \\begin{pmatrix}1.5 \\\\ -1\\end{pmatrix}" in page_text(at)
    at.button[[b.label for b in at.button].index("Reset")].click().run()
    assert not at.exception
    assert at.toggle(key="gradient_descent.own_start").value is False and at.slider(key="gradient_descent.kappa").value == 10.0


def test_a_slider_rerun_sends_at_most_100_kB(monkeypatch):
    """Issue 15: 50 people moving a slider on a conference network. What a rerun sends is
    the ForwardMsgs the session enqueues (what goes over the websocket, less framing);
    the map picture is a media file the browser fetched once, not part of a rerun."""
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    sent: list[int] = []
    enqueue = ForwardMsgQueue.enqueue
    monkeypatch.setattr(ForwardMsgQueue, "enqueue",
                        lambda self, msg: (sent.append(msg.ByteSize()), enqueue(self, msg))[1])
    at = run_page()
    assert sum(sent) <= 100_000, f"opening the page sent {sum(sent):,} bytes"
    sent.clear()
    at.slider(key="gradient_descent.lr_exp").set_value(-1.2).run()
    assert not at.exception
    assert len(figures(at)[0]["frames"]) > 10  # the rerun did send the new runs' figure
    assert 20_000 < sum(sent) <= 100_000, f"a slider rerun sent {sum(sent):,} bytes"
