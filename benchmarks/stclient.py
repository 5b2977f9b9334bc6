"""A headless client of Streamlit 1.67's browser protocol, for load benchmarks.

It speaks to the server what the browser's frontend speaks (read from the installed
package: ``web/server/starlette/starlette_websocket.py`` and the bundled frontend's
``ConnectionManager`` / ``WebsocketConnection`` / ``ForwardMsgCache`` / ``App``):

- ``GET /<page>?<query>`` (the page's HTML: it sets the ``_streamlit_xsrf`` cookie),
  ``GET /_stcore/health`` and ``GET /_stcore/host-config`` (the frontend's ping);
- a websocket on ``/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf cookie>]``
  (the frontend repurposes the subprotocol header for its XSRF token), an ``Origin``
  header, and the cookies;
- a first ``BackMsg.rerun_script`` with the query string, ``page_name`` (the URL path
  under the base), an empty page script hash and ``context_info`` (url, timezone, locale);
- every later rerun carries all the session's widget states (the frontend sends every
  mounted widget's value, triggers once), the current page script hash, the query string
  the server last set (the page script hash comes from ``navigation``, as in the
  frontend: ``new_session`` carries the main script's), and ``cached_message_hashes``: the hashes of the cacheable
  ``new_element`` deltas this client keeps, so the server answers with ``ref_hash``
  references that the client resolves from its own cache (a miss is an error, as in the
  frontend); messages expire after ``max_cached_message_age`` runs (from ``new_session``);
- ``auto_rerun`` (``st.fragment(run_every=...)``): the frontend, not the server, times
  fragment reruns; this client does the same, sending ``rerun_script`` with the
  fragment id and ``is_auto_rerun`` every ``interval`` seconds until ``stop_auto_rerun``
  or the next full run (which sends its own ``auto_rerun`` again).

Each rerun is recorded (``Run``): when it was asked, when the first delta came, when
``script_finished`` came, the bytes and messages received, and the exceptions in the
deltas. Widgets are found by label or key (the widget id ends in the user's key) and
"pressed" or "set" as the browser does, with the fragment id of the widget's delta.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import json
import time
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
               ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
WIDGETS = {"button", "download_button", "checkbox", "slider", "radio", "selectbox",
           "number_input", "text_input", "text_area", "button_group", "multiselect",
           "pagination", "component_instance", "file_uploader", "camera_input",
           "color_picker", "date_input", "time_input", "bidi_component"}


# the page GETs of many sessions opening at once run side by side (asyncio's default
# executor has min(32, cores + 4) threads: 6 here, which would queue 50 opens)
_HTTP = concurrent.futures.ThreadPoolExecutor(max_workers=128, thread_name_prefix="stclient")


class ProtocolError(RuntimeError):
    pass


@dataclass
class Run:
    """One rerun as this client saw it."""
    kind: str  # "open", "user", "auto"
    fragment: str = ""
    sent: float = 0.0
    first_delta: float | None = None
    finished: float | None = None
    status: str = ""
    bytes: int = 0
    deflated: int = 0  # what permessage-deflate sends for them (Session.deflate)
    messages: int = 0
    deltas: int = 0
    exceptions: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        return None if self.finished is None else self.finished - self.sent


def _http_get(url: str, cookies: dict[str, str], timeout: float) -> tuple[int, list[str], bytes]:
    req = urllib.request.Request(url, headers={
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "User-Agent": "stclient (benchmarks/stclient.py)"} if cookies else
        {"User-Agent": "stclient (benchmarks/stclient.py)"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.headers.get_all("Set-Cookie") or [], r.read()


def element_label(el) -> str:
    kind = el.WhichOneof("type")
    return getattr(getattr(el, kind), "label", "") if kind else ""


def element_text(el) -> str:
    """The readable text of an element (markdown, heading, text, alert, caption, metric)."""
    kind = el.WhichOneof("type")
    if kind in ("markdown", "heading", "text", "alert"):
        return getattr(el, kind).body
    if kind == "code":
        return el.code.code_text
    if kind == "metric":
        return f"{el.metric.label}: {el.metric.body}"
    if kind == "exception":
        return f"{el.exception.type}: {el.exception.message}"
    return element_label(el)


class Session:
    """One browser tab's session. ``await s.open()``, then ``click``/``set``, ``close``."""

    def __init__(self, base_url: str, page: str = "", query: str = "", *,
                 follow_auto_reruns: bool = True, timeout: float = 60.0,
                 deflate: bool = False, compression: bool = False,
                 headers: dict[str, str] | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.headers = dict(headers or {})  # extra websocket headers (X-Forwarded-For)
        self.page = page.strip("/")
        self.query = query.lstrip("?")
        self.follow_auto_reruns = follow_auto_reruns
        self.timeout = timeout
        # Also count what permessage-deflate sends: every message through one compressor
        # per connection with context takeover, as tornado's defaults do (zlib level 6,
        # 15-bit window, a sync flush per message whose 4-byte tail is not sent).
        self.deflate = deflate
        self._deflater = zlib.compressobj(6, zlib.DEFLATED, -15, 8) if deflate else None
        self.compression = compression  # ask the server for permessage-deflate
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.cache: dict[str, tuple[bytes, int, str]] = {}  # hash -> (msg, run count, fragment)
        self.run_count = 0
        self.max_age = 2
        self.page_script_hash = ""
        self.session_id = ""
        self.elements: dict[tuple[int, ...], object] = {}  # delta path -> Element
        self.element_run: dict[tuple[int, ...], str] = {}
        self.element_fragment: dict[tuple[int, ...], str] = {}
        self.states: dict[str, WidgetState] = {}  # widget id -> its current state
        self.runs: list[Run] = []
        self.pending: list[Run] = []
        self.autoreruns: dict[str, tuple[float, asyncio.Task]] = {}
        self.closed_reason: str | None = None
        self.total_bytes = 0
        self.errors: list[str] = []
        self.traces: list[str] = []  # the stack traces of the exceptions in the deltas
        self._changed = asyncio.Event()
        self.current_run_id = ""
        self.run_started = 0.0
        self.last_message = 0.0
        self.watchers: list = []  # (predicate, future) pairs of wait_for
        self.finishes: list[tuple[float, str, list[str]]] = []  # every finished run
        # every run's start and end as the server reported them, early ends included
        # (time, "start" or the status, number of fragments, run id): the last 200
        self.events: collections.deque = collections.deque(maxlen=200)

    # ------------------------------------------------------------------ connecting
    async def open(self) -> Run:
        run = Run("open", sent=time.perf_counter())
        path = "/" + self.page + ("?" + self.query if self.query else "")
        for url in (self.base + path, self.base + "/_stcore/health",
                    self.base + "/_stcore/host-config"):
            status, set_cookies, _ = await asyncio.get_running_loop().run_in_executor(
                _HTTP, _http_get, url, dict(self.cookies), self.timeout)
            for header in set_cookies:
                c = SimpleCookie()
                c.load(header)
                self.cookies.update({k: m.value for k, m in c.items()})
            if status != 200:
                raise ProtocolError(f"GET {url}: HTTP {status}")
        xsrf = self.cookies.get("_streamlit_xsrf")
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        ws_url = "ws" + self.base[4:] + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url, subprotocols=protocols, origin=self.base, max_size=None,
            compression="deflate" if self.compression else None,
            additional_headers={**self.headers,
                                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())},
            open_timeout=self.timeout, ping_interval=None)
        self.reader = asyncio.create_task(self._read())
        self.pending.append(run)
        self.runs.append(run)
        await self._send_rerun(first=True)
        await self.wait(run)
        return run

    async def close(self) -> None:
        for _, task in self.autoreruns.values():
            task.cancel()
        self.autoreruns.clear()
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            try:
                await asyncio.wait_for(self.reader, 5)
            except (TimeoutError, asyncio.CancelledError):
                self.reader.cancel()

    async def __aenter__(self) -> Session:
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # ------------------------------------------------------------------ sending
    def _context(self):
        url = self.base + "/" + self.page + ("?" + self.query if self.query else "")
        return {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "url": url,
                "is_embedded": False, "color_scheme": "light"}

    async def _send_rerun(self, *, first: bool = False, fragment: str = "",
                          auto: bool = False) -> None:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        if first:
            rs.page_script_hash = ""
            rs.page_name = self.page
        else:
            rs.page_script_hash = self.page_script_hash
            rs.widget_states.widgets.extend(self.states.values())
        if fragment:
            rs.fragment_id = fragment
        rs.is_auto_rerun = auto
        rs.cached_message_hashes.extend(self.cache.keys())
        for k, v in self._context().items():
            setattr(rs.context_info, k, v)
        await self.ws.send(msg.SerializeToString())
        # triggers (buttons) fire once: the frontend clears them after sending (the
        # reader may have dropped one meanwhile: a run drew the page without it)
        for wid in [w for w, s in self.states.items()
                    if s.WhichOneof("value") in ("trigger_value", "string_trigger_value",
                                                 "json_trigger_value")]:
            self.states.pop(wid, None)

    async def clear_cache(self) -> None:
        """Send Streamlit's ``clear_cache`` BackMsg (the "Clear caches" of the developer
        menu): the server empties ``st.cache_data`` and ``st.cache_resource`` for every
        session, whoever sends it (issue 23)."""
        msg = BackMsg()
        msg.clear_cache = True
        await self.ws.send(msg.SerializeToString())

    async def press(self, name: str) -> Run:
        """Press a button without waiting for the run to finish (a run that waits for a
        training slot finishes late): ``wait`` or ``wait_for`` it."""
        path, _, w = self.find(name, "button")
        s = WidgetState(id=w.id)
        s.trigger_value = True
        self.states[w.id] = s
        return await self.rerun(fragment=self.element_fragment.get(path, ""))

    async def rerun(self, *, fragment: str = "", auto: bool = False) -> Run:
        run = Run("auto" if auto else "user", fragment=fragment, sent=time.perf_counter())
        self.pending.append(run)
        self.runs.append(run)
        await self._send_rerun(fragment=fragment, auto=auto)
        return run

    async def wait(self, run: Run, timeout: float | None = None) -> Run:
        deadline = time.perf_counter() + (timeout or self.timeout)
        while run.finished is None:
            if self.closed_reason:
                raise ProtocolError(f"socket closed: {self.closed_reason}")
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {timeout or self.timeout} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass
        return run

    async def wait_for(self, predicate, timeout: float | None = None) -> float:
        """Wait until ``predicate(self)`` holds; returns the ``perf_counter`` time at which
        the message that made it hold arrived (checked after every message, so the time
        is the arrival's, not when this coroutine woke)."""
        if predicate(self):
            return time.perf_counter()
        fut = asyncio.get_running_loop().create_future()
        self.watchers.append((predicate, fut))
        try:
            return await asyncio.wait_for(fut, timeout or self.timeout)
        finally:
            if (predicate, fut) in self.watchers:
                self.watchers.remove((predicate, fut))

    # ------------------------------------------------------------------ widgets
    def widgets(self) -> list[tuple[tuple[int, ...], str, object]]:
        """``(path, kind, proto)`` for every widget on screen, in page order."""
        out = []
        for path in sorted(self.elements):
            el = self.elements[path]
            kind = el.WhichOneof("type")
            if kind in WIDGETS:
                out.append((path, kind, getattr(el, kind)))
        return out

    def find(self, name: str, kind: str | None = None):
        """The widget whose label is ``name`` (or whose key is ``name``)."""
        hits = []
        for path, k, w in self.widgets():
            if kind and k != kind:
                continue
            label = getattr(w, "label", "")
            if not name or label == name or w.id.endswith("-" + name) or w.id == name:
                hits.append((path, k, w))
        if not hits:
            for path, k, w in self.widgets():  # a label that starts with the name
                if (not kind or k == kind) and getattr(w, "label", "").startswith(name):
                    hits.append((path, k, w))
        if not hits:
            have = [f"{k}:{getattr(w, 'label', '')!r}" for _, k, w in self.widgets()]
            raise KeyError(f"no widget {name!r} ({kind or 'any'}); on screen: {have}")
        return hits[0]

    def value(self, name: str):
        _, kind, w = self.find(name)
        s = self.states.get(w.id)
        if s is None:
            return None
        return _state_value(s)

    async def click(self, name: str) -> Run:
        path, kind, w = self.find(name)
        s = WidgetState(id=w.id)
        s.trigger_value = True
        self.states[w.id] = s
        run = await self.rerun(fragment=self.element_fragment.get(path, ""))
        return await self.wait(run)

    async def set(self, name: str, value) -> Run:
        """Set a widget to ``value`` (a number for a slider/number input, a string for a
        text input/radio/selectbox, a list for a range slider or a multiselect)."""
        path, kind, w = self.find(name)
        s = WidgetState(id=w.id)
        if kind == "slider":
            vals = value if isinstance(value, (list, tuple)) else [value]
            if w.options:  # select_slider: the options' strings
                s.string_array_value.data.extend(str(v) for v in vals)
            else:
                s.double_array_value.data.extend(float(v) for v in vals)
        elif kind == "number_input":
            s.double_value = float(value)
        elif kind == "checkbox":
            s.bool_value = bool(value)
        elif kind in ("text_input", "text_area", "radio", "selectbox", "color_picker"):
            s.string_value = str(value)
        elif kind in ("button_group", "multiselect"):
            vals = value if isinstance(value, (list, tuple)) else [value]
            s.string_array_value.data.extend(str(v) for v in vals)
        elif kind == "pagination":
            s.int_value = int(value)
        elif kind in ("component_instance", "bidi_component"):  # a component's state: JSON
            s.json_value = value if isinstance(value, str) else json.dumps(value)
        else:
            raise ValueError(f"cannot set a {kind}")
        self.states[w.id] = s
        run = await self.rerun(fragment=self.element_fragment.get(path, ""))
        return await self.wait(run)

    def _mount(self, el) -> None:
        """What a widget's frontend component stores when it mounts: its value."""
        kind = el.WhichOneof("type")
        w = getattr(el, kind)
        if kind in ("button", "download_button", "file_uploader", "camera_input",
                    "component_instance", "bidi_component"):
            return
        if w.id in self.states:  # the user's own value stays unless the server sets it
            if not getattr(w, "set_value", False):
                return
        s = WidgetState(id=w.id)
        try:
            if kind == "slider":
                vals = list(w.value) if w.set_value else list(w.default)
                if w.options:
                    s.string_array_value.data.extend(w.options[int(v)] for v in vals)
                else:
                    s.double_array_value.data.extend(vals)
            elif kind == "checkbox":
                s.bool_value = w.value if w.set_value else w.default
            elif kind == "number_input":
                if w.set_value:
                    s.double_value = w.value
                elif w.HasField("default"):
                    s.double_value = w.default
                else:
                    return
            elif kind in ("text_input", "text_area"):
                if w.set_value:
                    s.string_value = w.value
                elif w.HasField("default"):
                    s.string_value = w.default
                else:
                    return
            elif kind in ("radio", "selectbox"):
                if w.set_value and w.HasField("raw_value"):
                    s.string_value = w.raw_value
                elif w.HasField("default") and w.options:
                    s.string_value = w.options[w.default]
                else:
                    return
            elif kind == "multiselect":
                vals = list(w.raw_values) if w.set_value else [w.options[i] for i in w.default]
                s.string_array_value.data.extend(vals)
            elif kind == "button_group":
                vals = list(w.raw_values) if w.set_value else [
                    w.options[i].content for i in w.default]
                s.string_array_value.data.extend(vals)
            elif kind == "pagination":
                s.int_value = w.value if w.set_value else w.default
            else:
                return
        except (IndexError, AttributeError, ValueError):
            return
        self.states[w.id] = s

    # ------------------------------------------------------------------ page content
    def texts(self) -> list[str]:
        return [element_text(self.elements[p]) for p in sorted(self.elements)]

    def kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for el in self.elements.values():
            k = el.WhichOneof("type")
            out[k] = out.get(k, 0) + 1
        return out

    def heading(self) -> str:
        for p in sorted(self.elements):
            el = self.elements[p]
            if el.WhichOneof("type") == "heading":
                return el.heading.body
        return ""

    # ------------------------------------------------------------------ receiving
    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self._on_bytes(data)
                self._changed.set()
                for pred, fut in list(self.watchers):
                    if not fut.done() and pred(self):
                        fut.set_result(self.last_message)
        except websockets.ConnectionClosed as err:
            self.closed_reason = f"closed: {err}"
        except Exception as err:  # a protocol error: record it, stop reading
            self.closed_reason = f"{type(err).__name__}: {err}"
            self.errors.append(self.closed_reason)
        else:
            self.closed_reason = "closed"
        finally:
            self._changed.set()
            for _, fut in self.watchers:
                if not fut.done():
                    fut.set_exception(ProtocolError(f"socket closed: {self.closed_reason}"))

    def _on_bytes(self, data: bytes) -> None:
        now = self.last_message = time.perf_counter()
        self.total_bytes += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        run = next((r for r in self.pending if r.kind != "auto"),
                   self.pending[0] if self.pending else None)
        sent = (len(self._deflater.compress(data) + self._deflater.flush(zlib.Z_SYNC_FLUSH)) - 4
                if self._deflater is not None else 0)  # every message shares the window
        if run is not None:
            run.bytes += len(data)
            run.messages += 1
            run.deflated += sent
        if msg.WhichOneof("type") != "ref_hash" and msg.metadata.cacheable and msg.hash:
            if msg.hash not in self.cache:
                self.cache[msg.hash] = (data, self.run_count, msg.delta.fragment_id)
        if msg.WhichOneof("type") == "ref_hash":
            hit = self.cache.get(msg.ref_hash)
            if hit is None:
                raise ProtocolError(f"cached ForwardMsg MISS [hash={msg.ref_hash}]")
            self.cache[msg.ref_hash] = (hit[0], self.run_count, hit[2])
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.ParseFromString(hit[0])
            msg.metadata.CopyFrom(metadata)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            ns = msg.new_session
            if not msg.metadata.run.fragment_ids:  # a full run (the frontend's handleNewSession)
                self.page_script_hash = ns.page_script_hash  # until `navigation` names the page
                for _, task in self.autoreruns.values():  # cleanupAutoReruns
                    task.cancel()
                self.autoreruns.clear()
            self.max_age = ns.config.max_cached_message_age or self.max_age
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self.current_run_id = msg.metadata.run.script_run_id
            self.run_started = now
            self.events.append((now, "start", len(msg.metadata.run.fragment_ids),
                                msg.metadata.run.script_run_id[:8]))
        elif kind == "delta":
            if run is not None:
                run.deltas += 1
                if run.first_delta is None:
                    run.first_delta = now
            path = tuple(msg.metadata.delta_path)
            d = msg.delta
            if d.WhichOneof("type") == "new_element":
                el = d.new_element
                self.elements[path] = el
                self.element_run[path] = msg.metadata.run.script_run_id
                self.element_fragment[path] = d.fragment_id
                ek = el.WhichOneof("type")
                if ek == "exception":
                    text = f"{el.exception.type}: {el.exception.message}"
                    self.traces.append("\n".join(el.exception.stack_trace))
                    if run is not None:
                        run.exceptions.append(text)
                    self.errors.append(text)
                elif ek in WIDGETS:
                    self._mount(el)
            elif d.WhichOneof("type") == "add_block":
                self.element_run[path] = msg.metadata.run.script_run_id
        elif kind == "navigation":  # st.navigation: the page this session is on
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self._auto(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                entry = self.autoreruns.pop(fid, None)
                if entry:
                    entry[1].cancel()
        elif kind == "script_finished":
            status = msg.script_finished
            frags = list(msg.metadata.run.fragment_ids)
            self.events.append((now, ForwardMsg.ScriptFinishedStatus.Name(status), len(frags),
                                msg.metadata.run.script_run_id[:8]))
            if status in (ForwardMsg.FINISHED_SUCCESSFULLY,
                          ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                self._expire(frags)
            if status == ForwardMsg.FINISHED_SUCCESSFULLY and not frags:
                rid = msg.metadata.run.script_run_id
                for p in [p for p, r in self.element_run.items() if r and r != rid]:
                    self.elements.pop(p, None)
                    self.element_run.pop(p, None)
                    self.element_fragment.pop(p, None)
            if status in FINISHED_OK:
                self._finish(now, status, frags)

    def _finish(self, now: float, status, frags: list[str]) -> None:
        self.finishes.append((now, ForwardMsg.ScriptFinishedStatus.Name(status), frags))
        """Match a finished run to the request it answers. The server merges requests
        that arrive while a run is queued (a full rerun covers a queued fragment rerun),
        so auto reruns asked before this full run began are done too."""
        name = self.finishes[-1][1]
        if frags:
            done = next((r for r in self.pending if r.fragment in frags), None)
        else:
            done = next((r for r in self.pending if not r.fragment), None)
            if done is None:
                done = next((r for r in self.pending if r.kind == "auto"), None)
        if done is not None:
            self.pending.remove(done)
            done.finished, done.status = now, name
        if not frags:
            for r in [r for r in self.pending if r.kind == "auto" and r.sent < self.run_started]:
                self.pending.remove(r)
                r.finished, r.status = now, "MERGED"

    def _expire(self, fragments: list[str]) -> None:
        """The frontend's ForwardMsgCache.incrementRunCount."""
        self.run_count += 1
        for h, (_, count, frag) in list(self.cache.items()):
            if fragments and (not frag or frag not in fragments):
                continue
            if self.run_count - count > self.max_age:
                del self.cache[h]

    def _auto(self, fragment: str, interval: float) -> None:
        if not fragment or not self.follow_auto_reruns:
            return
        old = self.autoreruns.get(fragment)
        if old and old[0] == interval:
            return
        if old:
            old[1].cancel()

        async def tick() -> None:
            while True:
                await asyncio.sleep(interval)
                if self.closed_reason:
                    return
                try:
                    await self.rerun(fragment=fragment, auto=True)
                except websockets.ConnectionClosed:
                    return
                except Exception as err:  # noqa: BLE001 - a browser's timer goes on too
                    self.errors.append(f"timed rerun: {type(err).__name__}: {err}")

        self.autoreruns[fragment] = (interval, asyncio.create_task(tick()))


def _state_value(s: WidgetState):
    kind = s.WhichOneof("value")
    v = getattr(s, kind)
    if hasattr(v, "data"):
        return list(v.data)
    return v


def pages(base_url: str) -> list[str]:
    """The app's page URL paths, from the catalog (home is "")."""
    from ui import catalog

    return [c.url_path for c in catalog.available()]


def quote(params: dict) -> str:
    return urllib.parse.urlencode(params)


# --------------------------------------------------------------------------- checking
def summarise(frames: list[bytes]) -> dict:
    """What a list of received ForwardMsg frames holds: deltas, element kinds, bytes."""
    kinds: dict[str, int] = {}
    out = {"messages": len(frames), "bytes": sum(map(len, frames)), "deltas": 0,
           "ref_hash": 0, "finished": []}
    for data in frames:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        t = msg.WhichOneof("type")
        if t == "ref_hash":
            out["ref_hash"] += 1
        elif t == "delta":
            out["deltas"] += 1
            d = msg.delta
            k = (d.new_element.WhichOneof("type") if d.WhichOneof("type") == "new_element"
                 else d.WhichOneof("type"))
            kinds[k] = kinds.get(k, 0) + 1
        elif t == "script_finished":
            out["finished"].append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))
    out["kinds"] = dict(sorted(kinds.items()))
    return out


