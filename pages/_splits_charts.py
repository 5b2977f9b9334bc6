"""The splits page's pictures: loss and accuracy curves with the overfitting gap and early
stopping marked, and the pool of digits as one bar. Plain plotly, no Streamlit, so that
``benchmarks/lab.py`` measures the bytes a redraw sends.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dlcore import lab

COLOURS = {"train": "#2563eb", "validation": "#f59e0b", "test": "#dc2626", "gap": "#fca5a5"}


def pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def curves(history: list[lab.Epoch], cfg: lab.LabConfig, stop: int | None,
           chosen: int | None, height: int = 340) -> tuple[go.Figure, go.Figure]:
    """Loss and accuracy against epoch, the axis fixed to the whole run so they grow."""
    x = [e.epoch for e in history]
    figs = []
    for metric, title in (("loss", "Loss (cross-entropy)"), ("acc", "Accuracy")):
        fig = go.Figure()
        for split_name, attr in (("train", f"train_{metric}"), ("validation", f"val_{metric}")):
            fill = "tonexty" if metric == "acc" and split_name == "validation" else None
            fig.add_trace(go.Scatter(
                x=x, y=[getattr(e, attr) for e in history], name=split_name, mode="lines",
                line=dict(color=COLOURS[split_name], width=3), fill=fill,
                fillcolor="rgba(252,165,165,0.35)",
                hovertemplate=f"epoch %{{x}}: %{{y:.3f}}<extra>{split_name}</extra>"))
        if metric == "acc" and cfg.tune_on_test:
            fig.add_trace(go.Scatter(
                x=x, y=[e.test_acc for e in history], name="test (looked at every epoch!)",
                mode="lines", line=dict(color=COLOURS["test"], dash="dot", width=2)))
        if metric == "acc" and history:
            last = history[-1]
            fig.add_annotation(
                x=last.epoch, y=(last.train_acc + last.val_acc) / 2, ax=-70, ay=0,
                text=f"overfitting gap<br>{100 * last.gap:.0f} points", showarrow=True,
                font=dict(color="#b91c1c"), arrowcolor="#b91c1c")
        if stop:
            verb = "stops" if cfg.early_stopping else "would stop"
            fig.add_vline(x=stop, line=dict(color="#6b7280", dash="dash"),
                          annotation_text=f"early stopping {verb}", annotation_position="top")
        if chosen and metric == "loss":
            fig.add_trace(go.Scatter(
                x=[chosen], y=[history[chosen - 1].val_loss], mode="markers",
                name=f"kept: epoch {chosen}", marker=dict(symbol="star", size=14,
                                                          color=COLOURS["validation"])))
        fig.update_layout(
            title=title, height=height, margin=dict(l=10, r=10, t=40, b=10),
            xaxis=dict(title="epoch", range=[0.5, cfg.epochs + 0.5]),
            yaxis=dict(range=[0, 1.02] if metric == "acc" else None, tickformat=".0%"
                       if metric == "acc" else None, rangemode="tozero"),
            legend=dict(orientation="h", y=-0.32))
        figs.append(fig)
    return figs[0], figs[1]


def split_bar(cfg: lab.LabConfig, sizes: dict[str, int]) -> go.Figure:
    """The pool of 3,000 digits as one bar: train (used, unused), validation, test."""
    parts = [("train", sizes["train"], COLOURS["train"]),
             ("train, unused", sizes["unused"], "#bfdbfe"),
             ("validation", sizes["val"], COLOURS["validation"]),
             ("test", sizes["test"] - sizes["leaked"], COLOURS["test"]),
             ("test: copies of training digits", sizes["leaked"], "#7f1d1d")]
    fig = go.Figure([go.Bar(y=["digits"], x=[n], name=f"{name} ({n:,})", orientation="h",
                            marker_color=colour, hovertemplate=f"{name}: {n:,}<extra></extra>")
                     for name, n, colour in parts if n])
    fig.update_layout(barmode="stack", height=120, margin=dict(l=10, r=10, t=10, b=10),
                      showlegend=True, legend=dict(orientation="h", y=-0.6),
                      yaxis=dict(visible=False), xaxis=dict(range=[0, lab.POOL_SIZE]))
    return fig
