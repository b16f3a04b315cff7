"""The upload drop zone (issue 21, item 10): files dropped on it upload; its words follow the
language (the browser's own "Choose Files" stayed English); it works without JavaScript."""

from __future__ import annotations

import base64

from playwright.sync_api import Page, expect

from e2e.conftest import CORPUS, screenshot

DOCUMENT = CORPUS / "cdocx__TestWord.docx"


def _drop(page: Page, selector: str, name: str, data: bytes) -> None:
    """What the browser does when a file from the desktop is dropped: dragenter, dragover, drop,
    with a DataTransfer holding the file."""
    transfer = page.evaluate_handle(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            return transfer;
        }""",
        [name, base64.b64encode(data).decode()],
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
    expect(page.get_by_test_id("drop-zone")).to_have_attribute("data-dragover", "")  # highlighted
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_a_file_dropped_on_the_zone_uploads_and_the_zone_speaks_chinese(signed_in: Page, live_server):  # noqa: ANN001
    page = signed_in
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.reload()
    zone = page.get_by_test_id("drop-zone")
    expect(zone).to_contain_text("将 .docx 文件拖放到这里，或选择文件")
    # The browser's file button (its words in the browser's language) is not what shows.
    assert page.locator("input[type=file]").evaluate("(i) => getComputedStyle(i).opacity") == "0"
    expect(zone.get_by_role("status")).to_be_hidden()

    _drop(page, "[data-testid=drop-zone] p", "员工手册 handbook.docx", DOCUMENT.read_bytes())
    expect(zone).not_to_have_attribute("data-dragover", "")
    expect(zone.get_by_role("status")).to_have_text("已选择 1 个文件：员工手册 handbook.docx。请点击“上传”。")
    screenshot(page, "zh-drop-zone-chosen")
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_test_id("upload-results")).to_contain_text("已上传 员工手册 handbook.docx")
    expect(zone.get_by_role("status")).to_be_hidden()  # a fresh zone for the next upload


def test_the_zone_works_without_javascript(signed_in_without_js: Page):
    page = signed_in_without_js
    zone = page.get_by_test_id("drop-zone")
    expect(zone).to_contain_text("Drop .docx files here, or choose files")
    # A drop (or a click and a pick) fills the input that covers the zone; CSS then says so.
    page.get_by_label("Word documents (.docx)").set_input_files(str(DOCUMENT))
    expect(zone.get_by_role("status")).to_have_text("Files chosen: press Upload.")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").first).to_contain_text("Uploaded “cdocx__TestWord.docx”.")
