"""The talk as a live deck: the slides in order, a clicker drives it, the room follows.

reveal.js's keyboard navigation, speaker view and multiplex plugin, for this app: the
presenter starts a room (``dlcore.rooms``), the title slide shows its QR code, and every
audience browser that opens ``talk?room=CODE`` follows the presenter's slide until its
person presses Explore. Only the session that started the room can move it: its secret
token never leaves that session.
"""

from __future__ import annotations

import importlib
import io
import os
import time

import streamlit as st

from dlcore import rooms
from ui import kit, slides
from ui.states.talk import TalkState

SLIDES = slides.SLIDES
N = len(SLIDES)
# Seconds between an audience browser's looks at the room. benchmarks/room.py, 50
# followers on 2 loaded cores: 1.0 s gave slide changes p95 1.58 s and 20.5% of a core
# idle; 1.5 s gave 2.20 s and 16.9%. 1.2 s keeps both targets (2 s, 20%).
FOLLOW_EVERY = 1.2
TOKEN, CODE, DETACHED, ERROR, STARTED, SHOWN = (
    f"{TalkState.PAGE}._{k}" for k in ("token", "code", "detached", "error", "started", "shown"))


PRESENTING = f"{TalkState.PAGE}._presenting"  # session: rooms.Presenting (the room's state)


def store() -> rooms.RoomStore:
    return rooms.store_from_env()


