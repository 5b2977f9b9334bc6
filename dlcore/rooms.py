"""Rooms: the presenter's place in the talk, which the audience's browsers follow.

reveal.js's multiplex plugin, for this app: the presenter starts a room and gets a short
code for the audience and a secret token that stays in the presenter's own session. Each
audience browser reads the room (its slide and the live view's preset) about once a
second; only the holder of the token can move it. A room expires after
:data:`ROOM_TTL` seconds without a move.

Two stores behind one interface, tested by the same suite (``tests/test_rooms.py``):
:class:`MemoryStore` (one server process, nothing to install) and :class:`RedisStore`
(several server replicas behind a load balancer share rooms). :func:`store_from_env`
picks Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

ROOM_TTL = 12 * 3600  # seconds without a move before a room is gone
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread from a screen
CODE_LENGTH = 5
MAX_ROOMS = 1000  # per in-process store: starting rooms cannot exhaust the server
MAX_VIEW_ITEMS = 40
MAX_VIEW_TEXT = 400
FOLLOWER_WINDOW = 10.0  # a follower counts while it looked at the room in this many seconds
MAX_FOLLOWERS_COUNTED = 5000  # per room: the count's table stays bounded


class RoomError(Exception):
    """A room operation that cannot be done; the message is for the person."""


class UnknownRoom(RoomError):
    """No such room: mistyped, never started, or expired."""


class NotPresenter(RoomError):
    """The token does not belong to this room's presenter."""


@dataclass(frozen=True)
class Room:
    code: str
    slide: int = 1
    view: dict[str, str] = field(default_factory=dict)  # the live slide's preset (query params)
    version: int = 0  # goes up with every move, so followers see a change
    updated: float = 0.0


def normalise_code(text: str) -> str:
    """``" ab3kx "`` -> ``"AB3KX"``; raises UnknownRoom for anything that is not a code."""
    code = (text or "").strip().upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise UnknownRoom("That is not a room code: a room code has "
                          f"{CODE_LENGTH} letters and digits, such as K7QXM.")
    return code


def _check_view(view: Mapping[str, str] | None) -> dict[str, str]:
    view = dict(view or {})
    if len(view) > MAX_VIEW_ITEMS or any(
            not isinstance(k, str) or not isinstance(v, str) or len(k) + len(v) > MAX_VIEW_TEXT
            for k, v in view.items()):
        raise RoomError("The slide's settings are too large to share with the room.")
    return view


def _check_slide(slide: int) -> int:
    if not isinstance(slide, int) or not 1 <= slide <= 10_000:
        raise RoomError("A slide number is a whole number from 1.")
    return slide


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RoomStore(ABC):
    """Where rooms live. Every method raises :class:`RoomError` subclasses, never more."""

    @abstractmethod
    def create(self, slide: int = 1, view: Mapping[str, str] | None = None) -> tuple[Room, str]:
        """A new room at ``slide``; returns it and the presenter's secret token."""

    @abstractmethod
    def get(self, code: str) -> Room:
        """The room now; raises UnknownRoom if it does not exist or has expired."""

    @abstractmethod
    def move(self, code: str, token: str, slide: int,
             view: Mapping[str, str] | None = None) -> Room:
        """The presenter moves the room; raises NotPresenter for any other token."""

    @abstractmethod
    def close(self, code: str, token: str) -> None:
        """The presenter ends the room."""

    def check(self, code: str, token: str) -> Room:
        """The room, if ``token`` is its presenter's (a reloaded or second presenter tab
        proves itself with the token its browser kept); raises UnknownRoom or NotPresenter."""
        raise NotImplementedError

    def seen(self, code: str, follower: str) -> None:
        """Follower ``follower`` (an opaque id) looked at room ``code`` just now."""

    def followers(self, code: str) -> int:
        """How many followers looked at the room in the last FOLLOWER_WINDOW seconds."""
        return 0

    def _new_code(self, taken: Callable[[str], bool]) -> str:
        for _ in range(50):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if not taken(code):
                return code
        raise RoomError("Could not find a free room code; try again.")


