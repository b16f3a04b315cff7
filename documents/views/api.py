"""JSON API v1 (django-ninja: typed schemas and the OpenAPI document come from one place)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from ninja.openapi.schema import OpenAPISchema
from ninja.pagination import paginate
from ninja.utils import normalize_path

from documents import selectors, services
from documents.auth import api_auth
from documents.export import outline_docx
from documents.schemas import (
    TASK_STREAM_PATH,
    DocumentOut,
    ErrorOut,
    OutlineIn,
    OutlineOut,
    OutlineVersionListOut,
    ResultsPagination,
    RevisionOut,
    TaskCreatedOut,
    TaskListOut,
    TaskOut,
    VersionRef,
    task_stream_operation,
)
from documents.validation import DocxRejected
from documents.views import api_errors
from ops import ratelimits


class OutlinerAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """ninja's document of its operations, plus the SSE endpoint, which a plain Django view
        serves in this API's URL namespace (documents/stream_urls.py): clients see one API."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        # The view authenticates with api_auth, so its security is what ninja derives from it.
        security = [{type(auth).__name__: []} for auth in api_auth]
        path = normalize_path(f"/{path_prefix}{TASK_STREAM_PATH}")
        schema["paths"][path] = {"get": task_stream_operation(security=security)}
        return schema


# The account page that creates tokens (reverse() cannot run while the URLconf imports this module;
# test_api_tokens.py checks that it is the route's path).
TOKENS_PATH = "/accounts/api-tokens/"

api = OutlinerAPI(
    title="Outliner API",
    version="1",
    description=(
        "Upload Word documents, read their structure, and stream AI outlines. See docs/api.md.\n\n"
        "Authenticate with `Authorization: Bearer <token>`: create a token on "
        f"[your API tokens page]({TOKENS_PATH})."
    ),
    auth=api_auth,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api_errors.error_response(status, code, message)


@api.exception_handler(DocxRejected)
def _docx_rejected(request: HttpRequest, exc: DocxRejected) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, exc.message)


@api.exception_handler(services.TaskRejected)
def _task_rejected(request: HttpRequest, exc: services.TaskRejected) -> HttpResponse:
    response = _error(request, exc.status_code, exc.code, exc.message)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(services.VersionConflict)
def _version_conflict(request: HttpRequest, exc: services.VersionConflict) -> HttpResponse:
    body = {
        "error": {
            "code": "version_conflict",
            "message": str(exc.message),
            "current_version": exc.current_version,
        }
    }
    return api.create_response(request, body, status=409)


@api.exception_handler(ratelimits.RateLimited)
def _rate_limited(request: HttpRequest, exc: ratelimits.RateLimited) -> HttpResponse:
    response = _error(request, 429, exc.code, exc.message)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api_errors.not_found()


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api_errors.unauthenticated()


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = ", ".join(".".join(str(p) for p in err.get("loc", [])[1:]) for err in exc.errors)
    return api_errors.invalid_request(fields)


@api.exception_handler(MultiPartParserError)
def _unreadable_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # Django's own 400 for a body it cannot parse (e.g. a part header over 1 KB, which a
    # 300-character CJK filename makes) is an HTML page; API clients get the JSON error.
    return _error(request, 400, "invalid_request", f"The multipart body could not be read: {exc}")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


# Rejected file (400, 413, 415), not logged in (401), uploading too fast (429).
_UPLOAD_ERRORS = {400: ErrorOut, 401: ErrorOut, 413: ErrorOut, 415: ErrorOut, 429: ErrorOut}


@api.post(
    "/documents",
    response={201: DocumentOut, **_UPLOAD_ERRORS},
    summary="Upload a .docx",
)
def document_create(request: HttpRequest, file: File[UploadedFile]):  # noqa: ANN201
    """Upload one Word (.docx) file as multipart field `file`; nothing is stored if it is rejected.
    429 with Retry-After when the user uploads faster than UPLOAD_RATE_PER_USER."""
    ratelimits.rate_limit_check(request, ratelimits.UPLOAD)
    document = services.document_create(owner=request.user, uploaded=file)
    document.duplicate_of = selectors.document_duplicate_of(document=document)
    return Status(201, document)


