"""Fan-out: :class:`StreamHub` is one reader thread per web process. It tails every stream that
has a connected client with a single blocking ``XREAD`` on its own connection and hands entries
to per-client queues, so N open streams cost N queues and one Redis connection, not N
connections; every other command borrows from the small bounded pool (ops/redis_pool.py)."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

import redis
from django.conf import settings

from documents.relay.events import Event, after_bound, entry_id, stream_key
from ops import metrics
from ops.redis_pool import redis_client

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Subscription:
    """One client's place in a stream: the events the hub handed over and not yet written.

    A list and an Event, not a queue.Queue: thousands are open at once, and a Queue's lock and
    three conditions cost every idle stream memory (under gevent, each is a greenlet-aware lock);
    so would a deque (its first block is ~600 bytes, an empty list's 56). One Event serves both
    the hub's deliveries and ``wake()`` (the client left)."""

    key: str
    position: int  # the last seq this client has (or will have, once queued items are read)
    closed: bool = False  # unsubscribed: never admitted (again)
    _woken: bool = False
    _events: list[Event] = field(default_factory=list)
    _ready: threading.Event = field(default_factory=threading.Event)

    def put(self, event: Event) -> None:
        self._events.append(event)
        self._ready.set()

    def wake(self) -> None:
        """Ends a get() now, with no event (its caller looks at why: its client left)."""
        self._woken = True
        self._ready.set()

    def get(self, timeout: float) -> Event | None:
        """The next event, or None after `timeout` seconds or a wake()."""
        end = time.monotonic() + timeout
        while True:
            # Cleared before the list is looked at: an event put from then on sets it again.
            self._ready.clear()
            if self._events:
                return self._events.pop(0)
            if self._woken:
                self._woken = False
                return None
            remaining = end - time.monotonic()
            if remaining <= 0 or not self._ready.wait(remaining):
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
            # Catch up this client from Redis (replay), then it rides along with the tail.
            upper = entry_id(cursor) if cursor is not None else "+"
            lower = after_bound(sub.position)
            try:
                events = [Event.from_fields(f) for _, f in conn.xrange(sub.key, min=lower, max=upper)]
            except redis.RedisError:
                # Redis went away (a restart drops every connection): these clients wait for the
                # reader's reconnect, instead of getting nothing but heartbeats for good.
                with self._lock:
                    self._pending[:0] = [s for s in pending[i:] if not s.closed]
                raise
            for event in events:
                sub.put(event)
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
            handed = 0
            for sub in subs:
                for event in events:
                    if event.seq > sub.position:
                        sub.put(event)
                        sub.position = event.seq
                        handed += event.type == "chunk"
        if handed:
            # Once per read, not once per reader's write: 5,000 readers of one task made each chunk
            # 5,000 locked writes to the metrics file (sse._write).
            metrics.SSE_CHUNKS_RELAYED.inc(handed)


hub = StreamHub()
