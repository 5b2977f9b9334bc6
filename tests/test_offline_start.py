"""No outbound request at server start: the app starts in a network namespace with only
loopback (``unshare -n``, as on a stage without Wi-Fi) and prints its URL without
Streamlit's external-IP probe ("Did not auto detect external IP") or any other attempt
to reach the internet. ``.streamlit/config.toml`` holds the two settings
(``browser.serverAddress``, ``browser.gatherUsageStats``).

Started the way the README starts it (no ``--server.address``): with an address on the
command line Streamlit skips the probe anyway, which would hide a missing setting."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import REPO, need
from tests.harness import free_port

pytestmark = pytest.mark.slow


def _can_unshare() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def test_the_config_turns_off_what_reaches_out():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["browser"]["serverAddress"]  # set: no external-IP probe at start
    assert config["server"]["headless"] is True


def test_the_server_starts_offline_without_reaching_out():
    need(_can_unshare(), "unshare -n needs root (CAP_SYS_ADMIN) and iproute2")
    port = free_port()
    app = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
           "--server.port", str(port)]
    script = 'ip link set lo up && exec "$@"'
    proc = subprocess.Popen(["unshare", "-n", "sh", "-c", script, "sh", *app], cwd=REPO,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the URL is printed after the probe would have run
            lines.append(line)
            if "URL:" in line:
                break
        else:
            pytest.fail("the server stopped before printing its URL:\n" + "".join(lines))
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    text = "".join(lines) + (out or "")
    assert "external IP" not in text, text
    assert "External URL" not in text, text
    assert f"localhost:{port}" in text, text
