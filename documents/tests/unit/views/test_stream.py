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
