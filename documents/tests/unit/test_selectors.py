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
