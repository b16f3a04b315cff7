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
