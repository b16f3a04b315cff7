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


def test_0008_adds_section_sources_from_the_stored_file_and_skips_a_missing_one(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("制度.docx", make_docx([(1, "第一章"), (2, "范围")], body="正文。"))
    kept = services.document_create(owner=user, uploaded=upload)
    upload = SimpleUploadedFile("丢失.docx", make_docx())
    lost = services.document_create(owner=user, uploaded=upload)
    extracted = kept.section_sources
    Document.objects.update(section_sources=[])  # as stored before sources existed
    lost.file.storage.delete(lost.file.name)

    section_sources.add_section_sources(apps, None)

    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.section_sources == extracted  # the same sources a fresh upload stores
    assert kept.section_sources[1]["heading"] == "范围"
    assert kept.section_sources[1]["paragraphs"] == ["正文。"]
    assert lost.section_sources == []
