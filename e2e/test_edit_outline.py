"""Journey: edit the kept outline with a live preview, meet a conflict from a second tab, restore
an older version, export Markdown and Word."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as DocxDocument
from playwright.sync_api import Page, expect

from documents import services
from documents.models import Outline, OutlineTask
from documents.tests.conftest import make_docx
from e2e.conftest import screenshot

GENERATED = "# 制度\n\n## 第一章 总则\n\n适用于全体员工。\n\n## 第二章 考勤\n\n按时上下班。\n\n"


@pytest.fixture
def document(account):  # noqa: ANN001, ANN201
    """A document whose outline was generated (set up directly: this journey is about editing)."""
    document = services.document_create(
        owner=account,
        uploaded=SimpleUploadedFile("制度.docx", make_docx([(1, "第一章 总则"), (1, "第二章 考勤")])),
    )
    task = OutlineTask.objects.create(owner=account, document=document, status="succeeded", result=GENERATED)
    services.outline_adopt(task=task, only_if_first=True)
    return document


def markdown_field(page: Page):  # noqa: ANN201
    """The Markdown textarea, which the structured editor folds away under "Markdown"."""
    details = page.locator("details", has=page.get_by_label("Outline (Markdown)"))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return page.get_by_label("Outline (Markdown)")


def test_edit_with_preview_then_restore_the_first_version(signed_in: Page, live_server, document):  # noqa: ANN001
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    panel = page.get_by_test_id("outline-panel")
    expect(panel.get_by_test_id("outline-body")).to_contain_text("适用于全体员工。")
    panel.get_by_role("link", name="Edit").click()

    editor = markdown_field(page)
    editor.fill("# 制度\n\n## 第一章 总则\n\n**全体员工**都适用。\n\n## 第三章 新增\n\n新内容。\n")
    expect(page.get_by_test_id("outline-preview").locator("strong")).to_have_text("全体员工")
    expect(page.get_by_test_id("outline-preview").locator("h2")).to_have_count(2)
    screenshot(page, "outline-editor")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_test_id("outline-version")).to_contain_text("version 2")
    expect(page.get_by_test_id("outline-body")).to_contain_text("第三章 新增")

    page.get_by_role("link", name="History").click()
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    page.get_by_test_id("version-row").filter(has_text="v1").get_by_role("button", name="Restore").click()
    expect(page.get_by_test_id("outline-version")).to_contain_text("version 3")
    expect(page.get_by_test_id("outline-body")).to_contain_text("适用于全体员工。")
    expect(page.get_by_test_id("outline-body")).not_to_contain_text("第三章 新增")


def test_an_outline_over_the_size_limit_is_refused_and_the_text_is_kept(
    signed_in: Page,
    live_server,
    document,
    settings,  # noqa: ANN001
):
    settings.MAX_OUTLINE_CHARS = 200
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/outline/edit/")
    text = "# 制度\n\n## 第一章 总则\n\n" + "很长的内容。" * 60
    markdown_field(page).fill(text)
    page.get_by_role("button", name="Save").click()

    # Said under the editor, and by the live preview as well, with the length the user typed (the
    # browser's CRLF line breaks made the two disagree).
    expect(
        page.get_by_text(f"The outline is {len(text)} characters long; it can be at most 200").first
    ).to_be_visible()
    expect(page.get_by_text("it can be at most 200")).not_to_have_count(0)
    expect(markdown_field(page)).to_have_value(text)  # nothing the user typed is lost
    assert Outline.objects.get(document=document).version == 1
    screenshot(page, "outline-too-long")


def test_text_that_looks_like_markup_is_kept_and_shown_as_typed(signed_in: Page, live_server, document):  # noqa: ANN001
    # Saving used to delete it: List<String> became "List", an autolink vanished, a <script> in
    # a code span was emptied. Now the words stay and the markup is shown as text.
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/outline/edit/")
    typed = (
        "# 制度\n\n## 第一章 List<String> 与 C#\n\n"
        "返回 List<String>，写信到 <hr@example.com>。\n\n代码 `<script>alert(1)</script>` 不执行。\n"
    )
    markdown_field(page).fill(typed)
    preview = page.get_by_test_id("outline-preview")
    expect(preview).to_contain_text("返回 List<String>，写信到 hr@example.com。")
    expect(preview.locator("code")).to_have_text("<script>alert(1)</script>")
    page.get_by_role("button", name="Save").click()

    body = page.get_by_test_id("outline-body")
    expect(body).to_contain_text("第一章 List<String> 与 C#")
    expect(body).to_contain_text("返回 List<String>，写信到 hr@example.com。")
    expect(body.get_by_role("link", name="hr@example.com")).to_have_attribute("href", "mailto:hr@example.com")
    expect(body.locator("code")).to_have_text("<script>alert(1)</script>")
    expect(body.locator("script")).to_have_count(0)
    assert Outline.objects.get(document=document).markdown == typed
    screenshot(page, "outline-markup-as-text")


def test_a_conflict_merges_the_other_tabs_changes_and_asks_only_about_the_section_both_changed(
    signed_in: Page,
    live_server,
    document,  # noqa: ANN001
):
    """ "Save again" silently dropped the other tab's changes (issue 21, item 5)."""
    first = signed_in
    second = first.context.new_page()
    edit_url = f"{live_server.url}/documents/{document.pk}/outline/edit/"
    first.goto(edit_url)
    second.goto(edit_url)

    # The first tab changes chapter 1 and adds chapter 3.
    markdown_field(first).fill(
        GENERATED.replace("适用于全体员工。", "第一个标签页的修改。") + "## 第三章 奖惩\n\n奖惩办法。\n"
    )
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_test_id("outline-version")).to_contain_text("version 2")

    # The second tab, still on version 1, changes chapters 1 and 2.
    mine = GENERATED.replace("适用于全体员工。", "第二个标签页的修改。").replace(
        "按时上下班。", "弹性上下班。"
    )
    markdown_field(second).fill(mine)
    second.get_by_role("button", name="Save").click()

    conflict = second.get_by_test_id("conflict")
    expect(conflict).to_contain_text("changed elsewhere (now version 2)")
    changes = second.get_by_test_id("merge-changes")
    expect(changes).to_contain_text("Their new section “第三章 奖惩” is merged in.")
    expect(changes).to_contain_text("Your change to “第二章 考勤” is kept.")
    expect(conflict).to_contain_text("You both changed 1 section")
    questions = second.get_by_test_id("merge-question")
    expect(questions).to_have_count(1)
    expect(questions.first).to_contain_text("第一章 总则")
    expect(questions.first).to_contain_text("第二个标签页的修改。")
    expect(questions.first).to_contain_text("第一个标签页的修改。")
    editor = second.get_by_label("Outline (Markdown)")
    expect(editor).to_have_value(re.compile("弹性上下班。[\\s\\S]*## 第三章 奖惩"))  # merged already
    screenshot(second, "outline-conflict")

    questions.first.get_by_label("Take version 2's").check()
    second.get_by_role("button", name="Save").click()

    expect(second.get_by_test_id("outline-version")).to_contain_text("version 3")
    body = second.get_by_test_id("outline-body")
    for text in ("第一个标签页的修改。", "弹性上下班。", "奖惩办法。"):
        expect(body).to_contain_text(text)
    expect(body).not_to_contain_text("第二个标签页的修改。")


