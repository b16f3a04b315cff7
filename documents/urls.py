from django.urls import path

from documents.views import pages

app_name = "documents"

urlpatterns = [
    path("", pages.document_list, name="document_list"),
    path("upload/", pages.document_upload, name="document_upload"),
    path("<int:document_id>/", pages.document_detail, name="document_detail"),
    path("<int:document_id>/delete/", pages.document_delete, name="document_delete"),
    path("<int:document_id>/outline/", pages.outline_start, name="outline_start"),
    path("<int:document_id>/revise/", pages.document_revise, name="document_revise"),
    path("tasks/<int:task_id>/", pages.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/cancel/", pages.outline_cancel, name="outline_cancel"),
    path("tasks/<int:task_id>/continue/", pages.outline_continue, name="outline_continue"),
    path("activity/", pages.activity, name="activity"),
    path("tasks/<int:task_id>/keep/", pages.outline_keep, name="outline_keep"),
    path("tasks/<int:task_id>/discard/", pages.outline_discard, name="outline_discard"),
    path("tasks/<int:task_id>/queue/", pages.task_queue, name="task_queue"),
    path("tasks/<int:task_id>/section/", pages.section_task, name="section_task"),
    path("<int:document_id>/outline/edit/", pages.outline_edit, name="outline_edit"),
    path("<int:document_id>/outline/preview/", pages.outline_preview, name="outline_preview"),
    path("<int:document_id>/outline/history/", pages.outline_history, name="outline_history"),
    path("<int:document_id>/outline/undo/", pages.outline_undo, name="outline_undo"),
    path("<int:document_id>/outline/panel/", pages.outline_panel, name="outline_panel"),
    path(
        "<int:document_id>/outline/sections/<int:index>/regenerate/",
        pages.section_regenerate,
        name="section_regenerate",
    ),
    path("<int:document_id>/source/<int:source_index>/", pages.document_source, name="document_source"),
    path(
        "<int:document_id>/outline/history/<int:number>/restore/",
        pages.outline_restore,
        name="outline_restore",
    ),
]
