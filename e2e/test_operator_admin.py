"""Journey: an operator in the Django admin finds the failed outline tasks, reads one's metrics,
and switches streaming off for one user, whose task cards then poll instead of streaming."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from documents import services
from documents.models import Flag, OutlineTask
from documents.tests.conftest import make_docx
from e2e.conftest import PASSWORD, log_in, screenshot


@pytest.fixture
def operator(transactional_db) -> User:  # noqa: ANN001
    return User.objects.create_superuser("ops", "ops@example.com", PASSWORD)


@pytest.fixture
def tasks(account, settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path
    document = services.document_create(owner=account, uploaded=SimpleUploadedFile("计划.docx", make_docx()))
    failed = OutlineTask.objects.create(
        owner=account, document=document, status=OutlineTask.Status.FAILED, error_code="provider_unreachable",
        metrics={"duration_ms": 5120, "first_chunk_ms": None, "tokens": 0, "worker": "worker-1@vm"},
    )  # fmt: skip
    done = OutlineTask.objects.create(
        owner=account, document=document, status=OutlineTask.Status.SUCCEEDED, result="# 计划",
        metrics={"duration_ms": 2400, "first_chunk_ms": 180, "tokens": 64, "tokens_per_second": 26.7},
    )  # fmt: skip
    return {"document": document, "failed": failed, "done": done}


def _admin(page: Page, base_url: str) -> Page:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Outline tasks")).to_be_visible()
    return page


def test_an_operator_finds_failed_tasks_and_turns_streaming_off_for_a_user(
    page: Page, browser: Browser, live_server, operator, account, tasks
):
    Flag.objects.get_or_create(name="streaming", defaults={"everyone": True})
    admin = _admin(page, live_server.url)

    admin.get_by_role("link", name="Outline tasks").click()
    admin.get_by_role("link", name="provider_unreachable").click()  # the error-code filter
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=str(tasks["failed"].pk)).click()
    expect(admin.locator(".field-metrics_table pre")).to_contain_text('"worker": "worker-1@vm"')
    expect(admin.locator('input[name="status"]')).to_have_count(0)  # read-only
    screenshot(admin, "admin-task")

    admin.goto(f"{live_server.url}/admin/documents/flag/")
    admin.get_by_role("link", name="streaming").click()
    admin.locator("#id_excluded_users").fill(str(account.pk))
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(admin.locator("#result_list")).to_contain_text(account.username)  # the excluded column
    screenshot(admin, "admin-flags")

    # The user's next task card polls instead of streaming.
    context = browser.new_context()
    user_page = log_in(context.new_page(), live_server.url, account)
    task = OutlineTask.objects.create(owner=account, document=tasks["document"])  # queued
    user_page.goto(f"{live_server.url}/documents/tasks/{task.pk}/")
    card = user_page.get_by_test_id("task-card")
    expect(card).to_have_attribute("data-outline-poll", "")
    expect(card).not_to_have_attribute("data-outline-stream", "")
    context.close()
