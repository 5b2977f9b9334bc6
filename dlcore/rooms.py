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

Safe in public (issue 23):

* bounded: at most :data:`MAX_ROOMS` live rooms per store (Redis too: an index of live
  rooms, trimmed by expiry, checked inside the create script); a room never moved
  expires after :data:`UNMOVED_TTL`, a moved one after :data:`ROOM_TTL`;
* per client (:class:`Client`: the session, and the address behind the proxy): at most
  :data:`PER_SESSION` / :data:`PER_ADDRESS` live rooms, :data:`STARTS` starts per
  :data:`STARTS_WINDOW` seconds, and :data:`UNKNOWN_CODES` different unknown codes per
  :data:`UNKNOWN_WINDOW` seconds (:data:`GUARD`, a module-level object: no client's
  ``clear_cache`` resets it). A flood from one client holds a handful of rooms, so the
  global pool stays open to a real presenter;
* Redis faults: short socket timeouts and no retries (a call waits at most about
  :data:`REDIS_TIMEOUT` seconds, and after a failure the store answers "not reachable"
  at once for :data:`REDIS_PAUSE` seconds); a move carries the presenter's sequence
  number and one older than the last applied is refused (:class:`Stale`), so a move
  delayed by a stalled Redis never overwrites a newer one; :class:`Presenting` keeps the
  presenter's side (code, token, the slide the room is on, what went wrong) and
  re-creates the room under the same code from the token when Redis lost it.
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
UNMOVED_TTL = 2 * 3600  # a room started and never moved (a script's, or a forgotten one)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread from a screen
CODE_LENGTH = 5
MAX_ROOMS = 1000  # per in-process store: starting rooms cannot exhaust the server
MAX_VIEW_ITEMS = 40
MAX_VIEW_TEXT = 400
PER_SESSION = 2  # live rooms one browser session may hold
PER_ADDRESS = 5  # live rooms one address may hold (behind the proxy: X-Forwarded-For)
STARTS, STARTS_WINDOW = 3, 60.0  # rooms one client may start per window (seconds)
UNKNOWN_CODES, UNKNOWN_WINDOW = 10, 600.0  # different unknown codes a client may try
REDIS_TIMEOUT = 0.25  # seconds: connect and socket timeouts of the Redis client
REDIS_PAUSE = 2.0  # seconds after a Redis failure during which it is not asked again
FOLLOWER_WINDOW = 10.0  # a follower counts while it looked at the room in this many seconds
MAX_FOLLOWERS_COUNTED = 5000  # per room: the count's table stays bounded


class RoomError(Exception):
    """A room operation that cannot be done; the message is for the person."""


class UnknownRoom(RoomError):
    """No such room: mistyped, never started, or expired."""


class NotPresenter(RoomError):
    """The token does not belong to this room's presenter."""


class Stale(RoomError):
    """A move older than the last one applied (a delayed request): not applied."""


class Refused(RoomError):
    """A client over its limits (rooms held, starts, unknown codes tried)."""


