"""Memory of the running app after every page has been opened once (for deploy sizing).

    python benchmarks/app_memory.py

Starts ``streamlit run app.py``, opens each page in headless Chromium, waits for it to
finish running, then prints one JSON object with the server's resident memory (Linux
/proc). Needs Chromium (``apt-get install chromium``) and the shipped assets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness import CHROMIUM, CHROMIUM_ARGS, running_app, wait_for_app  # noqa: E402
from ui import catalog  # noqa: E402


def _mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def every_page() -> list[str]:
    """The home page and every page of the catalogue, as url paths."""
    return [""] + [c.url_path for c in catalog.available()]


def open_pages(browser, url: str, paths: list[str]) -> None:
    """Open each page in turn in one browser tab, each until its script has finished."""
    page = browser.new_page()
    page.set_default_timeout(120_000)
    for path in paths:
        page.goto(f"{url}/{path}", timeout=120_000)
        page.wait_for_timeout(2_000)
        wait_for_app(page)
    page.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    with running_app() as (url, server_pid):
        idle = _mb(server_pid, "VmRSS")
        paths = every_page()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            open_pages(browser, url, paths)
            browser.close()
        print(json.dumps({
            "pages_opened": paths,
            "server_rss_mb_at_start": round(idle, 1),
            "server_rss_mb_after_all_pages": round(_mb(server_pid, "VmRSS"), 1),
            "server_peak_rss_mb": round(_mb(server_pid, "VmHWM"), 1),
        }))


if __name__ == "__main__":
    main()
