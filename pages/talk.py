"""The talk as a live deck: the slides in order, a clicker drives it, the room follows.

reveal.js's keyboard navigation, speaker view and multiplex plugin, for this app: the
presenter starts a room (``dlcore.rooms``), the title slide shows its QR code, and every
audience browser that opens ``talk?room=CODE`` (or types the code) follows the
presenter's slide and the presenter's live view until its person presses Explore. Only
the presenter can move the room: its secret token stays in the presenter's own browser
(localStorage, through ``ui/deckkeys.py``), so a reload, a second tab or the speaker view
proves itself the presenter and nobody else does. The clicker's keys are caught before
any widget sees them (``ui/deckkeys.py``); ``?print=1`` draws every slide for a PDF.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import json
import os
import secrets
import time
import uuid
from urllib.parse import urlparse

import streamlit as st
from streamlit import config as st_config

from dlcore import rooms
from ui import deckkeys, kit, roomview, slides
from ui import slide_pictures as pictures
from ui.states.talk import TalkState

SLIDES = slides.SLIDES
N = len(SLIDES)
# Seconds between an audience browser's looks at the room (the mean of follow_every).
# benchmarks/room.py, 50 followers on 2 loaded cores, with every screen in one phase
# (before follow_every): 1.0 s gave slide changes p95 1.58 s and 20.5% of a core idle;
# 1.5 s gave 2.20 s and 16.9%. With follow_every, 1.2 s: 1.08-1.41 s, 12-18%.
FOLLOW_EVERY = 1.2
# Each screen looks at its own interval, 0.85-1.15 x FOLLOW_EVERY (the mean unchanged),
# from its id. The browser keeps a fragment's timer from the screen's first run, so screens
# opened at one moment (a room scanning the QR code together) looked all at once, one
# wave of 50 reruns after every slide change: the tail of a change was the wave's wait
# plus the whole queue. Their intervals differing, their looks drift apart within a few.
FOLLOW_SPREAD = 0.15


def follow_every(me: str) -> float:
    """The seconds between one screen's looks at the room, from its id (hex)."""
    u = int(me[:6], 16) / 0xFFFFFF
    return round(FOLLOW_EVERY * (1 - FOLLOW_SPREAD + 2 * FOLLOW_SPREAD * u), 3)


TOKEN, CODE, DETACHED, ERROR, STARTED, SHOWN = (
    f"{TalkState.PAGE}._{k}" for k in ("token", "code", "detached", "error", "started", "shown"))
KEEP, DROP, PENDING, SENT, BASE, ME, SLIDE_AT, ENDED, BIGQR, APPLIED, DRAWN, RENEWED = (
    f"{TalkState.PAGE}._{k}" for k in ("keep", "drop", "pending", "sent", "base", "me",
                                       "slide_at", "ended", "bigqr", "applied", "drawn",
                                       "renewed"))
PUBLIC_URL_ENV = "DLGS_PUBLIC_URL"  # the address the room's QR code holds, behind a proxy
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]")
clock = time.time  # the speaker view's clock; tests replace it
PRESENTING = f"{TalkState.PAGE}._presenting"  # session: rooms.Presenting (the room's state)
CLIENT = f"{TalkState.PAGE}._client"  # session: a random name of this session, for the limits


def store() -> rooms.RoomStore:
    return rooms.store_from_env()


def presenting() -> str | None:
    """The code of the room this session presents, if any."""
    return st.session_state.get(CODE) if st.session_state.get(TOKEN) else None


def client() -> rooms.Client:
    """This session and its address, for the rooms' per-client limits (behind the proxy,
    ``DLCORE_TRUST_PROXY=1``: the address HAProxy appended to X-Forwarded-For)."""
    headers = st.context.headers or {}
    address = rooms.client_address(st.context.ip_address, headers.get("X-Forwarded-For"),
                                   os.environ.get("DLCORE_TRUST_PROXY", "") == "1")
    session = st.session_state.setdefault(CLIENT, secrets.token_hex(8))
    return rooms.Client(session, address)


def presenter_side() -> rooms.Presenting | None:
    """The presenter's side of the room (made from the token and code when missing)."""
    code = presenting()
    if not code:
        return None
    side = st.session_state.get(PRESENTING)
    if side is None or side.code != code:
        side = st.session_state[PRESENTING] = rooms.Presenting(code, st.session_state[TOKEN])
    return side


def go(to: int) -> None:
    """Move to slide ``to`` (clamped). A presented room is moved by the run that follows
    (:func:`sync_room`), as it is for browser Back or a typed link."""
    kit.mark_moved()  # a key or a button: the address this rerun brought may be old
    to = min(max(1, int(to)), N)
    kit.set_value(TalkState, "slide", to)
    if presenting():
        st.session_state[SENT] = {}  # a slide arrived at shows its preset
    elif kit.value(TalkState, "room"):
        _detach()  # a follower who moves on their own explores


