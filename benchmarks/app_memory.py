"""Memory of the running app after every page has been opened once (for deploy sizing).

    python benchmarks/app_memory.py

Starts ``streamlit run app.py``, opens each page in headless Chromium, waits for it to
finish running, then prints one JSON object with the server's resident memory (Linux
/proc). Needs Chromium (``apt-get install chromium``) and the shipped assets.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pages import _catalog  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port  # noqa: E402


def _mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true"], cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    paths = [""] + [c.url_path for c in _catalog.available()]
    try:
        time.sleep(3)
        idle = _mb(server.pid, "VmRSS")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for path in paths:
                page.goto(f"{url}/{path}", timeout=120_000)
                page.wait_for_selector('[data-testid="stApp"]')
                page.wait_for_timeout(2_000)
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                    timeout=120_000)
            browser.close()
        print(json.dumps({
            "pages_opened": paths,
            "server_rss_mb_at_start": round(idle, 1),
            "server_rss_mb_after_all_pages": round(_mb(server.pid, "VmRSS"), 1),
            "server_peak_rss_mb": round(_mb(server.pid, "VmHWM"), 1),
        }))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