def browser_frames(url: str, page: str, settle: float = 3.0,
                   click: str | None = None) -> tuple[list[bytes], list[bytes]]:
    """The ForwardMsg frames Chromium receives opening ``url/page`` (Playwright), and
    those after it presses the button labelled ``click``."""
    from playwright.sync_api import sync_playwright

    from tests.harness import CHROMIUM, CHROMIUM_ARGS, wait_for_app

    frames: list[bytes] = []

    def settled(n: int) -> None:
        deadline = time.time() + 60
        while time.time() < deadline and len(summarise(frames)["finished"]) < n:
            pg.wait_for_timeout(100)
        pg.wait_for_timeout(settle * 1000)

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = b.new_page(viewport={"width": 1440, "height": 900})

        def on_ws(ws) -> None:
            if ws.url.endswith("/_stcore/stream"):
                ws.on("framereceived", lambda f: frames.append(
                    f if isinstance(f, bytes) else f.encode()))

        pg.on("websocket", on_ws)
        pg.goto(f"{url}/{page}")
        wait_for_app(pg)
        settled(1)
        opened = list(frames)
        if click:
            pg.get_by_role("button", name=click).first.click()
            settled(len(summarise(frames)["finished"]) + 1)
        b.close()
    return opened, frames[len(opened):]


