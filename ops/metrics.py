"""Prometheus metrics: every series Outliner exports, in one place, and the /metrics view.

Web (gunicorn workers) and Celery (prefork children) are several processes, so
prometheus-client runs in multiprocess mode: each process writes its samples to files in
PROMETHEUS_MULTIPROC_DIR and a scrape merges them. The directory must be chosen before
prometheus_client is imported (settings.py does it) and emptied when the service starts
(project/run.py does it for `make run`; see docs/operations.md for production). A worker on
a host without a web process serves the same merge on WORKER_METRICS_PORT.

Gauges that describe the whole system (queue length, worker heartbeats, the model server) are
read when scraped, not written by any one process: ops/scrape.py.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings

# Multiprocess mode is picked when prometheus_client is first imported: the directory has to be
# known (and exist) by then, whichever process imports this module first.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(settings.PROMETHEUS_MULTIPROC_DIR))
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (  # noqa: E402
    Counter,
    Gauge,
    Histogram,
    multiprocess,
)
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
    "Chunk events sent to SSE clients (one per client it was sent to).",
)
SSE_HUB_WRITES = Counter(
    "outliner_sse_hub_writes_total",
    "Events the stream hub wrote straight to a waiting reader's socket (gevent; documents/relay/hub.py),"
    " by outcome: whole, part (the reader writes the rest), refused (the socket was full or broken: the"
    " reader writes them).",
    ["outcome"],
)
REDIS_POOL_IN_USE = Gauge(
    "outliner_redis_pool_connections_in_use",
    "Redis connections checked out of the process pools (the stream reader has its own, outside them).",
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
    "Requests refused with 429 by a rate limit (ops/ratelimits.py), by limit.",
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


# The methods a label may name; anything else a client sends ("SECPROBE1", ...) is "other", so
# anonymous requests cannot add series without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    REQUEST_SECONDS.labels(route=route, method=method, status=str(status)).observe(seconds)


def task_finished(*, status: str, error_code: str) -> None:
    TASKS_FINISHED.labels(status=status, error_code=error_code or "").inc()


def mark_process_dead(pid: int) -> None:
    """Drop a dead process's live gauges (gunicorn's child_exit, Celery's process shutdown)."""
    multiprocess.mark_process_dead(pid, os.environ["PROMETHEUS_MULTIPROC_DIR"])