@dataclass(frozen=True)
class Room:
    code: str
    slide: int = 1
    view: dict[str, str] = field(default_factory=dict)  # the live slide's preset (query params)
    version: int = 0  # goes up with every move, so followers see a change
    updated: float = 0.0
    moved: bool = False  # moved at least once (until then it expires after UNMOVED_TTL)


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
             view: Mapping[str, str] | None = None, seq: int = 0) -> Room:
        """The presenter moves the room; raises NotPresenter for any other token. With
        ``seq`` > 0 (the presenter's move counter) a move whose ``seq`` is not above the
        last one applied raises :class:`Stale` and changes nothing."""

    @abstractmethod
    def restore(self, code: str, token: str, slide: int,
                view: Mapping[str, str] | None = None, seq: int = 0) -> Room:
        """Open room ``code`` again with the presenter's ``token`` after the store lost it
        (Redis restarted empty); raises RoomError if the code is taken by another room."""

    @abstractmethod
    def close(self, code: str, token: str) -> None:
        """The presenter ends the room."""

    def check(self, code: str, token: str) -> Room:
        """The room, if ``token`` is its presenter's (a reloaded or second presenter tab
        proves itself with the token its browser kept); raises UnknownRoom or NotPresenter."""
        raise NotImplementedError

    def seen(self, code: str, follower: str) -> None:  # noqa: B027 - optional for a store
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
        self.unmoved_ttl = min(ttl, UNMOVED_TTL)
        self._rooms: dict[str, tuple[Room, str]] = {}
        self._seq: dict[str, int] = {}
        self._seen: dict[str, dict[str, float]] = {}  # room -> follower -> last look
        self._lock = threading.Lock()

    def _expired(self, room: Room, now: float) -> bool:
        return now - room.updated >= (self.ttl if room.moved else self.unmoved_ttl)

    def _sweep(self) -> None:
        now = self.clock()
        for code in [c for c, (r, _) in self._rooms.items() if self._expired(r, now)]:
            del self._rooms[code]
            self._seq.pop(code, None)
            self._seen.pop(code, None)

    def __len__(self) -> int:
        with self._lock:
            self._sweep()
            return len(self._rooms)

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
        if entry is None or self._expired(entry[0], self.clock()):
            self._rooms.pop(code, None)
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        return entry

    def get(self, code):
        with self._lock:
            return self._live(code)[0]

    def move(self, code, token, slide, view=None, seq=0):
        slide, view = _check_slide(slide), _check_view(view)
        with self._lock:
            room, digest = self._live(code)
            if not hmac.compare_digest(digest, _digest(token or "")):
                raise NotPresenter("Only the presenter can move this room.")
            if seq > 0:
                if seq <= self._seq.get(room.code, 0):
                    raise Stale("A newer move of this room was already applied.")
                self._seq[room.code] = seq
            moved = Room(room.code, slide, view, room.version + 1, self.clock(), True)
            self._rooms[room.code] = (moved, digest)
        return moved

    def restore(self, code, token, slide, view=None, seq=0):
        code = normalise_code(code)
        slide, view = _check_slide(slide), _check_view(view)
        with self._lock:
            self._sweep()
            if code in self._rooms:
                raise RoomError(f"Room {code} is open already.")
            if len(self._rooms) >= self.max_rooms:
                raise RoomError("This server holds too many rooms right now; try later.")
            room = Room(code, slide, view, 1, self.clock(), True)
            self._rooms[code] = (room, _digest(token or ""))
            self._seq[code] = seq
        return room

    def close(self, code, token):
        with self._lock:
            room, digest = self._live(code)
            if not hmac.compare_digest(digest, _digest(token or "")):
                raise NotPresenter("Only the presenter can end this room.")
            del self._rooms[room.code]
            self._seq.pop(room.code, None)
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
# KEYS: the room, the index of live rooms (a sorted set scored by expiry time).
# ARGV: token digest, slide, view, now, ttl, seq (0: no order check).
_MOVE = """
local d = redis.call('HGET', KEYS[1], 'token')
if not d then return 0 end
if d ~= ARGV[1] then return -1 end
local seq = tonumber(ARGV[6])
if seq > 0 then
  local last = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
  if seq <= last then return -2 end
  redis.call('HSET', KEYS[1], 'seq', seq)
end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'slide', ARGV[2], 'view', ARGV[3], 'updated', ARGV[4], 'moved', 1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[5]), KEYS[1])
return v
"""

# A room is created (or restored) in one step: the index is trimmed of expired rooms, the
# code must be free and the live rooms fewer than the cap.
# ARGV: token digest, slide, view, now, ttl, max rooms, version, moved, seq.
_CREATE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return -2 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'slide', ARGV[2], 'view', ARGV[3],
           'version', ARGV[7], 'updated', ARGV[4], 'moved', ARGV[8], 'seq', ARGV[9])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[5]), KEYS[1])
