"""Runs one outline task inside a Celery worker: claim, stream, heartbeat, cancel, finish.

services.outline_generate is the entry point; this module is its machinery.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

import redis
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from documents import states
from documents.analyzer import DocxOutlineAnalyzerStep
from documents.errors import error_message
from documents.llm import LLMConfig, Provider, get_provider
from documents.models import Outline, OutlineTask, OutlineVersion
from documents.outline_markdown import attach_source_indexes, parse_sections, replace_section_text
from documents.streaming import StreamWriter, cancel_key, chunk_events, read_events, redis_client
from project import logs, metrics

logger = logging.getLogger(__name__)
S = OutlineTask.Status


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
            flagged = bool(redis_client().exists(cancel_key(self.task_id)))
        except redis.RedisError:
            flagged = False
        # The database flag is the truth: a cancel whose Redis flag never landed (or was lost)
        # is still seen within a second.
        if not flagged and now - self._db_checked >= 1.0:
            self._db_checked = now
            flagged = OutlineTask.objects.filter(pk=self.task_id, cancel_requested_at__isnull=False).exists()
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

    def __init__(self, task: OutlineTask, writer: StreamWriter) -> None:
        self.task = task
        self.writer = writer
        self.parts: list[str] = []
        self.length = 0
        self.chunk_index: list[list[int]] = []
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
    if task.section_index >= len(sections):
        return {"language": language, "sections": []}
    target = sections[task.section_index]
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


def _continuation(task: OutlineTask) -> str:
    """The text a Continue keeps: the parent's whole sections before `start_section`."""
    parent = task.continued_from
    if parent is None or task.start_section == 0:
        return ""
    end = parent.section_offsets.get(str(task.start_section), len(parent.result))
    return parent.result[:end]


def run(task_id: int, provider: Provider | None = None) -> None:
    logs.bind(task_id=task_id)
    started = timezone.now()
    claimed = states.transition(
        task_id, S.PREPARING, only_from={S.QUEUED}, started_at=started, heartbeat_at=started,
        worker=socket.gethostname(),
    )  # fmt: skip
    if not claimed:
        logger.info("outline task=%s not queued (cancelled, missing or already started); skipping", task_id)
        return
    task = OutlineTask.objects.select_related("document", "continued_from").get(pk=task_id)
    logs.bind(user_id=task.owner_id)
    logger.info(
        "outline task=%s claimed by %s after %.1f s in the queue",
        task_id, task.worker, (started - task.created_at).total_seconds(),
    )  # fmt: skip
    writer = StreamWriter(task.pk)
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
                _finish(task, output, watch, "error", {"code": "invalid_input"}, 0, cpu_started)
                return
            step = DocxOutlineAnalyzerStep(
                structure=structure,
                title=task.document.title,
                provider=provider or get_provider(LLMConfig.from_settings()),
                max_section_chars=settings.OUTLINE_SECTION_CHARS,
                chunk_chars=settings.OUTLINE_CHUNK_CHARS,
                chunk_ms=settings.OUTLINE_CHUNK_MS,
                max_tokens=settings.LLM_MAX_TOKENS,
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
            if kept := _continuation(task):
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
    if not won:  # the reaper got there first (we looked dead): its record stands
        return
    _observe(target, task_metrics)
    if target == S.SUCCEEDED and task.section_index is not None:
        _apply_section(task.pk)
    elif target == S.SUCCEEDED:
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


def _apply_section(task_id: int) -> None:
    """Put a regenerated section's text into the kept outline, as a new version (on top of
    whatever version is current by then: an edit made meanwhile is kept)."""
    from documents import services

    task = OutlineTask.objects.select_related("document").get(pk=task_id)
    try:
        outline = Outline.objects.get(document=task.document)
        for _ in range(3):
            _, sections = parse_sections(outline.markdown)
            title = sections[task.section_index]["title"]
            markdown = replace_section_text(outline.markdown, task.section_index, task.result)
            try:
                services.outline_save(
                    outline=outline, base_version=outline.version, markdown=markdown, author=task.owner,
                    note=OutlineVersion.note_for("regenerated", n=task.section_index + 1, title=title),
                )  # fmt: skip
                return
            except services.VersionConflict:
                outline.refresh_from_db()
    except Exception:
        logger.exception("task=%s: could not put the regenerated section into the outline", task_id)


def _adopt_first(task_id: int) -> None:
    """A document's first successful result becomes its outline (later ones only on request)."""
    from documents import services  # services imports this module

    try:
        services.outline_adopt(task=OutlineTask.objects.get(pk=task_id), only_if_first=True)
    except Exception:  # the task itself succeeded; never lose its terminal event over this
        logger.exception("task=%s: could not adopt the result as the outline", task_id)


# ------------------------------------------------------------------------ reaper
def rebuild_from_stream(task: OutlineTask) -> dict[str, Any] | None:
    """The output as the stream has it (it can be ahead of the last database snapshot)."""
    try:
        events = read_events(task.pk)
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


def _restore_stream(task: OutlineTask) -> StreamWriter:
    """Rewrite a task's stream from its database snapshot (chunks with their original seqs),
    so replays and resumes still get the text before the events that follow."""
    writer = StreamWriter(task.pk)
    writer.client.delete(writer.key)
    writer.events = chunk_events(result=task.result, chunk_index=task.chunk_index)
    writer.seq = writer.events[-1].seq if writer.events else 0
    writer.flush()
    return writer


def fail_lost(task: OutlineTask) -> bool:
    """Mark a task whose worker stopped as failed (worker_lost), keeping its partial output."""
    rebuilt = rebuild_from_stream(task) or {"last_seq": max((seq for seq, _ in task.chunk_index), default=0)}
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
                writer = StreamWriter.resume(task.pk, at_least=stream_seq)
            else:  # the stream is gone or behind the database: put the saved text back first
                writer = _restore_stream(task)
            writer.emit("status", status=S.FAILED)
            writer.emit("error", code=code, message=error_message(code, "en"))
        except redis.RedisError:
            logger.warning("task=%s: could not publish worker_lost; the SSE view falls back", task.pk)
    return won
