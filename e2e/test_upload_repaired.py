"""A person uploads a file Word opens only after repairing it (its properties part is damaged, a
picture is missing from the zip): it is accepted, and the document page says what was skipped
under "Opened with repairs", in light and dark and on a phone."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from documents import services
from documents.tests import docx_factory as factory
from e2e.conftest import WIDTHS, log_in, screenshot

FILENAME = "损坏的报告.docx"
MESSAGES = [
    "The document's properties (docProps/core.xml) could not be read and were skipped.",
    "A picture or other part the document refers to (word/media/image1.png) is missing and was skipped.",
]


def test_a_damaged_file_is_uploaded_and_its_page_lists_the_repairs(signed_in: Page, tmp_path):  # noqa: ANN001
    path = tmp_path / FILENAME
    path.write_bytes(factory.malformed_core_and_missing_image_docx())
    page = signed_in

    page.get_by_label("Word documents (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()

    results = page.get_by_test_id("upload-results")
    expect(results).to_contain_text(f"Uploaded {FILENAME}")
    notice = results.get_by_test_id("repair-notice")
    expect(notice).to_contain_text("Opened with repairs")
    expect(notice).to_contain_text("Parts of it were damaged and skipped; its page lists them.")
    expect(results.locator("[data-error-code]")).to_have_count(0)
    screenshot(page, "repaired-upload")

    results.get_by_role("link", name=FILENAME).click()
    notes = page.get_by_test_id("repair-notes")
    expect(notes.get_by_role("heading", name="Opened with repairs")).to_be_visible()
    expect(notes.locator("li")).to_have_text(MESSAGES)
    # The text was read all the same: the headings are there to outline.
    expect(page.get_by_test_id("structure-tree")).to_contain_text("图片 Pictures")
    expect(page.get_by_test_id("structure-tree")).to_contain_text("说明 Notes")
    screenshot(page, "repaired-document")


def test_the_repair_notes_fit_the_page_in_both_themes_and_on_a_phone(
    themed_page: Page,
    live_server,  # noqa: ANN001
    account: User,
    width: str,
    theme: str,
):
    document = services.document_create(
        owner=account,
        uploaded=SimpleUploadedFile(FILENAME, factory.malformed_core_and_missing_image_docx()),
    )
    # A long part name, as an embedded file has: it must wrap, not widen the page.
    document.warnings.append(
        {
            "code": "part_unreadable",
            "part": "word/embeddings/Microsoft_Excel_Worksheet_Quarterly_Figures_2026.xlsx",
        }
    )
    document.save(update_fields=["warnings"])
    page = log_in(themed_page, live_server.url, account)

    page.goto(f"{live_server.url}/documents/{document.pk}/")

    notes = page.get_by_test_id("repair-notes")
    expect(notes.locator("li")).to_have_count(3)
    notes.scroll_into_view_if_needed()
    viewport = WIDTHS[width]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport
    box = notes.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport
    for item in notes.locator("li").all():
        item_box = item.bounding_box()
        assert item_box is not None and item_box["x"] + item_box["width"] <= box["x"] + box["width"]
    # The note follows the theme: a dark page has a dark note, with light text on it.
    background, color = notes.evaluate(
        "(el) => { const s = getComputedStyle(el); return [s.backgroundColor, s.color]; }"
    )
    lightness = page.evaluate(
        """([background, color]) => {
            const probe = document.createElement('canvas').getContext('2d');
            const luma = (css) => {
                probe.clearRect(0, 0, 1, 1); probe.fillStyle = css; probe.fillRect(0, 0, 1, 1);
                const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            };
            return [luma(background), luma(color)];
        }""",
        [background, color],
    )
    if theme == "dark":
        assert lightness[0] < 80 < 160 < lightness[1], lightness
    else:
        assert lightness[1] < 100 < 200 < lightness[0], lightness
    screenshot(page, f"repair-notes-{width}-{theme}")
