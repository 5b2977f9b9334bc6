"""The benchmarks' websocket client (benchmarks/stclient.py) against the real app: it
opens a page as a browser does, presses a button, and sees the page change."""

from __future__ import annotations

import asyncio
import threading

import pytest

from benchmarks.stclient import Session
from tests.harness import running_app


@pytest.mark.slow
def test_client_opens_convolution_and_presses_next():
    async def scenario(url: str) -> None:
        s = Session(url, "convolution")
        opened = await s.open()
        assert opened.status == "FINISHED_SUCCESSFULLY"
        assert opened.deltas > 20 and opened.bytes > 1000
        assert s.heading() == "Convolution, step by step"
        before = s.value("Output cell")
        assert before == [1.0]
        text_before = s.texts()
        pressed = await s.click("Next ▶")
        assert pressed.status in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
        assert s.value("Output cell") == [2.0]
        assert s.texts() != text_before  # the sums written out moved to cell 2
        moved = await s.set("Output cell", 5)
        assert moved.finished is not None and s.value("Output cell") == [5.0]
        assert s.errors == [] and not any(r.exceptions for r in s.runs)
        await s.close()

    # In a thread of its own: the browser tests' sync Playwright may have left an event
    # loop running in this one, and asyncio.run refuses to start inside it.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario(app.url))
        except BaseException as err:  # noqa: BLE001 - raised again in the test's thread
            failures.append(err)

    with running_app() as app:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join(timeout=120)
    assert not worker.is_alive(), "the client did not finish in 120 s"
    if failures:
        raise failures[0]
