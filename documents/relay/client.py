"""The client's end of an open stream: whether it has left, and under gevent a wake-up when it does.

An idle stream learns of a client that left only when a write fails, at the next heartbeat (15 s):
70 closed streams held 64 threads that long and /healthz timed out. So a stream asks its socket
between heartbeats. Under gunicorn's gevent worker the loop itself tells it instead: one watcher
per idle socket, woken when the socket turns readable (a closed connection reads as end-of-file),
where asking every SSE_DISCONNECT_CHECK_SECONDS woke 5,000 idle greenlets 10,000 times a second
and took a fifth of the worker's time during a connect storm (bench/capacity.py, py-spy).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from typing import Protocol


class Client(Protocol):
    def gone(self) -> bool:
        """Whether the client closed its connection (asked now, without waiting)."""

    def watch(self, wake: Callable[[], None]) -> Callable[[], None] | None:
        """Calls `wake` once when the connection has something to say (it closed, or the client
        sent bytes: gone() tells which); returns what stops the watch. None when nothing can
        watch it: the stream then asks gone() every SSE_DISCONNECT_CHECK_SECONDS."""


class SocketClient:
    """A client on a socket: gunicorn's, in `request.META["gunicorn.socket"]`."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def gone(self) -> bool:
        sock = self._sock
        try:
            timeout = sock.gettimeout()
            sock.settimeout(0)  # a peek that waits for nothing (gevent's socket would wait)
            try:
                return sock.recv(1, socket.MSG_PEEK) == b""
            finally:
                sock.settimeout(timeout)
        except (BlockingIOError, InterruptedError, ValueError):  # open (ValueError: TLS, cannot peek)
            return False
        except OSError:  # reset or closed
            return True

    def watch(self, wake: Callable[[], None]) -> Callable[[], None] | None:
        if not _is_gevent_socket(self._sock):
            return None  # a thread per stream (gthread, runserver): a few dozen, polling is cheap
        from gevent import get_hub

        try:
            watcher = get_hub().loop.io(self._sock.fileno(), 1)  # 1: readable
        except (OSError, ValueError):  # closed already
            return None

        def readable() -> None:
            # In the loop's own greenlet: stop first (a socket that stays readable would call again
            # and again), then only set an Event, which never blocks.
            watcher.stop()
            wake()

        watcher.start(readable)

        def stop() -> None:
            watcher.stop()
            watcher.close()

        return stop


def _is_gevent_socket(sock: socket.socket) -> bool:
    # Only once gevent is loaded (its worker patched the socket module) can a socket be one of its.
    return "gevent" in sys.modules and type(sock).__module__.startswith("gevent")
