"""Give every stored section its ``source`` (what the source pane shows), so the pane reads the
structure and never opens the .docx.

Documents uploaded before ``source`` existed get it from their stored file, cut at the section
boundaries already stored: nothing else in their structure changes. (A full re-extraction could
move or retitle headings that an outline was generated from; ``manage.py reextract_structures``
does that when an operator asks for it.) A missing or unreadable file is logged and skipped: its
sections stay without ``source`` and the pane answers 404 for them, where it used to fail with a
500 on every click.
"""

from __future__ import annotations

import io
import logging

import docx
from django.db import migrations

from documents.structure import section_sources

logger = logging.getLogger(__name__)


def _sourced(section: dict) -> bool:
    return isinstance(section.get("source_index"), int)


def add_section_sources(apps, schema_editor) -> None:  # noqa: ANN001
    Document = apps.get_model("documents", "Document")
    # Ids first, one row at a time after: SQLite does not isolate a running iterator from the
    # updates made while it runs, and a whole table of structures need not sit in memory.
    for pk in list(Document.objects.order_by("pk").values_list("pk", flat=True)):
        document = Document.objects.only("pk", "file", "structure").get(pk=pk)
        structure = document.structure if isinstance(document.structure, dict) else {}
        sections = [s for s in structure.get("sections") or [] if isinstance(s, dict) and _sourced(s)]
        if not sections or all("source" in s for s in sections):
            continue
        try:
            with document.file.open("rb") as fh:
                parsed = docx.Document(io.BytesIO(fh.read()))
            sources = section_sources(parsed, [s["source_index"] for s in sections])
        except Exception:  # a missing or damaged file must not stop the migration
            logger.warning("document=%s: section sources not added, file unreadable", pk, exc_info=True)
            continue
        for section, source in zip(sections, sources, strict=True):
            section["source"] = source
        Document.objects.filter(pk=pk).update(structure=structure)


def remove_section_sources(apps, schema_editor) -> None:  # noqa: ANN001
    Document = apps.get_model("documents", "Document")
    for pk in list(Document.objects.order_by("pk").values_list("pk", flat=True)):
        structure = Document.objects.only("structure").get(pk=pk).structure
        sections = structure.get("sections") if isinstance(structure, dict) else None
        if not sections:
            continue
        for section in sections:
            if isinstance(section, dict):
                section.pop("source", None)
        Document.objects.filter(pk=pk).update(structure=structure)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0007_streaming_flag"),
    ]

    operations = [
        migrations.RunPython(add_section_sources, remove_section_sources),
    ]
