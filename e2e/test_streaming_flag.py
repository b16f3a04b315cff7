"""Journey: the `streaming` feature flag both ways. On (the default), the task card reads the SSE
stream; switched off for this user in the admin's flag, the same card polls its partial text every
second until the outline is finished, and stops."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, Request, expect

from documents import services
from documents.models import Flag, OutlineTask
from documents.tests.conftest import make_docx
from e2e.conftest import screenshot

# Enough sections that the outline takes a few seconds: the polling card must be seen growing
# (four were done within one poll once the points came faster).
SECTIONS = [
    (1, "项目背景"), (2, "市场分析"), (2, "竞争对手"), (1, "实施计划"), (2, "第一阶段"), (2, "第二阶段"),
    (2, "第三阶段"), (1, "预算"), (2, "人员"), (2, "风险"),
]  # fmt: skip
BODY = "公司计划在明年上线新的电商平台，以提升线上销售额并改善客户体验，由信息技术部牵头分三个阶段完成。"
TERMINAL = {"succeeded", "failed", "cancelled"}


@pytest.fixture
def streaming_flag(transactional_db) -> Flag:  # noqa: ANN001
    # The migration creates it; a transactional test before this one may have flushed the row.
    flag, _ = Flag.objects.get_or_create(name="streaming", defaults={"everyone": True})
    return flag


@pytest.fixture
def document_page(signed_in: Page, live_server, account, celery_worker_process) -> Page:  # noqa: ANN001
    document = services.document_create(
        owner=account, uploaded=SimpleUploadedFile("电商平台计划.docx", make_docx(SECTIONS, body=BODY))
    )
    signed_in.goto(f"{live_server.url}/documents/{document.pk}/")
    return signed_in


def _record(page: Page) -> list[str]:
    paths: list[str] = []

    def on_request(request: Request) -> None:
        paths.append(re.sub(r"^https?://[^/]+", "", request.url))

    page.on("request", on_request)
    return paths


def _watch_until_done(page: Page, timeout: float = 90) -> list[str]:
    """The pane's text at every look until the card is finished (the texts, in order)."""
    card, pane = page.get_by_test_id("task-card"), page.get_by_test_id("outline-pane")
    texts: list[str] = []
    deadline = time.monotonic() + timeout
    while card.get_attribute("data-status") not in TERMINAL:
        assert time.monotonic() < deadline, "the outline did not finish"
        texts.append(pane.inner_text())
        page.wait_for_timeout(150)
    return texts


def test_with_streaming_on_the_card_reads_the_event_stream(document_page: Page, streaming_flag: Flag):
    page = document_page
    requests = _record(page)

    page.get_by_role("button", name="Generate outline").click()
    card = page.get_by_test_id("task-card")
    expect(card).to_have_attribute("data-outline-bound", "")
    _watch_until_done(page)

    task = OutlineTask.objects.get()
    expect(card).to_have_attribute("data-status", "succeeded")
    assert f"/api/v1/tasks/{task.pk}/stream" in requests
    polls = [p for p in requests if p == f"/documents/tasks/{task.pk}/"]
    assert len(polls) <= 1  # only the re-render when it finished: no polling
    for _, title in SECTIONS:
        expect(page.get_by_test_id("outline-pane")).to_contain_text(title)


def test_with_streaming_off_for_this_user_the_card_polls_the_partial_text(
    document_page: Page, streaming_flag: Flag, account
):
    # What an operator does in the admin (Feature flags → streaming → Excluded users).
    streaming_flag.excluded_users.add(account)
    page = document_page
    page.reload()
    requests = _record(page)

    page.get_by_role("button", name="Generate outline").click()
    card = page.get_by_test_id("task-card")
    expect(card).to_have_attribute("data-outline-poll", "")
    texts = _watch_until_done(page)
    screenshot(page, "outline-polled")

    task = OutlineTask.objects.get()
    assert task.status == OutlineTask.Status.SUCCEEDED
    expect(card).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("task-status")).to_have_text("Succeeded")
    assert not any("/stream" in path for path in requests), "a polling card must not open the stream"
    polls = [p for p in requests if p == f"/documents/tasks/{task.pk}/"]
    assert len(polls) >= 2, polls
    # The partial text showed while it was being written, growing, before the end.
    partial = [len(t) for t in texts if t.strip()]
    assert len(set(partial)) >= 2 and partial == sorted(partial), partial
    for _, title in SECTIONS:
        expect(page.get_by_test_id("outline-pane")).to_contain_text(title)

    # Finished: the card stops polling.
    count = len(requests)
    page.wait_for_timeout(2500)
    assert [p for p in requests[count:] if p.startswith("/documents/tasks/")] == []
