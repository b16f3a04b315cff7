"""Actions that change state. Each docstring says what the action guarantees."""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from datetime import timedelta
from pathlib import PurePath

import redis
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import runner, states
from documents.errors import error_message
from documents.llm import Provider
from documents.models import ApiToken, Document, Outline, OutlineTask, OutlineVersion
from documents.outline_markdown import diff_structures, rebase_outline, sanitize_markdown
from documents.streaming import StreamWriter, cancel_key, redis_client
from documents.structure import structure_extract
from documents.validation import DocxRejected, ValidatedDocx, docx_validate, file_too_large
from project import logs

logger = logging.getLogger(__name__)


def display_filename(name: str) -> str:
    """The user's filename made safe to show: last path component, no control characters.

    It is never used on the filesystem; CJK and other scripts are kept as they are.
    """
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[:255] or "document.docx"


def _checked_upload(uploaded: UploadedFile) -> tuple[ValidatedDocx, dict, str]:
    """Validate and extract an upload: (validated bytes, structure, display name), or DocxRejected."""
    max_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024
    # Checked before reading so an oversize upload is never loaded into memory.
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise file_too_large(max_bytes)
    data = uploaded.read(max_bytes + 1)
    validated = docx_validate(
        data,
        max_bytes=max_bytes,
        max_uncompressed_bytes=settings.MAX_UNCOMPRESSED_MB * 1024 * 1024,
        max_ratio=settings.MAX_COMPRESSION_RATIO,
    )
    return validated, structure_extract(validated.data), display_filename(uploaded.name or "")


def document_create(*, owner: AbstractBaseUser, uploaded: UploadedFile) -> Document:
    """Validate, extract and store one upload.

    Guarantees: either a Document with its file and structure exists, or DocxRejected is
    raised and nothing was stored (no row, no file).
    """
    validated, structure, filename = _checked_upload(uploaded)
    document = Document(
        owner=owner,
        original_filename=filename,
        title=(structure.get("title") or PurePath(filename).stem or filename)[:500],
        size_bytes=len(validated.data),
        sha256=hashlib.sha256(validated.data).hexdigest(),
        structure=structure,
        stripped_relationships=validated.stripped_relationships,
    )
    document.file.save("upload.docx", ContentFile(validated.data), save=False)
    try:
        with transaction.atomic():
            document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    logger.info("document created id=%s owner=%s size=%s", document.pk, owner.pk, document.size_bytes)
    return document


def document_revise(*, document: Document, uploaded: UploadedFile, author: AbstractBaseUser) -> list[dict]:
    """Replace the document with a revised .docx and return how its sections changed.

    The kept outline is re-shaped to the new tree as a new version: the user's text stays on
    every section that is still there; added sections come in empty, ready to generate.
    Nothing changes if the upload is rejected.
    """
    validated, structure, filename = _checked_upload(uploaded)
    diff = diff_structures(document.sections, structure.get("sections", []))
    old_file = document.file.name
    document.file.save("upload.docx", ContentFile(validated.data), save=False)
    document.original_filename = filename
    document.size_bytes = len(validated.data)
    document.sha256 = hashlib.sha256(validated.data).hexdigest()
    document.structure = structure
    document.stripped_relationships = validated.stripped_relationships
    document.revision += 1
    document.revision_diff = diff
    storage = document.file.storage
    with transaction.atomic():
        document.save()
        outline = Outline.objects.filter(document=document).first()
        if outline is not None:
            counts = {k: sum(1 for d in diff if d["status"] == k) for k in ("added", "removed", "changed")}
            note = OutlineVersion.note_for("revised", n=document.revision, **counts)
            rebased = rebase_outline(outline.markdown, diff)
            outline_save(
                outline=outline, base_version=outline.version, markdown=rebased, author=author, note=note
            )
        transaction.on_commit(lambda: storage.delete(old_file))
    logger.info("document revised id=%s revision=%s", document.pk, document.revision)
    return diff


def document_delete(*, document: Document) -> None:
    """Delete the row and, once the transaction commits, its stored file."""
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))


def document_reextract(*, document: Document) -> Document:
    """Extract the structure again from the stored file and save it (nothing else changes)."""
    with document.file.open("rb") as fh:
        document.structure = structure_extract(fh.read())
    document.save(update_fields=["structure"])
    return document


class TaskRejected(Exception):
    """An outline action that cannot be done now; carries the API status and error code."""

    def __init__(
        self, code: str, status_code: int, *, retry_after: int | None = None, message: str = ""
    ) -> None:
        super().__init__(code)
        self.code = code
        self.status_code = status_code
        self.retry_after = retry_after
        self.message = message or error_message(code)


def _check_limits(owner: AbstractBaseUser) -> None:
    active = OutlineTask.objects.filter(owner=owner, status__in=OutlineTask.ACTIVE).count()
    if active >= settings.MAX_ACTIVE_TASKS_PER_USER:
        raise TaskRejected("too_many_tasks", 429)
    if OutlineTask.objects.filter(status=OutlineTask.Status.QUEUED).count() >= settings.MAX_QUEUED_TASKS:
        raise TaskRejected("queue_full", 503, retry_after=settings.QUEUE_FULL_RETRY_AFTER_SECONDS)


