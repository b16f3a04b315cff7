"""The peer's two views: django-eventstream's own stream view for one channel, and a health check
for bench.harness.start_gunicorn."""

from __future__ import annotations

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django_eventstream.views import events as eventstream_events

from bench.peer import bridge


def events(request: HttpRequest, channel: str) -> HttpResponse:
    """django_eventstream.views.events, as ``path("events/<channel>/", include(django_eventstream.urls))``
    would serve it (the channel comes from the URL). Under WSGI its async stream goes through the
    bridge; under ASGI it is returned untouched."""
    response = eventstream_events(request, channel=channel)
    under_wsgi = not isinstance(request, ASGIRequest)
    if under_wsgi and isinstance(response, StreamingHttpResponse) and response.is_async:
        response.streaming_content = bridge.iterate(response.streaming_content)
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
