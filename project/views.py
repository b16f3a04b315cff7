"""Operational endpoints: liveness, readiness and the Prometheus scrape (no session, no CSRF)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from project import health
from project.metrics import metrics_view

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
