"""A client's ``clear_cache`` cannot lift the server's limits (issue 23).

Streamlit empties ``st.cache_data`` and ``st.cache_resource`` for everyone when any
websocket sends a ``clear_cache`` BackMsg. The limits shared by sessions (the splits
page's two training slots and its finished runs, the CPU-vs-GPU measuring lock, the
char-RNN's one-writer table) are module-level objects, so the message leaves them alone;
the caches that remain only hold read-only things that are made again.

These tests speak the browser's protocol (``benchmarks/stclient.py``) to a real server.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from benchmarks.stclient import Session
from dlcore.lab import server
from tests.harness import running_app


@pytest.fixture(scope="module")
def app_server():
    """One server for this file's tests (each uses links of its own). The slots test runs
    last: its long trainings end when this server stops, right after it."""
    with running_app() as served:
        yield served


def in_thread(scenario, url: str, timeout: float = 180) -> None:
    """``asyncio.run(scenario(url))`` in a thread of its own (a browser test's sync
    Playwright may have left an event loop running in this one)."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario(url))
        except BaseException as err:  # noqa: BLE001 - raised again in the test's thread
            failures.append(err)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=timeout)
    assert not worker.is_alive(), f"the clients did not finish in {timeout} s"
    if failures:
        raise failures[0]


def has_text(part: str):
    return lambda s: any(part in t for t in s.texts())


def buttons(s: Session) -> list[str]:
    return [getattr(w, "label", "") for _, k, w in s.widgets() if k == "button"]


SMALL = "epochs=1&train_size=50&early_stopping=false&seed=4242"
# slow enough to hold a slot while the test looks: 80 epochs of the widest, deepest net
# in batches of 8, no early stopping (the run's own time cap ends it)
LONG = "epochs=80&width=512&depth=3&batch_size=8&early_stopping=false&seed={}"


@pytest.mark.slow
def test_finished_runs_survive_a_clear_cache(app_server):
    """A run finished by one session is still known after another client cleared the
    caches: a third session opening the same link sees "Train again", not "Train"."""
    async def scenario(url: str) -> None:
        a = Session(url, "splits", SMALL)
        await a.open()
        await a.press("Train ▶")
        await a.wait_for(lambda s: "Train again ▶" in buttons(s), timeout=240)
        hostile = Session(url, "home")
        await hostile.open()
        await hostile.clear_cache()
        await hostile.clear_cache()
        b = Session(url, "splits", SMALL)
        await b.open()
        assert "Train again ▶" in buttons(b), buttons(b)
        assert not any(r.exceptions for s in (a, b) for r in s.runs)
        for s in (a, b, hostile):
            await s.close()

    in_thread(scenario, app_server.url, timeout=400)


@pytest.mark.slow
def test_training_slots_hold_after_a_clear_cache(app_server):
    """Two runs train (the limit, ``server.TRAINERS``); a client clears the caches; a
    third run still waits for a slot instead of training beside them."""
    assert server.TRAINERS == 2

    async def scenario(url: str) -> None:
        trainers = [Session(url, "splits", LONG.format(i)) for i in (1, 2)]
        for s in trainers:
            await s.open()
            await s.press("Train ▶")
        for s in trainers:
            await s.wait_for(has_text("Epoch 1 of at most 80"), timeout=240)
        hostile = Session(url, "home")
        await hostile.open()
        for _ in range(3):
            await hostile.clear_cache()
        third = Session(url, "splits", LONG.format(3))
        await third.open()
        await third.press("Train ▶")
        await third.wait_for(has_text("runs are training on this server"), timeout=180)
        assert not has_text("Epoch 1 of at most")(third)
        for s in (*trainers, hostile, third):
            await s.close()

    in_thread(scenario, app_server.url, timeout=400)
