from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from waffle.models import AbstractUserFlag


def document_upload_to(instance: Document, filename: str) -> str:
    # Stored under a generated name: the user's filename is for display only and never
    # touches the filesystem (CJK, "../", NUL and reserved names cannot matter).
    return f"documents/{instance.owner_id}/{uuid.uuid4().hex}.docx"


class Document(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255)
    title = models.CharField(max_length=500)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    structure = models.JSONField(default=dict)
    # What the source pane shows, per section ([{"source_index", "heading", "paragraphs"}], bounded
    # by documents/structure.py): stored apart from `structure`, which every page and task loads.
    section_sources = models.JSONField(default=list, blank=True)
    # External relationships removed from the package on upload (remote templates etc.).
    stripped_relationships = models.JSONField(default=list, blank=True)
    # Damaged parts dropped so the file opens, as Word repairs it: [{"code", "part"}] from
    # documents/validation.py (at most MAX_WARNINGS); the page and the API word them per code.
    warnings = models.JSONField(default=list, blank=True)
    # Re-uploads: the revision number and how its sections compare with the previous one.
    revision = models.PositiveIntegerField(default=1)
    revision_diff = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def sections(self) -> list[dict]:
        return self.structure.get("sections", [])

    @property
    def extension(self) -> str:
        return PurePath(self.original_filename).suffix.lower()


class ApiToken(models.Model):
    """A bearer token for API clients. Only a SHA-256 of the token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    # What the user calls it ("laptop script"), so a list of tokens says which one to revoke.
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(token: str) -> str:
        """What is stored of a token, and looked up when one comes."""
        return hashlib.sha256(token.encode()).hexdigest()


class OutlineTask(models.Model):
    """One outline generation. The row is the truth for status and result; Redis only relays."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PREPARING = "preparing", _("Preparing")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    TERMINAL = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})

    class Decision(models.TextChoices):
        """What the user did with a regenerated section's text (shown beside the current text
        until then: nothing changes in the outline before Keep)."""

        UNDECIDED = "", _("Undecided")
        KEPT = "kept", _("Kept")
        DISCARDED = "discarded", _("Discarded")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outline_tasks"
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tasks")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    result = models.TextField(blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # [seq, length] of every chunk event, so a resume after the Redis stream expired can
    # still start exactly after any Last-Event-ID the client holds.
    chunk_index = models.JSONField(default=list, blank=True)
    # {section index: offset in result where it starts}, so Continue keeps whole sections only.
    section_offsets = models.JSONField(default=dict, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    # Continue: a new task that keeps `continued_from`'s first `start_section` sections.
    continued_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="continuations"
    )
    start_section = models.PositiveIntegerField(default=0)
    # Set for a "regenerate one section" task: the index of that section in the kept outline as
    # it was at `section_version`. Edits made meanwhile move it; the worker follows it there
    # (outline_markdown.locate_section), by its title in the sequence of titles, never by index.
    section_index = models.PositiveIntegerField(null=True, blank=True)
    section_version = models.PositiveIntegerField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker is alive
    worker = models.CharField(max_length=255, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["document", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"Outline task {self.pk} ({self.status})"

    ACTIVE = frozenset({Status.QUEUED, Status.PREPARING, Status.RUNNING})

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def can_cancel(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def can_continue(self) -> bool:
        from documents.errors import error_class

        if self.status == self.Status.CANCELLED:
            return True
        return self.status == self.Status.FAILED and error_class(self.error_code).continuable

    @property
    def can_keep(self) -> bool:
        """A succeeded result that is not the kept outline's source: the user may keep it (as a
        new version of the outline)."""
        if self.status != self.Status.SUCCEEDED:
            return False
        outline = getattr(self.document, "outline", None)  # a missing reverse one-to-one raises
        return outline is not None and outline.source_task_id != self.pk


class Outline(models.Model):
    """A document's outline as its owner keeps and edits it. `version` and `markdown` are the
    current version; every save adds an OutlineVersion and bumps `version` (optimistic locking)."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="outline")
    version = models.PositiveIntegerField(default=1)
    markdown = models.TextField()
    source_task = models.ForeignKey(
        OutlineTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Outline of {self.document} (v{self.version})"


class OutlineVersion(models.Model):
    # What made a version, stored in English (the API returns the note as stored) and shown in
    # the reader's language: note_for() writes one of NOTES, note_display reads it back
    # translated. A note that matches none of them (older data, free text) is shown as it is.
    NOTES = {
        "edited": gettext_noop("Edited"),
        "generated": gettext_noop("Generated by task %(id)s"),
        "restored": gettext_noop("Restored version %(number)s"),
        "revised": gettext_noop("Revision %(n)s: %(added)s added, %(removed)s removed, %(changed)s changed"),
        "regenerated": gettext_noop("Regenerated section %(n)s: %(title)s"),
    }

    outline = models.ForeignKey(Outline, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    markdown = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["outline", "number"], name="outline_version_unique")]

    def __str__(self) -> str:
        return f"v{self.number} of {self.outline}"

    @classmethod
    def note_for(cls, kind: str, **params: object) -> str:
        """The note to store for `kind` (a key of NOTES), in English, at most 200 characters."""
        return (cls.NOTES[kind] % params)[:200]

    @property
    def note_display(self) -> str:
        """The note in the active language."""
        note = self.note or self.NOTES["edited"]
        for message, pattern in _NOTE_PATTERNS:
            match = pattern.fullmatch(note)
            if match:
                return gettext(message) % match.groupdict()
        return note


def _note_pattern(message: str) -> re.Pattern[str]:
    """A regex that matches a stored note made from `message` and captures its placeholders."""
    parts = re.split(r"%\((\w+)\)s", message)
    return re.compile(
        "".join(f"(?P<{part}>.*?)" if i % 2 else re.escape(part) for i, part in enumerate(parts)),
        re.DOTALL,
    )


_NOTE_PATTERNS = [(message, _note_pattern(message)) for message in OutlineVersion.NOTES.values()]


class Flag(AbstractUserFlag):
    """A feature flag (django-waffle's, WAFFLE_FLAG_MODEL) that can also be switched off for
    chosen users while it is on for everyone else, e.g. streaming for a user whose corporate
    proxy buffers event streams. The exclusion wins over every other setting."""

    excluded_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("excluded users"),
        help_text=_("Never active for these users, whatever else is set here."),
    )

    class Meta(AbstractUserFlag.Meta):
        verbose_name = _("feature flag")
        verbose_name_plural = _("feature flags")

    def is_active(self, request: HttpRequest, read_only: bool = False) -> bool | None:
        user = getattr(request, "user", None)
        # Not cached: one indexed query, and an admin change takes effect on the next request.
        excluded = (
            self.pk
            and user is not None
            and user.is_authenticated
            and self.excluded_users.filter(pk=user.pk).exists()
        )
        if excluded:
            return False
        return super().is_active(request, read_only=read_only)
