"""What the README claims, each checked on the real thing.

* The digit readers' test-set figures (``assets/digits_*_test.json``, quoted by the page
  and the README) are what ``python -m dlcore.digits evaluate`` prints today, on the full
  MNIST test set: one evaluation per model per run.
* The engine never loads Streamlit (``dlcore`` is pure Python and torch).
* The app is served, in the tests as on a stage, by the project's own
  ``.streamlit/config.toml``, not by flags that duplicate it.
* A fresh clone elsewhere gets MNIST for the tests through torchvision's ordinary
  download (tested here with a stand-in downloader: this machine is offline).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import tomllib

import numpy as np
import pytest

import dlcore
from dlcore.data import mnist
from dlcore.digits import train as digits_train
from tests import conftest, harness
from tests.harness import REPO


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_shipped_test_report_is_what_evaluate_prints_now(kind, mnist_dir):
    out = subprocess.run(
        [sys.executable, "-m", "dlcore.digits", "evaluate", "--data-dir", str(mnist_dir),
         "--model", kind], cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    printed = json.loads(out.stdout)
    shipped = digits_train.load_report(kind)
    assert printed.keys() == shipped.keys()
    assert {k: v for k, v in printed.items() if k != "seconds"} == \
        {k: v for k, v in shipped.items() if k != "seconds"}
    assert printed["n"] == 10_000
    with np.load(digits_train.mistakes_path(kind)) as wrong:
        assert len(wrong["labels"]) == printed["errors"]
    if kind == "cnn":  # the README's promise: 99.5% with under 100,000 parameters
        assert printed["accuracy"] >= 0.995 and printed["params"] <= 100_000


@pytest.mark.slow
def test_importing_the_engine_never_loads_streamlit():
    modules = [m.name for m in pkgutil.walk_packages(dlcore.__path__, "dlcore.")
               if not m.name.endswith("__main__")]
    assert {"dlcore.digits.model", "dlcore.data.images", "dlcore.training"} <= set(modules)
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_the_app_is_served_with_the_projects_own_config():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False  # no request to Streamlit's stats
    assert config["server"]["headless"] is True
    set_by_config = {f"--{section}.{key}" for section, keys in config.items() for key in keys}
    command = harness.streamlit_command(8501)
    flags = {arg for arg in command if arg.startswith("--")}
    assert flags == {"--server.port", "--server.address"}  # where to listen, nothing more
    assert not flags & set_by_config
    assert command[command.index("run") + 1] == str(REPO / "app.py")


def _fake_download(cache):
    """What torchvision's download leaves: the four IDX files (tiny ones here)."""
    cache.mkdir(parents=True)
    for names in mnist.FILES.values():
        for name in names[:2]:
            (cache / (name + ".gz")).write_bytes(b"")
    return cache


@pytest.fixture
def no_data_root(monkeypatch, tmp_path):
    """A fresh clone elsewhere: no DLCORE_DATA_DIR and no ../shared/data."""
    monkeypatch.delenv("DLCORE_DATA_DIR", raising=False)
    monkeypatch.setattr(conftest, "data_root", lambda: tmp_path / "no-shared-data")
    return tmp_path / "cache" / "mnist"


def test_a_fresh_clone_online_downloads_mnist_once_into_the_cache(no_data_root):
    calls = []

    def download(cache):
        calls.append(cache)
        return _fake_download(cache)

    assert conftest.find_mnist(download, no_data_root) == (no_data_root, "")
    assert conftest.find_mnist(download, no_data_root) == (no_data_root, "")
    assert calls == [no_data_root]  # the second run uses the cache


def test_a_fresh_clone_offline_says_why_there_is_no_mnist(no_data_root):
    def offline(cache):
        raise mnist.MnistError("no network")

    found, reason = conftest.find_mnist(offline, no_data_root)
    assert found is None and "no MNIST download: no network" in reason


def test_a_named_data_root_is_never_replaced_by_a_download(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCORE_DATA_DIR", str(tmp_path / "empty"))

    def must_not_download(cache):
        raise AssertionError("downloaded although DLCORE_DATA_DIR names the data")

    found, reason = conftest.find_mnist(must_not_download, tmp_path / "cache")
    assert found is None and "set DLCORE_DATA_DIR" in reason