def client() -> rooms.Client:
    """This session and its address, for the rooms' per-client limits (behind the proxy,
    ``DLCORE_TRUST_PROXY=1``: the address HAProxy appended to X-Forwarded-For)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    headers = st.context.headers or {}
    address = rooms.client_address(st.context.ip_address, headers.get("X-Forwarded-For"),
                                   os.environ.get("DLCORE_TRUST_PROXY", "") == "1")
    return rooms.Client(ctx.session_id if ctx else "", address)


def presenting() -> str | None:
    """The code of the room this session presents, if any."""
    return st.session_state.get(CODE) if st.session_state.get(TOKEN) else None


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
    to = min(max(1, int(to)), N)
    kit.set_value(TalkState, "slide", to)
    if not presenting() and kit.value(TalkState, "room"):
        st.session_state[DETACHED] = True  # a follower who moves on their own explores


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


def start_room() -> None:
    slide = kit.value(TalkState, "slide")
    try:
        room, token = rooms.GUARD.start(client(), store(), slide=slide)
    except rooms.RoomError as err:
        st.session_state[ERROR] = str(err)
        return
    st.session_state[TOKEN], st.session_state[CODE] = token, room.code
    st.session_state[PRESENTING] = rooms.Presenting(room.code, token, slide=slide)
    st.session_state[STARTED] = time.time()
    st.session_state.pop(ERROR, None)


def end_room() -> None:
    code = presenting()
    if code:
        try:
            store().close(code, st.session_state[TOKEN])
        except rooms.RoomError:
            pass  # already gone: ending it is what was asked
        rooms.GUARD.ended(code)
    for k in (TOKEN, CODE, PRESENTING):
        st.session_state.pop(k, None)


def audience_link(code: str) -> str:
    """The absolute link the audience opens (the QR code's), from the browser's address."""
    base = (st.context.url or "").rstrip("/")
    if base.endswith("/" + TalkState.PAGE):
        base = base[: -len(TalkState.PAGE) - 1]
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
.st-key-talk-nav button {min-height: 2.6rem}
.st-key-talk-keys {display: none}
</style>"""


def style(live: bool) -> None:
    """The slide's type: large on the stage; on a live slide smaller, so that the view's
    main picture starts on the first screen (the CSS reaches the slide's own text only,
    never the view's)."""
    big = kit.presenter()
    sizes = {"h1": "3.2rem" if big else "2.2rem", "body": "1.9rem" if big else "1.2rem",
             "section": "4.5rem" if big else "3rem"}
    if live:
        sizes.update(h1="2.3rem" if big else "2rem", body="1.3rem" if big else "1.1rem")
    st.html(_CSS % sizes)


def slide_view(index: int, *, compact: bool = False) -> None:
    """Slide ``index`` (1-based): title, points, the picture it names, its live view
    (``compact``, the speaker view: text only)."""
    s = SLIDES[index - 1]
    with st.container(key=None if compact else "talk-text"):
        if s.section and not s.points and not compact:
            st.markdown(f'<div class="talk-section">\n\n# {s.title}\n\n</div>',
                        unsafe_allow_html=True)  # the deck's own text, never the user's
            return
        (st.subheader if compact else st.title)(s.title)
        if s.points:
            st.markdown("\n".join(f"- {p}" for p in s.points))
        if s.shows:
            st.info(f"🖼️ In the talk: {s.shows}")
    live = s.live and not compact
    if live:
        live_view(index, s)
    if s.credit:  # under the view on a live slide: the view's picture comes first
        st.caption(s.credit)


def scope(index: int) -> str:
    """The session scope of slide ``index``'s live view."""
    return f"{TalkState.PAGE}.{index}"


def live_view(index: int, s: slides.Slide) -> None:
    """The slide's page drawn by its own ``view`` at the slide's preset, under a session
    scope of the slide's (moving its controls never touches the deck's link), and the
    link to the page under it. A view that fails says so on the slide, and the deck
    goes on."""
    try:
        url = kit.link_to(s.live, **s.preset)
    except (ImportError, TypeError) as err:  # a page not installed yet: the text stands alone
        st.caption(f"The live view of this slide ({s.live}) is not installed here ({err}).")
        return
    view = importlib.import_module(f"pages.{s.live}").view
    seed = kit.value(TalkState, "seed")
    preset = dict(s.preset)
    if seed and "seed" in kit.specs(kit.state_class(s.live)):
        preset.setdefault("seed", seed)
    with st.container(key="talk-live", border=True), kit.embedded(scope(index)):
        try:
            kit.one_torch_thread()
            view(kit.load_state(kit.state_class(s.live), preset=preset))
        except Exception as err:  # noqa: BLE001 - one view's failure never breaks the deck
            st.error(f"This live view failed ({kit.plain(type(err).__name__)}: "
                     f"{kit.plain(err)}). Its page may still work: open it below.",
                     icon="⚠️")
    st.markdown(f"▶️ **[Open the live view]({url})**: {s.title}, interactive.")


def forget_other_slides(index: int) -> None:
    """A slide's live view starts from its preset each time the deck arrives on it: the
    session keeps the controls of the slide on show only."""
    if st.session_state.get(SHOWN) != index:
        for n in range(1, N + 1):
            if n != index:
                kit.forget(scope(n))
        st.session_state[SHOWN] = index


def title_extras() -> None:
    """On the title slide: the room's QR code and code, or the button that starts one."""
    code = presenting() or (kit.value(TalkState, "room") or None)
    if presenting():
        link = audience_link(code)
        cols = st.columns([1, 2])
        cols[0].image(qr_png(link), width=220 if kit.presenter() else 160)
        cols[1].markdown(f"### Room code: `{code}`")
        cols[1].text(link)
        cols[1].caption("Scan the code or open the link: your screen follows the talk.")
    elif not code:
        st.button("📡 Start a room", on_click=start_room, key="talk-start",
                  help="The audience's screens follow your slides")


def nav(slide: int) -> None:
    """On-screen buttons, with the keys a clicker sends (←/→, PageUp/PageDown, Space)."""
    with st.container(key="talk-nav", horizontal=True, vertical_alignment="center"):
        st.button("⏮", on_click=go, args=(1,), key="talk-home", shortcut="Home",
                  disabled=slide == 1, help="First slide (Home)")
        st.button("◀ Back", on_click=go, args=(slide - 1,), key="talk-back", shortcut="Left",
                  disabled=slide == 1, help="Previous slide (←, PageUp)")
        st.button("Next ▶", on_click=go, args=(slide + 1,), key="talk-next", shortcut="Right",
                  disabled=slide == N, type="primary", help="Next slide (→, PageDown, Space)")
        st.button("⏭", on_click=go, args=(N,), key="talk-end", shortcut="End",
                  disabled=slide == N, help="Last slide (End)")
        st.markdown(f"**{slide} / {N}**")
    with st.container(key="talk-keys"):  # hidden: the other keys clickers send
        st.button("next", on_click=go, args=(slide + 1,), key="talk-pgdn", shortcut="PageDown")
        st.button("next ", on_click=go, args=(slide + 1,), key="talk-space", shortcut="Space")
        st.button("back", on_click=go, args=(slide - 1,), key="talk-pgup", shortcut="PageUp")
    st.progress(slide / N)


def _detach() -> None:
    st.session_state[DETACHED] = True


def follow(code: str) -> None:
    """An audience browser: look at the room every FOLLOW_EVERY seconds; follow unless
    exploring. While following, a look that finds the talk on this slide draws nothing:
    the caption and the Explore button are drawn by the page's full run, outside the
    polling fragment (50 followers poll 40 times a second, and each look redrew them:
    2.3 kB and 4-6 ms of server CPU, issue 15)."""
    if not st.session_state.get(DETACHED):
        cols = st.columns([3, 1])
        cols[0].caption(f"Following room {code}: your screen moves with the talk.")
        cols[1].button("🧭 Explore", key="talk-explore", on_click=_detach,
                       help="Stop following and explore on your own")

    @st.fragment(run_every=FOLLOW_EVERY)
    def watch() -> None:
        try:
            room = rooms.GUARD.look(client(), code, store())
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
        if st.session_state.get(DETACHED):
            cols = st.columns([3, 1])
            cols[0].caption(f"You are exploring. The talk is on slide {room.slide}.")
            if cols[1].button("↩️ Follow again", key="talk-follow"):
                st.session_state[DETACHED] = False
                kit.set_value(TalkState, "slide", room.slide)
                st.rerun(scope="app")
            return
        if room.slide != kit.value(TalkState, "slide"):
            kit.set_value(TalkState, "slide", room.slide)
            st.rerun(scope="app")

    watch()


def speaker_view(slide: int) -> None:
    """``speaker=1``: the current and next slide, the notes, the time since the start."""
    st.session_state.setdefault(STARTED, time.time())
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

    @st.fragment(run_every=1.0)
    def clock() -> None:
        elapsed = int(time.time() - st.session_state[STARTED])
        st.metric("Elapsed", f"{elapsed // 60:d}:{elapsed % 60:02d}")

    clock()
    st.button("Restart the timer", key="talk-timer",
              on_click=lambda: st.session_state.update({STARTED: time.time()}))


# --------------------------------------------------------------------------- page
def main() -> None:
    """The deck: the slide of the link (or of the room followed), its live view, the
    clicker's buttons and the room's controls."""
    state = kit.load_state(TalkState)
    code_text = state.room.strip()
    following = None
    if code_text and code_text.upper() != (presenting() or ""):
        try:
            following = rooms.normalise_code(code_text)
        except rooms.UnknownRoom as err:
            st.error(str(err))
    if st.session_state.get(ERROR):
        st.warning(st.session_state[ERROR])

    slide = kit.value(TalkState, "slide")
    if following:
        follow(following)
        slide = kit.value(TalkState, "slide")
    sync_room(slide)

    style(live=bool(SLIDES[slide - 1].live) and not state.speaker)
    if state.speaker:  # text only: the notes window stays light
        speaker_view(slide)
        nav(slide)
    else:
        forget_other_slides(slide)
        slide_box = st.container(key="talk-slide")
        nav(slide)  # drawn before the live view, so that nothing a view does can take it away
    with kit.secondary("The room and the deck"):
        if presenting():
            speaker_link = kit.link(TalkState(slide=slide, room=presenting(), speaker=True))
            st.markdown(f"You present room **{presenting()}**. Speaker view: open "
                        f"[this link]({speaker_link}) "
                        "in a second window.")
            st.button("End the room", on_click=end_room, key="talk-end-room")
        elif not following:
            st.button("📡 Start a room", on_click=start_room, key="talk-start-2",
                      help="The audience's screens follow your slides")
        st.caption(f"Slides from “{slides.TALK}” by {slides.AUTHOR}, in this app's own words; "
                   "each live slide opens the page that shows it. Keys: → / Space / PageDown next, "
                   "← / PageUp back, Home / End.")

    if not state.speaker:
        with slide_box:
            slide_view(slide)
            if slide == 1:
                title_extras()
