"""``deploy/serve --workers 2``: two Streamlit servers behind HAProxy, with the deck's rooms
in a redis-server, started by one command and stopped by one signal.

Checked here: the health check answers through the proxy, which pins the browser to one
server with its cookie; the home page and the deck render in Chromium through the proxy
(the websocket passes through it); a room started on one worker is in Redis and followed
from the other worker; SIGTERM stops it; when one part dies, all of it stops and it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, _watched_page, data_root, need, wait_for_app
from tests.harness import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SERVE = REPO / "deploy" / "serve"


def children(pid: int) -> dict[int, str]:
    """The processes ``pid`` started: {pid: command line}."""
    out = {}
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    return out


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Fleet:
    def __init__(self, proc: subprocess.Popen, port: int, workers: list[int], redis_port: int):
        self.proc, self.port, self.workers, self.redis_port = proc, port, workers, redis_port
        self.url = f"http://127.0.0.1:{port}"
        self.worker_urls = [f"http://127.0.0.1:{p}" for p in workers]
        self.redis_url = f"redis://127.0.0.1:{redis_port}/0"
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if line.startswith("serve: ready on"):
                self.ready.set()

    def log(self) -> str:
        return "\n".join(self.lines[-40:])


@pytest.fixture(scope="module")
def fleet():
    need(shutil.which("haproxy") is not None, "no haproxy (apt-get install haproxy)")
    need(shutil.which("redis-server") is not None, "no redis-server (apt-get install redis-server)")
    port, workers, redis_port = free_port(), [free_port(), free_port()], free_port()
    cmd = [sys.executable, str(SERVE), "--workers", "2", "--port", str(port),
           "--bind", "127.0.0.1", "--worker-ports", ",".join(map(str, workers)),
           "--redis-port", str(redis_port)]
    env = dict(os.environ, DLCORE_DATA_DIR=str(data_root()))
    env.pop("REDIS_URL", None)
    env.pop("MALLOC_ARENA_MAX", None)  # deploy/serve sets it
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    served = Fleet(proc, port, workers, redis_port)
    try:
        if not served.ready.wait(120):
            pytest.fail("deploy/serve was not ready within 120 s:\n" + served.log())
        served.children = children(proc.pid)
        yield served
    finally:
        stopped = True
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                stopped = False
        left = {}
        for pid, cmd in getattr(served, "children", {}).items():  # never leave one behind
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() == cmd:
                    os.kill(pid, signal.SIGKILL)
                    left[pid] = cmd
            except (OSError, ProcessLookupError):
                pass
        assert stopped, "deploy/serve did not stop within 30 s of SIGTERM:\n" + served.log()
        assert not left, f"deploy/serve left these running: {left}"


def test_health_check_through_the_proxy_sets_the_sticky_cookie(fleet):
    with urllib.request.urlopen(fleet.url + "/_stcore/health", timeout=5) as r:
        assert r.status == 200
        assert r.read() == b"ok"
        cookies = r.headers.get_all("Set-Cookie")
    assert any(re.match(r"DLSERVER=w[12];", c) for c in cookies), cookies
    for url in fleet.worker_urls:  # both workers serve
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
            assert r.status == 200


def test_workers_run_with_two_malloc_arenas(fleet):
    workers = [pid for pid, cmd in fleet.children.items() if "streamlit" in cmd]
    assert len(workers) == 2, fleet.children
    for pid in workers:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"MALLOC_ARENA_MAX=2" in environ, pid


@pytest.mark.parametrize("path,text", [("", "The whole idea on one screen"),
                                       ("talk", "Start a room")])
def test_pages_render_through_the_proxy(fleet, browser, path, text):
    for pg in _watched_page(browser, fleet.url, viewport={"width": 1280, "height": 900}):
        pg.goto(f"{fleet.url}/{path}")
        wait_for_app(pg)
        pg.get_by_text(text).first.wait_for()
        assert pg.locator('[data-testid="stException"]').count() == 0
        cookies = {c["name"]: c["value"] for c in pg.context.cookies()}
        assert cookies.get("DLSERVER") in ("w1", "w2"), cookies


def test_a_room_started_on_one_worker_is_followed_from_the_other(fleet, browser):
    import redis

    one, two = fleet.worker_urls
    presenters = _watched_page(browser, one, viewport={"width": 1280, "height": 900})
    followers = _watched_page(browser, two, viewport={"width": 1280, "height": 900})
    presenter, follower = next(presenters), next(followers)
    try:
        presenter.goto(f"{one}/talk")
        wait_for_app(presenter)
        presenter.get_by_role("button", name="📡 Start a room").first.click()
        presenter.get_by_text("Room code:").wait_for()
        code = re.search(r"Room code: ([A-Z0-9]{5})", presenter.inner_text("body")).group(1)
        stored = redis.Redis.from_url(fleet.redis_url).hgetall(f"dlroom:{code}")
        assert int(stored[b"slide"]) == 1, stored

        follower.goto(f"{two}/talk?room={code}")
        wait_for_app(follower)
        follower.get_by_text(f"Following room {code}").wait_for()
        presenter.get_by_role("button", name="Next ▶").click()
        # a condition, not a time: how fast a room follows is benchmarks/room.py's
        follower.get_by_text(re.compile(r"^2 / \d+$")).wait_for(timeout=60_000)
        stored = redis.Redis.from_url(fleet.redis_url).hgetall(f"dlroom:{code}")
        assert int(stored[b"slide"]) == 2, stored
    finally:
        for gen in (presenters, followers):  # close each context, checking its requests
            next(gen, None)


def closed(ports: list[int], timeout: float = 10) -> list[int]:
    deadline = time.time() + timeout
    while time.time() < deadline and any(listening(p) for p in ports):
        time.sleep(0.2)
    return [p for p in ports if listening(p)]


def test_sigterm_stops_it(tmp_path):
    """The proxy alone (in front of servers started elsewhere): SIGTERM, status 0, port free."""
    need(shutil.which("haproxy") is not None, "no haproxy (apt-get install haproxy)")
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(SERVE), "--port", str(port), "--bind",
                             "127.0.0.1", "--backends", f"127.0.0.1:{free_port()}"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not listening(port):
            time.sleep(0.2)
        assert listening(port)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, proc.stdout.read()
        assert not closed([port])
    finally:
        if proc.poll() is None:
            proc.kill()


def test_when_one_part_dies_everything_stops(fleet):
    """Last in the module: Redis dies, so the command stops the servers and the proxy and
    fails (for a supervisor to restart the whole)."""
    redis_pid = next(pid for pid, cmd in fleet.children.items() if "redis-server" in cmd)
    os.kill(redis_pid, signal.SIGKILL)
    assert fleet.proc.wait(timeout=30) == 1, fleet.log()
    assert "redis exited" in fleet.log()
    assert not closed([fleet.port, *fleet.workers]), fleet.log()
