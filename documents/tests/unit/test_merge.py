"""The three-way merge of a stale edit with the versions saved since (issue 21, item 5: "Save
again" dropped the other tab's changes), and the page that asks only about sections both changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents import services
from documents.models import Outline
from documents.outline_markdown import merge_outlines, take_theirs

BASE = (
    "# 制度\n\n## 第一章 总则\n\n- 适用于全体员工。\n\n## 第二章 考勤\n\n- 按时上下班。\n\n"
    "## 第三章 奖惩\n\n- 奖励。\n"
)


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    return text


def test_each_sides_change_to_a_section_the_other_left_alone_is_kept():
    mine = _edit(BASE, ("按时上下班。", "弹性上下班。"))
    theirs = _edit(BASE, ("适用于全体员工。", "适用于正式员工。")) + "\n## 第四章 附则\n\n- 即日施行。\n"

    merged = merge_outlines(BASE, mine, theirs)

    assert merged["markdown"] == _edit(theirs, ("按时上下班。", "弹性上下班。"))
    assert merged["conflicts"] == []
    assert merged["changes"] == [
        {"title": "第一章 总则", "by": "theirs", "status": "changed"},
        {"title": "第二章 考勤", "by": "mine", "status": "changed"},
        {"title": "第四章 附则", "by": "theirs", "status": "added"},
    ]


def test_only_a_section_both_changed_is_asked_about_and_the_editor_holds_mine_until_then():
    mine = _edit(BASE, ("奖励。", "奖励与处罚。"))
    theirs = _edit(BASE, ("奖励。", "奖励优秀者。"))

    merged = merge_outlines(BASE, mine, theirs)

    assert merged["markdown"] == mine
    assert [(c["title"], c["mine"], c["theirs"]) for c in merged["conflicts"]] == [
        ("第三章 奖惩", "- 奖励与处罚。", "- 奖励优秀者。")
    ]
    assert take_theirs(merged["markdown"], theirs, {merged["conflicts"][0]["key"]}) == theirs


def test_removals_and_additions_on_either_side():
    mine = _edit(BASE, ("## 第二章 考勤\n\n- 按时上下班。\n\n", "")) + "\n## 第五章 我的\n\n- 我加的。\n"
    theirs = _edit(BASE, ("## 第一章 总则\n\n- 适用于全体员工。\n\n", ""))

    merged = merge_outlines(BASE, mine, theirs)

    assert merged["markdown"] == "# 制度\n\n## 第三章 奖惩\n\n- 奖励。\n\n## 第五章 我的\n\n- 我加的。\n"
    assert merged["conflicts"] == []


def test_a_section_i_removed_and_they_changed_is_asked_about_and_can_come_back_where_it_was():
    mine = _edit(BASE, ("## 第二章 考勤\n\n- 按时上下班。\n\n", ""))
    theirs = _edit(BASE, ("按时上下班。", "弹性上下班。"))

    merged = merge_outlines(BASE, mine, theirs)

    [conflict] = merged["conflicts"]
    assert conflict["mine_removed"] and conflict["theirs"] == "- 弹性上下班。"
    assert "第二章" not in merged["markdown"]
    assert take_theirs(merged["markdown"], theirs, {conflict["key"]}) == theirs


def test_equal_titles_are_told_apart_by_their_place():
    base = "# T\n\n## 小结\n\n- 一。\n\n## 小结\n\n- 二。\n"
    mine = base.replace("- 二。", "- 二改。")
    theirs = base.replace("- 一。", "- 一改。")

    assert (
        merge_outlines(base, mine, theirs)["markdown"]
        == "# T\n\n## 小结\n\n- 一改。\n\n## 小结\n\n- 二改。\n"
    )


@pytest.mark.django_db
def test_the_edit_page_merges_a_stale_save_asks_about_what_both_changed_and_applies_the_answer(
    logged_in, user, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import OutlineTask
    from documents.tests.conftest import make_docx

    settings.MEDIA_ROOT = tmp_path
    document = services.document_create(
        owner=user, uploaded=SimpleUploadedFile("制度.docx", make_docx([(1, "第一章 总则")]))
    )
    task = OutlineTask.objects.create(owner=user, document=document, status="succeeded", result=BASE)
    outline = services.outline_adopt(task=task, only_if_first=True)
    theirs = _edit(BASE, ("奖励。", "奖励优秀者。")) + "\n## 第四章 附则\n\n- 即日施行。\n"
    services.outline_save(outline=outline, base_version=1, markdown=theirs, author=user)
    mine = _edit(BASE, ("奖励。", "奖励与处罚。"), ("按时上下班。", "弹性上下班。"))

    url = reverse("documents:outline_edit", args=[document.pk])
    response = logged_in.post(url, {"version": 1, "markdown": mine})

    html = response.content.decode()
    assert response.status_code == 409
    assert (
        "Their new section “第四章 附则” is merged in." in html
        and "Your change to “第二章 考勤” is kept." in html
    )
    assert html.count('data-testid="merge-question"') == 1 and 'name="take-0"' in html
    merged = response.context["form"].initial["markdown"]
    assert "弹性上下班。" in merged and "奖励与处罚。" in merged and "## 第四章 附则" in merged
    key = response.context["conflict"]["merge"]["conflicts"][0]["key"]

    response = logged_in.post(
        url, {"version": 2, "markdown": merged, "questions": 1, "key-0": key, "take-0": "theirs"}
    )

    assert response.status_code == 302
    saved = Outline.objects.get(document=document).markdown
    assert saved == _edit(theirs, ("按时上下班。", "弹性上下班。"))
