"""Each page's server rerun for its main interaction: ``python benchmarks/reruns.py``
prints one JSON object.

In-process, with Streamlit's AppTest (``tests.harness.open_page``): each page is opened
once (``open_ms``: the first run, its models loading), its main interaction is done once
to warm up, then ``--repeat`` more times, each a NEW value (so cached results are not
reused: the cost of one person moving the control). Per page:

* ``wall_ms``, ``cpu_ms``: the rerun's wall time and the process's CPU time
  (``time.process_time``, all threads) as median, p95, min, max;
* ``bytes``: what the rerun sends to the browser, the protobuf size of the ForwardMsgs
  (the websocket's payload): every message the script enqueued, as a server that flushes
  its queue often sends them (a page that streams text or redraws a chart while it runs
  sends each version); ``bytes_coalesced``: only the last version of each element, as
  the queue keeps them between two flushes (a lower bound); ``media_bytes``: pictures
  registered with the media file manager (fetched over HTTP by the browser, once per new
  picture). ``benchmarks/load.py`` measures
  bytes on the wire with a websocket client;
* ``errors``: reruns that raised (must be 0), with the first message.

Main interactions (``INTERACTIONS``): widgets are found by their state-table key
(``"<page>.<field>"``, ``ui/binding.key``) or, for buttons without one, by label.
Training (splits, fine-tuning, hot dog's own examples) is measured by
``benchmarks/lab.py`` and ``benchmarks/imagenet.py``; here those pages move a setting.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _measure import load_average, summary  # noqa: E402

from tests.harness import REPO as _REPO  # noqa: E402,F401  (the same checkout)

# --------------------------------------------------------------------------- finding widgets
_KINDS = ("slider", "select_slider", "selectbox", "radio", "number_input", "text_input",
          "text_area", "toggle", "checkbox", "multiselect", "button")


def widget(at, key: str):
    """The widget with this session key, whatever its kind."""
    for kind in _KINDS:
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    raise LookupError(f"no widget with key {key!r}")


def button(at, label: str):
    """The first button whose label contains ``label``."""
    for b in at.button:
        if label in b.label:
            return b
    raise LookupError(f"no button labelled {label!r} (buttons: {[b.label for b in at.button]})")


# --------------------------------------------------------------------------- the digits canvas
# --------------------------------------------------------------------------- the interactions
WORDS = ("king", "paris", "computer", "river", "music", "doctor", "green", "apple", "winter",
         "football", "ocean", "science", "bread", "happy", "mountain", "train", "money",
         "garden", "language", "horse", "summer", "police", "coffee", "school", "piano",
         "storm", "island", "chess", "camera", "violin", "desert", "history", "engine",
         "forest", "silver", "theatre", "rabbit", "glass", "planet", "letter")
TERMS = ("loss", "epoch", "dropout", "learning rate", "batch", "gradient", "overfit",
         "kernel", "softmax", "embedding", "layer", "weight")


def _pen_up(at, i: int) -> None:
    """The pad's digit at a pen-up, as the browser sends it (a new MNIST digit each time)."""
    from dlcore.data import mnist

    images = _pen_up.images = getattr(_pen_up, "images", None)
    if images is None:
        images = _pen_up.images = mnist.load_sample()[0]
    at.session_state["digits._pad"] = {"digit": images[i % len(images)].reshape(-1).tolist()}


@dataclass(frozen=True)
class Interaction:
    what: str
    act: Callable  # act(at, i): make the i-th change (a new value each time); run follows
    params: dict = field(default_factory=dict)
    check: Callable | None = None  # check(at): the interaction did what it should
    max_repeat: int | None = None  # pages whose rerun takes seconds
    session: dict = field(default_factory=dict)  # session state set before the first run


INTERACTIONS: dict[str, Interaction] = {
    "talk": Interaction("Next slide (back to the first every 10)", lambda at, i: widget(
        at, "talk-home" if i % 10 == 9 else "talk-next").click()),
    "gradient_descent": Interaction(
        "learning-rate slider to a new value (-1.1 ... -4.9) on the contour map's tab (the "
        "page opens on the live map, where a move costs the server nothing and its settings "
        "come back once at rest: benchmarks/load.py)",
        lambda at, i: widget(at, "gradient_descent.lr_exp").set_value(round(-1.1 - 0.1 * (i % 39), 1)),
        session={"gradient_descent._tab_2d": "Contour map"}),
    "digits": Interaction(
        "a pen-up with 'Inside the CNN' open: the feature maps of a new digit (the browser "
        "answers the drawing itself; folded, as the page opens, a pen-up sends nothing)",
        _pen_up, session={"digits._inside": True},
        check=lambda at: any("Inside the CNN" in h.value for h in at.subheader)),
    "convolution": Interaction(
        "stride slider to a new value: every cell computed again (the stepper's Next, Prev "
        "and Play run in the browser; its cell comes back once at rest: benchmarks/load.py)",
        lambda at, i: widget(at, "convolution.stride").set_value(1 + i % 3)),
    "embeddings": Interaction("a new query word (neighbours view)", lambda at, i: widget(
        at, "embeddings.word").set_value(WORDS[i % len(WORDS)])),
    "char_rnn": Interaction("🎲 Another sample (400 characters, new seed)",
                            lambda at, i: button(at, "Another sample").click(), max_repeat=20),
    "hotdog": Interaction("🎲 Another hot dog: a new picture classified",
                          lambda at, i: button(at, "Another").click()),
    "splits": Interaction("validation-share slider to a new value", lambda at, i: widget(
        at, "splits.val_pct").set_value(5 + (i + 6) % 36)),
    "fine_tuning": Interaction("pictures-per-class slider to a new value", lambda at, i: widget(
        at, "fine_tuning.per_class").set_value(2 + (i + 5) % 19)),
    "cpu_gpu": Interaction("a new seed: the page times CPU (and GPU) afresh",
                           lambda at, i: widget(at, "cpu_gpu.seed").set_value(i + 1),
                           max_repeat=5),
    "jargon": Interaction("a search in the glossary", lambda at, i: widget(
        at, "jargon.q").set_value(TERMS[i % len(TERMS)])),
}


