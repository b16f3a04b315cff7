"""Operational endpoints: liveness, readiness and the Prometheus scrape (no session, no CSRF)."""

from __future__ import annotations

import logging
import time

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops import health, scrape

logger = logging.getLogger(__name__)

__all__ = ["healthz", "metrics_view", "readyz"]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and serving requests; nothing else is checked (that is /readyz)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Every dependency a request may need, each with its result and latency; 503 if one fails."""
    ready, results = health.readiness()
    body = {
        "status": "ready" if ready else "not_ready",
        "checks": {name: result.as_dict() for name, result in results.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus scrape, for METRICS_TOKEN or METRICS_ALLOWED_IPS (ops/scrape.py)."""
    if not scrape.scrape_allowed(request):
        # Not a 403: off the public surface, the endpoint does not exist for anyone else.
        return HttpResponseNotFound()
    started = time.perf_counter()
    body, content_type = scrape.exposition()
    logger.debug("metrics scraped in %.1f ms", (time.perf_counter() - started) * 1000)
    return HttpResponse(body, content_type=content_type)
