"""AppTest: the digits page renders in every mode, deep links set its state, bad links warn."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from dlcore.data import mnist
from dlcore.digits import train as digits
from tests.harness import REPO, SEVEN, canvas, open_page, page_test, rendered
from ui import kit

pytestmark = pytest.mark.slow  # AppTest page runs

PAGE = str(REPO / "pages" / "digits.py")
LINK = re.compile(r'href="(convolution\?[^"]+)"')  # each filter picture is its link


def run(**params: str) -> AppTest:
    at = open_page(PAGE, params)
    assert not at.exception, at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def verdicts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if re.search(r"(says|is not sure)", m.value)]


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_draw_mode_answers_in_the_browser_and_draws_the_rest_from_its_digit():
    at = run()
    assert at.radio(key="digits.source").value == "draw"
    assert verdicts(at) == [] and "Inside the CNN" not in subheaders(at)  # nothing drawn yet
    images, _ = mnist.load_sample()
    at.session_state["digits._pad"] = {"digit": images[0].reshape(-1).tolist()}  # a pen-up
    at.run()
    assert not at.exception, at.exception
    # the feature maps' section is folded: the server draws nothing from the drawing
    assert "Inside the CNN" not in subheaders(at) and verdicts(at) == []
    at.session_state["digits._inside"] = True  # the section opened
    at.run()
    assert "Inside the CNN" not in subheaders(at)  # the digit it holds may be old: it waits
    at.run()  # the browser's digit, sent as the section opened
    assert not at.exception, at.exception
    assert "Inside the CNN" in subheaders(at)
    assert verdicts(at) == []  # the answer is the browser's, on the pad


def test_a_perturbed_drawing_is_answered_by_the_server():
    at = run(shift_x="4", rotate="30")
    images, _ = mnist.load_sample()
    at.run()  # the browser's digit, sent because the link perturbs it
    at.session_state["digits._pad"] = {"digit": images[0].reshape(-1).tolist()}
    at.run()
    assert not at.exception, at.exception
    assert len(verdicts(at)) == 2  # both networks, on the shifted and turned digit
    assert "Inside the CNN" not in subheaders(at)


@pytest.mark.parametrize("value", [[300] * 784, ["7"] * 784, [1] * 10, "7", {"a": 1}, None])
def test_a_bad_digit_from_the_browser_is_ignored(value):
    at = run()
    at.session_state["digits._inside"] = True
    at.run()
    at.session_state["digits._pad"] = {"digit": value}
    at.run()
    assert not at.exception, at.exception
    assert "Inside the CNN" not in subheaders(at)


def test_without_the_exported_weights_the_server_reads_the_canvas(monkeypatch):
    from ui.components import digits as digits_pad

    monkeypatch.setattr(digits_pad, "available", lambda: False)
    at = run()
    assert "The canvas is empty" in at.info[0].value
    assert verdicts(at) == []


def test_test_digit_mode_from_a_link_with_perturbations():
    at = run(source="test digit", seed="3", rotate="30", shift_x="-2", stroke="1")
    assert at.slider(key="digits.rotate").value == 30 and at.slider(key="digits.shift_x").value == -2
    assert at.number_input(key="digits.seed").value == 3
    images, labels = mnist.load_sample()
    i = int(np.random.default_rng(3).integers(len(labels)))
    assert f"**{labels[i]}**" in "\n".join(c.value for c in at.caption)
    assert [v.split("**")[1] for v in verdicts(at)] == ["CNN", "MLP (fully connected)"]
    captions = "\n".join(c.value for c in at.caption)
    assert "turned 30° clockwise" in captions and "1 px thicker" in captions


def test_another_test_digit_button_changes_the_seed():
    at = run(source="test digit")
    at.button[0].click().run()
    assert not at.exception and at.number_input(key="digits.seed").value != 0


def test_filters_link_to_the_convolution_page_with_the_digit():
    at = run(source="test digit", seed="5")
    links = LINK.findall(markdown(at))
    assert len(links) == 32
    query = {k: v[0] for k, v in parse_qs(urlsplit(links[0]).query).items()}
    assert query["preset"] == "edited"
    assert kit.decode_grid(query["kernel"]).shape == (5, 5)
    images, labels = mnist.load_sample()
    i = int(np.random.default_rng(5).integers(len(labels)))
    np.testing.assert_array_equal(kit.decode_image(query["image"]), images[i])


def test_mistakes_gallery():
    wrong = digits.load_mistakes()
    at = run(source="mistakes", mistake="2")
    assert f"gets **{len(wrong['labels'])}** of the 10,000" in markdown(at)
    assert f"**{wrong['labels'][1]}**" in "\n".join(c.value for c in at.caption)
    assert len(verdicts(at)) == 2
    at = run(source="mistakes", mistake="999")
    assert "only" in at.warning[0].value


def _jpeg_of_a_seven(size=(600, 450)) -> bytes:
    """A blue 7 on cream paper, as a phone photo might give it."""
    alpha = canvas([SEVEN])[..., 3].astype(float) / 255
    paper, pen = np.array([250, 240, 220.0]), np.array([20, 40, 200.0])
    rgb = (paper * (1 - alpha[..., None]) + pen * alpha[..., None]).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).resize(size).save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def upload(name: str, data: bytes, mime: str) -> AppTest:
    at = run(source="upload")
    assert "Choose a picture" in at.info[0].value
    at.file_uploader[0].upload(name, data, mime)
    at.run()
    assert not at.exception, at.exception
    return at


def test_uploaded_photo_goes_through_the_same_pipeline():
    at = upload("seven.jpg", _jpeg_of_a_seven(), "image/jpeg")
    assert verdicts(at)[0].startswith("**CNN** says **7**")


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _line(size, box) -> Image.Image:
    img = Image.new("L", size, 255)
    img.paste(0, box)
    return img


def test_a_sideways_phone_photo_is_turned_upright():
    """A 7 photographed with the phone turned: the pixels are sideways and the EXIF
    Orientation tag (6) says how to turn them; before, the page read "not sure: maybe 5?"."""
    upright = Image.open(io.BytesIO(_jpeg_of_a_seven((450, 600))))
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(buf, format="JPEG", exif=exif)
    at = upload("sideways.jpg", buf.getvalue(), "image/jpeg")
    assert verdicts(at)[0].startswith("**CNN** says **7**")


def test_a_one_pixel_stroke_is_shown_and_read():
    """Its crop is 1x160 pixels: before, showing it raised "height and width must be > 0"."""
    at = upload("stroke.png", _png(_line((200, 200), (20, 100, 180, 101))), "image/png")
    assert len(verdicts(at)) == 2  # upload() checked that nothing raised


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.png", b"this is not a picture", "not a readable PNG or JPEG"),
    ("huge.png", b"\x89PNG" + bytes(3 * 2**20), "the limit is"),
    ("blank.png", None, "nothing to classify"),
    ("wide.png", _png(_line((1000, 3), (0, 1, 1000, 2))), "is a line, not a digit"),
    ("hair.png", _png(Image.new("L", (25000, 1), 0)), "is a line, not a digit"),
    ("giant.png", _png(Image.new("1", (10_000, 10_000))), "too large: 10000×10000 pixels"),
])
def test_bad_uploads_get_a_clear_message(name, data, message):
    if data is None:
        data = _png(Image.new("RGB", (200, 200), "white"))
    at = upload(name, data, "image/png")
    shown = rendered(" ".join(e.value for e in at.error) + " ".join(i.value for i in at.info))
    assert message in shown.lower() or message in shown
    assert verdicts(at) == []


@pytest.mark.parametrize("params", [{"source": "camera"}, {"rotate": "720"}, {"seed": "x"},
                                    {"pen": "1e9"}, {"mistake": "-1"}, {"foo": "bar"}])
def test_bad_links_warn_and_use_defaults(params):
    at = run(**params)
    assert "were not understood" in at.warning[0].value


def test_the_convolution_page_accepts_a_filter_link():
    link = LINK.findall(markdown(run(source="test digit", seed="5")))[7]
    conv = page_test(str(REPO / "pages" / "convolution.py"), timeout=60)
    for key, values in parse_qs(urlsplit(link).query).items():
        conv.query_params[key] = values[0]
    conv.run()
    assert not conv.exception, conv.exception
    assert not conv.warning and not conv.error
