"""Fan-out: :class:`StreamHub` is one reader thread per web process. It tails every stream that
has a connected client with a single blocking ``XREAD`` on its own connection and hands entries
to per-client queues, so N open streams cost N queues and one Redis connection, not N
connections; every other command borrows from the small bounded pool (ops/redis_pool.py).

Under gevent it also writes an event straight to the socket of every reader that is waiting for
one (its client's `Sink`), with a send that never waits, and wakes only the readers whose socket
could not take it all. Waking each reader's greenlet to write the event through Django and
gunicorn cost the worker 110-130 us per reader: one event to 5,000 readers of a task took 628 ms
(bench/capacity.py, fan-out round)."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import redis
from django.conf import settings

from documents.relay.events import Event, after_bound, entry_id, stream_key
from ops import metrics
from ops.redis_pool import redis_client

if TYPE_CHECKING:
    from documents.relay.client import Sink

logger = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class Subscription:
    """One client's place in a stream: the events the hub handed over and not yet written.

    A list and an Event, not a queue.Queue: thousands are open at once, and a Queue's lock and
    three conditions cost every idle stream memory (under gevent, each is a greenlet-aware lock);
    so would a deque (its first block is ~600 bytes, an empty list's 56). One Event serves both
    the hub's deliveries and ``wake()`` (the client left).

    With a `sink`, the hub writes events itself while the reader waits in get() with nothing
    queued; `written` is then the last seq it wrote, and `rest` what of its last write the socket
    did not take, which the reader writes before anything else."""

    key: str
    position: int  # the last seq this client has (or will have, once queued items are read)
    sink: Sink | None = None
    closed: bool = False  # unsubscribed: never admitted (again)
    written: int = 0  # the last seq the hub wrote to the sink itself
    wrote_at: float = 0.0  # when it did (monotonic): the reader's heartbeat waits from then
    rest: bytes = b""
    _woken: bool = False
    _waiting: bool = False  # in get(), waiting: nothing of the reader's is being written
    _events: list[Event] = field(default_factory=list)
    _ready: threading.Event = field(default_factory=threading.Event)

    def put(self, event: Event) -> None:
        self._events.append(event)
        self._ready.set()

    def wake(self) -> None:
        """Ends a get() now, with no event (its caller looks at why: its client left)."""
        self._woken = True
        self._ready.set()

    def owe(self, rest: bytes) -> None:
        """The hub's write to the sink stopped short: the reader writes `rest` (get() returns)."""
        self.rest = rest
        self._ready.set()

    def take_rest(self) -> bytes:
        rest, self.rest = self.rest, b""
        return rest

    @property
    def takes_writes(self) -> bool:
        """Whether the hub may write to the sink now: the reader waits, and owes nothing."""
        return self.sink is not None and self._waiting and not self._events and not self.rest

    def get(self, timeout: float) -> Event | None:
        """The next event, or None after `timeout` seconds, a wake() or an owe()."""
        end = time.monotonic() + timeout
        while True:
            # Cleared before the list is looked at: an event put from then on sets it again.
            self._ready.clear()
            if self._events:
                return self._events.pop(0)
            if self._woken or self.rest:
                self._woken = False
                return None
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            self._waiting = True
            try:
                ready = self._ready.wait(remaining)
            finally:
                self._waiting = False
            if not ready:
                return self._events.pop(0) if self._events else None

    def get_ready(self, limit: int) -> list[Event]:
        """Up to `limit` more events that are already queued (a replay queues thousands at once)."""
        # One slice, not `limit` pops from the front: the list's rest moves once per write. Deleted by
        # count: the hub (a thread under gthread) may append between the two lines.
        ready = self._events[:limit]
        del self._events[: len(ready)]
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

    def subscribe(self, task_id: int, *, after: int, sink: Sink | None = None) -> Subscription:
        sub = Subscription(key=stream_key(task_id), position=after, sink=sink)
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
        # Its own connection, outside the pool: a blocking XREAD holds it for good, and the pool's
        # few connections are for the round trips of every stream.
        conn = redis.Redis.from_url(settings.REDIS_URL, single_connection_client=True)
        while True:
            try:
                self._reader_id = conn.client_id()
                self._loop(conn)
            except redis.RedisError:
                logger.warning("stream reader lost Redis; retrying", exc_info=True)
                time.sleep(0.5)
            except Exception:  # a bug: logged, and the reader goes on (every open stream needs it)
                logger.exception("stream reader failed; retrying")
                time.sleep(0.5)

    def _loop(self, conn: redis.Redis) -> None:
        while True:
            self._admit_pending(conn)
            with self._lock:
                streams = {key: entry_id(self._cursor.get(key, 0)) for key in self._subs}
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
            # Catch up this client from Redis (replay), then it rides along with the tail. Not when
            # the hub reads this stream already and the client has all it has read: most clients
            # of a task arrive so (its replay read up to the end), and a round trip each was a
            # share of a 10,000-client connect storm.
            upper = entry_id(cursor) if cursor is not None else "+"
            lower = after_bound(sub.position)
            try:
                if cursor is not None and cursor <= sub.position:
                    events = []
                else:
                    events = [Event.from_fields(f) for _, f in conn.xrange(sub.key, min=lower, max=upper)]
            except redis.RedisError:
                # Redis went away (a restart drops every connection): these clients wait for the
                # reader's reconnect, instead of getting nothing but heartbeats for good.
                with self._lock:
                    self._pending[:0] = [s for s in pending[i:] if not s.closed]
                raise
            with self._lock:
                if sub.closed:  # left while being caught up: keep no subscription nor cursor for it
                    continue
                for event in events:  # in here: a client that has them finds its stream's cursor set
                    sub.put(event)
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
            handed = 0
            # What the readers waiting at each position get, as bytes: built once, not per reader.
            # A terminal event goes through the reader (it ends the response), as does an event
            # for a reader that has some queued (they go out in order).
            bodies: dict[int, bytes | None] = {}
            first, chunks = events[0].seq, sum(event.type == "chunk" for event in events)
            now = time.monotonic()
            outcomes = {"whole": 0, "part": 0, "refused": 0}
            for sub in subs:
                # Most readers are behind all of them: no new list each (each is garbage to collect).
                new = events if sub.position < first else [e for e in events if e.seq > sub.position]
                if not new:
                    continue
                handed += chunks if new is events else sum(event.type == "chunk" for event in new)
                body = None
                if sub.takes_writes:
                    if new[0].seq not in bodies:
                        bodies[new[0].seq] = _body(new)
                    body = bodies[new[0].seq]
                if body is not None:
                    outcome = _write_now(sub, body, last=new[-1].seq, now=now)
                    outcomes[outcome] += 1
                    if outcome != "refused":
                        continue
                for event in new:
                    sub.put(event)
                sub.position = new[-1].seq
        for outcome, count in outcomes.items():
            if count:  # once per read, as below
                metrics.SSE_HUB_WRITES.labels(outcome).inc(count)
        if handed:
            # Once per read, not once per reader's write: 5,000 readers of one task made each chunk
            # 5,000 locked writes to the metrics file (sse._write).
            metrics.SSE_CHUNKS_RELAYED.inc(handed)


def _body(events: list[Event]) -> bytes | None:
    """The events' SSE frames as a response body's bytes, or None when the hub does not write them
    itself: a terminal event. Only an error event reads differently in each reader's language
    (Event.for_reader), and errors are terminal."""
    if any(event.is_terminal for event in events):
        return None
    return "".join(event.to_sse() for event in events).encode()


def _write_now(sub: Subscription, body: bytes, *, last: int, now: float) -> str:
    """Writes `body` (the events up to seq `last`) to the reader's sink without waiting: "whole",
    "part" (the reader owes the rest) or "refused" when none of it went (the socket is full, or the
    connection broke: the reader then gets the events to write, or to fail on)."""
    assert sub.sink is not None
    try:
        framed = sub.sink.frame(body)
        sent = sub.sink.send_now(framed)
    except OSError:
        return "refused"
    except Exception:  # never the reader thread's end: every stream of the process hangs on it
        logger.exception("the stream hub could not write to a stream; it writes its events itself")
        return "refused"
    if sent <= 0:
        return "refused"
    # The client has them (or will, once the rest is written) before the reader can wake.
    sub.position = sub.written = last
    sub.wrote_at = now
    if sent < len(framed):
        sub.owe(framed[sent:])
        return "part"
    return "whole"


hub = StreamHub()
