"""Structure extraction, round two (issue 22), as a person sees it: a document typed without heading
styles gets the headings a reader sees, marked "Found from formatting"; a heading that stands in a
table is kept and says so; a long heading is shortened on the page and whole on hover."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from documents.tests import docx_factory as factory
from documents.tests.unstyled import CASES, case_bytes
from e2e.conftest import screenshot

STATUTE = next(case for case in CASES if case.name == "es-statute")
LONG_TITLE = "Anexo técnico: " + ", ".join(f"requisito de seguridad número {n}" for n in range(1, 9))


def _upload(page: Page, name: str, data: bytes) -> None:
    page.get_by_label("Word documents (.docx)").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("upload-results")).to_contain_text(f"Uploaded {name}")
    page.get_by_test_id("upload-results").get_by_role("link", name=name).click()


def test_an_unstyled_statute_gets_the_headings_a_reader_sees_found_from_formatting(signed_in: Page):
    page = signed_in
    _upload(page, "ordenanza.docx", case_bytes(STATUTE))

    expect(page.get_by_test_id("heuristic-badge")).to_have_text("Found from formatting")
    expect(page.get_by_test_id("heuristic-note")).to_contain_text("uses no heading styles")
    tree = page.get_by_test_id("structure-tree")
    titles = tree.locator("li > div > span.font-medium")
    expect(titles).to_have_count(len(STATUTE.headings))
    expect(titles).to_have_text(list(STATUTE.headings))
    # The ordinance's own title at the top is its title, not a heading.
    expect(page.get_by_test_id("document-title")).to_contain_text("ORDENANZA MUNICIPAL")
    screenshot(page, "structure-found-from-formatting")


def test_a_heading_in_a_table_is_marked_and_a_long_heading_is_shortened_on_the_page(signed_in: Page):
    cell = "<w:tc>{}</w:tc>"
    table = (
        "<w:tbl><w:tr>"
        + cell.format(factory.para_xml("Términos y definiciones", "Heading2"))
        + cell.format(factory.para_xml("Definiciones usadas en el pliego."))
        + "</w:tr></w:tbl>"
    )
    data = factory.with_body(
        factory.para_xml("Capítulo 1", "Heading1")
        + factory.para_xml("Texto del capítulo.")
        + table
        + factory.para_xml(LONG_TITLE, "Heading1")
        + factory.para_xml("Texto del anexo.")
    )
    page = signed_in
    _upload(page, "pliego.docx", data)

    tree = page.get_by_test_id("structure-tree")
    expect(page.get_by_test_id("heuristic-badge")).to_have_count(0)
    in_table = tree.locator("li", has_text="Términos y definiciones").get_by_test_id("in-table")
    expect(in_table).to_have_text("in a table")
    long_heading = tree.locator("li[data-level='1']", has_text="Anexo técnico").locator("span.font-medium")
    expect(long_heading).to_have_attribute("title", LONG_TITLE)
    shown = long_heading.inner_text()
    assert shown.endswith("…") and len(shown) <= 160 and LONG_TITLE.startswith(shown[:-1])
    screenshot(page, "structure-in-table-and-long-heading")
