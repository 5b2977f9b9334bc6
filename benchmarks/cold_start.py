"""Cold start and first paint, in a real browser: ``python benchmarks/cold_start.py``
prints one JSON object.

Headless Chromium is started first; then the clock starts with ``streamlit run app.py``
(a fresh process on a free port, the project's own ``.streamlit/config.toml``):

* ``server_ready_s``: until the server answers ``/_stcore/health``;
* ``home_painted_s``: until the home page has painted and its script has finished
  (``tests.harness.wait_for_app``), the whole cold start a presenter waits for;
* ``pages``: each page of ``ui/catalog.py``, opened at ``/<url_path>`` in talk
  order in that same server: ``first_s`` the first open (its models and imports load
  then), ``warm_s`` the median of ``--repeat`` later opens (a new session each, as a
  new person in the room); ``server_cpu_*_s`` the server's CPU seconds for those opens;
  ``errors``: exceptions shown on the page (must be 0).

Each open is a full page load (a new Streamlit session). Needs Chromium and the assets.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _measure import cpu_seconds, load_average  # noqa: E402

from tests.harness import CHROMIUM, CHROMIUM_ARGS, running_app, wait_for_app  # noqa: E402
from ui import catalog  # noqa: E402

_ELEMENT = '[data-testid="stMain"] [data-testid="stElementContainer"]'


def open_once(page, url: str, pid: int) -> tuple[float, float, int]:
    """Wall seconds from navigation to the script finished, the server's CPU seconds for
    it, and the number of exceptions the page shows."""
    cpu, start = cpu_seconds(pid), time.perf_counter()
    page.goto(url, timeout=180_000)
    page.wait_for_selector(_ELEMENT, timeout=180_000)
    wait_for_app(page)
    wall = time.perf_counter() - start
    return wall, cpu_seconds(pid) - cpu, page.locator('[data-testid="stException"]').count()


def measure(repeat: int = 2, paths: list[str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    paths = [c.url_path for c in catalog.available()] if paths is None else paths
    env = dict(os.environ)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(180_000)
            start = time.perf_counter()
            with running_app(env=env) as (url, pid):
                ready = time.perf_counter() - start
                page.goto(url, timeout=180_000)
                page.wait_for_selector(_ELEMENT, timeout=180_000)
                wait_for_app(page)
                result = {"server_ready_s": round(ready, 2),
                          "home_painted_s": round(time.perf_counter() - start, 2),
                          "server_cpu_to_home_s": round(cpu_seconds(pid), 2), "pages": {}}
                for path in paths:
                    first, first_cpu, errors = open_once(page, f"{url}/{path}", pid)
                    warm = [open_once(page, f"{url}/{path}", pid) for _ in range(repeat)]
                    result["pages"][path] = {
                        "first_s": round(first, 2),
                        "warm_s": round(statistics.median(w[0] for w in warm), 2),
                        "server_cpu_first_s": round(first_cpu, 2),
                        "server_cpu_warm_s": round(statistics.median(w[1] for w in warm), 2),
                        "errors": errors + sum(w[2] for w in warm)}
        finally:
            browser.close()
    result["repeat"] = repeat
    result["load_average"] = load_average()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm opens per page")
    parser.add_argument("--pages", nargs="*", help="url paths (default: every page)")
    args = parser.parse_args()
    print(json.dumps(measure(args.repeat, args.pages)))


if __name__ == "__main__":
    main()
