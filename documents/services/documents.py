"""Actions on documents: upload, revise, delete, re-extract."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from documents.models import Document, Outline, OutlineTask, OutlineVersion
from documents.outline_markdown import diff_structures, rebase_outline
from documents.services.outline_tasks import outline_cancel
from documents.services.outline_versions import outline_save
from documents.structure import docx_extract, docx_open
from documents.validation import ValidatedDocx, docx_validate, file_too_large, no_text, too_many_sections

logger = logging.getLogger(__name__)


def display_filename(name: str) -> str:
    """The user's filename made safe to show: last path component, no control characters.

    It is never used on the filesystem; CJK and other scripts are kept as they are.
    """
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[:255] or "document.docx"


@dataclass(frozen=True)
class _Upload:
    validated: ValidatedDocx
    structure: dict
    sources: list[dict]
    filename: str


def _checked_upload(uploaded: UploadedFile) -> _Upload:
    """Validate and extract an upload (or DocxRejected)."""
    max_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024
    # Checked before reading so an oversize upload is never loaded into memory.
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise file_too_large(max_bytes)
    data = uploaded.read(max_bytes + 1)
    validated = docx_validate(
        data,
        max_bytes=max_bytes,
        max_uncompressed_bytes=settings.MAX_UNCOMPRESSED_MB * 1024 * 1024,
        max_ratio=settings.MAX_COMPRESSION_RATIO,
    )
    # Validation already opened these very bytes with python-docx; extraction reuses that parse.
    structure, sources = docx_extract(validated.document or docx_open(validated.data))
    # An outline of thousands of headings serves no reader and makes every page and diff of the
    # document heavy (100,000 headings in 280 KB made a 32 MB page).
    if len(structure.get("sections") or []) > settings.MAX_SECTIONS:
        raise too_many_sections(len(structure["sections"]), settings.MAX_SECTIONS)
    # Nothing to outline: said now, not when Generate fails.
    if not structure.get("sections") and not (structure.get("preamble") or {}).get("excerpt"):
        raise no_text()
    return _Upload(validated, structure, sources, display_filename(uploaded.name or ""))


def document_create(*, owner: AbstractBaseUser, uploaded: UploadedFile) -> Document:
    """Validate, extract and store one upload.

    Guarantees: either a Document with its file and structure exists, or DocxRejected is
    raised and nothing was stored (no row, no file).
    """
    upload = _checked_upload(uploaded)
    validated, structure, filename = upload.validated, upload.structure, upload.filename
    document = Document(
        owner=owner,
        original_filename=filename,
        title=(structure.get("title") or PurePath(filename).stem or filename)[:500],
        size_bytes=len(validated.data),
        sha256=hashlib.sha256(validated.data).hexdigest(),
        structure=structure,
        section_sources=upload.sources,
        stripped_relationships=validated.stripped_relationships,
        warnings=validated.warnings,
    )
    document.file.save("upload.docx", ContentFile(validated.data), save=False)
    try:
        with transaction.atomic():
            document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    logger.info("document created id=%s owner=%s size=%s", document.pk, owner.pk, document.size_bytes)
    return document


def document_revise(*, document: Document, uploaded: UploadedFile, author: AbstractBaseUser) -> list[dict]:
    """Replace the document with a revised .docx and return how its sections changed.

    The kept outline is re-shaped to the new tree as a new version: the user's text stays on
    every section that is still there; added sections come in empty, ready to generate.
    Nothing changes if the upload is rejected.
    """
    upload = _checked_upload(uploaded)
    validated, structure, filename = upload.validated, upload.structure, upload.filename
    diff = diff_structures(document.sections, structure.get("sections", []))
    old_file = document.file.name
    document.file.save("upload.docx", ContentFile(validated.data), save=False)
    document.original_filename = filename
    document.size_bytes = len(validated.data)
    document.sha256 = hashlib.sha256(validated.data).hexdigest()
    document.structure = structure
    document.section_sources = upload.sources
    document.stripped_relationships = validated.stripped_relationships
    document.warnings = validated.warnings  # this file's repairs, not the previous revision's
    document.revision += 1
    document.revision_diff = diff
    storage = document.file.storage
    with transaction.atomic():
        document.save()
        outline = Outline.objects.filter(document=document).first()
        if outline is not None:
            counts = {k: sum(1 for d in diff if d["status"] == k) for k in ("added", "removed", "changed")}
            note = OutlineVersion.note_for("revised", n=document.revision, **counts)
            rebased = rebase_outline(outline.markdown, diff)
            outline_save(
                outline=outline, base_version=outline.version, markdown=rebased, author=author, note=note
            )
        transaction.on_commit(lambda: storage.delete(old_file))
    logger.info("document revised id=%s revision=%s", document.pk, document.revision)
    return diff


def document_delete(*, document: Document) -> None:
    """Delete the row and, once the transaction commits, its stored file.

    Its outline tasks are cancelled first: a queued one ends at once, a running one's worker stops
    within about 0.1 s and, finding its row gone, ends the task's stream itself; no task is left
    running for a document that is not there, and no open stream waits for an end forever.
    """
    for task in OutlineTask.objects.filter(document=document, status__in=OutlineTask.ACTIVE):
        outline_cancel(task=task)
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))


def document_reextract(*, document: Document) -> Document:
    """Extract the structure (and the section sources) again from the stored file and save them
    (nothing else changes)."""
    with document.file.open("rb") as fh:
        document.structure, document.section_sources = docx_extract(docx_open(fh.read()))
    document.save(update_fields=["structure", "section_sources"])
    return document
