"""Small helpers the benchmarks share: medians and 95th percentiles, a process's memory
and CPU time from Linux ``/proc``, the machine's load. Imports nothing heavy."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def summary(values: list[float], digits: int = 1) -> dict:
    """Median, 95th percentile (nearest rank), min and max of ``values``, and how many."""
    ordered = sorted(values)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {"median": round(statistics.median(ordered), digits), "p95": round(p95, digits),
            "min": round(ordered[0], digits), "max": round(ordered[-1], digits),
            "n": len(ordered)}


def status_mb(pid: int | str, field: str = "VmRSS") -> float:
    """A memory field of ``/proc/<pid>/status`` (VmRSS, VmHWM...) in MB (2**20 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise KeyError(field)


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU seconds a process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def load_average() -> float:
    """The machine's 1-minute load average (the project's machine is shared)."""
    return round(os.getloadavg()[0], 2)