def test_export_markdown_and_word(signed_in: Page, live_server, document):  # noqa: ANN001
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/")

    with page.expect_download() as markdown_download:
        page.get_by_role("link", name="Export .md").click()
    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Export .docx").click()

    assert markdown_download.value.suggested_filename == "制度.md"
    assert markdown_download.value.path().read_text(encoding="utf-8") == GENERATED
    assert docx_download.value.suggested_filename.endswith(".docx")
    doc = DocxDocument(io.BytesIO(docx_download.value.path().read_bytes()))
    assert [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Title", "Heading"))
    ] == [
        ("Title", "制度"),
        ("Heading 1", "第一章 总则"),
        ("Heading 1", "第二章 考勤"),
    ]


def test_click_a_section_to_see_its_source_then_undo_an_edit(signed_in: Page, live_server, document):  # noqa: ANN001
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    panel = page.get_by_test_id("outline-panel")

    panel.get_by_role("link", name="第二章 考勤").click()

    pane = page.get_by_test_id("source-pane")
    expect(pane.get_by_test_id("source-heading")).to_have_text("第二章 考勤")
    expect(pane).to_contain_text("Body text.")
    expect(page).to_have_url(f"{live_server.url}/documents/{document.pk}/")  # in place, not a new page
    screenshot(page, "source-anchor")

    panel.get_by_role("link", name="Edit").click()
    markdown_field(page).fill("# 制度\n\n## 只剩一章\n")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("outline-section")).to_have_count(1)
    expect(page.get_by_text("Saved version 2.")).to_be_visible()  # it said 3
    page.get_by_role("button", name="Undo last change").click()
    expect(page.get_by_test_id("outline-section")).to_have_count(2)
    expect(page.get_by_test_id("outline-version")).to_contain_text("version 3")
    expect(page.get_by_text("Undone: back to the text of version 1.")).to_be_visible()  # it said 2


