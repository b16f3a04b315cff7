"""HTML pages and the HTMX partials they include (one markup source for both)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget
from django_htmx.middleware import HtmxDetails

from documents import outline_markdown, selectors, services
from documents.forms import DocumentUploadForm, OutlineEditForm, OutlinePreviewForm
from documents.models import OutlineTask
from documents.validation import DocxRejected
from ops import ratelimits


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _list_context(request: HttpRequest, form: DocumentUploadForm, results: list[dict]) -> dict:
    return {
        "documents": selectors.document_list(user=request.user),
        "form": form,
        "upload_results": results,
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """`/`: a signed-in user's documents; for anyone else, what Outliner does and the way in."""
    if request.user.is_authenticated:
        return redirect("documents:document_list")
    return render(request, "documents/landing.html")


@login_required
@require_GET
def document_list(request: HtmxHttpRequest) -> HttpResponse:
    context = _list_context(request, DocumentUploadForm(), [])
    if request.htmx and request.htmx.target == "document-list":
        return render(request, "documents/partials/document_list.html", context)
    return render(request, "documents/document_list.html", context)


@login_required
@require_POST
def document_upload(request: HtmxHttpRequest) -> HttpResponse:
    """Store every valid file; report each rejected one with its own message."""
    form = DocumentUploadForm(request.POST, request.FILES)
    results: list[dict] = []
    try:
        ratelimits.rate_limit_check(request, ratelimits.UPLOAD)
    except ratelimits.RateLimited as exc:
        return _upload_refused(request, exc)
    limited: ratelimits.RateLimited | None = None
    if form.is_valid():
        for number, uploaded in enumerate(form.cleaned_data["files"]):
            name = services.display_filename(uploaded.name or "")
            # Every file counts against the limit (the check above counted the first): one POST
            # may hold MAX_UPLOAD_FILES of them.
            if number and limited is None:
                try:
                    ratelimits.rate_limit_check(request, ratelimits.UPLOAD)
                except ratelimits.RateLimited as exc:
                    limited = exc
            if limited is not None:
                results.append(
                    {"filename": name, "ok": False, "code": limited.code, "message": limited.message}
                )
                continue
            try:
                document = services.document_create(owner=request.user, uploaded=uploaded)
            except DocxRejected as exc:
                results.append({"filename": name, "ok": False, "code": exc.code, "message": exc.message})
            else:
                duplicate_of = selectors.document_duplicate_of(document=document)
                results.append(
                    {"filename": name, "ok": True, "document": document, "duplicate_of": duplicate_of}
                )
    status = 200 if all(r["ok"] for r in results) and form.is_valid() else 429 if limited else 400
    if request.htmx:
        context = _list_context(request, DocumentUploadForm() if status == 200 else form, results)
        response = render(request, "documents/partials/upload_response.html", context, status=status)
        return _retry_after(response, limited)
    if status == 200:
        for result in results:
            messages.success(request, _("Uploaded “%(name)s”.") % {"name": result["filename"]})
            if result["duplicate_of"] is not None:
                earlier = result["duplicate_of"].title
                messages.info(
                    request, _("It is the same file as “%(title)s”, uploaded before.") % {"title": earlier}
                )
            if result["document"].warnings:
                messages.info(request, _("Parts of it were damaged and skipped; its page lists them."))
        return redirect("documents:document_list")
    # Without JavaScript the page re-renders with the per-file messages; valid files were kept.
    response = render(
        request, "documents/document_list.html", _list_context(request, form, results), status=status
    )
    return _retry_after(response, limited)


def _retry_after(response: HttpResponse, limited: ratelimits.RateLimited | None) -> HttpResponse:
    if limited is not None:
        response["Retry-After"] = str(limited.retry_after)
    return response


def _upload_refused(request: HtmxHttpRequest, exc: ratelimits.RateLimited) -> HttpResponse:
    """429 with the upload form and the reason; nothing of the request was stored."""
    form = DocumentUploadForm()
    context = {**_list_context(request, form, []), "upload_error": exc.message}
    template = "documents/partials/upload_response.html" if request.htmx else "documents/document_list.html"
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@login_required
@require_GET
def document_detail(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, document_id=document_id)
    outline = getattr(document, "outline", None)
    task = selectors.outline_task_latest(user=request.user, document=document)
    if task is not None and outline is not None and outline.source_task_id == task.pk:
        # Its result is the outline above (as edited since): one outline per page. The result as
        # generated stays on the task's page and in the history.
        task = None
    context = {
        "document": document,
        "tree": selectors.document_section_tree(document=document),
        "warnings": selectors.document_warnings(document=document),
        "outline": outline,
        "outline_sections": _panel_sections(outline) if outline else [],
        **_task_context(task),
        "running": selectors.outline_task_running(document=document),
    }
    return render(request, "documents/document_detail.html", context)