return 1
"""


class RedisStore(RoomStore):
    """Rooms in Redis, shared by every server replica; Redis expires them (EXPIRE)."""

    PREFIX = "dlroom:"
    INDEX = "dlrooms:live"  # sorted set: room key -> its expiry time

    def __init__(self, client, ttl: int = ROOM_TTL, max_rooms: int = MAX_ROOMS,
                 clock: Callable[[], float] = time.monotonic):
        import redis  # imported here: the in-process store needs no client library

        self.client, self.ttl, self._errors = client, int(ttl), redis.RedisError
        self.unmoved_ttl, self.max_rooms = min(int(ttl), UNMOVED_TTL), max_rooms
        self._move = client.register_script(_MOVE)
        self._create = client.register_script(_CREATE)
        self._clock, self._down_until = clock, 0.0

    @classmethod
    def from_url(cls, url: str, ttl: int = ROOM_TTL, max_rooms: int = MAX_ROOMS,
                 timeout: float = REDIS_TIMEOUT) -> RedisStore:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries: a retry after a timeout doubles the wait of the presenter's Next, and
        # a failed call is tried again by the presenter's next move anyway.
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                      retry=Retry(NoBackoff(), 0), retry_on_timeout=False)
        return cls(client, ttl, max_rooms)

    def _call(self, fn, *args, **kwargs):
        if self._clock() < self._down_until:  # failed a moment ago: do not wait again
            raise RoomError("The room service is not reachable right now; "
                            "the talk goes on without following.")
        try:
            return fn(*args, **kwargs)
        except self._errors as err:
            self._down_until = self._clock() + REDIS_PAUSE
            raise RoomError("The room service is not reachable right now; "
                            "the talk goes on without following.") from err

    def _put(self, code: str, digest: str, slide: int, view: dict, *, moved: bool,
             seq: int) -> int:
        return int(self._call(self._create, [self.PREFIX + code, self.INDEX], [
            digest, slide, json.dumps(view), time.time(),
            self.ttl if moved else self.unmoved_ttl, self.max_rooms, int(moved), int(moved),
            seq]))

    def create(self, slide=1, view=None):
        slide, view = _check_slide(slide), _check_view(view)
        token = secrets.token_urlsafe(24)
        for _ in range(50):
            code = self._new_code(lambda c: False)
            result = self._put(code, _digest(token), slide, view, moved=False, seq=0)
            if result == -2:
                raise RoomError("This server holds too many rooms right now; try later.")
            if result == 1:
                return self.get(code), token
        raise RoomError("Could not find a free room code; try again.")

    def restore(self, code, token, slide, view=None, seq=0):
        code = normalise_code(code)
        slide, view = _check_slide(slide), _check_view(view)
        result = self._put(code, _digest(token or ""), slide, view, moved=True, seq=seq)
        if result == -1:
            raise RoomError(f"Room {code} is open already.")
        if result == -2:
            raise RoomError("This server holds too many rooms right now; try later.")
        return self.get(code)

    def __len__(self) -> int:
        self._call(self.client.zremrangebyscore, self.INDEX, "-inf", time.time())
        return int(self._call(self.client.zcard, self.INDEX))

    def get(self, code):
        code = normalise_code(code)
        data = self._call(self.client.hgetall, self.PREFIX + code)
        if not data or b"slide" not in data:
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        return Room(code, int(data[b"slide"]), json.loads(data[b"view"]),
                    int(data[b"version"]), float(data[b"updated"]),
                    data.get(b"moved", b"0") == b"1")

    def move(self, code, token, slide, view=None, seq=0):
        code = normalise_code(code)
        slide, view = _check_slide(slide), _check_view(view)
        now = time.time()
        result = self._call(self._move, [self.PREFIX + code, self.INDEX],
                            [_digest(token or ""), slide, json.dumps(view), now, self.ttl,
                             int(seq)])
        if result == 0:
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        if result == -1:
            raise NotPresenter("Only the presenter can move this room.")
        if result == -2:
            raise Stale("A newer move of this room was already applied.")
        return Room(code, slide, view, int(result), now, True)

    def close(self, code, token):
        code = normalise_code(code)
        key = self.PREFIX + code
        digest = self._call(self.client.hget, key, "token")
        if digest is None:
            raise UnknownRoom(f"There is no room {code}: it may have ended or expired.")
        if not hmac.compare_digest(digest.decode(), _digest(token or "")):
            raise NotPresenter("Only the presenter can end this room.")
        self._call(self.client.delete, key, key + ":seen")
        self._call(self.client.zrem, self.INDEX, key)

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



# --------------------------------------------------------------------------- per-client limits
@dataclass(frozen=True)
class Client:
    """Who asks: the browser session, and the address the request came from (the proxy's
    X-Forwarded-For when it is trusted; "" when unknown, e.g. a local connection)."""

    session: str = ""
    address: str = ""

    def keys(self) -> list[str]:
        return [k for k in (self.session and "s:" + self.session,
                            self.address and "a:" + self.address) if k]


def client_address(peer: str | None, forwarded_for: str | None, trust_proxy: bool) -> str:
    """The client's address: with ``trust_proxy`` (the app runs behind deploy/serve's
    HAProxy, which appends the address it saw), the last X-Forwarded-For entry; else
    the peer's own address ("" for none)."""
    if trust_proxy and forwarded_for:
        return forwarded_for.split(",")[-1].strip()[:64]
    return (peer or "")[:64]


