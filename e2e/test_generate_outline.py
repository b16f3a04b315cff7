"""Journey: upload a document, generate its outline and watch it stream in; reload mid-stream."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Locator, Page, expect

from documents import services
from documents.models import OutlineTask
from documents.tests.conftest import make_docx
from e2e.conftest import screenshot

SECTIONS = [(1, "项目背景"), (2, "市场分析"), (2, "竞争对手"), (1, "实施计划"), (2, "预算")]
BODY = (
    "公司计划在明年上线新的电商平台，以提升线上销售额并改善客户体验。项目预计投入三百万元，"
    "由信息技术部牵头，市场部和财务部配合，分三个阶段完成，第一阶段完成需求调研与系统设计。"
)


def _open_uploaded(page: Page, path) -> Page:  # noqa: ANN001
    page.get_by_label("Word documents (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    page.locator("#document-list").get_by_role("link", name="电商平台计划").click()
    expect(page.get_by_test_id("structure-tree")).to_be_visible()
    return page


@pytest.fixture
def document_page(signed_in: Page, live_server, celery_worker_process, tmp_path) -> Page:  # noqa: ANN001
    path = tmp_path / "电商平台计划.docx"
    path.write_bytes(make_docx(SECTIONS, body=BODY))
    return _open_uploaded(signed_in, path)


def _pane_text(pane: Locator) -> str:
    """The pane's text without its whitespace, which differs between the streamed DOM and the
    server's HTML. From textContent: a streamed pane skips its groups out of view
    (content-visibility), and innerText leaves a skipped group out, or all of them in the frame
    before the browser has found the new ones on screen."""
    return re.sub(r"\s+", "", pane.text_content() or "")


def _settled_scroll_top(pane: Locator, frames: int = 5) -> int:
    """The pane's scrollTop once it has not moved for `frames` animation frames (at most ~2 s):
    a wheel's scroll reaches the page's scrollTop a frame or more after the wheel is sent."""
    return pane.evaluate(
        """(el, frames) => new Promise((resolve) => {
          let last = el.scrollTop, still = 0, left = 120;
          const check = () => {
            const top = el.scrollTop;
            still = top === last ? still + 1 : 0;
            last = top;
            if (still >= frames || --left === 0) resolve(top);
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        })""",
        frames,
    )


def _pane_lengths_until_done(page: Page, timeout: float = 90) -> list[int]:
    card, pane = page.get_by_test_id("task-card"), page.get_by_test_id("outline-pane")
    lengths: list[int] = []
    deadline = time.monotonic() + timeout
    while card.get_attribute("data-status") not in {"succeeded", "failed", "cancelled"}:
        assert time.monotonic() < deadline, "the outline did not finish"
        lengths.append(len(_pane_text(pane)))
        page.wait_for_timeout(100)
    return lengths


def test_outline_streams_into_the_page_and_equals_the_saved_result(document_page: Page):
    page = document_page
    page.get_by_role("button", name="Generate outline").click()
    card = page.get_by_test_id("task-card")
    expect(card).to_have_attribute("data-outline-bound", "")
    badge = page.get_by_test_id("task-status")
    working = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    # One outline at a time per document: while it runs the button leads to it.
    expect(page.get_by_role("button", name="Generate outline")).to_have_count(0)
    expect(page.get_by_role("link", name="Show the running outline")).to_be_visible()

    lengths = _pane_lengths_until_done(page)

    growing = sorted({n for n in lengths if n > 0})
    assert len(growing) >= 3, f"expected several visible states, saw {growing}"
    expect(card).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("task-status")).to_have_text("Succeeded")
    # Each status has its colour (every one had the same grey badge).
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") != working
    # The developer's figures wait behind "Details".
    metrics = page.get_by_test_id("task-metrics")
    expect(metrics).to_be_hidden()
    card.get_by_text("Details").click()
    expect(metrics).to_be_visible()
    expect(metrics).to_contain_text("chunks")
    expect(page.get_by_role("button", name="Generate outline")).to_be_visible()
    # The first outline's panel comes without a reload, with what can be done with it.
    panel = page.get_by_test_id("outline-panel")
    for action in ("Edit", "History", "Export .md", "Export .docx"):
        expect(panel.get_by_role("link", name=action)).to_be_visible()
    expect(panel.get_by_role("button", name="Regenerate “项目背景”")).to_be_visible()
    streamed = _pane_text(page.get_by_test_id("outline-pane"))
    screenshot(page, "outline-streamed")

    task = OutlineTask.objects.get()
    assert task.status == OutlineTask.Status.SUCCEEDED
    for _, title in SECTIONS:
        assert title in streamed
    # A Chinese document gets Chinese summaries.
    summary = task.result.split("## 项目背景\n\n", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"[\u4e00-\u9fff]", summary)

    # After a reload the page shows one outline, the document's (it was this result); the task's
    # page renders the saved result on the server: the same text as streamed.
    page.reload()
    expect(page.get_by_test_id("outline-panel")).to_contain_text("项目背景")
    expect(page.get_by_test_id("task-card")).to_have_count(0)
    page.goto(f"{page.url.split('/documents/')[0]}/documents/tasks/{task.pk}/")
    expect(card).to_have_attribute("data-status", "succeeded")
    assert _pane_text(page.get_by_test_id("outline-pane")) == streamed


def test_titles_with_markdown_characters_show_as_written(
    signed_in: Page,
    live_server,
    celery_worker_process,
    tmp_path,  # noqa: ANN001
):
    # Underscores and stars in a file name or a heading were read as Markdown: "poi__stress008"
    # showed as a bold "stress008", "clarification_checklist" as "clarificationchecklist".
    path = tmp_path / "clarification_checklist.docx"
    path.write_bytes(make_docx([(1, "poi__stress008"), (1, "a*b*c 与 C#")], body=BODY))
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    page.locator("#document-list").get_by_role("link", name="clarification_checklist").click()
    page.get_by_role("button", name="Generate outline").click()
    card = page.get_by_test_id("task-card")
    expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)

    titles = ("clarification_checklist", "poi__stress008", "a*b*c 与 C#")
    panel = page.get_by_test_id("outline-panel")
    expect(panel.get_by_test_id("outline-section").first).to_contain_text("poi__stress008")
    for rendered_by in ("the stream", "the server, on the task's page"):
        pane = page.get_by_test_id("outline-pane")
        for title in titles:
            expect(pane).to_contain_text(title)
        expect(pane.locator(".md-title, h2").locator("strong, em")).to_have_count(0)
        if rendered_by == "the stream":
            card.get_by_role("link", name="Task page").click()


def test_reload_mid_stream_resumes_without_duplicated_text(document_page: Page):
    page = document_page
    page.get_by_role("button", name="Generate outline").click()
    pane = page.get_by_test_id("outline-pane")
    expect(pane).to_contain_text("项目背景")
    assert page.get_by_test_id("task-card").get_attribute("data-status") not in {"succeeded", "failed"}

    page.reload()
    expect(page.get_by_test_id("task-card")).to_have_attribute("data-status", "succeeded", timeout=90_000)

    resumed = _pane_text(pane)
    # Every section heading exactly once (the model's text may repeat a title's words).
    assert pane.locator("h2, h3").all_text_contents() == [title for _, title in SECTIONS]
    page.get_by_role("link", name="Task page").click()  # now rendered on the server from the saved result
    assert _pane_text(page.get_by_test_id("outline-pane")) == resumed


def test_without_javascript_the_task_page_refreshes_until_done(
    signed_in_without_js: Page,
    live_server,
    account,
    celery_worker_process,  # noqa: ANN001
):
    document = services.document_create(
        owner=account, uploaded=SimpleUploadedFile("计划.docx", make_docx(SECTIONS[:2], body=BODY))
    )
    page = signed_in_without_js
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.get_by_role("button", name="Generate outline").click()
    expect(page).to_have_url(re.compile(r"/documents/tasks/\d+/$"))

    expect(page.get_by_test_id("task-status")).to_have_text("Succeeded", timeout=90_000)
    expect(page.get_by_test_id("outline-pane")).to_contain_text("市场分析")


def test_a_reader_who_scrolled_up_keeps_their_place_when_the_outline_finishes(
    signed_in: Page,
    live_server,
    celery_worker_process,
    tmp_path,  # noqa: ANN001
):
    path = tmp_path / "电商平台计划.docx"  # twice the sections: the pane fills well before the end
    path.write_bytes(
        make_docx(SECTIONS + [(level, f"{title}（二）") for level, title in SECTIONS], body=BODY)
    )
    page = _open_uploaded(signed_in, path)
    page.set_viewport_size({"width": 900, "height": 360})  # the pane is 70% of it high
    page.get_by_role("button", name="Generate outline").click()
    card, pane = page.get_by_test_id("task-card"), page.get_by_test_id("outline-pane")
    expect(card).to_have_attribute("data-outline-bound", "")
    page.wait_for_function(
        "el => el.scrollHeight > el.clientHeight + 250", arg=pane.element_handle(), timeout=60_000
    )
    assert card.get_attribute("data-status") not in {"succeeded", "failed", "cancelled"}
    streamed_pane = pane.element_handle()

    pane.hover()
    page.mouse.wheel(0, -100)  # back up a little, to read something
    page.wait_for_function("el => el.scrollTop > 0 && el.scrollHeight - el.scrollTop - el.clientHeight > 60",
                           arg=streamed_pane)  # fmt: skip
    place = _settled_scroll_top(pane)
    # Still away from the end once settled: the place is the reader's, not the stream's.
    assert pane.evaluate("el => el.scrollHeight - el.scrollTop - el.clientHeight") > 60

    expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
    expect(page.get_by_test_id("task-metrics")).to_be_attached()  # the card re-rendered from the server
    # The streamed pane stayed (it had the whole text), and with it the reader's place.
    assert page.evaluate("el => el.isConnected", streamed_pane)
    now = pane.evaluate("el => ({top: el.scrollTop, height: el.scrollHeight, view: el.clientHeight})")
    assert abs(now["top"] - place) <= 2, f"the reader was at {place}, the pane is now at {now}"
    screenshot(page, "outline-finished-reader-kept-place")
    kept = _pane_text(pane)
    card.get_by_role("link", name="Task page").click()  # the server's rendering of the saved result
    expect(card).to_have_attribute("data-status", "succeeded")
    assert _pane_text(pane) == kept


def test_the_outline_is_bullet_points_under_headings_and_an_extracted_point_looks_quieter(
    signed_in: Page,
    live_server,
    celery_worker_process,
    tmp_path,  # noqa: ANN001
):
    from docx import Document as DocxDocument

    # A section long enough for the model, and one so short that its own words are its point.
    doc = DocxDocument()
    doc.add_heading("项目背景", level=1)
    doc.add_paragraph(BODY)
    doc.add_heading("备注", level=1)
    doc.add_paragraph("下周一开会讨论预算。")
    path = tmp_path / "电商平台计划.docx"
    doc.save(path)
    page = _open_uploaded(signed_in, path)

    page.get_by_role("button", name="Generate outline").click()
    card = page.get_by_test_id("task-card")
    expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
    pane = page.get_by_test_id("outline-pane")

    assert pane.locator("h2").all_text_contents() == ["项目背景", "备注"]
    expect(pane.locator("li").first).to_be_visible()
    extracted = pane.locator("li > em")
    expect(extracted.last).to_have_text("下周一开会讨论预算。")
    marker = extracted.last.evaluate("el => getComputedStyle(el, '::before').content")
    quieter = extracted.last.evaluate("el => getComputedStyle(el).color") != pane.locator(
        "li"
    ).first.evaluate("el => getComputedStyle(el).color")
    assert marker == '"“"' and quieter
    screenshot(page, "outline-points")
    task = OutlineTask.objects.get()
    assert "## 备注\n\n- _下周一开会讨论预算。_\n" in task.result
