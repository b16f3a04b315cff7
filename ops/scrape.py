"""The Prometheus scrape: every process's samples merged, plus gauges read at scrape time.

Gauges that describe the whole system (queue length, worker heartbeats, the model server) are
read here when scraped, not written by any one process. Who may scrape: scrape_allowed.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

# ops.metrics first: it picks prometheus_client's multiprocess directory, which has to be set
# before prometheus_client is first imported.
from ops import health, metrics, workers  # noqa: F401

# isort: split
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)


class SystemCollector(Collector):
    """Gauges about shared state: read from the broker, Redis and the model server per scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
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
        up.add_metric([], 1.0 if health.check_ok_cached("model") else 0.0)
        yield up


def registry() -> CollectorRegistry:
    """A registry that merges every process's samples and adds the scrape-time gauges."""
    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged)
    merged.register(SystemCollector())
    return merged


_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def scrape_allowed(request: HttpRequest) -> bool:
    """A matching METRICS_TOKEN bearer, or a direct (unproxied) request from METRICS_ALLOWED_IPS.

    A request that came through a reverse proxy (X-Forwarded-For, Forwarded, X-Real-IP: the
    one docs/operations.md has nginx set) is never trusted by address: behind a proxy on the same
    host every visitor would look like 127.0.0.1.
    """
    token = settings.METRICS_TOKEN
    if token and constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return True
    if any(header in request.headers for header in _PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def exposition() -> tuple[bytes, str]:
    """The scrape's body and content type."""
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def serve_worker_metrics(port: int) -> None:
    """A worker host without a web process: serve the same merged registry on `port`."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=settings.WORKER_METRICS_ADDR, registry=registry())
    logger.info("worker metrics on %s:%s/metrics", settings.WORKER_METRICS_ADDR, port)