@pytest.mark.parametrize("another_tab_inserted", [False, True], ids=["alone", "inserted above meanwhile"])
def test_regenerate_one_section_shows_the_new_text_beside_the_old_and_keep_saves_a_version(
    signed_in: Page,
    live_server,
    document,
    celery_worker_process,  # noqa: ANN001
    another_tab_inserted: bool,
):
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    if another_tab_inserted:
        # While this page still shows version 1: the click means "第二章 考勤", not whatever is
        # second now (the section used to be picked by its index when the task ended).
        inserted = GENERATED.replace("## 第一章 总则", "## 序言\n\n我加的一章。\n\n## 第一章 总则")
        outline = Outline.objects.get(document=document)
        services.outline_save(outline=outline, base_version=1, markdown=inserted, author=None)
    before = ["我加的一章。"] if another_tab_inserted else []

    panel = page.get_by_test_id("outline-panel")
    regenerate = panel.get_by_role("button", name="Regenerate “第二章 考勤”")
    regenerate.click()

    # The new text streams in beside the current one, and nothing changes until Keep (it
    # overwrote the section at once).
    preview = page.get_by_test_id("section-task")
    expect(preview.get_by_test_id("section-current")).to_contain_text("按时上下班。")
    keep = preview.get_by_role("button", name="Keep new text")
    expect(keep).to_be_visible(timeout=60_000)
    expect(preview.get_by_test_id("section-pane")).not_to_be_empty()
    expect(page.get_by_test_id("outline-version")).to_contain_text("version 1")
    if not another_tab_inserted:
        screenshot(page, "section-regenerate-preview")
        # Discard: the section is as it was, and it can be regenerated again.
        preview.get_by_role("button", name="Discard").click()
        expect(page.get_by_text("Discarded the new text; the section is as it was.")).to_be_visible()
        expect(page.get_by_test_id("section-task")).to_have_count(0)
        expect(page.get_by_test_id("outline-section").nth(1)).to_contain_text("按时上下班。")
        expect(page.get_by_test_id("outline-version")).to_contain_text("version 1")
        regenerate.click()
        expect(keep).to_be_visible(timeout=60_000)
    page.reload()  # still offered after a reload: the choice waits for the user
    keep.click()

    version, position = (3, 3) if another_tab_inserted else (2, 2)
    expect(page.get_by_text(f"Kept the new text: version {version}.")).to_be_visible()
    expect(page.get_by_test_id("outline-version")).to_contain_text(f"version {version}")
    expect(page.get_by_test_id("section-task")).to_have_count(0)
    sections = page.get_by_test_id("outline-section")
    expect(sections).to_have_count(len(before) + 2)
    for n, text in enumerate([*before, "适用于全体员工。"]):  # the other sections are untouched
        expect(sections.nth(n)).to_contain_text(text)
    expect(sections.nth(position - 1)).not_to_contain_text("按时上下班。")
    if not another_tab_inserted:
        screenshot(page, "section-regenerated")
    page.get_by_role("link", name="History").click()
    note = f"Regenerated section {position}: 第二章 考勤"
    expect(page.get_by_test_id("version-row").first).to_contain_text(note)