def sync_room(slide: int) -> None:
    """Every slide the presenter is on (keys, Back, a typed ``?slide=``) moves the room;
    if it cannot, the page says so and tries again every few seconds."""
    side = presenter_side()
    if side is None:
        return
    side.sync(store(), slide)
    if side.note:
        st.info(side.note, icon="🔁")
        side.note = ""
    if side.problem:
        @st.fragment(run_every=3.0)
        def retry() -> None:
            if side.sync(store(), slide):
                st.rerun(scope="app")
            st.warning(side.problem, icon="📡")
        retry()


def on_key() -> None:
    """A clicker key, the go-to-slide number or a click in the overview (ui/deckkeys)."""
    to = deckkeys.pressed()
    if to is not None:
        go(to)


def on_secret() -> None:
    """The presenter secret this browser kept (a reload, a second tab, the speaker view):
    if it is this room's presenter's, this session presents the room again."""
    try:
        kept = json.loads(deckkeys.secret() or "")
        code, token = rooms.normalise_code(kept["code"]), str(kept["token"])[:100]
    except (ValueError, TypeError, KeyError, rooms.RoomError):
        st.session_state[DROP] = True
        return
    following = (kit.value(TalkState, "room") or "").strip().upper()
    if following and following != code:
        return  # this tab follows another room: the kept secret is not for it
    try:
        room = store().check(code, token)
    except rooms.UnknownRoom:
        st.session_state[ENDED], st.session_state[DROP] = code, True
        return
    except rooms.NotPresenter:
        st.session_state[DROP] = True
        return
    except rooms.RoomError as err:  # the store is unreachable: keep the secret, say so
        st.session_state[ERROR] = str(err)
        return
    st.session_state[TOKEN], st.session_state[CODE] = token, room.code
    st.session_state[PRESENTING] = rooms.Presenting(room.code, token, slide=room.slide,
                                                    view=dict(room.view))
    st.session_state.setdefault(STARTED, clock())
    st.session_state[SENT] = room.view
    st.session_state[PENDING] = room.view
    st.session_state.pop(ERROR, None)
    kit.set_value(TalkState, "slide", min(max(1, room.slide), N))


def start_room() -> None:
    slide = kit.value(TalkState, "slide")
    try:
        room, token = rooms.GUARD.start(client(), store(), slide=slide)
    except rooms.RoomError as err:
        st.session_state[ERROR] = str(err)
        return
    st.session_state[TOKEN], st.session_state[CODE] = token, room.code
    st.session_state[PRESENTING] = rooms.Presenting(room.code, token, slide=slide)
    st.session_state[KEEP] = {"code": room.code, "token": token}  # into this browser only
    st.session_state[SENT] = {}
    st.session_state[STARTED] = clock()
    st.session_state.pop(ERROR, None)


def end_room() -> None:
    code = presenting()
    if code:
        try:
            store().close(code, st.session_state[TOKEN])
        except rooms.RoomError:
            pass  # already gone: ending it is what was asked
        rooms.GUARD.ended(code)
    for k in (TOKEN, CODE, KEEP, PRESENTING):
        st.session_state.pop(k, None)
    st.session_state[DROP] = True  # this browser forgets the secret


def public_base(env: dict[str, str] | None = None) -> str:
    """The app's address for the audience: ``DLGS_PUBLIC_URL`` (behind a proxy), else
    Streamlit's ``browser.serverAddress`` when set, else the presenter's browser's."""
    env = os.environ if env is None else env
    url = env.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    parts = urlparse(url)
    if url and parts.scheme in ("http", "https") and parts.netloc:
        return url
    if st_config.is_manually_set("browser.serverAddress"):
        host = str(st_config.get_option("browser.serverAddress"))
        port = int(st_config.get_option("browser.serverPort") or 80)
        scheme = "https" if port == 443 else "http"
        return f"{scheme}://{host}" + ("" if port in (80, 443) else f":{port}")
    base = (st.context.url or "").rstrip("/")
    if base.endswith("/" + TalkState.PAGE):
        base = base[: -len(TalkState.PAGE) - 1]
    return base


def local_only(link: str) -> bool:
    """True when ``link`` points at this machine only (no phone in the room reaches it)."""
    host = (urlparse(link).hostname or "").lower()
    return not host or host in LOCAL_HOSTS or host.endswith(".localhost")


def audience_link(code: str) -> str:
    """The absolute link the audience opens (the QR code's)."""
    base = public_base()
    return f"{base}/{kit.link(TalkState(room=code))}" if base else kit.link(TalkState(room=code))


