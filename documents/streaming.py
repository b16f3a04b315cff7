"""The wire format of a task's live output, in one place.

- Redis: one Stream per task, ``model_result:{task_id}:chunks``. Entry ids are ``<seq>-0``, so an
  SSE event id maps one-to-one to a stream entry and ``Last-Event-ID: N`` resumes with
  ``XREAD``/``XRANGE`` after ``N-0``, exactly.
- SSE: ``id: <seq>``, ``event: chunk|status|progress|error|done``, ``data: <JSON>``; ``retry:``
  first; ``: heartbeat`` comments while idle.
- Fan-out: :class:`StreamHub` is one reader thread per web process. It tails every stream that
  has a connected client with a single blocking ``XREAD`` and hands entries to per-client
  queues, so N open streams cost N queues and one Redis connection, not N connections; every
  other command borrows from a bounded, blocking pool.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from operator import attrgetter
from typing import Any

import redis
from django.conf import settings

from documents.errors import ERRORS, error_message
from project import metrics

logger = logging.getLogger(__name__)

EVENT_TYPES = frozenset({"chunk", "status", "progress", "error", "done"})
TERMINAL_TYPES = frozenset({"error", "done"})


def stream_key(task_id: int) -> str:
    return f"model_result:{task_id}:chunks"


def cancel_key(task_id: int) -> str:
    """Set by a cancel from any web process; the worker polls it between tokens."""
    return f"model_result:{task_id}:cancel"


def _entry_id(seq: int) -> str:
    return f"{seq}-0"


def _after(seq: int) -> str:
    """The XRANGE lower bound for the entries after seq `seq` (all of them for 0)."""
    return f"({_entry_id(seq)}" if seq else "-"


# ------------------------------------------------------------------------ events
@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    data: dict[str, Any]  # always includes "seq"

    @classmethod
    def make(cls, seq: int, type: str, **data: Any) -> Event:
        if type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type!r}")
        return cls(seq=seq, type=type, data={"seq": seq, **data})

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL_TYPES

    def for_reader(self, language: str | None) -> Event:
        """The event as a reader of `language` gets it: an error's message is stored in English
        and shown in the reader's language, as the pages do (documents/errors.py)."""
        code = self.data.get("code")
        if self.type != "error" or not language or code not in ERRORS:
            return self
        return replace(self, data={**self.data, "message": error_message(code, language)})

    @cached_property
    def payload(self) -> str:
        # ensure_ascii=False keeps CJK readable on the wire; JSON never contains a raw newline, so
        # one data: line per event is always valid SSE. Redis stores exactly this text, so a
        # replay sends what it reads without decoding and re-encoding it (replay_frames).
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))

    def to_sse(self) -> str:
        # Cached: the hub hands one Event to every client of the stream.
        return _sse_frame(self.seq, self.type, self.payload)

    def to_fields(self) -> dict[str, str]:
        return {"seq": str(self.seq), "type": self.type, "data": self.payload}

    @classmethod
    def from_fields(cls, fields: dict[Any, Any]) -> Event:
        def text(value: Any) -> str:
            return value.decode() if isinstance(value, bytes) else value

        decoded = {text(k): text(v) for k, v in fields.items()}
        event = cls(seq=int(decoded["seq"]), type=decoded["type"], data=json.loads(decoded["data"]))
        event.__dict__["payload"] = decoded["data"]  # the stored JSON is the wire's: not encoded again
        return event


def _sse_frame(seq: int | str, type: str, payload: str) -> str:
    return f"id: {seq}\nevent: {type}\ndata: {payload}\n\n"


def sse_retry(milliseconds: int) -> str:
    return f"retry: {milliseconds}\n\n"


def sse_comment(text: str) -> str:
    return f": {text}\n\n"


