"""The UI in English and Simplified Chinese: every page a user sees, the catalogs behind them."""

from __future__ import annotations

import json
import re
import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from documents import services
from documents.models import Outline, OutlineTask, OutlineVersion
from documents.relay.events import stream_key
from documents.relay.writer import StreamWriter
from documents.tests.conftest import make_docx
from documents.tests.fakes import FakeProvider
from ops.redis_pool import redis_client

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
JS = Path(settings.BASE_DIR) / "static" / "js"

# The fixture's own data (what a user typed or uploaded): shown as it is in either language.
USERNAME = "李雷"
PASSWORD = "a-long-passphrase-42"
FILENAME = "电商平台计划.docx"
SECTIONS = [(1, "项目背景"), (2, "市场分析"), (1, "实施计划")]
BODY = "公司计划在明年上线新的电商平台，以提升线上销售额。项目由信息技术部牵头，分三个阶段完成。"
SUMMARY = "项目由信息技术部牵头，分三个阶段完成。"
EDIT = "补充说明。"
STRIPPED = "attachedTemplate → file:///C:/模板/Normal.dotm"
# Repairs made to open the file: the part names are the file's own (zip member names).
WARNINGS = [
    {"code": "metadata_unreadable", "part": "docProps/core.xml"},
    {"code": "part_unreadable", "part": "word/styles.xml"},
    {"code": "missing_part", "part": "word/media/image1.png"},
    {"code": "more_warnings", "part": "3"},
]
FIXTURE_TEXT = [USERNAME, FILENAME, "电商平台计划", BODY, SUMMARY, EDIT, STRIPPED, "报告.docx", "旧"]
FIXTURE_TEXT += [w["part"] for w in WARNINGS if w["code"] != "more_warnings"]
TOKEN_NAME = "笔记本上的脚本"
FIXTURE_TEXT += [title for _, title in SECTIONS] + [TOKEN_NAME]
FIXTURE_TEXT.append(socket.gethostname())  # the task card names the worker host

