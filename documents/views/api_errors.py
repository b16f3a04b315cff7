"""The JSON error body of API v1, `{"error": {"code": ..., "message": ...}}`, in one place: the
ninja API (views/api.py) and the SSE endpoint (views/stream.py, a plain Django view) answer the
same failures with the same bytes."""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

# What ninja's JSONRenderer sends, so an error reads the same from either kind of view.
_CONTENT_TYPE = "application/json; charset=utf-8"


def error_response(status: int, code: str, message: str) -> HttpResponse:
    body = {"error": {"code": code, "message": str(message)}}
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), status=status, content_type=_CONTENT_TYPE)


def not_found() -> HttpResponse:
    # The same answer for a missing object and someone else's: ids do not leak whose they are.
    return error_response(404, "not_found", "Not found.")


def unauthenticated() -> HttpResponse:
    return error_response(401, "unauthenticated", "Log in, or send Authorization: Bearer <token>.")


def invalid_request(fields: str) -> HttpResponse:
    """`fields` names what was wrong, e.g. "task_id" or "file, version"."""
    return error_response(400, "invalid_request", f"Invalid or missing: {fields or 'request'}.")


def too_many_streams(limit: int, scope: str, retry_after: int) -> HttpResponse:
    """429 for one stream more than SSE_MAX_STREAMS_PER_USER (scope "user") or _PER_TASK ("task")."""
    whose = "you have" if scope == "user" else "this task has"
    response = error_response(
        429,
        "too_many_streams",
        f"{whose.capitalize()} {limit} streams open, the most allowed; close one (another tab?) or "
        f"retry after {retry_after} seconds.",
    )
    response["Retry-After"] = str(retry_after)
    return response
