"""One client's SSE stream: replay after Last-Event-ID straight from Redis, then tail through
the hub until the terminal event, with heartbeats while idle."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator

import redis
from django.conf import settings

from documents.relay.client import Client
from documents.relay.events import Event, sse_comment, sse_retry
from documents.relay.hub import StreamHub, hub
from documents.relay.reader import StreamMissing, read_events, replay_frames
from ops import metrics

logger = logging.getLogger(__name__)


def event_stream(
    *,
    task_id: int,
    last_event_id: int,
    load_saved: Callable[[], list[Event] | None],
    heartbeat: float | None = None,
    max_duration: float | None = None,
    retry_ms: int | None = None,
    stream_hub: StreamHub | None = None,
    language: str | None = None,
    finished_check: float | None = None,
    finished: bool = False,
    client: Client | None = None,
) -> Iterator[str]:
    """SSE text for one client: replay after ``last_event_id``, then tail until the terminal event.

    ``load_saved`` returns the task's saved events when the task is finished in the database
    (else None); they are served when Redis no longer has the stream (or never got the end),
    so a resume always works; an idle stream asks it at its first heartbeat, then every
    ``finished_check`` seconds (a "still running" answer is shared by the task's readers in this
    process for a heartbeat). The generator ends after the terminal event, or after
    ``max_duration`` so the client reconnects; closing it (client gone) releases everything.
    Error messages are in ``language`` (the reader's) when given. ``finished`` says the task had
    finished when the request came (a client at or past its end gets the end at once);
    ``client`` tells whether the client closed the connection, while the stream idles.
    """
    heartbeat = heartbeat or settings.SSE_HEARTBEAT_SECONDS
    max_duration = max_duration or settings.SSE_MAX_DURATION_SECONDS
    finished_check = settings.SSE_FINISHED_CHECK_SECONDS if finished_check is None else finished_check
    stream_hub = stream_hub or hub
    started = time.monotonic()
    ending = "client_gone"  # unless the frames run out by themselves
    metrics.SSE_STREAMS_ACTIVE.inc()
    try:
        ending = yield from _frames(
            task_id, last_event_id, load_saved, heartbeat, max_duration, stream_hub, language, finished_check,
            opening=sse_retry(retry_ms or settings.SSE_RETRY_MS), finished=finished, client=client,
        )  # fmt: skip
    except Exception:
        ending = "error"
        raise
    finally:
        metrics.SSE_STREAMS_ACTIVE.dec()
        logger.info(
            "stream closed task=%s after=%s reason=%s",
            task_id,
            last_event_id,
            ending,
            extra={"resumed_after": last_event_id, "reason": ending,
                   "duration_ms": round((time.monotonic() - started) * 1000)},
        )  # fmt: skip


def _write(events: Iterable[Event], language: str | None, *, count: bool = True) -> str:
    """Events as one write of SSE frames. The relayed-chunks counter is bumped once per write (in
    Prometheus's multiprocess mode each increment is a locked write to a shared file), and not at
    all for what came through the hub, which counts once per event for all its readers."""
    frames = [event.for_reader(language).to_sse() for event in events]
    chunks = sum(event.type == "chunk" for event in events) if count else 0
    if chunks:
        metrics.SSE_CHUNKS_RELAYED.inc(chunks)
    return "".join(frames)


def _rest_of_finished(task_id: int, position: int, saved: list[Event]) -> tuple[list[Event], str]:
    """The events after `position` of a finished task whose end a client has not seen yet: what
    Redis has (every event, status and progress too: the hub was only slow), then what only the
    saved copy has.

    The worker saves before it publishes its last events (the final progress, the status, the
    end), so for a moment Redis lacks them while the database says finished: Redis is asked again
    for up to SSE_END_GRACE_SECONDS. Only if the end still has not come (Redis lost it, or the
    worker died between the two) does the rest come from the saved copy, which holds the chunks
    and the end with their seqs but not the status and progress events. Answering from it at once
    cost a client the events between (test_faults.py's disconnect storm: seqs 76, then 78)."""
    if position >= saved[-1].seq:
        return [], "saved"  # the client has the end already
    deadline = time.monotonic() + settings.SSE_END_GRACE_SECONDS
    while True:
        try:
            events = read_events(task_id, after=position)
        except redis.RedisError:
            events = []
            break
        if events and events[-1].is_terminal:
            return events, "finished"
        if time.monotonic() >= deadline:
            break
        time.sleep(_END_POLL_SECONDS)
    last = events[-1].seq if events else position
    return events + [event for event in saved if event.seq > last], "saved"


_END_POLL_SECONDS = 0.02


def _the_end(rest: list[Event], saved: list[Event]) -> list[Event]:
    """What a client of a finished task gets: the events it lacks, or, when it has them all (it
    asked to resume at or past the end), the terminal event again, so it stops instead of
    reconnecting (fetch-stream.js treats a repeated terminal event as the end)."""
    return rest or [event for event in saved[-1:] if event.is_terminal]


# Per task: until when this process knows it is still running (monotonic time). The readers of one
# task share the answer: 5,000 idle streams over 500 tasks ask the database 500 times per check
# instead of 5,000 (bench/capacity.py: under gevent the queries, one SQLite connection each, held
# up every other stream's heartbeat for seconds).
_running_until: dict[int, float] = {}
_RUNNING_UNTIL_MAX = 10_000  # entries kept before the expired ones are dropped


def _finished_events(
    task_id: int, load_saved: Callable[[], list[Event] | None], *, fresh_for: float
) -> list[Event] | None:
    """load_saved(), unless another reader of this task was told "still running" under `fresh_for`
    seconds ago."""
    now = time.monotonic()
    if _running_until.get(task_id, 0.0) > now:
        return None
    saved = load_saved()
    if saved is None and fresh_for > 0:
        if len(_running_until) >= _RUNNING_UNTIL_MAX:
            for key in [key for key, until in _running_until.items() if until <= now]:
                _running_until.pop(key, None)
        _running_until[task_id] = now + fresh_for
    return saved


# SSE_HEARTBEAT_SECONDS is the longest silence a client (or a proxy's idle timeout) may see, so a
# heartbeat is timed this much before it is due, at most a fifth of the interval early: a loop
# busy with thousands of streams wakes a stream late (gevent, 10,000 streams connecting: the first
# heartbeat came 0.3-0.6 s after its interval at p99, bench/capacity.py).
HEARTBEAT_LEAD_SECONDS = 1.0


def _beat_every(heartbeat: float) -> float:
    return heartbeat - min(HEARTBEAT_LEAD_SECONDS, heartbeat / 5)


# Events joined into one write at most: bounds the memory and the delay of one write.
FRAMES_PER_WRITE = 256


def _frames(
    task_id: int,
    position: int,
    load_saved: Callable[[], list[Event] | None],
    heartbeat: float,
    max_duration: float,
    stream_hub: StreamHub,
    language: str | None,
    finished_check: float,
    *,
    opening: str,
    finished: bool = False,
    client: Client | None = None,
) -> Generator[str, None, str]:
    """event_stream's frames; returns why they ended ("finished", "saved", "max_duration").

    `opening` (the retry field) goes with the first write, and the first write (with it the
    response's headers: gunicorn sends them with the first body bytes) waits until the stream is
    caught up or subscribed. A client that has the headers is then being tailed, and its first
    heartbeat comes one interval later. When the headers went first, thousands of clients
    connecting at once each got them, the next connect began, and their catch-ups and
    subscriptions queued behind the new ones on the gevent loop: with a 5 s interval, the first
    heartbeat came 9-35 s after the headers (bench/capacity.py, 2,000 and 5,000 clients)."""
    # Catch up in this thread, straight from Redis: most of a resume is what the client missed.
    try:
        for frames, chunks, last, ended in replay_frames(task_id, after=position, language=language):
            if chunks:
                metrics.SSE_CHUNKS_RELAYED.inc(chunks)
            position = last
            yield opening + "".join(frames)
            opening = ""
            if ended:
                return "finished"
    except StreamMissing:
        saved = load_saved()
        if saved is not None:  # finished, and its stream expired or was lost: the saved copy
            yield opening + _write(_the_end([e for e in saved if e.seq > position], saved), language)
            return "saved"
        # Not started yet (or Redis lost it mid-task): the hub picks it up when it is written.
    else:
        # Caught up without an end. A task that had finished when the request came has lost its
        # last events from Redis, or the client is at or past its end: answered now, not at the
        # first heartbeat (it held the connection 15 s).
        saved = load_saved() if finished else None
        if saved is not None:
            rest, ending = _rest_of_finished(task_id, position, saved)
            yield opening + _write(_the_end(rest, saved), language)
            return ending

    # Then tail through the hub, from where the replay stopped. Under gevent the hub writes the
    # events itself while this stream waits (hub.py says why); it only writes what is left.
    sink = client.sink() if client is not None else None
    sub = stream_hub.subscribe(task_id, after=position, sink=sink)
    # Told when the client's connection stirs (gevent); else it asks every
    # SSE_DISCONNECT_CHECK_SECONDS (client.py says why).
    stirred = False

    def stir() -> None:
        nonlocal stirred
        stirred = True
        sub.wake()

    unwatch = client.watch(stir) if client is not None else None
    try:
        if opening:
            yield opening
        deadline = time.monotonic() + max_duration
        next_check = 0.0  # the first idle heartbeat asks the database; then every finished_check
        every = _beat_every(heartbeat)
        next_beat = time.monotonic() + every
        poll = client is not None and unwatch is None
        look = settings.SSE_DISCONNECT_CHECK_SECONDS if poll else every
        while (remaining := deadline - time.monotonic()) > 0:
            event = sub.get(timeout=max(0.0, min(next_beat - time.monotonic(), remaining, look)))
            if sub.rest:  # the hub's last write stopped short: its rest first, and as it is (framed)
                assert sink is not None
                try:
                    sink.send_rest(sub.take_rest())
                except OSError:  # gone, or it took nothing for three heartbeats (views/stream.py)
                    sink.abort()  # a frame cut short: nothing more may go on this connection
                    return "client_gone"
            if sub.written > position:  # what the hub wrote is the client's; its heartbeat waits
                position = sub.written
                next_beat = max(next_beat, sub.wrote_at + every)
            if event is None:
                if client is not None and (poll or stirred):
                    if client.gone():
                        return "client_gone"  # its thread (or greenlet) is free now, not at the next write
                    if stirred and not poll:
                        # The client sent bytes instead: its socket stays readable, so the watch
                        # (stopped once it fired) cannot tell any more; ask from now on.
                        poll, look = True, settings.SSE_DISCONNECT_CHECK_SECONDS
                if time.monotonic() < next_beat:
                    continue
                # The heartbeat first: the check below may wait for the database.
                yield sse_comment("heartbeat")
                next_beat = time.monotonic() + every
                if time.monotonic() >= next_check:
                    saved = _finished_events(task_id, load_saved, fresh_for=min(heartbeat, finished_check))
                    if saved is not None:  # finished, and its end has not come through the hub
                        rest, ending = _rest_of_finished(task_id, position, saved)
                        if rest:
                            yield _write(rest, language)
                        return ending
                    next_check = time.monotonic() + finished_check
                continue
            # What is already queued goes out in one write (a burst of tokens, a slow reader).
            ready = [e for e in [event, *sub.get_ready(FRAMES_PER_WRITE - 1)] if e.seq > position]
            ends = next((i for i, e in enumerate(ready) if e.is_terminal), None)
            if ends is not None:
                yield _write(ready[: ends + 1], language, count=False)
                return "finished"
            if ready:
                position = ready[-1].seq
                yield _write(ready, language, count=False)
                next_beat = time.monotonic() + every
        return "max_duration"
    finally:
        if unwatch is not None:
            unwatch()
        stream_hub.unsubscribe(sub)
