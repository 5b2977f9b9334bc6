"""dlcore.shared: what a server's sessions share, checked with real threads (events
order them; nothing sleeps)."""

from __future__ import annotations

import threading

import pytest

from dlcore.shared import BoundedMemo, SingleFlight, Slots


def test_bounded_memo_drops_the_least_recently_used():
    memo = BoundedMemo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recent
    memo.put("c", 3)
    assert memo.get("b") is None and memo.get("a") == 1 and memo.get("c") == 3
    assert len(memo) == 2
    with pytest.raises(ValueError):
        BoundedMemo(0)


def test_single_flight_makes_once_for_many_sessions():
    flight = SingleFlight(kept=4)
    release, started, calls = threading.Event(), threading.Event(), []

    def make():
        calls.append(1)
        started.set()
        yield "a"
        release.wait()
        yield "b"

    results, seen = [], []
    maker = threading.Thread(target=lambda: results.append(flight.get("k", make, "".join)))
    maker.start()
    started.wait()
    followers = [threading.Thread(target=lambda: results.append(
        flight.get("k", make, "".join, on_parts=seen.append, follow_every=0.01)))
        for _ in range(5)]
    for t in followers:
        t.start()
    release.set()
    for t in [maker, *followers]:
        t.join()
    assert results == ["ab"] * 6 and len(calls) == 1
    assert flight.get("k", make, "".join) == "ab" and len(calls) == 1  # remembered
    assert flight.in_flight() == 0


def test_single_flight_hands_over_when_the_maker_stops():
    """A maker that stops mid-way (its person left) leaves nothing behind: the next
    session in line makes the result itself."""
    flight = SingleFlight(kept=4)
    first_part, follower_waits = threading.Event(), threading.Event()

    def stopped():
        yield "x"
        first_part.set()
        follower_waits.wait()
        raise KeyboardInterrupt  # how a stopped script run ends

    def whole():
        yield from "ok"

    def maker():
        with pytest.raises(KeyboardInterrupt):
            flight.get("k", stopped, "".join)

    t = threading.Thread(target=maker)
    t.start()
    first_part.wait()
    got = []
    follower = threading.Thread(target=lambda: got.append(
        flight.get("k", whole, "".join, on_parts=lambda parts: follower_waits.set(),
                   follow_every=0.01)))
    follower.start()
    follower_waits.set()  # (also set by the follower once it has seen "x")
    t.join()
    follower.join()
    assert got == ["ok"] and flight.in_flight() == 0


def test_slots_bound_the_jobs_at_once_and_count_who_waits():
    slots = Slots(2)
    inside, release, waiting = [], threading.Event(), threading.Event()
    entered, peak = threading.Semaphore(0), []

    def job():
        with slots.turn(on_wait=lambda ahead: waiting.set()) as got:
            assert got
            inside.append(1)
            peak.append(slots.held)
            entered.release()
            release.wait()

    threads = [threading.Thread(target=job) for _ in range(3)]
    for t in threads:
        t.start()
    entered.acquire()
    entered.acquire()
    waiting.wait()  # the third found no free slot
    assert slots.held == 2 and len(inside) == 2
    release.set()
    for t in threads:
        t.join()
    assert len(inside) == 3 and max(peak) == 2 and slots.held == 0 and slots.waiting == 0


def test_a_slot_not_free_in_time_is_refused():
    slots = Slots(1)
    with slots.turn() as first:
        assert first
        with slots.turn(timeout=0) as second:
            assert second is False
        assert slots.held == 1 and slots.waiting == 0
    assert slots.held == 0
