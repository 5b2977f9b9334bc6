"""deploy/haproxy.cfg's per-client limits (issue 23), against a real HAProxy.

The deployment's own template (filled by deploy/serve's ``haproxy_config``) in front of a
small local backend that accepts every request: uploads beyond 30 a minute, or beyond
48 MB a minute of bodies, get 429 from the proxy; an upload over 6 MB gets 413; another
client is not held up. ``benchmarks/hostile.py`` measures the same against the app.
"""

from __future__ import annotations

import http.client
import importlib.machinery
import importlib.util
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import REPO, need
from tests.harness import free_port


def serve_module():
    loader = importlib.machinery.SourceFileLoader("serve", str(REPO / "deploy" / "serve"))
    spec = importlib.util.spec_from_loader("serve", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class Accept(BaseHTTPRequestHandler):
    def _ok(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200 if self.command == "GET" else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = _ok

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    need(shutil.which("haproxy") is not None, "no haproxy (apt-get install haproxy)")
    backend = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    port = free_port()
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(serve_module().haproxy_config(
        "127.0.0.1", port, [f"127.0.0.1:{backend.server_address[1]}"]))
    check = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    proc = subprocess.Popen([haproxy, "-f", str(cfg), "-db"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):  # until it answers
        try:
            if request(port, "GET", "/_stcore/health") == 200:
                break
        except OSError:
            threading.Event().wait(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    backend.shutdown()


def request(port: int, method: str, path: str, body: bytes = b"",
            source: str = "127.0.0.1") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                      source_address=(source, 0))
    try:
        conn.putrequest(method, path)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        try:
            for i in range(0, len(body), 256 * 1024):
                conn.send(body[i:i + 256 * 1024])
        except OSError:
            pass  # refused before the body was sent
        return conn.getresponse().status
    finally:
        conn.close()


def test_upload_count_per_client_is_limited(proxy):
    codes = [request(proxy, "PUT", f"/_stcore/upload_file/s/{i}", b"x" * 1000)
             for i in range(40)]
    assert codes[:30] == [204] * 30 and set(codes[30:]) == {429}
    # another client (another source address) is not held up
    assert request(proxy, "PUT", "/_stcore/upload_file/s/other", b"x", "127.0.0.2") == 204
    assert request(proxy, "GET", "/", source="127.0.0.1") == 200  # pages still load


@pytest.mark.slow
def test_upload_bytes_per_client_are_limited(proxy):
    body = b"x" * 4_500_000
    codes = [request(proxy, "PUT", f"/_stcore/upload_file/s/{i}", body) for i in range(20)]
    accepted = codes.count(204)
    assert 10 <= accepted <= 12, codes  # 48 MB a minute: 11 of 4.5 MB, then 429
    assert set(codes[accepted:]) == {429}


def test_an_upload_over_6_mb_is_refused_by_the_proxy(proxy):
    assert request(proxy, "PUT", "/_stcore/upload_file/s/big", b"x" * 6_500_000) == 413
