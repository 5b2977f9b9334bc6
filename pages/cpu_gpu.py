"""CPU vs GPU: the same matrix multiply and training step, timed on each processor torch sees.

The engine is ``dlcore.hardware`` (warm-up, medians, GPU synchronised); this page asks it
for one bounded measurement, shared by every visitor for ten minutes, and draws it.
``python benchmarks/cpu_gpu.py`` prints the same numbers as JSON.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dlcore import hardware
from ui import kit
from ui.states.cpu_gpu import CpuGpuState

BUDGET_S = 0.3  # per timing: a whole measurement stays within a few seconds
STEPS_PER_EPOCH = 235  # MNIST's 60,000 training digits in batches of 256
COLOURS = {"cpu": "#2563eb", "cuda": "#16a34a", "mps": "#16a34a"}


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def measure(max_size: int, batch: int, seed: int) -> dict:
    """One measurement at a time on this server; the result is shared for ten minutes."""
    sizes = tuple(n for n in (128, 256, 512, 1024, 2048) if n <= max_size)
    with hardware.MEASURING:  # module-level: no client's clear_cache resets it
        return hardware.compare(sizes, batch, BUDGET_S, seed=seed)


def hardware_found(found: dict, gpu_used: str | None) -> None:
    cols = st.columns(3)
    cols[0].metric("CPU", f"{found['cpu_cores']} cores", help=found["cpu"])
    cols[0].caption(kit.plain(found["cpu"]))
    cols[1].metric("torch threads per visitor", found["torch_threads"])
    cols[1].caption(f"torch {kit.plain(found['torch'])}")
    cols[2].metric("GPU", found["gpu"] or "none")
    if found["gpu"]:
        cols[2].caption(f"{found['gpu_memory_gb']} GB, CUDA {kit.plain(found['cuda'])}")
    if gpu_used is None:
        st.info("**No GPU on this machine**: torch sees no CUDA device, so only the CPU is "
                "timed. On a machine with one, this page and `python benchmarks/cpu_gpu.py` "
                "time it too.")


def time_chart(timings: list[dict]) -> go.Figure:
    fig = go.Figure()
    for device in dict.fromkeys(t["device"] for t in timings):
        rows = [t for t in timings if t["device"] == device and t["task"] == "matmul"]
        fig.add_trace(go.Scatter(
            x=[t["size"] for t in rows], y=[t["ms"] for t in rows], name=device,
            mode="lines+markers", line=dict(color=COLOURS.get(device.split(":")[0]), width=3),
            customdata=[t["gflops"] for t in rows],
            hovertemplate="n = %{x}: %{y:.3g} ms (%{customdata:.3g} GFLOP/s)"
                          f"<extra>{device}</extra>"))
    fig.update_layout(
        title="n x n matrix multiply: time against size", height=380,
        margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.2),
        xaxis=dict(title="n (the work grows as n³)", type="log", tickvals=[128, 256, 512,
                                                                            1024, 2048]),
        yaxis=dict(title="milliseconds (median)", type="log"))
    return fig


def table(result: dict) -> pd.DataFrame:
    rows = {}
    for t in result["timings"]:
        what = f"matmul {t['size']}" if t["task"] == "matmul" else f"train step, batch {t['size']}"
        rows.setdefault(what, {})[f"{t['device']} ms"] = t["ms"]
        rows[what][f"{t['device']} GFLOP/s"] = t["gflops"]
    for name, speedup in result["gpu_speedup"].items():
        task, size = name.rsplit(" ", 1)
        what = f"matmul {size}" if task == "matmul" else f"train step, batch {size}"
        rows[what]["GPU speed-up"] = speedup
    return pd.DataFrame.from_dict(rows, orient="index")


def results(state: CpuGpuState, result: dict) -> None:
    """The timings: the chart, one training step in words, the table."""
    kit.chart(time_chart(result["timings"]), key=kit.key(CpuGpuState, "_chart"))
    step = {t["device"]: t for t in result["timings"] if t["task"] == "train step"}
    cpu = step["cpu"]
    line = (f"One training step of a 784-1024-1024-10 network on {state.batch} digits takes "
            f"**{cpu['ms']:.1f} ms** on the CPU: an epoch of MNIST's 60,000 digits "
            f"(in steps of {state.batch}) about **{cpu['ms'] * 60_000 / state.batch / 1e3:.1f} s**.")
    gpu = next((t for d, t in step.items() if d != "cpu"), None)
    if gpu:
        line += (f" On the GPU: **{gpu['ms']:.2f} ms**, "
                 f"**{cpu['ms'] / gpu['ms']:.1f}x** faster.")
    st.markdown(line)
    st.dataframe(table(result), width="stretch")


# --------------------------------------------------------------------------- the page
def view(state: CpuGpuState) -> None:
    """The page's live view at ``state``: the hardware found, the timings and the sizes.
    Everything below the page title; the deck (pages/talk.py) calls it on a live slide."""
    with st.spinner("Timing (a few seconds, shared with everyone for ten minutes)..."):
        result = measure(state.max_size, state.batch, state.seed)
    hardware_found(result["hardware"], result["gpu_used"])
    results(state, result)
    st.caption("Inference (one prediction) is fine on a CPU; training larger models is where a "
               "GPU pays, as its lead grows with the size of the work.")
    with kit.secondary("Sizes"):
        a, b = st.columns(2)
        kit.select(CpuGpuState, "max_size", "Largest matrix", a)
        kit.select(CpuGpuState, "batch", "Training-step batch", b)
        kit.number(CpuGpuState, "seed", "Seed", a)
        if b.button("Measure again", key=kit.key(CpuGpuState, "_again"),
                    help="Discard the shared measurement and time again"):
            measure.clear()
            st.rerun()


def main() -> None:
    """The page: its title and the view at the link's state."""
    kit.one_torch_thread()
    kit.page_title(
        "CPU vs GPU", "GPU vs CPU",
        "Most of deep learning is multiplying big matrices. Here the same multiply and the same "
        "training step are timed on the CPU and, when there is one, on a GPU: medians after a "
        "warm-up, the GPU waited for before each reading.",
    )
    view(kit.load_state(CpuGpuState))
