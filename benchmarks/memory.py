"""Server memory, for sizing a hosted instance: ``python benchmarks/memory.py`` prints one
JSON object.

A real ``streamlit run app.py`` (``tests.harness.running_app``), its resident memory read
from Linux ``/proc``:

* ``idle_mb``: after start; ``all_pages_mb``: after the home page and every page were
  opened once in headless Chromium (``benchmarks/app_memory.py``'s ``open_pages``: every
  model loaded);
* ``sessions``: ``--sessions`` (K) more people open a light page (the glossary) and then a
  heavy one (gradient descent), each in their own browser context, all kept open:
  ``per_session_mb`` is the growth divided by K; ``after_leaving_mb`` once their tabs are
  closed and the server has dropped their sessions (it keeps a disconnected session for
  ``server.disconnectedSessionTTL``: 120 s by default, ``--ttl`` here so the run is short);
* ``torch_import``: resident memory of ``python -c "import torch"`` with the installed
  build (and of ``import numpy`` for scale); ``estimated_cuda_cost_mb``: what the CUDA
  build's libraries cost even without a GPU: the NVIDIA libraries torch maps (cuBLAS,
  cuDNN, NCCL, nvrtc...), loaded alone with ``ctypes`` in a fresh process (their pages
  and their initialisers' allocations), plus the resident pages of torch's own CUDA
  libraries (``libtorch_cuda``; ``/proc/<pid>/smaps``);
* ``estimated_cpu_build_*_mb``: the measured numbers less that cost. An ESTIMATE: no
  CPU-only wheel of torch could be installed here (``cuda_libraries_mapped_mb``: the
  CUDA libraries' file-backed pages in the server itself, a lower bound).

Targets (issue 15): fit a 1 GB instance with the CPU build of torch; under 10 MB per
extra session.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _measure import load_average, status_mb  # noqa: E402
from app_memory import every_page, open_pages  # noqa: E402

from tests.harness import CHROMIUM, CHROMIUM_ARGS, running_app, wait_for_app  # noqa: E402

LIGHT, HEAVY = "jargon", "gradient_descent"
_NVIDIA = re.compile(r"/site-packages/nvidia/")  # CUDA's own wheels (cuBLAS, cuDNN, NCCL...)
_TORCH_CUDA = re.compile(r"/lib(torch_cuda\w*|c10_cuda|caffe2_nvrtc)\.so[^/]*$")
_MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


def mapped(pid: int | str, *patterns: re.Pattern) -> tuple[float, list[str]]:
    """Resident MB of the file mappings whose path matches one of ``patterns`` in a
    process (``/proc/<pid>/smaps``), and those files."""
    kb, hit, files = 0, False, []
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if _MAPPING.match(line):
            parts = line.split()
            hit = len(parts) > 5 and any(p.search(parts[5]) for p in patterns)
            if hit and parts[5] not in files:
                files.append(parts[5])
        elif hit and line.startswith("Rss:"):
            kb += int(line.split()[1])
    return round(kb / 1024, 1), files


def cuda_libraries_mb(pid: int | str) -> float:
    """Resident MB of the CUDA libraries' file mappings in a process."""
    return mapped(pid, _NVIDIA, _TORCH_CUDA)[0]


_IMPORT = """
import sys, json, time
start = time.perf_counter()
import {module}
seconds = time.perf_counter() - start
sys.path.insert(0, {bench!r})
from memory import _NVIDIA, _TORCH_CUDA, mapped
from _measure import status_mb
nvidia_mb, nvidia = mapped("self", _NVIDIA)
print(json.dumps({{"rss_mb": status_mb("self"), "seconds": round(seconds, 2),
                  "nvidia_libraries_mapped_mb": nvidia_mb,
                  "torch_cuda_libraries_mapped_mb": mapped("self", _TORCH_CUDA)[0],
                  "nvidia": nvidia}}))
"""

# Loads the NVIDIA libraries alone, as torch's CUDA build does at import: their resident
# pages AND what their initialisers allocate (the file mappings alone miss the latter).
_DLOPEN = """
import ctypes, json, sys
sys.path.insert(0, {bench!r})
from _measure import status_mb
before = status_mb("self")
for path in sys.argv[1:]:
    ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
print(json.dumps({{"growth_mb": round(status_mb("self") - before, 1)}}))
"""


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, cwd="/").stdout
    return json.loads(out.strip().splitlines()[-1])


