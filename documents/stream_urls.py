"""The SSE endpoint's URL. project/urls.py serves it under api/v1/, in the API's namespace and
ahead of ninja's routes, so it reverses as api-v1:task_stream like the rest of API v1."""

from __future__ import annotations

from django.urls import path

from documents.views import stream

urlpatterns = [
    # <task_id>, not <int:task_id>: a malformed id gets the API's 400 JSON error (as on every API
    # path), not the site's HTML 404; the view validates it.
    path("tasks/<task_id>/stream", stream.task_stream, name="task_stream"),
]
