"""The worker's side of the relay: appends a task's events to its Redis stream."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

import redis
from django.conf import settings

from documents.relay.events import Event, cancel_key, entry_id, stream_key
from ops.redis_pool import redis_client

logger = logging.getLogger(__name__)


class StreamWriter:
    """Appends a task's events to its stream with contiguous seqs (the worker side).

    It keeps every event it wrote, so the relay heals itself: if Redis drops out, emit() keeps
    numbering and retries the unwritten events on the next call; if the stream vanished (Redis
    restarted without persistence, or was flushed), it is rewritten from seq 1 with the same
    ids, so a client resuming with Last-Event-ID still gets exactly what it missed.
    """

    def __init__(self, task_id: int, *, start_seq: int = 0, client: redis.Redis | None = None) -> None:
        self.task_id = task_id
        self._seq = start_seq
        self._written = start_seq  # the highest seq known to be in Redis
        self._key = stream_key(task_id)
        self._client = client or redis_client()
        self._events: list[Event] = []  # written by this writer, for a rebuild
        self._healthy = True

    @property
    def seq(self) -> int:
        """The seq of the last event emitted (the next one gets seq + 1)."""
        return self._seq

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event this writer emitted, in seq order."""
        return tuple(self._events)

    @property
    def healthy(self) -> bool:
        """False while Redis is missing some of this writer's events (they are retried)."""
        return self._healthy

    @classmethod
    def resume(cls, task_id: int, *, at_least: int = 0) -> StreamWriter:
        """A writer that continues after the stream's last entry (for a process other than the
        one that started it: a cancel, the reaper)."""
        writer = cls(task_id)
        last = writer._client.xrevrange(writer._key, count=1)
        seq = Event.from_fields(last[0][1]).seq if last else 0
        writer._seq = writer._written = max(seq, at_least)
        return writer

    @classmethod
    def restore(cls, task_id: int, events: list[Event]) -> StreamWriter:
        """Rewrite a task's stream as `events` (with their own seqs), replacing what it held, and
        return a writer that continues after them: a replay then still gets the saved text before
        whatever the writer emits next."""
        writer = cls(task_id)
        writer._client.delete(writer._key)
        writer._events = list(events)
        writer._seq = events[-1].seq if events else 0
        writer.flush()
        return writer

    def reset(self) -> None:
        """Forget everything Redis holds for this task id (its stream and cancel flag)."""
        self._client.delete(self._key, cancel_key(self.task_id))
        self._seq = self._written = 0
        self._events = []

    def emit(self, type: str, **data: Any) -> Event:
        event = Event.make(self._seq + 1, type, **data)
        self._seq = event.seq
        self._events.append(event)
        self.flush()
        return event

    def emit_many(self, type: str, items: Iterable[dict[str, Any]]) -> list[Event]:
        """Several events of one type in one round trip to Redis (a producer with a backlog)."""
        events = []
        for data in items:
            events.append(Event.make(self._seq + 1, type, **data))
            self._seq = events[-1].seq
        self._events.extend(events)
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
                last = self._client.xrevrange(self._key, count=1)
                self._written = Event.from_fields(last[0][1]).seq if last else 0
                self._flush()
        except redis.RedisError:
            if self._healthy:
                logger.warning(
                    "task=%s: Redis unavailable, output kept for later", self.task_id, exc_info=True
                )
            self._healthy = False
            return False
        if not self._healthy:
            logger.info("task=%s: Redis back, stream caught up to seq %s", self.task_id, self._seq)
        self._healthy = True
        return True

    def _flush(self) -> None:
        # events is in seq order: find the unwritten tail without scanning the whole task's
        # output on every event (that was quadratic: 10,000 events took 12 s).
        pending = self._events[bisect.bisect_right(self._events, self._written, key=attrgetter("seq")) :]
        if not pending:
            return
        pipe = self._client.pipeline(transaction=True)
        pipe.exists(self._key)
        self._append(pipe, pending)
        existed = pipe.execute()[0]
        # The stream was lost under us: what we just added starts mid-way. Rewrite it whole.
        if not existed and pending[0].seq > 1 and self._events and self._events[0].seq == 1:
            logger.warning("task=%s: stream was lost; rewriting %s events", self.task_id, len(self._events))
            pipe = self._client.pipeline(transaction=True)
            pipe.delete(self._key)
            self._append(pipe, self._events)
            pipe.execute()
        self._written = self._seq

    def _append(self, pipe: redis.client.Pipeline, events: list[Event]) -> None:
        for event in events:
            pipe.xadd(
                self._key,
                event.to_fields(),
                id=entry_id(event.seq),
                maxlen=settings.STREAM_MAXLEN,
                approximate=True,
            )
        # Every stream expires: soon after its terminal event, and eventually even if the
        # worker died without writing one, so Redis never fills up.
        ttl = settings.STREAM_TTL_SECONDS if events[-1].is_terminal else settings.STREAM_IDLE_TTL_SECONDS
        pipe.expire(self._key, ttl)
        if events[-1].is_terminal:
            # A cancel flag has done its work once the task ended (it was set to live a day, for a
            # worker that never picks the task up): let it go with the stream.
            pipe.expire(cancel_key(self.task_id), ttl)
