"""What the relay's tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from documents.relay.writer import StreamWriter


@contextmanager
def fresh_stream(task_id: int) -> Iterator[StreamWriter]:
    """A writer on an empty stream for `task_id`, and nothing of it left in Redis afterwards."""
    writer = StreamWriter(task_id)
    writer.reset()
    try:
        yield writer
    finally:
        writer.reset()


class Wire:
    """One client's connection as the server writes it: the stream's own writes (framed as gunicorn
    frames them for HTTP/1.1) and the hub's (relay/client.py's Sink) land on the same bytes, in
    the order they were written. `room` is how many more bytes the socket takes without waiting
    (None: any); `broken`, an exception every write raises (BrokenPipeError: a closed connection)."""

    def __init__(self, room: int | None = None) -> None:
        self.bytes = bytearray()
        self.room = room
        self.broken: type[Exception] | None = None  # what every write raises
        self.hub_writes = 0

    def frame(self, body: bytes) -> bytes:
        return b"%X\r\n%s\r\n" % (len(body), body)

    def send_now(self, data: bytes) -> int:
        if self.broken is not None:
            raise self.broken()
        taken = len(data) if self.room is None else min(self.room, len(data))
        if self.room is not None:
            self.room -= taken
        self.bytes += data[:taken]
        self.hub_writes += 1
        return taken

    def send_rest(self, data: bytes) -> None:
        self.bytes += data

    def write(self, frames: str) -> None:
        """What gunicorn does with one of the stream's writes."""
        self.bytes += self.frame(frames.encode())

    def events(self) -> list:
        """The events in the body, de-chunked and read by a third-party SSE parser (what a real client
        would see; it reports a comment, such as a heartbeat, as an event without data)."""
        import httpx
        from httpx_sse import EventSource

        body, rest = bytearray(), bytes(self.bytes)
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            length = int(size, 16)
            if len(rest) < length + 2:
                break  # a chunk not all written yet: a client waits for the rest
            assert rest[length : length + 2] == b"\r\n", "a chunk's framing is broken"
            body += rest[:length]
            rest = rest[length + 2 :]
        response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=bytes(body))
        return [event for event in EventSource(response).iter_sse() if event.data]


class WireClient:
    """A client on a Wire that nothing watches (polled) and the hub may write to."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire

    def gone(self) -> bool:
        return False

    def watch(self, wake: object) -> None:
        return None

    def sink(self) -> Wire:
        return self.wire
