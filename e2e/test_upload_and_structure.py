from __future__ import annotations

import io
import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import CORPUS, screenshot


def test_upload_a_chinese_corpus_file_and_see_its_tree(signed_in: Page):
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(
        str(CORPUS / "aidocxworkflow__v3.01_raw.docx")
    )
    page.get_by_role("button", name="Upload").click()

    results = page.get_by_test_id("upload-results")
    expect(results).to_contain_text("Uploaded")
    # HTMX updated the list in place: the new document is there without a reload.
    row = page.locator("#document-list li").first
    expect(row).to_contain_text("aidocxworkflow__v3.01_raw.docx")
    screenshot(page, "after-upload")

    row.get_by_role("link").first.click()
    tree = page.get_by_test_id("structure-tree")
    expect(tree).to_be_visible()
    expect(tree.locator("li")).to_have_count(21)
    expect(tree).to_contain_text("游戏道具商城")
    screenshot(page, "document-tree")


def test_upload_several_files_at_once_including_a_bad_one(signed_in: Page):
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(
        [
            str(CORPUS / "pandoc__headers.docx"),
            str(CORPUS / "poi__SimpleMacro.docm"),
            str(CORPUS / "poi__truncated62886.docx"),
        ]
    )
    page.get_by_role("button", name="Upload").click()

    results = page.get_by_test_id("upload-results")
    expect(results.locator("[data-error-code=macro_enabled]")).to_contain_text("poi__SimpleMacro.docm")
    expect(results.locator("[data-error-code=corrupt_file]")).to_contain_text("poi__truncated62886.docx")
    expect(page.locator("#document-list li")).to_have_count(1)
    screenshot(page, "upload-errors")


def _blank_docx() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "make", "code", "says"),
    [
        ("季度报告.docx", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not_docx", "PDF"),
        # A well-formed document with no text was stored, and failed only at Generate.
        ("空白模板.docx", _blank_docx, "no_text", "no text to outline"),
    ],
    ids=["renamed PDF", "no text"],
)
def test_a_refused_upload_says_why(signed_in: Page, tmp_path, filename, make, code, says):  # noqa: ANN001
    path = tmp_path / filename
    path.write_bytes(make())
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()

    error = page.get_by_test_id("upload-results").locator(f"[data-error-code={code}]")
    expect(error).to_contain_text(filename)
    expect(error).to_contain_text(says)
    expect(page.get_by_test_id("empty-state")).to_be_visible()


def test_the_same_file_uploaded_twice_is_said_to_be_one(signed_in: Page):
    # The second upload made a silent duplicate.
    page = signed_in
    for _ in range(2):
        page.get_by_label("Word documents (.docx)").set_input_files(str(CORPUS / "poi__heading123.docx"))
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_test_id("upload-results")).to_be_visible()

    notice = page.get_by_test_id("duplicate-notice")
    expect(notice).to_contain_text("It is the same file as")
    from documents.models import Document

    first = Document.objects.order_by("created_at", "id").first()
    notice.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/documents/{first.pk}/$"))


def test_delete_a_document_after_confirming(signed_in: Page):
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(str(CORPUS / "poi__heading123.docx"))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#document-list li")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#document-list").get_by_role("link", name="Delete").click()
    expect(page.locator("#document-list li")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#document-list").get_by_role("link", name="Delete").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()


def test_pages_work_without_javascript(signed_in_without_js: Page):
    page = signed_in_without_js
    page.get_by_label("Word documents (.docx)").set_input_files(str(CORPUS / "pandoc__headers.docx"))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("Uploaded")

    page.locator("#document-list").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()


def test_a_document_with_more_headings_than_the_limit_is_refused_with_both_numbers(
    signed_in: Page,
    settings,
    tmp_path,  # noqa: ANN001
):
    from documents.tests.conftest import make_docx

    settings.MAX_SECTIONS = 5
    many = tmp_path / "手册.docx"
    many.write_bytes(make_docx([(1, f"第{n}章") for n in range(1, 7)]))
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(str(many))
    page.get_by_role("button", name="Upload").click()

    error = page.get_by_test_id("upload-results").locator("[data-error-code=too_many_sections]")
    expect(error).to_contain_text("手册.docx")
    expect(error).to_contain_text("has 6 headings")
    expect(error).to_contain_text("at most 5")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    screenshot(page, "upload-too-many-headings")


def test_files_past_the_upload_limit_are_named_and_the_others_kept(signed_in: Page, settings):  # noqa: ANN001
    settings.UPLOAD_RATE_PER_USER = "2/h"
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(
        [str(CORPUS / name) for name in ("pandoc__headers.docx", "pandoc__lists.docx", "pandoc__notes.docx")]
    )
    page.get_by_role("button", name="Upload").click()

    limited = page.get_by_test_id("upload-results").locator("[data-error-code=rate_limited]")
    expect(limited).to_contain_text("pandoc__notes.docx")
    expect(limited).to_contain_text("You are uploading too fast")
    expect(page.locator("#document-list li")).to_have_count(2)
    screenshot(page, "upload-rate-limited-files")


def test_every_asset_of_a_page_is_found_including_its_icon(signed_in: Page):
    # The favicon was a 404 on every page.
    missing: list[str] = []
    signed_in.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)

    signed_in.reload()
    signed_in.wait_for_load_state("networkidle")

    icon = signed_in.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("href", "/static/favicon.svg")
    assert signed_in.request.get(urljoin(signed_in.url, icon.get_attribute("href") or "")).status == 200
    assert missing == []
