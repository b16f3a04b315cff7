"""Actions that change state. Each docstring says what the action guarantees."""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from documents.models import ApiToken, Document
from documents.structure import structure_extract
from documents.validation import DocxRejected, docx_validate, file_too_large

logger = logging.getLogger(__name__)


def display_filename(name: str) -> str:
    """The user's filename made safe to show: last path component, no control characters.

    It is never used on the filesystem; CJK and other scripts are kept as they are.
    """
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[:255] or "document.docx"


def document_create(*, owner: AbstractBaseUser, uploaded: UploadedFile) -> Document:
    """Validate, extract and store one upload.

    Guarantees: either a Document with its file and structure exists, or DocxRejected is
    raised and nothing was stored (no row, no file).
    """
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
    structure = structure_extract(validated.data)
    filename = display_filename(uploaded.name or "")
    document = Document(
        owner=owner,
        original_filename=filename,
        title=(structure.get("title") or PurePath(filename).stem or filename)[:500],
        size_bytes=len(validated.data),
        sha256=hashlib.sha256(validated.data).hexdigest(),
        structure=structure,
        stripped_relationships=validated.stripped_relationships,
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


def document_delete(*, document: Document) -> None:
    """Delete the row and, once the transaction commits, its stored file."""
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))


def document_reextract(*, document: Document) -> Document:
    """Extract the structure again from the stored file and save it (nothing else changes)."""
    with document.file.open("rb") as fh:
        document.structure = structure_extract(fh.read())
    document.save(update_fields=["structure"])
    return document


def api_token_create(*, user: AbstractBaseUser) -> str:
    """Create a bearer token and return it; only its hash is kept, so it is shown once."""
    token = f"otl_{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(user=user, key_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:12])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


__all__ = [
    "DocxRejected",
    "api_token_create",
    "display_filename",
    "document_create",
    "document_delete",
    "document_reextract",
]