@api.post(
    "/documents/{document_id}/revisions",
    response={200: RevisionOut, 404: ErrorOut, **_UPLOAD_ERRORS},
    summary="Upload a revised .docx",
)
def document_revise(request: HttpRequest, document_id: int, file: File[UploadedFile]):  # noqa: ANN201
    """Replaces the document's file; returns how each section changed. The kept outline keeps the
    user's text for sections that are still there (a new version); changed and added sections
    are the ones to regenerate."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    ratelimits.rate_limit_check(request, ratelimits.UPLOAD)
    diff = services.document_revise(document=document, uploaded=file, author=request.user)
    return {"revision": document.revision, "diff": diff, "document": document}


@api.get(
    "/documents",
    response={200: list[DocumentOut], 400: ErrorOut, 401: ErrorOut},
    summary="List your documents",
)
@paginate(ResultsPagination, max_limit=200)
def document_list(request: HttpRequest):  # noqa: ANN201
    """Newest first, a page at a time: `?limit=` (50, at most 200) and `?offset=`; `count` is how
    many there are in all (100,000 headings made one unpaginated list 11 MB)."""
    return selectors.document_list(user=request.user)


@api.get("/documents/{document_id}", response={200: DocumentOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut})
def document_detail(request: HttpRequest, document_id: int):  # noqa: ANN201
    return selectors.document_get(user=request.user, document_id=document_id)


@api.delete("/documents/{document_id}", response={204: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut})
def document_delete(request: HttpRequest, document_id: int):  # noqa: ANN201
    document = selectors.document_get(user=request.user, document_id=document_id)
    services.document_delete(document=document)
    return Status(204, None)


def _task_created(request: HttpRequest, task) -> dict:  # noqa: ANN001
    return {
        "id": task.pk,
        "status": task.status,
        "url": request.build_absolute_uri(reverse("api-v1:task_detail", args=[task.pk])),
        "stream_url": request.build_absolute_uri(reverse("api-v1:task_stream", args=[task.pk])),
    }


@api.post(
    "/documents/{document_id}/tasks",
    response={
        200: TaskCreatedOut,
        202: TaskCreatedOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="Start generating an outline",
)
def task_create(request: HttpRequest, document_id: int):  # noqa: ANN201
    """202 with a new task; 200 with the one already queued or running for this document (one
    outline at a time per document: a second request does not start a second)."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    running = selectors.outline_task_running(document=document)
    if running is not None:
        return Status(200, _task_created(request, running))
    return Status(202, _task_created(request, services.outline_start(document=document)))


