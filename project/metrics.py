"""Prometheus metrics: every series Outliner exports, in one place, and the /metrics view.

Web (gunicorn workers) and Celery (prefork children) are several processes, so
prometheus-client runs in multiprocess mode: each process writes its samples to files in
PROMETHEUS_MULTIPROC_DIR and a scrape merges them. The directory must be chosen before
prometheus_client is imported (settings.py does it) and emptied when the service starts
(project/run.py does it for `make run`; see docs/operations.md for production). A worker on
a host without a web process serves the same merge on WORKER_METRICS_PORT.

Gauges that describe the whole system (queue length, worker heartbeats, the model server) are
read when scraped, not written by any one process.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Iterator

from django.conf import settings

# Multiprocess mode is picked when prometheus_client is first imported: the directory has to be
# known (and exist) by then, whichever process imports this module first.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(settings.PROMETHEUS_MULTIPROC_DIR))
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound  # noqa: E402
from django.utils.crypto import constant_time_compare  # noqa: E402
from django.views.decorators.http import require_GET  # noqa: E402
from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402
from prometheus_client.registry import Collector  # noqa: E402
from prometheus_client.values import ValueClass  # noqa: E402

if not getattr(ValueClass, "_multiprocess", False):
    from django.core.exceptions import ImproperlyConfigured

    # Something imported prometheus_client before the directory was set: each process would
    # count on its own and a scrape would see one random gunicorn worker.
    raise ImproperlyConfigured("prometheus_client was imported before PROMETHEUS_MULTIPROC_DIR was set")

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------ web
REQUEST_SECONDS = Histogram(
    "outliner_http_request_duration_seconds",
    "Time to produce the response (for a stream: until its headers), by URL pattern.",
    ["route", "method", "status"],
)
SSE_STREAMS_ACTIVE = Gauge(
    "outliner_sse_streams_active",
    "SSE streams open right now.",
    multiprocess_mode="livesum",
)
SSE_CHUNKS_RELAYED = Counter(
    "outliner_sse_chunks_relayed_total",
    "Chunk events written to SSE clients (one per client that received it).",
)
REDIS_POOL_IN_USE = Gauge(
    "outliner_redis_pool_connections_in_use",
    "Redis connections checked out of the process pools (the stream reader holds one per web process).",
    multiprocess_mode="livesum",
)

# ------------------------------------------------------------------------ tasks
TASK_FIRST_CHUNK_SECONDS = Histogram(
    "outliner_task_first_chunk_seconds",
    "From the click (task created) to its first chunk in the stream: what the user waits.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120),
)
TASK_DURATION_SECONDS = Histogram(
    "outliner_task_duration_seconds",
    "From the worker's claim to the task's end, by final status.",
    ["status"],
    buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800),
)
TASKS_FINISHED = Counter(
    "outliner_tasks_finished_total",
    "Outline tasks that reached a final state, by status and error code ('' when none).",
    ["status", "error_code"],
)
RATE_LIMITED = Counter(
    "outliner_rate_limited_total",
    "Requests refused with 429 by a rate limit (project/ratelimits.py), by limit.",
    ["group"],
)
MODEL_TOKENS = Counter("outliner_model_tokens_total", "Tokens the model generated for outline tasks.")
MODEL_TOKENS_PER_SECOND = Histogram(
    "outliner_model_tokens_per_second",
    "Generation speed of each finished task (tokens over its duration).",
    buckets=(1, 2, 5, 10, 20, 30, 40, 50, 60, 80, 100, 150, 200, 400),
)

# Series exist from the start (at 0), so rates and alerts work before the first task ends.
for _status in ("succeeded", "failed", "cancelled"):
    TASK_DURATION_SECONDS.labels(status=_status)
for _status in ("succeeded", "cancelled"):
    TASKS_FINISHED.labels(status=_status, error_code="")


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route=route, method=method, status=str(status)).observe(seconds)


def task_finished(*, status: str, error_code: str) -> None:
    TASKS_FINISHED.labels(status=status, error_code=error_code or "").inc()


# --------------------------------------------------------------- read at scrape time
class SystemCollector(Collector):
    """Gauges about shared state: read from the broker, Redis and the model server per scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from project import health, workers

        queue = GaugeMetricFamily(
            "outliner_queue_length", "Outline tasks waiting in the broker queue.", labels=["queue"]
        )
        length = health.queue_length()
        if length is not None:
            queue.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE], length)
        yield queue

        ages = workers.heartbeat_ages()
        age = GaugeMetricFamily(
            "outliner_worker_heartbeat_age_seconds",
            "Seconds since each Celery worker last stamped its heartbeat.",
            labels=["worker"],
        )
        for name, seconds in sorted((ages or {}).items()):
            age.add_metric([name], seconds)
        yield age
        live = GaugeMetricFamily(
            "outliner_workers_live", "Workers whose heartbeat is fresh (WORKER_LOST_AFTER_SECONDS)."
        )
        live.add_metric([], len(workers.live(ages or {})))
        yield live

        up = GaugeMetricFamily("outliner_model_up", "1 if the LLM endpoint answered its last probe.")
        up.add_metric([], 1.0 if health.model_reachable_cached() else 0.0)
        yield up


def registry() -> CollectorRegistry:
    """A registry that merges every process's samples and adds the scrape-time gauges."""
    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged)
    merged.register(SystemCollector())
    return merged


# ------------------------------------------------------------------------ access
def scrape_allowed(request: HttpRequest) -> bool:
    """A matching METRICS_TOKEN bearer, or a direct (unproxied) request from METRICS_ALLOWED_IPS.

    A request that came through a reverse proxy (X-Forwarded-For / Forwarded) is never trusted
    by address: behind a proxy on the same host every visitor would look like 127.0.0.1.
    """
    token = settings.METRICS_TOKEN
    if token and constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return True
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not scrape_allowed(request):
        # Not a 403: off the public surface, the endpoint does not exist for anyone else.
        return HttpResponseNotFound()
    started = time.perf_counter()
    body = generate_latest(registry())
    logger.debug("metrics scraped in %.1f ms", (time.perf_counter() - started) * 1000)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def serve_worker_metrics(port: int) -> None:
    """A worker host without a web process: serve the same merged registry on `port`."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=settings.WORKER_METRICS_ADDR, registry=registry())
    logger.info("worker metrics on %s:%s/metrics", settings.WORKER_METRICS_ADDR, port)


def mark_process_dead(pid: int) -> None:
    """Drop a dead process's live gauges (gunicorn's child_exit, Celery's process shutdown)."""
    multiprocess.mark_process_dead(pid, os.environ["PROMETHEUS_MULTIPROC_DIR"])
