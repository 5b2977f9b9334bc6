"""Memory growth over many reruns in one session: ``python benchmarks/leak.py`` prints one
JSON object.

For each page, one AppTest session does the page's main interaction
(``benchmarks/reruns.py``'s ``INTERACTIONS``, a new value each time) ``--reruns`` times,
or as many as fit in ``--budget-s`` seconds for a slow page (``reruns`` says how many
were done). The process's resident memory (``/proc/self/status``, after a full garbage
collection) is read after a warm-up rerun and then ten times along the way:

* ``growth_mb``: from the warm-up to the end; ``second_half_mb``: over the second half
  only. A cache that fills (a bounded ``st.cache_data``, a model loaded once) grows in
  the first half and stops; a leak keeps growing;
* a page that grows by more than ``--limit-mb`` (50 MB, issue 15) is a bug to explain:
  ``released_mb`` says how much came back on closing the session, then on clearing the
  data caches, then on handing the C heap's free pages back (``malloc_trim``: memory
  freed but kept by glibc, fragmentation rather than a leak); then it is run again, from
  empty caches, for a fifth of the reruns under ``tracemalloc``, and ``top_sites`` lists
  the Python lines that allocated the most of what was kept (memory that torch allocates
  itself is not seen by tracemalloc).

The pages run one after another in one process, so models that one page loads stay for
the next (``rss_mb_at_start`` says where each began).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _measure import load_average, status_mb  # noqa: E402
from reruns import INTERACTIONS, open_session, rerun  # noqa: E402


def rss() -> float:
    gc.collect()
    return status_mb("self")


# Warm-up reruns before the first reading, beyond the first: the deck's interaction walks
# ten slides (reruns.py), and the first walk loads the models of the views on them
# (about 690 MB, once per process), which is not growth.
WARMUP = {"talk": 10}


def reruns(page: str, n: int, budget_s: float):
    """``n`` interactions in one session (fewer if ``budget_s`` runs out): the numbers,
    and the session (AppTest), still open."""
    at = open_session(page)
    for i in range(-WARMUP.get(page, 0), 1):  # the deck: each slide of its cycle once,
        rerun(at, page, i)                    # so its views' models are loaded first
    start_mb, start = rss(), time.perf_counter()
    trace, errors, done, noted = [start_mb], 0, 0, start
    for i in range(1, n + 1):
        errors += rerun(at, page, i)[-1] is not None
        done = i
        now = time.perf_counter()
        if i % max(1, n // 10) == 0 or now - noted > budget_s / 10:
            trace.append(rss())
            noted = now
        if now - start > budget_s:
            break
    end_mb = rss()
    half = trace[len(trace) // 2]
    return {"reruns": done, "seconds": round(time.perf_counter() - start, 1),
            "rss_mb_at_start": start_mb, "growth_mb": round(end_mb - start_mb, 1),
            "second_half_mb": round(end_mb - half, 1), "rss_mb_trace": trace + [end_mb],
            "errors": errors}, at


def malloc_trim() -> None:
    """Give the C heap's free pages back to the system (glibc keeps them otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def released(holder: list) -> dict:
    """Where the growth went: MB given back by closing the session (its session state),
    then by clearing every ``st.cache_data``, then by glibc's ``malloc_trim`` (memory
    that was freed but kept by the C heap: fragmentation, not a leak)."""
    import streamlit as st

    before = rss()
    holder.clear()
    closed = rss()
    st.cache_data.clear()
    cleared = rss()
    malloc_trim()
    trimmed = rss()
    return {"closing_the_session": round(before - closed, 1),
            "clearing_st_cache_data": round(closed - cleared, 1),
            "malloc_trim": round(cleared - trimmed, 1)}


def top_sites(page: str, n: int, budget_s: float, top: int = 10) -> list[str]:
    """The source lines that allocated the most of what ``n`` reruns kept, from empty
    data caches."""
    import streamlit as st

    st.cache_data.clear()
    at = open_session(page)
    rerun(at, page, 0)
    tracemalloc.start(5)
    before = tracemalloc.take_snapshot()
    start = time.perf_counter()
    for i in range(1, n + 1):
        rerun(at, page, i)
        if time.perf_counter() - start > budget_s:
            break
    gc.collect()
    diff = tracemalloc.take_snapshot().compare_to(before, "lineno")
    tracemalloc.stop()
    return [str(d) for d in diff[:top]]


def measure(n: int = 500, budget_s: float = 120, limit_mb: float = 50,
            pages: list[str] | None = None) -> dict:
    result = {}
    for page in pages or INTERACTIONS:
        try:
            result[page], at = reruns(page, n, budget_s)
            holder = [at]
            del at
            if result[page]["growth_mb"] > limit_mb:
                result[page]["released_mb"] = released(holder)
                result[page]["top_sites"] = top_sites(page, max(1, n // 5), budget_s / 2)
        except Exception as err:  # noqa: BLE001  one page's failure is a result
            result[page] = {"failed": f"{type(err).__name__}: {err}"}
    over = [p for p, r in result.items() if r.get("growth_mb", 0) > limit_mb]
    return {"pages": result, "limit_mb": limit_mb, "over_limit": over,
            "peak_rss_mb": status_mb("self", "VmHWM"), "load_average": load_average()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=500, help="interactions per page")
    parser.add_argument("--budget-s", type=float, default=120,
                        help="at most this many seconds of reruns per page")
    parser.add_argument("--limit-mb", type=float, default=50, help="growth that is a bug")
    parser.add_argument("--pages", nargs="*", choices=list(INTERACTIONS))
    args = parser.parse_args()
    print(json.dumps(measure(args.reruns, args.budget_s, args.limit_mb, args.pages)))


if __name__ == "__main__":
    main()