def _enqueue(task: OutlineTask) -> OutlineTask:
    from documents import tasks  # tasks imports services

    # A new task has no stream yet; anything under its key is left over from another database
    # (ids restart when a development database is recreated). Cleared before any client can
    # learn the id, so nobody replays a stranger's output.
    StreamWriter(task.pk).reset()
    # The rest of this request's log lines, and the worker's (via the Celery message), say which task.
    logs.bind(task_id=task.pk, user_id=task.owner_id)
    transaction.on_commit(lambda: tasks.outline_generate.delay(task.pk))
    return task


def outline_start(*, document: Document) -> OutlineTask:
    """Queue an outline task for the document.

    Refuses (TaskRejected) past MAX_ACTIVE_TASKS_PER_USER active tasks (429) or when the global
    queue is full (503). The worker is told only after the row is committed.
    """
    _check_limits(document.owner)
    task = OutlineTask.objects.create(owner=document.owner, document=document, heartbeat_at=timezone.now())
    _enqueue(task)
    logger.info("outline queued task=%s document=%s", task.pk, document.pk)
    return task


def outline_section_regenerate(*, outline: Outline, index: int) -> OutlineTask:
    """Queue a task that streams a new summary for section `index` of the kept outline; when it
    succeeds, the section's text is replaced in a new outline version."""
    from documents.outline_markdown import parse_sections

    _title, sections = parse_sections(outline.markdown)
    if not 0 <= index < len(sections):
        raise TaskRejected("invalid_input", 400, message=_("That section is not in the outline any more."))
    _check_limits(outline.document.owner)
    task = OutlineTask.objects.create(
        owner=outline.document.owner,
        document=outline.document,
        section_index=index,
        heartbeat_at=timezone.now(),
    )
    _enqueue(task)
    logger.info(
        "section regenerate queued task=%s document=%s section=%s", task.pk, outline.document_id, index
    )
    return task


def outline_continue(*, task: OutlineTask) -> OutlineTask:
    """Queue a new task that keeps `task`'s finished sections and regenerates from the one it
    was writing when it stopped. Only for cancelled or (continuable) failed tasks."""
    if not task.can_continue:
        raise TaskRejected(
            "not_continuable", 409, message=_("Only a cancelled or failed outline can be continued.")
        )
    _check_limits(task.owner)
    new = OutlineTask.objects.create(
        owner=task.owner, document=task.document, continued_from=task, start_section=task.progress_done,
        section_index=task.section_index, heartbeat_at=timezone.now(),
    )  # fmt: skip
    _enqueue(new)
    logger.info("outline continued task=%s from=%s section=%s", new.pk, task.pk, new.start_section)
    return new


def outline_cancel(*, task: OutlineTask) -> OutlineTask:
    """Cancel from anywhere; idempotent.

    A queued task is cancelled at once (it will never start). A running one is flagged; its
    worker sees the flag within about 0.1 s, closes the model stream, saves the partial output
    and publishes `status: cancelled` and the terminal event. A task that already succeeded or
    failed is refused (TaskRejected 409) with a message that says so.
    """
    logs.bind(task_id=task.pk)
    if task.status == OutlineTask.Status.CANCELLED:
        return task
    if task.is_terminal:
        raise TaskRejected(
            "task_finished", 409,
            message=_("This outline already finished (%(status)s); there is nothing to cancel.")
            % {"status": task.get_status_display().lower()},
        )  # fmt: skip
    OutlineTask.objects.filter(pk=task.pk, cancel_requested_at__isnull=True).update(
        cancel_requested_at=timezone.now()
    )
    try:
        redis_client().set(cancel_key(task.pk), "1", ex=settings.STREAM_IDLE_TTL_SECONDS)
    except redis.RedisError:  # the worker falls back to the database flag
        logger.warning("cancel flag of task=%s not set in Redis", task.pk, exc_info=True)
    if states.transition(task.pk, OutlineTask.Status.CANCELLED, only_from={OutlineTask.Status.QUEUED}):
        _publish_end(task.pk, OutlineTask.Status.CANCELLED)
    logger.info("outline cancel requested task=%s", task.pk)
    task.refresh_from_db()
    return task


def _publish_end(task_id: int, status: str) -> None:
    """Mirror a terminal state decided outside the worker into the task's stream."""
    try:
        writer = StreamWriter.resume(task_id)
        OutlineTask.objects.filter(pk=task_id).update(last_seq=writer.seq + 2)
        writer.emit("status", status=status)
        writer.emit("done", status=status)
    except redis.RedisError:
        logger.warning("task=%s: end not published; the SSE view serves it from the database", task_id)


def outline_generate(*, task_id: int, provider: Provider | None = None) -> None:
    """Run the analyzer step for a queued task, relaying every event to its Redis stream.

    Guarantees: a task that is not queued is left alone (a redelivered message does nothing
    twice); the final Markdown, status, error and metrics are saved in the database before the
    terminal event is published, whether or not anyone is watching; exceptions are logged with
    the task id; a cancel stops the model within about 0.1 s and keeps the partial output.
    """
    runner.run(task_id, provider=provider)


