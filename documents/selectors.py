"""Reads, always scoped to the requesting user: another user's object is a 404 here,
so no view can forget the check."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

import redis
import waffle
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.options import Options
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from documents import relay
from documents.models import ApiToken, Document, Outline, OutlineTask, OutlineVersion
from documents.outline_markdown import attach_source_indexes, locate_section, merge_outlines, parse_sections
from documents.outline_points import is_extracted_line
from documents.validation import warning_message
from ops import shared_db


def document_list(*, user: AbstractBaseUser) -> QuerySet[Document]:
    # The list never shows section sources, the largest field of a row.
    return Document.objects.filter(owner=user).defer("section_sources").order_by("-created_at", "-id")


def document_duplicate_of(*, document: Document) -> Document | None:
    """The user's earlier document with the very same file, if any (a second upload of one file
    is said to be one, with a link to the first: it was a silent duplicate)."""
    earlier = Document.objects.filter(owner_id=document.owner_id, sha256=document.sha256).exclude(
        pk=document.pk
    )
    return earlier.filter(created_at__lte=document.created_at).order_by("created_at", "id").first()


def document_get(*, user: AbstractBaseUser, document_id: int) -> Document:
    return get_object_or_404(Document, owner=user, pk=document_id)


def api_token_user(*, token: str) -> ApiToken | None:
    tokens = ApiToken.objects.select_related("user")
    return tokens.filter(key_hash=ApiToken.hash_key(token), user__is_active=True).first()


class StreamAccess(NamedTuple):
    """Whose bearer token opens a task's stream, and that task as the stream needs it."""

    user_id: int
    token_id: int
    token_stale: bool  # its "last used" is older than TOKEN_TOUCH_SECONDS (or never set)
    task_status: str | None  # None: the user has no such task


def stream_access(*, token: str, task_id: int, used_since: datetime) -> StreamAccess | None:
    """The bearer token's active user and that user's task `task_id`, in one query: the same check
    as api_token_user, then outline_task_get (another user's task is None here, a 404). None: no
    such token, a revoked one, or an inactive user's (a 401).

    For the SSE endpoint's connect, thousands at once after a deploy or a network blip on one
    gevent worker: the two ORM queries were 40 % of the worker's time in that storm, mostly
    building their SQL (bench/capacity.py, py-spy), so this SQL is built once per database, and
    it runs on the process's shared connection (ops/shared_db.py), not a new one per request."""
    key_hash = ApiToken.hash_key(token)
    row = shared_db.fetch_one(
        lambda db: (
            _stream_access_sql(db),
            [db.ops.adapt_datetimefield_value(used_since), task_id, key_hash, True],
        )
    )
    if row is None:
        return None
    user_id, token_id, stale, status = row
    return StreamAccess(user_id=user_id, token_id=token_id, token_stale=bool(stale), task_status=status)


_SQL: dict[tuple[str, str], str] = {}  # (query, database vendor): the SQL of the raw reads here


def _stream_access_sql(db: BaseDatabaseWrapper) -> str:
    if (sql := _SQL.get(("stream_access", db.vendor))) is None:
        sql = _SQL["stream_access", db.vendor] = _build_stream_access_sql(db.ops.quote_name)
    return sql


def _task_status_sql(db: BaseDatabaseWrapper) -> str:
    if (sql := _SQL.get(("task_status", db.vendor))) is None:
        q, task = db.ops.quote_name, OutlineTask._meta
        sql = _SQL["task_status", db.vendor] = (
            f"SELECT {q(task.get_field('status').column)} FROM {q(task.db_table)}"
            f" WHERE {q(task.pk.column)} = %s"
        )
    return sql


