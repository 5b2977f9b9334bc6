"""The server's TCP connections send each message at once (``TCP_NODELAY``).

Streamlit 1.67 binds its listening socket itself (``socket.socket(family=...)``, whose
``proto`` is 0), and asyncio only turns Nagle's algorithm off for sockets whose ``proto``
is ``IPPROTO_TCP``. So no connection to the server had ``TCP_NODELAY``: a run's first
message (``new_session``) left at once, and every later one waited until the client
acknowledged the first. A client that delays its acknowledgements (Linux: up to 40 ms)
got every rerun about 43 ms after it had finished on the server: the benchmarks' protocol
client, on every page, and a one-line Streamlit script the same. Chromium on this
machine's loopback saw no difference; over a real network each run's later messages wait
at least one round trip (``docs/performance.md``, "Nagle's algorithm").

``ensure()`` sets the option on the process's listening TCP sockets (Linux passes it on
to each connection accepted after) and on the connections they have already accepted. It
reads ``/proc/self/fd``: elsewhere it does nothing. It touches no other socket (Redis,
outgoing requests)."""

from __future__ import annotations

import functools
import os
import socket
import stat

FDS = "/proc/self/fd"


def _sockets(fds_dir: str) -> list[socket.socket]:
    """A duplicate of every socket descriptor of this process (closing one leaves the
    original open)."""
    found = []
    for name in os.listdir(fds_dir):
        try:
            fd = int(name)
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            dup = os.dup(fd)
        except (OSError, ValueError):
            continue  # closed meanwhile, or not ours to read
        try:
            found.append(socket.socket(fileno=dup))
        except OSError:
            os.close(dup)
    return found


def set_nodelay(fds_dir: str = FDS) -> list[tuple[int, bool]]:
    """Set ``TCP_NODELAY`` on this process's listening TCP sockets and on the connections
    they accepted; returns ``(port, listening)`` for each socket it set."""
    try:
        socks = _sockets(fds_dir)
    except OSError:
        return []  # no /proc: not Linux
    try:
        tcp = [s for s in socks if s.family in (socket.AF_INET, socket.AF_INET6)
               and s.type == socket.SOCK_STREAM]
        ports = {}  # socket -> (its local port, whether it listens)
        for s in tcp:
            try:
                ports[s] = (s.getsockname()[1],
                            bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)))
            except OSError:
                continue
        listening = {port for port, listens in ports.values() if listens}
        done = []
        for s, (port, listens) in ports.items():
            if port in listening:
                try:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    continue
                done.append((port, listens))
        return done
    finally:
        for s in socks:
            s.close()


@functools.cache
def ensure() -> tuple[tuple[int, bool], ...]:
    """Once per process, from the app's first run (the server is listening by then)."""
    return tuple(set_nodelay())
