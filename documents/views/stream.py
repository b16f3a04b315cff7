"""The SSE endpoint: access check, then the generator from documents/relay/.

A plain Django view, not a ninja operation, so that neither the pages nor the JSON API import the
relay; it is still part of API v1 (project/urls.py, documents/stream_urls.py; documented in the
API's OpenAPI document by views/api.py), so it authenticates and answers errors exactly as the
ninja operations do: GET only, then credentials, then the id, then access.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from documents import selectors, services
from documents.auth import api_authenticate, bearer_token
from documents.models import OutlineTask
from documents.relay import Event, SocketClient, event_stream, slots
from documents.views import api_errors
from ops import logs, shared_db

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


def _bound_writes(request: HttpRequest) -> Callable[[], None] | None:
    # gunicorn writes a response with no timeout, and an open stream holds its thread (gthread) or
    # greenlet: a reader that stops reading without closing (a phone in a tunnel) would hold it for
    # good once the socket's send buffer is full, long past SSE_MAX_DURATION_SECONDS. A write that
    # makes no progress for three heartbeats (fetch-stream.js's own idle timeout) ends the stream;
    # a live reader resumes with Last-Event-ID. Returns what puts the socket's own timeout back,
    # for when the response closes: gunicorn does not reset it, and under gevent it then waited for
    # a kept-alive connection's next request with it, timed out after three heartbeats (a browser
    # keeps an idle connection far longer) and logged "Socket error processing request" with a
    # traceback for every such stream.
    sock = request.META.get("gunicorn.socket")
    if sock is None:
        return None
    before = sock.gettimeout()
    sock.settimeout(3 * settings.SSE_HEARTBEAT_SECONDS)

    def restore() -> None:
        with contextlib.suppress(OSError):  # closed already
            sock.settimeout(before)

    return restore


def _client(request: HttpRequest) -> SocketClient | None:
    """The client's connection, to learn when it leaves while the stream idles, and (under gevent)
    for the hub to write events to (gunicorn only). gunicorn sends a body of unknown length in
    chunks to an HTTP/1.1 client, as it comes to an HTTP/1.0 one."""
    sock = request.META.get("gunicorn.socket")
    if sock is None:
        return None
    protocol = request.META.get("SERVER_PROTOCOL")
    # The hub's bytes go around the middleware: not when one would rewrite the body (compress it),
    # nor on a connection whose framing is not one of these two (gunicorn's uwsgi protocol is not
    # supported with SSE_HUB_WRITES).
    direct = settings.SSE_HUB_WRITES and _GZIP not in settings.MIDDLEWARE and protocol in _FRAMINGS
    return SocketClient(sock, chunked=protocol == "HTTP/1.1", direct=direct)


_FRAMINGS = ("HTTP/1.1", "HTTP/1.0")  # chunks, and the body as it comes


_GZIP = "django.middleware.gzip.GZipMiddleware"


def _forget(request: HttpRequest) -> None:
    """Drops what the middleware put on the request (session, user, messages, the URL's match, the
    parsed headers), once the body has begun and every middleware has returned. Django keeps the
    request until the response is closed (its close() is one of the response's closers), which
    for a stream is minutes: that state was ~5 KiB of every idle stream (tracemalloc, in the gevent
    worker holding 1,000). Only what close() reads stays: the uploaded files (a GET has none)."""
    kept = {key: value for key, value in vars(request).items() if key == "_files"}
    vars(request).clear()
    vars(request).update(kept)


def _release_database() -> None:
    # A stream lives for minutes and only asks the database whether its task finished, once a
    # heartbeat; Django closes a request's connection when the response ends. Kept open, every
    # stream holds one: under gevent (a connection per greenlet) that is a SQLite connection of
    # ~200 KiB per idle stream (bench/capacity.py), or one PostgreSQL backend per open stream.
    # Its wrapper goes too: under gevent each greenlet has one (~3 KiB, tracemalloc), kept as long
    # as the greenlet; the next query makes a new one. Only a wrapper this request set up (a bearer
    # client's check ran on the shared connection: asking `connection` would make one), and not
    # inside a transaction (a test's): closing there would break it.
    own = shared_db.own_connection()
    if own is not None and not own.in_atomic_block:
        own.close()
        del connections[DEFAULT_DB_ALIAS]


def _saved_events(task_id: int) -> list[Event] | None:
    try:
        return selectors.outline_task_saved_events(task_id=task_id)
    finally:
        _release_database()


def _token_access(request: HttpRequest, task_pk: int) -> selectors.StreamAccess | None:
    """A bearer client's access to the task in one query (selectors.stream_access says why); None
    when there is no token or it is not one we know: then the general path decides, as for every
    other operation (a session may still let the request in)."""
    token = bearer_token(request)
    if token is None:
        return None
    since = services.api_token_touched_since()
    access = selectors.stream_access(token=token, task_id=task_pk, used_since=since)
    if access is None:
        return None
    if access.token_stale:
        services.api_token_mark_used(token_id=access.token_id)
    logs.bind(user_id=access.user_id)
    return access


def _access(request: HttpRequest, task_id: str) -> tuple[int, int, str] | HttpResponse:
    """(user id, task id, task status) when the request may read the task's stream; else the
    API's answer, in ninja's order: credentials (401), then the id (400), then access (404)."""
    try:
        task_pk = _TASK_ID.validate_python(task_id)
    except PydanticValidationError:
        task_pk = None
    access = _token_access(request, task_pk) if task_pk is not None else None
    if access is not None:
        user_id, status = access.user_id, access.task_status
    else:
        if not api_authenticate(request):
            return api_errors.unauthenticated()
        if task_pk is None:
            return api_errors.invalid_request("task_id")
        user_id = request.user.pk
        try:
            status = selectors.outline_task_status(user=request.user, task_id=task_pk)
        except Http404:
            status = None
    if status is None:
        return api_errors.not_found()
    return user_id, task_pk, status


# Exempt as every ninja view is: only GET gets through, and a GET is never CSRF-checked, so this
# only keeps the answer to another method a 405 (not 403) for a browser without a token.
@csrf_exempt
@require_GET
def task_stream(request: HttpRequest, task_id: str) -> HttpResponse:
    """`id: <seq>` / `event: chunk|status|progress|error|done` / `data: <JSON>` frames; send
    `Last-Event-ID` (or `?last_event_id=`) to resume exactly after that event."""
    allowed = _access(request, task_id)
    if isinstance(allowed, HttpResponse):
        _release_database()
        return allowed
    user_id, task_pk, status = allowed
    logs.bind(task_id=task_pk)
    try:
        lease = slots.acquire(user_id=user_id, task_id=task_pk)
    except slots.TooManyStreams as exc:
        _release_database()
        return api_errors.too_many_streams(exc.limit, exc.scope, retry_after=STREAM_RETRY_AFTER_SECONDS)
    unbound = _bound_writes(request)
    frames = event_stream(
        task_id=task_pk,
        last_event_id=_last_event_id(request),
        load_saved=functools.partial(_saved_events, task_pk),
        # Read now: the body is generated after the view (and the request's language) returned.
        language=get_language(),
        finished=status in OutlineTask.TERMINAL,
        client=_client(request),
    )
    # The lease goes back when the response is closed, however early.
    response = StreamingHttpResponse(
        slots.Held(frames, lease, started=functools.partial(_forget, request), closed=unbound),
        content_type="text/event-stream; charset=utf-8",
    )
    _release_database()  # the view's queries are done; the body is generated after it returned
    # No Connection header: it is hop-by-hop and WSGI forbids it; HTTP/1.1 keeps the connection open.
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through, no buffering
    # Known, not parsed from the Content-Type header again for every write (Django's make_bytes):
    # thousands of readers of one task each write every event.
    response.charset = "utf-8"
    return response
