"""How many SSE streams one user and one task may hold open, across every web process.

Each open stream holds a lease in two Redis sorted sets (the user's and the task's), scored by
when it lapses: a stream ends after SSE_MAX_DURATION_SECONDS anyway (the client reconnects), so a
lease that outlives its process (killed, not closed) lapses soon after, and no count drifts. One
script call takes both leases or neither; closing the response gives them back.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import redis
from django.conf import settings

from ops.redis_pool import redis_client

logger = logging.getLogger(__name__)

# KEYS: the sets to hold a lease in; ARGV: now, lease end, member, then each set's cap (0 = none).
# Lapsed leases go first, then either every set has room and gets the lease, or none changes.
_ACQUIRE = """
local now, expires, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local cap = tonumber(ARGV[3 + i])
  if cap > 0 and redis.call('ZCARD', key) >= cap then return i end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, expires, member)
  redis.call('EXPIREAT', key, math.ceil(expires))
end
return 0
"""


@dataclass(frozen=True)
class Lease:
    keys: tuple[str, ...]
    member: str

    def release(self) -> None:
        try:
            client = redis_client()
            with client.pipeline(transaction=False) as pipe:
                for key in self.keys:
                    pipe.zrem(key, self.member)
                pipe.execute()
        except redis.RedisError:  # it lapses by itself
            logger.warning("could not give back a stream lease", exc_info=True)


class TooManyStreams(Exception):
    """The user (or the task) already has as many open streams as allowed."""

    def __init__(self, limit: int, scope: str) -> None:
        super().__init__(limit, scope)
        self.limit, self.scope = limit, scope


def acquire(*, user_id: int, task_id: int) -> Lease | None:
    """A lease for one more stream of `task_id` by `user_id`; TooManyStreams past either cap.

    None when there are no caps, or Redis cannot count (the stream itself then decides: it needs
    Redis too)."""
    caps = {
        f"outliner:sse:user:{user_id}": ("user", settings.SSE_MAX_STREAMS_PER_USER),
        f"outliner:sse:task:{task_id}": ("task", settings.SSE_MAX_STREAMS_PER_TASK),
    }
    caps = {key: cap for key, cap in caps.items() if cap[1] > 0}
    if not caps:
        return None
    now = time.time()
    expires = now + settings.SSE_MAX_DURATION_SECONDS + 2 * settings.SSE_HEARTBEAT_SECONDS
    member = uuid.uuid4().hex
    try:
        full = redis_client().register_script(_ACQUIRE)(
            keys=list(caps), args=[now, expires, member, *(cap for _, cap in caps.values())]
        )
    except redis.RedisError:
        logger.warning("could not count open streams; letting this one through", exc_info=True)
        return None
    if full:
        scope, limit = list(caps.values())[int(full) - 1]
        raise TooManyStreams(limit, scope)
    return Lease(keys=tuple(caps), member=member)


class Held:
    """An SSE body that gives back its lease when the response is closed (the client left or the
    stream ended). A generator's own `finally` would not do: a response closed before its first
    write never runs its generator at all. `started` is called before the first write, `closed`
    when the response is closed."""

    def __init__(
        self,
        frames: Iterator[str],
        lease: Lease | None,
        *,
        started: Callable[[], None] | None = None,
        closed: Callable[[], None] | None = None,
    ) -> None:
        self._frames, self._lease, self._started, self._closed = frames, lease, started, closed

    def __iter__(self) -> Held:
        return self

    def __next__(self) -> str:
        if self._started is not None:  # the first write: the response has left every middleware
            started, self._started = self._started, None
            started()
        return next(self._frames)

    def close(self) -> None:
        try:
            close = getattr(self._frames, "close", None)
            if close is not None:
                close()
        finally:
            lease, self._lease = self._lease, None
            if lease is not None:
                lease.release()
            closed, self._closed = self._closed, None
            if closed is not None:
                closed()
