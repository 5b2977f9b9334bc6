"""Gradient descent, live: the talk's x' = x - eps * grad f(x) on a loss surface.

The engine is ``dlcore`` (surfaces, descent, formula, linefit, updates); the figures are
in ``pages/_descent.py``. This page reads the URL state, calls them and draws.
"""

from __future__ import annotations

import inspect

import streamlit as st

from dlcore import descent, formula, linefit, surfaces
from dlcore.descent import OptimizerConfig
from pages import _animate, _descent, _format, _ui
from pages._states.gradient_descent import DATA_N, DescentState

MODE_CAPTIONS = ("a surface L(x, y)", "a curve L(x)", "a line fitted to data")
PICK_KEY = f"{DescentState.PAGE}_pick"  # the start-picker chart
GRID_N = 300  # grid points per axis of the contour picture (the 3-D view uses every 4th)

_ui.one_torch_thread()


PRESETS: dict[str, dict[str, object]] = {
    "The talk's slide: one curve, plain steps": {
        "mode": "1d", "opts": ("gd",), "lr_exp": -1.5, "steps": 40},
    "Ill-conditioned bowl, with and without momentum": {
        "kappa": 50, "opts": ("gd", "momentum"), "lr_exp": -1.7, "steps": 300},
    "Rosenbrock: Adam vs SGD": {
        "surface": "rosenbrock", "opts": ("sgd", "momentum", "adam"), "lr_exp": -3,
        "steps": 1000},
    "Too large a step diverges": {
        "kappa": 10, "opts": ("gd", "adam"), "lr_exp": -0.6, "steps": 60},
    "Plateau: adaptive steps escape": {
        "surface": "plateau", "opts": ("gd", "momentum", "rmsprop", "adam"), "lr_exp": -1,
        "steps": 200},
    "Saddle point": {"surface": "saddle", "opts": ("gd", "momentum", "adam"), "lr_exp": -2,
                     "steps": 300},
    "Many local minima (Rastrigin)": {
        "surface": "rastrigin", "opts": ("gd", "momentum", "adam"), "lr_exp": -2,
        "steps": 300},
    "A real model with minibatch noise": {
        "mode": "model", "opts": ("gd", "momentum"), "lr_exp": -1.3, "batch": 4,
        "steps": 150},
}


def preset_link(params: dict[str, object]) -> str:
    return _ui.link(DescentState(**params))


# --------------------------------------------------------------------------- engine calls
def build_surface(mode: str, key: str, kappa: float, text: str, extent: float,
                  seed: int) -> surfaces.Surface:
    """The loss on show; raises FormulaError for a custom formula it refuses."""
    if mode == "model":
        return linefit.surface(linefit.make_data(DATA_N, seed))
    if key == "custom":
        return surfaces.custom(text, extent, dims=1 if mode == "1d" else 2)
    return surfaces.CURVES[key] if mode == "1d" else surfaces.get(key, kappa)


@st.cache_data(max_entries=64, show_spinner=False)
def descend(mode: str, key: str, kappa: float, text: str, extent: float, seed: int,
            names: tuple[str, ...], lr: float, momentum: float, betas: tuple[float, float],
            steps: int, start: tuple[float, ...], batch: int):
    """Grid, contour picture, runs and (1-D) derivatives along the paths, cached by the
    settings."""
    surface = build_surface(mode, key, kappa, text, extent, seed)
    configs = [OptimizerConfig(n, lr=lr, momentum=momentum, betas=betas) for n in names]
    batch_loss = None
    if mode == "model" and batch < DATA_N:
        batch_loss = linefit.batch_loss(linefit.make_data(DATA_N, seed), batch, steps, seed)
    runs = descent.run(surface, start, configs, steps, domain=surface.domain,
                       batch_loss=batch_loss)
    if mode == "1d":
        grid = surfaces.grid(surface, 400)
        return grid, "", runs, [surfaces.derivatives(surface, r.points[:, 0])[1:] for r in runs]
    grid = surfaces.grid(surface, GRID_N)
    return grid, _descent.contour_image(grid[2], surface.log_color), runs, []


# --------------------------------------------------------------------------- callbacks
def _start_from_click() -> None:
    """A click on the map: start there (the chart's selection holds the clicked point)."""
    event = st.session_state.get(PICK_KEY)
    points = event.selection.points if event else []
    if points:
        st.session_state[_ui.key(DescentState, "own_start")] = True
        st.session_state[_ui.key(DescentState, "x0")] = round(float(points[0]["x"]), 3)
        st.session_state[_ui.key(DescentState, "y0")] = round(float(points[0]["y"]), 3)
        st.session_state[_ui.key(DescentState, "step")] = 0