class Guard:
    """Per-client limits on rooms, one per server process (module-level :data:`GUARD`).

    * at most ``per_session`` / ``per_address`` live rooms started by one client (a
      room counts until it is ended or the store no longer has it);
    * at most ``starts`` starts per ``starts_window`` seconds per client;
    * at most ``unknown`` different unknown codes per ``unknown_window`` seconds per
      client (a follower looking at one code again and again counts it once).
    """

    def __init__(self, *, per_session: int = PER_SESSION, per_address: int = PER_ADDRESS,
                 starts: int = STARTS, starts_window: float = STARTS_WINDOW,
                 unknown: int = UNKNOWN_CODES, unknown_window: float = UNKNOWN_WINDOW,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = 100_000):
        self.per_session, self.per_address = per_session, per_address
        self.starts, self.starts_window = starts, starts_window
        self.unknown, self.unknown_window = unknown, unknown_window
        self.clock, self.max_clients = clock, max_clients
        self._rooms: dict[str, set[str]] = {}  # client key -> codes it started, live
        self._started: dict[str, list[float]] = {}  # client key -> times of its starts
        self._tried: dict[str, dict[str, float]] = {}  # client key -> unknown code -> time
        self._lock = threading.Lock()

    def _cap(self, key: str) -> int:
        return self.per_session if key.startswith("s:") else self.per_address

    def _forget_oldest(self, table: dict) -> None:
        while len(table) > self.max_clients:  # bounded memory, whatever the clients do
            del table[next(iter(table))]

    def start(self, client: Client, store: RoomStore, slide: int = 1,
              view: Mapping[str, str] | None = None) -> tuple[Room, str]:
        """``store.create(slide, view)`` if ``client`` is within its limits, else
        :class:`Refused` with what to do."""
        keys, now = client.keys(), self.clock()
        with self._lock:
            for key in keys:
                live = self._rooms.get(key, set())
                if len(live) >= self._cap(key):
                    live = self._prune(live, store)
                    self._rooms[key] = live
                if len(live) >= self._cap(key):
                    raise Refused(f"You have {len(live)} rooms open already, the most one "
                                  "person may hold; end one first.")
                recent = [t for t in self._started.get(key, []) if now - t < self.starts_window]
                self._started[key] = recent
                if len(recent) >= self.starts:
                    wait = self.starts_window - (now - recent[0])
                    raise Refused(f"Too many rooms started from here; try again in "
                                  f"{max(1, round(wait))} s.")
            for key in keys:
                self._started[key].append(now)
                self._forget_oldest(self._started)
        room, token = store.create(slide, view)
        with self._lock:
            for key in keys:
                self._rooms.setdefault(key, set()).add(room.code)
            self._forget_oldest(self._rooms)
        return room, token

    @staticmethod
    def _prune(codes: set[str], store: RoomStore) -> set[str]:
        """The codes the store still has (rooms expire there without telling anyone)."""
        live = set()
        for code in codes:
            try:
                store.get(code)
                live.add(code)
            except UnknownRoom:
                pass
            except RoomError:
                live.add(code)  # unreachable: count it, to be safe
        return live

    def ended(self, code: str) -> None:
        with self._lock:
            for codes in self._rooms.values():
                codes.discard(code)

    def look(self, client: Client, code: str, store: RoomStore) -> Room:
        """``store.get(code)`` for a follower; a client that has tried more than
        ``unknown`` different unknown codes lately is refused without asking the store."""
        keys, now = client.keys(), self.clock()
        with self._lock:
            for key in keys:
                tried = {c: t for c, t in self._tried.get(key, {}).items()
                         if now - t < self.unknown_window}
                self._tried[key] = tried
                if code not in tried and len(tried) >= self.unknown:
                    raise Refused("Too many room codes tried from here; check the code on the "
                                  "presenter's screen and try again in a few minutes.")
        try:
            return store.get(code)
        except UnknownRoom:
            with self._lock:
                for key in keys:
                    self._tried.setdefault(key, {})[code] = now
                self._forget_oldest(self._tried)
            raise