# --------------------------------------------------------------------------- bytes
class Traffic:
    """What each AppTest run enqueued for the browser: ForwardMsg bytes and media bytes."""

    def __init__(self) -> None:
        from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
        from streamlit.runtime.media_file_manager import MediaFileManager
        from streamlit.testing.v1.local_script_runner import LocalScriptRunner

        self.coalesced = self.media = 0
        self.sent: list = []  # every message enqueued since the last reset (sized later)
        forward_msgs, add = LocalScriptRunner.forward_msgs, MediaFileManager.add
        enqueue = ForwardMsgQueue.enqueue
        traffic = self

        def counted_msgs(runner):
            msgs = forward_msgs(runner)
            traffic.coalesced = sum(m.ByteSize() for m in msgs)
            return msgs

        def counted_enqueue(queue, msg):
            traffic.sent.append(msg)
            return enqueue(queue, msg)

        def counted_add(mgr, path_or_data, *args, **kwargs):
            if isinstance(path_or_data, bytes | bytearray):
                traffic.media += len(path_or_data)
            return add(mgr, path_or_data, *args, **kwargs)

        LocalScriptRunner.forward_msgs = counted_msgs
        MediaFileManager.add = counted_add
        ForwardMsgQueue.enqueue = counted_enqueue

    def reset(self) -> None:
        self.sent, self.media = [], 0

    def sent_bytes(self) -> int:
        return sum(m.ByteSize() for m in self.sent)


_TRAFFIC: Traffic | None = None


def traffic() -> Traffic:
    global _TRAFFIC
    if _TRAFFIC is None:
        _TRAFFIC = Traffic()
    return _TRAFFIC


# --------------------------------------------------------------------------- running
def open_session(page: str):
    """The page opened once in AppTest, with its interaction's session state."""

    from tests.harness import page_test

    at = page_test(f"pages/{page}.py", timeout=180)
    for key, value in INTERACTIONS[page].session.items():
        at.session_state[key] = value
    for key, value in INTERACTIONS[page].params.items():
        at.query_params[key] = value
    return at.run()


def rerun(at, page: str, i: int) -> tuple[float, float, int, int, int, str | None]:
    """The i-th interaction: wall ms, CPU ms, ForwardMsg bytes sent and coalesced, media
    bytes, error."""
    t = traffic()
    INTERACTIONS[page].act(at, i)
    t.reset()
    cpu, start = time.process_time(), time.perf_counter()
    at.run()
    wall, cpu = (time.perf_counter() - start) * 1e3, (time.process_time() - cpu) * 1e3
    sent, media = t.sent_bytes(), t.media
    t.reset()
    error = at.exception[0].message if at.exception else None
    check = INTERACTIONS[page].check
    if error is None and check and not check(at):
        error = "the page did not show the interaction's result"
    return wall, cpu, sent, t.coalesced, media, error


def measure_page(page: str, repeat: int) -> dict:
    traffic()
    repeat = min(repeat, INTERACTIONS[page].max_repeat or repeat)
    start = time.perf_counter()
    at = open_session(page)
    opened = (time.perf_counter() - start) * 1e3
    rerun(at, page, 0)  # warm-up: the interaction's own first costs (a model, a cache)
    runs = [rerun(at, page, i) for i in range(1, repeat + 1)]
    errors = [r[5] for r in runs if r[5]]
    return {"interaction": INTERACTIONS[page].what, "repeat": repeat,
            "open_ms": round(opened, 1),
            "wall_ms": summary([r[0] for r in runs]), "cpu_ms": summary([r[1] for r in runs]),
            "bytes": summary([r[2] for r in runs], 0),
            "bytes_coalesced": summary([r[3] for r in runs], 0),
            "media_bytes": summary([r[4] for r in runs], 0),
            "errors": len(errors), "first_error": errors[0] if errors else None}


def measure(repeat: int = 20, pages: list[str] | None = None) -> dict:
    result = {}
    for page in pages or INTERACTIONS:
        try:
            result[page] = measure_page(page, repeat)
        except Exception as err:  # noqa: BLE001  one page's failure is a result, not a crash
            result[page] = {"failed": f"{type(err).__name__}: {err}"}
    import torch

    return {"pages": result, "torch_threads": torch.get_num_threads(),
            "blas_threads": blas_threads(), "load_average": load_average()}


def blas_threads() -> dict[str, int]:
    """NumPy's BLAS threads in this process (the server's default: one per core, unless
    ``OPENBLAS_NUM_THREADS`` says otherwise), which the char-RNN's NumPy cell feels."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # scikit-learn brings it; without it, say so
        return {}
    return {i["internal_api"]: i["num_threads"] for i in threadpool_info()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed reruns per page")
    parser.add_argument("--pages", nargs="*", choices=list(INTERACTIONS))
    args = parser.parse_args()
    print(json.dumps(measure(args.repeat, args.pages)))


if __name__ == "__main__":
    main()