@api.get(
    "/documents/{document_id}/tasks", response={200: TaskListOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
)
def task_list(request: HttpRequest, document_id: int):  # noqa: ANN201
    document = selectors.document_get(user=request.user, document_id=document_id)
    return {"results": list(selectors.outline_task_list(user=request.user, document=document))}


@api.get(
    "/tasks/{task_id}",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    url_name="task_detail",
)
def task_detail(request: HttpRequest, task_id: int):  # noqa: ANN201
    return selectors.outline_task_get(user=request.user, task_id=task_id)


@api.post(
    "/tasks/{task_id}/cancel",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cancel a task (idempotent)",
)
def task_cancel(request: HttpRequest, task_id: int):  # noqa: ANN201
    """Queued: cancelled at once. Running: stops within about a second, keeping the partial
    output as `result`. Already cancelled: 200 again. Succeeded or failed: 409 `task_finished`."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    return services.outline_cancel(task=task)


@api.post(
    "/tasks/{task_id}/continue",
    response={
        202: TaskCreatedOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="Continue a cancelled or failed task in a new task",
)
def task_continue(request: HttpRequest, task_id: int):  # noqa: ANN201
    """Keeps the finished sections of the task's partial output and regenerates from the section
    it was writing; streamed like a new task."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    return Status(202, _task_created(request, services.outline_continue(task=task)))


@api.post(
    "/tasks/{task_id}/keep",
    response={200: OutlineOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Keep a task's result as the document's outline (a new version)",
)
def task_keep(request: HttpRequest, task_id: int):  # noqa: ANN201
    """A whole outline becomes the document's outline; a regenerated section's text goes into its
    section (it is not applied before: `409 section_gone` if the section was removed or renamed
    since, `409 discarded` after a discard). Either is a new version; keeping twice is a no-op."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    if task.section_index is not None:
        return _outline_out(services.section_keep(task=task, author=request.user))
    outline = services.outline_adopt(task=task, author=request.user)
    if outline is None:
        return Status(
            409, {"error": {"code": "not_succeeded", "message": _("Only a finished outline can be kept.")}}
        )
    return _outline_out(outline)


@api.post(
    "/tasks/{task_id}/discard",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Discard a regenerated section's text (the outline stays as it is)",
)
def task_discard(request: HttpRequest, task_id: int):  # noqa: ANN201
    """Only for a finished section task not kept yet (`409 kept` after a keep, `409 not_finished`
    before it finished); a whole-outline task is `404`."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    if task.section_index is None:
        raise Http404("Not a section task.")
    return services.section_discard(task=task)


def _outline_out(outline) -> dict:  # noqa: ANN001
    return {
        "version": outline.version,
        "markdown": outline.markdown,
        "sections": selectors.outline_sections(outline=outline),
        "updated_at": outline.updated_at,
        "source_task": outline.source_task_id,
    }


@api.get(
    "/documents/{document_id}/outline",
    response={200: OutlineOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
)
def outline_detail(request: HttpRequest, document_id: int):  # noqa: ANN201
    """The current outline: 404 until the document's first outline task succeeded."""
    return _outline_out(selectors.outline_get(user=request.user, document_id=document_id))


@api.put(
    "/documents/{document_id}/outline",
    response={200: OutlineOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def outline_update(request: HttpRequest, document_id: int, payload: OutlineIn):  # noqa: ANN201
    """Save an edit based on `version`; 409 `version_conflict` if someone saved since."""
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    saved = services.outline_save(
        outline=outline, base_version=payload.version, markdown=payload.markdown, author=request.user
    )
    return _outline_out(saved)


@api.get(
    "/documents/{document_id}/outline/versions",
    response={200: OutlineVersionListOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
)
def outline_versions(request: HttpRequest, document_id: int):  # noqa: ANN201
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    return {"results": list(selectors.outline_versions(outline=outline))}


@api.post(
    "/documents/{document_id}/outline/versions/{number}/restore",
    response={200: OutlineOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def outline_version_restore(request: HttpRequest, document_id: int, number: int, payload: VersionRef):  # noqa: ANN201
    """Make version `number` current again (as a new version), based on current `version`."""
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    restored = services.outline_restore(
        outline=outline, number=number, base_version=payload.version, author=request.user
    )
    return _outline_out(restored)


def _download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@api.get(
    "/documents/{document_id}/outline.md", response={200: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
)
def outline_export_markdown(request: HttpRequest, document_id: int) -> HttpResponse:
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    return _download(outline.markdown, f"{outline.document.title}.md", "text/markdown; charset=utf-8")


@api.get(
    "/documents/{document_id}/outline.docx", response={200: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
)
def outline_export_docx(request: HttpRequest, document_id: int) -> HttpResponse:
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    owner = request.user
    name = owner.get_full_name() or owner.get_username()
    data = outline_docx(outline.markdown, fallback_title=outline.document.title, author=name)
    return _download(
        data,
        f"{outline.document.title} outline.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
