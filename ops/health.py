"""Readiness checks: database, Redis, broker, a live worker, and those apps register (the model).

Each check opens its own short-lived connection with a short timeout (READINESS_TIMEOUT_SECONDS)
rather than borrowing from a pool: readiness asks "could a new request be served now?", and a
check must never hang a load balancer's probe. Details name the failure, never a URL or secret.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import kombu
import redis
from amqp.exceptions import ChannelError
from django.conf import settings
from django.db import connection

from ops import workers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    latency_ms: float
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class CheckFailed(Exception):
    """A check ran and the answer is no (as opposed to an exception while checking)."""


def _timeout() -> float:
    return settings.READINESS_TIMEOUT_SECONDS


def _run(check: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except CheckFailed as exc:
        ok, detail = False, str(exc)
    except Exception as exc:  # any failure is "not ready", with the error's kind and text
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
    return CheckResult(ok=ok, latency_ms=round((time.perf_counter() - started) * 1000, 1), detail=detail)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


@contextlib.contextmanager
def _redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=_timeout(), socket_timeout=_timeout()
    )
    try:
        yield client
    finally:
        client.close()


def check_redis() -> str:
    with _redis() as client:
        client.ping()
    return "ping"


def _broker() -> kombu.Connection:
    return kombu.Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=_timeout(),
        transport_options={"socket_timeout": _timeout(), "socket_connect_timeout": _timeout()},
    )


def check_broker() -> str:
    with _broker() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=_timeout())
    return "connected"


def check_workers() -> str:
    with _redis() as client:
        ages = workers.heartbeat_ages(client=client)
    if ages is None:
        raise CheckFailed("worker heartbeats unreadable (Redis)")
    alive = workers.live(ages)
    if not alive:
        raise CheckFailed(f"no worker heartbeat in the last {settings.WORKER_LOST_AFTER_SECONDS:g} s")
    return f"{len(alive)} live"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "worker": check_workers,
}


def register_check(name: str, check: Callable[[], str]) -> None:
    """Add a readiness check: it returns a short detail, or raises (CheckFailed for a plain "no").

    How an app plugs in what only it knows (documents adds "model", its provider's own probe),
    so this module imports no app.
    """
    CHECKS[name] = check


def readiness() -> tuple[bool, dict[str, CheckResult]]:
    results = {name: _run(check) for name, check in CHECKS.items()}
    ready = all(result.ok for result in results.values())
    if not ready:
        failed = {name: r.detail for name, r in results.items() if not r.ok}
        logger.warning("not ready: %s", failed, extra={"failed_checks": failed})
    return ready, results


# ------------------------------------------------------------ for the metrics scrape
_cache: dict[str, tuple[float, bool]] = {}  # check name -> (checked at, ok)
_cache_lock = threading.Lock()
CHECK_CACHE_SECONDS = 10.0


def check_ok_cached(name: str) -> bool:
    """Whether check `name` passes, asked at most every 10 s per process (Prometheus scrapes
    often, and a probe may cross the network); False for a check nobody registered."""
    check = CHECKS.get(name)
    if check is None:
        return False
    with _cache_lock:
        checked_at, ok = _cache.get(name, (float("-inf"), False))
        if time.monotonic() - checked_at >= CHECK_CACHE_SECONDS:
            ok = _run(check).ok
            _cache[name] = (time.monotonic(), ok)
        return ok


def queue_length() -> int | None:
    """Messages waiting in the default Celery queue, as the broker counts them."""
    try:
        with _broker() as broker:
            try:
                return broker.default_channel.queue_declare(
                    queue=settings.CELERY_TASK_DEFAULT_QUEUE, passive=True
                ).message_count
            except ChannelError:  # Redis drops an empty list, so "no such queue" means 0
                return 0
    except Exception:
        logger.warning("queue length unavailable", exc_info=True)
        return None
