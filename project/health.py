"""Readiness checks: database, Redis, broker, a live worker, the model endpoint.

Each check opens its own short-lived connection with a short timeout (READINESS_TIMEOUT_SECONDS)
rather than borrowing from a pool: readiness asks "could a new request be served now?", and a
check must never hang a load balancer's probe. Details name the failure, never a URL or secret.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import kombu
import redis
from amqp.exceptions import ChannelError
from django.conf import settings
from django.db import connection

from project import workers

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


def model_probe() -> str:
    """GET <LLM_BASE_URL>/models: any answer but a 5xx or an auth refusal means reachable."""
    request = urllib.request.Request(
        settings.LLM_BASE_URL.rstrip("/") + "/models",
        headers={"Authorization": f"Bearer {settings.LLM_API_KEY}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=_timeout()) as response:
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise CheckFailed(f"the endpoint refused the API key (HTTP {exc.code})") from None
        if exc.code >= 500:
            raise CheckFailed(f"the endpoint answered HTTP {exc.code}") from None
        return f"HTTP {exc.code}"  # e.g. 404: no /models route, but the server is there
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CheckFailed(f"unreachable ({reason})") from None


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "worker": check_workers,
    "model": model_probe,
}


def readiness() -> tuple[bool, dict[str, CheckResult]]:
    results = {name: _run(check) for name, check in CHECKS.items()}
    ready = all(result.ok for result in results.values())
    if not ready:
        failed = {name: r.detail for name, r in results.items() if not r.ok}
        logger.warning("not ready: %s", failed, extra={"failed_checks": failed})
    return ready, results


# ------------------------------------------------------------ for the metrics scrape
_model_cache: dict[str, tuple[float, bool]] = {}  # base URL -> (probed at, reachable)
_model_lock = threading.Lock()
MODEL_PROBE_CACHE_SECONDS = 10.0


def model_reachable_cached() -> bool:
    """The model probe, at most every 10 s per process and endpoint (Prometheus scrapes often)."""
    url = settings.LLM_BASE_URL
    with _model_lock:
        probed_at, ok = _model_cache.get(url, (float("-inf"), False))
        if time.monotonic() - probed_at >= MODEL_PROBE_CACHE_SECONDS:
            ok = _run(model_probe).ok
            _model_cache[url] = (time.monotonic(), ok)
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
