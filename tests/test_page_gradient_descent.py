"""AppTest: the gradient-descent page renders every mode, surface and preset link, and
bad link values or formulas give a message instead of an exception."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from dlcore import surfaces
from pages.gradient_descent import LIVE_TAB, TABS
from tests.conftest import REPO
from tests.harness import page_test, page_text
from ui import kit, served
from ui.states.gradient_descent import DescentState

pytestmark = pytest.mark.slow  # AppTest page runs

PAGE = str(REPO / "pages" / "gradient_descent.py")


TAB_KEY = kit.key(DescentState, "_tab_2d")


def run_page(params: dict[str, str | list[str]] | None = None, live: bool = False) -> AppTest:
    """The page at ``params``: with the server's contour map open (the figures these
    tests read), or as it opens (``live``: the browser's live map on a built-in surface)."""
    at = page_test(PAGE)
    if not live:
        at.session_state[TAB_KEY] = "Contour map"
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()




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
    out, key = figures(at), TAB_KEY
    for label in TABS["2d"][2:]:
        at.session_state[key] = label
        out += figures(at.run())
        assert not at.exception, label
    return out


def live_data(at: AppTest) -> dict:
    """What the page sent the browser's live map (its component's data)."""
    (el,) = live_maps(at)
    return json.loads(el.proto.json)


def live_maps(at: AppTest) -> list:
    return [e for e in at.get("bidi_component") if e.proto.component_name == "dlcore_descent_live"]


def test_the_page_opens_on_the_live_map_without_running_the_race(monkeypatch):
    """Issue 24: on a built-in surface the browser runs the race; the server draws what
    to descend, the surface and the live map's settings, and runs no descent."""
    from dlcore import race

    monkeypatch.setattr(race, "race", lambda *a, **k: pytest.fail("the server ran the race"))
    at = run_page({"surface": "rosenbrock", "lr_exp": "-3", "opts": ["gd", "adam"]}, live=True)
    assert not at.exception and not at.warning and not at.error
    assert at.session_state[TAB_KEY] == LIVE_TAB and not all_figures(at)
    data = live_data(at)
    assert data["surface"] == "rosenbrock" and data["compact"] is False
    assert data["state"]["lr_exp"] == -3 and data["state"]["opts"] == ["gd", "adam"]
    keys = {getattr(w, "key", None) for w in at.slider} | {getattr(w, "key", None) for w in at.multiselect}
    assert not keys & {"gradient_descent.lr_exp", "gradient_descent.steps", "gradient_descent.opts",
                       "gradient_descent.momentum"}, keys  # the browser's own controls hold them
    assert "Contour map" in page_text(at)  # where the update's numbers are
    at.session_state[TAB_KEY] = "Contour map"  # the server's view, at the same settings
    monkeypatch.undo()
    at.run()
    assert not at.exception and at.slider(key="gradient_descent.lr_exp").value == -3


def test_a_typed_formula_opens_on_the_servers_contour_map():
    at = run_page({"surface": "custom", "formula": "x**2 + y**2"}, live=True)
    assert not at.exception and at.session_state[TAB_KEY] == "Contour map"
    assert len(figures(at)) == 1 and not live_maps(at)


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


@pytest.mark.parametrize("mode", ["1d", "model"])
def test_the_shared_figure_of_a_curve_or_a_model_is_drawn_unchanged(mode, monkeypatch):
    """The curve's and the model's figures are built once per setting and shared by every
    session (``curve_or_model_spec``, as the contour map's ``contour_spec``): drawing one on the
    page and on its slide leaves the shared spec as it was built, and a second session
    gets the same figure."""
    import copy

    from pages import gradient_descent as gd

    gd.curve_or_model_spec.clear()
    first = figures(run_page({"mode": mode}))[0]
    state = DescentState(mode=mode)
    surface = gd.Setting.loss_surface(state)
    setting = gd.Setting.of(state, surface)
    grid, png, runs, derivs = gd.descend(setting)
    image = gd.descent_charts.picture_url(png) if png else ""
    args = (setting, 0, setting.steps, image, surface, grid, runs, derivs)
    with monkeypatch.context() as m:  # the entry the page's run made, not a new one
        for name in ("curve_figure", "model_figure"):
            m.setattr(gd.descent_charts, name, lambda *a, **k: pytest.fail("built again"))
        shared = gd.curve_or_model_spec(*args)
    built = gd.curve_or_model_spec.__wrapped__(*args)
    assert copy.deepcopy(shared) == built  # nothing that drew it changed it
    assert figures(run_page({"mode": mode}))[0] == first  # a second session's figure
    assert gd.curve_or_model_spec(*args) is shared  # from the cache