class MemoryStore(RoomStore):
    """Rooms in this server process (one replica). Thread-safe; expiry on access."""

    def __init__(self, ttl: float = ROOM_TTL, clock: Callable[[], float] = time.time,
                 max_rooms: int = MAX_ROOMS):
        self.ttl, self.clock, self.max_rooms = ttl, clock, max_rooms
        self._rooms: dict[str, tuple[Room, str]] = {}
        self._seen: dict[str, dict[str, float]] = {}  # room -> follower -> last look
        self._lock = threading.Lock()

    def _sweep(self) -> None:
        now = self.clock()
        for code in [c for c, (r, _) in self._rooms.items() if now - r.updated >= self.ttl]:
            del self._rooms[code]
            self._seen.pop(code, None)

    def create(self, slide=1, view=None):
        room_slide, room_view = _check_slide(slide), _check_view(view)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sweep()
            if len(self._rooms) >= self.max_rooms:
                raise RoomError("This server holds too many rooms right now; try later.")
            code = self._new_code(lambda c: c in self._rooms)
            room = Room(code, room_slide, room_view, 0, self.clock())
            self._rooms[code] = (room, _digest(token))
        return room, token

    def _live(self, code: str) -> tuple[Room, str]:
        code = normalise_code(code)
        entry = self._rooms.get(code)
        if entry is None or self.clock() - entry[0].updated >= self.ttl:
            self._rooms.pop(code, None)
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        return entry

    def get(self, code):
        with self._lock:
            return self._live(code)[0]

    def move(self, code, token, slide, view=None):
        slide, view = _check_slide(slide), _check_view(view)
        with self._lock:
            room, digest = self._live(code)
            if not hmac.compare_digest(digest, _digest(token or "")):
                raise NotPresenter("Only the presenter can move this room.")
            moved = Room(room.code, slide, view, room.version + 1, self.clock())
            self._rooms[room.code] = (moved, digest)
        return moved

    def close(self, code, token):
        with self._lock:
            room, digest = self._live(code)
            if not hmac.compare_digest(digest, _digest(token or "")):
                raise NotPresenter("Only the presenter can end this room.")
            del self._rooms[room.code]
            self._seen.pop(room.code, None)

    def check(self, code, token):
        with self._lock:
            room, digest = self._live(code)
            if not hmac.compare_digest(digest, _digest(token or "")):
                raise NotPresenter("Only the presenter can move this room.")
            return room

    def seen(self, code, follower):
        now = self.clock()
        with self._lock:
            room = self._live(code)[0]
            table = self._seen.setdefault(room.code, {})
            if follower not in table and len(table) >= MAX_FOLLOWERS_COUNTED:
                for f in [f for f, t in table.items() if now - t > FOLLOWER_WINDOW]:
                    del table[f]
                if len(table) >= MAX_FOLLOWERS_COUNTED:
                    return  # counted as "at least" the cap
            table[str(follower)[:64]] = now

    def followers(self, code):
        now = self.clock()
        with self._lock:
            room = self._live(code)[0]
            return sum(now - t <= FOLLOWER_WINDOW for t in self._seen.get(room.code, {}).values())


# A move is checked and written in one step inside Redis, so two replicas cannot interleave.
_MOVE = """
local d = redis.call('HGET', KEYS[1], 'token')
if not d then return 0 end
if d ~= ARGV[1] then return -1 end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'slide', ARGV[2], 'view', ARGV[3], 'updated', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return v
"""


