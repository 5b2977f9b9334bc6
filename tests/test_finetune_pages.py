"""The "Hot dog or not" and "Fine-tuning" pages: the slide's verdict, links to demo
pictures, uploads good and bad, training on examples, and pictures that stay in their own
session. Plus a person uploading a photo in Chromium."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from dlcore.finetune import demo
from tests.conftest import wait_for_app
from tests.harness import open_page

pytestmark = pytest.mark.slow  # AppTest page runs

CATS = {"tabby", "tiger cat", "Egyptian cat", "lynx", "Persian cat", "Siamese cat"}


def run(page: str, **params: str) -> AppTest:
    at = open_page(f"pages/{page}.py", params, timeout=240)
    assert not at.exception, at.exception
    return at


def verdicts(at: AppTest) -> list[str]:
    """The slide's two lines, as the page shows them (the more probable one larger)."""
    return [m.value for m in at.markdown if m.value.startswith(("## ", "### "))]


def top_five(at: AppTest) -> list[str]:
    """ImageNet's labels, most probable first, as the page's bars name them."""
    return [e.proto.text.rsplit(":", 1)[0].replace("\\", "") for e in at.get("progress")]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def test_default_drawn_hot_dog_is_undecided_like_the_slide():
    at = run("hotdog")
    assert verdicts(at) == ["## 🚫 Not hotdog! p = 0.53", "### 🌭 Hotdog! p = 0.47"]
    top = top_five(at)
    assert top[0] == "hotdog" and len(top) == 5


def test_a_link_picks_the_cat_photo():
    at = run("hotdog", picture="cat", seed="0")
    assert verdicts(at) == ["## 🚫 Not hotdog! p = 1.00", "### 🌭 Hotdog! p = 0.00"]
    assert set(top_five(at)) & CATS


def test_train_on_examples_changes_p_and_stays_in_its_session():
    a = run("hotdog")
    button(a, "Train on examples").click().run()  # the 24 balanced demo examples only
    assert not a.exception, a.exception
    before, after = (m.value for m in a.metric)
    # the default drawing is not among the demo examples, and yet:
    assert before == "Not hotdog! p = 0.53" and after.startswith("Hotdog! p = ")
    assert float(after.split("= ")[1]) >= 0.9
    # both lines, each with its own p
    other = 1 - float(after.split("= ")[1])
    assert f"Not hotdog! p = {other:.2f}" in [c.value for c in a.caption]
    a.query_params["picture"] = "astronaut"
    a.run()
    assert [m.value for m in a.metric][1].startswith("Not hotdog!")
    button(a, "🌭 This is a hot dog").click().run()
    assert "1 hot dog, 0 not" in " ".join(c.value for c in a.caption)
    # a second person (another session, same server) sees none of it
    b = run("hotdog")
    assert not b.metric
    assert "0 hot dog, 0 not" in " ".join(c.value for c in b.caption)


def test_biased_examples_make_an_empty_plate_a_hot_dog():
    """The Overfitting slide's "Bias in the data?": its link opens an empty plate on the
    tablecloth; trained on the biased examples it says Hotdog!, on the balanced ones not."""
    from dlcore.finetune import hotdog

    params = dict(p.split("=") for p in hotdog.LINKS["biased"].split("?")[1].split("&"))
    at = run("hotdog", **{k: v.replace("+", " ") for k, v in params.items()})
    assert verdicts(at)[0].startswith("## 🚫 Not hotdog!")  # ImageNet alone: a plate
    button(at, "Train on examples").click().run()
    assert not at.exception, at.exception
    assert at.metric[1].value.startswith("Hotdog! p = ")
    at.radio(key="hotdog.examples").set_value("balanced").run()
    button(at, "Train on examples").click().run()
    assert at.metric[1].value.startswith("Not hotdog! p = ")


def test_camera_waits_for_a_picture():
    at = run("hotdog", picture="camera")
    assert at.get("camera_input") and verdicts(at) == []
    assert "this browser session only" in at.info[0].value


@pytest.mark.parametrize(("name", "data", "message"), [
    ("**notes**.png", b"this is not a picture", "not a readable PNG or JPEG"),
    ("huge.jpg", b"\xff\xd8" + bytes(6 * 2**20), "the limit is"),
])
def test_bad_uploads_get_a_message(name, data, message):
    at = run("hotdog", picture="upload")
    at.file_uploader[0].upload(name, data, "image/png").run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert message in shown and "**" not in shown.replace("\\*", "")
    assert verdicts(at) == []


