"""The benchmarks' websocket client (benchmarks/stclient.py) against the real app: it
opens a page as a browser does, presses a button, and sees the page change."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from benchmarks.stclient import Session
from tests.harness import running_app


def stepper_cell(s: Session) -> int:
    """The cell the convolution stepper's data (a component's) puts on show."""
    _, _, w = s.find("convolution._stepper", "bidi_component")
    return json.loads(w.json)["cell"]


@pytest.mark.slow
def test_client_opens_convolution_sends_the_steppers_cell_and_presses_a_button():
    async def scenario(url: str) -> None:
        s = Session(url, "convolution")
        opened = await s.open()
        assert opened.status == "FINISHED_SUCCESSFULLY"
        assert opened.deltas > 20 and opened.bytes > 1000
        assert s.heading() == "Convolution, step by step"
        assert stepper_cell(s) == 1
        # the stepper's write-back, as its browser sends it once a step rests: a
        # fragment's rerun, which draws the stepper again at that cell
        moved = await s.set("convolution._stepper", {"view": {"cell": 5, "speed": "fast"}})
        assert moved.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
        assert stepper_cell(s) == 5
        text_before = s.texts()
        pressed = await s.click("🎲 Random fill")
        assert pressed.status == "FINISHED_SUCCESSFULLY"
        assert s.texts() != text_before  # the new numbers in the PyTorch call
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
