from django.contrib import admin

from documents.models import ApiToken, Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "original_filename", "size_bytes", "created_at")
    list_filter = ("created_at",)
    search_fields = ("title", "original_filename", "owner__username")
    readonly_fields = ("sha256", "size_bytes", "structure", "stripped_relationships", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
