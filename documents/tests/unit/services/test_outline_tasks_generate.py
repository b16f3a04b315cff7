"""outline_start / outline_generate with a fake provider and the real (test) Redis."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import selectors, services
from documents.errors import error_message
from documents.llm import LLMError
from documents.models import OutlineTask
from documents.relay.events import stream_key
from documents.relay.reader import read_events
from documents.tests.fakes import FakeProvider
from ops.redis_pool import redis_client

pytestmark = pytest.mark.django_db


# Long enough that each section needs the model.
BODY = "The plan opens a new online shop next year to grow online sales and reach customers outside the east."


@pytest.fixture
def document(user, docx_bytes, settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path
    uploaded = SimpleUploadedFile("计划.docx", docx_bytes(body=BODY))
    return services.document_create(owner=user, uploaded=uploaded)


@pytest.fixture
def task(document, django_capture_on_commit_callbacks):  # noqa: ANN001, ANN201
    with django_capture_on_commit_callbacks(execute=False):
        task = services.outline_start(document=document)
    yield task
    redis_client().delete(stream_key(task.pk))


def test_generate_saves_result_equal_to_streamed_chunks_with_contiguous_seqs(task):
    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    task.refresh_from_db()
    events = read_events(task.pk)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert task.status == OutlineTask.Status.SUCCEEDED
    assert task.result == "".join(e.data["text"] for e in events if e.type == "chunk")
    assert task.result.startswith("# 计划\n\n## Introduction\n\n- The plan opens a new online shop")
    assert events[-1].type == "done" and task.last_seq == events[-1].seq
    assert [e.type for e in events].count("done") == 1
    assert redis_client().ttl(stream_key(task.pk)) > 0


def test_generate_of_an_already_started_task_does_nothing(task):
    services.outline_generate(task_id=task.pk, provider=FakeProvider())
    first = read_events(task.pk)

    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    assert read_events(task.pk) == first


def test_provider_failure_marks_task_failed_with_partial_and_error_event(task):
    error = LLMError("provider_unreachable", "The AI service could not be reached.")
    services.outline_generate(task_id=task.pk, provider=FakeProvider([[" Partial", " text", error]]))

    task.refresh_from_db()
    events = read_events(task.pk)
    assert task.status == OutlineTask.Status.FAILED
    assert task.error_code == "provider_unreachable"
    assert task.error_message == error_message("provider_unreachable", "en")
    assert task.result.startswith("# 计划\n\n## Introduction\n\n")
    assert "Partial" not in task.result  # a point stands only once it has passed the gates
    assert events[-1].type == "error" and events[-1].data["code"] == "provider_unreachable"


def test_saved_events_match_the_stream_after_it_expired(task):
    services.outline_generate(task_id=task.pk, provider=FakeProvider())
    live = [e for e in read_events(task.pk) if e.type in {"chunk", "done"}]
    redis_client().delete(stream_key(task.pk))

    assert selectors.outline_task_saved_events(task_id=task.pk) == live


def test_outline_start_queues_the_worker_after_commit(
    document, django_capture_on_commit_callbacks, monkeypatch
):
    from documents import tasks

    sent = []
    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: sent.append(task_id))
    with django_capture_on_commit_callbacks(execute=True):
        task = services.outline_start(document=document)

    assert sent == [task.pk]
    assert task.status == OutlineTask.Status.QUEUED


ENGLISH_DOC = ([(1, "Background")], "The company plans to open a new online shop next year, to grow sales.")
CHINESE_DOC = ([(1, "项目背景")], "公司计划在明年上线新的电商平台，以提升线上销售额，并扩展到华东以外。")


@pytest.mark.parametrize(
    ("ui_language", "doc", "language", "few_shot"),
    [("zh-hans", ENGLISH_DOC, "en", "Section: Background"), ("en", CHINESE_DOC, "zh", "章节：项目背景")],
)
def test_the_prompt_language_comes_from_the_document_whatever_the_ui_language(
    user, settings, tmp_path, django_capture_on_commit_callbacks, ui_language, doc, language, few_shot
):  # noqa: ANN001
    from django.utils import translation

    from documents.tests.conftest import make_docx

    settings.MEDIA_ROOT = tmp_path
    provider = FakeProvider()
    with translation.override(ui_language):
        headings, body = doc
        document = services.document_create(
            owner=user, uploaded=SimpleUploadedFile("doc.docx", make_docx(headings, body=body))
        )
        with django_capture_on_commit_callbacks(execute=False):
            task = services.outline_start(document=document)
        try:
            services.outline_generate(task_id=task.pk, provider=provider)
        finally:
            redis_client().delete(stream_key(task.pk))

    assert document.structure["language"] == language
    assert [few_shot in prompt.text for prompt in provider.prompts] == [True]