class RedisStore(RoomStore):
    """Rooms in Redis, shared by every server replica; Redis expires them (EXPIRE)."""

    PREFIX = "dlroom:"

    def __init__(self, client, ttl: int = ROOM_TTL):
        import redis  # imported here: the in-process store needs no client library

        self.client, self.ttl, self._errors = client, int(ttl), redis.RedisError
        self._move = client.register_script(_MOVE)

    @classmethod
    def from_url(cls, url: str, ttl: int = ROOM_TTL) -> RedisStore:
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2), ttl)

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except self._errors as err:
            raise RoomError("The room service is not reachable right now; "
                            "the talk goes on without following.") from err

    def create(self, slide=1, view=None):
        slide, view = _check_slide(slide), _check_view(view)
        token = secrets.token_urlsafe(24)
        now = time.time()
        for _ in range(50):
            code = self._new_code(lambda c: False)
            mapping = {"slide": slide, "view": json.dumps(view), "version": 0,
                       "updated": now, "token": _digest(token)}
            key = self.PREFIX + code
            # HSETNX on one field claims the code atomically; the rest follows.
            if self._call(self.client.hsetnx, key, "token", mapping["token"]):
                self._call(self.client.hset, key, None, None, mapping)
                self._call(self.client.expire, key, self.ttl)
                return Room(code, slide, view, 0, now), token
        raise RoomError("Could not find a free room code; try again.")

    def get(self, code):
        code = normalise_code(code)
        data = self._call(self.client.hgetall, self.PREFIX + code)
        if not data or b"slide" not in data:
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        return Room(code, int(data[b"slide"]), json.loads(data[b"view"]),
                    int(data[b"version"]), float(data[b"updated"]))

    def move(self, code, token, slide, view=None):
        code = normalise_code(code)
        slide, view = _check_slide(slide), _check_view(view)
        now = time.time()
        result = self._call(self._move, [self.PREFIX + code],
                            [_digest(token or ""), slide, json.dumps(view), now, self.ttl])
        if result == 0:
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        if result == -1:
            raise NotPresenter("Only the presenter can move this room.")
        return Room(code, slide, view, int(result), now)

    def close(self, code, token):
        code = normalise_code(code)
        key = self.PREFIX + code
        digest = self._call(self.client.hget, key, "token")
        if digest is None:
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        if not hmac.compare_digest(digest.decode(), _digest(token or "")):
            raise NotPresenter("Only the presenter can end this room.")
        self._call(self.client.delete, key, key + ":seen")

    def check(self, code, token):
        room = self.get(code)
        digest = self._call(self.client.hget, self.PREFIX + room.code, "token")
        if digest is None:
            raise UnknownRoom(f"There is no room {room.code}: it may have ended or expired.")
        if not hmac.compare_digest(digest.decode(), _digest(token or "")):
            raise NotPresenter("Only the presenter can move this room.")
        return room

    def seen(self, code, follower):
        key = self.PREFIX + normalise_code(code) + ":seen"
        now = time.time()
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(key, {str(follower)[:64]: now})
        pipe.zremrangebyscore(key, "-inf", now - FOLLOWER_WINDOW)
        pipe.zremrangebyrank(key, 0, -MAX_FOLLOWERS_COUNTED - 1)
        pipe.expire(key, int(FOLLOWER_WINDOW * 6))
        self._call(pipe.execute)

    def followers(self, code):
        key = self.PREFIX + normalise_code(code) + ":seen"
        now = time.time()
        return int(self._call(self.client.zcount, key, now - FOLLOWER_WINDOW, "+inf"))


_memory: MemoryStore | None = None
_memory_lock = threading.Lock()
_redis: dict[str, RedisStore] = {}  # one client (and its connection pool) per URL


def store_from_env(env: Mapping[str, str] | None = None) -> RoomStore:
    """Redis when ``REDIS_URL`` is set (replicas share rooms), else this process's memory."""
    global _memory
    url = (os.environ if env is None else env).get("REDIS_URL", "").strip()
    with _memory_lock:
        if url:  # every follower looks every second: a new client each time would connect anew
            if url not in _redis:
                _redis[url] = RedisStore.from_url(url)
            return _redis[url]
        if _memory is None:
            _memory = MemoryStore()
        return _memory
