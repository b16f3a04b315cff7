"""Request middleware: a request id on every log line and response, one structured access line
per request, the request latency histogram by route, and the log-in redirect of HTMX requests."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from ops import logs, metrics

logger = logging.getLogger("outliner.request")

# A proxy's or client's id is kept (so one id spans nginx, gunicorn and the worker) only if it
# looks like an id; anything else could be used to forge log lines.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def _route(request: HttpRequest) -> str:
    """The URL pattern, not the path: /documents/<int:document_id>/ is one series, not one per id."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + match.route if match.route else (match.view_name or "unmatched")


class RequestContextMiddleware:
    """Outermost: binds a request id for the logs, times the request, logs one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset afterwards: a streaming response's body runs after this returns and its
        # lines should still carry the ids; the next request on this thread starts afresh.
        logs.clear(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = _route(request)
        metrics.observe_request(
            route=route, method=request.method or "", status=response.status_code, seconds=seconds
        )
        response["X-Request-ID"] = request_id
        logger.info(
            "%s %s %s",
            request.method,
            request.get_full_path()[:300],
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path[:300],
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "streaming": response.streaming,
            },
        )
        return response


class UserContextMiddleware:
    """After AuthenticationMiddleware: the session user's id on this request's log lines (API
    clients with a bearer token are bound by documents.auth)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a request that carries a session cookie costs a lookup here (without one the user
        # is anonymous: asking built a session store and ran the auth lookup for every API call,
        # 6 % of a gevent worker's time in a storm of stream connects); pages that need the user
        # look it up anyway, and the result is cached on the request.
        user = getattr(request, "user", None)
        if settings.SESSION_COOKIE_NAME in request.COOKIES and user is not None and user.is_authenticated:
            logs.bind(user_id=user.pk)
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """A fragment request (HTMX) from a browser whose session ended would follow the redirect to
    the log-in page and swap that whole page into the fragment's place. Send the browser to the
    log-in page instead (HX-Redirect), coming back afterwards to the page the user was on, not
    to the fragment's URL. Goes after django_htmx's middleware (it needs request.htmx)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or response.status_code != 302:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login:
            return response
        back = htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
