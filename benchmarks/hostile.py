"""A hostile client against the app, over the browser's own protocol (issue 23).

    python benchmarks/hostile.py [--rooms 12] [--probes 30] [--clears 5] [--uploads 60]
                                 [--upload-mb 4.5] [--seconds 110]

Starts one Streamlit server (``DLCORE_TRUST_PROXY=1``, as deploy/serve runs its workers)
and HAProxy in front of it with the deployment's own ``deploy/haproxy.cfg``, both on
127.0.0.1 only, then, as a script would (``benchmarks/stclient.py``, no browser):

1. floods rooms: ``--rooms`` sessions from one address (X-Forwarded-For 203.0.113.66,
   what the proxy appends) each press "Start a room" twice; then a presenter from
   another address (198.51.100.7) starts one;
2. clears the caches: ``--clears`` ``clear_cache`` messages, then the flooding address
   tries again (the limits must still hold);
3. probes room codes: one session tries ``--probes`` random codes;
4. floods uploads through the proxy: ``--uploads`` uploads of ``--upload-mb`` MB to its
   own session's upload URL (with the XSRF cookie), none of them used by any page
   (``--uploads-direct``: to Streamlit itself, past the proxy, for comparison).

Prints one JSON object: what was accepted and refused at each step, and the server's
resident memory before, after the floods and after every session closed. Bounded: at
most ``--seconds`` in all, counts capped as given; 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import importlib.machinery
import importlib.util
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.room import rss_mb  # noqa: E402
from benchmarks.stclient import Session  # noqa: E402
from dlcore import rooms  # noqa: E402
from tests.harness import REPO, free_port, running_app  # noqa: E402

HOSTILE, PRESENTER = "203.0.113.66", "198.51.100.7"  # documentation addresses (RFC 5737)


def serve_module():
    loader = importlib.machinery.SourceFileLoader("serve", str(REPO / "deploy" / "serve"))
    spec = importlib.util.spec_from_loader("serve", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def start_proxy(stack: ExitStack, backend: str) -> str:
    """HAProxy with deploy/haproxy.cfg (the deployment's limits) in front of ``backend``."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        raise SystemExit("needs HAProxy: apt-get install haproxy")
    port = free_port()
    cfg = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "haproxy.cfg"
    cfg.write_text(serve_module().haproxy_config("127.0.0.1", port, [backend]))
    proc = subprocess.Popen([haproxy, "-f", str(cfg), "-db"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    stack.callback(lambda: (proc.terminate(), proc.wait(10)))
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                return url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("HAProxy did not answer: " + (proc.stderr.read() or ""))


def texts(s: Session) -> str:
    return "\n".join(s.texts())


async def start_room(s: Session) -> str:
    """Press "Start a room" once: "started", "refused: <why>" or "other"."""
    await s.click("talk-start" if any(w.id.endswith("-talk-start") for _, _, w in s.widgets())
                  else "talk-start-2")
    shown = texts(s)
    for why in ("rooms open already", "Too many rooms started", "too many rooms"):
        if why in shown:
            return "refused: " + why
    return "started" if "Room code:" in shown or "You present room" in shown else "other"


async def flood_rooms(url: str, n: int, out: dict) -> list[Session]:
    sessions, outcomes = [], []
    for _ in range(n):
        s = Session(url, "talk", headers={"X-Forwarded-For": HOSTILE})
        await s.open()
        sessions.append(s)
        for _ in range(2):
            try:
                outcomes.append(await start_room(s))
            except KeyError:  # presenting: no start button any more
                outcomes.append("refused: no button (presenting)")
    out["rooms"] = {"attempts": len(outcomes),
                    "started": outcomes.count("started"),
                    "refused": {o: outcomes.count(o) for o in set(outcomes) if o != "started"}}
    presenter = Session(url, "talk", headers={"X-Forwarded-For": PRESENTER})
    await presenter.open()
    out["rooms"]["presenter_elsewhere"] = await start_room(presenter)
    sessions.append(presenter)
    return sessions


async def clear_and_retry(url: str, clears: int, out: dict) -> list[Session]:
    s = Session(url, "home", headers={"X-Forwarded-For": HOSTILE})
    await s.open()
    for _ in range(clears):
        await s.clear_cache()
    again = Session(url, "talk", headers={"X-Forwarded-For": HOSTILE})
    await again.open()
    out["clear_cache"] = {"sent": clears, "flooding_address_after": await start_room(again)}
    return [s, again]


async def probe_codes(url: str, n: int, out: dict) -> list[Session]:
    s = Session(url, "talk", headers={"X-Forwarded-For": HOSTILE})
    await s.open()
    counts = {"unknown": 0, "refused": 0, "other": 0}
    rng = random.Random(0)
    for _ in range(n):
        code = "".join(rng.choice(rooms.CODE_ALPHABET) for _ in range(rooms.CODE_LENGTH))
        s.query = f"room={code}"
        await s.wait(await s.rerun())
        shown = texts(s)
        counts["refused" if "Too many room codes" in shown else
               "unknown" if "There is no room" in shown else "other"] += 1
    out["probes"] = {"codes_tried": n, **counts}
    return [s]


def _put(url: str, cookies: dict[str, str], body: bytes, boundary: str) -> int:
    """PUT ``body`` as a browser's upload does; the status, also when the proxy answers
    (429) and closes before the body is sent (-1: no answer at all)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("PUT", parts.path)
        for k, v in {"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "Content-Length": str(len(body)),
                     "X-Xsrftoken": cookies.get("_streamlit_xsrf", ""),
                     "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}.items():
            conn.putheader(k, v)
        conn.endheaders()
        try:
            for i in range(0, len(body), 256 * 1024):
                conn.send(body[i:i + 256 * 1024])
        except OSError:
            pass  # refused before the body: the answer is waiting
        try:
            return conn.getresponse().status
        except (OSError, http.client.HTTPException):
            return -1
    finally:
        conn.close()


async def flood_uploads(proxy: str, n: int, mb: float, pid: int, out: dict) -> list[Session]:
    s = Session(proxy, "digits")
    await s.open()
    boundary = secrets.token_hex(8)
    payload = os.urandom(int(mb * 1e6))
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + payload + \
        f"\r\n--{boundary}--\r\n".encode()
    statuses: dict[str, int] = {}
    before = rss_mb(pid)
    accepted_mb, peak = 0.0, before
    loop = asyncio.get_running_loop()
    for _ in range(n):
        url = f"{proxy}/_stcore/upload_file/{s.session_id}/{secrets.token_hex(16)}"
        status = await loop.run_in_executor(None, _put, url, dict(s.cookies), body, boundary)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status in (200, 204):
            accepted_mb += len(payload) / 1e6
        peak = max(peak, rss_mb(pid))
    out["uploads"] = {"sent": n, "mb_each": mb, "statuses": statuses,
                      "accepted_mb": round(accepted_mb, 1),
                      "refused": sum(v for k, v in statuses.items() if k in ("429", "413")),
                      "server_rss_mb_before": round(before), "server_peak_rss_mb": round(peak),
                      "growth_mb": round(peak - before)}
    return [s]


async def scenario(url: str, proxy: str, pid: int, args, out: dict) -> None:
    for page in ("talk", "home", "digits"):  # imports and models once: not the floods' cost
        warm = Session(url, page)
        await warm.open()
        await warm.close()
    out["rss_mb"] = {"before": round(rss_mb(pid))}
    sessions: list[Session] = []
    try:
        sessions += await flood_rooms(url, args.rooms, out)
        sessions += await clear_and_retry(url, args.clears, out)
        sessions += await probe_codes(url, args.probes, out)
        sessions += await flood_uploads(url if args.uploads_direct else proxy, args.uploads,
                                        args.upload_mb, pid, out)
        out["rss_mb"]["after_floods"] = round(rss_mb(pid))
    finally:
        for s in sessions:
            await s.close()
    await asyncio.sleep(3)  # the server notices the closed sockets (a benchmark, not a test)
    out["rss_mb"]["after_close"] = round(rss_mb(pid))
    out["rss_mb"]["growth_during_floods"] = out["rss_mb"]["after_floods"] - out["rss_mb"]["before"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rooms", type=int, default=12, help="flooding sessions (each 2 starts)")
    ap.add_argument("--probes", type=int, default=30)
    ap.add_argument("--clears", type=int, default=5)
    ap.add_argument("--uploads", type=int, default=60)
    ap.add_argument("--upload-mb", type=float, default=4.5)
    ap.add_argument("--seconds", type=float, default=110)
    ap.add_argument("--uploads-direct", action="store_true",
                    help="upload to Streamlit itself, past the proxy (what the limits prevent)")
    args = ap.parse_args()
    args.rooms, args.probes = min(args.rooms, 100), min(args.probes, 200)
    args.clears, args.uploads = min(args.clears, 50), min(args.uploads, 200)
    args.upload_mb = min(args.upload_mb, 5.0)
    out: dict = {"limits": {"per_session": rooms.PER_SESSION, "per_address": rooms.PER_ADDRESS,
                            "starts_per_minute": rooms.STARTS,
                            "unknown_codes_per_10_min": rooms.UNKNOWN_CODES}}
    started = time.perf_counter()
    with ExitStack() as stack:
        app = stack.enter_context(running_app(env={"DLCORE_TRUST_PROXY": "1"}))
        proxy = start_proxy(stack, app.url.removeprefix("http://"))
        try:
            asyncio.run(asyncio.wait_for(scenario(app.url, proxy, app.pid, args, out),
                                         args.seconds))
        except TimeoutError:
            out["stopped"] = f"the --seconds limit ({args.seconds:.0f} s) was reached"
    out["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
