"""A room of people on every page at once, over Streamlit's websocket (issue 15).

    python benchmarks/load.py [--sessions 50] [--pages gradient_descent convolution ...]
                              [--interactions 3] [--cap 90] [--servers 1 2]

For each page: ``--sessions`` sessions open it at the same moment (``benchmarks/stclient.py``
speaks the browser's protocol), then each does the page's main interaction
``--interactions`` times with a short think time between, sending what a browser sends
for it (gradient descent: a new learning rate on the live map, whose component sends its
settings once the slider rests; digits: a stroke, which the browser's pad answers without
a message, counted as ``interactions_without_message``; ``benchmarks/browser_room.py``
measures both pages with real Chromium pages; convolution: a step of the stepper, which
the browser draws and sends once it rests; embeddings: a word;
char-RNN: another sample; hot dog: another picture; splits and fine-tuning: train;
CPU vs GPU: measure again; jargon: jump to a term; the deck: next slide). Per page:
open and interaction p50/p95 (seconds, request to ``script_finished``), bytes per
interaction (median, the ForwardMsgs' payload), errors (exceptions in the deltas, closed
sockets, protocol errors; sessions still busy at the page's hard cap are counted apart),
the server's CPU over the page (% of one core) and RSS before / peak / after everyone left.

``--servers 2`` starts two Streamlit processes behind HAProxy (Debian ``haproxy``) with
sticky sessions: a minimal config written here (cookie insert, leastconn, websocket
tunnel), the same shape as ``deploy/haproxy.cfg``. ``--servers 1 2`` runs both and
prints the comparison. 127.0.0.1 only; each page is bounded by ``--cap`` seconds.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.room import cpu_seconds, pct, rss_mb  # noqa: E402
from benchmarks.stclient import ProtocolError, Run, Session  # noqa: E402
from tests.harness import free_port, running_app  # noqa: E402

WORDS = ["king", "paris", "computer", "river", "music", "doctor", "france", "happy",
         "water", "science", "football", "queen", "london", "guitar", "coffee", "winter"]
PICTURES = ["cat", "coffee", "rocket", "astronaut", "hot dog"]
TRAINING = {"splits", "fine_tuning", "cpu_gpu"}  # the interaction is a training/timing run
LIVE_MAP = "gradient_descent._live"  # the gradient-descent page's live map (its component)
# Pages whose browser sends an interaction once the control rests this many seconds
# (ui/components/descent_view.js, REST_MS): a move followed by another sooner sends nothing.
REST_S = {"gradient_descent": 0.6, "convolution": 0.6}
STEPPER = "convolution._stepper"  # the convolution page's stepper (its component)


async def interact(page: str, s: Session, who: int, i: int) -> Run | None:
    """The page's main interaction, the ``i``-th time, by session ``who``: what the
    browser sends for it (None: the browser answers it and sends nothing)."""
    if page == "talk":
        return await s.click("talk-next" if i % 2 == 0 else "talk-back")
    if page == "gradient_descent":  # the live map's settings (see person(): sent at rest)
        _, _, w = s.find(LIVE_MAP, "bidi_component")
        settings = {**json.loads(w.json)["state"],
                    "lr_exp": round(-3 + 0.1 * ((who * 7 + i * 3) % 25), 1)}
        return await s.set(LIVE_MAP, {"view": settings})
    if page == "digits":  # the browser's pad answers a stroke itself: nothing is sent
        return None
    if page == "convolution":  # the stepper's cell (see person(): sent at rest)
        return await s.set(STEPPER, {"view": {"cell": 1 + (who + i) % 9, "speed": "normal"}})
    if page == "embeddings":
        return await s.set("A word", WORDS[(who + i) % len(WORDS)])
    if page == "char_rnn":
        return await s.click("🎲 Another sample")
    if page == "hotdog":
        return await s.set("Picture", PICTURES[(who + i) % len(PICTURES)])
    if page == "splits":
        return await s.click("Train ▶")
    if page == "fine_tuning":
        return await s.click("Train both")
    if page == "cpu_gpu":
        return await s.click("Measure again")
    if page == "jargon":
        _, _, w = s.find("Jump to a term")
        return await s.set("Jump to a term", w.options[1 + (who + i) % (len(w.options) - 1)])
    raise KeyError(page)


def stats(xs: list[float], nd: int = 3) -> dict:
    if not xs:
        return {"p50": None, "p95": None}
    return {"p50": round(statistics.median(xs), nd), "p95": round(pct(xs, 0.95), nd)}


async def sample_rss(pids: list[int], peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], sum(rss_mb(p) for p in pids))
        try:
            await asyncio.wait_for(stop.wait(), 0.25)
        except TimeoutError:
            pass


async def run_page(url: str, pids: list[int], page: str, args,
                   backends: list[str] | None = None) -> dict:
    interactive = page not in ("", "home")
    path = "" if page == "home" else page
    t_warm = time.perf_counter()
    warm_error = None
    for backend in backends or [url]:  # behind the proxy: warm every server, directly
        warm = Session(backend, path, timeout=args.cap)
        try:
            await warm.open()  # the page's imports and models, once: not the room's cost
            if interactive and page not in TRAINING:
                await interact(page, warm, 0, 0)
        except (ProtocolError, TimeoutError, OSError, KeyError) as err:
            warm_error = f"{type(err).__name__}: {err}"[:200]
        finally:
            await warm.close()
    warm_s = time.perf_counter() - t_warm
    rss_before = sum(rss_mb(p) for p in pids)
    cpu0 = sum(cpu_seconds(p) for p in pids)
    peak = [rss_before]
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pids, peak, stop))

    # the client gives up later than the page cap, so a session still busy at the cap is
    # counted as unfinished, not as an error (a training still queued at 25 s once was)
    sessions = [Session(url, path, timeout=args.cap + 10, deflate=True,
                        compression=args.compression)
                for _ in range(args.sessions)]
    opens: list[float] = []
    acts: list[Run] = []
    errors: list[str] = []
    open_fail = 0

    async def person(who: int, s: Session) -> None:
        nonlocal open_fail
        try:
            run = await s.open()
        except (ProtocolError, TimeoutError, OSError) as err:
            open_fail += 1
            errors.append(f"open: {type(err).__name__}: {err}"[:200])
            return
        opens.append(run.seconds)
        if not interactive:
            return
        rest = REST_S.get(page)  # the browser sends once the control rests this long
        thinks = [random.uniform(0.2, 1.0) for _ in range(args.interactions)]
        spent = 0.0  # of the next think time, already spent waiting for the browser's timer
        for i, think in enumerate(thinks):
            await asyncio.sleep(max(0.0, think - spent))  # a person's think time
            spent = 0.0
            if rest is not None:
                following = thinks[i + 1] if i + 1 < len(thinks) else float("inf")
                if following <= rest:  # the next move restarts the browser's timer
                    silent[0] += 1
                    continue
                t_rest = time.perf_counter()
                await asyncio.sleep(rest)
            try:
                run = await interact(page, s, who, i + 1)
            except (ProtocolError, TimeoutError, KeyError) as err:
                errors.append(f"interaction: {type(err).__name__}: {err}"[:200])
                return
            if rest is not None:
                spent = time.perf_counter() - t_rest
            if run is None:
                silent[0] += 1
            else:
                acts.append(run)

    silent = [0]  # interactions the browser answered without a message
    t0, client0 = time.perf_counter(), time.process_time()
    tasks = [asyncio.create_task(person(n, s)) for n, s in enumerate(sessions)]
    done, pending = await asyncio.wait(tasks, timeout=args.cap)
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)  # stopped before any socket closes
    wall = time.perf_counter() - t0
    n_errors = len(errors)
    cpu = 100 * (sum(cpu_seconds(p) for p in pids) - cpu0) / wall
    client_cpu = 100 * (time.process_time() - client0) / wall
    exceptions = [e for s in sessions for e in s.errors]
    closed = sum(1 for s in sessions if s.closed_reason)
    for s in sessions:
        try:
            await asyncio.wait_for(s.close(), 10)
        except (TimeoutError, OSError):
            pass
    await asyncio.sleep(args.leave_wait)
    stop.set()
    await sampler
    rss_after = sum(rss_mb(p) for p in pids)
    times = [r.seconds for r in acts if r.seconds is not None]
    return {
        "page": page, "sessions": args.sessions, "warmup_s": round(warm_s, 2),
        "warmup_error": warm_error,
        "open_s": stats(opens), "opened": len(opens),
        "interaction_s": stats(times), "interactions": len(times),
        "interactions_without_message": silent[0],  # answered in the browser alone
        "bytes_per_interaction": int(statistics.median([r.bytes for r in acts])) if acts else None,
        # what permessage-deflate (server.enableWebsocketCompression) sends on the wire:
        # the messages through one compressor per connection, as tornado does
        "deflated_bytes_per_interaction": (int(statistics.median([r.deflated for r in acts]))
                                           if acts else None),
        "errors": n_errors + len(exceptions) + closed,
        "error_detail": sorted(set(errors[:n_errors] + exceptions))[:5],
        "error_trace": next((t[-1500:] for s in sessions for t in s.traces), None),
        "closed_sockets": closed,
        "sessions_per_server": sorted(
            sum(1 for s in sessions if s.cookies.get("DLSERVER") == name)
            for name in {s.cookies.get("DLSERVER") for s in sessions}),
        "unfinished_at_cap": len(pending),  # sessions still opening or interacting at the cap
        "server_cpu_pct": round(cpu, 1), "client_cpu_pct": round(client_cpu, 1),
        "wall_s": round(wall, 1),
        "rss_mb": {"before": round(rss_before), "peak": round(peak[0]),
                   "after_leave": round(rss_after)},
    }


HAPROXY_CFG = """global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    timeout tunnel 1h
frontend app
    bind 127.0.0.1:{port}
    default_backend streamlit
