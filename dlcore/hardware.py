"""CPU vs GPU: the same work timed on each processor torch can see.

The talk's "GPU vs CPU" slide says inference is fine on a CPU and a GPU is what training
larger models wants. This module measures it on the machine at hand: a square matrix
multiply at several sizes (the operation that fills a network's time) and one training
step of a small fully connected network, on the CPU and, where torch sees one, on a GPU.

Timing rules (as in ``torch.utils.benchmark`` and the CUDA best-practice guides): a warm-up
call first (kernels load, caches fill, the GPU clocks up), then the median of several
repeats; on a GPU ``torch.cuda.synchronize()`` before reading the clock, because its calls
return before the work is done. Every measurement is bounded by a time budget, so a shared
server's CPU is never held for long.
"""

from __future__ import annotations

import os
import platform
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from dlcore import training

SIZES = (128, 256, 512, 1024, 2048)
MAX_SIZE = 4096


def cpu_name() -> str:
    """The CPU's model name, from /proc/cpuinfo where there is one."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def describe() -> dict:
    """The hardware found: CPU model and cores, torch's threads, the GPU if any."""
    found = {"cpu": cpu_name(), "cpu_cores": os.cpu_count() or 1,
             "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
             "gpu": None, "gpu_memory_gb": None, "cuda": torch.version.cuda}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        found["gpu"] = props.name
        found["gpu_memory_gb"] = round(props.total_memory / 2**30, 1)
    return found


def gpu_device() -> torch.device | None:
    """The first CUDA GPU torch sees, or None."""
    try:
        return training.resolve_device("cuda")
    except training.DeviceError:
        return None


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_seconds(fn: Callable[[], object], device: torch.device, repeats: int = 5,
                   budget_s: float = 1.0) -> tuple[float, int]:
    """Median wall time of ``fn`` after one warm-up call; fewer repeats when over budget."""
    fn()
    _sync(device)
    times: list[float] = []
    spent = time.perf_counter()
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - t)
        if time.perf_counter() - spent > budget_s:
            break
    return statistics.median(times), len(times)


@dataclass
class Timing:
    task: str  # "matmul" or "train step"
    size: int  # matrix side, or batch size
    device: str
    seconds: float  # median
    repeats: int
    gflops: float  # useful floating-point work per second, in billions

    def as_dict(self) -> dict:
        return {"task": self.task, "size": self.size, "device": self.device,
                "ms": round(self.seconds * 1e3, 4), "repeats": self.repeats,
                "gflops": round(self.gflops, 2)}


def time_matmul(n: int, device: torch.device, budget_s: float = 1.0,
                dtype: torch.dtype = torch.float32, seed: int = 0) -> Timing:
    """``A @ B`` for two n x n matrices: 2 n^3 floating-point operations."""
    if not 1 <= n <= MAX_SIZE:
        raise ValueError(f"matrix size must be 1-{MAX_SIZE}")
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, n, generator=g, dtype=dtype).to(device)
    b = torch.randn(n, n, generator=g, dtype=dtype).to(device)
    seconds, repeats = median_seconds(lambda: a @ b, device, budget_s=budget_s)
    return Timing("matmul", n, str(device), seconds, repeats, 2 * n**3 / seconds / 1e9)


def time_train_step(device: torch.device, batch: int = 256, width: int = 1024,
                    budget_s: float = 1.0, seed: int = 0) -> Timing:
    """One SGD step (forward, backward, update) of a 784-width-width-10 MLP on a batch."""
    model = nn.Sequential(nn.Linear(784, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                          nn.Linear(width, 10))
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # seeded without touching torch's global generator
        for p in model.parameters():
            p.copy_((torch.rand(p.shape, generator=g) - 0.5) * 2 / p.shape[-1] ** 0.5)
    model = model.to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(batch, 784, generator=g).to(device)
    y = torch.randint(0, 10, (batch,), generator=g).to(device)

    def step() -> None:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    seconds, repeats = median_seconds(step, device, budget_s=budget_s)
    flops = 6 * batch * training.count_params(model)  # forward 2, backward 4 per weight
    return Timing("train step", batch, str(device), seconds, repeats, flops / seconds / 1e9)


# One measurement at a time in this process: two at once would time each other. A plain
# module-level lock (it was in st.cache_resource, which any client can clear: issue 23).
MEASURING = threading.Lock()


def compare(sizes: tuple[int, ...] = SIZES, batch: int = 256, budget_s: float = 1.0,
            device: str | None = None, seed: int = 0) -> dict:
    """Every timing on the CPU and on the GPU if there is one, with the GPU's speed-up.

    ``device`` forces "cpu" only (a page that must not touch a GPU) or a named GPU.
    """
    devices = [torch.device("cpu")]
    gpu = gpu_device() if device is None else (
        None if device == "cpu" else training.resolve_device(device))
    if gpu is not None:
        devices.append(gpu)
    rows = []
    for d in devices:
        rows += [time_matmul(n, d, budget_s, seed=seed) for n in sizes]
        rows.append(time_train_step(d, batch, budget_s=budget_s, seed=seed))
    speedups = {}
    if gpu is not None:
        cpu_rows = {(r.task, r.size): r for r in rows if r.device == "cpu"}
        for r in rows:
            if r.device != "cpu":
                speedups[f"{r.task} {r.size}"] = round(cpu_rows[r.task, r.size].seconds
                                                       / r.seconds, 2)
    return {"hardware": describe(), "gpu_used": str(gpu) if gpu else None,
            "timings": [r.as_dict() for r in rows], "gpu_speedup": speedups}
