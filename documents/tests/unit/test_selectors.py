from __future__ import annotations

import pytest
from django.http import Http404

from documents import selectors
from documents.models import Document

pytestmark = pytest.mark.django_db


def _document(owner, sections=()) -> Document:  # noqa: ANN001
    return Document.objects.create(
        owner=owner, file="x.docx", original_filename="x.docx", title="x", size_bytes=1, sha256="0" * 64,
        structure={"sections": list(sections)},
    )  # fmt: skip


def test_document_list_returns_only_own_documents(user, other_user):
    mine = _document(user)
    _document(other_user)

    assert list(selectors.document_list(user=user)) == [mine]


def test_document_get_of_another_users_document_is_404(user, other_user):
    theirs = _document(other_user)

    with pytest.raises(Http404):
        selectors.document_get(user=user, document_id=theirs.pk)


def test_section_tree_nests_by_level_and_keeps_skipped_levels():
    sections = [
        {"level": 1, "title": "第一章"},
        {"level": 2, "title": "1.1"},
        {"level": 4, "title": "deep"},
        {"level": 2, "title": "1.2"},
        {"level": 1, "title": "第二章"},
    ]
    tree = selectors.document_section_tree(document=Document(structure={"sections": sections}))

    assert [n["section"]["title"] for n in tree] == ["第一章", "第二章"]
    assert [n["section"]["title"] for n in tree[0]["children"]] == ["1.1", "1.2"]
    assert tree[0]["children"][0]["children"][0]["section"]["title"] == "deep"


def _uploaded(owner, settings, tmp_path) -> Document:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services
    from documents.tests.conftest import make_docx

    settings.MEDIA_ROOT = tmp_path
    data = make_docx([(1, "第一章 总则"), (2, "适用范围"), (1, "Chapter 2")], body="本制度适用于全体员工。")
    return services.document_create(owner=owner, uploaded=SimpleUploadedFile("制度.docx", data))


def test_document_source_is_served_from_the_database_without_opening_the_file(user, settings, tmp_path):
    document = _uploaded(user, settings, tmp_path)
    index = document.sections[1]["source_index"]
    document.file.storage.delete(document.file.name)  # any attempt to read the file would fail now

    source = selectors.document_source(document=document, source_index=index)

    assert source == {"index": index, "heading": "适用范围", "paragraphs": ["本制度适用于全体员工。"]}


def test_document_source_of_a_paragraph_that_starts_no_section_is_404(user, settings, tmp_path):
    document = _uploaded(user, settings, tmp_path)

    with pytest.raises(Http404):
        selectors.document_source(document=document, source_index=document.sections[0]["source_index"] + 1)


def test_document_source_of_a_section_stored_without_source_is_404(user):
    # A row whose file was unreadable when migration 0008 added sources.
    document = _document(user, [{"level": 1, "title": "旧", "source_index": 0}])

    with pytest.raises(Http404):
        selectors.document_source(document=document, source_index=0)


def test_a_queued_task_knows_its_place_in_line_and_about_when_it_starts(user, other_user, settings):
    """A continued (or any queued) task said QUEUED with no position or estimate (issue 21, item 8)."""
    from django.utils import timezone

    from documents.models import OutlineTask

    settings.OUTLINE_WORKER_SLOTS = 2
    now = timezone.now()

    def task(owner, status: str, minutes_ago: int, **fields) -> OutlineTask:  # noqa: ANN001, ANN003
        made = OutlineTask.objects.create(owner=owner, document=_document(owner), status=status, **fields)
        OutlineTask.objects.filter(pk=made.pk).update(
            created_at=now - timezone.timedelta(minutes=minutes_ago)
        )
        made.refresh_from_db()
        return made

    for seconds in (30, 40, 200):  # the median of the recent outlines: 40 s
        task(other_user, "succeeded", 60, metrics={"duration_ms": seconds * 1000}, finished_at=now)
    task(other_user, "running", 5)
    task(other_user, "running", 4)
    task(other_user, "queued", 3)
    task(user, "queued", 2, section_index=0)  # one section: not in the outline line
    mine = task(user, "queued", 1)
    later = task(other_user, "queued", 0)

    # One queued before it, two running: two slots free up after one round of about 40 s.
    assert selectors.outline_task_queue(task=mine) == {"position": 2, "wait_seconds": 40}
    assert selectors.outline_task_queue(task=later) == {"position": 3, "wait_seconds": 80}
    OutlineTask.objects.filter(status="running").update(status="succeeded")
    assert selectors.outline_task_queue(task=mine) == {"position": 2, "wait_seconds": 0}
    settings.MAX_RUNNING_TASKS_PER_USER = 1
    task(user, "running", 0)  # the owner's own outline holds their one running slot
    assert selectors.outline_task_queue(task=mine) == {"position": 2, "wait_seconds": 40}
    mine.status = "running"
    assert selectors.outline_task_queue(task=mine) is None


@pytest.mark.django_db(transaction=True)
def test_an_idle_streams_finished_check_of_a_running_task_opens_no_connection_of_its_own(user):
    """Idle streams ask it every few seconds (200 times a second for 10,000 streams over 1,000
    tasks): a running task's answer comes from the shared connection (ops/shared_db.py)."""
    import threading

    from django.db import connections

    from documents.models import OutlineTask

    document = _document(user)
    running = OutlineTask.objects.create(owner=user, document=document, status=OutlineTask.Status.RUNNING)
    done = OutlineTask.objects.create(
        owner=user, document=document, status=OutlineTask.Status.SUCCEEDED, result="要点。",
        chunk_index=[[1, 3]], last_seq=2,
    )  # fmt: skip
    seen = {}

    def ask() -> None:  # in a thread of its own, as a stream's greenlet is
        seen["running"] = selectors.outline_task_saved_events(task_id=running.pk)
        seen["opened"] = len(connections.all(initialized_only=True))
        seen["done"] = selectors.outline_task_saved_events(task_id=done.pk)
        seen["missing"] = selectors.outline_task_saved_events(task_id=10**9)
        connections.close_all()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()

    assert seen["running"] is None and seen["opened"] == 0 and seen["missing"] is None
    assert [(e.seq, e.type) for e in seen["done"]] == [(1, "chunk"), (2, "done")]
