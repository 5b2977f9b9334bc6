"""Rooms against a careless or hostile client, and against Redis faults (issue 23).

Per-client caps and rate limits (``rooms.Guard``, with an injected clock), bounded Redis
rooms (a cap on live rooms, a shorter TTL until the first move), moves carrying the
presenter's sequence number, and a real ``redis-server`` killed, restarted empty and
stalled (SIGSTOP/SIGCONT) under the presenter's :class:`rooms.Presenting`. The deck's
presenter moves the room on every slide change, browser Back and typed links included.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time

import pytest

from dlcore import rooms
from pages import talk
from tests.conftest import need
from tests.harness import open_page
from tests.test_rooms import _free_port
from ui.states.talk import TalkState


class Clock:
    def __init__(self):
        self.now = 1_000.0

    def __call__(self):
        return self.now


class RedisServer:
    """A redis-server of this test's own, to kill, restart and stall."""

    def __init__(self, tmp_path):
        exe = shutil.which("redis-server")
        need(exe is not None, "no redis-server (apt-get install redis-server)")
        self.exe, self.dir, self.port = exe, tmp_path, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self):
        import redis

        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(400):  # a condition, not a sleep: until it answers
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.025)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.kill()


@pytest.fixture
def server(tmp_path):
    s = RedisServer(tmp_path)
    yield s
    s.stop()


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return rooms.MemoryStore(max_rooms=20)
    srv = request.getfixturevalue("server")
    return rooms.RedisStore.from_url(srv.url, max_rooms=20)


# --------------------------------------------------------------------------- per client
def test_a_flood_from_one_address_leaves_the_pool_to_the_presenter(store):
    """One address opening many sessions holds at most PER_ADDRESS rooms; the global pool
    (20 here) stays open, and a presenter elsewhere starts a room at once."""
    clock = Clock()
    guard = rooms.Guard(clock=clock)
    held = 0
    for i in range(200):
        clock.now += 1
        try:
            guard.start(rooms.Client(f"script-{i}", "203.0.113.66"), store)
            held += 1
        except rooms.Refused:
            pass
    assert held == rooms.PER_ADDRESS
    room, token = guard.start(rooms.Client("presenter", "198.51.100.7"), store)
    assert store.get(room.code).slide == 1


def test_a_session_holds_at_most_per_session_rooms_and_ending_frees_one(store):
    clock = Clock()
    guard = rooms.Guard(clock=clock, starts=100)
    me = rooms.Client("one-session")
    made = [guard.start(me, store) for _ in range(rooms.PER_SESSION)]
    with pytest.raises(rooms.Refused, match="rooms open already"):
        guard.start(me, store)
    code, token = made[0][0].code, made[0][1]
    store.close(code, token)
    guard.ended(code)
    guard.start(me, store)


def test_a_room_that_expired_no_longer_counts():
    clock = Clock()
    store = rooms.MemoryStore(clock=clock)
    guard = rooms.Guard(clock=clock, starts=100)
    me = rooms.Client("s")
    for _ in range(rooms.PER_SESSION):
        guard.start(me, store)
    clock.now += rooms.UNMOVED_TTL  # never moved: gone after UNMOVED_TTL
    guard.start(me, store)


def test_starts_are_rate_limited_per_client():
    clock = Clock()
    store = rooms.MemoryStore()
    guard = rooms.Guard(clock=clock, per_session=100, per_address=100)
    me = rooms.Client("s", "192.0.2.1")
    for _ in range(rooms.STARTS):
        guard.start(me, store)
    with pytest.raises(rooms.Refused, match="try again in"):
        guard.start(me, store)
    guard.start(rooms.Client("other", "192.0.2.2"), store)  # someone else is not held up
    clock.now += rooms.STARTS_WINDOW
    guard.start(me, store)


