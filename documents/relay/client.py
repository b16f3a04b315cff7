"""The client's end of an open stream: whether it has left, and under gevent a wake-up when it does.

An idle stream learns of a client that left only when a write fails, at the next heartbeat (15 s):
70 closed streams held 64 threads that long and /healthz timed out. So a stream asks its socket
between heartbeats. Under gunicorn's gevent worker the loop itself tells it instead: one watcher
per idle socket, woken when the socket turns readable (a closed connection reads as end-of-file),
where asking every SSE_DISCONNECT_CHECK_SECONDS woke 5,000 idle greenlets 10,000 times a second
and took a fifth of the worker's time during a connect storm (bench/capacity.py, py-spy).

Under gevent the client's socket is also a `Sink`: the hub writes an event's bytes straight to the
sockets of the readers that are idle, instead of waking each one's greenlet to write it through
Django and gunicorn (hub.py says why). Those bytes are framed here as gunicorn frames a body.
"""

from __future__ import annotations

import contextlib
import os
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

    def sink(self) -> Sink | None:
        """What the hub may write this client's events to itself, or None (then the stream writes
        them)."""


class Sink(Protocol):
    """The response body's bytes, written around the server: only while the stream's own writer
    (its greenlet) waits for events, so the two never write at once."""

    def frame(self, body: bytes) -> bytes:
        """`body` as the server would put it on the wire (a chunk, for HTTP/1.1)."""

    def send_now(self, data: bytes) -> int:
        """Writes what the socket takes without waiting: the count of bytes written (0 when its
        buffer is full). Raises OSError when the connection is broken."""

    def send_rest(self, data: bytes) -> None:
        """Writes all of `data` (the rest of a frame send_now began), waiting as the server's own
        writes wait (bounded by the socket's timeout). Raises OSError."""

    def abort(self) -> None:
        """Ends the connection in the middle of the body: after a write that failed part way, the
        server must not write more on it (its last chunk would be taken for the body's end)."""


class SocketClient:
    """A client on a socket: gunicorn's, in `request.META["gunicorn.socket"]`. `chunked` tells
    how gunicorn frames this response's body: chunks for HTTP/1.1, as they come for HTTP/1.0 (its
    Response.is_chunked, for a body of unknown length)."""

    def __init__(self, sock: socket.socket, *, chunked: bool = True, direct: bool = True) -> None:
        self._sock = sock
        self._chunked = chunked
        self._direct = direct

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

    def sink(self) -> Sink | None:
        # Only under gevent: the hub and every stream share one thread there, so a stream that
        # waits for events is not writing. Under gthread the hub is a thread of its own, and a
        # stream's thread could be writing a heartbeat right then. Not through TLS, whose records
        # only the socket's SSL object writes.
        if not self._direct or not _is_gevent_socket(self._sock) or hasattr(self._sock, "cipher"):
            return None
        return self

    def frame(self, body: bytes) -> bytes:
        # gunicorn's util.write_chunk, byte for byte.
        return b"%X\r\n%s\r\n" % (len(body), body) if self._chunked else body

    def send_now(self, data: bytes) -> int:
        # The descriptor is non-blocking (gevent keeps every socket so), and os.write never waits
        # for it as the gevent socket's own send would. EPIPE: Python ignores SIGPIPE.
        try:
            return os.write(self._sock.fileno(), data)
        except BlockingIOError:
            return 0

    def send_rest(self, data: bytes) -> None:
        self._sock.sendall(data)

    def abort(self) -> None:
        # gunicorn's next write (the body's last chunk) then fails with EPIPE, which it ignores,
        # and it closes the connection instead of keeping it for another request.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)


def _is_gevent_socket(sock: socket.socket) -> bool:
    # Only once gevent is loaded (its worker patched the socket module) can a socket be one of its.
    return "gevent" in sys.modules and type(sock).__module__.startswith("gevent")
