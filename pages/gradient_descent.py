"""Gradient descent, live: the talk's x' = x - eps * grad f(x) on a loss surface.

The engine is ``dlcore`` (surfaces, descent, formula, linefit, updates); the figures are
in ``ui/descent_charts.py``. This page reads the URL state, calls them and draws.
"""

from __future__ import annotations

import dataclasses
import functools

import streamlit as st

from dlcore import descent, formula, linefit, numbers, race, surfaces
from ui import animate, descent_charts, kit
from ui.components import descent as descent_live
from ui.components import play_step
from ui.states.gradient_descent import DATA_N, PRESETS, DescentState, Preset

MODE_CAPTIONS = ("a surface L(x, y)", "a curve L(x)", "a line fitted to data")
LIVE_TAB = "Live in your browser"
TABS = {"2d": [LIVE_TAB, "Contour map", "3-D surface", "Pick a start"],
        "model": ["Descent", "Pick a start"]}
GRID_N = 300  # grid points per axis of the contour picture (the 3-D view uses every 4th)


def preset_link(preset: Preset) -> str:
    return kit.link(preset.state)


# --------------------------------------------------------------------------- engine calls
@dataclasses.dataclass(frozen=True)
class Setting:
    """One race as the engine runs it, made from the view's state (the cache key of
    :func:`descend`): a setting that does not apply to the mode is at its neutral value,
    so that two views that draw the same race share it."""

    mode: str
    key: str  # the surface, the curve, or "line" (the model)
    kappa: float
    text: str  # a typed formula ("" for a built-in surface)
    extent: float
    seed: int
    names: tuple[str, ...]
    lr: float
    momentum: float
    betas: tuple[float, float]
    steps: int
    start: tuple[float, ...]
    batch: int

    @staticmethod
    def surface_key(state: DescentState) -> str:
        return {"2d": state.surface, "1d": state.curve}.get(state.mode, "line")

    @staticmethod
    def loss_surface(state: DescentState):
        """The surface of ``state`` (raises formula.FormulaError for a refused formula)."""
        mode, key = state.mode, Setting.surface_key(state)
        text = {"2d": state.formula, "1d": state.formula1d}.get(mode, "") \
            if key == "custom" else ""
        return race.loss_surface(mode, key, *Setting._shape(state, key, text))

    @staticmethod
    def _shape(state: DescentState, key: str, text: str) -> tuple[float, str, float, int]:
        kappa = float(state.kappa) if state.mode == "2d" and key == "bowl" else 10.0
        extent = float(state.extent) if key == "custom" else 3.0
        seed = int(state.seed) if state.mode == "model" else 0
        return kappa, text, extent, seed

    @classmethod
    def of(cls, state: DescentState, surface) -> Setting:
        key = cls.surface_key(state)
        text = {"2d": state.formula, "1d": state.formula1d}.get(state.mode, "") \
            if key == "custom" else ""
        kappa, text, extent, seed = cls._shape(state, key, text)
        own = (state.x0, state.y0)[:surface.dims] if state.own_start else None
        return cls(state.mode, key, kappa, text, extent, seed, tuple(state.opts),
                   float(10 ** state.lr_exp), float(state.momentum),
                   (float(state.beta1), float(state.beta2)), int(state.steps),
                   tuple(float(v) for v in (own or surface.start)),
                   int(state.batch) if state.mode == "model" else DATA_N)


# 16 entries: with 64, benchmarks/leak.py saw the churn keep 84 MB of freed heap
@st.cache_data(max_entries=16, show_spinner=False)
def descend(setting: Setting):
    """Grid, contour picture (PNG bytes), runs and (1-D) derivatives along the paths,
    cached by the setting."""
    s = setting
    surface = race.loss_surface(s.mode, s.key, s.kappa, s.text, s.extent, s.seed)
    runs = race.race(surface, s.names, s.lr, steps=s.steps, start=s.start,
                     momentum=s.momentum, betas=s.betas, mode=s.mode, batch=s.batch,
                     seed=s.seed)
    mode = s.mode
    if mode == "1d":
        grid = surfaces.grid(surface, 400)
        return grid, b"", runs, [surfaces.derivatives(surface, r.points[:, 0])[1:] for r in runs]
    grid = surfaces.grid(surface, GRID_N)
    return grid, descent_charts.contour_image(grid[2], surface.log_color), runs, []