def qr_png(text: str) -> bytes:
    import segno  # only the title slide of a presented room needs it

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=10, border=2)
    return out.getvalue()


# --------------------------------------------------------------------------- drawing
_CSS = """<style>
.st-key-talk-text h1 {font-size: %(h1)s !important; line-height: 1.15}
.st-key-talk-text .stMarkdown li, .st-key-talk-text .stMarkdown p {font-size: %(body)s !important; line-height: 1.35}
.st-key-talk-text .talk-section h1 {font-size: %(section)s !important; margin-top: 12vh}
.st-key-talk-nav button {min-height: 2.2rem}
.st-key-talk-keys-host {position: absolute; height: 0; overflow: hidden; margin: 0}
.st-key-talk-bigqr h1 {font-size: 9rem !important; letter-spacing: .5rem; text-align: center}
[class*="st-key-slide-hidden-"] {display: none}
[class*="st-key-talk-drawn-"] {position: absolute; height: 0; overflow: hidden}
</style>"""

# The stage: the deck's counter, buttons and progress in a bar along the bottom of the
# screen, so that they are seen on every slide whatever its view draws; the slide starts
# near the top (the header is see-through: only its buttons take clicks); the type that
# carries a live slide's answer is large enough for the back row (issue 21: >= 24 px).
_STAGE_CSS = """<style>
.stMainBlockContainer {padding-top: 1.4rem !important; padding-bottom: 4.6rem !important}
[data-testid="stHeader"] {background: transparent; pointer-events: none}
[data-testid="stHeader"] * {pointer-events: auto}
.st-key-talk-bar {position: fixed; left: 0; right: 0; bottom: 0; z-index: 999990;
  background: var(--background-color, #fff); background-color: white;
  border-top: 1px solid rgba(49, 51, 63, 0.15); padding: 0.25rem 2rem 0.3rem; gap: 0.1rem}
.st-key-talk-bar .stButton button {min-height: 1.9rem; padding-top: 0; padding-bottom: 0}
.st-key-talk-live {padding: 0.4rem 0.8rem !important}
.st-key-talk-live [data-testid="stExpander"] {display: none}
[class*="st-key-slide-answer"] pre, [class*="st-key-slide-answer"] pre code {font-size: max(1.2rem, 24px) !important; line-height: 1.35}
[class*="st-key-slide-answer"] pre {padding: 0.4rem 0.8rem !important}
.st-key-talk-text .talk-points p {font-size: 1.1rem !important; margin-bottom: 0}
.st-key-talk-text .talk-points .talk-credit {font-size: 0.8rem; color: rgba(49, 51, 63, 0.6)}
.st-key-talk-text [data-testid="stColumn"] .stMarkdown p {font-size: 1rem !important}
[class*="st-key-slide-answer"], [class*="st-key-slide-answer"] p, [class*="st-key-slide-answer"] li,
[class*="st-key-slide-answer"] [data-testid="stMetricValue"] div,
[class*="st-key-slide-answer"] [data-testid="stMarkdownContainer"] * {font-size: max(1.2rem, 24px)}
[class*="st-key-slide-answer"] [data-testid="stMetricValue"] * {font-size: max(1.8rem, 36px) !important}
[class*="st-key-slide-answer"] h2, [class*="st-key-slide-answer"] h2 * {font-size: max(1.8rem, 36px) !important}
</style>"""

_PRINT_CSS = """<style>
.st-key-talk-print-page {break-after: page; page-break-after: always; break-inside: avoid;
  min-height: 90vh}
@media print {
  header, footer, [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  .st-key-talk-print-help {display: none !important}
  .st-key-talk-print-page {min-height: 0}
  [data-testid="stMain"], [data-testid="stAppViewContainer"] {overflow: visible !important}
}
</style>"""


def style(live: bool) -> None:
    """The slide's type: large on the stage; on a live slide smaller, so that the view's
    main picture starts on the first screen (the CSS reaches the slide's own text only,
    never the view's)."""
    big = kit.presenter()
    sizes = {"h1": "3.2rem" if big else "2.2rem", "body": "1.9rem" if big else "1.2rem",
             "section": "4.5rem" if big else "3rem"}
    if live:
        sizes.update(h1="1.9rem" if big else "2rem", body="1.3rem" if big else "1.1rem")
    st.html(_CSS % sizes + (_STAGE_CSS if big else ""))