def outline_reap() -> dict[str, int]:
    """Fail tasks whose worker stopped stamping its heartbeat (killed, OOM) and re-send tasks
    that have waited in the queue too long (their message may have been lost with Redis)."""
    now = timezone.now()
    lost_before = now - timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS)
    stale = OutlineTask.objects.filter(
        status__in=[OutlineTask.Status.PREPARING, OutlineTask.Status.RUNNING], heartbeat_at__lt=lost_before
    )
    failed = 0
    for task in stale:
        with logs.bound(task_id=task.pk, user_id=task.owner_id):
            failed += runner.fail_lost(task)
    resend_before = now - timedelta(seconds=settings.QUEUED_REDELIVER_AFTER_SECONDS)
    waiting = list(
        OutlineTask.objects.filter(status=OutlineTask.Status.QUEUED, heartbeat_at__lt=resend_before)
    )
    if waiting:
        from documents import tasks

        for task in waiting:
            OutlineTask.objects.filter(pk=task.pk).update(heartbeat_at=now)
            with logs.bound(task_id=task.pk, user_id=task.owner_id):
                tasks.outline_generate.delay(task.pk)  # a duplicate is harmless: the claim is atomic
        logger.warning("re-sent %s queued outline tasks", len(waiting))
    return {"failed": failed, "resent": len(waiting)}


class VersionConflict(Exception):
    """A save based on an outline version that is no longer the current one."""

    def __init__(self, current_version: int) -> None:
        super().__init__(current_version)
        self.current_version = current_version
        self.message = _(
            "This outline was changed elsewhere (now version %(version)s). Reload it, or merge your edits."
        ) % {"version": current_version}


def outline_adopt(
    *, task: OutlineTask, author: AbstractBaseUser | None = None, only_if_first: bool = False
) -> Outline | None:
    """Make a succeeded task's result the document's outline.

    The first result becomes version 1 automatically (only_if_first=True, called by the worker);
    a later one only when the user chooses to keep it, as a new version, so edits are never
    silently replaced. Returns None when nothing was adopted.
    """
    if task.status != OutlineTask.Status.SUCCEEDED or task.section_index is not None:
        return None  # a one-section task's text goes into its section, not over the outline
    markdown = sanitize_markdown(task.result)
    note = OutlineVersion.note_for("generated", id=task.pk)
    with transaction.atomic():
        outline, created = Outline.objects.select_for_update().get_or_create(
            document=task.document, defaults={"markdown": markdown, "source_task": task}
        )
        if created:
            OutlineVersion.objects.create(
                outline=outline, number=1, markdown=markdown, author=author, note=note
            )
            logger.info("outline of document=%s saved as version 1 from task=%s", task.document_id, task.pk)
            return outline
    if only_if_first:
        return None
    return outline_save(
        outline=outline, base_version=outline.version, markdown=markdown, author=author, note=note
    )


def outline_save(
    *, outline: Outline, base_version: int, markdown: str, author: AbstractBaseUser | None, note: str = ""
) -> Outline:
    """Save an edit as a new version, if `base_version` is still current (else VersionConflict).

    The Markdown is sanitized first: no raw HTML, links only http/https/mailto.
    """
    markdown = sanitize_markdown(markdown)
    with transaction.atomic():
        won = Outline.objects.filter(pk=outline.pk, version=base_version).update(
            version=F("version") + 1, markdown=markdown, updated_at=timezone.now()
        )
        if not won:
            raise VersionConflict(Outline.objects.values_list("version", flat=True).get(pk=outline.pk))
        OutlineVersion.objects.create(
            outline=outline,
            number=base_version + 1,
            markdown=markdown,
            author=author,
            note=note or OutlineVersion.note_for("edited"),
        )
    outline.refresh_from_db()
    return outline


def outline_restore(
    *, outline: Outline, number: int, base_version: int, author: AbstractBaseUser | None
) -> Outline:
    """Make an old version current again, as a new version (history is never rewritten)."""
    old = get_object_or_404(OutlineVersion, outline=outline, number=number)
    note = OutlineVersion.note_for("restored", number=number)
    return outline_save(
        outline=outline, base_version=base_version, markdown=old.markdown, author=author, note=note
    )


def api_token_create(*, user: AbstractBaseUser) -> str:
    """Create a bearer token and return it; only its hash is kept, so it is shown once."""
    token = f"otl_{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(user=user, key_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:12])
    return token


# "Last used" is shown to the minute; writing it on every request made each stream open (thousands
# at once under gevent, bench/capacity.py) an UPDATE.
TOKEN_TOUCH_SECONDS = 60


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= TOKEN_TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


__all__ = [
    "DocxRejected",
    "api_token_create",
    "display_filename",
    "document_create",
    "document_delete",
    "document_reextract",
    "document_revise",
    "outline_adopt",
    "outline_cancel",
    "outline_continue",
    "outline_generate",
    "outline_reap",
    "outline_restore",
    "outline_save",
    "outline_section_regenerate",
    "outline_start",
]