def _own_start_switched(start: tuple[float, ...]) -> None:
    """Turning "my own start" on begins from the current start, not from (0, 0)."""
    if st.session_state.get(_ui.key(DescentState, "own_start")):
        st.session_state[_ui.key(DescentState, "x0")] = float(start[0])
        if len(start) > 1:
            st.session_state[_ui.key(DescentState, "y0")] = float(start[1])


# --------------------------------------------------------------------------- drawing
def draw_figures(mode, surface, grid, image, runs, derivs, step, steps, seed, start) -> None:
    if mode == "2d":
        tab_map, tab_3d, tab_pick = st.tabs(["Contour map", "3-D surface", "Pick a start"])
        tab_map.plotly_chart(_animate.Prepared(_descent.contour_figure(
            grid, image, surface, runs, step, steps)), config={"scrollZoom": False})
        coarse = (grid[0][::4], grid[1][::4], grid[2][::4, ::4])
        tab_3d.plotly_chart(_animate.Prepared(_descent.surface_figure(coarse, surface, runs,
                                                                      step)))
    elif mode == "model":
        tab_map, tab_pick = st.tabs(["Descent", "Pick a start"])
        data = linefit.make_data(DATA_N, seed)
        tab_map.plotly_chart(_animate.Prepared(_descent.model_figure(
            grid, image, surface, runs, step, steps, data.x.numpy(), data.y.numpy())),
            config={"scrollZoom": False})
    else:
        st.plotly_chart(_animate.Prepared(_descent.curve_figure(
            surface, grid[0], grid[1], runs, derivs, step, steps)),
            config={"scrollZoom": False})
        first = runs[0]
        if len(first.points):
            i = min(step, len(first.points) - 1)
            d1, d2 = derivs[0][0][i], derivs[0][1][i]
            sign = r"\;>\; 0" if d2 > 0 else r"\;<\; 0" if d2 < 0 else r"\;=\; 0"
            st.latex(rf"x = {_format.tex_value(first.points[i])},\quad "
                     rf"\frac{{dL}}{{dx}} = {_format.tex_value(d1)},\quad "
                     rf"\frac{{d^2L}}{{dx^2}} = {_format.tex_value(d2)} {sign}")
            st.caption("At a minimum dL/dx = 0 and d²L/dx² > 0. The dotted lines are the "
                       "tangents: the local picture the gradient gives. "
                       f"(Numbers for {first.config.label} at step {i}.)")
    if mode != "1d":
        tab_pick.caption("Click on the map: the descent starts from the point you click.")
        names = ("w", "b") if mode == "model" else ("x", "y")
        tab_pick.plotly_chart(_animate.Prepared(_descent.picker_figure(
            grid, image, surface, runs, start, names)), key=PICK_KEY,
            on_select=_start_from_click, selection_mode="points",
            config={"scrollZoom": False})


def draw_updates(runs, step) -> None:
    st.subheader(f"The update at step {step}, with its numbers")
    for tab, run in zip(st.tabs([r.config.label for r in runs]), runs, strict=True):
        if step < run.steps:
            tab.latex(_descent.update_tex(run, step))
        elif run.diverged_at is not None:
            tab.info(f"This run diverged at step {run.diverged_at}; its last update is "
                     f"step {max(run.steps - 1, 0)}.")
        else:
            point = ", ".join(_format.short(v) for v in run.points[-1])
            tab.info(f"Step {step} is the end of the run: x = ({point}), "
                     f"loss {_format.short(run.losses[-1])}.")


# --------------------------------------------------------------------------- page
_ui.page_title(
    "Gradient descent", "Recall: Minimization / Gradient Descent",
    "Tune the parameters to make the loss small: step against the gradient, "
    r"$x' = x - \epsilon \nabla_x f(x)$. The loss and its gradient are only known "
    "locally, at the point where you stand.",
)
state = _ui.load_state(DescentState)

mode = _ui.select(DescentState, "mode", "What to descend", radio=True, captions=MODE_CAPTIONS)
left, right = st.columns([1, 2])
if mode == "2d":
    key = _ui.select(DescentState, "surface", "Surface", container=left)
elif mode == "1d":
    key = _ui.select(DescentState, "curve", "Curve", container=left)
else:
    key = "line"
    left.markdown(f"**Model:** y = w·x + b, mean squared error on {DATA_N} points")
names = _ui.multiselect(DescentState, "opts", "Optimizers", container=right,
                       help=" · ".join(f"{k}: {v}" for k, v in descent.OPTIMIZERS.items()))
