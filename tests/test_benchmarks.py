"""Smoke test of the benchmarks (``benchmarks/``): the cheapest ones run with tiny repeats
and print the JSON keys the README and ``run_all.py`` read; ``run_all.py`` knows every
benchmark. The numbers themselves are measured by the benchmarks, not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from tests.harness import REPO

BENCH = REPO / "benchmarks"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)  # models.measure runs on one thread


def test_summary_is_median_and_nearest_rank_p95(bench):
    from _measure import summary

    values = [float(v) for v in np.random.default_rng(0).permutation(40)]
    s = summary(values, 3)
    assert s["median"] == np.median(values)
    assert s["p95"] == np.percentile(values, 95, method="inverted_cdf") == 37.0
    assert (s["min"], s["max"], s["n"]) == (0.0, 39.0, 40)
    assert summary([5.0])["p95"] == 5.0


def test_run_all_runs_every_benchmark(bench):
    import run_all

    scripts = {p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_")}
    assert scripts - {"run_all"} - run_all.LIBRARIES - run_all.TOOLS - set(run_all.COVERED) \
        - set(run_all.NEEDS_MORE) <= set(run_all.PLAN), (
        "add the new benchmark to run_all.PLAN")


def test_report_writes_every_number_between_its_markers(bench):
    import report

    run = {"benchmarks": {"descent": {"surface_ms": {"bowl": 0.25}, "steps": [1, 2.5]}},
           "wall_s": {"descent": 3.2}, "total_wall_s": 3.5, "failed": {"leak": "exit 1"},
           "skipped": {}, "quick": False, "load_average": [1.0, 1.1, 1.2]}
    doc = "# Performance\n\nnotes\n\n" + report.BEGIN + "\nold\n" + report.END + "\nmore notes\n"
    out = report.rewrite(doc, report.markdown(run, "run.json"))
    assert out.startswith("# Performance\n\nnotes\n\n") and out.endswith("\nmore notes\n")
    assert "old" not in out and out.count(report.BEGIN) == 1
    assert "| surface_ms.bowl | 0.25 |" in out and "| steps | 1, 2.5 |" in out
    assert "`python benchmarks/descent.py` (3.2 s)" in out and "leak (exit 1)" in out


def test_run_all_reads_one_line_or_indented_json(bench):
    from run_all import parse

    assert parse('log line\n{"a": 1}\n') == {"a": 1}
    assert parse(json.dumps({"a": [1, 2]}, indent=1)) == {"a": [1, 2]}
    assert parse('{"early": 0}\nwarming up\n{\n "a": 1\n}\n') == {"a": 1}
    assert parse("Traceback ...") is None


@pytest.mark.slow
def test_models_print_every_latency(bench):
    import models

    result = models.measure(repeat=1, chars=50)
    assert set(result["digit_ms"]) == {"cnn", "mlp"}
    assert set(result["embeddings_ms"]) == {"neighbours_400000", "neighbours_50000",
                                            "analogy_400000"}
    for timing in (result["digit_ms"]["cnn"], result["descent_ms"], result["imagenet_ms"]):
        assert set(timing) == {"wall", "cpu"} and timing["wall"]["median"] > 0
    assert result["charrnn"]["chars_per_s"] > 0
    json.dumps(result)


@pytest.mark.slow
def test_reruns_prints_time_cpu_and_bytes():
    out = subprocess.run([sys.executable, str(BENCH / "reruns.py"), "--repeat", "1",
                          "--pages", "jargon"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    page = json.loads(out.strip().splitlines()[-1])["pages"]["jargon"]
    assert page["errors"] == 0, page
    assert {"wall_ms", "cpu_ms", "bytes", "media_bytes", "open_ms"} <= set(page)
    assert page["bytes"]["median"] > 1000  # the glossary's text reached the browser