def slide_view(index: int, *, compact: bool = False, scope_name: str | None = None) -> None:
    """Slide ``index`` (1-based): title, points, its picture, its live view in the view's
    slide form (``compact``, the speaker view: text only; ``scope_name``, the print view's
    own scope for the live view)."""
    s = SLIDES[index - 1]
    live = s.live and not compact
    with st.container(key=None if compact or scope_name else "talk-text"):
        if s.section and not s.points and not compact:
            st.markdown(f'<div class="talk-section">\n\n# {s.title}\n\n</div>',
                        unsafe_allow_html=True)  # the deck's own text, never the user's
        elif live:  # the title, the link to the page and the points in one line
            head, link = st.columns([3, 1], vertical_alignment="center")
            head.title(s.title)
            url = page_url(s)
            if url:
                link.markdown(f"▶️ **[Open the live view]({url})**",
                              help="The whole page, with all its settings")
            credit = f' <span class="talk-credit">({s.credit})</span>' if s.credit else ""
            if s.points or credit:  # the deck's own text, never the user's
                st.markdown(f'<div class="talk-points">\n\n{" ".join(s.points)}{credit}'
                            '\n\n</div>', unsafe_allow_html=True)
        else:
            (st.subheader if compact else st.title)(s.title)
            if s.points:
                st.markdown("\n".join(f"- {p}" for p in s.points))
    if not compact and pictures.has(index):
        pictures.draw(index)
    elif s.shows and not live:
        st.info(f"🖼️ In the talk: {s.shows}")
    if live:
        live_view(index, s, scope_name=scope_name)
    if s.credit and not compact and not live:  # a live slide's is beside its points
        st.caption(s.credit)


def scope(index: int) -> str:
    """The session scope of slide ``index``'s live view; a new one after Follow again on
    that slide (:func:`_follow_again`), so that its controls are drawn anew with the
    presenter's values: the browser kept a text box's own word (a follower who explored
    showed "girl" for 30 s after the presenter's "boy" was applied)."""
    renewed = st.session_state.get(RENEWED)
    if renewed and renewed[0] == index:
        return f"{TalkState.PAGE}.{index}-{renewed[1]}"
    return f"{TalkState.PAGE}.{index}"


def page_url(s: slides.Slide) -> str | None:
    """The link to the slide's page at the slide's preset (None: the page is missing)."""
    try:
        return kit.link_to(s.live, **s.preset)
    except (ImportError, TypeError):
        return None


def live_view(index: int, s: slides.Slide, scope_name: str | None = None) -> None:
    """The slide's page drawn by its own ``view`` in the view's slide form, at the
    slide's preset, under a session scope of the slide's (moving its controls never
    touches the deck's link). A view that fails says so on the slide, and the deck goes
    on."""
    try:
        kit.link_to(s.live, **s.preset)
    except (ImportError, TypeError) as err:  # a page not installed yet: the text stands alone
        st.caption(f"The live view of this slide ({s.live}) is not installed here ({err}).")
        return
    page = importlib.import_module(f"pages.{s.live}")
    view = getattr(page, "slide", page.view)  # the view's slide form, where it has one
    preset = preset_of(s)  # read outside the view's scope: the seed is the deck's
    box = f"talk-live-print-{index}" if scope_name else "talk-live"
    # a step inside a fragment of the view (the convolution's Next, its Play) reruns that
    # part alone, never this page: it tells the room itself
    shared = contextlib.nullcontext() if scope_name else kit.after_fragment(
        functools.partial(share_view, index, False))
    with (st.container(key=box, border=True), kit.embedded(scope_name or scope(index)),
          kit.slide_form(), shared):
        try:
            kit.one_torch_thread()
            view(kit.load_state(kit.state_class(s.live), preset=preset))
        except Exception as err:  # noqa: BLE001 - one view's failure never breaks the deck
            st.error(f"This live view failed ({kit.plain(type(err).__name__)}: "
                     f"{kit.plain(err)}). Its page may still work: open it above.",
                     icon="⚠️")


def preset_of(s: slides.Slide) -> dict:
    """The slide's preset, with the deck's seed for a view that has one."""
    preset = dict(s.preset)
    seed = kit.value(TalkState, "seed")
    if seed and "seed" in kit.specs(kit.state_class(s.live)):
        preset.setdefault("seed", seed)
    return preset


# --------------------------------------------------------------------------- the live view in the room
def view_state(index: int) -> dict[str, str] | None:
    """Slide ``index``'s live view as the room carries it (``ui/roomview.py``), from this
    session's values of its scope; None on a text slide."""
    s = SLIDES[index - 1]
    if not s.live:
        return None
    cls = kit.state_class(s.live)
    with kit.embedded(scope(index)):
        values = {name: kit.value(cls, name) for name in kit.specs(cls)}
    return roomview.to_room(cls, values)[0]


