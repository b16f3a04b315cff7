from __future__ import annotations

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


def test_upload_a_renamed_pdf_shows_a_clear_message(signed_in: Page, tmp_path):  # noqa: ANN001
    fake = tmp_path / "季度报告.docx"
    fake.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    page = signed_in
    page.get_by_label("Word documents (.docx)").set_input_files(str(fake))
    page.get_by_role("button", name="Upload").click()

    error = page.get_by_test_id("upload-results").locator("[data-error-code=not_docx]")
    expect(error).to_contain_text("季度报告.docx")
    expect(error).to_contain_text("PDF")
    expect(page.get_by_test_id("empty-state")).to_be_visible()


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
