"""Store each section's source (what the source pane shows) beside the structure, so the pane
reads the database and never opens the .docx.

Documents uploaded before get their sources from their stored file, cut at the section
boundaries already stored: their structure does not change. (A full re-extraction could move or
retitle headings that an outline was generated from; ``manage.py reextract_structures`` does that
when an operator asks for it.) A missing or unreadable file is logged and skipped: the pane then
answers 404 for its sections, where it used to fail with a 500 on every click.
"""

from __future__ import annotations

import logging

from django.db import migrations, models

from docx.oxml.ns import qn

from documents.structure import docx_open, sources_of_paragraphs

logger = logging.getLogger(__name__)


def _body_sources(document, starts: list[int]) -> list[dict]:  # noqa: ANN001
    # A structure stored before this migration counts source_index over the body's own
    # paragraphs (python-docx's Document.paragraphs), not over every paragraph read today.
    paragraphs = document.element.body.findall(qn("w:p"))
    sources = sources_of_paragraphs(paragraphs, starts)
    return [{"source_index": start, **source} for start, source in zip(starts, sources, strict=True)]


def add_section_sources(apps, schema_editor) -> None:  # noqa: ANN001
    Document = apps.get_model("documents", "Document")
    # Ids first, one row at a time after: SQLite does not isolate a running iterator from the
    # updates made while it runs, and a whole table of documents need not sit in memory.
    for pk in list(Document.objects.order_by("pk").values_list("pk", flat=True)):
        document = Document.objects.only("pk", "file", "structure", "section_sources").get(pk=pk)
        structure = document.structure if isinstance(document.structure, dict) else {}
        starts = [
            s["source_index"]
            for s in structure.get("sections") or []
            if isinstance(s, dict) and isinstance(s.get("source_index"), int)
        ]
        if not starts or document.section_sources:
            continue
        try:
            with document.file.open("rb") as fh:
                sources = _body_sources(docx_open(fh.read()), starts)
        except Exception:  # a missing or damaged file must not stop the migration
            logger.warning("document=%s: section sources not added, file unreadable", pk, exc_info=True)
            continue
        Document.objects.filter(pk=pk).update(section_sources=sources)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0007_streaming_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="section_sources",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(add_section_sources, migrations.RunPython.noop),
    ]
