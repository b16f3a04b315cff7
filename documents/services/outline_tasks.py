"""Actions on outline tasks: start, regenerate one section, continue, cancel, reap, and generate
(the run inside a Celery worker: claim, stream, heartbeat, cancel, finish).

The Celery tasks (documents/tasks.py) call this module, so it sends them by name instead of
importing them.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import redis
from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import relay, selectors, states
from documents.analyzer import DocxOutlineAnalyzerStep
from documents.errors import error_message
from documents.llm import LLMConfig, Provider, get_provider
from documents.models import Document, Outline, OutlineTask, OutlineVersion
from documents.outline_markdown import (
    attach_source_indexes,
    locate_section,
    parse_sections,
    replace_section_text,
)
from documents.outline_points import Sampling
from documents.services.outline_versions import VersionConflict, outline_adopt, outline_save
from ops import logs, metrics

logger = logging.getLogger(__name__)
S = OutlineTask.Status

# The Celery task that runs outline_generate in a worker (documents/tasks.py).
GENERATE_TASK = "documents.tasks.outline_generate"


def _send_generate(task_id: int) -> None:
    current_app.tasks[GENERATE_TASK].delay(task_id)


class TaskDeferred(Exception):
    """The task's owner already has MAX_RUNNING_TASKS_PER_USER outlines running: the worker hands
    the task back to the queue (Celery's retry, after `countdown` seconds) and takes other work,
    so one user's long documents never hold every worker."""

    def __init__(self, countdown: float) -> None:
        super().__init__(f"deferred for {countdown} s")
        self.countdown = countdown


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
    # A new task has no stream yet; anything under its key is left over from another database
    # (ids restart when a development database is recreated). Cleared before any client can
    # learn the id, so nobody replays a stranger's output.
    relay.StreamWriter(task.pk).reset()
    # The rest of this request's log lines, and the worker's (via the Celery message), say which task.
    logs.bind(task_id=task.pk, user_id=task.owner_id)
    transaction.on_commit(lambda: _send_generate(task.pk))
    return task


def outline_start(*, document: Document) -> OutlineTask:
    """Queue an outline task for the document, or give back the one already queued or running:
    a document has one whole-document outline in progress at a time (a second click started a
    second task, whose card replaced the first while it went on holding a worker).

    Refuses (TaskRejected) past MAX_ACTIVE_TASKS_PER_USER active tasks (429) or when the global
    queue is full (503). The worker is told only after the row is committed.
    """
    with transaction.atomic():
        # Two clicks at once: the document's row lock (PostgreSQL) lets one of them in at a time.
        Document.objects.select_for_update().filter(pk=document.pk).exists()
        running = selectors.outline_task_running(document=document)
        if running is not None:
            return running
        _check_limits(document.owner)
        task = OutlineTask.objects.create(
            owner=document.owner, document=document, heartbeat_at=timezone.now()
        )
        _enqueue(task)
    logger.info("outline queued task=%s document=%s", task.pk, document.pk)
    return task


def outline_section_regenerate(*, outline: Outline, index: int, version: int | None = None) -> OutlineTask:
    """Queue a task that streams a new summary for section `index` of the kept outline as it was
    at `version` (the one the user looked at; default: the current one). When it succeeds the
    outline is unchanged: the user compares the texts and keeps it (section_keep: it goes into
    that section, wherever edits made meanwhile have moved it, as a new version) or discards it.

    A section no longer there (removed or renamed since `version`) is refused (TaskRejected
    section_gone), never another section in its place.
    """
    if version is not None and version != outline.version:
        seen = OutlineVersion.objects.filter(outline=outline, number=version).first()
        index = locate_section(seen.markdown, index, outline.markdown) if seen else None
    _title, sections = parse_sections(outline.markdown)
    if index is None or not 0 <= index < len(sections):
        raise TaskRejected("section_gone", 409, message=_("That section is not in the outline any more."))
    _check_limits(outline.document.owner)
    task = OutlineTask.objects.create(
        owner=outline.document.owner,
        document=outline.document,
        section_index=index,
        section_version=outline.version,
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
        section_index=task.section_index, section_version=task.section_version, heartbeat_at=timezone.now(),
    )  # fmt: skip
    _enqueue(new)
    _publish_kept(new)
    logger.info("outline continued task=%s from=%s section=%s", new.pk, task.pk, new.start_section)
    return new


def _publish_kept(task: OutlineTask) -> None:
    """Put the text a Continue keeps into the new task's stream and row now, so its card shows
    it while the task waits for a worker (it showed an empty box until one took it). The worker
    then writes after it (`_run`). Before the commit, so before any worker can claim the task."""
    kept = _continuation(task)
    if not kept:
        return
    fields: dict[str, Any] = {"result": kept}
    try:
        writer = relay.StreamWriter(task.pk)
        event = writer.emit("chunk", text=kept)
        if writer.healthy:
            fields["chunk_index"] = [[event.seq, len(kept)]]
    except redis.RedisError:  # the worker writes it when it starts, as before
        logger.warning("task=%s: kept text not published yet", task.pk, exc_info=True)
    OutlineTask.objects.filter(pk=task.pk).update(**fields)


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
        relay.cancel_request(task.pk)
    except redis.RedisError:  # the worker falls back to the database flag
        logger.warning("cancel flag of task=%s not set in Redis", task.pk, exc_info=True)
    if states.transition(task.pk, OutlineTask.Status.CANCELLED, only_from={OutlineTask.Status.QUEUED}):
        _publish_end(task.pk, OutlineTask.Status.CANCELLED)
    logger.info("outline cancel requested task=%s", task.pk)
    task.refresh_from_db()
    if task.is_terminal:
        try:
            relay.cancel_settle(task.pk)
        except redis.RedisError:  # it expires in a day anyway
            logger.warning("cancel flag of task=%s not settled in Redis", task.pk, exc_info=True)
    return task


def _publish_end(task_id: int, status: str) -> None:
    """Mirror a terminal state decided outside the worker into the task's stream."""
    try:
        writer = relay.StreamWriter.resume(task_id)
        OutlineTask.objects.filter(pk=task_id).update(last_seq=writer.seq + 2)
        writer.emit("status", status=status)
        writer.emit("done", status=status)
    except redis.RedisError:
        logger.warning("task=%s: end not published; the SSE view serves it from the database", task_id)


def outline_generate(*, task_id: int, provider: Provider | None = None, worker: str = "") -> None:
    """Run the analyzer step for a queued task, relaying every event to its Redis stream.

    Guarantees: a task that is not queued is left alone (a redelivered message does nothing
    twice); the final Markdown, status, error and metrics are saved in the database before the
    terminal event is published, whether or not anyone is watching; exceptions are logged with
    the task id; a cancel stops the model within about 0.1 s and keeps the partial output.
    A whole-document task whose owner is at MAX_RUNNING_TASKS_PER_USER is not claimed: it stays
    queued and TaskDeferred tells the caller to hand it back. `worker` names who runs it (the
    Celery node; default: the host).
    """
    _run(task_id, provider=provider, worker=worker or socket.gethostname())


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
            failed += _fail_lost(task)
    resend_before = now - timedelta(seconds=settings.QUEUED_REDELIVER_AFTER_SECONDS)
    waiting = list(
        OutlineTask.objects.filter(status=OutlineTask.Status.QUEUED, heartbeat_at__lt=resend_before)
    )
    if waiting:
        for task in waiting:
            OutlineTask.objects.filter(pk=task.pk).update(heartbeat_at=now)
            with logs.bound(task_id=task.pk, user_id=task.owner_id):
                _send_generate(task.pk)  # a duplicate is harmless: the claim is atomic
        logger.warning("re-sent %s queued outline tasks", len(waiting))
    return {"failed": failed, "resent": len(waiting)}


# ------------------------------------------------------------------ in the worker
class CancelWatch:
    """The worker's should_stop: true once the task was cancelled (a Redis flag, or the database
    flag if Redis is away) or ran past its time limit. Cheap enough to call per token."""

    def __init__(self, task_id: int, *, timeout: float, poll: float = 0.1) -> None:
        self.task_id = task_id
        self.deadline = time.monotonic() + timeout
        self.poll = poll
        self.reason: str | None = None  # "cancelled" | "timeout"
        self._checked = 0.0
        self._db_checked = 0.0

    def __call__(self) -> bool:
        if self.reason:
            return True
        now = time.monotonic()
        if now >= self.deadline:
            self.reason = "timeout"
            return True
        if now - self._checked < self.poll:
            return False
        self._checked = now
        try:
            flagged = relay.cancel_requested(self.task_id)
        except redis.RedisError:
            flagged = False
        # The database flag is the truth: a cancel whose Redis flag never landed (or was lost)
        # is still seen within a second.
        if not flagged and now - self._db_checked >= 1.0:
            self._db_checked = now
            row = OutlineTask.objects.filter(pk=self.task_id).values_list("cancel_requested_at", flat=True)
            # No row: its document was deleted, which cancels it too.
            flagged = next(iter(row[:1]), True) is not None
        if flagged:
            self.reason = "cancelled"
        return flagged


class Heartbeat:
    """Stamps heartbeat_at from a side thread, so a task busy in a long model call still
    looks alive to the reaper, and a killed worker stops stamping at once."""

    def __init__(self, task_id: int, interval: float) -> None:
        self.task_id = task_id
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=logs.in_context(self._run), name=f"heartbeat-{task_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    OutlineTask.objects.filter(pk=self.task_id).update(heartbeat_at=timezone.now())
                except Exception:
                    logger.warning("heartbeat of task=%s failed", self.task_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection


class Output:
    """The outline so far, the chunk/section bookkeeping, and its periodic database snapshot
    (so losing Redis, or the worker, loses at most OUTLINE_SAVE_EVERY_SECONDS of text)."""

    def __init__(self, task: OutlineTask, writer: relay.StreamWriter) -> None:
        self.task = task
        self.writer = writer
        # What the stream already holds for this task (a Continue's kept text), else nothing.
        published = bool(task.chunk_index)
        self.parts: list[str] = [task.result] if published else []
        self.length = len(task.result) if published else 0
        self.chunk_index: list[list[int]] = [list(entry) for entry in task.chunk_index] if published else []
        self.section_offsets: dict[str, int] = {}
        self.progress_done = 0
        self.first_chunk_at: float | None = None
        self.started = self.saved_at = time.monotonic()

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def chunk(self, text: str) -> None:
        event = self.writer.emit("chunk", text=text)
        self.parts.append(text)
        self.length += len(text)
        self.chunk_index.append([event.seq, len(text)])
        if self.first_chunk_at is None:
            self.first_chunk_at = time.monotonic()
            # From the click, not the claim: queue wait is part of what the user waits.
            waited = (timezone.now() - self.task.created_at).total_seconds()
            metrics.TASK_FIRST_CHUNK_SECONDS.observe(max(0.0, waited))
        self.snapshot()

    def progress(self, data: dict[str, Any]) -> None:
        self.section_offsets.setdefault(str(data["done"]), self.length)
        self.progress_done = data["done"]
        self.writer.emit("progress", **data)
        self.snapshot()

    def fields(self) -> dict[str, Any]:
        return {
            "result": self.text,
            "chunk_index": self.chunk_index,
            "section_offsets": self.section_offsets,
            "progress_done": self.progress_done,
        }

    def snapshot(self, *, force: bool = False) -> None:
        if force or time.monotonic() - self.saved_at >= settings.OUTLINE_SAVE_EVERY_SECONDS:
            OutlineTask.objects.filter(pk=self.task.pk).update(**self.fields())
            self.saved_at = time.monotonic()


def outline_structure(title: str, structure: object) -> dict[str, Any]:
    """The structure to outline. A document without headings but with text becomes one section
    (its title), so it still gets a summary; one with neither has nothing to outline."""
    structure = dict(structure) if isinstance(structure, dict) else {}
    sections = [s for s in structure.get("sections") or [] if isinstance(s, dict) and s.get("title")]
    preamble = structure.get("preamble") or {}
    if not sections and preamble.get("excerpt"):
        sections = [{"level": 1, "title": title, "text": preamble["excerpt"], "source_index": 0}]
    return {**structure, "sections": sections}


def section_structure(task: OutlineTask) -> dict[str, Any]:
    """One section of the kept outline to regenerate, with the source text it came from (or,
    for a section the user added, its own text)."""
    document = task.document
    outline = Outline.objects.filter(document=document).first()
    language = (document.structure or {}).get("language")
    if outline is None:
        return {"language": language, "sections": []}
    _, sections = parse_sections(outline.markdown)
    attach_source_indexes(sections, document.sections)
    index = selectors.section_now(task=task, outline=outline)
    if index is None or index >= len(sections):
        return {"language": language, "sections": [], "gone": True}
    target = sections[index]
    source = next(
        (
            s
            for s in document.sections
            if target["source_index"] is not None and s.get("source_index") == target["source_index"]
        ),
        None,
    )
    text = (source or {}).get("text") or target["text"] or target["title"]
    return {
        "language": language,
        "sections": [{"level": target["level"], "title": target["title"], "text": text}],
    }


def outline_step(
    *,
    structure: dict[str, Any],
    title: str,
    provider: Provider,
    should_stop: Callable[[], bool],
    headings: bool = True,
) -> DocxOutlineAnalyzerStep:
    """The analyzer step with this deployment's settings (the model's style, sampling, slots)."""
    extra = dict(settings.LLM_SAMPLING_EXTRA)
    # The retry is a second chance with other settings: a little warmer, and against loops.
    retry_extra = {**extra, **settings.LLM_RETRY_SAMPLING_EXTRA}
    return DocxOutlineAnalyzerStep(
        structure=structure,
        title=title,
        provider=provider,
        max_section_chars=settings.OUTLINE_SECTION_CHARS,
        chunk_chars=settings.OUTLINE_CHUNK_CHARS,
        chunk_ms=settings.OUTLINE_CHUNK_MS,
        max_tokens=settings.OUTLINE_POINT_TOKENS,
        should_stop=should_stop,
        headings=headings,
        api_style=settings.LLM_API_STYLE,
        parallel=settings.OUTLINE_PARALLEL,
        first=Sampling(temperature=0.0, frequency_penalty=0.5, presence_penalty=0.0, extra=extra),
        retry=Sampling(temperature=0.2, frequency_penalty=0.5, presence_penalty=0.0, extra=retry_extra),
    )


def _continuation(task: OutlineTask) -> str:
    """The text a Continue keeps: the parent's whole sections before `start_section`."""
    parent = task.continued_from
    if parent is None or task.start_section == 0:
        return ""
    end = parent.section_offsets.get(str(task.start_section), len(parent.result))
    return parent.result[:end]


def _claim(task_id: int, worker: str) -> bool:
    """QUEUED -> PREPARING, unless the owner is at MAX_RUNNING_TASKS_PER_USER (TaskDeferred).

    Only whole-document runs count and are held back: regenerating one section takes seconds.
    The owner's row is locked while counting (PostgreSQL), so two workers claiming two of one
    user's tasks at once cannot both pass the cap; SQLite serialises its writers anyway.
    """
    with transaction.atomic():
        row = (
            OutlineTask.objects.filter(pk=task_id, status=S.QUEUED)
            .values("owner_id", "section_index")
            .first()
        )
        if row is not None and row["section_index"] is None:
            list(get_user_model().objects.select_for_update().filter(pk=row["owner_id"]).values_list("pk"))
            running = OutlineTask.objects.filter(
                owner_id=row["owner_id"], section_index__isnull=True, status__in=[S.PREPARING, S.RUNNING]
            ).count()
            at_cap = running >= settings.MAX_RUNNING_TASKS_PER_USER
        else:
            at_cap = False
        if not at_cap:
            started = timezone.now()
            return states.transition(
                task_id, S.PREPARING, only_from={S.QUEUED}, started_at=started, heartbeat_at=started,
                worker=worker,
            )  # fmt: skip
    # Still waiting, not lost: the reaper re-sends only queued tasks nobody has looked at lately.
    OutlineTask.objects.filter(pk=task_id, status=S.QUEUED).update(heartbeat_at=timezone.now())
    logger.info("outline task=%s deferred: its owner is at MAX_RUNNING_TASKS_PER_USER", task_id)
    raise TaskDeferred(settings.DEFERRED_TASK_RETRY_SECONDS)


def _run(task_id: int, provider: Provider | None = None, *, worker: str) -> None:
    logs.bind(task_id=task_id)
    claimed = _claim(task_id, worker)
    if not claimed:
        logger.info("outline task=%s not queued (cancelled, missing or already started); skipping", task_id)
        return
    task = OutlineTask.objects.select_related("document", "continued_from").get(pk=task_id)
    logs.bind(user_id=task.owner_id)
    logger.info(
        "outline task=%s claimed by %s after %.1f s in the queue",
        task_id, task.worker, (task.started_at - task.created_at).total_seconds(),
    )  # fmt: skip
    writer = _writer_for(task)
    output = Output(task, writer)
    watch = CancelWatch(task.pk, timeout=settings.OUTLINE_TASK_TIMEOUT_SECONDS)
    cpu_started = time.process_time()
    with Heartbeat(task.pk, settings.WORKER_HEARTBEAT_SECONDS):
        try:
            writer.emit("status", status=S.PREPARING)
            if task.section_index is None:
                structure = outline_structure(task.document.title, task.document.structure)
            else:
                structure = section_structure(task)
            if not structure["sections"]:
                code = "section_gone" if structure.get("gone") else "invalid_input"
                _finish(task, output, watch, "error", {"code": code}, 0, cpu_started)
                return
            step = outline_step(
                structure=structure,
                title=task.document.title,
                provider=provider or get_provider(LLMConfig.from_settings()),
                should_stop=watch,
                headings=task.section_index is None,
            )
            if not states.transition(
                task.pk, S.RUNNING, only_from={S.PREPARING}, progress_total=len(step.sections)
            ):
                return
            writer.emit("status", status=S.RUNNING)
            logger.info(
                "outline task=%s running: %s sections from section %s",
                task.pk, len(step.sections), task.start_section,
            )  # fmt: skip
            if output.length:
                pass  # the kept text is in the stream already (_publish_kept)
            elif kept := _continuation(task):
                output.chunk(kept)
            for event in step.run(start_section=task.start_section):
                if event.type == "chunk":
                    output.chunk(event.data["text"])
                elif event.type == "progress":
                    output.progress(event.data)
                else:
                    _finish(task, output, watch, event.type, event.data, step.tokens, cpu_started)
                    return
            raise RuntimeError("analyzer step ended without a terminal event")
        except Exception:
            logger.exception("outline task=%s failed", task.pk)
            _finish(task, output, watch, "error", {"code": "internal"}, 0, cpu_started)


def _metrics(task: OutlineTask, output: Output, tokens: int, cpu_started: float) -> dict[str, Any]:
    now = timezone.now()
    started = task.started_at or now
    duration = (now - started).total_seconds()
    first_chunk = output.first_chunk_at
    return {
        "queue_wait_ms": round((started - task.created_at).total_seconds() * 1000),
        "first_chunk_ms": None if first_chunk is None else round((first_chunk - output.started) * 1000),
        "duration_ms": round(duration * 1000),
        "chunks": len(output.chunk_index),
        "characters": output.length,
        "tokens": tokens,
        "tokens_per_second": round(tokens / duration, 1) if duration > 0 else None,
        "worker": task.worker or socket.gethostname(),
        "cpu_ms": round((time.process_time() - cpu_started) * 1000),
    }


def _finish(
    task: OutlineTask,
    output: Output,
    watch: CancelWatch,
    kind: str,
    data: dict,
    tokens: int,
    cpu_started: float,
) -> None:
    if kind == "done" and data.get("status") == "cancelled":
        target, code = (S.CANCELLED, "") if watch.reason == "cancelled" else (S.FAILED, "timeout_task")
    elif kind == "done" and task.section_index is not None and not _section_still_there(task):
        # Edited away while it was written: refused, its text kept on the task page.
        target, code = S.FAILED, "section_gone"
    elif kind == "done":
        target, code = S.SUCCEEDED, ""
    else:
        target, code = S.FAILED, data.get("code", "internal")
    writer = output.writer
    terminal_seq = writer.seq + 2  # a status event, then the terminal event
    task_metrics = _metrics(task, output, tokens, cpu_started)
    won = states.transition(
        task.pk, target, only_from={S.PREPARING, S.RUNNING}, last_seq=terminal_seq, error_code=code,
        error_message=error_message(code, "en") if code else "",
        metrics=task_metrics, **output.fields(),
    )  # fmt: skip
    if not won:
        if not OutlineTask.objects.filter(pk=task.pk).exists():
            # Its document was deleted (which cancelled it): nothing to save, but readers of the
            # stream still get its end, from the writer that owns the stream's sequence.
            writer.emit("status", status=S.CANCELLED)
            writer.emit("done", status=S.CANCELLED)
            logger.info("outline task=%s ended: its document was deleted", task.pk)
        # Otherwise the reaper got there first (we looked dead): its record stands.
        return
    _observe(target, task_metrics)
    # A regenerated section waits for the user's Keep (section_keep); a first outline is adopted.
    if target == S.SUCCEEDED and task.section_index is None:
        _adopt_first(task.pk)
    # The database first: a client that sees the terminal event can read the saved result.
    writer.emit("status", status=target)
    if code:
        writer.emit("error", code=code, message=error_message(code, "en"))
    else:
        writer.emit("done", status=target)
    if not writer.healthy:
        logger.warning(
            "task=%s finished but Redis missed its end; the SSE view serves it from the database", task.pk
        )
    logger.info(
        "outline task=%s finished status=%s code=%s seq=%s", task.pk, target, code or "-", terminal_seq
    )


def _observe(status: str, task_metrics: dict[str, Any]) -> None:
    metrics.TASK_DURATION_SECONDS.labels(status=status).observe(task_metrics["duration_ms"] / 1000)
    if task_metrics["tokens"]:
        metrics.MODEL_TOKENS.inc(task_metrics["tokens"])
    if task_metrics["tokens_per_second"]:
        metrics.MODEL_TOKENS_PER_SECOND.observe(task_metrics["tokens_per_second"])


def _section_still_there(task: OutlineTask) -> bool:
    outline = Outline.objects.filter(document_id=task.document_id).first()
    return outline is not None and selectors.section_now(task=task, outline=outline) is not None


def section_keep(*, task: OutlineTask, author: AbstractBaseUser | None = None) -> Outline:
    """Put a regenerated section's text into the kept outline, as a new version on top of
    whatever version is current (an edit made meanwhile is kept, and a section that moved is
    found where it went). Keeping it twice changes nothing the second time.

    Refused (TaskRejected 409): not a succeeded section task (`not_succeeded`), discarded already
    (`discarded`), or its section removed or renamed since (`section_gone`)."""
    if task.section_index is None or task.status != S.SUCCEEDED:
        raise TaskRejected("not_succeeded", 409, message=_("Only a finished section can be kept."))
    with transaction.atomic():
        # The task's row, locked: a double click (or two tabs) keeps it once.
        task = OutlineTask.objects.select_for_update().select_related("document").get(pk=task.pk)
        outline = Outline.objects.get(document=task.document)
        if task.decision == OutlineTask.Decision.KEPT:
            return outline
        if task.decision == OutlineTask.Decision.DISCARDED:
            raise TaskRejected(
                "discarded", 409, message=_("This text was discarded. Regenerate the section to get another.")
            )
        for _attempt in range(3):
            index = selectors.section_now(task=task, outline=outline)
            if index is None:
                raise TaskRejected(
                    "section_gone", 409, message=_("That section is not in the outline any more.")
                )
            title = parse_sections(outline.markdown)[1][index]["title"]
            try:
                outline = outline_save(
                    outline=outline, base_version=outline.version,
                    markdown=replace_section_text(outline.markdown, index, task.result),
                    author=author or task.owner,
                    note=OutlineVersion.note_for("regenerated", n=index + 1, title=title),
                )  # fmt: skip
                break
            except VersionConflict:  # saved by another tab this moment: on top of that one
                outline.refresh_from_db()
        else:
            raise TaskRejected("version_conflict", 409, message=_("The outline kept changing; try again."))
        OutlineTask.objects.filter(pk=task.pk).update(decision=OutlineTask.Decision.KEPT)
    logger.info("section task=%s kept as outline version %s", task.pk, outline.version)
    return outline


def section_discard(*, task: OutlineTask) -> OutlineTask:
    """Set a regenerated section's text aside (the outline is unchanged); also dismisses one that
    failed or was cancelled. Refused once kept (`kept`: undo the version instead)."""
    if task.section_index is None or not task.is_terminal:
        raise TaskRejected("not_finished", 409, message=_("Only a finished section can be discarded."))
    with transaction.atomic():
        task = OutlineTask.objects.select_for_update().get(pk=task.pk)
        if task.decision == OutlineTask.Decision.KEPT:
            raise TaskRejected(
                "kept", 409, message=_("This text is in the outline already; undo that version to go back.")
            )
        task.decision = OutlineTask.Decision.DISCARDED
        task.save(update_fields=["decision"])
    return task


def _adopt_first(task_id: int) -> None:
    """A document's first successful result becomes its outline (later ones only on request)."""
    try:
        outline_adopt(task=OutlineTask.objects.get(pk=task_id), only_if_first=True)
    except Exception:  # the task itself succeeded; never lose its terminal event over this
        logger.exception("task=%s: could not adopt the result as the outline", task_id)


def _rebuild_from_stream(task: OutlineTask) -> dict[str, Any] | None:
    """The output as the stream has it (it can be ahead of the last database snapshot)."""
    try:
        events = relay.read_events(task.pk)
    except redis.RedisError:
        return None
    text: list[str] = []
    length, chunk_index, offsets, done = 0, [], {}, 0
    for event in events:
        if event.type == "chunk":
            text.append(event.data["text"])
            chunk_index.append([event.seq, len(event.data["text"])])
            length += len(event.data["text"])
        elif event.type == "progress":
            offsets.setdefault(str(event.data["done"]), length)
            done = event.data["done"]
    if length < len(task.result):
        return None
    last = events[-1].seq if events else 0
    return {"result": "".join(text), "chunk_index": chunk_index, "section_offsets": offsets,
            "progress_done": done, "last_seq": last}  # fmt: skip


def _writer_for(task: OutlineTask) -> relay.StreamWriter:
    """The writer a worker starts with: after a Continue's kept text when that was published at
    queue time (the stream rewritten from the row, in case Redis lost it meanwhile), else new."""
    if not task.chunk_index:
        return relay.StreamWriter(task.pk)
    try:
        return _restore_stream(task)
    except redis.RedisError:  # the writer retries what Redis misses; the text is on the row
        return relay.StreamWriter(task.pk, start_seq=task.chunk_index[-1][0])


def _restore_stream(task: OutlineTask) -> relay.StreamWriter:
    """Rewrite a task's stream from its database snapshot (chunks with their original seqs),
    so replays and resumes still get the text before the events that follow."""
    return relay.StreamWriter.restore(
        task.pk, relay.chunk_events(result=task.result, chunk_index=task.chunk_index)
    )


def _fail_lost(task: OutlineTask) -> bool:
    """Mark a task whose worker stopped as failed (worker_lost), keeping its partial output."""
    rebuilt = _rebuild_from_stream(task) or {"last_seq": max((seq for seq, _ in task.chunk_index), default=0)}
    stream_seq = rebuilt.pop("last_seq")
    code = "worker_lost"
    won = states.transition(
        task.pk, S.FAILED, only_from={S.PREPARING, S.RUNNING}, error_code=code,
        error_message=error_message(code, "en"), last_seq=stream_seq + 2, **rebuilt,
    )  # fmt: skip
    if won:
        logger.error(
            "outline task=%s: worker lost (no heartbeat since %s); marked failed", task.pk, task.heartbeat_at
        )
        try:
            if "result" in rebuilt:
                writer = relay.StreamWriter.resume(task.pk, at_least=stream_seq)
            else:  # the stream is gone or behind the database: put the saved text back first
                writer = _restore_stream(task)
            writer.emit("status", status=S.FAILED)
            writer.emit("error", code=code, message=error_message(code, "en"))
        except redis.RedisError:
            logger.warning("task=%s: could not publish worker_lost; the SSE view falls back", task.pk)
    return won