def test_probing_unknown_codes_is_refused_but_a_follower_is_not(store):
    clock = Clock()
    guard = rooms.Guard(clock=clock)
    prober = rooms.Client("probe", "203.0.113.9")
    codes = [f"AAAA{c}" for c in rooms.CODE_ALPHABET[:rooms.UNKNOWN_CODES]]
    for code in codes:
        with pytest.raises(rooms.UnknownRoom):
            guard.look(prober, code, store)
    with pytest.raises(rooms.Refused, match="Too many room codes"):
        guard.look(prober, "BBBBB", store)
    # a follower of one lost room asks for it again and again: one code, never refused
    follower = rooms.Client("follower", "198.51.100.8")
    for _ in range(100):
        with pytest.raises(rooms.UnknownRoom):
            guard.look(follower, "CCCCC", store)
    clock.now += rooms.UNKNOWN_WINDOW
    with pytest.raises(rooms.UnknownRoom):
        guard.look(prober, "BBBBB", store)


def test_client_address_trusts_the_proxy_only_when_told():
    assert rooms.client_address("10.0.0.2", "1.2.3.4, 5.6.7.8", True) == "5.6.7.8"
    assert rooms.client_address("10.0.0.2", "1.2.3.4", False) == "10.0.0.2"
    assert rooms.client_address(None, None, True) == ""


# --------------------------------------------------------------------------- bounded stores
def test_rooms_are_capped_and_unmoved_rooms_expire_sooner(server):
    import redis

    store = rooms.RedisStore.from_url(server.url, max_rooms=3)
    made = [store.create() for _ in range(3)]
    with pytest.raises(rooms.RoomError, match="too many"):
        store.create()
    assert len(store) == 3
    raw = redis.Redis.from_url(server.url)
    (room, token) = made[0]
    assert 0 < raw.ttl(store.PREFIX + room.code) <= rooms.UNMOVED_TTL
    store.move(room.code, token, 2)
    assert raw.ttl(store.PREFIX + room.code) > rooms.UNMOVED_TTL  # moved: the long TTL
    store.close(made[1][0].code, made[1][1])
    store.create()  # a place is free again


def test_memory_unmoved_rooms_expire_sooner():
    clock = Clock()
    store = rooms.MemoryStore(clock=clock)
    idle, _ = store.create()
    busy, token = store.create()
    store.move(busy.code, token, 3)
    clock.now += rooms.UNMOVED_TTL
    with pytest.raises(rooms.UnknownRoom):
        store.get(idle.code)
    assert store.get(busy.code).slide == 3


def test_an_older_move_never_overwrites_a_newer_one(store):
    room, token = store.create()
    store.move(room.code, token, 5, seq=2)
    with pytest.raises(rooms.Stale):
        store.move(room.code, token, 3, seq=1)  # delayed: arrives after the newer one
    assert store.get(room.code).slide == 5


def test_the_presenter_reopens_a_lost_room_under_the_same_code(store):
    room, token = store.create()
    side = rooms.Presenting(room.code, token, slide=1)
    assert side.sync(store, 2)
    if isinstance(store, rooms.MemoryStore):
        store._rooms.clear()
    else:
        store.client.flushdb()  # what a restart without persistence does
    assert side.sync(store, 3)
    assert "open again under the same code" in side.note
    assert store.get(room.code).slide == 3
    with pytest.raises(rooms.NotPresenter):
        store.move(room.code, "someone else's token", 4)


# --------------------------------------------------------------------------- Redis faults
def test_redis_client_waits_briefly_and_never_retries(server):
    store = rooms.RedisStore.from_url(server.url)
    kwargs = store.client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] <= 0.25 and kwargs["socket_connect_timeout"] <= 0.25
    retry = kwargs.get("retry") or store.client.get_retry()
    assert retry is None or retry._retries == 0


