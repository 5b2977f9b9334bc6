"""Latency of the digits page: ``python benchmarks/digits.py`` prints one JSON object.

* ``canvas_to_probs_ms``: median time from the canvas's RGBA array to the ten
  probabilities of both models (preprocessing + CNN + MLP); target < 20 ms.
* ``png_decode_ms``: decoding the PNG the canvas sends (part of every rerun).
* ``page_rerun_ms``: median of the whole page script after a stroke, in Streamlit's
  AppTest, with the canvas returning a real drawing (PNG); target < 300 ms.
* ``training``: the wall and CPU seconds recorded in the shipped weights.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dlcore.digits import model as digits_model  # noqa: E402
from dlcore.digits import predict, preprocess  # noqa: E402
from tests.harness import SEVEN, canvas  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def _page_with_a_drawing() -> None:
    """The digits page, with st_canvas answering as if a 7 had just been drawn."""
    import os
    from pathlib import Path

    import streamlit_drawable_canvas as sdc

    url = "data:image/png;base64," + os.environ["DIGITS_BENCH_PNG"]
    sdc.st_canvas = lambda **kwargs: sdc.CanvasResult(None, url, True)
    page = Path(os.environ["DIGITS_BENCH_PAGE"])
    exec(compile(page.read_text(), str(page), "exec"), {"__name__": "__main__"})  # noqa: S102


def page_rerun_ms(png: bytes, repeat: int) -> float:
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["DIGITS_BENCH_PNG"] = base64.b64encode(png).decode()
    os.environ["DIGITS_BENCH_PAGE"] = str(REPO / "pages" / "digits.py")
    at = AppTest.from_function(_page_with_a_drawing, default_timeout=60)
    at.run()  # first run loads the models into the resource cache
    assert not at.exception, at.exception
    assert any(m.value.startswith("**CNN**") for m in at.markdown), "the drawing was not read"
    return median_ms(at.run, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    models = {kind: digits_model.load(kind)[0] for kind in ("cnn", "mlp")}
    rgba = canvas([SEVEN])
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="PNG")
    png = buf.getvalue()
    meta = digits_model.load("cnn")[1]
    result = {
        "canvas_to_probs_ms": median_ms(
            lambda: predict.read(preprocess.preprocess(rgba).digit, models), args.repeat),
        "preprocess_ms": median_ms(lambda: preprocess.preprocess(rgba), args.repeat),
        "png_decode_ms": median_ms(lambda: np.asarray(Image.open(io.BytesIO(png))),
                                   args.repeat),
        "page_rerun_ms": page_rerun_ms(png, max(5, args.repeat // 5)),
        "training": {k: meta.get(k) for k in ("train_seconds", "cpu_seconds", "epochs",
                                              "threads")},
        "threads": args.threads,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
