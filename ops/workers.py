"""Which Celery workers are alive: each worker stamps a Redis hash from a side thread.

One hash per queue (``outliner:workers:<queue>``: worker name -> unix time of its last stamp),
so readiness and the heartbeat-age gauge see the workers that serve *this* deployment's queue.
A worker that stops cleanly removes its entry; a killed one stops stamping and its age grows
until it counts as lost (WORKER_LOST_AFTER_SECONDS), then is pruned after an hour.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from django.conf import settings

from ops.redis_pool import redis_client

logger = logging.getLogger(__name__)

PRUNE_AFTER_SECONDS = 3600.0


def heartbeat_key() -> str:
    return f"outliner:workers:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def _client() -> redis.Redis:
    return redis_client()


def stamp(name: str, *, client: redis.Redis | None = None) -> None:
    client = client or _client()
    pipe = client.pipeline(transaction=False)
    pipe.hset(heartbeat_key(), name, f"{time.time():.3f}")
    pipe.expire(heartbeat_key(), int(PRUNE_AFTER_SECONDS))
    pipe.execute()


def forget(name: str) -> None:
    try:
        _client().hdel(heartbeat_key(), name)
    except redis.RedisError:
        logger.warning("could not remove worker %s from the heartbeat registry", name, exc_info=True)


def heartbeat_ages(*, client: redis.Redis | None = None) -> dict[str, float] | None:
    """Seconds since each worker's last stamp; None when Redis cannot be read."""
    try:
        client = client or _client()
        stamps = client.hgetall(heartbeat_key())
    except redis.RedisError:
        logger.warning("worker heartbeats unavailable", exc_info=True)
        return None
    now = time.time()
    ages: dict[str, float] = {}
    for raw_name, raw_stamp in stamps.items():
        name = raw_name.decode() if isinstance(raw_name, bytes) else raw_name
        try:
            age = max(0.0, now - float(raw_stamp))
        except ValueError:
            continue
        if age > PRUNE_AFTER_SECONDS:
            client.hdel(heartbeat_key(), name)
            continue
        ages[name] = round(age, 3)
    return ages


def live(ages: dict[str, float]) -> list[str]:
    return sorted(name for name, age in ages.items() if age < settings.WORKER_LOST_AFTER_SECONDS)


class WorkerHeartbeat:
    """Started when a worker is ready; stamps every WORKER_HEARTBEAT_SECONDS until stopped."""

    def __init__(self, name: str, interval: float | None = None) -> None:
        self.name = name
        self.interval = interval or settings.WORKER_HEARTBEAT_SECONDS
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> WorkerHeartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        forget(self.name)

    def _run(self) -> None:
        failing = False
        while True:
            try:
                stamp(self.name)
                if failing:
                    logger.info("worker heartbeat restored")
                failing = False
            except redis.RedisError:
                if not failing:
                    logger.warning("worker heartbeat could not reach Redis", exc_info=True)
                failing = True
            if self._stop.wait(self.interval):
                return