def test_redis_killed_then_restarted_empty(server):
    """Killed: moves fail with a message (and, for REDIS_PAUSE seconds, without asking
    Redis again); restarted empty: the presenter's next move opens the room again under
    its code, and a follower finds it."""
    clock = Clock()
    store = rooms.RedisStore.from_url(server.url)
    store._clock = clock
    room, token = store.create()
    side = rooms.Presenting(room.code, token, slide=1)
    assert side.sync(store, 2)
    server.kill()
    assert not side.sync(store, 3)
    assert "did not move to slide 3" in side.problem and "still sees slide 2" in side.problem
    calls = []
    store.client.hgetall = lambda *a: calls.append(a)  # noqa: ARG005 - must not be reached
    with pytest.raises(rooms.RoomError, match="not reachable"):
        store.get(room.code)
    assert calls == []  # within the pause: no second wait on a dead Redis
    del store.client.hgetall
    server.start()  # empty: no persistence
    clock.now += rooms.REDIS_PAUSE
    assert not side.in_step(3)
    assert side.sync(store, 3)
    assert side.problem == "" and "open again" in side.note
    follower = rooms.RedisStore.from_url(server.url)
    assert follower.get(room.code).slide == 3


def test_redis_stalled_then_resumed(server):
    """SIGSTOP: the move times out and the presenter is told; SIGCONT: the next sync puts
    the room on the presenter's slide, whatever order Redis runs the delayed moves in."""
    clock = Clock()
    store = rooms.RedisStore.from_url(server.url)
    store._clock = clock
    room, token = store.create()
    side = rooms.Presenting(room.code, token, slide=1)
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        assert not side.sync(store, 2)
        assert "not reachable" in side.problem
        clock.now += rooms.REDIS_PAUSE
        assert not side.sync(store, 3)
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    clock.now += rooms.REDIS_PAUSE
    assert side.sync(store, 3)
    assert side.problem == ""
    late = rooms.RedisStore.from_url(server.url)
    with pytest.raises(rooms.Stale):  # the stalled move (seq 1) can no longer win
        late.move(room.code, token, 2, seq=1)
    assert late.get(room.code).slide == 3


# --------------------------------------------------------------------------- the deck
def test_browser_back_and_a_typed_link_move_the_room():
    """The presenter's Back (the browser sends the older ?slide=) or a typed ?slide= link:
    the room moves with the presenter's screen."""
    at = open_page("pages/talk.py")
    at.button(key="talk-start").click().run()
    code = at.session_state[f"{TalkState.PAGE}._code"]
    for _ in range(3):
        at.button(key="talk-next").click().run()
    assert rooms.store_from_env().get(code).slide == 4
    at.query_params["slide"] = "2"  # browser Back twice
    at.run()
    assert not at.exception
    assert rooms.store_from_env().get(code).slide == 2
    at.query_params["slide"] = "9"  # a typed link
    at.run()
    assert rooms.store_from_env().get(code).slide == 9
    assert talk.presenting  # the page still presents, now in step
    assert not [w.value for w in at.warning if "did not move" in w.value]


def test_a_link_or_the_join_box_probing_codes_is_refused():
    """Codes tried through ``?room=`` links and the join box count as a follower's looks
    do: past the limit of different unknown codes, the page refuses without asking."""
    rng = random.Random(7)
    codes = ["".join(rng.choice(rooms.CODE_ALPHABET) for _ in range(rooms.CODE_LENGTH))
             for _ in range(rooms.UNKNOWN_CODES + 2)]
    at = open_page("pages/talk.py")
    shown = []
    for code in codes[:-1]:
        at.query_params["room"] = code
        at.run()
        assert not at.exception
        shown.append(" ".join(e.value for e in at.error))
    assert all("no room" in s.lower() for s in shown[:rooms.UNKNOWN_CODES]), shown
    assert "Too many room codes" in shown[rooms.UNKNOWN_CODES], shown
    at.query_params["room"] = codes[0]  # a code already tried: still only "no room"
    at.run()
    assert "Too many room codes" not in " ".join(e.value for e in at.error)
    del at.query_params["room"]
    at.run()
    at.text_input(key="talk-join-code").input(codes[-1])  # the join box, a new code
    next(b for b in at.button if b.label == "Join").click().run()
    assert "Too many room codes" in " ".join(
        str(x.value) for x in [*at.error, *at.warning]), [x.value for x in at.error]
