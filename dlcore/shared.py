"""What the sessions of one server share: bounded memos, single-flight computations that
others follow while they run, and slots that bound how many heavy jobs run at once.

A room of fifty opens the same slide at once on a small server. Settings that are seeded
always give the same result, so the first session computes it and the others take it, or
follow it while it is being made (a text streamed as it is written). These objects are
plain module-level objects of the pages that use them, never values in a Streamlit cache:
a client can clear Streamlit's caches, and with them any limit kept there.

Reference: Go's ``golang.org/x/sync/singleflight`` (one call per key, the others share
its result), generalised here to partial results that followers can show as they grow.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class BoundedMemo:
    """A dict of at most ``max_entries`` results, the least recently used dropped first;
    safe to use from many threads."""

    def __init__(self, max_entries: int):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class _Flight:
    """A result being made: its parts so far, and whether its maker has stopped."""

    def __init__(self) -> None:
        self.parts: list[Any] = []
        self.done = threading.Event()


class SingleFlight:
    """One computation per key at a time; the others asking follow it, then share its
    result, kept in a :class:`BoundedMemo`.

    The computation is an iterable of parts (characters of a text, epochs of a run): the
    maker and every follower see the parts as they come (``on_parts``), so a follower can
    draw a text while another session writes it. If the maker stops mid-way (its person
    left: Streamlit stops a script by raising inside it), the parts are dropped and the
    next session in line makes the result itself.
    """

    def __init__(self, kept: int):
        self.results = BoundedMemo(kept)
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Iterable[Any]],
            join: Callable[[list[Any]], Any] = list,
            on_parts: Callable[[list[Any]], None] | None = None,
            follow_every: float = 0.2) -> Any:
        """The result for ``key``: remembered, followed, or made here from ``make()``.

        ``join(parts)`` turns the parts into the result; ``on_parts(parts so far)`` is
        called as parts arrive (by the maker, for each part; by a follower, every
        ``follow_every`` seconds while parts grew)."""
        while True:
            with self._lock:
                result = self.results.get(key, _MISSING)
                if result is not _MISSING:
                    return result
                flight = self._flights.get(key)
                mine = flight is None
                if mine:
                    flight = self._flights[key] = _Flight()
            if not mine:
                self._follow(flight, on_parts, follow_every)
                continue  # made (remembered now) or abandoned (gone): look again
            return self._make(key, flight, make, join, on_parts)

    @staticmethod
    def _follow(flight: _Flight, on_parts, follow_every: float) -> None:
        shown = 0
        while not flight.done.wait(follow_every):
            if on_parts is not None and len(flight.parts) > shown:
                shown = len(flight.parts)
                on_parts(flight.parts[:shown])

    def _make(self, key, flight: _Flight, make, join, on_parts) -> Any:
        try:
            for part in make():
                flight.parts.append(part)
                if on_parts is not None:
                    on_parts(flight.parts)
            result = join(flight.parts)
            with self._lock:
                self.results.put(key, result)
            return result
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()

    def in_flight(self) -> int:
        """How many computations are being made now."""
        with self._lock:
            return len(self._flights)


_MISSING = object()


class Slots:
    """At most ``n`` heavy jobs at once in this process; the others wait their turn."""

    def __init__(self, n: int):
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n
        self._free = threading.BoundedSemaphore(n)
        self._lock = threading.Lock()
        self.waiting = 0
        self.held = 0

    @contextmanager
    def turn(self, on_wait: Callable[[int], None] | None = None,
             timeout: float | None = None) -> Iterator[bool]:
        """Hold a slot for the ``with`` block, which gets True; ``on_wait(people
        waiting)`` if none is free. With ``timeout``, the block gets False (and holds no
        slot) if none came free in time."""
        got = self._free.acquire(blocking=False)
        if not got:
            with self._lock:
                self.waiting += 1
                ahead = self.waiting
            try:
                if on_wait is not None:
                    on_wait(ahead)
                got = self._free.acquire(timeout=timeout)
            finally:
                with self._lock:
                    self.waiting -= 1
        if got:
            with self._lock:
                self.held += 1
        try:
            yield got
        finally:
            if got:
                with self._lock:
                    self.held -= 1
                self._free.release()