def _task_context(task: OutlineTask | None) -> dict:
    if task is None:
        return {"task": None}
    # Shown by pages that are re-rendered rather than streamed (polling, no JavaScript).
    started = task.started_at or task.created_at
    elapsed_ms = None if task.is_terminal else max(0, (timezone.now() - started).total_seconds() * 1000)
    return {
        "task": task,
        "outline_text": selectors.outline_task_text(task=task),
        "can_keep": task.can_keep,
        "elapsed_ms": elapsed_ms,
        "queue": selectors.outline_task_queue(task=task),
    }


def _rejected(
    request: HtmxHttpRequest, exc: services.TaskRejected, fallback: HttpResponse, *, target: str
) -> HttpResponse:
    """A refused outline action: an alert in `target` for HTMX (not in place of the card the
    button sits in), a flash message and a redirect otherwise."""
    if request.htmx:
        context = {"message": exc.message}
        response = render(request, "documents/partials/action_error.html", context, status=exc.status_code)
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return reswap(retarget(response, target), "innerHTML")
    messages.error(request, exc.message)
    return fallback


@login_required
@require_POST
def outline_start(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, document_id=document_id)
    try:
        task = services.outline_start(document=document)
    except services.TaskRejected as exc:
        return _rejected(
            request, exc, redirect("documents:document_detail", document.pk), target="#outline-action-error"
        )
    if request.htmx:
        # The outline already running when the click came is given back, never a second one.
        return _card(request, task)
    return redirect("documents:task_detail", task.pk)