def test_regenerate_of_a_section_another_tab_removed_says_so(signed_in: Page, live_server, document):  # noqa: ANN001
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    outline = Outline.objects.get(document=document)
    removed = GENERATED.split("## 第二章 考勤")[0]
    services.outline_save(outline=outline, base_version=1, markdown=removed, author=None)

    page.get_by_test_id("outline-panel").get_by_role("button", name="Regenerate “第二章 考勤”").click()

    expect(page.get_by_text("That section is not in the outline any more.")).to_be_visible()
    assert not OutlineTask.objects.filter(document=document, section_index__isnull=False).exists()
    screenshot(page, "regenerate-section-gone")


def test_reupload_a_revision_shows_the_diff_and_keeps_an_edit(
    signed_in: Page, live_server, document, tmp_path
):  # noqa: ANN001
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/outline/edit/")
    markdown_field(page).fill(GENERATED.replace("适用于全体员工。", "我亲手改写的总则。"))
    page.get_by_role("button", name="Save").click()
    revised = tmp_path / "制度-修订版.docx"
    revised.write_bytes(make_docx([(1, "第一章 总则"), (1, "第三章 奖惩")]))

    page.get_by_label("Upload a revised version (revision 2)").set_input_files(str(revised))
    page.get_by_role("button", name="Upload revision").click()

    diff = page.get_by_test_id("revision-diff")
    expect(diff.locator("[data-status=unchanged]")).to_contain_text("第一章 总则")
    expect(diff.locator("[data-status=removed]")).to_contain_text("第二章 考勤")
    expect(diff.locator("[data-status=added]")).to_contain_text("第三章 奖惩")
    sections = page.get_by_test_id("outline-section")
    expect(sections).to_have_count(2)
    expect(sections.first).to_contain_text("我亲手改写的总则。")  # the edit survived
    expect(sections.nth(1).get_by_test_id("revision-badge")).to_have_text("new in revision")
    expect(sections.nth(1).get_by_role("button", name="Regenerate “第三章 奖惩”")).to_be_visible()
    screenshot(page, "revision-diff")


def test_structured_editing_with_keyboard_and_drag(signed_in: Page, live_server, document):  # noqa: ANN001
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/outline/edit/")
    items = page.get_by_test_id("section-item")
    expect(items).to_have_count(2)

    page.get_by_label("Section 2 title").fill("第二章 考勤与休假")  # rename
    page.get_by_role("button", name="Add a section below (Alt+Enter)").nth(1).click()  # add
    page.get_by_label("Section 3 title").fill("第三章 附则")
    page.get_by_label("Section 3 text").fill("自发布之日起施行。")
    page.get_by_label("Section 3 title").press("Alt+ArrowRight")  # indent under 第二章
    page.get_by_label("Section 3 title").press("Alt+ArrowUp")  # keyboard reorder
    expect(page.get_by_label("Section 2 title")).to_have_value("第三章 附则")
    items.nth(2).drag_to(items.nth(0))  # drag 第二章 to the top
    expect(page.get_by_label("Section 1 title")).to_have_value("第二章 考勤与休假")
    page.get_by_role("button", name="Delete section (Alt+Backspace)").nth(1).click()  # delete 第一章
    expect(items).to_have_count(2)
    expect(page.get_by_test_id("outline-preview").locator("h2, h3")).to_have_text(
        ["第二章 考勤与休假", "第三章 附则"]
    )
    screenshot(page, "structured-editor")
    page.get_by_role("button", name="Save").click()

    sections = page.get_by_test_id("outline-section")
    expect(sections).to_have_count(2)
    expect(sections.nth(0)).to_contain_text("第二章 考勤与休假")
    expect(sections.nth(1)).to_contain_text("自发布之日起施行。")
    assert Outline.objects.get(document=document).markdown == (
        "# 制度\n\n## 第二章 考勤与休假\n\n按时上下班。\n\n### 第三章 附则\n\n自发布之日起施行。\n\n"
    )