# 8 entries of about 1 MB: the map for a setting is built once, then every session that
# opens or moves to it gets the same read-only spec (50 people opening the link at once
# all ask for the default one, issue 15)
@st.cache_resource(max_entries=8, show_spinner=False)
def contour_spec(setting: Setting, step: int, steps: int, _surface, _grid, _runs) -> dict:
    """The animated contour map of ``descend(setting)`` (``_surface``, ``_grid`` and
    ``_runs`` are its results, left out of the cache key), as plotly JSON without its
    picture (a media URL belongs to one session: :func:`with_picture` adds it)."""
    return descent_charts.contour_figure(_grid, "", _surface, _runs, step, steps)


# the same for the curve (1-D) and the model's (w, b) map: a room on a slide that the
# server draws built its figure once per follower (about 7 of a follower's 25 ms of CPU on
# slide 12); the picture's URL is named by its bytes (ui/served.py), the same for every
# session
@st.cache_resource(max_entries=8, show_spinner=False)
def curve_or_model_spec(setting: Setting, step: int, steps: int, image: str, _surface, _grid,
                        _runs, _derivs) -> dict:
    """The animated figure of ``descend(setting)`` in the 1-D and model modes (its results
    left out of the key, as in :func:`contour_spec`), shared read-only."""
    if setting.mode == "model":
        data = linefit.make_data(DATA_N, setting.seed)
        return descent_charts.model_figure(_grid, image, _surface, _runs, step, steps,
                                           data.x.numpy(), data.y.numpy())
    return descent_charts.curve_figure(_surface, _grid[0], _grid[1], _runs, _derivs, step,
                                       steps)


def with_picture(spec: dict, image: str) -> dict:
    """A copy of ``spec`` (shallow: it is shared) with this session's picture URL."""
    layout = spec["layout"]
    return {**spec, "layout": {**layout, "images": [{**im, "source": image}
                                                    for im in layout["images"]]}}


# --------------------------------------------------------------------------- callbacks
def _keys(*names: str) -> tuple[str, ...]:
    """The session keys of these fields, for a callback (computed during the run: a
    callback runs before the script, outside the view's scope)."""
    return tuple(kit.key(DescentState, n) for n in names)


def _start_from_click(pick: str, own: str, x0: str, y0: str, step: str) -> None:
    """A click on the map: start there (the chart's selection holds the clicked point)."""
    event = st.session_state.get(pick)
    points = event.selection.points if event else []
    if points:
        st.session_state[own] = True
        st.session_state[x0] = round(float(points[0]["x"]), 3)
        st.session_state[y0] = round(float(points[0]["y"]), 3)
        st.session_state[step] = 0


def _own_start_switched(start: tuple[float, ...], own: str, x0: str, y0: str) -> None:
    """Turning "my own start" on begins from the current start, not from (0, 0)."""
    if st.session_state.get(own):
        st.session_state[x0] = float(start[0])
        if len(start) > 1:
            st.session_state[y0] = float(start[1])


# --------------------------------------------------------------------------- drawing
def figure_tabs(mode: str, default: str | None = None) -> tuple:
    """The figures' tabs. Only the open tab's figure is built and sent: each is tens of
    kB, and every rerun (a slider moved) sent all of them (issue 15), so a tab opened
    costs one rerun instead."""
    labels = TABS[mode]
    return st.tabs(labels, default=default or labels[0],
                   key=kit.key(DescentState, f"_tab_{mode}"), on_change="rerun")


def live_default(state: DescentState) -> bool:
    """The surface's first tab is the browser's live map where the browser knows the
    surface (the built-in ones); a typed formula opens on the server's contour map."""
    return descent_live.supported(state.mode, Setting.surface_key(state))


def live_open(state: DescentState) -> bool:
    """The live map is the open tab: the browser owns the optimizers, the learning rate,
    the steps, momentum, the betas, the start and Play (issue 24)."""
    return live_default(state) and st.session_state.get(
        kit.key(DescentState, "_tab_2d"), LIVE_TAB) == LIVE_TAB


