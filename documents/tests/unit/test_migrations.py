"""Data migrations, run against today's models (they only touch fields that still exist)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import Document
from documents.tests.conftest import make_docx

pytestmark = pytest.mark.django_db

section_sources = importlib.import_module("documents.migrations.0008_section_sources")


def _without_sources(document: Document) -> dict:
    """The document's structure as it was stored before sections had a source."""
    structure = {**document.structure, "sections": [dict(s) for s in document.sections]}
    for section in structure["sections"]:
        del section["source"]
    Document.objects.filter(pk=document.pk).update(structure=structure)
    return structure


def test_0008_adds_section_sources_from_the_stored_file_and_skips_a_missing_one(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("制度.docx", make_docx([(1, "第一章"), (2, "范围")], body="正文。"))
    kept = services.document_create(owner=user, uploaded=upload)
    upload = SimpleUploadedFile("丢失.docx", make_docx())
    lost = services.document_create(owner=user, uploaded=upload)
    extracted = kept.structure
    _without_sources(kept)
    lost_before = _without_sources(lost)
    lost.file.storage.delete(lost.file.name)

    section_sources.add_section_sources(apps, None)

    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.structure == extracted  # the same sources a fresh upload stores
    assert kept.sections[1]["source"] == {"heading": "范围", "paragraphs": ["正文。"]}
    assert lost.structure == lost_before

    section_sources.remove_section_sources(apps, None)

    kept.refresh_from_db()
    assert all("source" not in s for s in kept.sections)
