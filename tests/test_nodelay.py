"""The server's connections send at once: ``ui.nodelay`` turns Nagle's algorithm off on
the listening sockets that Streamlit binds itself (``proto`` 0, which asyncio leaves
alone) and on the connections they accept."""

from __future__ import annotations

import socket
import sys

import pytest

from ui import nodelay

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc/self/fd (Linux)")


def _nodelay(s: socket.socket) -> bool:
    return bool(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def _listener() -> socket.socket:
    s = socket.socket(family=socket.AF_INET)  # as Streamlit binds it: proto 0
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


def test_a_listener_bound_like_streamlits_has_no_nodelay_of_its_own():
    """The defect: asyncio's transports skip ``TCP_NODELAY`` unless ``proto`` is TCP."""
    import asyncio.base_events as base

    with _listener() as lst:
        assert lst.proto == 0
        client = socket.create_connection(lst.getsockname())
        conn, _ = lst.accept()
        with client, conn:
            base._set_nodelay(conn)  # what asyncio does for each accepted connection
            assert not _nodelay(conn)


def test_the_listener_and_its_connections_get_nodelay_and_others_do_not():
    with _listener() as lst:
        port = lst.getsockname()[1]
        early = socket.create_connection(("127.0.0.1", port))
        early_conn, _ = lst.accept()
        outgoing = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # e.g. Redis's
        with early, early_conn, outgoing:
            done = nodelay.set_nodelay()
            assert (port, True) in done and (port, False) in done
            assert _nodelay(lst) and _nodelay(early_conn)
            assert not _nodelay(early)  # the client's side: its port is not listening
            assert not _nodelay(outgoing)
            # a connection accepted afterwards has it from the listener (Linux)
            late = socket.create_connection(("127.0.0.1", port))
            late_conn, _ = lst.accept()
            with late, late_conn:
                assert _nodelay(late_conn)


def test_without_proc_it_does_nothing(tmp_path):
    assert nodelay.set_nodelay(str(tmp_path / "missing")) == []


def test_the_app_asks_for_it_once_per_process():
    nodelay.ensure.cache_clear()
    first = nodelay.ensure()
    assert nodelay.ensure() is first and nodelay.ensure.cache_info().hits == 1
