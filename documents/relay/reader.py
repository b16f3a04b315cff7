"""Reading a task's stream back: whole (the worker, a page asking for live text) or as ready SSE
frames a page at a time (a client resuming after Last-Event-ID)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import redis

from documents.relay.events import TERMINAL_TYPES, Event, after_bound, sse_frame, stream_key
from ops.redis_pool import redis_client

logger = logging.getLogger(__name__)


def read_events(task_id: int, *, after: int = 0, client: redis.Redis | None = None) -> list[Event]:
    client = client or redis_client()
    entries = client.xrange(stream_key(task_id), min=after_bound(after), max="+")
    return [Event.from_fields(fields) for _, fields in entries]


# Entries read per XRANGE in a replay: bounds the memory one resume takes (a stream holds up to
# STREAM_MAXLEN entries), and is large enough that a 10,000-event replay is a handful of commands.
REPLAY_PAGE = 2000


class StreamMissing(LookupError):
    """The task has no stream in Redis (not started yet, expired, or lost)."""


def replay_frames(
    task_id: int, *, after: int, language: str | None, client: redis.Redis | None = None
) -> Iterator[tuple[list[str], int, int, bool]]:
    """What the task's stream holds after `after`, a page at a time, as ready SSE frames:
    (frames, chunks among them, last seq, ended); StreamMissing if there is no stream. The stored
    JSON is the frame's data as it is; only an error is decoded (its message is shown in the
    reader's language). This is the resume path: a client that missed 10,000 events gets them
    without a queue or a thread hop."""
    client = client or redis_client()
    key = stream_key(task_id)
    # The first page and whether the stream exists at all, in one round trip: under gevent a
    # checked-out connection waits for its greenlet's turn, and thousands of clients opening
    # streams at once ran the bounded pool dry (bench/capacity.py).
    pipe = client.pipeline(transaction=False)
    pipe.exists(key)
    pipe.xrange(key, min=after_bound(after), max="+", count=REPLAY_PAGE)
    exists, entries = pipe.execute()
    if not exists:
        raise StreamMissing(task_id)
    while True:
        frames: list[str] = []
        chunks = 0
        for _, fields in entries:  # our clients read bytes (no decode_responses)
            type = fields[b"type"].decode()
            if type == "error":
                event = Event.from_fields(fields).for_reader(language)
                frames.append(event.to_sse())
                after = event.seq
            else:
                after = int(fields[b"seq"])
                frames.append(sse_frame(after, type, fields[b"data"].decode()))
                chunks += type == "chunk"
            if type in TERMINAL_TYPES:
                yield frames, chunks, after, True
                return
        if frames:
            yield frames, chunks, after, False
        if len(entries) < REPLAY_PAGE:
            return
        entries = client.xrange(key, min=after_bound(after), max="+", count=REPLAY_PAGE)


def live_text(task_id: int) -> str:
    """The text a task's stream holds so far (its chunks joined); RedisError if Redis is away."""
    return "".join(event.data["text"] for event in read_events(task_id) if event.type == "chunk")