def test_an_uploaded_photo_gets_a_verdict():
    at = run("hotdog", picture="upload")
    at.file_uploader[0].upload("coffee.jpg", jpeg(demo.photo("coffee", None)), "image/jpeg")
    at.run()
    assert not at.exception
    assert verdicts(at)[0] == "## 🚫 Not hotdog! p = 1.00"
    assert top_five(at)[0] == "espresso"


@pytest.mark.slow
def test_fine_tuning_demo_trains_both_and_shows_accuracy_against_pictures_per_class():
    import json

    from dlcore.finetune import compare

    at = run("fine_tuning")
    button(at, "Train both").click().run(timeout=600)
    assert not at.exception, at.exception
    probs = at.dataframe[0].value
    assert list(probs["class"]) == ["face", "not face"]
    assert probs["fine-tuned"][0] > 0.5  # held-out picture 1 is a face
    assert any("From scratch" in c.value for c in at.caption)
    sizes = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert sizes["layout"]["xaxis"]["title"]["text"] == "training pictures per class"
    curve = {d["name"]: d["y"] for d in sizes["data"]}
    assert all(len(v) == len(compare.SIZES) for v in curve.values())
    at_default = compare.SIZES.index(compare.DEFAULTS["per_class"])
    assert curve["fine-tuned"][at_default] >= curve["from scratch"][at_default] + 0.1


def test_fine_tuning_your_classes_are_text_and_private():
    at = run("fine_tuning", source="yours", names="<b>hot</b>, **dog**, [x](http://a)")
    shown = " ".join(m.value for m in at.markdown)
    assert "\\<b\\>hot\\<\\/b\\>" in shown and "\\*\\*dog\\*\\*" in shown
    assert "<b>" not in shown.replace("\\<b\\>", "")
    assert any("at least two pictures" in i.value for i in at.info)
    assert not at.get("camera_input")  # no camera until asked for
    at.toggle(key="fine_tuning._use_camera").set_value(True).run()
    assert at.get("camera_input")
    classes = next(r for r in at.radio if r.label == "For class")
    assert classes.options[:2] == ["\\<b\\>hot\\<\\/b\\>", "\\*\\*dog\\*\\*"]
    one = run("fine_tuning", source="yours", names="a")
    assert any("at least two class names" in w.value for w in one.warning)


def test_fine_tuning_your_pictures_train_and_classify_and_stay_private():
    at = run("fine_tuning", source="yours", names="espresso, space", steps="5")
    cups = [(f"cup{i}.jpg", jpeg(demo.photo("coffee", i)), "image/jpeg") for i in range(3)]
    sky = [(f"sky{i}.jpg", jpeg(demo.photo("rocket", i)), "image/jpeg") for i in range(3)]
    sky.append(("notes.jpg", b"not a picture", "image/jpeg"))
    at.file_uploader[0].set_value(cups)
    at.file_uploader[1].set_value(sky)
    at.run()
    assert [c.value for c in at.caption if c.value.endswith("pictures")] == ["3 pictures"] * 2
    assert "notes.jpg cannot be used" in at.error[0].value.replace("\\", "")
    button(at, "Train both").click().run()
    assert not at.exception, at.exception
    assert any("From scratch" in c.value for c in at.caption)
    at.file_uploader[2].upload("new.jpg", jpeg(demo.photo("coffee", 99)), "image/jpeg").run()
    probs = at.dataframe[0].value
    assert list(probs["class"]) == ["espresso", "space"] and probs["fine-tuned"][0] > 0.5
    other = run("fine_tuning", source="yours", names="espresso, space", steps="5")
    assert [c.value for c in other.caption if c.value.endswith("pictures")] == ["0 pictures"] * 2
    assert not other.dataframe


@pytest.mark.parametrize("params", [{"classes": "giraffe"}, {"steps": "0"},
                                    {"mode": "all"}, {"picture": "x"}])
def test_bad_links_warn_and_use_defaults(params):
    page = "hotdog" if "picture" in params else "fine_tuning"
    at = run(page, **params)
    assert any("not understood" in w.value for w in at.warning)


@pytest.mark.browser
def test_browser_upload_gets_a_verdict(page, app_url, tmp_path):
    photo = tmp_path / "coffee.jpg"
    photo.write_bytes(jpeg(demo.photo("coffee", seed=None)))
    page.goto(f"{app_url}/hotdog?picture=upload")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    verdict = page.get_by_text("Not hotdog! p = 1.00")
    verdict.wait_for(timeout=60_000)
    page.get_by_text("espresso: 0.9").wait_for()
    page.screenshot(path=str(tmp_path / "hotdog_upload.png"), full_page=True)
