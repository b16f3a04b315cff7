"""Journey: a Chinese speaker switches the UI to Simplified Chinese, uploads a document, generates
its outline and watches the task card in Chinese; then switches back to English."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.conftest import CORPUS, PASSWORD, screenshot

# A Chinese report from the shared corpus: six headings, two of them with text to summarize.
DOCUMENT = CORPUS / "cdocx__TestWord.docx"


def _switch_language(page: Page, label: str, language: str, button: str) -> None:
    page.get_by_label(label, exact=True).select_option(language)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_switch_to_chinese_upload_generate_and_switch_back(
    signed_in: Page, live_server, celery_worker_process
):  # noqa: ANN001
    page = signed_in
    # A browser that asks for English gets English until the user chooses otherwise.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Your documents")).to_be_visible()

    _switch_language(page, "Language", "zh-hans", "Switch")
    expect(page).to_have_url(f"{live_server.url}/documents/")  # back where the switch was made
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="文档", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="动态")).to_be_visible()
    expect(nav.get_by_role("button", name="退出登录")).to_be_visible()
    expect(nav.get_by_test_id("current-user")).to_have_text("李雷")
    expect(page.get_by_role("heading", name="我的文档")).to_be_visible()
    expect(page.get_by_test_id("empty-state")).to_contain_text("还没有文档")
    expect(page).to_have_title("文档 · Outliner")
    screenshot(page, "zh-document-list")

    page.get_by_label("Word 文档（.docx）").set_input_files(str(DOCUMENT))
    page.get_by_role("button", name="上传", exact=True).click()
    results = page.get_by_test_id("upload-results")
    expect(results).to_contain_text("已上传 cdocx__TestWord.docx（6 节）。")
    expect(page.locator("#document-list li").first).to_contain_text("6 节")
    screenshot(page, "zh-after-upload")

    results.get_by_role("link", name="cdocx__TestWord.docx").click()
    expect(page.get_by_role("heading", name="结构")).to_be_visible()
    expect(page.get_by_test_id("structure-counts")).to_contain_text("段落")
    expect(page.get_by_test_id("structure-tree")).to_contain_text("分页功能")
    expect(page.get_by_role("link", name="← 所有文档")).to_be_visible()
    screenshot(page, "zh-document")

    page.get_by_role("button", name="生成大纲").click()
    card = page.get_by_test_id("task-card")
    expect(card).to_have_attribute("data-outline-bound", "")
    expect(card.get_by_role("heading", name="生成的大纲")).to_be_visible()
    status = page.get_by_test_id("task-status")
    # Whatever state the stream is in when we look, its label is Chinese (set by outline-pane.js).
    expect(status).to_have_text(re.compile(r"^(排队中|准备中|生成中|已完成)$"))
    progress = re.compile(r"^第 \d 节（共 6 节）|^6 节已全部完成$|^6/6 节$")  # live, then as saved
    expect(card.locator("[data-task-progress-label]")).to_have_text(progress)
    expect(page.get_by_test_id("outline-pane")).to_contain_text("分页功能", timeout=60_000)
    screenshot(page, "zh-outline-streaming")

    expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
    expect(status).to_have_text("已完成")
    expect(card.get_by_role("link", name="任务页面")).to_be_visible()
    expect(page.get_by_test_id("task-metrics")).to_contain_text("共用时")
    screenshot(page, "zh-outline-done")

    page.reload()  # the first result became the document's outline
    panel = page.get_by_test_id("outline-panel")
    expect(panel.get_by_role("heading", name="我的大纲")).to_be_visible()
    expect(panel.get_by_role("link", name="编辑")).to_be_visible()
    expect(panel.get_by_role("button", name="重新生成“分页功能”")).to_be_visible()
    screenshot(page, "zh-document-with-outline")
    document_url = page.url

    # The structured editor is built by outline-editor.js: its buttons come from the JS catalog.
    panel.get_by_role("link", name="编辑").click()
    expect(page.get_by_role("heading", name=re.compile("^编辑大纲"))).to_be_visible()
    expect(page.get_by_role("button", name="在下方添加一节（Alt+Enter）").first).to_be_visible()
    expect(page.get_by_label("第 1 节标题")).to_have_value("标题1")
    expect(page.get_by_text("Markdown 源文本")).to_be_visible()
    screenshot(page, "zh-edit-outline")

    _switch_language(page, "语言", "en", "切换")
    expect(page.get_by_role("button", name="Add a section below (Alt+Enter)").first).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    page.goto(document_url)
    expect(page.get_by_role("button", name="Generate outline")).to_be_visible()
    # One outline on the page: the result became "Your outline" (its task card is on its own page).
    expect(page.get_by_test_id("outline-panel").get_by_role("heading", name="Your outline")).to_be_visible()
    expect(page.get_by_role("heading", name="Structure")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity")).to_be_visible()
    screenshot(page, "en-after-switching-back")


def test_a_browser_that_asks_for_chinese_gets_chinese_from_the_start(browser, live_server, account):  # noqa: ANN001
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/documents/")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill(account.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="我的文档")).to_be_visible()
    expect(page.get_by_label("语言", exact=True)).to_have_value("zh-hans")
    screenshot(page, "zh-phone-document-list")
    context.close()