@login_required
@require_POST
def outline_cancel(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    try:
        task = services.outline_cancel(task=task)
    except services.TaskRejected as exc:
        return _rejected(
            request, exc, redirect("documents:task_detail", task.pk), target=f"#task-action-{task.pk}"
        )
    if request.htmx:
        return _card(request, task)
    return redirect("documents:task_detail", task.pk)


@login_required
@require_POST
def outline_continue(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    try:
        new = services.outline_continue(task=task)
    except services.TaskRejected as exc:
        return _rejected(
            request, exc, redirect("documents:task_detail", task.pk), target=f"#task-action-{task.pk}"
        )
    if request.htmx:
        return _card(request, new)
    return redirect("documents:task_detail", new.pk)


@login_required
@require_GET
def activity(request: HtmxHttpRequest) -> HttpResponse:
    """Every task of the user, running first; the list refreshes itself while any is active."""
    tasks = selectors.outline_task_activity(user=request.user)
    context = {"tasks": tasks, "any_active": any(not t.is_terminal for t in tasks)}
    if request.htmx:
        return render(request, "documents/partials/activity_list.html", context)
    return render(request, "documents/activity.html", context)


@login_required
@require_GET
def task_detail(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    """The task on its own page. Without JavaScript it refreshes itself while the task runs."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    context = _task_context(task)
    if request.htmx:
        return _card(request, task, context)
    return render(request, "documents/task_detail.html", context)


def _card(request: HtmxHttpRequest, task: OutlineTask, context: dict | None = None) -> HttpResponse:
    """A task card for HTMX. On the document's page, out of band with it: the "Generate outline"
    button, or the link to the outline already running (one at a time per document; a second
    click started a second task), and the outline panel when this task's result has just become
    the document's first outline (Edit, History, Export and Regenerate came only with a reload)."""
    response = render(request, "documents/partials/task_card.html", context or _task_context(task))
    page = reverse("documents:document_detail", args=[task.document_id])
    if urlsplit(request.htmx.current_url or "").path != page:
        return response
    running = selectors.outline_task_running(document=task.document)
    start = {"document": task.document, "running": running, "shown": task, "oob": True}
    response.content += render(request, "documents/partials/outline_start.html", start).content
    outline = selectors.outline_of_task(task=task)
    if outline is not None:
        panel = {**_panel_context(outline), "oob": True}
        response.content += render(request, "documents/partials/outline_panel.html", panel).content
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    """GET shows a confirmation page (no JavaScript); POST deletes."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    if request.method == "GET":
        return render(request, "documents/document_delete.html", {"document": document})
    title = document.title
    services.document_delete(document=document)
    if request.htmx:
        if request.htmx.target == "document-list":
            context = {"documents": selectors.document_list(user=request.user)}
            return render(request, "documents/partials/document_list.html", context)
        return HttpResponseClientRedirect(reverse("documents:document_list"))
    messages.success(request, _("Deleted “%(title)s”.") % {"title": title})
    return redirect("documents:document_list")


@login_required
@require_POST
def outline_keep(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    """Keep this task's result: a whole outline as the document's outline, a regenerated section's
    text in its section (each a new version; edits stay in history)."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    if task.section_index is None:
        if services.outline_adopt(task=task, author=request.user):
            messages.success(request, _("Kept this result as the outline."))
        return redirect("documents:document_detail", task.document_id)
    try:
        outline = services.section_keep(task=task, author=request.user)
    except services.TaskRejected as exc:
        return _section_decided(request, task, exc.message, error=True)
    return _section_decided(
        request, task, _("Kept the new text: version %(version)s.") % {"version": outline.version}
    )


@login_required
@require_POST
def outline_discard(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    """Set a regenerated section's new text aside: the outline stays as it is."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    if task.section_index is None:
        raise Http404("Not a section task.")
    try:
        services.section_discard(task=task)
    except services.TaskRejected as exc:
        return _section_decided(request, task, exc.message, error=True)
    return _section_decided(request, task, _("Discarded the new text; the section is as it was."))


def _section_decided(
    request: HtmxHttpRequest, task: OutlineTask, message: str, *, error: bool = False
) -> HttpResponse:
    """After Keep or Discard: the outline panel again with the message in it (HTMX), or the
    document page with it as a flash message."""
    if request.htmx:
        outline = selectors.outline_get(user=request.user, document_id=task.document_id)
        context = {**_panel_context(outline), "notice": message, "notice_error": error}
        return render(request, "documents/partials/outline_panel.html", context)
    (messages.error if error else messages.success)(request, message)
    return redirect("documents:document_detail", task.document_id)


@login_required
@require_http_methods(["GET", "POST"])
def outline_edit(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    """Edit the Markdown. A save based on an old version is refused (409) and the page shows
    both texts, so the user can reload or keep theirs on top of the newer version."""
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    initial = {"version": outline.version, "markdown": outline.markdown}
    form = OutlineEditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        markdown = form.cleaned_data["markdown"]
        if keys := form.theirs_keys():  # answers to a merge's questions: their text for these
            theirs = selectors.outline_version_text(outline=outline, number=form.cleaned_data["version"])
            markdown = outline_markdown.take_theirs(markdown, theirs or "", keys)
        try:
            saved = services.outline_save(
                outline=outline,
                base_version=form.cleaned_data["version"],
                markdown=markdown,
                author=request.user,
            )
        except services.VersionConflict as exc:
            outline.refresh_from_db()
            # Their changes to the sections this user did not touch are merged in; only sections
            # both changed are asked about. Saving from here saves on top of the newer version.
            merge = selectors.outline_merge(
                outline=outline, base_version=form.cleaned_data["version"], markdown=markdown
            )
            conflict = {"message": exc.message, "theirs": outline.markdown, "version": exc.current_version,
                        "merge": merge}  # fmt: skip
            form = OutlineEditForm(
                initial={"version": exc.current_version, "markdown": merge["markdown"] if merge else markdown}
            )
        else:
            messages.success(request, _("Saved version %(version)s.") % {"version": saved.version})
            return redirect("documents:document_detail", document_id)
    context = {"outline": outline, "document": outline.document, "form": form, "conflict": conflict}
    return render(request, "documents/outline_edit.html", context, status=409 if conflict else 200)


@login_required
@require_POST
def outline_preview(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    """Live preview for the editor (HTMX): the Markdown as it will show once saved (an outline
    over the size limit gets the editor's message instead)."""
    selectors.outline_get(user=request.user, document_id=document_id)  # access check
    form = OutlinePreviewForm(request.POST)
    context = {"markdown": form.cleaned_data["markdown"] if form.is_valid() else "", "preview_form": form}
    return render(request, "documents/partials/outline_preview.html", context)


@login_required
@require_GET
def outline_history(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    versions = selectors.outline_versions(outline=outline)
    return render(request, "documents/outline_history.html", {"outline": outline, "versions": versions})


@login_required
@require_POST
def outline_restore(request: HtmxHttpRequest, document_id: int, number: int) -> HttpResponse:
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    try:
        base = int(request.POST.get("version", ""))
        services.outline_restore(outline=outline, number=number, base_version=base, author=request.user)
    except (ValueError, services.VersionConflict):
        messages.error(request, _("The outline changed meanwhile; look at the latest history and try again."))
        return redirect("documents:outline_history", document_id)
    messages.success(request, _("Restored version %(number)s.") % {"number": number})
    return redirect("documents:document_detail", document_id)


@login_required
@require_GET
def document_source(request: HtmxHttpRequest, document_id: int, source_index: int) -> HttpResponse:
    """The part of the .docx an outline section came from (the side pane; a page without JS)."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    context = {
        "document": document,
        "source": selectors.document_source(document=document, source_index=source_index),
    }
    if request.htmx:
        return render(request, "documents/partials/source_pane.html", context)
    return render(request, "documents/document_source.html", context)


@login_required
@require_POST
def outline_undo(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    """Undo the last change: the previous version becomes current (as a new version)."""
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    previous = outline.version - 1  # read first: the undo makes a new version of that text
    if services.outline_undo(outline=outline, author=request.user):
        messages.success(request, _("Undone: back to the text of version %(n)s.") % {"n": previous})
    return redirect("documents:document_detail", document_id)


def _panel_context(outline) -> dict:  # noqa: ANN001
    return {"outline": outline, "sections": _panel_sections(outline)}


def _panel_sections(outline) -> list[dict]:  # noqa: ANN001
    """The outline's sections, each with the regeneration the user has not settled, if any."""
    sections = selectors.outline_sections(outline=outline)
    for index, task in selectors.outline_open_section_tasks(outline=outline).items():
        if index < len(sections):
            sections[index]["task"] = task
    return sections


@login_required
@require_GET
def outline_panel(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    """The outline panel alone (HTMX refreshes it when a section finished regenerating)."""
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    return render(request, "documents/partials/outline_panel.html", _panel_context(outline))


@login_required
@require_POST
def section_regenerate(request: HtmxHttpRequest, document_id: int, index: int) -> HttpResponse:
    """Stream a new summary for one section beside its current text; Keep puts it in the outline."""
    outline = selectors.outline_get(user=request.user, document_id=document_id)
    try:
        # The version the page showed: the section is the one the user saw there, wherever an
        # edit from another tab has moved it since.
        version = request.POST.get("version", "")
        task = services.outline_section_regenerate(
            outline=outline, index=index, version=int(version) if version.isdigit() else None
        )
    except services.TaskRejected as exc:
        return _rejected(
            request,
            exc,
            redirect("documents:document_detail", document_id),
            target=f"#section-{index}-action",
        )
    if request.htmx:
        return render(request, "documents/partials/section_task.html", _section_context(task, outline))
    return redirect("documents:task_detail", task.pk)


def _section_context(task: OutlineTask, outline) -> dict:  # noqa: ANN001
    index = selectors.section_now(task=task, outline=outline)
    return {
        "task": task,
        "outline": outline,
        "outline_text": selectors.outline_task_text(task=task),
        "current_text": selectors.outline_section_text(outline=outline, index=index),
    }


@login_required
@require_GET
def task_queue(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    """A queued task's place in line, re-rendered every 2 s by its card until the task starts."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    if not request.htmx:
        return redirect("documents:task_detail", task.pk)
    context = {"task": task, "queue": selectors.outline_task_queue(task=task), "poll": True}
    return render(request, "documents/partials/task_queue.html", context)


@login_required
@require_GET
def section_task(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    """A section being regenerated, re-rendered with its text so far (polled when streaming is off)."""
    task = selectors.outline_task_get(user=request.user, task_id=task_id)
    if task.section_index is None:
        raise Http404("Not a section task.")
    outline = selectors.outline_get(user=request.user, document_id=task.document_id)
    if not request.htmx:
        return redirect("documents:task_detail", task.pk)
    return render(request, "documents/partials/section_task.html", _section_context(task, outline))


@login_required
@require_POST
def document_revise(request: HtmxHttpRequest, document_id: int) -> HttpResponse:
    """Upload a revised .docx: the page then shows what was added, removed or changed."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    uploaded = request.FILES.get("file")
    try:
        ratelimits.rate_limit_check(request, ratelimits.UPLOAD)
    except ratelimits.RateLimited as exc:
        messages.error(request, exc.message)
        return redirect("documents:document_detail", document_id)
    if uploaded is None:
        messages.error(request, _("Choose the revised .docx file to upload."))
    else:
        try:
            services.document_revise(document=document, uploaded=uploaded, author=request.user)
        except DocxRejected as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Uploaded revision %(n)s.") % {"n": document.revision})
            if document.warnings:
                messages.info(request, _("Parts of it were damaged and skipped; they are listed below."))
    return redirect("documents:document_detail", document_id)