backend streamlit
    balance leastconn
    cookie DLSERVER insert indirect nocache httponly
    option httpchk GET /_stcore/health
{servers}
"""


@contextmanager
def served(n: int, flags: list[str]) -> Iterator[tuple[str, list[int], list[str]]]:
    """``n`` Streamlit servers; with more than one, HAProxy in front (sticky cookie)."""
    with ExitStack() as stack:
        apps = [stack.enter_context(running_app(*flags)) for _ in range(n)]
        if n == 1:
            yield apps[0].url, [apps[0].pid], [apps[0].url]
            return
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise SystemExit("--servers 2 needs HAProxy: apt-get install haproxy")
        port = free_port()
        lines = "\n".join(f"    server s{k} {a.url.removeprefix('http://')} check cookie s{k}"
                          for k, a in enumerate(apps))
        cfg = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "haproxy.cfg"
        cfg.write_text(HAPROXY_CFG.format(port=port, servers=lines))
        proc = subprocess.Popen([haproxy, "-f", str(cfg), "-db"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        stack.callback(lambda: (proc.terminate(), proc.wait(10)))
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("HAProxy did not answer: " + (proc.stderr.read() or ""))
        yield url, [a.pid for a in apps], [a.url for a in apps]


def main() -> None:
    from ui import catalog

    every = ["home"] + [c.url_path for c in catalog.available()]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--pages", nargs="*", default=every, help=f"of {every}")
    ap.add_argument("--interactions", type=int, default=3, help="per session")
    ap.add_argument("--cap", type=float, default=90.0, help="hard cap per page, seconds")
    ap.add_argument("--leave-wait", type=float, default=10.0,
                    help="seconds after everyone left before the RSS is read")
    ap.add_argument("--servers", type=int, nargs="*", default=[1], help="1, 2 or both")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-compression", dest="compression", action="store_false",
                    help="the clients do not ask for permessage-deflate (a browser does, and "
                         "the app's config grants it; compare with "
                         "--server.enableWebsocketCompression false)")
    args, flags = ap.parse_known_args()
    random.seed(args.seed)
    unknown = [p for p in args.pages if p not in every]
    if unknown:
        ap.error(f"unknown pages {unknown}; pages: {every}")
    out: dict = {"sessions": args.sessions, "interactions_per_session": args.interactions,
                 "cap_s": args.cap, "rows": []}
    t0 = time.time()
    for n in args.servers:
        with served(n, flags) as (url, pids, backends):
            for page in args.pages:
                row = asyncio.run(run_page(url, pids, page, args, backends))
                row["servers"] = n
                out["rows"].append(row)
                print(json.dumps(row), file=sys.stderr)
            out[f"rss_mb_end_{n}_servers"] = round(sum(rss_mb(p) for p in pids))
    if len(args.servers) > 1:
        by = {(r["servers"], r["page"]): r for r in out["rows"]}
        out["comparison"] = {
            page: {f"{n}": {"open_p95": by[n, page]["open_s"]["p95"],
                            "interaction_p95": by[n, page]["interaction_s"]["p95"],
                            "server_cpu_pct": by[n, page]["server_cpu_pct"]}
                   for n in args.servers} for page in args.pages}
    targets = {}
    for r in out["rows"]:
        key = f"{r['page']}@{r['servers']}"
        ok = r["errors"] == 0 and (r["open_s"]["p95"] or 99) < 3
        if r["page"] not in TRAINING and r["interaction_s"]["p95"] is not None:
            ok = ok and r["interaction_s"]["p95"] < 1
        if r["page"] == "gradient_descent":
            ok = ok and (r["bytes_per_interaction"] or 0) <= 100_000
        ok = ok and r["rss_mb"]["after_leave"] < 1024
        targets[key] = ok
    out["targets_met"] = targets
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    out["wall_s"] = round(time.time() - t0, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
