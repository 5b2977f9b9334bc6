"""Links and text boxes at and over their limits (issue 23).

* No value over its field's limit is written into the link: the link keeps its last good
  value (a 1 MB formula made a 1.1 MB address, which the server then answered with a
  bare HTTP 400 page).
* A text longer than its box allows is cut to the limit and the box says so (the
  browser's own max_chars refused a long paste silently: the box stayed empty).
* A warning quotes at most about 60 characters of a bad value, reason included.
* A query string over Streamlit's 1,000 parameters (which it then ignores whole,
  silently) gets a message; ``present=`` takes 1/0/true/false/yes/no and names anything
  else; the jargon warning's list of terms has no stray comma.
"""

from __future__ import annotations

import pytest

from tests.harness import open_page, wait_for_app
from ui import codec
from ui.states.gradient_descent import DescentState

FORMULA_MAX = codec.specs(DescentState)["formula"].max_len


def page(name: str, **params):
    return open_page(f"pages/{name}.py", params, timeout=120)


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_an_over_long_formula_is_cut_and_never_reaches_the_link():
    at = page("gradient_descent", surface="custom", formula="x**2 + y**2")
    assert at.query_params["formula"] == "x**2 + y**2"
    box = next(t for t in at.text_input if t.label == "L(x, y) =")
    box.set_value("x" + "+x" * 500_000).run()  # a 1 MB paste
    assert not at.exception
    url_value = at.query_params.get("formula", "")
    assert len(url_value) <= FORMULA_MAX
    assert any("1,000,001 characters long" in w and f"at most {FORMULA_MAX}" in w
               for w in warnings(at)), warnings(at)
    box = next(t for t in at.text_input if t.label == "L(x, y) =")
    assert len(box.value) == FORMULA_MAX  # the box holds what is used
    at.run()  # and a rerun keeps it so, without the note again
    assert not any("characters long" in w for w in warnings(at))
    assert len(at.query_params.get("formula", "")) <= FORMULA_MAX


def test_an_over_long_prime_is_cut_with_a_note():
    at = page("char_rnn", length="5")
    at.text_area[0].set_value("Romeo. " * 100_000).run()
    assert not at.exception
    assert any("700,000 characters long" in w for w in warnings(at)), warnings(at)
    assert len(at.query_params.get("prime", "")) <= 500


def test_the_link_keeps_its_last_good_value():
    spec = codec.specs(DescentState)["formula"]
    assert codec.fits(spec, "x" * FORMULA_MAX)
    assert not codec.fits(spec, "x" * (FORMULA_MAX + 1))
    steps = codec.specs(DescentState)["steps"]
    assert codec.fits(steps, 1000) and not codec.fits(steps, 1001)


@pytest.mark.parametrize("field", ["x", "kernel"])
def test_a_warning_quotes_at_most_60_characters(field):
    at = page("convolution", **{field: "x" * 40_000})
    text = " ".join(warnings(at))
    assert f"**{field}**" in text and len(text) < 600, len(text)


def test_the_jargon_warning_has_no_stray_comma():
    at = page("jargon", term="no-such-term")
    text = " ".join(warnings(at)).replace("\\", "")  # without the Markdown escapes
    assert "not one of (empty), loss, " in text and "not one of ," not in text
    assert "more)" in text  # the list is cut, not all 23 terms


@pytest.mark.parametrize("value,on", [("1", True), ("yes", True), ("TRUE", True),
                                      ("0", False), ("no", False), ("false", False)])
def test_present_words(value, on):
    at = open_page("app.py", {"present": value}, timeout=120)
    assert at.session_state["_present"] is on
    assert not any("present" in w for w in warnings(at))


def test_present_other_values_are_named():
    at = open_page("app.py", {"present": "<b>maybe</b>" + "z" * 500}, timeout=120)
    text = " ".join(warnings(at))
    assert "**present**" in text and "not understood" in text and len(text) < 400
    assert "<b>" not in text  # escaped
    assert "present" not in at.query_params
    assert "_present" not in at.session_state or not at.session_state["_present"]


def _reports(page) -> list[bytes]:
    """What the browser sends to the server that carries the watch's report."""
    sent: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(
        payload if isinstance(payload, bytes) else payload.encode())))
    return sent


def test_a_query_string_over_1000_parameters_gets_a_message(page, app_url):
    """Streamlit reads no parameter of a query string with more than 1,000 (it logs and
    drops it); the page says so instead of silently showing its defaults. Only the
    browser still has the string (ui/components/query_watch.py reads it there)."""
    sent = _reports(page)
    page.goto(f"{app_url}/jargon?" + "&".join(f"p{i}=1" for i in range(1001)))
    page.get_by_text("1,001 parameters").first.wait_for()
    warning = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "none was read and every setting is at its default" in warning, warning
    assert sum(b"dropped" in m for m in sent) == 1  # one report, one rerun


def test_a_link_within_the_limits_sends_no_report(page, app_url):
    """A link the server read (999 parameters here) costs no report and no rerun."""
    sent = _reports(page)
    page.goto(f"{app_url}/jargon?" + "&".join(f"p{i}=1" for i in range(999)))
    page.get_by_text("is not a setting of this page").first.wait_for()  # all 999 read
    wait_for_app(page)
    assert page.get_by_text("parameters, more than").count() == 0
    assert sent and not any(b"dropped" in m for m in sent)


def test_unknown_parameters_leave_the_link_in_one_write(monkeypatch):
    """A link with many parameters the page does not have: the page names them and drops
    them from the link with one message to the browser, not one per parameter (each
    message carries the whole query string: 999 of them were 3.5 MB and 20 s in Chromium)."""
    from urllib.parse import urlencode

    from streamlit.runtime.state.query_params import QueryParams

    sent = []
    real = QueryParams._send_query_param_msg
    monkeypatch.setattr(QueryParams, "_send_query_param_msg",
                        lambda self: (sent.append(urlencode(self._query_params, doseq=True)),
                                      real(self))[1])
    at = page("jargon", q="loss", **{f"p{i}": "1" for i in range(200)})
    assert warnings(at) and warnings(at)[0].count("is not a setting of this page") == 200
    assert sent == ["q=loss"]