def write_back(values: dict) -> None:
    """The live map's settings, from the browser, into the page's state and link (each
    checked as a link's value would be; one the table refuses is left as it was)."""
    table = kit.specs(DescentState)
    for name, value in values.items():
        spec = table[name]
        try:
            texts = kit.to_url(spec, tuple(value) if spec.many else value)
            checked = spec.default if texts is None else kit.from_url(spec, texts)
        except (kit.BadValue, TypeError, ValueError):
            continue
        kit.set_value(DescentState, name, checked)
    if "own_start" in values:
        kit.set_value(DescentState, "step", 0)


def live_map(surface_key: str, kappa: float, compact: bool = False) -> None:
    """The paths recomputed in the browser; its changes rerun this fragment only."""
    settings = {name: kit.value(DescentState, name) for name in descent_live.FIELDS}
    descent_live.live_map(settings, surface_key, kappa, key=kit.key(DescentState, "_live"),
                          on_change=kit.in_scope(write_back), compact=compact)


def draw_figures(setting: Setting, surface, grid, image, runs, derivs, step: int) -> None:
    """The open tab's figure at ``step``, and the loss against the step under it."""
    mode, steps, pick_key = setting.mode, setting.steps, kit.key(DescentState, "_pick")
    if mode == "2d":  # (the live map's own run is live_view's)
        default = LIVE_TAB if descent_live.supported(mode, setting.key) else "Contour map"
        tab_live, tab_map, tab_3d, tab_pick = figure_tabs(mode, default)
        if tab_live.open:
            tab_live.info("A typed formula is computed on the server: see the contour map.")
        if tab_map.open:
            spec = contour_spec(setting, step, steps, surface, grid, runs)
            kit.chart(animate.Prepared(with_picture(spec, image)), tab_map,
                      config={"scrollZoom": False})
        if tab_3d.open:
            coarse = (grid[0][::4], grid[1][::4], grid[2][::4, ::4])
            kit.chart(animate.Prepared(descent_charts.surface_figure(coarse, surface, runs, step)),
                      tab_3d)
    elif mode == "model":
        tab_map, tab_pick = figure_tabs(mode)
        if tab_map.open:
            spec = curve_or_model_spec(setting, step, steps, image, surface, grid, runs, derivs)
            kit.chart(animate.Prepared(spec), tab_map, config={"scrollZoom": False})
    else:
        spec = curve_or_model_spec(setting, step, steps, image, surface, grid, runs, derivs)
        kit.chart(animate.Prepared(spec), config={"scrollZoom": False})
        first = runs[0]
        if len(first.points):
            i = min(step, len(first.points) - 1)
            d1, d2 = derivs[0][0][i], derivs[0][1][i]
            sign = r"\;>\; 0" if d2 > 0 else r"\;<\; 0" if d2 < 0 else r"\;=\; 0"
            st.latex(rf"x = {numbers.tex_value(first.points[i])},\quad "
                     rf"\frac{{dL}}{{dx}} = {numbers.tex_value(d1)},\quad "
                     rf"\frac{{d^2L}}{{dx^2}} = {numbers.tex_value(d2)} {sign}")
            st.caption("At a minimum dL/dx = 0 and d²L/dx² > 0. The dotted lines are the "
                       "tangents: the local picture the gradient gives. "
                       f"(Numbers for {first.config.label} at step {i}.)")
    if mode != "1d" and tab_pick.open:
        tab_pick.caption("Click on the map: the descent starts from the point you click.")
        names = ("w", "b") if mode == "model" else ("x", "y")
        kit.chart(animate.Prepared(descent_charts.picker_figure(
            grid, image, surface, runs, setting.start, names)), tab_pick, key=pick_key,
            # plotly_chart takes no args=: the keys travel inside the callback
            on_select=functools.partial(_start_from_click, pick_key,
                                        *_keys("own_start", "x0", "y0", "step")),
            selection_mode="points",
            config={"scrollZoom": False})
    # The loss against the step, for every tab: what "minibatch noise" and "reaches the
    # minimum in n steps" are read from.
    kit.chart(animate.Prepared(descent_charts.loss_figure(runs, step)),
              key=kit.key(DescentState, "_loss"), config={"scrollZoom": False})


