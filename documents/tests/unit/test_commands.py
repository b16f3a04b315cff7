from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_a_working_token_last(user):
    out = io.StringIO()
    call_command("create_api_token", "alice", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]

    response = Client().get("/api/v1/documents", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_create_api_token_can_create_the_user():
    out = io.StringIO()
    call_command("create_api_token", "张三", "--create-user", stdout=out, stderr=io.StringIO())

    token = out.getvalue().strip().splitlines()[-1]
    assert Client().get("/api/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_create_api_token_for_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="--create-user"):
        call_command("create_api_token", "nobody")


def _upload(owner, name: str = "计划.docx"):  # noqa: ANN001, ANN202
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services
    from documents.tests.conftest import make_docx

    return services.document_create(owner=owner, uploaded=SimpleUploadedFile(name, make_docx()))


def test_reextract_structures_shows_progress_and_counts_changes(user, other_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stale = _upload(user)
    _upload(user), _upload(other_user)
    stale.structure = {"sections": []}  # as an older extractor left it
    stale.save()
    out, err = io.StringIO(), io.StringIO()

    call_command("reextract_structures", stdout=out, stderr=err)

    assert "Re-extracting" in err.getvalue() and "3/3" in err.getvalue()  # the progress bar
    assert out.getvalue().strip() == "3 document(s): 1 changed, 2 unchanged, 0 failed."
    stale.refresh_from_db()
    assert [s["title"] for s in stale.sections] == ["Introduction", "背景", "结论"]


def test_reextract_structures_for_one_user_and_without_a_bar(user, other_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _upload(user), _upload(other_user)
    out, err = io.StringIO(), io.StringIO()

    call_command("reextract_structures", "--user", "alice", "--no-progress", stdout=out, stderr=err)

    assert out.getvalue().startswith("1 document(s):")
    assert err.getvalue() == ""


def test_reextract_structures_reports_a_missing_file_and_goes_on(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    broken = _upload(user)
    _upload(user)
    broken.file.storage.delete(broken.file.name)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 document"):
        call_command("reextract_structures", "--no-progress", stdout=out, stderr=io.StringIO())

    assert "2 document(s): 0 changed, 1 unchanged, 1 failed." in out.getvalue()
    assert f"document {broken.pk}: FileNotFoundError" in out.getvalue()


def test_reextract_structures_can_queue_the_work(user, settings, tmp_path, monkeypatch):
    from documents import tasks

    settings.MEDIA_ROOT = tmp_path
    documents = [_upload(user), _upload(user)]
    queued: list[int] = []
    monkeypatch.setattr(tasks.document_reextract, "delay", queued.append)
    out = io.StringIO()

    call_command("reextract_structures", "--queue", "--no-progress", stdout=out, stderr=io.StringIO())

    assert queued == [d.pk for d in documents]
    assert out.getvalue().strip() == "Queued 2 document(s)."


def test_reextract_structures_for_an_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="No documents for user 'nobody'"):
        call_command("reextract_structures", "--user", "nobody")


def test_runmodel_with_a_model_file_that_is_not_there_fails_clearly(tmp_path, monkeypatch):
    import signal

    monkeypatch.setattr(signal, "signal", lambda *args: None)  # the command installs exit handlers
    with pytest.raises(CommandError, match="no model file at"):
        call_command("runmodel", "--port", "1", "--model", str(tmp_path / "missing.gguf"))
