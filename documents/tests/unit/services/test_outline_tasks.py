"""Outline tasks: cancel, continue, limits, reaper, the run in the worker, a self-healing relay.
Fake provider, real (test) Redis."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents import selectors, services
from documents.llm import LLMError
from documents.models import OutlineTask
from documents.relay.events import stream_key
from documents.relay.reader import read_events
from documents.relay.writer import StreamWriter
from documents.tests.conftest import make_docx
from documents.tests.fakes import FakeProvider
from ops.redis_pool import redis_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_celery")]
S = OutlineTask.Status
SECTIONS = [(1, "第一章"), (1, "第二章"), (1, "第三章"), (1, "第四章")]
# Long enough to need the model; the replies below are made of its words (they must pass the gates).
BODY = "本章规定了第一节的摘要要求和审批流程，各部门在月底前提交报告，逾期未交的由人事部统一催办并记录在案。"


@pytest.fixture
def document(user):  # noqa: ANN001, ANN201
    uploaded = SimpleUploadedFile("章.docx", make_docx(SECTIONS, body=BODY))
    return services.document_create(owner=user, uploaded=uploaded)


def _another(document):  # noqa: ANN001, ANN202
    """Another document of the same owner: a document has one outline in progress at a time."""
    uploaded = SimpleUploadedFile("另.docx", make_docx(SECTIONS, body=BODY))
    return services.document_create(owner=document.owner, uploaded=uploaded)


def _text(task_id: int) -> str:
    return "".join(e.data["text"] for e in read_events(task_id) if e.type == "chunk")


def _run_in_thread(task_id: int, provider: FakeProvider) -> threading.Thread:
    thread = threading.Thread(
        target=services.outline_generate, kwargs={"task_id": task_id, "provider": provider}
    )
    thread.start()
    return thread


def _wait(predicate, timeout: float = 10) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.02)


# ------------------------------------------------------------------------- cancel
def test_cancel_queued_task_ends_it_at_once_and_the_worker_never_starts_it(document):
    task = services.outline_start(document=document)

    cancelled = services.outline_cancel(task=task)
    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    assert cancelled.status == S.CANCELLED
    events = read_events(task.pk)
    assert [(e.type, e.data.get("status")) for e in events] == [
        ("status", "cancelled"),
        ("done", "cancelled"),
    ]
    assert OutlineTask.objects.get(pk=task.pk).last_seq == events[-1].seq


def test_cancel_running_task_stops_the_provider_and_keeps_partial_output(document):
    task = services.outline_start(document=document)
    provider = FakeProvider([[" 第一节的", "摘要要求", "和审批流程", "。"]], delay=0.05)
    worker = _run_in_thread(task.pk, provider)
    _wait(lambda: "第二章" in _text(task.pk))

    services.outline_cancel(task=OutlineTask.objects.get(pk=task.pk))
    worker.join(timeout=5)

    task.refresh_from_db()
    events = read_events(task.pk)
    assert task.status == S.CANCELLED
    assert task.result == _text(task.pk) and "第二章" in task.result and "第四章" not in task.result
    assert [e.type for e in events][-2:] == ["status", "done"] and events[-1].data["status"] == "cancelled"
    assert provider.closed == len(provider.prompts)  # every model stream was closed


def test_deleting_a_document_stops_its_running_task_and_ends_the_stream(document, settings):
    settings.MAX_RUNNING_TASKS_PER_USER = 2
    running = services.outline_start(document=document)
    queued = services.outline_start(document=document)
    provider = FakeProvider([[" 第一节的", "摘要要求", "和审批流程", "。"]], delay=0.05)
    worker = _run_in_thread(running.pk, provider)
    _wait(lambda: "第二章" in _text(running.pk))

    services.document_delete(document=document)
    worker.join(timeout=5)

    assert not worker.is_alive() and not OutlineTask.objects.exists()
    for task in (running, queued):  # a reader of either stream gets its end, not heartbeats forever
        events = read_events(task.pk)
        assert [e.type for e in events][-2:] == ["status", "done"]
        assert events[-1].data["status"] == "cancelled"
    assert provider.closed == len(provider.prompts)  # the model was let go
    assert "第四章" not in _text(running.pk)


def test_cancel_is_idempotent_and_refuses_finished_tasks_clearly(document):
    task = services.outline_start(document=document)
    services.outline_cancel(task=task)
    assert services.outline_cancel(task=OutlineTask.objects.get(pk=task.pk)).status == S.CANCELLED

    done = services.outline_start(document=document)
    services.outline_generate(task_id=done.pk, provider=FakeProvider())
    with pytest.raises(services.TaskRejected) as excinfo:
        services.outline_cancel(task=OutlineTask.objects.get(pk=done.pk))
    assert (excinfo.value.code, excinfo.value.status_code) == ("task_finished", 409)
    assert "already finished (succeeded)" in excinfo.value.message


def test_a_cancel_that_races_the_tasks_end_leaves_no_flag_behind_for_a_day(document, settings):
    from documents.relay import cancel_key

    task = services.outline_start(document=document)
    stale = OutlineTask.objects.get(pk=task.pk)  # as a page loaded it, while the task still ran
    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    services.outline_cancel(task=stale)

    assert OutlineTask.objects.get(pk=task.pk).status == S.SUCCEEDED
    assert 0 < redis_client().ttl(cancel_key(task.pk)) <= settings.STREAM_TTL_SECONDS


# ----------------------------------------------------------------------- continue
def _failed_in_the_third_section(document) -> OutlineTask:  # noqa: ANN001
    """A task whose model broke off while it wrote the third section (two sections finished)."""
    task = services.outline_start(document=document)
    error = LLMError("timeout_between_tokens")
    replies = [[" 各部门在月底前提交报告。"], [" 逾期未交的由人事部统一催办。"], [" 本章规定了", error]]
    services.outline_generate(task_id=task.pk, provider=FakeProvider(replies))
    return OutlineTask.objects.get(pk=task.pk)


def test_continue_keeps_finished_sections_and_regenerates_the_interrupted_one(document):
    failed = task = _failed_in_the_third_section(document)
    assert failed.status == S.FAILED and failed.progress_done == 2 and failed.result.endswith("## 第三章\n\n")

    new = services.outline_continue(task=failed)
    replies = [[" 本章规定了第一节的摘要要求。"], [" 各部门的报告由人事部记录在案。"]]
    services.outline_generate(task_id=new.pk, provider=FakeProvider(replies))

    new.refresh_from_db()
    assert new.status == S.SUCCEEDED and new.start_section == 2 and new.continued_from_id == task.pk
    assert (
        new.result
        == failed.result[: failed.section_offsets["2"]]
        + "## 第三章\n\n- 本章规定了第一节的摘要要求。\n\n## 第四章\n\n- 各部门的报告由人事部记录在案。\n\n"
    )
    assert new.result.count("## 第三章") == 1
    assert _text(new.pk) == new.result


def test_a_continued_task_shows_the_kept_text_while_it_waits_and_its_stream_has_each_seq_once(document):
    """It showed an empty box until a worker took it (issue 21, item 8)."""
    failed = _failed_in_the_third_section(document)
    kept = failed.result[: failed.section_offsets["2"]]

    new = services.outline_continue(task=failed)

    queued = OutlineTask.objects.get(pk=new.pk)
    assert queued.status == S.QUEUED and queued.result == kept
    assert _text(new.pk) == kept and selectors.outline_task_text(task=queued) == kept
    services.outline_generate(
        task_id=new.pk, provider=FakeProvider([[" 第三章的摘要。"], [" 第四章的摘要。"]])
    )
    done = OutlineTask.objects.get(pk=new.pk)
    seqs = [event.seq for event in read_events(new.pk)]
    assert seqs == list(range(1, len(seqs) + 1))  # the worker wrote after the kept text, not over it
    assert done.status == S.SUCCEEDED and done.result.startswith(kept) and done.result.count(kept) == 1
    assert _text(new.pk) == done.result and done.chunk_index[0] == [1, len(kept)]


def test_only_cancelled_or_failed_tasks_can_be_continued(document):
    task = services.outline_start(document=document)

    with pytest.raises(services.TaskRejected) as excinfo:
        services.outline_continue(task=task)

    assert (excinfo.value.code, excinfo.value.status_code) == ("not_continuable", 409)


# ------------------------------------------------------------------------- limits
def test_too_many_active_tasks_per_user_is_429(document, settings):
    settings.MAX_ACTIVE_TASKS_PER_USER = 2
    services.outline_start(document=document)
    services.outline_start(document=_another(document))

    with pytest.raises(services.TaskRejected) as excinfo:
        services.outline_start(document=_another(document))

    assert (excinfo.value.code, excinfo.value.status_code) == ("too_many_tasks", 429)


def test_a_document_has_one_outline_in_progress_at_a_time(document):
    first = services.outline_start(document=document)

    again = services.outline_start(document=document)

    assert again.pk == first.pk and OutlineTask.objects.count() == 1
    OutlineTask.objects.filter(pk=first.pk).update(status=S.CANCELLED)
    assert services.outline_start(document=document).pk != first.pk  # a finished one is no bar


def test_full_queue_is_503_with_retry_after(document, settings):
    settings.MAX_QUEUED_TASKS = 1
    services.outline_start(document=document)

    with pytest.raises(services.TaskRejected) as excinfo:
        services.outline_start(document=_another(document))

    assert (excinfo.value.code, excinfo.value.status_code, excinfo.value.retry_after) == (
        "queue_full",
        503,
        30,
    )


# ------------------------------------------------------------------ fair share
def test_a_users_second_outline_waits_while_their_first_runs_and_others_start(document, other_user, settings):
    settings.MAX_RUNNING_TASKS_PER_USER = 1
    first = services.outline_start(document=document)
    OutlineTask.objects.filter(pk=first.pk).update(status=S.RUNNING)
    second = services.outline_start(document=_another(document))
    OutlineTask.objects.filter(pk=second.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=4))
    theirs = services.document_create(
        owner=other_user, uploaded=SimpleUploadedFile("b.docx", make_docx(SECTIONS, body=BODY))
    )
    other = services.outline_start(document=theirs)

    with pytest.raises(services.TaskDeferred) as excinfo:
        services.outline_generate(task_id=second.pk, provider=FakeProvider())
    services.outline_generate(task_id=other.pk, provider=FakeProvider())

    second.refresh_from_db()
    assert excinfo.value.countdown == settings.DEFERRED_TASK_RETRY_SECONDS
    # Untouched and still queued; its heartbeat says it was looked at, so the reaper leaves it be.
    assert (second.status, second.started_at, second.worker) == (S.QUEUED, None, "")
    assert timezone.now() - second.heartbeat_at < timedelta(seconds=5)
    assert OutlineTask.objects.get(pk=other.pk).status == S.SUCCEEDED

    OutlineTask.objects.filter(pk=first.pk).update(status=S.SUCCEEDED)
    services.outline_generate(task_id=second.pk, provider=FakeProvider(), worker="w2@host")
    second.refresh_from_db()
    assert (second.status, second.worker) == (S.SUCCEEDED, "w2@host")


def test_regenerating_a_section_is_not_held_back_by_a_running_outline(document, settings):
    settings.MAX_RUNNING_TASKS_PER_USER = 1
    services.outline_generate(task_id=services.outline_start(document=document).pk, provider=FakeProvider())
    running = services.outline_start(document=document)
    OutlineTask.objects.filter(pk=running.pk).update(status=S.RUNNING)
    outline = document.outline  # kept from the first, finished run

    task = services.outline_section_regenerate(outline=outline, index=1)
    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    assert OutlineTask.objects.get(pk=task.pk).status == S.SUCCEEDED


def test_the_celery_task_hands_a_deferred_outline_back_to_its_queue(document, monkeypatch, settings):
    from celery.exceptions import Retry

    from documents import tasks

    settings.MAX_RUNNING_TASKS_PER_USER = 1
    OutlineTask.objects.filter(pk=services.outline_start(document=document).pk).update(status=S.RUNNING)
    waiting = services.outline_start(document=_another(document))
    retried = []

    def retry(**options):  # noqa: ANN003, ANN202
        retried.append(options)
        return Retry("deferred")

    monkeypatch.setattr(tasks.outline_generate, "retry", retry)

    with pytest.raises(Retry):
        tasks.outline_generate.run(waiting.pk)

    assert retried == [{"countdown": settings.DEFERRED_TASK_RETRY_SECONDS}]
    assert OutlineTask.objects.get(pk=waiting.pk).status == S.QUEUED


# ------------------------------------------------------------------------- reaper
def test_reaper_fails_a_task_whose_worker_stopped_and_keeps_what_the_stream_has(document):
    task = services.outline_start(document=document)
    writer = StreamWriter(task.pk)
    writer.emit("status", status="running")
    writer.emit("progress", done=0, total=4, section="第一章")
    writer.emit("chunk", text="# 章\n\n## 第一章\n\n")
    stale = timezone.now() - timedelta(minutes=5)
    OutlineTask.objects.filter(pk=task.pk).update(status=S.RUNNING, started_at=stale, heartbeat_at=stale)

    assert services.outline_reap() == {"failed": 1, "resent": 0}

    task.refresh_from_db()
    events = read_events(task.pk)
    assert (task.status, task.error_code) == (S.FAILED, "worker_lost")
    assert task.result == "# 章\n\n## 第一章\n\n" and task.can_continue
    assert [e.type for e in events][-2:] == ["status", "error"] and events[-1].data["code"] == "worker_lost"
    assert task.last_seq == events[-1].seq


def test_reaper_leaves_live_tasks_alone_and_resends_long_queued_ones(document, monkeypatch):
    from documents import tasks

    sent = []
    monkeypatch.setattr(tasks.outline_generate, "delay", sent.append)
    live = services.outline_start(document=document)
    OutlineTask.objects.filter(pk=live.pk).update(status=S.RUNNING, heartbeat_at=timezone.now())
    waiting = services.outline_start(document=_another(document))
    OutlineTask.objects.filter(pk=waiting.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    sent.clear()  # the two starts above sent theirs

    assert services.outline_reap() == {"failed": 0, "resent": 1}
    assert sent == [waiting.pk]
    assert OutlineTask.objects.get(pk=live.pk).status == S.RUNNING


# ---------------------------------------------------------------- relay healing
def test_writer_rewrites_a_stream_that_vanished_mid_task():
    writer = StreamWriter(990001)
    writer.reset()
    for text in ("a", "b", "c"):
        writer.emit("chunk", text=text)
    redis_client().delete(stream_key(990001))  # Redis restarted without persistence

    writer.emit("chunk", text="d")

    assert [e.seq for e in read_events(990001)] == [1, 2, 3, 4]
    assert "".join(e.data["text"] for e in read_events(990001)) == "abcd"
    redis_client().delete(stream_key(990001))


def test_task_records_metrics(document):
    task = services.outline_start(document=document)
    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    metrics = OutlineTask.objects.get(pk=task.pk).metrics
    assert metrics["chunks"] >= 1 and metrics["characters"] == len(OutlineTask.objects.get(pk=task.pk).result)
    assert metrics["tokens"] == 8  # 2 deltas x 4 sections, counted by the fake provider
    assert {"queue_wait_ms", "first_chunk_ms", "duration_ms", "tokens_per_second", "worker", "cpu_ms"} <= set(
        metrics
    )


MEMO = "下周一上午十点在三楼会议室开会讨论明年的预算安排，请各部门负责人准时参加。"


def test_document_without_headings_gets_one_summary_of_its_text(user):
    from documents.models import Document

    document = Document.objects.create(
        owner=user, file="x.docx", original_filename="x.docx", title="备忘录", size_bytes=1, sha256="0" * 64,
        structure={"language": "zh", "sections": [], "preamble": {"excerpt": MEMO}},
    )  # fmt: skip
    task = services.outline_start(document=document)
    provider = FakeProvider([[" 下周一开会讨论明年的预算安排。"]])

    services.outline_generate(task_id=task.pk, provider=provider)

    task.refresh_from_db()
    assert task.status == S.SUCCEEDED
    assert task.result == "# 备忘录\n\n## 备忘录\n\n- 下周一开会讨论明年的预算安排。\n\n"
    assert MEMO.split("，")[0] in provider.prompts[0].text


def test_empty_document_fails_with_invalid_input(user):
    from documents.models import Document

    document = Document.objects.create(
        owner=user, file="x.docx", original_filename="x.docx", title="空", size_bytes=1, sha256="0" * 64,
        structure={"sections": [], "preamble": {"excerpt": ""}},
    )  # fmt: skip
    task = services.outline_start(document=document)

    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    task.refresh_from_db()
    assert (task.status, task.error_code, task.can_continue) == (S.FAILED, "invalid_input", False)
    assert read_events(task.pk)[-1].data["code"] == "invalid_input"


def test_reaper_puts_the_saved_text_back_when_the_stream_is_gone(document):
    task = services.outline_start(document=document)
    stale = timezone.now() - timedelta(minutes=5)
    OutlineTask.objects.filter(pk=task.pk).update(
        status=S.RUNNING, started_at=stale, heartbeat_at=stale, result="# T\n\nhello world",
        chunk_index=[[3, 5], [4, 11]],
    )  # fmt: skip
    redis_client().delete(stream_key(task.pk))

    services.outline_reap()

    events = read_events(task.pk)
    assert [(e.seq, e.type) for e in events] == [(3, "chunk"), (4, "chunk"), (5, "status"), (6, "error")]
    assert "".join(e.data["text"] for e in events if e.type == "chunk") == "# T\n\nhello world"
    assert OutlineTask.objects.get(pk=task.pk).last_seq == 6


def test_cancel_recorded_only_in_the_database_is_still_seen(document):
    from documents.services.outline_tasks import CancelWatch

    task = services.outline_start(document=document)
    watch = CancelWatch(task.pk, timeout=60)
    assert watch() is False

    OutlineTask.objects.filter(pk=task.pk).update(cancel_requested_at=timezone.now())  # no Redis flag
    _wait(lambda: watch(), timeout=3)

    assert watch.reason == "cancelled"


def test_a_deferred_outline_run_eagerly_stays_queued_instead_of_retrying_forever(document, settings):
    from documents import tasks

    settings.MAX_RUNNING_TASKS_PER_USER = 1
    OutlineTask.objects.filter(pk=services.outline_start(document=document).pk).update(status=S.RUNNING)
    waiting = services.outline_start(document=_another(document))

    result = tasks.outline_generate.apply(args=(waiting.pk,))  # eagerly, as CELERY_TASK_ALWAYS_EAGER does

    assert result.successful()
    assert OutlineTask.objects.get(pk=waiting.pk).status == S.QUEUED


def test_the_step_asks_greedily_first_and_adds_the_retry_settings_on_the_retry(settings):
    from documents.services.outline_tasks import outline_step

    settings.LLM_SAMPLING_EXTRA = {"repeat_penalty": 1.05}
    settings.LLM_RETRY_SAMPLING_EXTRA = {"repeat_penalty": 1.1, "dry_multiplier": 0.8}
    # An English answer for a Chinese section fails the language gate: the point is asked twice.
    provider = FakeProvider([[" The rules", " apply to all staff."]])
    structure = {"language": "zh", "sections": [{"level": 1, "title": "第一章", "text": BODY}]}
    step = outline_step(structure=structure, title="章", provider=provider, should_stop=lambda: False)
    list(step.run())

    first, retry = provider.prompts
    assert (first.temperature, first.extra) == (0.0, {"repeat_penalty": 1.05})
    assert retry.temperature > 0 and retry.extra == {"repeat_penalty": 1.1, "dry_multiplier": 0.8}
