"""The benchmarks' websocket client (benchmarks/stclient.py) against the real app: it
opens a page as a browser does, presses a button, and sees the page change."""

from __future__ import annotations

import asyncio

from benchmarks.stclient import Session
from tests.harness import running_app


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

    with running_app() as app:
        asyncio.run(scenario(app.url))
