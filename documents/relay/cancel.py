"""The cancel flag: set by a cancel from any web process, polled by the worker between tokens.

Redis is the fast path; the database's cancel_requested_at is the truth (services fall back to it).
"""

from __future__ import annotations

from django.conf import settings

from documents.relay.events import cancel_key
from ops.redis_pool import redis_client


def cancel_request(task_id: int) -> None:
    """Raise the flag (RedisError if Redis is away). It lives a day at most: a task that never
    starts keeps it until then; one that ends lets it go with its stream."""
    redis_client().set(cancel_key(task_id), "1", ex=settings.STREAM_IDLE_TTL_SECONDS)


def cancel_requested(task_id: int) -> bool:
    """Whether the flag is up (RedisError if Redis is away)."""
    return bool(redis_client().exists(cancel_key(task_id)))


def cancel_settle(task_id: int) -> None:
    """The task has ended: let its flag go with its stream (a cancel that raced the task's end
    set it after the worker's last write, which would otherwise leave it for a day)."""
    redis_client().expire(cancel_key(task_id), settings.STREAM_TTL_SECONDS)
