from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import Document
from documents.validation import DocxRejected

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "报告.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_document_create_stores_file_under_generated_name_and_structure(user, docx_bytes, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = services.document_create(owner=user, uploaded=_upload(docx_bytes()))

    assert document.original_filename == "报告.docx"
    assert "报告" not in document.file.name and document.file.name.endswith(".docx")
    assert Path(document.file.path).read_bytes()[:2] == b"PK"
    assert [s["title"] for s in document.sections] == ["Introduction", "背景", "结论"]
    assert [s["level"] for s in document.sections] == [1, 2, 1]
    assert document.size_bytes == Path(document.file.path).stat().st_size


def test_document_create_opens_the_upload_with_python_docx_once(
    user, docx_bytes, settings, tmp_path, monkeypatch
):
    import docx

    settings.MEDIA_ROOT = tmp_path
    opened = []
    real_open = docx.Document
    monkeypatch.setattr(docx, "Document", lambda *args: opened.append(args) or real_open(*args))

    document = services.document_create(owner=user, uploaded=_upload(docx_bytes()))

    assert len(opened) == 1  # validation's trial open; extraction reuses its parse
    source = document.section_sources[1]
    assert (source["heading"], source["paragraphs"]) == ("背景", ["Body text."])


def test_a_file_word_would_repair_is_stored_repaired_with_its_warnings(user, settings, tmp_path):
    import docx

    from documents.tests import docx_factory as factory

    settings.MEDIA_ROOT = tmp_path
    document = services.document_create(
        owner=user, uploaded=_upload(factory.malformed_core_and_missing_image_docx(), "损坏.docx")
    )

    document.refresh_from_db()
    assert document.warnings == [
        {"code": "metadata_unreadable", "part": "docProps/core.xml"},
        {"code": "missing_part", "part": "word/media/image1.png"},
    ]
    assert [s["title"] for s in document.sections] == ["图片 Pictures", "说明 Notes"]
    stored = Path(document.file.path).read_bytes()
    assert "docProps/core.xml" not in factory.zip_members(stored)
    assert docx.Document(str(document.file.path)).paragraphs[0].text == "图片 Pictures"
    assert document.size_bytes == len(stored)


def test_a_revision_sets_its_own_warnings_and_a_sound_one_clears_them(user, docx_bytes, settings, tmp_path):
    from documents.tests import docx_factory as factory

    settings.MEDIA_ROOT = tmp_path
    document = services.document_create(owner=user, uploaded=_upload(docx_bytes()))
    assert document.warnings == []

    services.document_revise(document=document, uploaded=_upload(factory.malformed_core_docx()), author=user)
    document.refresh_from_db()
    assert (document.revision, document.warnings) == (
        2,
        [{"code": "metadata_unreadable", "part": "docProps/core.xml"}],
    )

    services.document_revise(document=document, uploaded=_upload(docx_bytes()), author=user)
    document.refresh_from_db()
    assert (document.revision, document.warnings) == (3, [])


def test_rejected_upload_stores_nothing(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(DocxRejected) as excinfo:
        services.document_create(owner=user, uploaded=_upload(b"%PDF-1.7 not a word file", "renamed.docx"))

    assert excinfo.value.code == "not_docx"
    assert Document.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_oversize_upload_is_refused_before_reading(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_UPLOAD_MB = 1
    with pytest.raises(DocxRejected) as excinfo:
        services.document_create(owner=user, uploaded=_upload(b"PK" + b"\0" * (1024 * 1024)))

    assert (excinfo.value.code, excinfo.value.status_code) == ("file_too_large", 413)
    assert Document.objects.count() == 0


def test_a_document_with_more_headings_than_the_limit_is_refused_with_both_numbers(user, settings, tmp_path):
    from documents.tests.conftest import make_docx

    settings.MEDIA_ROOT = tmp_path
    settings.MAX_SECTIONS = 5
    data = make_docx([(1, f"第{n}章") for n in range(6)])
    with pytest.raises(DocxRejected) as excinfo:
        services.document_create(owner=user, uploaded=_upload(data))

    assert (excinfo.value.code, excinfo.value.status_code) == ("too_many_sections", 413)
    assert "has 6 headings" in str(excinfo.value.message) and "at most 5" in str(excinfo.value.message)
    assert Document.objects.count() == 0
    assert services.document_create(owner=user, uploaded=_upload(make_docx([(1, "一")] * 5))).pk


def test_document_delete_removes_row_and_file(
    user, docx_bytes, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    document = services.document_create(owner=user, uploaded=_upload(docx_bytes()))
    path = Path(document.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document)

    assert not Document.objects.exists()
    assert not path.exists()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\Users\\me\\季度报告.docx", "季度报告.docx"),
        ("../../etc/passwd.docx", "passwd.docx"),
        ("bad\x00name\x1b.docx", "badname.docx"),
        ("", "document.docx"),
    ],
)
def test_display_filename_keeps_cjk_and_drops_paths_and_controls(raw, shown):
    assert services.display_filename(raw) == shown


def test_api_token_is_stored_hashed(user):
    token = services.api_token_create(user=user)

    stored = user.api_tokens.get()
    assert token.startswith("otl_") and len(token) > 40
    assert token not in stored.key_hash and stored.prefix == token[:12]


def test_a_token_records_when_it_was_last_used_to_the_minute_without_writing_on_every_request(user):
    from datetime import timedelta

    from django.utils import timezone

    from documents.models import ApiToken

    services.api_token_create(user=user)
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is None

    services.api_token_touch(token=token)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None

    token.last_used_at = first
    services.api_token_touch(token=token)  # a second later: no write
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    token.last_used_at = first - timedelta(seconds=services.TOKEN_TOUCH_SECONDS)
    services.api_token_touch(token=token)  # a minute on: written again
    assert first < ApiToken.objects.get(pk=token.pk).last_used_at <= timezone.now()