# English that is right in the Chinese UI: the product's name, technical names and formats, the
# language switcher's "English", and the fixture's data (filenames, a Word template path).
ALLOWED_ENGLISH = {
    "Outliner", "API", "Markdown", "docx", "HTML", "Word", "PDF", "CPU", "English",
    "attachedTemplate", "file", "Normal", "dotm", "Authorization", "Bearer",
}  # fmt: skip
TOKEN = re.compile(r"otl_[A-Za-z0-9_-]+")  # an API token or its prefix: random letters
WORD = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Attributes people see or hear: tooltips, screen-reader labels, placeholders, confirm dialogs.
VISIBLE_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "hx-confirm"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        self.parts += [value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    text = TOKEN.sub(" ", " ".join(parser.parts))
    for data in sorted(FIXTURE_TEXT, key=len, reverse=True):
        text = text.replace(data, " ")
    return re.sub(r"\s+", " ", text)


def english_words(html: str) -> set[str]:
    return set(WORD.findall(visible_text(html))) - ALLOWED_ENGLISH


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def user(db):  # noqa: ANN001, ANN201
    from django.contrib.auth.models import User

    return User.objects.create_user(username=USERNAME, password=PASSWORD)


def _client(language: str, user=None) -> Client:  # noqa: ANN001
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def _generate(document, django_capture_on_commit_callbacks) -> OutlineTask:  # noqa: ANN001
    """A finished outline task with real events and metrics (fake model, test Redis)."""
    with django_capture_on_commit_callbacks(execute=False):
        task = services.outline_start(document=document)
    services.outline_generate(task_id=task.pk, provider=FakeProvider([[SUMMARY]]))
    redis_client().delete(stream_key(task.pk))
    task.refresh_from_db()
    return task


@pytest.fixture
def world(user, django_capture_on_commit_callbacks, settings):  # noqa: ANN001, ANN201
    """A document with a kept, edited outline, a revision diff, a later result to keep, a
    cancelled task continued by a running one, and a failed one that cannot continue."""
    settings.MAX_RUNNING_TASKS_PER_USER = 2  # the "running" task is a row; `later` runs beside it
    document = services.document_create(
        owner=user, uploaded=SimpleUploadedFile(FILENAME, make_docx(SECTIONS, body=BODY))
    )
    first = _generate(document, django_capture_on_commit_callbacks)  # becomes the outline, v1
    outline = document.outline
    services.outline_save(
        outline=outline, base_version=1, markdown=f"{outline.markdown}\n{EDIT}\n", author=user
    )
    services.outline_restore(outline=outline, number=1, base_version=2, author=user)
    document.revision = 2
    document.revision_diff = [
        {"status": "unchanged", "title": "项目背景"},
        {"status": "changed", "title": "市场分析"},
        {"status": "added", "title": "实施计划"},
        {"status": "removed", "title": "项目背景"},
    ]
    document.stripped_relationships = [STRIPPED]
    document.warnings = WARNINGS
    document.save()
    cancelled = OutlineTask.objects.create(
        owner=user, document=document, status="cancelled", result=first.result, progress_total=3
    )
    running = OutlineTask.objects.create(
        owner=user, document=document, status="running", continued_from=cancelled,
        progress_done=1, progress_total=3, cancel_requested_at=None,
    )  # fmt: skip
    # Made directly, not through outline_start: clear any stream another test left under its id,
    # as outline_start does, so the page shows this task's (empty) live text.
    StreamWriter(running.pk).reset()
    failed = OutlineTask.objects.create(
        owner=user, document=document, status="failed", error_code="invalid_input"
    )
    later = _generate(document, django_capture_on_commit_callbacks)  # the card offers "Keep this outline"
    # A regenerated section waiting for Keep or Discard, shown beside the section's text.
    with django_capture_on_commit_callbacks(execute=False):
        section = services.outline_section_regenerate(outline=Outline.objects.get(document=document), index=0)
    services.outline_generate(task_id=section.pk, provider=FakeProvider([[SUMMARY]]))
    return {
        "document": document, "outline": outline, "tasks": [first, cancelled, running, failed, later],
    }  # fmt: skip


def _pages(world: dict) -> dict[str, str]:
    document, outline = world["document"], world["outline"]
    first, cancelled, running, failed, later = world["tasks"]
    source_index = outline.document.sections[1]["source_index"]
    return {
        "document list": reverse("documents:document_list"),
        "document detail": reverse("documents:document_detail", args=[document.pk]),
        "task (succeeded, with metrics)": reverse("documents:task_detail", args=[later.pk]),
        "task (running, continues another)": reverse("documents:task_detail", args=[running.pk]),
        "task (cancelled)": reverse("documents:task_detail", args=[cancelled.pk]),
        "task (failed)": reverse("documents:task_detail", args=[failed.pk]),
        "activity": reverse("documents:activity"),
        "edit": reverse("documents:outline_edit", args=[document.pk]),
        "history": reverse("documents:outline_history", args=[document.pk]),
        "source": reverse("documents:document_source", args=[document.pk, source_index]),
        "delete confirmation": reverse("documents:document_delete", args=[document.pk]),
        "API docs": reverse("api-v1:openapi-view"),
    }


def _all_pages(client: Client, world: dict) -> dict[str, str]:
    pages = {}
    for name, url in _pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    document = world["document"]
    # A stale save: the conflict message and the newer text (409).
    response = client.post(
        reverse("documents:outline_edit", args=[document.pk]), {"version": 1, "markdown": "# 旧\n"}
    )
    assert response.status_code == 409
    pages["edit (conflict)"] = response.content.decode()
    # An upload that is refused (a PDF renamed to .docx), as the page without JavaScript shows it.
    pdf = SimpleUploadedFile("报告.docx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    response = client.post(reverse("documents:document_upload"), {"files": [pdf]})
    assert response.status_code == 400
    pages["upload refused"] = response.content.decode()
    # A flash message after an action, and the HTMX partials that are never part of a page.
    response = client.post(reverse("documents:outline_undo", args=[document.pk]), follow=True)
    pages["after undo"] = response.content.decode()
    htmx = {"HX-Request": "true"}
    # Another document: this one has an outline running, which starting again would give back.
    upload = SimpleUploadedFile("另一份.docx", make_docx([(1, "第一章")], body="正文。"))
    another = services.document_create(owner=document.owner, uploaded=upload)
    response = client.post(reverse("documents:outline_start", args=[another.pk]), headers=htmx)
    pages["too many tasks (HTMX)"] = response.content.decode()
    response = client.post(reverse("documents:outline_cancel", args=[world["tasks"][0].pk]), headers=htmx)
    pages["cannot cancel a finished task (HTMX)"] = response.content.decode()
    # The API tokens page right after a token was made (it is shown once), then with one used.
    response = client.post(reverse("api_tokens"), {"name": TOKEN_NAME}, follow=True)
    pages["API tokens (new token)"] = response.content.decode()
    token = TOKEN.search(response.content.decode().split('id="new-token-value"')[1]).group()
    Client(headers={"Authorization": f"Bearer {token}"}).get(reverse("api-v1:document_list"))
    pages["API tokens (used)"] = client.get(reverse("api_tokens")).content.decode()
    response = client.post(reverse("api_tokens"), {"name": ""})
    assert response.status_code == 400
    pages["API tokens (no name)"] = response.content.decode()
    return pages


def _anonymous_pages(client: Client) -> dict[str, str]:
    pages = {
        "landing": client.get(reverse("home")).content.decode(),
        "login": client.get(reverse("login")).content.decode(),
        "signup": client.get(reverse("signup")).content.decode(),
    }
    response = client.post(reverse("login"), {"username": USERNAME, "password": "wrong"})
    pages["login (wrong password)"] = response.content.decode()
    response = client.post(reverse("signup"), {"username": "", "password1": "1", "password2": "2"})
    pages["signup (errors)"] = response.content.decode()
    return pages


@pytest.fixture
def limits(settings, world):  # noqa: ANN001
    settings.MAX_ACTIVE_TASKS_PER_USER = 1  # the running task in `world` is the one


# ------------------------------------------------------------------------ pages
def test_every_page_reads_in_chinese(user, world, limits):
    client = _client("zh-hans", user)
    pages = {**_all_pages(client, world), **_anonymous_pages(_client("zh-hans"))}

    leftovers = {name: sorted(words) for name, html in pages.items() if (words := english_words(html))}
    assert leftovers == {}
    for name, html in pages.items():
        assert '<html lang="zh-hans"' in html or "<html" not in html, name
    # The things that are easy to miss: status labels, the switcher, error and flash messages.
    # The document has an outline running: the page leads to it instead of starting another.
    assert "查看正在生成的大纲" in pages["document detail"] and "已完成" in pages["document detail"]
    assert "保留新文字" in pages["document detail"] and "当前文字" in pages["document detail"]
    assert "生成中" in pages["task (running, continues another)"]
    assert "此文件是一份 PDF 文档，不是 Word 文档" in pages["upload refused"]
    assert "已撤销" in pages["after undo"]
    assert "进行中的大纲任务已达上限" in pages["too many tasks (HTMX)"]
    assert "此大纲已经结束（已完成），无需取消" in pages["cannot cancel a finished task (HTMX)"]
    assert "经修复后打开" in pages["document detail"] and "另有 3 个部分被跳过。" in pages["document detail"]
    assert "无法读取文档样式（word/styles.xml），已跳过，因此无法按样式识别标题。" in pages["document detail"]
    assert "恢复了版本 1" in pages["history"] and "由任务" in pages["history"]
    assert "请输入一个正确的" in pages["login (wrong password)"]


def test_every_page_still_reads_in_english(user, world, limits):
    client = _client("en", user)
    pages = {**_all_pages(client, world), **_anonymous_pages(_client("en"))}

    chinese = {
        name: sorted(set(CJK.findall(visible_text(html).replace("简体中文", ""))))
        for name, html in pages.items()
    }
    assert {name: chars for name, chars in chinese.items() if chars} == {}
    assert '<html lang="en"' in pages["document list"]
    assert "Show the running outline" in pages["document detail"] and "Succeeded" in pages["document detail"]
    assert (
        "Opened with repairs" in pages["document detail"]
        and "3 more parts were skipped." in pages["document detail"]
    )
    assert "Restored version 1" in pages["history"]


def test_a_browser_that_asks_for_chinese_gets_chinese_and_english_is_the_default(user):
    client = Client()
    client.force_login(user)
    url = reverse("documents:document_list")

    assert "我的文档" in client.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).content.decode()
    assert "Your documents" in client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Your documents" in client.get(url, headers={"Accept-Language": "fr"}).content.decode()
    assert "Your documents" in client.get(url).content.decode()


def test_the_language_switcher_is_a_plain_form_that_sets_the_language(user):
    client = Client()
    client.force_login(user)
    page = client.get(reverse("documents:activity")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in page
    assert '<input type="hidden" name="next" value="/documents/activity/">' in page

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/documents/activity/"})

    assert response.status_code == 302 and response.url == "/documents/activity/"
    page = client.get(response.url).content.decode()
    assert '<html lang="zh-hans"' in page and "动态" in page
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in page


def test_javascript_catalog_follows_the_language():
    zh = _client("zh-hans").get(reverse("javascript-catalog"))
    en = _client("en").get(reverse("javascript-catalog"))

    assert zh.status_code == 200 and zh["Content-Type"].startswith("text/javascript")
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", zh.content.decode(), re.DOTALL)[1])
    assert catalog["Outline ready"] == "大纲已生成"
    assert catalog["Section %(n)s of %(total)s: %(section)s"] == "第 %(n)s 节（共 %(total)s 节）：%(section)s"
    assert "Choose all" not in catalog, "only our own strings, not every installed app's (the admin's)"
    assert "const newcatalog = {};" in en.content.decode() or "Outline ready" not in en.content.decode()


def test_version_notes_are_stored_in_english_and_shown_in_the_readers_language():
    version = OutlineVersion(note=OutlineVersion.note_for("regenerated", n=2, title="市场分析"))
    assert version.note == "Regenerated section 2: 市场分析"
    with translation.override("zh-hans"):
        assert version.note_display == "重新生成了第 2 节：市场分析"
        assert OutlineVersion(note="").note_display == "已编辑"
        assert OutlineVersion(note="自由文本").note_display == "自由文本"
    assert version.note_display == "Regenerated section 2: 市场分析"


# ------------------------------------------------------------------------ catalogs
def _catalog(domain: str):  # noqa: ANN202
    with (LOCALE / f"{domain}.po").open("rb") as po_file:
        return read_po(po_file, abort_invalid=True)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)s|\{\w+\}", text))


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_po_file_is_complete_with_no_fuzzy_entries(domain):
    catalog = _catalog(domain)
    entries = [message for message in catalog if message.id]

    assert not catalog.fuzzy, "the header must not be fuzzy"
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    assert len(entries) > 30
    assert [m.id for m in entries if m.fuzzy] == []
    assert [m.id for m in entries if not (all(m.string) if m.pluralizable else m.string)] == []
    assert [m.id for m in entries if m.pluralizable and len(m.string) != 1] == [], "Chinese has one form"
    for message in entries:
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        expected = set().union(*map(_placeholders, ids))
        assert all(_placeholders(s) == expected for s in strings), message.id
    assert [problems for _, problems in catalog.check()] == []


def test_compiled_catalogs_are_used():
    assert (LOCALE / "django.mo").exists() and (LOCALE / "djangojs.mo").exists(), "run make setup"
    with translation.override("zh-hans"):
        assert translation.gettext("Generate outline") == "生成大纲"
        assert translation.pgettext("section in a revision", "added") == "新增"
        assert str(OutlineTask.Status.RUNNING.label) == "生成中"
    with translation.override("en"):
        assert translation.gettext("Generate outline") == "Generate outline"
    assert DjangoTranslation("zh-hans", domain="djangojs").gettext("Outline ready") == "大纲已生成"


def test_every_string_in_the_javascript_modules_is_in_the_catalog():
    """xgettext must have found every gettext()/ngettext() call in our ES modules."""
    msgids = {message.id if not message.pluralizable else message.id[0] for message in _catalog("djangojs")}
    calls = []
    for module in sorted(JS.glob("*.js")):
        calls += re.findall(r'\bn?gettext\(\s*"((?:[^"\\]|\\.)*)"', module.read_text(encoding="utf-8"))
    assert len(calls) > 30
    assert sorted(set(calls) - msgids) == []


def test_the_stream_sends_a_tasks_error_in_the_readers_language(user, django_capture_on_commit_callbacks):
    from documents.llm import LLMError

    document = services.document_create(
        owner=user, uploaded=SimpleUploadedFile(FILENAME, make_docx(SECTIONS, body=BODY))
    )
    with django_capture_on_commit_callbacks(execute=False):
        task = services.outline_start(document=document)
    provider = FakeProvider([[LLMError("provider_unreachable", "down")]])
    services.outline_generate(task_id=task.pk, provider=provider)
    url = reverse("api-v1:task_stream", args=[task.pk])
    try:
        for served in ("live", "saved"):  # from the Redis stream, then from the database
            zh = b"".join(_client("zh-hans", user).get(url).streaming_content).decode()
            en = b"".join(_client("en", user).get(url).streaming_content).decode()
            assert "无法连接到 AI 服务" in zh, served
            assert "The AI service could not be reached" in en, served
            redis_client().delete(stream_key(task.pk))
    finally:
        redis_client().delete(stream_key(task.pk))


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        (lambda po: po.replace('msgstr "语言"', 'msgstr "语言'), "not PO syntax"),  # lost quote
        (lambda po: po + "\nnot a po line\n", "not PO syntax"),
        (lambda po: po.replace("由任务 %(id)s 生成", "由任务 %(ident)s 生成"), "placeholder"),
    ],
)
def test_set_up_stops_on_a_broken_po_file(tmp_path, capsys, broken, error):
    from project.compilemessages import main

    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.po").write_text(
        broken((LOCALE / "django.po").read_text(encoding="utf-8")), encoding="utf-8"
    )

    assert main([str(tmp_path)]) == 1
    assert error in capsys.readouterr().err
    assert not (target / "django.mo").exists()


def test_set_up_compiles_good_po_files(tmp_path):
    from project.compilemessages import main

    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "djangojs.po").write_bytes((LOCALE / "djangojs.po").read_bytes())

    assert main([str(tmp_path)]) == 0
    assert (target / "djangojs.mo").stat().st_size > 1000


def test_not_found_and_server_error_pages_follow_the_language(user, rf):
    from django.views.defaults import server_error

    theirs = reverse("documents:document_detail", args=[999_999])
    zh = _client("zh-hans", user).get(theirs)
    en = _client("en", user).get(theirs)
    assert zh.status_code == en.status_code == 404
    assert "找不到页面" in zh.content.decode() and english_words(zh.content.decode()) == set()
    assert "Page not found" in en.content.decode()

    with translation.override("zh-hans"):
        page = server_error(rf.get("/")).content.decode()
    assert '<html lang="zh-hans"' in page and "服务器出现错误" in page and english_words(page) == set()
