"""The SSE endpoint: access check, then the generator from documents/relay/.

A plain Django view, not a ninja operation, so that neither the pages nor the JSON API import the
relay; it is still part of API v1 (project/urls.py, documents/stream_urls.py; documented in the
API's OpenAPI document by views/api.py), so it authenticates and answers errors exactly as the
ninja operations do: GET only, then credentials, then the id, then access.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from documents import selectors
from documents.auth import api_authenticate
from documents.relay import Event, SocketClient, event_stream, slots
from documents.views import api_errors
from ops import logs

# How ninja read the path's `task_id: int` (pydantic, lax): " 7" and "7.0" are 7, "7.5" a 400.
_TASK_ID = TypeAdapter(int)


# A refused stream's wait: open streams free their slot within SSE_DISCONNECT_CHECK_SECONDS of
# their client leaving (a reloaded tab), so a few seconds is enough.
STREAM_RETRY_AFTER_SECONDS = 5

# Event ids are sequence numbers; none comes near this (the largest integer a browser's JavaScript
# holds exactly). A larger one means "past the end", and Redis refuses stream ids of 2^64 and more.
MAX_EVENT_ID = 2**53 - 1


def _last_event_id(request: HttpRequest) -> int:
    # The header is what EventSource and our fetch-stream send on reconnect; the query
    # parameter is for clients that cannot set headers.
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or "0"
    if len(raw) > 32:  # int() of a long digit string is slow; no real id is this long
        return MAX_EVENT_ID if raw.strip().isdigit() else 0
    try:
        return min(max(int(raw), 0), MAX_EVENT_ID)
    except ValueError:
        return 0


def _bound_writes(request: HttpRequest) -> None:
    # gunicorn writes a response with no timeout, and an open stream holds its thread (gthread) or
    # greenlet: a reader that stops reading without closing (a phone in a tunnel) would hold it for
    # good once the socket's send buffer is full, long past SSE_MAX_DURATION_SECONDS. A write that
    # makes no progress for three heartbeats (fetch-stream.js's own idle timeout) ends the stream;
    # a live reader resumes with Last-Event-ID. gunicorn resets the socket for the next request.
    sock = request.META.get("gunicorn.socket")
    if sock is not None:
        sock.settimeout(3 * settings.SSE_HEARTBEAT_SECONDS)


def _client(request: HttpRequest) -> SocketClient | None:
    """The client's connection, to learn when it leaves while the stream idles (gunicorn only)."""
    sock = request.META.get("gunicorn.socket")
    return SocketClient(sock) if sock is not None else None


def _release_database() -> None:
    # A stream lives for minutes and only asks the database whether its task finished, once a
    # heartbeat; Django closes a request's connection when the response ends. Kept open, every
    # stream holds one: under gevent (a connection per greenlet) that is a SQLite connection of
    # ~200 KiB per idle stream (bench/capacity.py), or one PostgreSQL backend per open stream.
    # Not inside a transaction (a test's): closing there would break it.
    if not connection.in_atomic_block:
        connection.close()


def _saved_events(task_id: int) -> list[Event] | None:
    try:
        return selectors.outline_task_saved_events(task_id=task_id)
    finally:
        _release_database()


# Exempt as every ninja view is: only GET gets through, and a GET is never CSRF-checked, so this
# only keeps the answer to another method a 405 (not 403) for a browser without a token.
@csrf_exempt
@require_GET
def task_stream(request: HttpRequest, task_id: str) -> HttpResponse:
    """`id: <seq>` / `event: chunk|status|progress|error|done` / `data: <JSON>` frames; send
    `Last-Event-ID` (or `?last_event_id=`) to resume exactly after that event."""
    if not api_authenticate(request):
        return api_errors.unauthenticated()
    try:
        task_pk = _TASK_ID.validate_python(task_id)
    except PydanticValidationError:
        return api_errors.invalid_request("task_id")
    try:
        task = selectors.outline_task_get(user=request.user, task_id=task_pk)
    except Http404:
        return api_errors.not_found()
    logs.bind(task_id=task.pk)
    try:
        lease = slots.acquire(user_id=request.user.pk, task_id=task.pk)
    except slots.TooManyStreams as exc:
        _release_database()
        return api_errors.too_many_streams(exc.limit, exc.scope, retry_after=STREAM_RETRY_AFTER_SECONDS)
    _bound_writes(request)
    frames = event_stream(
        task_id=task.pk,
        last_event_id=_last_event_id(request),
        load_saved=lambda: _saved_events(task.pk),
        # Read now: the body is generated after the view (and the request's language) returned.
        language=get_language(),
        finished=task.is_terminal,
        client=_client(request),
    )
    # The lease goes back when the response is closed, however early.
    response = StreamingHttpResponse(
        slots.Held(frames, lease), content_type="text/event-stream; charset=utf-8"
    )
    _release_database()  # the view's queries are done; the body is generated after it returned
    # No Connection header: it is hop-by-hop and WSGI forbids it; HTTP/1.1 keeps the connection open.
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through, no buffering
    return response
