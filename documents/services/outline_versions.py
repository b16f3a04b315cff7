"""Actions on a document's kept outline: adopt a result, save an edit, restore, undo.

Every change is a new version; a save based on a version that is no longer current is refused
(VersionConflict), so no edit is ever silently lost.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Outline, OutlineTask, OutlineVersion
from documents.outline_markdown import normalize_markdown

logger = logging.getLogger(__name__)


class VersionConflict(Exception):
    """A save based on an outline version that is no longer the current one."""

    def __init__(self, current_version: int) -> None:
        super().__init__(current_version)
        self.current_version = current_version
        self.message = _(
            "This outline was changed elsewhere (now version %(version)s). Reload it, or merge your edits."
        ) % {"version": current_version}


def outline_adopt(
    *, task: OutlineTask, author: AbstractBaseUser | None = None, only_if_first: bool = False
) -> Outline | None:
    """Make a succeeded task's result the document's outline.

    The first result becomes version 1 automatically (only_if_first=True, called by the worker);
    a later one only when the user chooses to keep it, as a new version, so edits are never
    silently replaced. Returns None when nothing was adopted.
    """
    if task.status != OutlineTask.Status.SUCCEEDED or task.section_index is not None:
        return None  # a one-section task's text goes into its section, not over the outline
    markdown = normalize_markdown(task.result)
    note = OutlineVersion.note_for("generated", id=task.pk)
    with transaction.atomic():
        outline, created = Outline.objects.select_for_update().get_or_create(
            document=task.document, defaults={"markdown": markdown, "source_task": task}
        )
        if created:
            OutlineVersion.objects.create(
                outline=outline, number=1, markdown=markdown, author=author, note=note
            )
            logger.info("outline of document=%s saved as version 1 from task=%s", task.document_id, task.pk)
            return outline
    if only_if_first:
        return None
    outline = outline_save(
        outline=outline, base_version=outline.version, markdown=markdown, author=author, note=note
    )
    # The outline is now this result (as edited from here on): the page shows it once, as the
    # outline, not also as a result to keep.
    Outline.objects.filter(pk=outline.pk).update(source_task=task)
    outline.source_task = task
    return outline


def outline_save(
    *, outline: Outline, base_version: int, markdown: str, author: AbstractBaseUser | None, note: str = ""
) -> Outline:
    """Save an edit as a new version, if `base_version` is still current (else VersionConflict).

    The text is kept as written (normalize_markdown only drops control characters; markup is
    neutralised where it is shown). A stale `base_version` is refused before any work on the
    text (the update below still decides a race).
    """
    current = Outline.objects.values_list("version", flat=True).get(pk=outline.pk)
    if current != base_version:
        raise VersionConflict(current)
    markdown = normalize_markdown(markdown)
    with transaction.atomic():
        won = Outline.objects.filter(pk=outline.pk, version=base_version).update(
            version=F("version") + 1, markdown=markdown, updated_at=timezone.now()
        )
        if not won:
            raise VersionConflict(Outline.objects.values_list("version", flat=True).get(pk=outline.pk))
        OutlineVersion.objects.create(
            outline=outline,
            number=base_version + 1,
            markdown=markdown,
            author=author,
            note=note or OutlineVersion.note_for("edited"),
        )
    outline.refresh_from_db()
    return outline


def outline_restore(
    *, outline: Outline, number: int, base_version: int, author: AbstractBaseUser | None
) -> Outline:
    """Make an old version current again, as a new version (history is never rewritten)."""
    old = get_object_or_404(OutlineVersion, outline=outline, number=number)
    note = OutlineVersion.note_for("restored", number=number)
    return outline_save(
        outline=outline, base_version=base_version, markdown=old.markdown, author=author, note=note
    )


def outline_undo(*, outline: Outline, author: AbstractBaseUser | None) -> Outline | None:
    """Undo the last change: the previous version becomes current, as a new version. None when
    there is nothing to undo (version 1)."""
    if outline.version <= 1:
        return None
    return outline_restore(
        outline=outline, number=outline.version - 1, base_version=outline.version, author=author
    )