def _build_stream_access_sql(q: Callable[[str], str]) -> str:
    # The names from the models (and the user model in use), quoted as this database quotes them.
    token, task = ApiToken._meta, OutlineTask._meta
    user = token.get_field("user").related_model._meta

    def column(meta: Options, name: str) -> str:
        return q(meta.get_field(name).column)

    return (
        f"SELECT k.{column(token, 'user')}, k.{column(token, 'id')},"
        f" (k.{column(token, 'last_used_at')} IS NULL OR k.{column(token, 'last_used_at')} <= %s),"
        f" t.{column(task, 'status')}"
        f" FROM {q(token.db_table)} k"
        f" INNER JOIN {q(user.db_table)} u ON u.{q(user.pk.column)} = k.{column(token, 'user')}"
        f" LEFT OUTER JOIN {q(task.db_table)} t"
        f" ON t.{column(task, 'id')} = %s AND t.{column(task, 'owner')} = k.{column(token, 'user')}"
        f" WHERE k.{column(token, 'key_hash')} = %s AND u.{q(user.get_field('is_active').column)} = %s"
    )


def api_token_list(*, user: AbstractBaseUser) -> list[ApiToken]:
    """The user's tokens, newest first (never their secrets: only a hash and a prefix are kept)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def document_section_tree(*, document: Document) -> list[dict]:
    """Nest the flat section list by level: [{"section": {...}, "children": [...]}, ...].

    A section whose level jumps more than one step deeper still nests under the nearest
    shallower section, so no heading is ever dropped.
    """
    root: list[dict] = []
    stack: list[tuple[int, list[dict]]] = [(0, root)]
    for section in document.sections:
        level = max(int(section.get("level", 1)), 1)
        while stack[-1][0] >= level:
            stack.pop()
        node = {"section": section, "children": []}
        stack[-1][1].append(node)
        stack.append((level, node["children"]))
    return root


def document_warnings(*, document: Document) -> list[dict[str, str]]:
    """The repairs made to open the document's file, each {"code", "part", "message"}: stored as
    codes, worded here in the reader's language (the page and the API say the same)."""
    shown = []
    for warning in document.warnings or []:
        code, part = str(warning.get("code", "")), str(warning.get("part", ""))
        shown.append({"code": code, "part": part, "message": warning_message(code, part)})
    return shown


def outline_task_get(*, user: AbstractBaseUser, task_id: int) -> OutlineTask:
    return get_object_or_404(OutlineTask.objects.select_related("document"), owner=user, pk=task_id)


def outline_task_status(*, user: AbstractBaseUser, task_id: int) -> str:
    """The user's task's status, and nothing else of it (the SSE endpoint); Http404 if none."""
    status = OutlineTask.objects.filter(owner=user, pk=task_id).values_list("status", flat=True).first()
    if status is None:
        raise Http404
    return status


def outline_task_list(*, user: AbstractBaseUser, document: Document | None = None) -> QuerySet[OutlineTask]:
    tasks = OutlineTask.objects.filter(owner=user).select_related("document")
    return tasks.filter(document=document) if document is not None else tasks


def outline_task_running(*, document: Document) -> OutlineTask | None:
    """The document's newest whole-document outline task that is queued or running, if any (the
    page then offers it instead of a second "Generate outline")."""
    return (
        OutlineTask.objects.filter(
            document=document, section_index__isnull=True, status__in=OutlineTask.ACTIVE
        )
        .order_by("-created_at", "-id")
        .first()
    )


def section_now(*, task: OutlineTask, outline: Outline) -> int | None:
    """Where the section `task` regenerates is in the outline now (None: removed or renamed)."""
    if task.section_version is None or task.section_version == outline.version:
        return task.section_index
    then = OutlineVersion.objects.filter(outline=outline, number=task.section_version).first()
    return locate_section(then.markdown, task.section_index, outline.markdown) if then else None


def outline_section_text(*, outline: Outline, index: int | None) -> str:
    """Section `index`'s text in the outline now ("" when there is no such section)."""
    _title, sections = parse_sections(outline.markdown)
    return sections[index]["text"] if index is not None and 0 <= index < len(sections) else ""