def preset_view(index: int) -> dict[str, str]:
    """Slide ``index``'s live view at its preset, as the room carries it (what ``{}``
    means); made from the preset itself, not from what a session shows."""
    s = SLIDES[index - 1]
    cls = kit.state_class(s.live)
    values = {name: spec.default for name, spec in kit.specs(cls).items()}
    values.update({k: v for k, v in preset_of(s).items() if k in values})
    return roomview.to_room(cls, values)[0]


def _plain_fields(index: int, view: dict[str, str]) -> dict[str, str]:
    """``view`` without the fields a view fills in itself (grids, pictures: ``parse=``)."""
    cls = kit.state_class(SLIDES[index - 1].live)
    table = kit.specs(cls)
    return {k: v for k, v in view.items() if k not in table or table[k].parse is None}


def share_view(index: int, fresh: bool) -> None:
    """The presenter: after the live view is drawn, the room gets its state when it
    differs from the slide's preset (``{}``, the preset, otherwise), once per change.
    The preset's state is what the view showed when it was drawn from a fresh scope
    (``fresh``); if that run was cut short by a click, the preset itself, without the
    fields a view fills in."""
    code = presenting()
    if not code or not SLIDES[index - 1].live:
        return
    now = view_state(index)
    if fresh:
        st.session_state[BASE] = (index, now)
    base = st.session_state.get(BASE)
    if base and base[0] == index:
        at_preset = now == base[1]
    else:
        at_preset = _plain_fields(index, now) == _plain_fields(index, preset_view(index))
    wanted = {} if at_preset else now
    if wanted == st.session_state.get(SENT, {}):
        return
    side = presenter_side()
    if side.sync(store(), index, wanted):
        st.session_state[SENT] = wanted
    else:
        st.session_state[ERROR] = side.problem


def apply_view(index: int, view: dict[str, str]) -> None:
    """A follower (or a second presenter tab): slide ``index``'s live view as the room's
    ``view`` says, before the view is drawn; ``{}`` is the preset. A view a link would
    refuse is not applied (this screen keeps its own)."""
    s = SLIDES[index - 1]
    st.session_state[APPLIED] = view
    if not s.live:
        return
    cls = kit.state_class(s.live)
    if not view:
        kit.forget(scope(index))
        return
    try:
        values = roomview.from_room(cls, view)
    except ValueError:  # codec.BadValue is a ValueError
        return
    with kit.embedded(scope(index)):
        for name, spec in kit.specs(cls).items():
            st.session_state[kit.key(cls, name)] = (
                list(values[name]) if spec.many else values[name])


def forget_other_slides(index: int) -> bool:
    """A slide's live view starts from its preset each time the deck arrives on it: the
    session keeps the controls of the slide on show only. True when the slide just
    arrived."""
    if st.session_state.get(SHOWN) != index:
        renewed = st.session_state.get(RENEWED)
        if renewed and renewed[0] != index:  # the renewed view of the slide left
            kit.forget(scope(renewed[0]))
            del st.session_state[RENEWED]
        others = {scope(n) for n in range(1, N + 1) if n != index}
        for k in [k for k in st.session_state
                  if isinstance(k, str) and k.partition("/")[0] in others]:
            del st.session_state[k]  # one pass over the keys, not one per slide
        st.session_state[SHOWN] = index
        st.session_state[SLIDE_AT] = clock()
        return True
    return False


# --------------------------------------------------------------------------- joining
def join() -> None:
    """The join box's Join: follow the typed code if there is such a room."""
    text = str(st.session_state.get("talk-join-code", ""))
    try:
        code = rooms.normalise_code(text)
        rooms.GUARD.look(client(), code, store())  # a prober's codes are counted
    except rooms.RoomError as err:
        st.session_state[ERROR] = str(err)
        return
    st.session_state.pop(ERROR, None)
    st.session_state[DETACHED] = False
    st.session_state[APPLIED] = {}
    kit.set_value(TalkState, "room", code)


def join_box(where: str) -> None:
    """A box to type a room code in (Enter joins)."""
    with st.form(f"talk-join-{where}", border=False, enter_to_submit=True):
        cols = st.columns([2, 1], vertical_alignment="bottom")
        cols[0].text_input("Join a room: its code", max_chars=rooms.CODE_LENGTH + 4,
                           key="talk-join-code" if where == "title" else f"talk-join-code-{where}",
                           placeholder="K7QXM")
        cols[1].form_submit_button("Join", on_click=_join_from, args=(where,))


def _join_from(where: str) -> None:
    if where != "title":
        st.session_state["talk-join-code"] = st.session_state.get(f"talk-join-code-{where}", "")
    join()


