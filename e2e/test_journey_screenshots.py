"""The main journey, photographed at desktop and phone width in light and dark (issue 21): first
visit, upload, a generated outline, edit, a conflict, history, export, API tokens. The pictures
land in var/screenshots/journey-<width>-<theme>-<step>.png for people to look at; each step also
checks that its page shows what it should."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from documents import services
from documents.models import OutlineTask
from documents.tests.conftest import make_docx
from e2e.conftest import CORPUS, log_in, screenshot

OUTLINE = (
    "# 员工手册\n\n## 第一章 工作时间\n\n- 工作时间为 9:00 至 17:30。\n\n## 第二章 休假\n\n- 年假 15 天。\n"
)


def test_the_main_journey_in_pictures(themed_page: Page, live_server, account, width: str, theme: str):  # noqa: ANN001
    page, base = themed_page, live_server.url

    def shot(step: str) -> None:
        screenshot(page, f"journey-{width}-{theme}-{step}")

    page.goto(base)
    expect(page.get_by_test_id("landing-example")).to_be_visible()
    shot("1-first-visit")

    log_in(page, base, account)
    page.get_by_label("Word documents (.docx)").set_input_files(str(CORPUS / "cdocx__TestWord.docx"))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("upload-results")).to_contain_text("Uploaded")
    shot("2-upload")

    # A generated outline (made here: generating one is what the other journeys test).
    document = services.document_create(
        owner=account,
        uploaded=SimpleUploadedFile("员工手册.docx", make_docx([(1, "第一章 工作时间"), (1, "第二章 休假")])),
    )
    task = OutlineTask.objects.create(
        owner=account, document=document, status="succeeded", result=OUTLINE, progress_done=2,
        progress_total=2, metrics={"duration_ms": 8200, "first_chunk_ms": 400, "queue_wait_ms": 30},
    )  # fmt: skip
    outline = services.outline_adopt(task=task, only_if_first=True)
    page.goto(f"{base}/documents/tasks/{task.pk}/")
    expect(page.get_by_test_id("task-status")).to_have_text("Succeeded")
    shot("3-generated")

    page.goto(f"{base}/documents/{document.pk}/outline/edit/")
    expect(page.get_by_test_id("section-editor")).to_be_visible()
    shot("4-edit")

    # Another tab saves meanwhile: this save becomes a merge with one question.
    theirs = OUTLINE.replace("15 天", "20 天")
    services.outline_save(outline=outline, base_version=1, markdown=theirs, author=account)
    edit = "(t) => { t.value = t.value.replace('15 天', '18 天'); }"
    page.locator("textarea[name=markdown]").evaluate(edit)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("merge-question")).to_have_count(1)
    shot("5-conflict")
    page.get_by_label("Take version 2's").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("outline-version")).to_contain_text("version 3")

    page.goto(f"{base}/documents/{document.pk}/outline/history/")
    expect(page.get_by_test_id("version-row")).to_have_count(3)
    shot("6-history")

    page.goto(f"{base}/documents/{document.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export .md").click()
    assert download.value.path().read_text(encoding="utf-8") == theirs
    shot("7-export")

    page.goto(f"{base}/accounts/api-tokens/")
    page.get_by_label("Token name").fill("报告脚本")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    shot("8-api-tokens")
