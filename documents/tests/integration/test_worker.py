from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services, tasks
from documents.models import Document

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_reextracts_structure_of_a_stored_document(celery_worker_process, user, docx_bytes, settings):
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("章节.docx", docx_bytes()))
    Document.objects.filter(pk=document.pk).update(structure={})

    tasks.document_reextract.delay(document.pk)
    _wait_for(lambda: Document.objects.get(pk=document.pk).structure != {})

    document.refresh_from_db()
    assert [s["title"] for s in document.sections] == ["Introduction", "背景", "结论"]


def _wait_for(predicate, timeout: float = 20.0) -> None:  # noqa: ANN001
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the worker"
        time.sleep(0.1)
