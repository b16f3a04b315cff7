"""Journeys: stop an outline, continue it, see a friendly error when the AI is down, hit the limit,
follow tasks on the Activity page, get told when a background tab's outline is ready."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from documents import services
from documents.models import OutlineTask
from documents.tests.conftest import make_docx
from e2e.conftest import screenshot

# Many sections with real text: long enough to act on while it runs.
SECTIONS = [(1, f"第{n}章 概述") for n in "一二三四五六七八"]
BODY = (
    "本章介绍项目的背景、目标和主要任务，说明各部门的职责分工，并列出关键的时间节点与验收标准，"
    "以便所有参与者对项目范围形成一致的理解。"
)
FINISHED = "succeeded|failed|cancelled"


@pytest.fixture
def document(account):  # noqa: ANN001, ANN201
    return services.document_create(
        owner=account, uploaded=SimpleUploadedFile("项目计划.docx", make_docx(SECTIONS, body=BODY))
    )


@pytest.fixture
def document_page(signed_in: Page, live_server, document, celery_worker_process) -> Page:  # noqa: ANN001
    signed_in.goto(f"{live_server.url}/documents/{document.pk}/")
    return signed_in


@pytest.fixture
def small_document_page(signed_in: Page, live_server, account, celery_worker_process) -> Page:  # noqa: ANN001
    """For journeys that only need an outline to finish: two sections."""
    document = services.document_create(
        owner=account, uploaded=SimpleUploadedFile("项目计划.docx", make_docx(SECTIONS[:2], body=BODY))
    )
    signed_in.goto(f"{live_server.url}/documents/{document.pk}/")
    return signed_in


def _card(page: Page):  # noqa: ANN202
    return page.get_by_test_id("task-card")


def _wait_until(condition, timeout: float = 30.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_cancel_a_running_outline_then_continue_it(document_page: Page, account):  # noqa: ANN001
    page = document_page
    page.get_by_role("button", name="Generate outline").click()
    expect(page.get_by_test_id("outline-pane")).to_contain_text("第二章", timeout=30_000)

    page.get_by_role("button", name="Cancel").click()

    expect(_card(page)).to_have_attribute("data-status", "cancelled", timeout=10_000)
    expect(page.get_by_test_id("task-status")).to_have_text("Cancelled")
    cancelled = OutlineTask.objects.get()
    assert cancelled.status == "cancelled" and cancelled.result and "第八章" not in cancelled.result
    screenshot(page, "cancelled")

    # Another of the user's outlines holds their running slot, so the continuation waits in line:
    # its card keeps the text so far (it was an empty box) and says where it is in the queue.
    other = services.outline_start(
        document=services.document_create(
            owner=account, uploaded=SimpleUploadedFile("另一份.docx", make_docx(SECTIONS, body=BODY))
        )
    )
    _wait_until(lambda: OutlineTask.objects.get(pk=other.pk).status == "running")
    page.get_by_role("button", name="Continue").click()
    expect(_card(page)).to_have_attribute("data-status", "queued")
    expect(page.get_by_test_id("outline-pane")).to_contain_text("第一章 概述")
    expect(page.get_by_test_id("task-queue")).to_contain_text("number 1 in the queue")
    screenshot(page, "continue-queued")
    services.outline_cancel(task=OutlineTask.objects.get(pk=other.pk))

    expect(page.get_by_test_id("task-queue")).to_be_hidden(timeout=30_000)  # it started
    expect(_card(page)).to_have_attribute("data-status", "succeeded", timeout=90_000)
    headings = page.get_by_test_id("outline-pane").locator("h2").all_text_contents()
    assert headings == [title for _, title in SECTIONS]
    continued = OutlineTask.objects.get(continued_from=cancelled)
    assert continued.result.count("## 第一章 概述") == 1
    assert continued.status == "succeeded"
    kept = cancelled.result[: cancelled.section_offsets[str(continued.start_section)]]
    assert continued.result.startswith(kept)
    expect(page.get_by_test_id("task-metrics")).to_contain_text("tokens")
    screenshot(page, "continued")


def test_cancel_without_javascript(
    signed_in_without_js: Page,
    live_server,
    document,
    celery_worker_process,  # noqa: ANN001
):
    page = signed_in_without_js
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.get_by_role("button", name="Generate outline").click()
    expect(page).to_have_url(re.compile(r"/documents/tasks/\d+/$"))

    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_test_id("task-status")).to_have_text("Cancelled", timeout=15_000)
    expect(page.get_by_role("button", name="Continue")).to_be_visible()


def test_friendly_error_when_the_ai_is_down_and_continue_after_it_is_back(
    document_page: Page,
    model_server_process,  # noqa: ANN001
):
    page = document_page
    model_server_process.stop()
    try:
        page.get_by_role("button", name="Generate outline").click()
        expect(_card(page)).to_have_attribute("data-status", "failed", timeout=30_000)
        error = page.get_by_test_id("task-error")
        expect(error).to_have_text(
            "The AI service could not be reached. Check that it is running, then continue."
        )
        expect(page.locator("body")).not_to_contain_text("Traceback")
        screenshot(page, "provider-down")
    finally:
        model_server_process.start()

    page.get_by_role("button", name="Continue").click()
    expect(_card(page)).to_have_attribute("data-status", "succeeded", timeout=90_000)


def test_one_outline_at_a_time_per_document_and_the_limit_on_active_outlines_is_explained(
    document_page: Page,
    live_server,
    account,
    settings,  # noqa: ANN001
):
    settings.MAX_ACTIVE_TASKS_PER_USER = 1
    page = document_page
    page.get_by_role("button", name="Generate outline").click()
    expect(_card(page)).to_have_attribute("data-outline-bound", "")
    # While it runs this document offers the running outline, not a second one.
    page.get_by_role("link", name="Show the running outline").click()
    expect(page.get_by_test_id("task-card")).to_have_count(1)

    other = services.document_create(
        owner=account, uploaded=SimpleUploadedFile("另一份计划.docx", make_docx(SECTIONS[:2], body=BODY))
    )
    page.goto(f"{live_server.url}/documents/{other.pk}/")
    page.get_by_role("button", name="Generate outline").click()

    expect(page.get_by_test_id("action-error")).to_have_text(
        "You already have the maximum number of outlines in progress. Wait for one to finish or cancel one."
    )
    expect(page.get_by_test_id("task-card")).to_have_count(0)
    # Back on the first document: once its outline is done, the button is back.
    page.go_back()
    expect(page.get_by_role("button", name="Generate outline")).to_be_visible(timeout=90_000)


def test_activity_page_follows_a_running_task(small_document_page: Page):
    page = small_document_page
    page.get_by_role("button", name="Generate outline").click()
    expect(_card(page)).to_have_attribute("data-outline-bound", "")

    page.get_by_role("link", name="Activity").click()
    row = page.get_by_test_id("activity-row").first
    expect(row).to_contain_text("项目计划")
    expect(row).to_have_attribute("data-status", re.compile("queued|preparing|running"))
    screenshot(page, "activity-running")
    expect(row).to_have_attribute("data-status", "succeeded", timeout=90_000)


def test_background_tab_title_and_notification_when_done(small_document_page: Page):
    page = small_document_page
    page.context.grant_permissions(["notifications"])
    # Record notifications instead of showing them; pretend the tab went to the background.
    page.evaluate(
        """() => {
            window.__notes = [];
            const Real = window.Notification;
            window.Notification = class extends Real {
                constructor(title, options) {
                    super(title, options);
                    window.__notes.push([title, options.body]);
                }
            };
            Object.defineProperty(window.Notification, "permission", { get: () => "granted" });
        }"""
    )
    page.get_by_role("button", name="Notify me when done").click()
    expect(page.get_by_role("button", name="Notifications on")).to_be_visible()
    page.get_by_role("button", name="Generate outline").click()
    expect(_card(page)).to_have_attribute("data-outline-bound", "")
    page.evaluate(
        """() => {
            Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )

    expect(page).to_have_title(re.compile(r"^✓ \(1\) Outline ready"), timeout=90_000)
    assert page.evaluate("window.__notes") == [["Outline ready", "The outline of “项目计划” is ready."]]
