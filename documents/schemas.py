"""API shapes (v1). Other clients rely on these names: extend, never rename."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from documents.errors import error_message
from documents.selectors import document_warnings


class ErrorDetail(Schema):
    code: str
    message: str
    current_version: int | None = None  # with version_conflict


class ErrorOut(Schema):
    error: ErrorDetail


class SectionOut(Schema):
    level: int
    title: str
    paragraphs: int
    chars: int
    words: int = 0
    excerpt: str = ""
    source_index: int
    in_table: bool = False  # the heading stands in a table cell (Word lists those too)


class CountsOut(Schema):
    paragraphs: int = 0
    tables: int = 0
    images: int = 0
    footnotes: int = 0
    comments: int = 0
    sections: int = 0
    words: int = 0
    chars: int = 0


class WarningOut(Schema):
    """A repair made so a damaged file opens (a part dropped); `message` is in the caller's
    language. Codes: metadata_unreadable, part_unreadable, missing_part, more_warnings."""

    code: str
    part: str
    message: str


class DocumentOut(Schema):
    id: int
    filename: str
    title: str
    size_bytes: int
    created_at: datetime
    language: str | None = None
    heuristic: bool = False
    counts: CountsOut
    sections: list[SectionOut]
    stripped_relationships: list[str]
    warnings: list[WarningOut]
    # In the answer to an upload: the id of the user's earlier document with this very file.
    duplicate_of: int | None = None

    @staticmethod
    def resolve_duplicate_of(obj) -> int | None:  # noqa: ANN001
        earlier = getattr(obj, "duplicate_of", None)
        return earlier.pk if earlier is not None else None

    @staticmethod
    def resolve_filename(obj) -> str:  # noqa: ANN001
        return obj.original_filename

    @staticmethod
    def resolve_language(obj) -> str | None:  # noqa: ANN001
        return obj.structure.get("language")

    @staticmethod
    def resolve_heuristic(obj) -> bool:  # noqa: ANN001
        return bool(obj.structure.get("heuristic"))

    @staticmethod
    def resolve_counts(obj) -> dict:  # noqa: ANN001
        return obj.structure.get("counts", {})

    @staticmethod
    def resolve_sections(obj) -> list[dict]:  # noqa: ANN001
        return obj.sections

    @staticmethod
    def resolve_warnings(obj) -> list[dict]:  # noqa: ANN001
        return document_warnings(document=obj)


class ResultsPagination(LimitOffsetPagination):
    """A list page: `?limit=` (default 50, at most 200) and `?offset=` give
    `{"results": [...], "count": <all of them>}`; `results` is the key lists have always had."""

    items_attribute = "results"

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0)

    class Output(Schema):
        results: list[Any]
        count: int


class TaskCreatedOut(Schema):
    id: int
    status: str
    url: str
    stream_url: str


class ProgressOut(Schema):
    done: int
    total: int


class MetricsOut(Schema):
    queue_wait_ms: int | None = None
    first_chunk_ms: int | None = None
    duration_ms: int | None = None
    chunks: int | None = None
    characters: int | None = None
    tokens: int | None = None
    tokens_per_second: float | None = None
    worker: str | None = None
    cpu_ms: int | None = None


class TaskOut(Schema):
    id: int
    document: int
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: str
    error: ErrorDetail | None
    progress: ProgressOut
    metrics: MetricsOut
    continued_from: int | None
    can_cancel: bool
    can_continue: bool
    # A one-section regeneration: the section's index when it started (null for a whole outline),
    # and what the user did with its text: "" (not yet), "kept" or "discarded".
    section_index: int | None
    decision: str

    @staticmethod
    def resolve_continued_from(obj) -> int | None:  # noqa: ANN001
        return obj.continued_from_id

    @staticmethod
    def resolve_document(obj) -> int:  # noqa: ANN001
        return obj.document_id

    @staticmethod
    def resolve_error(obj) -> dict | None:  # noqa: ANN001
        # Stored as a code; the message is in the caller's language (Accept-Language).
        return {"code": obj.error_code, "message": error_message(obj.error_code)} if obj.error_code else None

    @staticmethod
    def resolve_progress(obj) -> dict:  # noqa: ANN001
        return {"done": obj.progress_done, "total": obj.progress_total}


class TaskListOut(Schema):
    results: list[TaskOut]


class OutlineSectionOut(Schema):
    level: int
    title: str
    text: str
    source_index: int | None
    # Bullet points taken from the document's own text because the model's failed a quality gate
    # (written "- _…_" in the Markdown).
    extracted_points: int = 0


class OutlineOut(Schema):
    version: int
    markdown: str
    sections: list[OutlineSectionOut]
    updated_at: datetime
    source_task: int | None


class OutlineIn(Schema):
    version: int
    markdown: str = Field(max_length=settings.MAX_OUTLINE_CHARS)


class VersionRef(Schema):
    version: int


class OutlineVersionOut(Schema):
    version: int
    created_at: datetime
    author: str | None
    note: str

    @staticmethod
    def resolve_version(obj) -> int:  # noqa: ANN001
        return obj.number

    @staticmethod
    def resolve_author(obj) -> str | None:  # noqa: ANN001
        return obj.author.get_username() if obj.author else None


class OutlineVersionListOut(Schema):
    results: list[OutlineVersionOut]


class SectionChangeOut(Schema):
    title: str
    level: int
    status: str  # added | removed | changed | unchanged


class RevisionOut(Schema):
    revision: int
    diff: list[SectionChangeOut]
    document: DocumentOut


# ------------------------------------------------------------------ the SSE endpoint's documentation
# GET /tasks/{task_id}/stream is a plain Django view (views/stream.py, so the API module need not
# import the relay), which ninja cannot see; the API's OpenAPI document still describes it as one
# of its operations (views/api.py adds this), so clients and the fuzz test know what it answers.
TASK_STREAM_PATH = "tasks/{task_id}/stream"  # under the API's root, as documents/stream_urls.py serves it


def task_stream_operation(*, security: list[dict[str, list[str]]]) -> dict[str, Any]:
    """The OpenAPI operation object of the SSE endpoint, as ninja wrote it when the endpoint was
    one of its operations (the same operationId, so generated clients keep their method name)."""
    error_body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}}}
    errors = {
        str(status): {"description": HTTPStatus(status).phrase, "content": error_body}
        for status in (400, 401, 404)
    }
    task_id = {"title": "Task Id", "type": "integer"}
    return {
        "operationId": "documents_views_stream_task_stream",
        "summary": "Stream a task's outline (Server-Sent Events)",
        "parameters": [{"in": "path", "name": "task_id", "schema": task_id, "required": True}],
        "responses": {"200": {"description": "text/event-stream; see docs/api.md"}, **errors},
        "description": (
            "`id: <seq>` / `event: chunk|status|progress|error|done` / `data: <JSON>` frames; send\n"
            "`Last-Event-ID` (or `?last_event_id=`) to resume exactly after that event."
        ),
        "tags": ["tasks"],
        "security": security,
    }