async def client_frames(url: str, page: str, settle: float = 3.0,
                        click: str | None = None) -> tuple[list[bytes], list[bytes]]:
    frames: list[bytes] = []
    s = Session(url, page)
    orig = s._on_bytes

    def keep(data: bytes) -> None:
        frames.append(data)
        orig(data)

    s._on_bytes = keep
    await s.open()
    await asyncio.sleep(settle)
    opened = list(frames)
    if click:
        await s.click(click)
        await asyncio.sleep(settle)
    await s.close()
    return opened, frames[len(opened):]


def compare(pages_: list[str], clicks: dict[str, str]) -> dict:
    """Open each page once in Chromium and once with this client, against one server, and
    press the same button in both where ``clicks`` names one."""
    from tests.harness import running_app

    keys = ("deltas", "kinds", "finished", "bytes", "ref_hash")
    rows = {}
    with running_app() as app:
        asyncio.run(client_frames(app.url, "", 0))  # warm the server's imports
        for page in pages_:
            asyncio.run(client_frames(app.url, page, 0))  # the page's own imports, once
            b_open, b_click = browser_frames(app.url, page, click=clicks.get(page))
            c_open, c_click = asyncio.run(client_frames(app.url, page, click=clicks.get(page)))
            row = {"open": {"browser": summarise(b_open), "client": summarise(c_open)}}
            if page in clicks:
                row["click " + clicks[page]] = {"browser": summarise(b_click),
                                                "client": summarise(c_click)}
            row["same"] = all(v["browser"][k] == v["client"][k]
                              for v in row.values() for k in keys)
            rows[page or "home"] = row
    return rows


if __name__ == "__main__":
    import argparse
    import sys

    ap = argparse.ArgumentParser(description="Check this client against Chromium: the "
                                 "frames each receives opening the same pages.")
    ap.add_argument("--pages", nargs="*", default=None)
    ap.add_argument("--click", nargs=2, action="append", default=[],
                    metavar=("PAGE", "BUTTON"), help="also press this button on this page")
    args = ap.parse_args()
    from ui import catalog

    todo = args.pages if args.pages is not None else [""] + [
        c.url_path for c in catalog.available()]
    result = compare(todo, dict(args.click))
    print(json.dumps(result, indent=1))
    sys.exit(0 if all(r["same"] for r in result.values()) else 1)
