"""The whole deck as a PDF, one slide per page: the fallback for a stage without network.

    python benchmarks/deck_pdf.py [--out deck.pdf] [--url http://127.0.0.1:8501]

Starts the app (or uses ``--url``), opens ``/talk?print=1&present=1`` in Chromium
(Playwright), waits until all slides are drawn (live slides as their view at the slide's
preset) and prints the page to PDF at 1280x720 with Chromium's own ``page.pdf``; each
slide ends with a CSS page break. Prints one JSON object: the file, its pages, seconds.
The same by hand: open that link and use Chromium's Print, Save as PDF.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness import CHROMIUM, CHROMIUM_ARGS, running_app, wait_for_app  # noqa: E402
from ui import slides  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="deck.pdf")
    ap.add_argument("--url", help="an app already running")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds for every slide")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    n = len(slides.SLIDES)
    t0 = time.time()
    with (nullcontext(None) if args.url else running_app()) as served, sync_playwright() as pw:
        url = args.url or served.url
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/talk?print=1&present=1")
        wait_for_app(page)
        page.get_by_text(f"{n} / {n}", exact=True).wait_for(timeout=args.timeout * 1000)
        page.wait_for_function(  # the run has finished: nothing left to draw
            "() => !document.querySelector('[data-testid=stStatusWidget]')"
            " || !/Running/.test(document.querySelector('[data-testid=stStatusWidget]')"
            ".innerText)", timeout=args.timeout * 1000)
        page.emulate_media(media="print")
        page.pdf(path=args.out, width="1280px", height="720px", print_background=True,
                 margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
        browser.close()
    data = Path(args.out).read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    print(json.dumps({"pdf": args.out, "slides": n, "pdf_pages": pages,
                      "bytes": len(data), "seconds": round(time.time() - t0, 1)}, indent=1))


if __name__ == "__main__":
    main()
