"""Request bodies over their route's limit are refused from Content-Length, before a byte is read.

Django parses a multipart body (CsrfViewMiddleware does, for the token) before any view can look
at a file's size: a 100 MB upload was read in full, then refused. This middleware sits before
CsrfViewMiddleware and answers 413 from the header alone. A body without Content-Length (chunked)
is not read by Django at all. The proxy in front has its own cap (docs/operations.md: nginx
`client_max_body_size`), set to the largest of these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from documents.validation import file_too_large
from documents.views import api_errors

MIB = 1024 * 1024
# Multipart framing (boundaries, part headers, the CSRF field) around a file of the largest size.
_MULTIPART_SLACK = 64 * 1024

# Routes that take one .docx, and the page form that takes several at once.
_ONE_FILE = {"api-v1:document_create", "api-v1:document_revise", "documents:document_revise"}
_MANY_FILES = "documents:document_upload"


def body_limit(view_name: str) -> int:
    """The most bytes a request body to `view_name` may have."""
    if view_name in _ONE_FILE:
        return settings.MAX_UPLOAD_MB * MIB + _MULTIPART_SLACK
    if view_name == _MANY_FILES:
        return settings.MAX_UPLOAD_REQUEST_MB * MIB + _MULTIPART_SLACK
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + _MULTIPART_SLACK


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: Any,
        kwargs: Any,  # noqa: ANN401
    ) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django reads such a body as empty
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if length <= body_limit(view_name):
            return None
        return _too_large(request, view_name, length, kwargs)


def _too_large(request: HttpRequest, view_name: str, length: int, kwargs: dict[str, Any]) -> HttpResponse:
    if view_name == _MANY_FILES:
        message = _(
            "These files add up to %(size)s MB; one upload can be at most %(limit)s MB. Upload them "
            "in smaller batches."
        ) % {"size": round(length / MIB), "limit": settings.MAX_UPLOAD_REQUEST_MB}
    elif view_name in _ONE_FILE:
        message = str(file_too_large(settings.MAX_UPLOAD_MB * MIB).message)
    else:
        message = _("The request is too large (%(size)s MB).") % {"size": round(length / MIB, 1)}
    if view_name.startswith("api-v1:") or view_name not in (_ONE_FILE | {_MANY_FILES}):
        code = "file_too_large" if view_name in _ONE_FILE else "request_too_large"
        return api_errors.error_response(413, code, message)
    # A page form: back to its page with the message (the browser hears it before it has sent
    # the rest of the body).
    messages.error(request, message)
    if view_name == "documents:document_revise":
        return redirect("documents:document_detail", kwargs["document_id"])
    return redirect("documents:document_list")
