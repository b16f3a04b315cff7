"""The outline as a versioned object: adoption, saves with conflicts, history, restore, export,
what a save keeps. Fake provider, real (test) Redis."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as DocxDocument

from documents import selectors, services
from documents.models import Outline, OutlineTask
from documents.outline_markdown import parse_sections
from documents.structure import structure_extract
from documents.tests.conftest import make_docx
from documents.tests.fakes import FakeProvider
from documents.tests.timing import growth_ratio

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_celery")]
SECTIONS = [(1, "第一章 总则"), (2, "适用范围"), (1, "Chapter 2")]
# Long enough to need the model, and holding the words of every reply below (a reply must be
# grounded in the document to pass the quality gates).
BODY = (
    "本制度规定员工摘要的写法，第一次和第二次修订补充了更好的摘要格式和新结果的记录方式，"
    "新的范围说明需要重写后公布。"
)
POINT = "本制度规定员工摘要的写法。"


@pytest.fixture
def document(user):  # noqa: ANN001, ANN201
    uploaded = SimpleUploadedFile("制度.docx", make_docx(SECTIONS, body=BODY))
    return services.document_create(owner=user, uploaded=uploaded)


def _generate(document, reply: str = " " + POINT):  # noqa: ANN001, ANN202
    task = services.outline_start(document=document)
    services.outline_generate(task_id=task.pk, provider=FakeProvider([[reply]]))
    task.refresh_from_db()
    return task


@pytest.fixture
def outline_url(document) -> str:  # noqa: ANN001
    _generate(document)
    return f"/api/v1/documents/{document.pk}/outline"


def test_first_successful_result_becomes_the_outline_and_later_ones_do_not(document):
    first = _generate(document, " 第一次修订补充了摘要格式。")
    second = _generate(document, " 第二次修订补充了更好的摘要格式。")

    outline = Outline.objects.get(document=document)
    assert outline.version == 1 and outline.markdown == first.result
    assert "第二次" in second.result and "第二次" not in outline.markdown


def test_get_outline_gives_version_markdown_and_sections_with_source_anchors(
    api_client, outline_url, document
):
    body = api_client.get(outline_url).json()

    assert body["version"] == 1
    assert [(s["level"], s["title"]) for s in body["sections"]] == [
        (1, "第一章 总则"),
        (2, "适用范围"),
        (1, "Chapter 2"),
    ]
    assert [s["source_index"] for s in body["sections"]] == [s["source_index"] for s in document.sections]
    assert body["sections"][0]["text"] == f"- {POINT}"


def test_save_creates_a_version_and_a_stale_save_gets_409(api_client, outline_url):
    markdown = api_client.get(outline_url).json()["markdown"].replace(POINT, "改过的摘要。", 1)

    saved = api_client.put(outline_url, {"version": 1, "markdown": markdown}, content_type="application/json")
    stale = api_client.put(outline_url, {"version": 1, "markdown": "# 旧\n"}, content_type="application/json")

    assert saved.status_code == 200 and saved.json()["version"] == 2
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert stale.json()["error"]["current_version"] == 2
    assert api_client.get(outline_url).json()["markdown"] == markdown  # nothing overwritten


def test_history_lists_versions_and_restore_makes_an_old_one_current(api_client, outline_url, user):
    original = api_client.get(outline_url).json()["markdown"]
    api_client.put(
        outline_url, {"version": 1, "markdown": "# 新\n\n## 新章\n"}, content_type="application/json"
    )

    history = api_client.get(f"{outline_url}/versions").json()["results"]
    restored = api_client.post(
        f"{outline_url}/versions/1/restore", {"version": 2}, content_type="application/json"
    )

    assert [(v["version"], v["author"]) for v in history] == [(2, "alice"), (1, None)]
    assert restored.status_code == 200 and restored.json()["version"] == 3
    assert restored.json()["markdown"] == original
    assert api_client.get(f"{outline_url}/versions").json()["results"][0]["note"] == "Restored version 1"


def test_keep_adopts_a_later_result_as_a_new_version(api_client, document, outline_url):
    later = _generate(document, " 更好的摘要格式补充了新结果的记录方式。")

    kept = api_client.post(f"/api/v1/tasks/{later.pk}/keep")

    assert kept.status_code == 200 and kept.json()["version"] == 2
    assert "更好的摘要" in kept.json()["markdown"]


def test_outline_of_another_users_document_is_404(client, other_user, outline_url):
    token = services.api_token_create(user=other_user)
    headers = {"Authorization": f"Bearer {token}"}

    assert client.get(outline_url, headers=headers).status_code == 404
    assert client.get(f"{outline_url}.docx", headers=headers).status_code == 404
    put = client.put(
        outline_url, {"version": 1, "markdown": "x"}, content_type="application/json", headers=headers
    )
    assert put.status_code == 404


def test_markdown_export_is_the_outline(api_client, outline_url):
    response = api_client.get(f"{outline_url}.md")

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode() == api_client.get(outline_url).json()["markdown"]


def test_docx_export_reads_back_to_the_same_tree_with_cjk(api_client, outline_url, user):
    user.first_name = "李雷"
    user.save()
    response = api_client.get(f"{outline_url}.docx")
    data = b"".join(response.streaming_content) if response.streaming else response.content

    doc = DocxDocument(io.BytesIO(data))
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings == [
        ("Title", "制度"),
        ("Heading 1", "第一章 总则"),
        ("Heading 2", "适用范围"),
        ("Heading 1", "Chapter 2"),
    ]
    extracted = structure_extract(data)
    assert [(s["level"], s["title"]) for s in extracted["sections"]] == [
        (1, "第一章 总则"),
        (2, "适用范围"),
        (1, "Chapter 2"),
    ]
    assert POINT in [p.text for p in doc.paragraphs]
    # Whose outline it is, not the library's name ("python-docx" was its author).
    assert (doc.core_properties.author, doc.core_properties.last_modified_by) == ("李雷", "李雷")
    assert doc.core_properties.title == "制度" and "Outliner" in doc.core_properties.comments


def _live_markup(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every (tag, attributes) the browser would build from `html`."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:
            found.append((tag, [(name, value or "") for name, value in attrs]))

    Collector().feed(html)
    return found


# What users type that looks like markup. Each reads back exactly as typed, and the page shows
# the words (the second item) as text: nothing is deleted, nothing becomes live markup.
TRICKY = [
    ("Java: `List<String>` and List<String> both", "List<String> both"),
    ("a<b>c and x < y > z", "a<b>c and x < y > z"),
    ("write to <bob@example.com> or see <https://example.com/a_b>", "bob@example.com"),
    ("a code span: `<script>alert(1)</script>`", "<script>alert(1)</script>"),
    ('```html\n<div onclick="x()">块</div>\n```', '<div onclick="x()">块</div>'),
    ("<script>alert(1)</script>安全", "<script>alert(1)</script>安全"),
    ('<img src=x onerror="alert(1)">图', '<img src=x onerror="alert(1)">图'),
    ("[点我](javascript:alert(1)) and [ok](https://example.com)", "[点我](javascript:alert(1)) and ok"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](data:text/html;base64,PHNjcmlwdD4=)"),
    ("&lt;b&gt; is how you write <b>", "<b> is how you write <b>"),
    ("- 第一点 <注>\n- 第二点 `C#`\n  - 子点 a_b_c", "第一点 <注>"),
    ("| 列 | <th> |\n|---|---|\n| 1 | 2 |", "<th>"),
    ("中文（全角）、<标签>和 emoji 🙂", "中文（全角）、<标签>和 emoji 🙂"),
]


@pytest.mark.parametrize(("typed", "shown"), TRICKY)
def test_what_the_user_typed_reads_back_the_same_and_shows_as_text(api_client, outline_url, typed, shown):
    from html import unescape

    from django.utils.html import strip_tags

    from documents.templatetags.outline import markdown_html

    markdown = f"# T\n\n## C# <API> and List<T>\n\n{typed}\n"
    saved = api_client.put(outline_url, {"version": 1, "markdown": markdown}, content_type="application/json")
    read = api_client.get(outline_url).json()
    html = str(markdown_html(read["markdown"]))

    assert saved.status_code == 200 and read["markdown"] == markdown
    assert [s["title"] for s in read["sections"]] == ["C# <API> and List<T>"]
    assert shown in unescape(strip_tags(html))
    # Markup the user typed is never live in the page: only Markdown's own tags, no attributes
    # but a link's safe address (and the rel nh3 adds to it).
    tags = _live_markup(html)
    assert {tag for tag, _ in tags} <= {"div", "h2", "p", "ul", "li", "code", "pre", "a", "table", "thead",
                                        "tbody", "tr", "th", "td"}  # fmt: skip
    # The only <div> is the outline's title, a heading by role (one <h1> per page).
    assert all(attrs == [("role", "heading"), ("aria-level", "2"), ("class", "md-title")]
               for tag, attrs in tags if tag == "div")  # fmt: skip
    assert all(
        value.startswith(("https:", "mailto:")) if name == "href" else name == "rel"
        for tag, attrs in tags
        if tag != "div"
        for name, value in attrs
    )


def test_the_page_links_only_to_safe_addresses_and_shows_images_as_links():
    from documents.outline_markdown import render_markdown

    html = render_markdown(
        "[ok](https://example.com) [mail](mailto:a@example.com) [rel](#s) [js](JavaScript:x) "
        "![chart](https://example.com/c.png) ![pix](data:image/png;base64,AA)"
    )

    links = [attrs[0][1] for tag, attrs in _live_markup(html) if tag == "a"]
    assert links == ["https://example.com", "mailto:a@example.com", "#s", "https://example.com/c.png"]
    assert ">chart</a>" in html and "<img" not in html and "[js](JavaScript:x)" in html
    assert "![pix](data:image/png;base64,AA)" in html


def test_an_outline_over_the_limit_is_refused_with_the_limit_named(api_client, outline_url, settings):
    from documents.schemas import OutlineIn

    limit = OutlineIn.model_fields["markdown"].metadata[0].max_length
    assert limit == settings.MAX_OUTLINE_CHARS
    too_long = api_client.put(
        outline_url, {"version": 1, "markdown": "#" * (limit + 1)}, content_type="application/json"
    )

    assert too_long.status_code == 400
    assert (
        too_long.json()["error"]["code"] == "invalid_request"
        and "markdown" in too_long.json()["error"]["message"]
    )
    assert api_client.get(outline_url).json()["version"] == 1


def test_a_stale_save_is_refused_before_the_text_is_read(api_client, outline_url, monkeypatch):
    from documents.services import outline_versions

    api_client.put(outline_url, {"version": 1, "markdown": "# 新\n"}, content_type="application/json")
    monkeypatch.setattr(outline_versions, "normalize_markdown", lambda text: pytest.fail("read"))

    stale = api_client.put(
        outline_url, {"version": 1, "markdown": "[" * 50_000}, content_type="application/json"
    )

    assert stale.status_code == 409 and stale.json()["error"]["current_version"] == 2


def test_the_edit_form_refuses_an_outline_over_the_limit_and_keeps_the_text(client, user, document, settings):
    from django.urls import reverse

    from documents.forms import OutlineEditForm

    _generate(document)
    settings.MAX_OUTLINE_CHARS = 100
    client.force_login(user)
    url = reverse("documents:outline_edit", args=[document.pk])
    text = "# 制度\n\n" + "长" * 200

    refused = client.post(url, {"version": 1, "markdown": text})

    assert refused.status_code == 200 and "it can be at most 100" in refused.content.decode()
    assert text in refused.content.decode()  # nothing the user typed is lost
    assert "maxlength" not in str(OutlineEditForm()["markdown"])  # the browser never cuts a paste
    assert Outline.objects.get(document=document).version == 1


def test_control_characters_are_dropped_and_a_vertical_tab_does_not_split_a_heading(api_client, outline_url):
    markdown = "# T\n\n## 第一\x0b章\n\n要点\x01一\x7f。\u2028续\n"

    saved = api_client.put(outline_url, {"version": 1, "markdown": markdown}, content_type="application/json")
    exported = api_client.get(f"{outline_url}.docx")

    assert saved.json()["markdown"] == "# T\n\n## 第一 章\n\n要点一。 续\n"
    assert [s["title"] for s in saved.json()["sections"]] == ["第一 章"]
    assert exported.status_code == 200  # it was a 500 until the outline was edited


def test_save_keeps_typed_markup_as_the_users_text(api_client, outline_url):
    markdown = "# T\n\n## S\n\n<b onclick='x()'>粗</b> [l](javascript:void(0))\n"

    saved = api_client.put(
        outline_url, {"version": 1, "markdown": markdown}, content_type="application/json"
    ).json()

    assert saved["markdown"] == markdown


def test_parse_sections_ignores_headings_inside_code_fences():
    title, sections = parse_sections("# 标题\n\n## 一\n\n```\n## not a heading\n```\n\n### 二\n文字")

    assert title == "标题"
    assert [(s["level"], s["title"]) for s in sections] == [(1, "一"), (2, "二")]
    assert sections[1]["text"] == "文字"


def test_edit_page_saves_and_a_stale_form_shows_the_conflict(client, user, outline_url, document):
    from django.urls import reverse

    client.force_login(user)
    url = reverse("documents:outline_edit", args=[document.pk])
    assert client.get(url).status_code == 200

    saved = client.post(url, {"version": 1, "markdown": "# 制度\n\n## 新的一章\n"})
    stale = client.post(url, {"version": 1, "markdown": "# 制度\n\n## 我的修改\n"})

    assert saved.status_code == 302
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "changed elsewhere (now version 2)" in html and "我的修改" in html and "新的一章" in html
    assert Outline.objects.get(document=document).markdown == "# 制度\n\n## 新的一章\n"


def test_preview_renders_markdown_and_shows_html_as_text(client, user, outline_url, document):
    from django.urls import reverse

    client.force_login(user)
    response = client.post(
        reverse("documents:outline_preview", args=[document.pk]),
        {"markdown": "## 标题\n\n<script>x()</script>**粗**"},
    )

    html = response.content.decode()
    assert "<h2>标题</h2>" in html and "<strong>粗</strong>" in html and "<script" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html


def test_preview_of_an_outline_over_the_limit_names_the_limit_and_renders_nothing(
    client, user, outline_url, document, settings
):
    from django.urls import reverse

    settings.MAX_OUTLINE_CHARS = 100
    client.force_login(user)
    url = reverse("documents:outline_preview", args=[document.pk])
    response = client.post(url, {"markdown": "## 长\n" * 40})

    html = response.content.decode()
    assert response.status_code == 200 and "200 characters long; it can be at most 100" in html
    assert "<h2>" not in html


def test_save_and_undo_messages_name_the_versions_they_mean(client, user, outline_url, document):
    # "Saved version 3." came after saving version 2; undo named the version after the one restored.
    from django.urls import reverse

    client.force_login(user)
    edit = reverse("documents:outline_edit", args=[document.pk])
    saved = client.post(edit, {"version": 1, "markdown": "# 改\n"}, follow=True).content.decode()
    undone = client.post(reverse("documents:outline_undo", args=[document.pk]), follow=True).content.decode()

    assert "Saved version 2." in saved and "Saved version 3." not in saved
    assert "Undone: back to the text of version 1." in undone
    outline = Outline.objects.get(document=document)
    assert outline.version == 3 and outline.markdown == outline.versions.get(number=1).markdown


def test_history_restore_and_keep_pages(client, user, outline_url, document):
    from django.urls import reverse

    client.force_login(user)
    client.post(reverse("documents:outline_edit", args=[document.pk]), {"version": 1, "markdown": "# 改\n"})
    restore = reverse("documents:outline_restore", args=[document.pk, 1])

    assert "v2" in client.get(reverse("documents:outline_history", args=[document.pk])).content.decode()
    assert client.post(restore, {"version": 2}).status_code == 302
    assert Outline.objects.get(document=document).version == 3
    later = _generate(document, " 新结果的记录方式需要重写后公布。")
    assert (
        ">Keep this outline<"
        in client.get(reverse("documents:task_detail", args=[later.pk])).content.decode()
    )
    client.post(reverse("documents:outline_keep", args=[later.pk]))
    assert "新结果" in Outline.objects.get(document=document).markdown


def test_source_of_a_section_is_its_heading_and_body_from_the_docx(client, user, outline_url, document):
    from django.urls import reverse

    client.force_login(user)
    index = document.sections[1]["source_index"]

    response = client.get(
        reverse("documents:document_source", args=[document.pk, index]), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="source-pane"' in html and "<html" not in html
    assert response.context["source"] == {"index": index, "heading": "适用范围", "paragraphs": [BODY]}
    assert client.get(reverse("documents:document_source", args=[document.pk, index + 1])).status_code == 404


def test_source_of_another_users_document_is_404(client, other_user, outline_url, document):
    from django.urls import reverse

    client.force_login(other_user)

    assert client.get(reverse("documents:document_source", args=[document.pk, 0])).status_code == 404


def test_undo_brings_back_the_previous_text(client, user, outline_url, document):
    from django.urls import reverse

    client.force_login(user)
    before = Outline.objects.get(document=document).markdown
    client.post(reverse("documents:outline_edit", args=[document.pk]), {"version": 1, "markdown": "# 改\n"})

    client.post(reverse("documents:outline_undo", args=[document.pk]))

    outline = Outline.objects.get(document=document)
    assert (outline.version, outline.markdown) == (3, before)


def test_replace_section_text_changes_only_that_section():
    from documents.outline_markdown import replace_section_text

    markdown = "# T\n\n## 一\n\n旧的。\n\n### 二\n\n不变。\n"

    assert replace_section_text(markdown, 0, "新的。") == "# T\n\n## 一\n\n新的。\n\n### 二\n\n不变。\n"
    assert replace_section_text(markdown, 1, "改。") == "# T\n\n## 一\n\n旧的。\n\n### 二\n\n改。\n"
    with pytest.raises(IndexError):
        replace_section_text(markdown, 2, "x")


def test_regenerating_a_section_streams_its_text_and_keep_saves_it_as_a_new_version(document, outline_url):
    outline = Outline.objects.get(document=document)
    before = outline.markdown
    task = services.outline_section_regenerate(outline=outline, index=1)
    provider = FakeProvider([[" 新的范围说明", "需要重写后公布。"]])

    services.outline_generate(task_id=task.pk, provider=provider)

    task.refresh_from_db()
    outline.refresh_from_db()
    assert task.status == "succeeded" and task.result == "- 新的范围说明需要重写后公布。\n\n"
    assert "适用范围" in provider.prompts[0].text and len(provider.prompts) == 1
    # Nothing changes before the user keeps it (issue 21, item 6: it overwrote the section at once).
    assert (outline.version, outline.markdown, task.decision) == (1, before, "")

    outline = services.section_keep(task=task)
    assert services.section_keep(task=task).version == 2  # a second Keep changes nothing
    task.refresh_from_db()
    assert task.decision == "kept"
    with pytest.raises(services.TaskRejected) as refused:
        services.section_discard(task=task)
    assert refused.value.code == "kept"
    _, sections = parse_sections(outline.markdown)
    assert [s["text"] for s in sections] == [f"- {POINT}", "- 新的范围说明需要重写后公布。", f"- {POINT}"]
    assert outline.version == 2
    assert outline.versions.first().note == "Regenerated section 2: 适用范围"
    assert services.outline_adopt(task=task) is None  # never put over the whole outline


def test_regenerate_keeps_an_edit_made_meanwhile(document, outline_url, user):
    outline = Outline.objects.get(document=document)
    task = services.outline_section_regenerate(outline=outline, index=0)
    edited = outline.markdown.replace("## Chapter 2", "## Chapter Two")
    services.outline_save(outline=outline, base_version=1, markdown=edited, author=user)

    services.outline_generate(task_id=task.pk, provider=FakeProvider([[" 范围说明需要重写后公布。"]]))
    services.section_keep(task=OutlineTask.objects.get(pk=task.pk), author=user)

    markdown = Outline.objects.get(document=document).markdown
    assert "## Chapter Two" in markdown
    assert parse_sections(markdown)[1][0]["text"] == "- 范围说明需要重写后公布。"


def test_regenerate_writes_into_its_section_after_an_edit_inserts_one_above_it(document, outline_url, user):
    # The section was picked by its index when the task ended: the text went into the section
    # that now stood there ("第一章 总则"'s neighbour), and the version note named that one.
    outline = Outline.objects.get(document=document)
    task = services.outline_section_regenerate(outline=outline, index=1)  # 适用范围
    inserted = outline.markdown.replace("## 第一章 总则", "## 新增的一章\n\n我加的。\n\n## 第一章 总则")
    services.outline_save(outline=outline, base_version=1, markdown=inserted, author=user)

    services.outline_generate(task_id=task.pk, provider=FakeProvider([[" 新的范围说明", "需要重写后公布。"]]))
    services.section_keep(task=OutlineTask.objects.get(pk=task.pk), author=user)

    outline.refresh_from_db()
    texts = {s["title"]: s["text"] for s in parse_sections(outline.markdown)[1]}
    assert texts == {
        "新增的一章": "我加的。", "第一章 总则": f"- {POINT}", "适用范围": "- 新的范围说明需要重写后公布。",
        "Chapter 2": f"- {POINT}",
    }  # fmt: skip
    assert outline.versions.first().note == "Regenerated section 3: 适用范围"


def test_regenerate_from_a_page_showing_an_older_version_targets_the_section_the_user_saw(
    document, outline_url, user
):
    outline = Outline.objects.get(document=document)
    inserted = outline.markdown.replace("## 第一章 总则", "## 新增的一章\n\n## 第一章 总则")
    services.outline_save(outline=outline, base_version=1, markdown=inserted, author=user)
    outline.refresh_from_db()

    task = services.outline_section_regenerate(outline=outline, index=1, version=1)  # 适用范围 on v1

    assert (task.section_index, task.section_version) == (2, 2)
    removed = outline.markdown.replace("### 适用范围", "")
    services.outline_save(outline=outline, base_version=2, markdown=removed, author=user)
    outline.refresh_from_db()
    with pytest.raises(services.TaskRejected) as refused:
        services.outline_section_regenerate(outline=outline, index=1, version=1)
    assert refused.value.code == "section_gone" and refused.value.status_code == 409


@pytest.mark.parametrize("renamed_when", ["before it starts", "while it writes"])
def test_regenerate_of_a_section_renamed_meanwhile_is_refused_and_the_outline_left_alone(
    document, outline_url, user, renamed_when
):
    outline = Outline.objects.get(document=document)
    task = services.outline_section_regenerate(outline=outline, index=1)
    renamed = outline.markdown.replace("### 适用范围", "### 适用的范围")

    class RenamingProvider(FakeProvider):
        def deltas(self, prompt, **kwargs):  # noqa: ANN001, ANN003, ANN202
            services.outline_save(outline=outline, base_version=1, markdown=renamed, author=user)
            return super().deltas(prompt, **kwargs)

    replies = [[" 新的范围说明", "需要重写后公布。"]]
    if renamed_when == "before it starts":
        services.outline_save(outline=outline, base_version=1, markdown=renamed, author=user)
        provider = FakeProvider(replies)
    else:
        provider = RenamingProvider(replies)
    services.outline_generate(task_id=task.pk, provider=provider)

    task.refresh_from_db()
    outline.refresh_from_db()
    assert (task.status, task.error_code) == ("failed", "section_gone")
    assert outline.version == 2 and outline.markdown == renamed  # nothing written anywhere
    if renamed_when == "while it writes":
        assert "新的范围说明" in task.result  # kept on the task page


def test_a_discarded_section_text_leaves_the_outline_as_it_was_and_cannot_be_kept_after(
    document, outline_url
):
    outline = Outline.objects.get(document=document)
    before = outline.markdown
    task = services.outline_section_regenerate(outline=outline, index=1)
    services.outline_generate(task_id=task.pk, provider=FakeProvider([[" 不想要的说明。"]]))

    services.section_discard(task=OutlineTask.objects.get(pk=task.pk))

    outline.refresh_from_db()
    assert (outline.version, outline.markdown) == (1, before)
    assert OutlineTask.objects.get(pk=task.pk).decision == "discarded"
    assert selectors.outline_open_section_tasks(outline=outline) == {}  # the page shows the section alone
    with pytest.raises(services.TaskRejected) as refused:
        services.section_keep(task=OutlineTask.objects.get(pk=task.pk))
    assert refused.value.code == "discarded" and refused.value.status_code == 409


def test_keep_after_the_section_was_renamed_is_refused_and_writes_nothing(document, outline_url, user):
    outline = Outline.objects.get(document=document)
    task = services.outline_section_regenerate(outline=outline, index=1)
    services.outline_generate(task_id=task.pk, provider=FakeProvider([[" 新的范围说明。"]]))
    renamed = outline.markdown.replace("### 适用范围", "### 适用的范围")
    services.outline_save(outline=outline, base_version=1, markdown=renamed, author=user)

    with pytest.raises(services.TaskRejected) as refused:
        services.section_keep(task=OutlineTask.objects.get(pk=task.pk), author=user)

    outline.refresh_from_db()
    assert refused.value.code == "section_gone" and (outline.version, outline.markdown) == (2, renamed)
    assert OutlineTask.objects.get(pk=task.pk).decision == ""


def test_regenerate_of_a_missing_section_is_refused(document, outline_url):
    with pytest.raises(services.TaskRejected):
        services.outline_section_regenerate(outline=Outline.objects.get(document=document), index=9)


def test_diff_structures_reports_added_removed_changed_and_unchanged():
    from documents.outline_markdown import diff_structures

    old = [{"title": "一", "level": 1, "text": "a"}, {"title": "二", "level": 1, "text": "b"},
           {"title": "三", "level": 1, "text": "c"}]  # fmt: skip
    new = [{"title": "一", "level": 1, "text": "a"}, {"title": "三", "level": 1, "text": "c 改"},
           {"title": "四", "level": 2, "text": "d"}]  # fmt: skip

    assert [(d["title"], d["status"]) for d in diff_structures(old, new)] == [
        ("一", "unchanged"), ("二", "removed"), ("三", "changed"), ("四", "added"),
    ]  # fmt: skip


def test_diff_structures_accounts_for_every_section_and_keeps_a_shared_head_and_tail():
    import random

    from documents.outline_markdown import diff_structures

    randomly = random.Random(7)
    for _ in range(2000):
        old = [
            {"title": randomly.choice("AB一"), "level": 1, "text": ""} for _ in range(randomly.randint(0, 9))
        ]
        new = [
            {"title": randomly.choice("AB一"), "level": 1, "text": ""} for _ in range(randomly.randint(0, 9))
        ]
        head = [{"title": "头", "level": 1, "text": ""}]
        tail = [{"title": "尾", "level": 1, "text": ""}]
        diff = diff_structures(head + old + tail, head + new + tail)
        # Every new section once, in order; every old one accounted for; the shared ends matched.
        assert [d["title"] for d in diff if d["status"] != "removed"] == [
            s["title"] for s in head + new + tail
        ]
        assert sum(d["status"] != "added" for d in diff) == len(old) + 2
        assert diff[0]["status"] == diff[-1]["status"] == "unchanged"
        assert all(d["status"] == "unchanged" for d in diff_structures(old, [dict(s) for s in old]))


def test_diff_structures_of_many_equal_headings_runs_in_linear_time():
    # N equal headings, then a revision with one changed: 26 s at 12,000 before the shared head
    # and tail were matched first.
    from documents.outline_markdown import diff_structures

    def revision(count: int) -> tuple[list, list]:
        old = [{"title": "Section", "level": 1, "text": ""} for _ in range(count)]
        new = [dict(section) for section in old]
        new[count // 2] = {"title": "Changed", "level": 1, "text": ""}
        return old, new

    small, large = revision(3_000), revision(12_000)
    ratio = growth_ratio(lambda pair: diff_structures(*pair), small, large)
    assert ratio < 8, ratio


def test_reupload_keeps_edits_and_offers_only_changed_sections(api_client, user, document, outline_url):
    outline = Outline.objects.get(document=document)
    edited = outline.markdown.replace(f"- {POINT}", "我改过的第一章。", 1)
    services.outline_save(outline=outline, base_version=1, markdown=edited, author=user)
    revised = make_docx([(1, "第一章 总则"), (1, "Chapter 2"), (1, "第三章 附则")], body=BODY)

    response = api_client.post(
        f"/api/v1/documents/{document.pk}/revisions", {"file": SimpleUploadedFile("制度-v2.docx", revised)}
    )

    assert response.status_code == 200 and response.json()["revision"] == 2
    assert [(d["title"], d["status"]) for d in response.json()["diff"]] == [
        ("第一章 总则", "unchanged"), ("适用范围", "removed"),
        ("Chapter 2", "unchanged"), ("第三章 附则", "added"),
    ]  # fmt: skip
    outline = api_client.get(outline_url).json()
    assert outline["version"] == 3
    assert [(s["title"], s["text"]) for s in outline["sections"]] == [
        ("第一章 总则", "我改过的第一章。"), ("Chapter 2", f"- {POINT}"), ("第三章 附则", ""),
    ]  # fmt: skip
    current = Outline.objects.get(document=document)
    from documents import selectors

    assert [s["revision_status"] for s in selectors.outline_sections(outline=current)] == ["", "", "added"]


def test_an_identical_revision_keeps_the_text_of_sections_whose_titles_look_like_markup(
    api_client, user, outline_url
):
    # The stored outline kept sanitized titles ("List" for "List<String>") while the rebase
    # matched the document's own: uploading the same file again wiped these sections' text.
    headings = [(1, "List<String> 的用法"), (1, "[链接](javascript:x) 说明"), (1, "C# 与 F#")]
    data = make_docx(headings, body=BODY)
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("标记.docx", data))
    _generate(document)
    url = f"/api/v1/documents/{document.pk}/outline"
    generated = api_client.get(url).json()
    assert [s["title"] for s in generated["sections"]] == [title for _, title in headings]
    edited = "# 标记\n\n" + "".join(f"## {t}\n\n我写的第{n}段。\n\n" for n, (_, t) in enumerate(headings))
    api_client.put(
        url, {"version": generated["version"], "markdown": edited}, content_type="application/json"
    )

    response = api_client.post(
        f"/api/v1/documents/{document.pk}/revisions", {"file": SimpleUploadedFile("标记.docx", data)}
    )

    assert response.status_code == 200
    assert {d["status"] for d in response.json()["diff"]} == {"unchanged"}
    sections = api_client.get(url).json()["sections"]
    assert [(s["title"], s["text"]) for s in sections] == [
        (title, f"我写的第{n}段。") for n, (_, title) in enumerate(headings)
    ]


def test_rejected_revision_changes_nothing(api_client, document, outline_url):
    before = (document.sha256, Outline.objects.get(document=document).version)

    response = api_client.post(
        f"/api/v1/documents/{document.pk}/revisions", {"file": SimpleUploadedFile("x.docx", b"%PDF-1.4")}
    )

    document.refresh_from_db()
    assert response.status_code == 415
    assert (document.sha256, Outline.objects.get(document=document).version) == before
    assert document.revision == 1


def test_the_api_counts_each_sections_extracted_points(api_client, document):
    # An English answer for a Chinese document fails a gate twice: the document's own words stand in.
    _generate(document, " The rules of the company.")

    sections = api_client.get(f"/api/v1/documents/{document.pk}/outline").json()["sections"]

    assert [s["extracted_points"] for s in sections] == [1, 1, 1]
    assert all(s["text"].startswith("- _") and s["text"].endswith("_") for s in sections)


def test_an_outlines_title_is_a_level_2_heading_in_the_page():
    # The page's own <h1> names the document; the outline's "# title" made a second one.
    from documents.outline_markdown import render_markdown

    html = render_markdown("# 制度\n\n## 第一章\n\n正文。")

    assert "<h1" not in html
    assert '<div role="heading" aria-level="2" class="md-title">制度</div>' in html
    assert "<h2>第一章</h2>" in html