def qr_block(code: str) -> None:
    """The room's QR code and code; a warning when the code's link reaches this machine
    only; a button for the full-screen QR."""
    link = audience_link(code)
    if local_only(link):
        st.warning(f"The QR code points at {kit.plain(urlparse(link).hostname or 'this page')}, "
                   "which phones in the room cannot reach. Set DLGS_PUBLIC_URL (or Streamlit's "
                   "browser.serverAddress) to the address the audience uses.", icon="⚠️")
    cols = st.columns([1, 2])
    cols[0].image(qr_png(link), width=220 if kit.presenter() else 160,
                  alt="QR code of the room's link")
    cols[1].markdown(f"### Room code: `{code}`")
    cols[1].text(link)
    cols[1].caption("Scan the code or open the link: your screen follows the talk.")
    cols[1].button("🔳 Full-screen QR code", key="talk-bigqr-open",
                   on_click=lambda: st.session_state.update({BIGQR: True}))


def big_qr(code: str) -> None:
    """The QR code as large as the screen allows, and the code in large type."""
    with st.container(key="talk-bigqr", horizontal_alignment="center"):
        st.image(qr_png(audience_link(code)), width=560, alt="QR code of the room's link")
        st.markdown(f"# {code}")
        st.button("Close", key="talk-bigqr-close", type="primary",
                  on_click=lambda: st.session_state.pop(BIGQR, None))


def title_extras() -> None:
    """On the title slide: the room's QR code and code, or the buttons that start or
    join one."""
    code = presenting()
    if code:
        qr_block(code)
    elif not kit.value(TalkState, "room"):
        st.button("📡 Start a room", on_click=start_room, key="talk-start",
                  help="The audience's screens follow your slides")
        join_box("title")


def nav(slide: int) -> None:
    """On-screen buttons (the keys are ui/deckkeys.py's, whatever has focus)."""
    with st.container(key="talk-nav", horizontal=True, vertical_alignment="center"):
        st.button("⏮", on_click=go, args=(1,), key="talk-home",
                  disabled=slide == 1, help="First slide (Home)")
        st.button("◀ Back", on_click=go, args=(slide - 1,), key="talk-back",
                  disabled=slide == 1, help="Previous slide (←, PageUp)")
        st.button("Next ▶", on_click=go, args=(slide + 1,), key="talk-next",
                  disabled=slide == N, type="primary", help="Next slide (→, PageDown, Space)")
        st.button("⏭", on_click=go, args=(N,), key="talk-end",
                  disabled=slide == N, help="Last slide (End)")
        st.markdown(f"**{slide} / {N}**")
    st.progress(slide / N)


def _detach() -> None:
    st.session_state[DETACHED] = True
    kit.quiet_navigation(None)  # exploring: the app's navigation is back at once


def _follow_again(slide: int, view: dict) -> None:
    st.session_state[DETACHED] = False
    here = kit.value(TalkState, "slide")
    if slide == here:  # the explored view's controls are dropped and drawn anew
        kit.forget(scope(here))
        count = (st.session_state.get(RENEWED) or (here, 0))[1] + 1
        st.session_state[RENEWED] = (here, count)
    kit.set_value(TalkState, "slide", slide)
    st.session_state[PENDING] = view


def follow(code: str) -> None:
    """An audience browser: look at the room every ``follow_every`` seconds; follow its slide
    and its live view unless exploring. While following, a look that finds nothing new
    draws nothing: the caption and the Explore button are drawn by the page's full run,
    outside the polling fragment (50 followers poll 40 times a second, issue 15)."""
    me = st.session_state.setdefault(ME, uuid.uuid4().hex[:16])
    st.session_state.setdefault(APPLIED, {})
    # while the talk drives this screen, the app's navigation is not drawn (Explore
    # brings it back): a room of 50 reruns at each slide change
    kit.quiet_navigation(None if st.session_state.get(DETACHED) else TalkState.PAGE)
    if not st.session_state.get(DETACHED):
        cols = st.columns([3, 1])
        cols[0].caption(f"Following room {code}: your screen moves with the talk.")
        cols[1].button("🧭 Explore", key="talk-explore", on_click=_detach,
                       help="Stop following and explore on your own")

    @st.fragment(run_every=follow_every(me))
    def watch() -> None:
        try:
            room = rooms.GUARD.look(client(), code, store())
            store().seen(code, me)
        except rooms.Refused as err:
            st.error(str(err))
            return
        except rooms.UnknownRoom as err:
            st.error(f"{err} This screen keeps looking: if the presenter opens it again, "
                     "it follows.")
            return
        except rooms.RoomError as err:
            st.warning(f"{err} This screen stays on slide {kit.value(TalkState, 'slide')} "
                       "and follows again when the room service is back.")
            return
        behind()
        if st.session_state.get(DETACHED):
            cols = st.columns([3, 1])
            changed = ", with the presenter's changes to its live view" if room.view else ""
            cols[0].caption(f"You are exploring. The talk is on slide {room.slide}{changed}.")
            cols[1].button("↩️ Follow again", key="talk-follow", on_click=_follow_again,
                           args=(min(max(1, room.slide), N), room.view))
            return
        if room.slide != kit.value(TalkState, "slide"):
            kit.set_value(TalkState, "slide", min(max(1, room.slide), N))
            st.session_state[PENDING] = room.view
            st.rerun(scope="app")
        elif room.view != st.session_state.get(APPLIED):
            st.session_state[PENDING] = room.view
            st.rerun(scope="app")

    watch()


