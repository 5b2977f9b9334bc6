"""The splits page's pictures: loss and accuracy curves with the overfitting gap and early
stopping marked, and the pool of digits as one bar. Plain plotly, no Streamlit, so that
``benchmarks/lab.py`` measures the bytes a redraw sends.
"""

from __future__ import annotations

from dlcore import lab
from ui.animate import Prepared

COLOURS = {"train": "#2563eb", "validation": "#f59e0b", "test": "#dc2626", "gap": "#fca5a5"}


def pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _line(x, y, **kw) -> dict:
    return {"type": "scatter", "x": list(x), "y": [round(float(v), 5) for v in y], **kw}


def curves(history: list[lab.Epoch], cfg: lab.LabConfig, stop: int | None,
           chosen: int | None, height: int = 340) -> tuple[Prepared, Prepared]:
    """Loss and accuracy against epoch, the axis fixed to the whole run so they grow.

    Plotly JSON, not ``go`` objects: validating them was most of the page's first run
    and of every redraw while it trains (issue 15)."""
    x = [e.epoch for e in history]
    figs = []
    for metric, title in (("loss", "Loss (cross-entropy)"), ("acc", "Accuracy")):
        data, shapes, notes = [], [], []
        for split_name, attr in (("train", f"train_{metric}"), ("validation", f"val_{metric}")):
            fill = ({"fill": "tonexty", "fillcolor": "rgba(252,165,165,0.35)"}
                    if metric == "acc" and split_name == "validation" else {})
            data.append(_line(x, [getattr(e, attr) for e in history], name=split_name,
                              mode="lines", line={"color": COLOURS[split_name], "width": 3},
                              hovertemplate=f"epoch %{{x}}: %{{y:.3f}}<extra>{split_name}</extra>",
                              **fill))
        if metric == "acc" and cfg.tune_on_test:
            data.append(_line(x, [e.test_acc for e in history],
                              name="test (looked at every epoch!)", mode="lines",
                              line={"color": COLOURS["test"], "dash": "dot", "width": 2}))
        if metric == "acc" and history:
            last = history[-1]
            notes.append({"x": last.epoch, "y": (last.train_acc + last.val_acc) / 2, "ax": -70,
                          "ay": 0, "showarrow": True, "arrowcolor": "#b91c1c",
                          "font": {"color": "#b91c1c"},
                          "text": f"overfitting gap<br>{100 * last.gap:.0f} points"})
        if stop:
            verb = "stops" if cfg.early_stopping else "would stop"
            shapes.append({"type": "line", "x0": stop, "x1": stop, "xref": "x", "y0": 0,
                           "y1": 1, "yref": "y domain",
                           "line": {"color": "#6b7280", "dash": "dash"}})
            notes.append({"x": stop, "xref": "x", "y": 1, "yref": "y domain",
                          "yanchor": "bottom", "showarrow": False,
                          "text": f"early stopping {verb}"})
        if chosen and metric == "loss":
            data.append(_line([chosen], [history[chosen - 1].val_loss], mode="markers",
                              name=f"kept: epoch {chosen}",
                              marker={"symbol": "star", "size": 14,
                                      "color": COLOURS["validation"]}))
        yaxis = ({"range": [0, 1.02], "tickformat": ".0%"} if metric == "acc" else {})
        figs.append(Prepared({"data": data, "layout": {
            "title": {"text": title}, "height": height,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "xaxis": {"title": {"text": "epoch"}, "range": [0.5, cfg.epochs + 0.5]},
            "yaxis": {**yaxis, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.32},
            "shapes": shapes, "annotations": notes}}))
    return figs[0], figs[1]


def split_bar(cfg: lab.LabConfig, sizes: dict[str, int]) -> Prepared:
    """The pool of 3,000 digits as one bar: train (used, unused), validation, test."""
    parts = [("train", sizes["train"], COLOURS["train"]),
             ("train, unused", sizes["unused"], "#bfdbfe"),
             ("validation", sizes["val"], COLOURS["validation"]),
             ("test", sizes["test"] - sizes["leaked"], COLOURS["test"]),
             ("test: copies of training digits", sizes["leaked"], "#7f1d1d")]
    data = [{"type": "bar", "y": ["digits"], "x": [n], "name": f"{name} ({n:,})",
             "orientation": "h", "marker": {"color": colour},
             "hovertemplate": f"{name}: {n:,}<extra></extra>"}
            for name, n, colour in parts if n]
    return Prepared({"data": data, "layout": {
        # the legend above the bar, in the bar's order: below it, it covered the axis's
        # numbers on a laptop and on the stage
        "barmode": "stack", "height": 140, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "showlegend": True, "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom",
                                       "x": 0, "traceorder": "normal"},
        "yaxis": {"visible": False}, "xaxis": {"range": [0, lab.POOL_SIZE]}}})
