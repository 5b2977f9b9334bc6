"""ui/served.py: pictures the app makes, served from static/ (no Streamlit internal)."""

from __future__ import annotations

import base64
import os
import threading

import streamlit as st

from ui import served


def test_a_picture_is_one_file_named_by_its_bytes(tmp_path):
    a = served.static_file(b"\x89PNG a", ".png", tmp_path)
    assert a is not None and a.read_bytes() == b"\x89PNG a" and a.suffix == ".png"
    assert served.static_file(b"\x89PNG a", ".png", tmp_path) == a  # the same name again
    assert served.static_file(b"\x89PNG b", ".png", tmp_path) != a
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {a.name, served.static_file(b"\x89PNG b", ".png", tmp_path).name})


def test_the_folder_keeps_the_newest_pictures_only(tmp_path):
    paths = []
    for n in range(12):
        p = tmp_path / f"{n:02d}.png"
        p.write_bytes(b"x")
        os.utime(p, (1000 + n, 1000 + n))  # an injected age: 00 is the oldest
        paths.append(p)
    assert served.prune(tmp_path, keep=5) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n:02d}.png" for n in range(7, 12)]
    assert served.prune(tmp_path, keep=5) == 0


def test_a_flood_of_new_pictures_stays_within_the_bound(tmp_path):
    for n in range(40):
        assert served.static_file(f"picture {n}".encode(), ".png", tmp_path, keep=8)
    assert len(list(tmp_path.iterdir())) == 8
    assert served.KEEP * 150_000 < 50e6  # the real bound: 256 maps of up to ~150 kB


def test_writers_at_once_leave_whole_files_and_no_parts(tmp_path):
    data = os.urandom(200_000)
    found = []
    threads = [threading.Thread(target=lambda: found.append(
        served.static_file(data, ".png", tmp_path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1 and found[0].read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [found[0].name]  # no .part- left


def test_an_unwritable_folder_gives_no_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    assert served.static_file(b"x", ".png", blocker / "made") is None  # under a file


def test_the_url_is_the_static_route_or_a_data_url(monkeypatch, tmp_path):
    options = {"server.enableStaticServing": True, "server.baseUrlPath": ""}
    monkeypatch.setattr(st, "get_option", lambda name: options[name])
    url = served.picture_url(b"\x89PNG", folder=tmp_path / "made")
    assert url.startswith("/app/static/made/") and url.endswith(".png")
    assert (tmp_path / "made" / url.rsplit("/", 1)[1]).read_bytes() == b"\x89PNG"
    options["server.baseUrlPath"] = "/talk-room/"
    assert served.picture_url(b"\x89PNG", folder=tmp_path / "made") == "/talk-room" + url
    options["server.enableStaticServing"] = False
    url = served.picture_url(b"\x89PNG", folder=tmp_path / "made")
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == b"\x89PNG"


def test_the_apps_config_serves_static_files():
    import tomllib

    from tests.conftest import REPO

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True
    assert served.MADE.parent == REPO / "static"


def test_a_components_code_is_a_file_the_rerun_names(monkeypatch, tmp_path):
    """Issue 24: a component's JavaScript is served once as a file, and a rerun that
    draws the component sends a loader of a few lines instead of the code."""
    options = {"server.enableStaticServing": True, "server.baseUrlPath": "/room/"}
    monkeypatch.setattr(st, "get_option", lambda name: options[name])
    code = "export default function (c) { c.parentElement.textContent = 'hi'; }\n" * 200
    loader = served.component_js(code, tmp_path / "code")
    (path,) = (tmp_path / "code").iterdir()
    assert path.read_text() == code and path.suffix == ".js"
    assert f'"/room/app/static/made/code/{path.name}"' in loader and len(loader) < 250
    assert "import(" in loader and "m.default(component)" in loader
    assert served.component_js(code, tmp_path / "code") == loader  # the same file again
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    assert served.component_js(code, blocker / "code") == code  # unwritable: inline
    options["server.enableStaticServing"] = False
    assert served.component_js(code, tmp_path / "code") == code  # no static serving


def test_the_static_route_serves_a_module_as_javascript():
    """Chromium runs a module only with a JavaScript type (the route answers nosniff)."""
    from streamlit.web.server.component_file_utils import guess_content_type

    assert guess_content_type("static/made/code/0123.js") == "text/javascript"
