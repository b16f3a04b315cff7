"""Actions that change state. Each docstring says what the action guarantees."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from documents.analyzer import DocxOutlineAnalyzerStep
from documents.llm import LLMConfig, Provider, get_provider
from documents.models import ApiToken, Document, OutlineTask
from documents.streaming import StreamWriter
from documents.structure import structure_extract
from documents.validation import DocxRejected, docx_validate, file_too_large

logger = logging.getLogger(__name__)


def display_filename(name: str) -> str:
    """The user's filename made safe to show: last path component, no control characters.

    It is never used on the filesystem; CJK and other scripts are kept as they are.
    """
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[:255] or "document.docx"


def document_create(*, owner: AbstractBaseUser, uploaded: UploadedFile) -> Document:
    """Validate, extract and store one upload.

    Guarantees: either a Document with its file and structure exists, or DocxRejected is
    raised and nothing was stored (no row, no file).
    """
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
    structure = structure_extract(validated.data)
    filename = display_filename(uploaded.name or "")
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


def outline_start(*, document: Document) -> OutlineTask:
    """Queue an outline task for the document. The worker is told only after the row is
    committed, so it can never look for a task that does not exist yet."""
    from documents import tasks  # tasks imports services

    task = OutlineTask.objects.create(owner=document.owner, document=document)
    # A new task has no stream yet; anything under its key is left over from another database
    # (ids restart when a development database is recreated). Cleared before any client can
    # learn the id, so nobody replays a stranger's output.
    StreamWriter(task.pk).reset()
    transaction.on_commit(lambda: tasks.outline_generate.delay(task.pk))
    logger.info("outline queued task=%s document=%s", task.pk, document.pk)
    return task


class _Progress:
    """What the worker has produced so far, saved to the row every few seconds and at the end."""

    def __init__(self, task: OutlineTask) -> None:
        self.task = task
        self.parts: list[str] = []
        self.chunk_index: list[list[int]] = []
        self.saved_at = time.monotonic()

    def add_chunk(self, seq: int, text: str) -> None:
        self.parts.append(text)
        self.chunk_index.append([seq, len(text)])

    def save(self, *, force: bool = False, **fields: object) -> None:
        if not force and time.monotonic() - self.saved_at < settings.OUTLINE_SAVE_EVERY_SECONDS:
            return
        values = {"result": "".join(self.parts), "chunk_index": self.chunk_index, **fields}
        OutlineTask.objects.filter(pk=self.task.pk).update(**values)
        self.saved_at = time.monotonic()


def outline_generate(*, task_id: int, provider: Provider | None = None) -> None:
    """Run the analyzer step for a queued task, relaying every event to its Redis stream.

    Guarantees: a task that is not queued is left alone (a redelivered message does nothing
    twice); the final Markdown, status and error are saved in the database before the terminal
    event is published, whether or not anyone is watching; exceptions are logged with the task id.
    """
    now = timezone.now()
    claimed = OutlineTask.objects.filter(pk=task_id, status=OutlineTask.Status.QUEUED).update(
        status=OutlineTask.Status.PREPARING, started_at=now
    )
    if not claimed:
        logger.info("outline task=%s not queued (missing or already started); skipping", task_id)
        return
    task = OutlineTask.objects.select_related("document").get(pk=task_id)
    writer = StreamWriter(task.pk)
    progress = _Progress(task)
    try:
        writer.emit("status", status=OutlineTask.Status.PREPARING)
        step = DocxOutlineAnalyzerStep(
            structure=task.document.structure,
            title=task.document.title,
            provider=provider or get_provider(LLMConfig.from_settings()),
            max_section_chars=settings.OUTLINE_SECTION_CHARS,
            chunk_chars=settings.OUTLINE_CHUNK_CHARS,
            chunk_ms=settings.OUTLINE_CHUNK_MS,
            max_tokens=settings.LLM_MAX_TOKENS,
        )
        OutlineTask.objects.filter(pk=task.pk).update(
            status=OutlineTask.Status.RUNNING, progress_total=len(step.sections)
        )
        writer.emit("status", status=OutlineTask.Status.RUNNING)
        for event in step.run():
            if event.type == "chunk":
                progress.add_chunk(writer.seq + 1, event.data["text"])
                writer.emit("chunk", **event.data)
                progress.save()
            elif event.type == "progress":
                writer.emit("progress", **event.data)
                progress.save(progress_done=event.data["done"])
            else:
                _finish(task, writer, progress, event.type, event.data)
                return
        raise RuntimeError("analyzer step ended without a terminal event")
    except Exception:
        logger.exception("outline task=%s failed", task.pk)
        _finish(
            task,
            writer,
            progress,
            "error",
            {"code": "internal", "message": "Something went wrong on our side."},
        )


def _finish(task: OutlineTask, writer: StreamWriter, progress: _Progress, kind: str, data: dict) -> None:
    terminal_seq = writer.seq + 1
    if kind == "done":
        status = data.get("status", OutlineTask.Status.SUCCEEDED)
        fields = {"status": status}
    else:
        status = OutlineTask.Status.FAILED
        fields = {"status": status, "error_code": data["code"], "error_message": data["message"]}
    # The database first: a client that sees the terminal event can read the saved result.
    progress.save(force=True, finished_at=timezone.now(), last_seq=terminal_seq, **fields)
    try:
        writer.emit(kind, **({"status": status} if kind == "done" else data))
    except Exception:
        # Redis gone: the SSE view serves the saved result from the database instead.
        logger.exception("outline task=%s: could not publish its terminal event", task.pk)
    logger.info("outline task=%s finished status=%s seq=%s", task.pk, status, terminal_seq)


def api_token_create(*, user: AbstractBaseUser) -> str:
    """Create a bearer token and return it; only its hash is kept, so it is shown once."""
    token = f"otl_{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(user=user, key_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:12])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


__all__ = [
    "DocxRejected",
    "api_token_create",
    "display_filename",
    "document_create",
    "document_delete",
    "document_reextract",
    "outline_generate",
    "outline_start",
]