def draw_updates(runs, step) -> None:
    st.subheader(f"The update at step {step}, with its numbers")
    for tab, run in zip(st.tabs([r.config.label for r in runs]), runs, strict=True):
        if step < run.steps:
            tab.latex(descent_charts.update_tex(run, step))
        elif run.diverged_at is not None:
            tab.info(f"This run diverged at step {run.diverged_at}; its last update is "
                     f"step {max(run.steps - 1, 0)}.")
        else:
            point = ", ".join(numbers.short(v) for v in run.points[-1])
            tab.info(f"Step {step} is the end of the run: x = ({point}), "
                     f"loss {numbers.short(run.losses[-1])}.")


# --------------------------------------------------------------------------- page
SURFACE_PX = 150  # the surface's box beside the optimizers: both on one line on a phone
STEP_HELP = "▶ Play runs the figures from this step; where it stops, this step follows."


def pair(controls, left_px: int | str = "stretch") -> tuple:
    """Two places side by side that stay so on a phone (kit.row: columns stacked, and the
    map was at y = 1057 on a 412x915 phone, issue 22); on the stage, one above the other."""
    if kit.presenter():
        return controls, controls
    row = kit.row(controls)
    return row.container(width=left_px), row.container()


def main_controls(state: DescentState, controls) -> None:
    """What to descend, the optimizers, the learning rate and the steps."""
    with controls:
        kit.select(DescentState, "mode", "What to descend", radio=True, captions=MODE_CAPTIONS)
    left, right = pair(controls, SURFACE_PX)
    if state.mode == "2d":
        kit.select(DescentState, "surface", "Surface", container=left)
    elif state.mode == "1d":
        kit.select(DescentState, "curve", "Curve", container=left)
    else:
        left.markdown(f"**Model:** y = w·x + b, mean squared error on {DATA_N} points")
    kit.multiselect(DescentState, "opts", "Optimizers", container=right,
                    help=" · ".join(f"{k}: {v}" for k, v in descent.OPTIMIZERS.items()))
    left, right = pair(controls)
    kit.slider(DescentState, "lr_exp", "Learning rate ε (log₁₀)", container=left, step=0.1,
               format="%.1f", help="The same ε for every optimizer")
    kit.slider(DescentState, "steps", "Steps", container=right)
    left.caption(f"ε = 10^{state.lr_exp:.1f} = {10 ** state.lr_exp:.3g}")


def more_controls(state: DescentState, controls) -> None:
    """Momentum, Adam's betas, and what only some surfaces or the model have."""
    key = Setting.surface_key(state)
    with controls, kit.secondary():
        c1, c2, c3 = st.columns(3)
        kit.slider(DescentState, "momentum", "Momentum μ", container=c1, step=0.01)
        kit.slider(DescentState, "beta1", "Adam β₁", container=c2, step=0.001, format="%.3f")
        kit.slider(DescentState, "beta2", "Adam β₂", container=c3, step=0.0001, format="%.4f")
        if state.mode == "2d" and key == "bowl":
            kit.slider(DescentState, "kappa", "Condition number κ of the bowl", step=1.0)
        if key == "custom":
            field = "formula" if state.mode == "2d" else "formula1d"
            kit.text(DescentState, field, "L(x, y) =" if state.mode == "2d" else "L(x) =",
                     help="Numbers, x" + (", y" if state.mode == "2d" else "")
                          + ", + - * / **, pi, e and " + ", ".join(formula.FUNCTIONS))
            kit.slider(DescentState, "extent", "Plot range ±", step=0.5)
        if state.mode == "model":
            b1, b2 = st.columns(2)
            kit.slider(DescentState, "batch", "Minibatch size", container=b1,
                       help=f"Below {DATA_N}, each step sees a random minibatch")
            kit.number(DescentState, "seed", "Seed (data and batches)", container=b2)


