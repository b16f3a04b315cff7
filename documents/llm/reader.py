"""Reading a blocking stream of model output with deadlines and stop checks.

An SDK stream is a blocking iterator: `Reader` reads it in a daemon thread onto a queue, and
`Waiter` waits on that queue with the caller's own deadlines, asking should_stop() as it goes.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

# How often a wait wakes to ask should_stop(), so a cancel takes effect within about this long.
STOP_POLL_SECONDS = 0.1


class Reader:
    """One request, opened and read in a daemon thread that puts ("chunk"|"error"|"end", x) on a queue.

    The SDK only offers a blocking iterator whose read timeout restarts on every byte, so a server
    that sends headers and then stalls (or trickles keep-alives) would hold a caller for ever.
    Reading here lets the caller wait on the queue with its own deadlines and stop checks.
    """

    def __init__(self, open_stream: Callable[[], Any]) -> None:
        self.queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._open_stream = open_stream
        self._lock = threading.Lock()
        self._stream: Any = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="llm-stream-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            stream = self._open_stream()
            with self._lock:
                self._stream = stream
                closed = self._closed
            if closed:  # the caller gave up while the request was being sent
                close_stream(stream)
                return
            for chunk in stream:
                if self._closed:
                    return
                self.queue.put(("chunk", chunk))
            self.queue.put(("end", None))
        except BaseException as exc:  # handed to the caller's thread, which maps it to an LLMError
            if not self._closed:
                self.queue.put(("error", exc))

    def close(self) -> None:
        """Close the HTTP stream so the server stops generating; the thread then ends on its own."""
        with self._lock:
            self._closed = True
            stream = self._stream
        if stream is not None:
            close_stream(stream)


def close_stream(stream: Any) -> None:
    # Closing the response alone does not wake a thread blocked reading the socket, so a stalled
    # server would not see the disconnect until the read timeout. Shutting the socket down does.
    response = getattr(stream, "response", None)
    if response is not None and not response.is_closed:
        network_stream = response.extensions.get("network_stream")
        sock = network_stream.get_extra_info("socket") if network_stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        stream.close()


class Stopped(Exception):
    """should_stop() returned True while waiting."""


class TimedOut(Exception):
    pass


class ShouldStopFailed(Exception):
    """should_stop() itself raised: the caller's own error (say Redis), re-raised to it unmapped."""


class Waiter:
    """Waits on a reader's queue with a deadline, asking should_stop() at most every STOP_POLL_SECONDS.

    should_stop may hit Redis or the database, so it is rate-limited rather than called per token.
    """

    def __init__(self, should_stop: Callable[[], bool]) -> None:
        self._should_stop = should_stop
        self._next_check = 0.0

    def check_stop(self) -> None:
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + STOP_POLL_SECONDS
            try:
                stop = self._should_stop()
            except Exception as exc:
                raise ShouldStopFailed from exc
            if stop:
                raise Stopped

    def get(self, reader: Reader, deadline: float) -> tuple[str, Any]:
        while True:
            self.check_stop()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimedOut
            try:
                return reader.queue.get(timeout=min(remaining, STOP_POLL_SECONDS))
            except queue.Empty:
                continue

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self.check_stop()
            time.sleep(min(remaining, STOP_POLL_SECONDS))
