"""The operator's admin: documents, tasks (read-only: the worker owns them), outlines with their
versions, API tokens, and the feature flags (documents.Flag, django-waffle's with exclusions)."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from waffle.admin import FlagAdmin as WaffleFlagAdmin
from waffle.admin import InformativeManyToManyRawIdWidget

from documents import services
from documents.models import ApiToken, Document, Flag, Outline, OutlineTask, OutlineVersion


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "original_filename", "size_bytes", "revision", "created_at")
    list_filter = ("created_at",)
    search_fields = ("title", "original_filename", "owner__username")
    readonly_fields = (
        "sha256",
        "size_bytes",
        "structure",
        "stripped_relationships",
        "warnings",
        "revision_diff",
        "created_at",
    )
    list_select_related = ("owner",)


class ErrorCodeFilter(admin.SimpleListFilter):
    """The error codes that actually occur (not every code the app knows)."""

    title = _("error code")
    parameter_name = "error_code"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        codes = OutlineTask.objects.exclude(error_code="").values_list("error_code", flat=True).distinct()
        return [(code, code) for code in sorted(codes)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutlineTask]) -> QuerySet[OutlineTask]:
        return queryset.filter(error_code=self.value()) if self.value() else queryset


@admin.register(OutlineTask)
class OutlineTaskAdmin(admin.ModelAdmin):
    """Tasks are written by the worker under a state machine: shown, never edited here. The one
    action is a cancel, through the same service the Cancel button uses."""

    list_display = (
        "id",
        "document",
        "owner",
        "status",
        "error_code",
        "duration",
        "first_chunk",
        "created_at",
    )
    list_filter = ("status", ErrorCodeFilter, "created_at")
    search_fields = ("=id", "document__title", "owner__username", "worker")
    list_select_related = ("document", "owner")
    date_hierarchy = "created_at"
    actions = ["cancel_tasks"]
    fields = (
        ("owner", "document"),
        ("status", "error_code"),
        "error_message",
        ("created_at", "started_at", "finished_at", "heartbeat_at"),
        ("worker", "cancel_requested_at"),
        ("progress_done", "progress_total", "last_seq"),
        ("continued_from", "start_section", "section_index"),
        "metrics_table",
        "result",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: OutlineTask | None = None) -> list[str]:
        return [*self.fields_flat(), "metrics_table"]

    def fields_flat(self) -> list[str]:
        flat: list[str] = []
        for entry in self.fields:
            flat.extend(entry if isinstance(entry, tuple) else [entry])
        return [name for name in flat if name != "metrics_table"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutlineTask | None = None) -> bool:
        return False  # a view page: no Save buttons

    def has_delete_permission(self, request: HttpRequest, obj: OutlineTask | None = None) -> bool:
        # A worker may be writing a task in progress; only a finished one can go.
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_terminal)

    def get_actions(self, request: HttpRequest) -> dict:
        # No bulk delete: it would not ask, task by task, whether a worker is still writing it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("duration"))
    def duration(self, task: OutlineTask) -> str:
        ms = (task.metrics or {}).get("duration_ms")
        return "—" if ms is None else f"{ms / 1000:.1f} s"

    @admin.display(description=_("first chunk"))
    def first_chunk(self, task: OutlineTask) -> str:
        ms = (task.metrics or {}).get("first_chunk_ms")
        return "—" if ms is None else f"{ms / 1000:.2f} s"

    @admin.display(description=_("metrics"))
    def metrics_table(self, task: OutlineTask) -> str:
        if not task.metrics:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(task.metrics, indent=2, ensure_ascii=False))

    @admin.action(description=_("Cancel the selected tasks (partial output is kept)"))
    def cancel_tasks(self, request: HttpRequest, queryset: QuerySet[OutlineTask]) -> None:
        cancelled = 0
        for task in queryset.filter(status__in=OutlineTask.ACTIVE):
            services.outline_cancel(task=task)
            cancelled += 1
        message = ngettext(
            "Cancel requested for %(count)d task.", "Cancel requested for %(count)d tasks.", cancelled
        ) % {"count": cancelled}
        self.message_user(request, message, messages.SUCCESS)


class OutlineVersionInline(admin.TabularInline):
    model = OutlineVersion
    fields = ("number", "author", "note", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Outline | None = None) -> bool:
        return False


@admin.register(Outline)
class OutlineAdmin(admin.ModelAdmin):
    """Outlines change through versioned saves in the app; the admin shows them and their history."""

    list_display = ("document", "version", "source_task", "updated_at")
    search_fields = ("document__title", "document__owner__username")
    list_select_related = ("document",)
    readonly_fields = ("document", "version", "markdown", "source_task", "updated_at")
    inlines = [OutlineVersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")


@admin.register(Flag)
class FlagAdmin(WaffleFlagAdmin):
    """waffle's flag admin plus "excluded users". The `streaming` flag: Everyone = Yes streams for
    all, No turns streaming off for all; Unknown with users, groups or a percentage rolls it out;
    excluded users never stream."""

    raw_id_fields = (*WaffleFlagAdmin.raw_id_fields, "excluded_users")
    list_display = ("name", "everyone", "percent", "authenticated", "excluded", "note")

    def formfield_for_dbfield(self, db_field, **kwargs):  # noqa: ANN001, ANN201 (Django's signature)
        if db_field.name == "excluded_users":  # the user names beside the ids, as waffle does for users
            kwargs.pop("request", None)
            kwargs["widget"] = InformativeManyToManyRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using")
            )
            return db_field.formfield(**kwargs)
        return super().formfield_for_dbfield(db_field, **kwargs)

    @admin.display(description=_("excluded users"))
    def excluded(self, flag: Flag) -> str:
        return ", ".join(flag.excluded_users.values_list("username", flat=True)[:10]) or "—"
