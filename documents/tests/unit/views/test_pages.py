from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services
from documents.models import Document

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_pages_require_login(client):
    response = client.get(reverse("documents:document_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_signup_creates_account_and_logs_in(client):
    response = client.post(
        reverse("signup"),
        {"username": "王小明", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.context["user"].username == "王小明"


def test_a_password_that_breaks_the_rules_is_told_so_under_the_password(client, db):
    # It showed under "Password confirmation"; the rules were a list inside a <p>.
    response = client.post(reverse("signup"), {"username": "王小明", "password1": "123", "password2": "123"})

    form = response.context["form"]
    assert "password1" in form.errors and "password2" not in form.errors
    assert "too short" in " ".join(form.errors["password1"])
    html = response.content.decode()
    assert '<div class="text-xs' in html and 'id="id_password1_helptext"' in html and "<ul>" in html


def test_empty_state_is_shown_without_documents(logged_in):
    response = logged_in.get(reverse("documents:document_list"))

    assert b'data-testid="empty-state"' in response.content


def test_plain_upload_of_several_files_redirects_and_stores_all(logged_in, docx_bytes):
    files = [SimpleUploadedFile("一.docx", docx_bytes()), SimpleUploadedFile("two.docx", docx_bytes())]
    response = logged_in.post(reverse("documents:document_upload"), {"files": files})

    assert response.status_code == 302
    assert sorted(Document.objects.values_list("original_filename", flat=True)) == ["two.docx", "一.docx"]


def test_upload_with_a_bad_file_keeps_good_ones_and_names_the_bad_one(logged_in, docx_bytes):
    files = [
        SimpleUploadedFile("good.docx", docx_bytes()),
        SimpleUploadedFile("fake.docx", b"MZ\x90\x00 exe"),
    ]
    response = logged_in.post(reverse("documents:document_upload"), {"files": files})

    assert response.status_code == 400
    assert 'data-error-code="not_docx"' in response.content.decode()
    assert list(Document.objects.values_list("original_filename", flat=True)) == ["good.docx"]


def test_htmx_upload_returns_panel_and_out_of_band_list(logged_in, docx_bytes):
    response = logged_in.post(
        reverse("documents:document_upload"),
        {"files": [SimpleUploadedFile("a.docx", docx_bytes())]},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="upload-panel"' in html and 'hx-swap-oob="true"' in html and "<html" not in html


def test_upload_without_files_shows_form_error(logged_in):
    response = logged_in.post(reverse("documents:document_upload"), {})

    assert response.status_code == 400
    assert "Choose at least one .docx file" in response.content.decode()


def test_detail_shows_structure_tree(logged_in, user, docx_bytes):
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("t.docx", docx_bytes()))

    html = logged_in.get(reverse("documents:document_detail", args=[document.pk])).content.decode()

    assert 'data-testid="structure-tree"' in html
    assert html.index("Introduction") < html.index("背景") < html.index("结论")


def test_another_users_document_is_404_on_every_page(logged_in, other_user, docx_bytes):
    theirs = services.document_create(owner=other_user, uploaded=SimpleUploadedFile("t.docx", docx_bytes()))

    assert logged_in.get(reverse("documents:document_detail", args=[theirs.pk])).status_code == 404
    assert logged_in.get(reverse("documents:document_delete", args=[theirs.pk])).status_code == 404
    assert logged_in.post(reverse("documents:document_delete", args=[theirs.pk])).status_code == 404
    assert Document.objects.filter(pk=theirs.pk).exists()


def test_delete_confirms_on_get_and_deletes_on_post(logged_in, user, docx_bytes):
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("t.docx", docx_bytes()))
    url = reverse("documents:document_delete", args=[document.pk])

    assert "cannot be undone" in logged_in.get(url).content.decode()
    assert Document.objects.exists()
    assert logged_in.post(url).status_code == 302
    assert not Document.objects.exists()


def test_htmx_delete_returns_refreshed_list(logged_in, user, docx_bytes):
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("t.docx", docx_bytes()))

    response = logged_in.post(
        reverse("documents:document_delete", args=[document.pk]),
        headers={**HTMX, "HX-Target": "document-list"},
    )

    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()


@pytest.fixture
def queued_task(user, docx_bytes, monkeypatch):  # noqa: ANN001, ANN201
    from documents import tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("t.docx", docx_bytes()))
    return services.outline_start(document=document)


def test_plain_cancel_post_redirects_to_the_task_page(logged_in, queued_task):
    response = logged_in.post(reverse("documents:outline_cancel", args=[queued_task.pk]))

    assert response.status_code == 302 and response.url == reverse(
        "documents:task_detail", args=[queued_task.pk]
    )
    queued_task.refresh_from_db()
    assert queued_task.status == "cancelled"


def test_htmx_cancel_returns_the_card_with_continue(logged_in, queued_task):
    response = logged_in.post(reverse("documents:outline_cancel", args=[queued_task.pk]), headers=HTMX)

    html = response.content.decode()
    assert f'id="task-card-{queued_task.pk}"' in html and ">Continue<" in html and ">Cancel<" not in html


def test_htmx_continue_returns_a_new_card(logged_in, queued_task):
    services.outline_cancel(task=queued_task)

    response = logged_in.post(reverse("documents:outline_continue", args=[queued_task.pk]), headers=HTMX)

    assert response.status_code == 200
    assert f'id="task-card-{queued_task.pk + 1}"' in response.content.decode()


def test_limit_message_goes_to_the_alert_slot_not_over_the_card(logged_in, queued_task, settings, docx_bytes):
    settings.MAX_ACTIVE_TASKS_PER_USER = 1
    # Another document: the same one would get its running outline back.
    other = services.document_create(
        owner=queued_task.owner, uploaded=SimpleUploadedFile("o.docx", docx_bytes())
    )
    url = reverse("documents:outline_start", args=[other.pk])

    response = logged_in.post(url, headers=HTMX)

    assert response.status_code == 429
    assert response["HX-Retarget"] == "#outline-action-error"
    assert "maximum number of outlines in progress" in response.content.decode()


def test_limit_message_without_javascript_is_a_flash_message(logged_in, queued_task, settings, docx_bytes):
    settings.MAX_ACTIVE_TASKS_PER_USER = 1
    # Another document: the same one would get its running outline back.
    other = services.document_create(
        owner=queued_task.owner, uploaded=SimpleUploadedFile("o.docx", docx_bytes())
    )
    url = reverse("documents:outline_start", args=[other.pk])

    response = logged_in.post(url, follow=True)

    assert "maximum number of outlines in progress" in response.content.decode()


def test_activity_lists_tasks_active_first_and_polls_while_active(logged_in, queued_task):
    from documents.models import OutlineTask

    done = OutlineTask.objects.create(
        owner=queued_task.owner, document=queued_task.document, status="succeeded"
    )

    response = logged_in.get(reverse("documents:activity"))

    assert [t.pk for t in response.context["tasks"]] == [queued_task.pk, done.pk]
    assert 'hx-trigger="every 2s"' in response.content.decode()


def test_another_users_task_pages_are_404(client, other_user, queued_task):
    client.force_login(other_user)

    assert client.get(reverse("documents:task_detail", args=[queued_task.pk])).status_code == 404
    assert client.post(reverse("documents:outline_cancel", args=[queued_task.pk])).status_code == 404
    assert client.post(reverse("documents:outline_continue", args=[queued_task.pk])).status_code == 404


def test_failed_task_that_cannot_continue_offers_try_again(logged_in, queued_task):
    from documents.models import OutlineTask

    OutlineTask.objects.filter(pk=queued_task.pk).update(status="failed", error_code="invalid_input")

    html = logged_in.get(reverse("documents:task_detail", args=[queued_task.pk])).content.decode()

    assert ">Try again<" in html and ">Continue<" not in html
    assert "no headings and no text" in html


@pytest.mark.django_db(transaction=True)
def test_the_finished_card_brings_the_first_outline_panel_to_the_document_page(
    logged_in, queued_task, no_celery
):
    # Edit, History, Export and Regenerate appeared only after a reload.
    from documents.tests.fakes import FakeProvider

    services.outline_generate(task_id=queued_task.pk, provider=FakeProvider())
    card_url = reverse("documents:task_detail", args=[queued_task.pk])
    page = "http://testserver" + reverse("documents:document_detail", args=[queued_task.document_id])

    on_document_page = logged_in.get(card_url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    on_task_page = logged_in.get(
        card_url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver" + card_url
    )

    html = on_document_page.content.decode()
    assert 'data-testid="task-card"' in html
    assert 'id="outline-panel" hx-swap-oob="outerHTML"' in html and ">Edit<" in html
    assert "outline-panel" not in on_task_page.content.decode()
    document_page = logged_in.get(page).content.decode()
    assert 'data-testid="outline-panel"' in document_page


def test_while_the_outline_runs_the_generate_button_is_a_link_to_it(logged_in, queued_task):
    # A second click started a second task; the first one's card vanished while it held a worker.
    page = "http://testserver" + reverse("documents:document_detail", args=[queued_task.document_id])
    card_url = reverse("documents:task_detail", args=[queued_task.pk])

    card = logged_in.get(card_url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page).content.decode()

    assert 'id="outline-start" hx-swap-oob="outerHTML"' in card and "Show the running outline" in card
    html = logged_in.get(page).content.decode()
    assert f'href="#task-card-{queued_task.pk}"' in html and "Show the running outline" in html
    assert reverse("documents:outline_start", args=[queued_task.document_id]) not in html


def test_a_second_generate_gives_back_the_running_outline(logged_in, api_client, queued_task):
    from documents.models import OutlineTask

    start = reverse("documents:outline_start", args=[queued_task.document_id])
    plain = logged_in.post(start)
    by_api = api_client.post(f"/api/v1/documents/{queued_task.document_id}/tasks")

    assert plain.status_code == 302 and plain.url == reverse("documents:task_detail", args=[queued_task.pk])
    assert by_api.status_code == 200 and by_api.json()["id"] == queued_task.pk
    assert OutlineTask.objects.filter(document_id=queued_task.document_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_document_page_shows_one_outline(logged_in, queued_task, no_celery):
    # After an edit the page showed the edited outline above the old generated card.
    from documents.models import Outline
    from documents.tests.fakes import FakeProvider

    services.outline_generate(task_id=queued_task.pk, provider=FakeProvider())
    outline = Outline.objects.get(document_id=queued_task.document_id)
    services.outline_save(outline=outline, base_version=1, markdown="# 改过\n\n## 一\n", author=None)
    page = reverse("documents:document_detail", args=[queued_task.document_id])

    edited = logged_in.get(page).content.decode()

    assert 'data-testid="outline-panel"' in edited and 'data-testid="task-card"' not in edited
    later = services.outline_start(document=queued_task.document)
    services.outline_generate(task_id=later.pk, provider=FakeProvider())
    offered = logged_in.get(page).content.decode()
    assert 'data-testid="task-card"' in offered and "Keep this outline" in offered  # a new result to keep
    logged_in.post(reverse("documents:outline_keep", args=[later.pk]))
    kept = logged_in.get(page).content.decode()
    assert 'data-testid="task-card"' not in kept
    # The result as generated is still on its task's page.
    assert (
        'data-testid="task-card"'
        in logged_in.get(reverse("documents:task_detail", args=[later.pk])).content.decode()
    )


def test_the_same_file_uploaded_again_is_said_to_be_one_with_a_link_to_the_first(
    logged_in, api_client, user, docx_bytes
):
    # It made a silent duplicate.
    data = docx_bytes()
    first = api_client.post("/api/v1/documents", {"file": SimpleUploadedFile("计划.docx", data)})
    again = api_client.post("/api/v1/documents", {"file": SimpleUploadedFile("计划 (1).docx", data)})
    upload = {"files": [SimpleUploadedFile("计划.docx", data)]}
    page = logged_in.post(reverse("documents:document_upload"), upload, headers={"HX-Request": "true"})
    other = api_client.post(
        "/api/v1/documents", {"file": SimpleUploadedFile("别的.docx", docx_bytes([(1, "别的")]))}
    )

    assert first.status_code == 201 and first.json()["duplicate_of"] is None
    assert again.status_code == 201 and again.json()["duplicate_of"] == first.json()["id"]
    assert other.json()["duplicate_of"] is None
    html = page.content.decode()
    assert "It is the same file as" in html
    assert f'href="{reverse("documents:document_detail", args=[first.json()["id"]])}"' in html


def test_a_task_whose_record_lacks_some_metrics_still_shows(logged_in, user, docx_bytes):
    """An older task (or one an admin edited) with only some metrics gave a server error."""
    from documents.models import OutlineTask

    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("a.docx", docx_bytes()))
    task = OutlineTask.objects.create(
        owner=user, document=document, status="succeeded", result="# a\n", metrics={"duration_ms": 8200}
    )

    response = logged_in.get(reverse("documents:task_detail", args=[task.pk]))

    assert response.status_code == 200 and "8.2 s" in response.content.decode()


# ----------------------------------------------------------------------------- files Word would repair


def _repaired_upload(name: str = "损坏.docx") -> SimpleUploadedFile:
    from documents.tests import docx_factory as factory

    return SimpleUploadedFile(name, factory.malformed_core_and_missing_image_docx())


def test_the_document_page_lists_the_repairs_under_their_heading(logged_in, user):
    document = services.document_create(owner=user, uploaded=_repaired_upload())

    html = logged_in.get(reverse("documents:document_detail", args=[document.pk])).content.decode()

    notes = html[html.index('data-testid="repair-notes"') :]
    notes = notes[: notes.index("</section>")]
    assert "Opened with repairs" in notes
    assert 'data-warning-code="metadata_unreadable"' in notes and 'data-warning-code="missing_part"' in notes
    assert "The document&#x27;s properties (docProps/core.xml) could not be read and were skipped." in notes
    assert "A picture or other part the document refers to (word/media/image1.png) is missing" in notes
    assert 'data-testid="structure-tree"' in html  # the text was read all the same


def test_the_document_page_of_a_sound_file_has_no_repair_notes(logged_in, user, docx_bytes):
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("好.docx", docx_bytes()))

    html = logged_in.get(reverse("documents:document_detail", args=[document.pk])).content.decode()

    assert 'data-testid="repair-notes"' not in html and "Opened with repairs" not in html


def test_the_repair_notes_read_in_chinese(user):
    from django.conf import settings
    from django.test import Client

    document = services.document_create(owner=user, uploaded=_repaired_upload())
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(user)

    html = client.get(reverse("documents:document_detail", args=[document.pk])).content.decode()

    assert "经修复后打开" in html and "Opened with repairs" not in html
    assert "无法读取文档属性（docProps/core.xml），已跳过。" in html
    assert "文档引用的图片或其他部分（word/media/image1.png）缺失，已跳过。" in html


def test_an_htmx_upload_that_needed_repairs_succeeds_and_says_so(logged_in):
    response = logged_in.post(
        reverse("documents:document_upload"), {"files": [_repaired_upload()]}, headers=HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="repair-notice"' in html and "its page lists them" in html
    assert Document.objects.get().warnings[0]["code"] == "metadata_unreadable"


def test_a_plain_upload_that_needed_repairs_redirects_with_a_note(logged_in):
    response = logged_in.post(
        reverse("documents:document_upload"), {"files": [_repaired_upload()]}, follow=True
    )

    assert response.redirect_chain[0][1] == 302
    assert "Parts of it were damaged and skipped; its page lists them." in response.content.decode()


def test_a_revision_that_needed_repairs_is_uploaded_and_the_page_lists_them(logged_in, user, docx_bytes):
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("好.docx", docx_bytes()))

    response = logged_in.post(
        reverse("documents:document_revise", args=[document.pk]), {"file": _repaired_upload()}, follow=True
    )

    html = response.content.decode()
    assert "Uploaded revision 2." in html and "they are listed below" in html
    assert 'data-testid="repair-notes"' in html and "docProps/core.xml" in html
