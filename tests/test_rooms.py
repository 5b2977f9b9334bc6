"""The room stores: the same suite against the in-process store and a real redis-server
(Debian's package, started here on a free local port; in CI nothing skips)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import pytest

from dlcore import rooms
from tests.conftest import need


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    need(exe is not None, "no redis-server (apt-get install redis-server)")
    import redis

    port = _free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.time() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


class Clock:
    def __init__(self):
        self.now = 1_000.0

    def __call__(self):
        return self.now


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return rooms.MemoryStore()
    url = request.getfixturevalue("redis_url")
    s = rooms.RedisStore.from_url(url)
    s.client.flushdb()
    return s


def test_create_get_move(store):
    room, token = store.create()
    assert len(room.code) == rooms.CODE_LENGTH and room.slide == 1 and room.version == 0
    assert store.get(room.code) == room
    moved = store.move(room.code, token, 7, {"word": "king"})
    assert (moved.slide, moved.view, moved.version) == (7, {"word": "king"}, 1)
    seen = store.get(room.code.lower())  # codes are case-folded
    assert (seen.slide, seen.view, seen.version) == (7, {"word": "king"}, 1)


def test_only_the_presenter_moves_the_room(store):
    room, token = store.create()
    other, other_token = store.create()
    for bad in ("", "guess", other_token, token[:-1]):
        with pytest.raises(rooms.NotPresenter):
            store.move(room.code, bad, 3)
    assert store.get(room.code).slide == 1
    with pytest.raises(rooms.NotPresenter):
        store.close(room.code, other_token)
    store.close(room.code, token)
    with pytest.raises(rooms.UnknownRoom):
        store.get(room.code)
    assert store.get(other.code).code == other.code


@pytest.mark.parametrize("code", ["", "ABC", "ABCDEF", "AB0O1", "<b>x", "A B C"])
def test_malformed_codes(store, code):
    with pytest.raises(rooms.UnknownRoom, match="not a room code"):
        store.get(code)


def test_unknown_code(store):
    with pytest.raises(rooms.UnknownRoom, match="no room"):
        store.get("ZZZZZ")
    with pytest.raises(rooms.UnknownRoom):
        store.move("ZZZZZ", "token", 2)


def test_bad_moves_are_refused(store):
    room, token = store.create()
    for slide in (0, -1, 10**6):
        with pytest.raises(rooms.RoomError):
            store.move(room.code, token, slide)
    with pytest.raises(rooms.RoomError, match="too large"):
        store.move(room.code, token, 2, {"k": "x" * 1000})
    assert store.get(room.code).slide == 1


def test_concurrent_moves_count_every_version(store):
    room, token = store.create()

    def mover():
        for i in range(20):
            store.move(room.code, token, 1 + i)

    threads = [threading.Thread(target=mover) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get(room.code).version == 80


def test_memory_rooms_expire_after_inactivity():
    clock = Clock()
    store = rooms.MemoryStore(ttl=100, clock=clock)
    room, token = store.create()
    clock.now += 60
    store.move(room.code, token, 2)  # activity restarts the clock
    clock.now += 60
    assert store.get(room.code).slide == 2
    clock.now += 41
    with pytest.raises(rooms.UnknownRoom):
        store.get(room.code)


def test_memory_store_is_bounded():
    store = rooms.MemoryStore(max_rooms=3)
    for _ in range(3):
        store.create()
    with pytest.raises(rooms.RoomError, match="too many"):
        store.create()


@pytest.mark.slow
def test_redis_rooms_expire(redis_url):
    store = rooms.RedisStore.from_url(redis_url, ttl=1)
    room, _ = store.create()
    key = rooms.RedisStore.PREFIX + room.code
    assert 0 < store.client.ttl(key) <= 1
    # Redis's own clock expires the key: wait on that condition, not a fixed sleep
    deadline = time.monotonic() + 30
    while store.client.exists(key) and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(rooms.UnknownRoom):
        store.get(room.code)


@pytest.mark.slow
def test_redis_shared_by_two_replicas(redis_url):
    a, b = rooms.RedisStore.from_url(redis_url), rooms.RedisStore.from_url(redis_url)
    room, token = a.create()
    a.move(room.code, token, 5)
    assert b.get(room.code).slide == 5


def test_unreachable_redis_gives_a_message():
    store = rooms.RedisStore.from_url(f"redis://127.0.0.1:{_free_port()}/0")
    with pytest.raises(rooms.RoomError, match="not reachable"):
        store.get("ABCDE")


@pytest.mark.slow
def test_store_from_env(redis_url):
    assert isinstance(rooms.store_from_env({}), rooms.MemoryStore)
    assert rooms.store_from_env({}) is rooms.store_from_env({})
    assert isinstance(rooms.store_from_env({"REDIS_URL": redis_url}), rooms.RedisStore)


def test_the_token_proves_the_presenter(store):
    """A reloaded or second presenter tab proves itself with the token its browser kept;
    no other token, and no token of another room, does."""
    room, token = store.create(slide=4)
    other, other_token = store.create()
    assert store.check(room.code.lower(), token).slide == 4
    for bad in ("", "guess", other_token, token + "x"):
        with pytest.raises(rooms.NotPresenter):
            store.check(room.code, bad)
    store.close(room.code, token)
    with pytest.raises(rooms.UnknownRoom):
        store.check(room.code, token)


def test_followers_are_counted_once_each(store):
    room, _ = store.create()
    assert store.followers(room.code) == 0
    for who in ("a", "b", "a", "c", "b"):
        store.seen(room.code, who)
    assert store.followers(room.code) == 3


def test_followers_who_stop_looking_are_no_longer_counted():
    clock = Clock()
    store = rooms.MemoryStore(clock=clock)
    room, token = store.create()
    store.seen(room.code, "a")
    clock.now += rooms.FOLLOWER_WINDOW / 2
    store.seen(room.code, "b")
    assert store.followers(room.code) == 2
    clock.now += rooms.FOLLOWER_WINDOW / 2 + 1
    assert store.followers(room.code) == 1
    store.close(room.code, token)
    with pytest.raises(rooms.UnknownRoom):
        store.seen(room.code, "a")