def import_cost(module: str) -> dict:
    """Resident memory of a fresh Python that imported ``module``."""
    return _child(_IMPORT.format(module=module, bench=str(REPO / "benchmarks")))  # + "nvidia"


def torch_import() -> dict:
    """What ``import torch`` costs, and an estimate of the CUDA libraries' share: the
    NVIDIA libraries it maps, loaded alone in a fresh process, plus torch's own CUDA
    libraries' resident pages."""
    import torch

    cost = import_cost("torch")
    nvidia = cost.pop("nvidia")
    alone = _child(_DLOPEN.format(bench=str(REPO / "benchmarks")), *nvidia)["growth_mb"]
    cuda = round(alone + cost["torch_cuda_libraries_mapped_mb"], 1)
    return {"torch": torch.__version__, "cuda_build": torch.version.cuda is not None,
            "import_torch": cost,
            "import_numpy": {k: v for k, v in import_cost("numpy").items() if k == "rss_mb"},
            "nvidia_libraries": len(nvidia), "nvidia_libraries_loaded_alone_mb": alone,
            "estimated_cuda_cost_mb": cuda,
            "estimated_cpu_build_import_mb": round(cost["rss_mb"] - cuda, 1),
            "cpu_build": "not measured: no CPU-only wheel reachable here (the CPU index is "
                         "offline; pip found only the CUDA wheel); the CPU numbers are "
                         "estimates: measured minus estimated_cuda_cost_mb"}


def sessions(browser, url: str, pid: int, path: str, k: int) -> tuple[float, list]:
    """Open ``path`` in ``k`` new browser contexts, kept open; the server's growth per
    session in MB, and the contexts."""
    before = status_mb(pid)
    contexts = []
    for _ in range(k):
        ctx = browser.new_context(viewport={"width": 1440, "height": 900})
        pg = ctx.new_page()
        pg.set_default_timeout(180_000)
        pg.goto(f"{url}/{path}", timeout=180_000)
        wait_for_app(pg)
        contexts.append(ctx)
    time.sleep(2)
    return round((status_mb(pid) - before) / k, 1), contexts


def measure(k: int = 10, ttl: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    result: dict = {}
    with running_app("--server.disconnectedSessionTTL", str(ttl)) as (url, pid):
        time.sleep(2)
        result["idle_mb"] = status_mb(pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                open_pages(browser, url, every_page())
                time.sleep(2)
                result["all_pages_mb"] = status_mb(pid)
                result["cuda_libraries_mapped_mb"] = cuda_libraries_mb(pid)
                opened = []
                per = {}
                for path in (LIGHT, HEAVY):
                    per[path], contexts = sessions(browser, url, pid, path, k)
                    opened += contexts
                with_all = status_mb(pid)
                for ctx in opened:
                    ctx.close()
            finally:
                browser.close()
        time.sleep(ttl + 10)  # the server drops disconnected sessions after the TTL
        result["sessions"] = {
            "k": k, "per_session_mb": per, f"with_{2 * k}_sessions_mb": with_all,
            "after_leaving_mb": status_mb(pid), "disconnected_session_ttl_s": ttl}
        result["peak_mb"] = status_mb(pid, "VmHWM")
    result["torch_import"] = cost = torch_import()
    result["estimated_cpu_build_all_pages_mb"] = round(
        result["all_pages_mb"] - cost["estimated_cuda_cost_mb"], 1)
    result["estimated_cpu_build_after_leaving_mb"] = round(
        result["sessions"]["after_leaving_mb"] - cost["estimated_cuda_cost_mb"], 1)
    result["load_average"] = load_average()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="extra sessions per page (K)")
    parser.add_argument("--ttl", type=int, default=5,
                        help="server.disconnectedSessionTTL for the run, seconds")
    args = parser.parse_args()
    print(json.dumps(measure(args.sessions, args.ttl)))


if __name__ == "__main__":
    main()
