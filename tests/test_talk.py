"""The live deck in AppTest: every slide renders, links set the slide, bad links and
room codes give messages, and a room's audience follows its presenter (the in-process
store is shared by the AppTests of one process, as by the sessions of one server)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dlcore import rooms
from pages import _slides, _ui
from pages._states.talk import TalkState
from tests.conftest import REPO
from tests.harness import open_page

PAGE = str(REPO / "pages" / "talk.py")
N = len(_slides.SLIDES)


def run(**params: str) -> AppTest:
    return open_page(PAGE, params)


def shown(at: AppTest) -> str:
    parts = [t.value for t in at.title] + [m.value for m in at.markdown]
    parts += [s.value for s in at.subheader] + [i.value for i in at.info]
    return "\n".join(parts)


def test_the_deck_follows_the_talk():
    titles = [s.title for s in _slides.SLIDES]
    assert titles[0] == "Deep Learning: Getting Started" and titles[-1] == "Questions?"
    for must in ("Semantics", "Recall: Minimization", "MNIST - Hello (Deep Learning) World",
                 "Convolution", "Word Embeddings (word2vec, Glove etc.)", "NLP – Char–RNN",
                 "Split your data", "Overfitting", "Fine-Tuning", "GPU vs CPU",
                 "Learn the jargon"):
        assert must in titles
    assert all(s.notes for s in _slides.SLIDES if not s.section)


@pytest.mark.parametrize("n", range(1, N + 1))
def test_every_slide_renders(n):
    at = run(slide=str(n))
    assert not at.exception and not at.warning
    assert _slides.SLIDES[n - 1].title in shown(at)
    assert f"**{n} / {N}**" in shown(at)


def test_live_slides_link_to_their_view_at_the_preset():
    for s in _slides.SLIDES:
        if s.live:
            try:
                url = _ui.link_to(s.live, **s.preset)
            except ImportError:
                pytest.fail(f"slide {s.title!r}: no page {s.live!r}")
            assert url.startswith(s.live)


def test_out_of_range_and_garbage_give_a_message():
    for bad in ("0", str(N + 1), "abc"):
        at = run(slide=bad)
        assert not at.exception
        assert any("slide" in w.value for w in at.warning)
        assert at.title[0].value == _slides.SLIDES[0].title


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
    assert f"Room code: `{code}`" in shown(presenter)
    return presenter, code


def test_the_room_follows_the_presenter_and_only_the_presenter_moves_it():
    presenter, code = _start_room()
    follower = run(room=code)
    assert not follower.exception
    assert any(f"Following room {code}" in c.value for c in follower.caption)
    for _ in range(3):
        presenter.button(key="talk-next").click().run()
    assert rooms.store_from_env().get(code).slide == 4
    follower.run()
    assert follower.title[0].value == _slides.SLIDES[3].title

    # The follower's own Next explores: its screen moves, the room does not.
    follower.button(key="talk-next").click().run()
    assert follower.title[0].value == _slides.SLIDES[4].title
    assert rooms.store_from_env().get(code).slide == 4
    presenter.button(key="talk-next").click().run()
    follower.run()
    assert follower.title[0].value == _slides.SLIDES[4].title  # exploring: stays
    follower.button(key="talk-follow").click().run()
    assert follower.title[0].value == _slides.SLIDES[4].title  # slide 5 is where the talk is
    presenter.button(key="talk-next").click().run()
    follower.run()
    assert "# Deep Learning" in shown(follower)  # slide 6, a section title


def test_unknown_and_malformed_room_codes():
    at = run(room="ZZZZZ")
    assert not at.exception and any("no room ZZZZZ" in e.value for e in at.error)
    at = run(room="<b>hi")
    assert not at.exception and any("not a room code" in e.value for e in at.error)


def test_speaker_view_shows_next_slide_and_notes():
    at = run(slide="12", speaker="true")
    assert not at.exception
    body = shown(at)
    assert _slides.SLIDES[11].notes in body and _slides.SLIDES[12].title in body
    assert any(m.label == "Elapsed" for m in at.metric)