def start_controls(state: DescentState, surface, controls) -> None:
    """The start: the surface's own, or the person's (typed, or clicked on the map)."""
    with controls, kit.secondary("Start point"):
        s1, s2, s3 = st.columns(3) if not kit.presenter() else (st, st, st)
        default_start = tuple(surface.start) if surface else (0.0, 0.0)
        kit.toggle(DescentState, "own_start", "Start from my point", container=s1,
                   on_change=_own_start_switched,
                   args=(default_start, *_keys("own_start", "x0", "y0")))
        labels = ("w₀", "b₀") if state.mode == "model" else ("x₀", "y₀")
        if state.own_start:
            kit.number(DescentState, "x0", labels[0], container=s2, step=0.1)
            if state.mode != "1d":
                kit.number(DescentState, "y0", labels[1], container=s3, step=0.1)
        else:  # the boxes show where the run really starts: the surface's own start
            x0, y0 = (*default_start, 0.0)[:2]
            s2.number_input(labels[0], value=float(x0), disabled=True, format="%.3g")
            if state.mode != "1d":
                s3.number_input(labels[1], value=float(y0), disabled=True, format="%.3g")
        if state.mode != "1d":
            st.caption("Or click on the map in the tab “Pick a start”.")


def surface_of(state: DescentState, area):
    """The state's surface, or None with the formula parser's refusal said in ``area``."""
    try:
        return Setting.loss_surface(state)
    except formula.FormulaError as err:
        area.error(f"That formula is not accepted: {kit.plain(err)}", icon="🚫")
        return None


def race_of(state: DescentState, surface, area, hint: str):
    """(the setting, :func:`descend`'s results), or None with why in ``area``."""
    if surface is None:
        return None
    if not state.opts:
        area.info(hint, icon="👆")
        return None
    setting = Setting.of(state, surface)
    return setting, descend(setting)


def live_view(state: DescentState) -> None:
    """The view with the live map open: what to descend and the surface on the server,
    everything else in the browser (no race run here: the browser runs it). The server's
    copies of the map's settings are not drawn, so that none shows a value the browser
    has since changed."""
    controls, picture = kit.stage_columns()
    with controls:
        kit.select(DescentState, "mode", "What to descend", radio=True, captions=MODE_CAPTIONS)
        kit.select(DescentState, "surface", "Surface")
    if state.surface == "bowl":
        with controls, kit.secondary():
            kit.slider(DescentState, "kappa", "Condition number κ of the bowl", step=1.0)
    with picture:
        tab_live = figure_tabs("2d", default=LIVE_TAB)[0]
        with tab_live:
            kit.fragment(live_map)(state.surface, float(state.kappa))
    surface = Setting.loss_surface(state)
    with picture.container() if kit.presenter() else st.container():
        st.markdown(f"**{kit.plain(surface.title)}.** {surface.note}")
        st.caption("The update at each step with its numbers, and the optimizers' own state, "
                   "are computed by torch on the server: open the tab “Contour map”.")


def view(state: DescentState) -> None:
    """The page's live view at ``state``: controls, the figures and the update with its
    numbers. Everything below the page title; the deck (pages/talk.py) calls it on a
    live slide. The controls are drawn from ``state`` and the race is run from it.

    The picture comes right after the main controls; the step on show and the folded
    settings sit under it (on the stage, beside it): above it they pushed a phone's map
    off its first screen (issue 22)."""
    if live_open(state):
        live_view(state)
        return
    controls, picture = kit.stage_columns()
    main_controls(state, controls)
    figures_key = kit.key(DescentState, "_figures")
    chart_area = picture.container(key=figures_key)  # filled once every control is drawn
    under = controls if kit.presenter() else st.container()
    step_area = under.container()
    more_controls(state, under)
    surface = surface_of(state, chart_area)
    start_controls(state, surface, under)
    raced = race_of(state, surface, chart_area, "Choose at least one optimizer.")
    if raced is None:
        return
    setting, (grid, png, runs, derivs) = raced
    with chart_area:
        for run in runs:
            if run.diverged_at is not None:
                st.warning(f"**{run.config.label} diverged at step {run.diverged_at}**: "
                           f"{run.reason}. Its path is drawn up to there; try a smaller "
                           "learning rate.", icon="💥")
    step_key = kit.key(DescentState, "step")
    if st.session_state[step_key] > state.steps:
        st.session_state[step_key] = state.steps
    step = kit.slider(DescentState, "step", "Step on show", max_value=state.steps,
                      container=step_area, help=STEP_HELP)
    image = descent_charts.picture_url(png) if png else ""
    with chart_area:
        draw_figures(setting, surface, grid, image, runs, derivs, step)
    with picture.container() if kit.presenter() else st.container():
        st.markdown(f"**{kit.plain(surface.title)}.** {surface.note}")
        draw_updates(runs, step)
    play_step.follow_play(figures_key, step, state.steps, kit.key(DescentState, "_played"),
                          kit.in_scope(_play_stopped))