def chunk_events(*, result: str, chunk_index: list[list[int]]) -> list[Event]:
    """The chunk events (original seqs) that a saved result was streamed as."""
    events: list[Event] = []
    offset = 0
    for seq, length in chunk_index:
        events.append(Event.make(seq, "chunk", text=result[offset : offset + length]))
        offset += length
    return events


def saved_events(
    *,
    result: str,
    chunk_index: list[list[int]],
    status: str,
    error_code: str,
    error_message: str,
    last_seq: int,
) -> list[Event]:
    """Rebuild a finished task's chunk events (with their original seqs) and terminal event from
    the database, for when its Redis stream has expired or was lost."""
    events = chunk_events(result=result, chunk_index=chunk_index)
    offset = sum(length for _, length in chunk_index)
    if offset < len(result):  # text saved without an index entry (never expected): still serve it
        events.append(Event.make((events[-1].seq if events else 0) + 1, "chunk", text=result[offset:]))
    terminal_seq = max(last_seq, (events[-1].seq if events else 0) + 1)
    if status == "failed":
        events.append(Event.make(terminal_seq, "error", code=error_code or "internal", message=error_message))
    else:
        events.append(Event.make(terminal_seq, "done", status=status))
    return events


# ------------------------------------------------------------------------- redis
class InstrumentedPool(redis.BlockingConnectionPool):
    """The bounded pool, reporting how many of its connections are checked out (a gauge summed
    over live processes: a pool running dry shows up before requests start waiting)."""

    def get_connection(self, *args: Any, **kwargs: Any) -> redis.Connection:
        try:
            return super().get_connection(*args, **kwargs)
        finally:
            self._report()

    def release(self, connection: redis.Connection) -> None:
        try:
            super().release(connection)
        finally:
            self._report()

    def _report(self) -> None:
        idle = sum(1 for conn in list(self.pool.queue) if conn is not None)
        metrics.REDIS_POOL_IN_USE.set(max(0, len(self._connections) - idle))


_pool: redis.BlockingConnectionPool | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()


