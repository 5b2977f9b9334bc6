"""ui/compat.py: the Streamlit internals the app uses are still there, as checked."""

from __future__ import annotations

import base64

import streamlit as st

from ui import compat


def test_this_streamlit_is_a_checked_version():
    assert compat.version_checked(), (st.__version__, compat.CHECKED)


def test_the_multipage_flag_still_exists():
    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory")


def test_the_query_limits_are_streamlits():
    from streamlit.runtime.state import query_params

    assert compat.QUERY_MAX_FIELDS == query_params.CLIENT_STATE_QUERY_STRING_MAX_FIELDS
    assert compat.QUERY_MAX_LENGTH == query_params.CLIENT_STATE_QUERY_STRING_MAX_LENGTH


def test_without_a_server_the_browser_query_is_empty_and_media_are_data_urls():
    assert compat.browser_query() == ""
    url = compat.media_url(b"\x89PNG", "image/png", "x")
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == b"\x89PNG"


def test_the_media_manager_takes_a_picture():
    """What media_url calls on a running server, on a manager like the server's."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    url = manager.add(b"\x89PNG", "image/png", "x")
    assert url.startswith("/media/") and url.endswith(".png")