left, right = st.columns(2)
lr_exp = _ui.slider(DescentState, "lr_exp", "Learning rate ε (log₁₀), the same for all",
                    container=left, step=0.1, format="%.1f")
lr = float(10 ** lr_exp)
steps = _ui.slider(DescentState, "steps", "Steps", container=right)
left.caption(f"ε = 10^{lr_exp:.1f} = {lr:.3g}")
chart_area = st.container()  # filled below, once every setting is read

with _ui.secondary():
    c1, c2, c3 = st.columns(3)
    momentum = _ui.slider(DescentState, "momentum", "Momentum μ", container=c1, step=0.01)
    beta1 = _ui.slider(DescentState, "beta1", "Adam β₁", container=c2, step=0.001,
                       format="%.3f")
    beta2 = _ui.slider(DescentState, "beta2", "Adam β₂", container=c3, step=0.0001,
                       format="%.4f")
    kappa, text, extent, batch, seed = 10.0, "", 3.0, DATA_N, 0
    if mode == "2d" and key == "bowl":
        kappa = _ui.slider(DescentState, "kappa", "Condition number κ of the bowl", step=1.0)
    if key == "custom":
        field = "formula" if mode == "2d" else "formula1d"
        text = _ui.text(DescentState, field, "L(x, y) =" if mode == "2d" else "L(x) =",
                        max_chars=None,  # the parser reports a formula too long
                        help="Numbers, x" + (", y" if mode == "2d" else "")
                             + ", + - * / **, pi, e and " + ", ".join(formula.FUNCTIONS))
        extent = _ui.slider(DescentState, "extent", "Plot range ±", step=0.5)
    if mode == "model":
        b1, b2 = st.columns(2)
        batch = _ui.slider(DescentState, "batch", "Minibatch size", container=b1,
                           help=f"Below {DATA_N}, each step sees a random minibatch")
        seed = _ui.number(DescentState, "seed", "Seed (data and batches)", container=b2)

try:
    surface = build_surface(mode, key, kappa, text, extent, seed)
except formula.FormulaError as err:
    surface = None
    chart_area.error(f"That formula is not accepted: {_ui.plain(err)}", icon="🚫")

with _ui.secondary("Start point"):
    s1, s2, s3 = st.columns(3)
    default_start = surface.start if surface else (0.0, 0.0)
    own = _ui.toggle(DescentState, "own_start", "Start from my point", container=s1,
                     on_change=_own_start_switched, args=(default_start,))
    labels = ("w₀", "b₀") if mode == "model" else ("x₀", "y₀")
    x0 = _ui.number(DescentState, "x0", labels[0], container=s2, step=0.1)
    y0 = _ui.number(DescentState, "y0", labels[1], container=s3, step=0.1,
                    disabled=mode == "1d")
    if mode != "1d":
        st.caption("Or click on the map in the tab “Pick a start”.")

if surface and not names:
    chart_area.info("Choose at least one optimizer.", icon="👆")
elif surface:
    start = ((x0, y0) if surface.dims == 2 else (x0,)) if own else tuple(surface.start)
    grid, image, runs, derivs = descend(
        mode, key, float(kappa), text, float(extent), int(seed), tuple(names), lr,
        float(momentum), (float(beta1), float(beta2)), int(steps),
        tuple(float(v) for v in start), int(batch))
    with chart_area:
        for run in runs:
            if run.diverged_at is not None:
                st.warning(f"**{run.config.label} diverged at step {run.diverged_at}**: "
                           f"{run.reason}. Its path is drawn up to there; try a smaller "
                           "learning rate.", icon="💥")
        if st.session_state[_ui.key(DescentState, "step")] > steps:
            st.session_state[_ui.key(DescentState, "step")] = steps
        step = _ui.slider(DescentState, "step", "Step on show", max_value=steps,
                          help="The figures open at this step; ▶ Play "
                          "runs them in the browser from there.")
        draw_figures(mode, surface, grid, image, runs, derivs, step, steps, seed, start)
        st.markdown(f"**{_ui.plain(surface.title)}.** {surface.note}")
        draw_updates(runs, step)

with st.expander("Presets: each one is a link to a view"):
    st.markdown("\n".join(f'- <a href="{preset_link(p)}" target="_self">{name}</a>'
                          for name, p in PRESETS.items()), unsafe_allow_html=True)
with st.expander("The code behind the plain step"):
    st.code(inspect.getsource(descent.gradient_step) + "\n"
            + inspect.getsource(descent._exact_update), language="python")
_ui.reset_button(DescentState)