def outline_open_section_tasks(*, outline: Outline) -> dict[int, OutlineTask]:
    """Section regenerations the user has not settled, by where their section is now: running, or
    finished and waiting for Keep or Discard (the page shows them in place of the section's body).
    The newest per section; one whose section is gone is left out."""
    tasks = OutlineTask.objects.filter(
        document_id=outline.document_id, section_index__isnull=False, decision=OutlineTask.Decision.UNDECIDED
    ).order_by("-created_at", "-id")[:50]  # a page shows a few; a bound keeps the read small
    open_tasks: dict[int, OutlineTask] = {}
    for task in tasks:
        index = section_now(task=task, outline=outline)
        if index is not None and index not in open_tasks:
            open_tasks[index] = task
    return open_tasks


# When no outline has finished yet to learn from: about a minute (the bundled model, a short document).
TYPICAL_OUTLINE_SECONDS = 60.0


def outline_task_queue(*, task: OutlineTask) -> dict | None:
    """A queued task's place in line and about how long until it starts; None once it has.

    `position` counts the whole outlines queued before it (everyone's: the workers serve them in
    order) plus one. `wait_seconds` is the tasks running and ahead, in rounds of
    OUTLINE_WORKER_SLOTS, each the median of the last 20 outlines' durations, and at least one
    round while the owner's own outlines hold all of their MAX_RUNNING_TASKS_PER_USER: an
    estimate, and shown as one."""
    if task.status != OutlineTask.Status.QUEUED:
        return None
    whole = OutlineTask.objects.filter(section_index__isnull=True)
    ahead = whole.filter(status=OutlineTask.Status.QUEUED, created_at__lt=task.created_at).count()
    running = whole.filter(status__in=[OutlineTask.Status.PREPARING, OutlineTask.Status.RUNNING]).count()
    durations = sorted(
        ms
        for ms in whole.filter(status=OutlineTask.Status.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("metrics__duration_ms", flat=True)[:20]
        if isinstance(ms, int | float)
    )
    typical = durations[len(durations) // 2] / 1000 if durations else TYPICAL_OUTLINE_SECONDS
    slots = max(1, settings.OUTLINE_WORKER_SLOTS)
    rounds = (ahead + running) // slots  # full rounds before a slot is free for this one
    own = whole.filter(
        owner_id=task.owner_id, status__in=[OutlineTask.Status.PREPARING, OutlineTask.Status.RUNNING]
    )
    if own.count() >= settings.MAX_RUNNING_TASKS_PER_USER:
        rounds = max(rounds, 1)  # it waits for the owner's running one, however free the workers are
    return {"position": ahead + 1, "wait_seconds": round(rounds * typical)}


def outline_task_activity(*, user: AbstractBaseUser, limit: int = 100) -> list[OutlineTask]:
    """The user's tasks across documents: active ones first, then newest first."""
    tasks = outline_task_list(user=user).order_by("-created_at", "-id")[:limit]
    return sorted(tasks, key=lambda t: t.is_terminal)  # stable: keeps newest-first within each group


def outline_task_latest(*, user: AbstractBaseUser, document: Document) -> OutlineTask | None:
    """The newest whole-outline task (one-section regenerations show inside the outline panel)."""
    return outline_task_list(user=user, document=document).filter(section_index__isnull=True).first()


def outline_task_saved_events(*, task_id: int) -> list[relay.Event] | None:
    """The finished task's events rebuilt from the database; None while it is still going.

    Idle streams ask this of their task every few seconds (one answer shared by the task's readers
    in a process): the status comes first, on the process's shared connection (ops/shared_db.py),
    so a running task's answer opens no connection; 10,000 idle streams over 1,000 tasks asked
    200 times a second, each on a new one."""
    row = shared_db.fetch_one(lambda db: (_task_status_sql(db), [task_id]))
    if row is None or row[0] not in OutlineTask.TERMINAL:
        return None
    task = OutlineTask.objects.filter(pk=task_id).first()
    if task is None or not task.is_terminal:
        return None
    return relay.saved_events(
        result=task.result,
        chunk_index=task.chunk_index,
        status=task.status,
        error_code=task.error_code,
        error_message=task.error_message,
        last_seq=task.last_seq,
    )


STREAMING_FLAG = "streaming"


def streaming_enabled(*, request: HttpRequest) -> bool:
    """Whether this request's user gets live streams in task cards (else HTMX polling); the
    `streaming` flag, edited in the admin, globally or per user."""
    return bool(waffle.flag_is_active(request, STREAMING_FLAG))


def outline_task_text(*, task: OutlineTask) -> str:
    """The outline as far as it has got: the saved result once finished, else the live stream."""
    if task.is_terminal:
        return task.result
    try:
        live = relay.live_text(task.pk)
    except redis.RedisError:
        logging.getLogger(__name__).warning("live text of task=%s unavailable", task.pk, exc_info=True)
        live = ""
    return live if len(live) >= len(task.result) else task.result


def outline_get(*, user: AbstractBaseUser, document_id: int) -> Outline:
    """The document's outline; 404 for someone else's document or when it has none yet."""
    # document__pk, not document_id: a lookup on the primary key turns an id beyond the
    # database's integer range into "no match"; one on the foreign key column raises
    # OverflowError (a 500) on SQLite.
    return get_object_or_404(
        Outline.objects.select_related("document"), document__owner=user, document__pk=document_id
    )


def outline_sections(*, outline: Outline) -> list[dict]:
    """The outline's sections with the source_index of the document paragraph each came from."""
    _, sections = parse_sections(outline.markdown)
    attach_source_indexes(sections, outline.document.sections)
    # After a re-upload, mark what changed so those sections are offered for regeneration.
    changes = {
        d["title"]: d["status"] for d in outline.document.revision_diff if d["status"] in {"added", "changed"}
    }
    for section in sections:
        section["revision_status"] = changes.get(section["title"], "")
        section["extracted_points"] = sum(
            1 for line in section["text"].splitlines() if is_extracted_line(line)
        )
    return sections


def outline_version_text(*, outline: Outline, number: int) -> str | None:
    """The text of version `number` of the outline (None if there is no such version)."""
    return (
        OutlineVersion.objects.filter(outline=outline, number=number)
        .values_list("markdown", flat=True)
        .first()
    )


def outline_merge(*, outline: Outline, base_version: int, markdown: str) -> dict | None:
    """An edit made on `base_version`, merged with the versions saved since (the current one):
    see outline_markdown.merge_outlines. None when the base version is unknown."""
    base = outline_version_text(outline=outline, number=base_version)
    if base is None:
        return None
    return merge_outlines(base, markdown, outline.markdown)


def outline_versions(*, outline: Outline) -> QuerySet[OutlineVersion]:
    return outline.versions.select_related("author").order_by("-number")


def document_source(*, document: Document, source_index: int) -> dict:
    """The source text of the section whose heading is paragraph `source_index`: that heading
    and the paragraphs up to the next section's heading.

    Read from the sources stored at extraction, never from the file: the pane opens on every
    click, and parsing a large .docx is slow.
    """
    if not any(s.get("source_index") == source_index for s in document.sections):
        raise Http404("No section starts at that paragraph.")
    source = next((s for s in document.section_sources if s.get("source_index") == source_index), None)
    if source is None:
        # Only a row whose file could not be read when migration 0008 added the sources.
        raise Http404("The source of this section is not available.")
    return {"index": source_index, "heading": source["heading"], "paragraphs": list(source["paragraphs"])}


def outline_of_task(*, task: OutlineTask) -> Outline | None:
    """The document's outline when `task` is a finished whole-document task whose result it was
    made from (the first result becomes version 1), else None."""
    if task.status != OutlineTask.Status.SUCCEEDED or task.section_index is not None:
        return None
    return Outline.objects.filter(document_id=task.document_id, source_task=task).first()