def redis_client() -> redis.Redis:
    """A client on this process's bounded pool (callers wait for a free connection, up to
    REDIS_POOL_TIMEOUT, rather than opening more)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():  # a forked child must not share sockets
            _pool = InstrumentedPool.from_url(
                settings.REDIS_URL,
                max_connections=settings.REDIS_POOL_SIZE,
                timeout=settings.REDIS_POOL_TIMEOUT,
            )
            _pool_pid = os.getpid()
        return redis.Redis(connection_pool=_pool)


def read_events(task_id: int, *, after: int = 0, client: redis.Redis | None = None) -> list[Event]:
    client = client or redis_client()
    return [Event.from_fields(f) for _, f in client.xrange(stream_key(task_id), min=_after(after), max="+")]


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
    pipe.xrange(key, min=_after(after), max="+", count=REPLAY_PAGE)
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
                frames.append(_sse_frame(after, type, fields[b"data"].decode()))
                chunks += type == "chunk"
            if type in TERMINAL_TYPES:
                yield frames, chunks, after, True
                return
        if frames:
            yield frames, chunks, after, False
        if len(entries) < REPLAY_PAGE:
            return
        entries = client.xrange(key, min=_after(after), max="+", count=REPLAY_PAGE)


class StreamWriter:
    """Appends a task's events to its stream with contiguous seqs (the worker side).

    It keeps every event it wrote, so the relay heals itself: if Redis drops out, emit() keeps
    numbering and retries the unwritten events on the next call; if the stream vanished (Redis
    restarted without persistence, or was flushed), it is rewritten from seq 1 with the same
    ids, so a client resuming with Last-Event-ID still gets exactly what it missed.
    """

    def __init__(self, task_id: int, *, start_seq: int = 0, client: redis.Redis | None = None) -> None:
        self.task_id = task_id
        self.seq = start_seq
        self.written = start_seq  # the highest seq known to be in Redis
        self.key = stream_key(task_id)
        self.client = client or redis_client()
        self.events: list[Event] = []  # written by this writer, for a rebuild
        self.healthy = True

    @classmethod
    def resume(cls, task_id: int, *, at_least: int = 0) -> StreamWriter:
        """A writer that continues after the stream's last entry (for a process other than the
        one that started it: a cancel, the reaper)."""
        writer = cls(task_id)
        last = writer.client.xrevrange(writer.key, count=1)
        seq = Event.from_fields(last[0][1]).seq if last else 0
        writer.seq = writer.written = max(seq, at_least)
        return writer

    def reset(self) -> None:
        """Forget everything Redis holds for this task id (its stream and cancel flag)."""
        self.client.delete(self.key, cancel_key(self.task_id))
        self.seq = self.written = 0
        self.events = []

    def emit(self, type: str, **data: Any) -> Event:
        event = Event.make(self.seq + 1, type, **data)
        self.seq = event.seq
        self.events.append(event)
        self.flush()
        return event

    def emit_many(self, type: str, items: Iterable[dict[str, Any]]) -> list[Event]:
        """Several events of one type in one round trip to Redis (a producer with a backlog)."""
        events = []
        for data in items:
            events.append(Event.make(self.seq + 1, type, **data))
            self.seq = events[-1].seq
        self.events.extend(events)
        self.flush()
        return events

    def flush(self) -> bool:
        """Write what Redis does not have yet; False (and logged) if Redis is unavailable."""
        try:
            try:
                self._flush()
            except redis.ResponseError:
                # Some of these were written although we never saw the reply (a dropped
                # connection): continue after what the stream really has.
                last = self.client.xrevrange(self.key, count=1)
                self.written = Event.from_fields(last[0][1]).seq if last else 0
                self._flush()
        except redis.RedisError:
            if self.healthy:
                logger.warning(
                    "task=%s: Redis unavailable, output kept for later", self.task_id, exc_info=True
                )
            self.healthy = False
            return False
        if not self.healthy:
            logger.info("task=%s: Redis back, stream caught up to seq %s", self.task_id, self.seq)
        self.healthy = True
        return True

    def _flush(self) -> None:
        # events is in seq order: find the unwritten tail without scanning the whole task's
        # output on every event (that was quadratic: 10,000 events took 12 s).
        pending = self.events[bisect.bisect_right(self.events, self.written, key=attrgetter("seq")) :]
        if not pending:
            return
        pipe = self.client.pipeline(transaction=True)
        pipe.exists(self.key)
        self._append(pipe, pending)
        existed = pipe.execute()[0]
        # The stream was lost under us: what we just added starts mid-way. Rewrite it whole.
        if not existed and pending[0].seq > 1 and self.events and self.events[0].seq == 1:
            logger.warning("task=%s: stream was lost; rewriting %s events", self.task_id, len(self.events))
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(self.key)
            self._append(pipe, self.events)
            pipe.execute()
        self.written = self.seq

    def _append(self, pipe: redis.client.Pipeline, events: list[Event]) -> None:
        for event in events:
            pipe.xadd(
                self.key,
                event.to_fields(),
                id=_entry_id(event.seq),
                maxlen=settings.STREAM_MAXLEN,
                approximate=True,
            )
        # Every stream expires: soon after its terminal event, and eventually even if the
        # worker died without writing one, so Redis never fills up.
        ttl = settings.STREAM_TTL_SECONDS if events[-1].is_terminal else settings.STREAM_IDLE_TTL_SECONDS
        pipe.expire(self.key, ttl)
        if events[-1].is_terminal:
            # A cancel flag has done its work once the task ended (it was set to live a day, for a
            # worker that never picks the task up): let it go with the stream.
            pipe.expire(cancel_key(self.task_id), ttl)


# ------------------------------------------------------------------------ fan-out
@dataclass(eq=False)
class Subscription:
    key: str
    position: int  # the last seq this client has (or will have, once queued items are read)
    events: queue.Queue[Event] = field(default_factory=queue.Queue)
    closed: bool = False  # unsubscribed: never admitted (again)

    def get(self, timeout: float) -> Event | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def get_ready(self, limit: int) -> list[Event]:
        """Up to `limit` more events that are already queued (a replay queues thousands at once)."""
        ready: list[Event] = []
        while len(ready) < limit:
            try:
                ready.append(self.events.get_nowait())
            except queue.Empty:
                break
        return ready


class StreamHub:
    """One thread per process that tails all subscribed streams with one blocking XREAD."""

    def __init__(self, *, block_ms: int = 1000) -> None:
        self.block_ms = block_ms
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._subs: dict[str, set[Subscription]] = {}
        self._pending: list[Subscription] = []
        self._cursor: dict[str, int] = {}  # per key: the last seq read from Redis
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._reader_id: int | None = None
        self._blocked = False
        self._unblocking = False  # a CLIENT UNBLOCK for the current XREAD is under way

    def subscribe(self, task_id: int, *, after: int) -> Subscription:
        sub = Subscription(key=stream_key(task_id), position=after)
        with self._lock:
            self._ensure_thread()
            self._pending.append(sub)
            # One wake-up per XREAD, however many clients arrive while it blocks (thousands at once
            # under gevent: an unblock each would take a pooled connection each).
            unblock = self._blocked and self._reader_id is not None and not self._unblocking
            self._unblocking = self._unblocking or unblock
            reader_id = self._reader_id
        self._wake.set()
        if unblock:
            # The reader sits in XREAD on the other keys; interrupt it so this client's
            # catch-up does not wait for the block timeout.
            try:
                redis_client().client_unblock(reader_id)
            except redis.RedisError:
                logger.warning("could not wake the stream reader", exc_info=True)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            sub.closed = True  # it may be in the reader's hands, being admitted right now
            subs = self._subs.get(sub.key)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.key]
                    self._cursor.pop(sub.key, None)
            if sub in self._pending:
                self._pending.remove(sub)

    @property
    def active_subscriptions(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subs.values()) + len(self._pending)

    # -- reader thread
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="stream-hub", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        conn = redis.Redis(connection_pool=redis_client().connection_pool, single_connection_client=True)
        while True:
            try:
                self._reader_id = conn.client_id()
                self._loop(conn)
            except redis.RedisError:
                logger.warning("stream reader lost Redis; retrying", exc_info=True)
                time.sleep(0.5)

    def _loop(self, conn: redis.Redis) -> None:
        while True:
            self._admit_pending(conn)
            with self._lock:
                streams = {key: _entry_id(self._cursor.get(key, 0)) for key in self._subs}
                self._blocked = bool(streams)
                self._wake.clear()
            if not streams:
                self._wake.wait(timeout=self.block_ms / 1000)
                continue
            try:
                reply = conn.xread(streams, block=self.block_ms)
            finally:
                with self._lock:
                    self._blocked = self._unblocking = False
            for key, entries in reply or []:
                key = key.decode() if isinstance(key, bytes) else key
                self._deliver(key, [Event.from_fields(fields) for _, fields in entries])

    def _admit_pending(self, conn: redis.Redis) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for i, sub in enumerate(pending):
            with self._lock:
                cursor = self._cursor.get(sub.key)
            # Catch up this client from Redis (replay), then it rides along with the tail.
            upper = _entry_id(cursor) if cursor is not None else "+"
            lower = _after(sub.position)
            try:
                events = [Event.from_fields(f) for _, f in conn.xrange(sub.key, min=lower, max=upper)]
            except redis.RedisError:
                # Redis went away (a restart drops every connection): these clients wait for the
                # reader's reconnect, instead of getting nothing but heartbeats for good.
                with self._lock:
                    self._pending[:0] = [s for s in pending[i:] if not s.closed]
                raise
            for event in events:
                sub.events.put(event)
            with self._lock:
                if sub.closed:  # left while being caught up: keep no subscription nor cursor for it
                    continue
                last = events[-1].seq if events else sub.position
                sub.position = max(sub.position, last)
                # The key's cursor as it is now, not as it was before the XRANGE: if the last other
                # client left meanwhile, it is gone, and this client (which has everything up to
                # its position) sets it again. Left unset, the next admission would set it to its
                # own, later position, and this client would never get the events in between.
                self._cursor.setdefault(sub.key, sub.position)
                self._subs.setdefault(sub.key, set()).add(sub)

    def _deliver(self, key: str, events: list[Event]) -> None:
        if not events:
            return
        with self._lock:
            if key not in self._subs:
                # Its last client left while XREAD was blocked on it. Keeping a cursor would make
                # the next stream under this key (task ids repeat after a database reset) start
                # from this position and skip its first events.
                return
            self._cursor[key] = max(self._cursor.get(key, 0), events[-1].seq)
            subs = list(self._subs.get(key, ()))
            for sub in subs:
                for event in events:
                    if event.seq > sub.position:
                        sub.events.put(event)
                        sub.position = event.seq


hub = StreamHub()


# --------------------------------------------------------------------- generator
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
) -> Iterator[str]:
    """SSE text for one client: replay after ``last_event_id``, then tail until the terminal event.

    ``load_saved`` returns the task's saved events when the task is finished in the database
    (else None); they are served when Redis no longer has the stream (or never got the end),
    so a resume always works; an idle stream asks it at its first heartbeat, then every
    ``finished_check`` seconds (a "still running" answer is shared by the task's readers in this
    process for a heartbeat). The generator ends after the terminal event, or after
    ``max_duration`` so the client reconnects; closing it (client gone) releases everything.
    Error messages are in ``language`` (the reader's) when given.
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
            opening=sse_retry(retry_ms or settings.SSE_RETRY_MS),
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


def _write(events: Iterable[Event], language: str | None) -> str:
    """Events as one write of SSE frames (the relayed-chunks counter is bumped once per write: in
    Prometheus's multiprocess mode each increment is a locked write to a shared file)."""
    frames = [event.for_reader(language).to_sse() for event in events]
    chunks = sum(event.type == "chunk" for event in events)
    if chunks:
        metrics.SSE_CHUNKS_RELAYED.inc(chunks)
    return "".join(frames)


def _rest_of_finished(task_id: int, position: int, saved: list[Event]) -> tuple[list[Event], str]:
    """The events after `position` of a finished task whose end a client has not seen yet: what
    Redis has (every event, status and progress too: the hub was only slow), then what only the
    saved copy has. The worker saves before it publishes the end, so Redis may have all but the
    last few events for a moment (or never get them, or have lost them): those come from the
    saved chunks and end, which keep their seqs."""
    try:
        events = read_events(task_id, after=position)
    except redis.RedisError:
        events = []
    if events and events[-1].is_terminal:
        return events, "finished"
    last = events[-1].seq if events else position
    return events + [event for event in saved if event.seq > last], "saved"


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
            yield opening + _write([event for event in saved if event.seq > position], language)
            return "saved"
        # Not started yet (or Redis lost it mid-task): the hub picks it up when it is written.

    # Then tail through the hub, from where the replay stopped.
    sub = stream_hub.subscribe(task_id, after=position)
    try:
        if opening:
            yield opening
        deadline = time.monotonic() + max_duration
        next_check = 0.0  # the first idle heartbeat asks the database; then every finished_check
        while (remaining := deadline - time.monotonic()) > 0:
            event = sub.get(timeout=min(heartbeat, remaining))
            if event is None:
                # The heartbeat first: the check below may wait for the database.
                yield sse_comment("heartbeat")
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
                yield _write(ready[: ends + 1], language)
                return "finished"
            if ready:
                position = ready[-1].seq
                yield _write(ready, language)
        return "max_duration"
    finally:
        stream_hub.unsubscribe(sub)
