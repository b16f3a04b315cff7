"""The process's Redis connection pool: every Redis command of the project borrows from it.

Bounded and blocking: under load callers wait for a free connection (up to REDIS_POOL_TIMEOUT)
rather than opening more, and a forked child (gunicorn, Celery prefork) builds its own pool
instead of sharing its parent's sockets.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import redis
from django.conf import settings

from ops import metrics


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


_client: redis.Redis | None = None  # on the pool (its connection_pool)
_pool_pid: int | None = None
_pool_lock = threading.Lock()


def redis_client() -> redis.Redis:
    """A client on this process's bounded pool (callers wait for a free connection, up to
    REDIS_POOL_TIMEOUT, rather than opening more). One client for the process: it holds no
    connection between commands, so threads and greenlets share it; building one per call was 3 %
    of a gevent worker connecting 10,000 streams (bench/capacity.py, py-spy)."""
    global _client, _pool_pid
    with _pool_lock:
        if _client is None or _pool_pid != os.getpid():  # a forked child must not share sockets
            pool = InstrumentedPool.from_url(
                settings.REDIS_URL,
                max_connections=settings.REDIS_POOL_SIZE,
                timeout=settings.REDIS_POOL_TIMEOUT,
            )
            _client = redis.Redis(connection_pool=pool)
            _pool_pid = os.getpid()
        return _client