def _play_stopped(step: int) -> None:
    """An animation stopped at ``step`` (already checked to be one of the race's)."""
    kit.set_value(DescentState, "step", step)


# --------------------------------------------------------------------------- the slide
SLIDE_HEIGHT = 415  # px of the picture on a 1280x720 stage, under the title and above the bar


def slide_figure(spec: dict, height: int = SLIDE_HEIGHT) -> dict:
    """A copy of a figure's spec (shallow: it may be shared) for the slide: shorter, no
    legend (the answer beside it says what the legend says, in large type), Play kept
    and the step slider left out (the page has it)."""
    layout = {**spec["layout"], "height": height, "showlegend": False,
              "margin": {**spec["layout"].get("margin", {}), "b": 10, "t": 46}}
    layout.pop("sliders", None)
    layout["updatemenus"] = [{**m, "y": 1.01, "yanchor": "bottom"}
                             for m in layout.get("updatemenus", [])]
    return {**spec, "layout": layout}


def slide_answer(runs, surface, derivs, mode: str) -> None:
    """Each optimizer's result in the colour of its path (the legend, read from the back
    row), and on a curve the derivatives where the first run ends."""
    lines = [f'<span style="color:{animate.COLORS[r.config.name]}">●</span> '
             f"{descent_charts.legend_name(r, surface)}" for r in runs]
    st.markdown("<br>".join(lines), unsafe_allow_html=True)  # the app's own labels
    first = runs[0]
    if mode == "1d" and len(first.points):
        d1, d2 = derivs[0][0][-1], derivs[0][1][-1]
        st.latex(rf"\frac{{dL}}{{dx}} = {numbers.tex_value(d1)},\;"
                 rf"\frac{{d^2L}}{{dx^2}} = {numbers.tex_value(d2)}")


def slide(state: DescentState) -> None:
    """The slide form of the view (the deck's): the descent at the slide's preset, run to
    the end, with the learning rate the notes change live beside it and each optimizer's
    result in large type; everything else is the page's (one click away). On a built-in
    surface the browser's live map in its compact form: a presenter's change reaches each
    follower as the map's settings, not as a race the server runs again (issue 24)."""
    if live_default(state):
        kit.fragment(live_map)(state.surface, float(state.kappa), compact=True)
        return
    controls, picture = st.columns([1, 2.4], gap="medium")
    kit.slider(DescentState, "lr_exp", "Learning rate ε (log₁₀)", container=controls,
               step=0.1, format="%.1f")
    mode, steps = state.mode, state.steps
    surface = surface_of(state, picture)
    raced = race_of(state, surface, picture, "Choose at least one optimizer on the page.")
    if raced is None:
        return
    setting, (grid, png, runs, derivs) = raced
    with kit.slide_part("answer", controls):
        slide_answer(runs, surface, derivs, mode)
    image = descent_charts.picture_url(png) if png else ""
    if mode == "2d":
        spec = with_picture(contour_spec(setting, steps, steps, surface, grid, runs), image)
    else:
        spec = curve_or_model_spec(setting, steps, steps, image, surface, grid, runs, derivs)
    with kit.slide_part("picture", picture):
        kit.chart(animate.Prepared(slide_figure(spec)), config={"scrollZoom": False})


def main() -> None:
    """The page: its title, the view at the link's state, the presets and the code."""
    kit.one_torch_thread()
    kit.page_title(
        "Gradient descent", "Recall: Minimization / Gradient Descent",
        "Tune the parameters to make the loss small: step against the gradient, "
        r"$x' = x - \epsilon \nabla_x f(x)$. The loss and its gradient are only known "
        "locally, at the point where you stand.",
    )
    view(kit.load_state(DescentState))
    with st.expander("Presets: each one is a link to a view"):
        st.markdown("\n".join(f'- <a href="{preset_link(p)}" target="_self">{p.name}</a>: '
                              f"{p.lesson}" for p in PRESETS), unsafe_allow_html=True)
    with st.expander("The code behind the plain step"):
        st.code(kit.source(descent.gradient_step) + "\n"
                + kit.source(descent._exact_update), language="python")
    kit.reset_button(DescentState)
