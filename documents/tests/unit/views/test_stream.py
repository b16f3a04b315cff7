"""The SSE view: what it does to the connection before the relay's generator runs."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_stream_view_bounds_every_write_to_a_reader_that_stopped_reading(
    api_client, user, docx_bytes, monkeypatch, settings, tmp_path
):
    """gunicorn's own writes have no timeout: the view puts one on the connection's socket."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services, tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    settings.SSE_HEARTBEAT_SECONDS, settings.MEDIA_ROOT = 15, tmp_path
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx_bytes()))
    task = services.outline_start(document=document)

    class Socket:
        timeout: float | None = None

        def settimeout(self, value: float | None) -> None:
            self.timeout = value

    sock = Socket()
    response = api_client.get(f"/api/v1/tasks/{task.pk}/stream", **{"gunicorn.socket": sock})
    response.close()  # never started: nothing to read
    assert response.status_code == 200 and sock.timeout == 45


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("last_event_id", ["18446744073709551616", "99999999999999999999999999", "-5", "x"])
def test_any_last_event_id_resumes_a_finished_task_without_a_server_error(
    api_client, user, docx_bytes, no_celery, settings, last_event_id
):
    """Redis refuses stream ids of 2^64 and more (it was a 500): the id is bounded first."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services
    from documents.tests.fakes import FakeProvider

    settings.SSE_HEARTBEAT_SECONDS = 0.2  # a resume past the end waits for one heartbeat to see the end
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", docx_bytes()))
    task = services.outline_start(document=document)
    services.outline_generate(task_id=task.pk, provider=FakeProvider())

    response = api_client.get(f"/api/v1/tasks/{task.pk}/stream", HTTP_LAST_EVENT_ID=last_event_id)
    body = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    if last_event_id in ("-5", "x"):  # read as "from the start": the whole outline again
        assert "event: done" in body and "event: chunk" in body
    else:  # past the end: nothing to repeat
        assert "event: chunk" not in body