GUARD = Guard()


# --------------------------------------------------------------------------- the presenter
@dataclass
class Presenting:
    """The presenter's side of a room (kept in the presenter's session only).

    :meth:`sync` moves the room to the presenter's slide whenever they differ (a key, a
    button, browser Back, a typed ``?slide=`` link): each move carries the next ``seq``,
    so a delayed older move never overwrites it. If the store lost the room (Redis
    restarted empty), the room is opened again under the same code from the token. What
    went wrong, or was repaired, is in ``problem`` / ``note`` for the page to say.
    """

    code: str
    token: str
    slide: int | None = None  # the slide the room is on, as far as the presenter knows
    view: dict[str, str] | None = None  # and its live view (None: not known)
    seq: int = 0
    problem: str = ""  # the room is not on the presenter's slide, and why
    note: str = ""  # something repaired, said once
    clock: Callable[[], float] = time.time

    def in_step(self, slide: int, view: Mapping[str, str] | None = None) -> bool:
        return (self.slide == slide and not self.problem
                and (view is None or self.view == dict(view)))

    def sync(self, store: RoomStore, slide: int, view: Mapping[str, str] | None = None) -> bool:
        """Move the room to ``slide`` (and ``view``; None: the slide's preset, when the
        slide changes) unless it is there; True when it is there after. A move's ``seq``
        is the clock in milliseconds (and always above this side's last): a delayed older
        move never overwrites a newer one, and two tabs of the presenter (the projector,
        the speaker view) take turns without knowing each other's count."""
        if self.in_step(slide, view):
            return True
        self.seq = max(self.seq + 1, int(self.clock() * 1000))
        try:
            store.move(self.code, self.token, slide, view, seq=self.seq)
        except Stale:
            pass  # a newer move, from another tab of the presenter, is there already
        except UnknownRoom:
            try:
                store.restore(self.code, self.token, slide, view, seq=self.seq)
            except RoomError as err:
                return self._failed(slide, f"The room service lost room {self.code} and it "
                                    f"could not be opened again: {err}")
            self.note = (f"The room service had lost room {self.code}; it is open again "
                         f"under the same code, on slide {slide}. Followers find it again "
                         "by themselves.")
        except NotPresenter:
            return self._failed(slide, f"Room {self.code} now belongs to someone else.")
        except RoomError as err:
            return self._failed(slide, str(err))
        self.slide, self.view, self.problem = slide, dict(view or {}), ""
        return True

    def _failed(self, slide: int, why: str) -> bool:
        where = f"slide {self.slide}" if self.slide else "its last slide"
        self.problem = (f"The room did not move to slide {slide}: {why} Your audience still "
                        f"sees {where}; this page tries again every few seconds.")
        return False


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