def behind() -> None:
    """In a polling fragment: a key whose callback ran with a fragment's run (the two
    raced) moved the slide without drawing it; the whole page is drawn now."""
    if st.session_state.get(DRAWN) not in (None, kit.value(TalkState, "slide")):
        st.rerun(scope="app")


def keep_in_step(code: str) -> None:
    """A presenter tab: the follower count, and the room's slide and view when another
    presenter tab (the speaker view, a second window) moved it."""

    @st.fragment(run_every=FOLLOW_EVERY)
    def watch() -> None:
        try:
            room = store().get(code)
            count = store().followers(code)
        except rooms.UnknownRoom:
            for k in (TOKEN, CODE, KEEP):
                st.session_state.pop(k, None)
            st.session_state[ENDED], st.session_state[DROP] = code, True
            st.rerun(scope="app")
        except rooms.RoomError as err:
            st.caption(kit.plain(err))
            return
        st.caption(f"👥 {count} following room {code}")
        behind()
        side = presenter_side()
        moved_elsewhere = room.slide != kit.value(TalkState, "slide")
        if moved_elsewhere or room.view != st.session_state.get(SENT, {}):
            if moved_elsewhere:
                kit.set_value(TalkState, "slide", min(max(1, room.slide), N))
            if side is not None:  # what another presenter tab did is where the room is
                side.slide, side.view = room.slide, dict(room.view)
            st.session_state[SENT] = room.view
            st.session_state[PENDING] = room.view
            st.rerun(scope="app")

    watch()


def speaker_view(slide: int) -> None:
    """``speaker=1``: the current and next slide, the notes, the clock, the time since the
    start and on this slide. Its keys move the deck (and the room, for the presenter)."""
    st.session_state.setdefault(STARTED, clock())
    st.session_state.setdefault(SLIDE_AT, clock())
    if st.session_state.get(SHOWN) != slide:
        st.session_state[SHOWN], st.session_state[SLIDE_AT] = slide, clock()

    @st.fragment(run_every=1.0)
    def clocks() -> None:
        now = clock()
        cols = st.columns(3)
        cols[0].metric("Clock", time.strftime("%H:%M", time.localtime(now)))
        cols[1].metric("Elapsed", _mmss(now - st.session_state[STARTED]))
        cols[2].metric("On this slide", _mmss(now - st.session_state[SLIDE_AT]))

    clocks()
    cols = st.columns(2)
    with cols[0], st.container(border=True):
        st.caption(f"Now: slide {slide} of {N}")
        slide_view(slide, compact=True)
    with cols[1], st.container(border=True):
        if slide < N:
            st.caption(f"Next: slide {slide + 1}")
            slide_view(slide + 1, compact=True)
        else:
            st.caption("This is the last slide.")
    st.markdown("**Notes**")
    st.markdown(SLIDES[slide - 1].notes or "(no notes for this slide)")
    st.button("Restart the timer", key="talk-timer",
              on_click=lambda: st.session_state.update({STARTED: clock()}))


def _mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def print_deck() -> None:
    """``print=1``: every slide one after another, one per printed page (Chromium's
    Print, Save as PDF, or ``python benchmarks/deck_pdf.py``), live slides as their view
    at the slide's preset."""
    st.html(_PRINT_CSS)
    with st.container(key="talk-print-help"):
        st.caption(f"All {N} slides, one per page: print this page (Ctrl+P, Save as PDF) "
                   "for the deck without a server.")
    for n in range(1, N + 1):
        with st.container(key=f"talk-print-page-{n}"):
            slide_view(n, scope_name=f"talk-print.{n}")
            st.caption(f"{n} / {N}")
    st.session_state["talk-print-done"] = True
    st.markdown(f"<span id='talk-print-done'>{N} slides</span>", unsafe_allow_html=True)


