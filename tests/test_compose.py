"""``compose.yaml`` scales by a number: ``docker compose up --scale app=N``. One app
service (no fixed name, no published port, so N copies can run), the official HAProxy
image in front with ``deploy/haproxy-compose.cfg`` (server slots filled from Docker's DNS,
so N needs no edit), Redis for the rooms. Docker is not run here (no registry is
reachable from the test machine): HAProxy itself checks the proxy's configuration."""

from __future__ import annotations

import re
import shutil
import subprocess

from tests.conftest import REPO, need

COMPOSE = (REPO / "compose.yaml").read_text()
HAPROXY_CFG = REPO / "deploy" / "haproxy-compose.cfg"


def service(name: str) -> str:
    """The block of one top-level service in compose.yaml."""
    match = re.search(rf"^  {name}:\n((?:    .*\n|\n)*)", COMPOSE, re.M)
    assert match, f"no service {name!r} in compose.yaml"
    return match.group(1)


def test_one_app_service_that_can_be_scaled():
    services = re.findall(r"^  (\w+):\n", COMPOSE.split("\nservices:\n", 1)[1], re.M)
    assert sorted(services) == ["app", "proxy", "redis"]
    app = service("app")
    assert "container_name" not in app and "ports:" not in app  # both would stop --scale
    assert "REDIS_URL: redis://redis:6379/0" in app


def test_the_proxy_is_the_official_image_with_the_compose_config():
    proxy = service("proxy")
    assert re.search(r"image: haproxy:[\w.-]+", proxy)
    assert "./deploy/haproxy-compose.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy
    assert '"8501:8501"' in proxy


def test_the_proxy_finds_the_replicas_by_name_and_pins_a_browser():
    cfg = HAPROXY_CFG.read_text()
    assert re.search(r"^\s*server-template app \d+-\d+ app:8501 .*resolvers docker", cfg, re.M)
    assert "nameserver dns 127.0.0.11:53" in cfg  # Docker's embedded DNS
    assert re.search(r"^\s*cookie DLSERVER insert .*dynamic", cfg, re.M)
    assert "option httpchk GET /_stcore/health" in cfg


def limit_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip().startswith(("stick-table", "http-request", "acl "))]


def test_the_per_client_limits_are_deploy_serves_own():
    """One set of limits for both ways to run the proxy (issue 23's numbers)."""
    served = limit_lines((REPO / "deploy" / "haproxy.cfg").read_text())
    assert served and limit_lines(HAPROXY_CFG.read_text()) == served


def test_haproxy_accepts_the_config():
    haproxy = shutil.which("haproxy")
    need(haproxy is not None, "haproxy is not installed (apt-get install haproxy)")
    done = subprocess.run([haproxy, "-c", "-f", str(HAPROXY_CFG)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
