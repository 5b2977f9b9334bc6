"""The live deck in AppTest: every slide renders, links set the slide, bad links and
room codes give messages, and a room's audience follows its presenter (the in-process
store is shared by the AppTests of one process, as by the sessions of one server)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dlcore import rooms
from pages import talk
from tests.conftest import REPO
from tests.harness import open_page, page_text
from ui import kit, slides
from ui.states.talk import TalkState

PAGE = str(REPO / "pages" / "talk.py")
N = len(slides.SLIDES)


def run(**params: str) -> AppTest:
    return open_page(PAGE, params)




def test_the_deck_follows_the_talk():
    titles = [s.title for s in slides.SLIDES]
    assert titles[0] == "Deep Learning: Getting Started" and titles[-1] == "Questions?"
    for must in ("Semantics", "Recall: Minimization", "MNIST - Hello (Deep Learning) World",
                 "Convolution", "Word Embeddings (word2vec, Glove etc.)", "NLP – Char–RNN",
                 "Split your data", "Overfitting", "Fine-Tuning", "GPU vs CPU",
                 "Learn the jargon"):
        assert must in titles
    assert all(s.notes for s in slides.SLIDES if not s.section)


WIDGETS = ("button", "slider", "radio", "selectbox", "multiselect", "number_input", "toggle",
           "text_input", "text_area", "checkbox", "select_slider")


def embedded_keys(at: AppTest, n: int) -> list[str]:
    """The keys of the widgets that slide ``n``'s live view drew (its scope's)."""
    return [w.key for kind in WIDGETS for w in at.get(kind)
            if (w.key or "").startswith(f"{talk.scope(n)}/")]


@pytest.mark.slow
@pytest.mark.parametrize("n", range(1, N + 1))
def test_every_slide_renders(n):
    at = run(slide=str(n))
    assert not at.exception and not at.warning
    assert slides.SLIDES[n - 1].title in page_text(at)
    assert f"**{n} / {N}**" in page_text(at)
    live = slides.SLIDES[n - 1].live
    if live:  # the view's slide form, with its controls, at the preset
        assert not at.error, [e.value for e in at.error]
        keys = embedded_keys(at, n)  # (the drawing slide's one control is the canvas)
        assert all(k.startswith(f"talk.{n}/{live}.") for k in keys), keys
        assert "Open the live view" in page_text(at)
    assert "slide" not in at.query_params or at.query_params["slide"] == str(n)
    assert set(at.query_params) <= {"slide"}  # a view never writes into the deck's link


@pytest.mark.slow
def test_a_live_slide_opens_at_its_preset():
    from dlcore.data import mnist
    from pages import digits

    labels = mnist.load_sample()[1]

    def label(seed: int) -> str:
        return f"MNIST label: {labels[digits.random_digit_index(seed, len(labels))]}"

    at = run(slide="22")  # LeNet: the digits view's slide form on a test digit
    assert at.button(key="talk.22/digits._another")
    assert label(0) in [c.value for c in at.caption]
    assert "**CNN** says" in page_text(at)
    seed = next(s for s in range(1, 50) if label(s) != label(0))
    at = run(slide="22", seed=str(seed))  # the deck's seed goes to the views that have one
    assert label(seed) in [c.value for c in at.caption]
    assert dict(at.query_params) == {"slide": "22", "seed": str(seed)}


@pytest.mark.slow
def test_an_embedded_control_moves_neither_the_slide_nor_the_link():
    at = run(slide="21")
    stride = "talk.21/convolution.stride"
    at.slider(key=stride).set_value(2).run()
    assert not at.exception
    assert at.slider(key=stride).value == 2 and at.title[0].value == slides.SLIDES[20].title
    assert dict(at.query_params) == {"slide": "21"}
    at.run()
    assert at.slider(key=stride).value == 2  # kept while the slide is on show
    at.button(key="talk-next").click().run()
    at.button(key="talk-back").click().run()
    assert at.slider(key=stride).value == 1  # a slide arrived at starts from its preset
    assert dict(at.query_params) == {"slide": "21"}


@pytest.mark.slow
def test_a_failing_view_says_so_and_the_deck_goes_on(monkeypatch):
    import pages.convolution

    def broken(state) -> None:
        raise RuntimeError("out of <b>memory</b>")

    monkeypatch.setattr(pages.convolution, "view", broken)
    monkeypatch.setattr(pages.convolution, "slide", broken)  # the form the deck draws
    at = run(slide="21")
    assert not at.exception
    (error,) = at.error
    assert "This live view failed (RuntimeError: out of \\<b\\>memory" in error.value
    assert "<b>" not in error.value  # escaped: an error's text is never markup
    assert "Open the live view" in page_text(at)
    at.button(key="talk-next").click().run()
    assert at.query_params["slide"] == "22"


def test_live_slides_link_to_their_view_at_the_preset():
    for s in slides.SLIDES:
        if s.live:
            try:
                url = kit.link_to(s.live, **s.preset)
            except ImportError:
                pytest.fail(f"slide {s.title!r}: no page {s.live!r}")
            assert url.startswith(s.live)


@pytest.mark.slow
def test_out_of_range_and_garbage_give_a_message():
    for bad in ("0", str(N + 1), "abc"):
        at = run(slide=bad)
        assert not at.exception
        assert any("slide" in w.value for w in at.warning)
        assert at.title[0].value == slides.SLIDES[0].title


@pytest.mark.slow
def test_next_back_home_end():
    at = run(slide="3")
    at.button(key="talk-next").click().run()
    assert at.query_params["slide"] == "4"
    at.button(key="talk-back").click().run()
    at.button(key="talk-back").click().run()
    assert at.query_params["slide"] == "2"
    at.button(key="talk-end").click().run()
    assert at.query_params["slide"] == str(N)
    assert at.button(key="talk-next").disabled
    at.button(key="talk-home").click().run()
    assert "slide" not in at.query_params  # the default is left out of the link


def _start_room() -> tuple[AppTest, str]:
    presenter = run()
    presenter.button(key="talk-start").click().run()
    code = presenter.session_state[f"{TalkState.PAGE}._code"]
    assert f"Room code: `{code}`" in page_text(presenter)
    return presenter, code


@pytest.mark.slow
def test_the_room_follows_the_presenter_and_only_the_presenter_moves_it():
    presenter, code = _start_room()
    follower = run(room=code)
    assert not follower.exception
    assert any(f"Following room {code}" in c.value for c in follower.caption)
    for _ in range(3):
        presenter.button(key="talk-next").click().run()
    assert rooms.store_from_env().get(code).slide == 4
    follower.run()
    assert follower.title[0].value == slides.SLIDES[3].title

    # The follower's own Next explores: its screen moves, the room does not.
    follower.button(key="talk-next").click().run()
    assert follower.title[0].value == slides.SLIDES[4].title
    assert rooms.store_from_env().get(code).slide == 4
    presenter.button(key="talk-next").click().run()
    follower.run()
    assert follower.title[0].value == slides.SLIDES[4].title  # exploring: stays
    follower.button(key="talk-follow").click().run()
    assert follower.title[0].value == slides.SLIDES[4].title  # slide 5 is where the talk is
    presenter.button(key="talk-next").click().run()
    follower.run()
    assert "# Deep Learning" in page_text(follower)  # slide 6, a section title


@pytest.mark.slow
def test_a_follower_explores_a_live_view_and_follows_again():
    presenter, code = _start_room()
    presenter.button(key="talk-end").click().run()  # the last slide
    for _ in range(N - 21):
        presenter.button(key="talk-back").click().run()
    assert rooms.store_from_env().get(code).slide == 21  # convolution
    follower = run(room=code)
    stride = "talk.21/convolution.stride"
    assert follower.slider(key=stride).value == 1  # the slide's preset
    follower.button(key="talk-explore").click().run()
    follower.slider(key=stride).set_value(3).run()
    presenter.button(key="talk-next").click().run()
    follower.run()
    assert follower.slider(key=stride).value == 3  # exploring: its own slide and controls
    assert follower.query_params["slide"] == "21" and "stride" not in follower.query_params
    follower.button(key="talk-follow").click().run()
    assert follower.query_params["slide"] == "22"  # back with the talk
    assert follower.button(key="talk.22/digits._another")  # the digits slide, a test digit
    presenter.button(key="talk-back").click().run()
    follower.run()
    assert follower.slider(key=stride).value == 1  # the view starts from its preset again


@pytest.mark.slow
def test_unknown_and_malformed_room_codes():
    at = run(room="ZZZZZ")
    assert not at.exception and any("no room ZZZZZ" in e.value for e in at.error)
    at = run(room="<b>hi")
    assert not at.exception and any("not a room code" in e.value for e in at.error)


@pytest.mark.slow
def test_speaker_view_shows_next_slide_and_notes():
    at = run(slide="21", speaker="true")
    assert not at.exception
    assert not embedded_keys(at, 21) and not embedded_keys(at, 22)  # text only
    body = page_text(at)
    assert slides.SLIDES[20].notes in body and slides.SLIDES[21].title in body
    assert any(m.label == "Elapsed" for m in at.metric)


@pytest.mark.parametrize("text,speaker", [("1", True), ("yes", True), ("true", True),
                                          ("0", False), ("no", False)])
def test_switches_in_the_deck_link_accept_1_0_yes_no(text, speaker):
    at = run(slide="21", speaker=text)
    assert not at.exception and not at.warning
    assert any(m.label == "Elapsed" for m in at.metric) is speaker


def test_the_speaker_view_counts_time_on_an_injected_clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(talk, "clock", lambda: now[0])
    at = run(slide="3", speaker="1")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Elapsed"] == "0:00" and metrics["On this slide"] == "0:00"
    now[0] += 75
    at.run()
    assert {m.label: m.value for m in at.metric}["Elapsed"] == "1:15"
    at.button(key="talk-next").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Elapsed"] == "1:15" and metrics["On this slide"] == "0:00"
    assert slides.SLIDES[4].title in page_text(at)  # the next slide, beside this one


def test_an_unknown_code_says_only_that_it_is_unknown():
    at = run(room="ZZZZZ")
    assert [e.value for e in at.error] == [
        "There is no room ZZZZZ: it may have ended or expired."]
    assert not any("Following" in c.value for c in at.caption)


def _join(at: AppTest, text: str) -> AppTest:
    at.text_input(key="talk-join-code").input(text)
    next(b for b in at.button if b.label == "Join").click()
    return at.run()


def test_a_typed_code_joins_and_an_unknown_one_is_named():
    _, code = _start_room()
    at = _join(run(), "zzzzz")
    assert not at.exception and any("There is no room ZZZZZ" in w.value for w in at.warning)
    assert "room" not in at.query_params
    at = _join(at, f" {code.lower()} ")
    assert not at.exception
    assert any(f"Following room {code}" in c.value for c in at.caption)
    assert at.query_params["room"] == code


def test_a_follower_shows_the_presenters_live_view_unless_exploring():
    presenter = run(slide="21")
    presenter.button(key="talk-start-2").click().run()
    code = presenter.session_state[f"{TalkState.PAGE}._code"]
    stride = "talk.21/convolution.stride"
    follower = run(room=code)
    assert follower.slider(key=stride).value == 1
    presenter.slider(key=stride).set_value(2).run()
    view = rooms.store_from_env().get(code).view
    assert view["_page"] == "convolution" and view["stride"] == "2"
    follower.run()
    assert follower.slider(key=stride).value == 2  # the presenter's change, shown
    follower.button(key="talk-explore").click().run()
    presenter.slider(key=stride).set_value(3).run()
    follower.run()
    assert follower.slider(key=stride).value == 2  # exploring: its own view
    follower.button(key="talk-follow").click().run()
    # back with the presenter's view, its controls drawn anew (a scope of their own)
    renewed = [s for s in follower.slider if s.key.endswith("/convolution.stride")]
    assert [s.value for s in renewed] == [3] and renewed[0].key != stride
    presenter.slider(key=stride).set_value(1).run()  # back to the preset: the room says {}
    assert rooms.store_from_env().get(code).view == {}
    follower.run()
    assert [s.value for s in follower.slider if s.key.endswith("/convolution.stride")] == [1]


def test_a_view_a_link_would_refuse_is_not_applied():
    presenter = run(slide="21")
    presenter.button(key="talk-start-2").click().run()
    code = presenter.session_state[f"{TalkState.PAGE}._code"]
    token = presenter.session_state[f"{TalkState.PAGE}._token"]
    follower = run(room=code)
    for bad in ({"_page": "convolution", "stride": "99"}, {"_page": "digits", "pen": "7"},
                {"_page": "convolution", "nosuch": "1"}):
        rooms.store_from_env().move(code, token, 21, bad)
        follower.run()
        assert not follower.exception
        assert follower.slider(key="talk.21/convolution.stride").value == 1


def test_the_qr_code_holds_the_public_address(monkeypatch):
    assert talk.local_only("http://localhost:8501/talk?room=K7QXM")
    assert talk.local_only("http://127.0.0.1:8501/talk")
    assert not talk.local_only("https://talk.example.org/talk?room=K7QXM")
    monkeypatch.setenv(talk.PUBLIC_URL_ENV, "https://talk.example.org/")
    presenter, code = _start_room()
    assert f"https://talk.example.org/talk?room={code}" in [t.value for t in presenter.text]
    assert not presenter.warning
    monkeypatch.setenv(talk.PUBLIC_URL_ENV, "http://127.0.0.1:8501")
    presenter.run()
    assert any("phones in the room cannot reach" in w.value for w in presenter.warning)


@pytest.mark.slow
def test_print_draws_every_slide_one_per_page():
    """The whole deck on paper; ``print`` survives a rerun in the link and the session
    (the state contract's all-at-once run leaves this field to this test)."""
    at = open_page(PAGE, {"print": "1"}, timeout=300)
    at.run()  # a rerun, as any widget makes
    assert not at.exception
    from ui import kit
    from ui.states.talk import TalkState

    assert at.query_params.get("print") == kit.to_url(kit.specs(TalkState)["print"], True)[0]
    assert at.session_state[kit.key(TalkState, "print")] is True
    body = page_text(at)
    for n, s in enumerate(slides.SLIDES, 1):
        assert s.title in body, (n, s.title)
    assert [c.value for c in at.caption].count(f"{N} / {N}") == 1
    assert "talk-next" not in [b.key for b in at.button]  # no deck controls on paper


@pytest.mark.slow
def test_a_follower_reruns_without_the_navigation_until_it_explores():
    """A room of 50 reruns the deck at each slide change: while the talk drives a
    follower's screen, the app's navigation (13 links) is not drawn; Explore brings it
    back at once, and a presenter keeps it."""
    from tests.harness import page_test, switch_page

    def links(at) -> int:
        return len(at.get("page_link"))

    presenter, code = _start_room()
    follower = page_test("app.py", timeout=90)
    follower.query_params["room"] = code
    switch_page(follower.run(), "talk").run()
    follower.run()
    assert not follower.exception
    assert any(f"Following room {code}" in c.value for c in follower.caption)
    assert links(follower) == 0
    follower.button(key="talk-explore").click().run()
    assert links(follower) > 10  # the whole navigation, in the run Explore made
    me = page_test("app.py", timeout=90)
    switch_page(me.run(), "talk").run()
    assert links(me) > 10  # no room: the navigation as on every page


def test_each_screen_looks_at_its_own_interval_around_follow_every():
    import random
    import uuid

    rng = random.Random(7)
    every = [talk.follow_every(uuid.UUID(int=rng.getrandbits(128)).hex[:16])
             for _ in range(2000)]
    low, high = (talk.FOLLOW_EVERY * (1 + s * talk.FOLLOW_SPREAD) for s in (-1, 1))
    assert all(low <= e <= high for e in every)
    assert abs(sum(every) / len(every) - talk.FOLLOW_EVERY) < 0.01 * talk.FOLLOW_EVERY
    assert len(set(every)) > 300  # to the millisecond: screens differ, their looks drift apart


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_screens_opened_together_look_at_different_moments_a_few_looks_later(seed):
    """50 screens whose timers started at the same instant (the browser keeps a fragment's
    timer from its first run): at a slide change 20-60 s later their next looks are spread
    over the interval, not one wave of 50 reruns at once."""
    import math
    import random
    import uuid

    rng = random.Random(seed)
    ids = [uuid.UUID(int=rng.getrandbits(128)).hex[:16] for _ in range(50)]

    def next_looks(interval_of, change: float) -> list[float]:
        looks = []
        for me in ids:
            every = interval_of(me)
            looks.append(math.ceil(change / every) * every - change)  # wait after the click
        return sorted(looks)

    def largest_wave(looks: list[float], width: float = 0.1) -> int:
        return max(sum(1 for t in looks if a <= t < a + width) for a in looks)

    for change in (rng.uniform(20, 60) for _ in range(5)):
        spread = next_looks(talk.follow_every, change)
        together = next_looks(lambda me: talk.FOLLOW_EVERY, change)
        assert largest_wave(together) == 50  # one interval for all: one wave
        assert largest_wave(spread) <= 15
        assert spread[-1] - spread[0] >= 0.8 * talk.FOLLOW_EVERY
        assert spread[-1] <= talk.FOLLOW_EVERY * (1 + talk.FOLLOW_SPREAD)