# --------------------------------------------------------------------------- page
def room_followed(state: TalkState) -> str | None:
    """The room this screen follows (its link's ``room=``), if it exists; an unknown
    code says only that it is unknown."""
    code_text = state.room.strip()
    if not code_text or code_text.upper() == (presenting() or ""):
        return None
    try:
        following = rooms.normalise_code(code_text)
        rooms.GUARD.look(client(), following, store())  # a prober's codes are counted
    except (rooms.UnknownRoom, rooms.Refused) as err:  # only that: no "Following" above it
        st.error(str(err))
        return None
    except rooms.RoomError as err:
        st.warning(str(err))
        return None
    return following


def news() -> None:
    """What happened to the room since the last run, said once."""
    if st.session_state.get(ERROR):
        st.warning(st.session_state.pop(ERROR))
    if st.session_state.get(ENDED) and not presenting():
        st.info(f"Room {st.session_state.pop(ENDED)} has ended (or this server lost it): "
                "start a new room to present again.")


def in_step_with_the_room(state: TalkState, following: str | None) -> int:
    """The slide to draw: a view the room sent is applied first; a follower follows the
    room, a presenter moves it (then takes what another presenter tab did)."""
    slide = kit.value(TalkState, "slide")
    st.session_state[DRAWN] = slide  # (a room that moves it reruns the page)
    if not state.speaker:  # before the room is looked at: a view it sent is applied first
        forget_other_slides(slide)
        if PENDING in st.session_state:
            apply_view(slide, st.session_state.pop(PENDING) or {})
    if following:
        follow(following)
        return kit.value(TalkState, "slide")
    kit.quiet_navigation(None)
    if presenting():
        sync_room(slide)  # first: this tab's own move, then what another tab did
        keep_in_step(presenting())
    return kit.value(TalkState, "slide")


def room_and_deck(state: TalkState, slide: int, following: str | None) -> None:
    """The room's controls and the deck's keys; on the stage in the sidebar (one click
    away), so that the slide alone fills the screen."""
    with (st.sidebar.expander("The room and the deck") if kit.presenter() and not state.speaker
          else kit.secondary("The room and the deck")):
        if presenting():
            speaker_link = kit.link(TalkState(slide=slide, room=presenting(), speaker=True))
            st.markdown(f"You present room **{presenting()}**. Speaker view: open "
                        f"[this link]({speaker_link}) in a second window of this browser "
                        "(it drives the deck and the room too).")
            cols = st.columns(2)
            cols[0].button("🔳 Full-screen QR code", key="talk-bigqr-open-2",
                           on_click=lambda: st.session_state.update({BIGQR: True}))
            cols[1].button("End the room", on_click=end_room, key="talk-end-room")
        elif not following:
            st.button("📡 Start a room", on_click=start_room, key="talk-start-2",
                      help="The audience's screens follow your slides")
            join_box("more")
        st.caption(f"Slides from “{slides.TALK}” by {slides.AUTHOR}, in this app's own words; "
                   "each live slide opens the page that shows it. Keys: → / Space / PageDown next, "
                   "← / PageUp back, Home / End, a number then Enter goes there, O or Esc shows "
                   "every slide. Print every slide: add print=1 to the link.")


def main() -> None:
    """The deck: the slide of the link (or of the room followed), its live view, the
    clicker's keys and the room's controls."""
    state = kit.load_state(TalkState)
    kit.new_marks()
    if state.print:
        print_deck()
        return
    # the keys first, at a place of their own, in the sidebar (the slide keeps the whole
    # screen): a message drawn above them would move them, and the browser kept their
    # previous slide; their listener is on the whole document
    with st.sidebar:
        deckkeys.keys(kit.value(TalkState, "slide"), [s.title for s in SLIDES], on_key=on_key,
                      on_secret=on_secret, keep=st.session_state.pop(KEEP, None),
                      drop=bool(st.session_state.pop(DROP, False)), ask=not presenting())
    following = room_followed(state)
    news()
    slide = in_step_with_the_room(state, following)
    style(live=bool(SLIDES[slide - 1].live or pictures.has(slide)) and not state.speaker)
    if presenting() and st.session_state.get(BIGQR) and not state.speaker:
        big_qr(presenting())
        nav(slide)
        return
    if state.speaker:  # text only: the notes window stays light
        speaker_view(slide)
        nav(slide)
    else:
        slide_box = st.container(key="talk-slide")
        with st.container(key="talk-bar"):  # on the stage, a bar along the screen's bottom
            nav(slide)  # drawn before the live view, so that nothing it does can take it away
    room_and_deck(state, slide, following)
    if not state.speaker:
        prefix = scope(slide) + "/"
        fresh = not any(isinstance(k, str) and k.startswith(prefix) for k in st.session_state)
        with slide_box:
            slide_view(slide)
            if slide == 1:
                title_extras()
            # the slide is drawn: a mark the browser tests wait on, out of the layout
            st.container(key=f"talk-drawn-{slide}").markdown("&#8203;")
        share_view(slide, fresh)
