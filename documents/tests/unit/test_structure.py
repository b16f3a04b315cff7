"""structure_extract: every accepted corpus file, plus small documents built for one rule each."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from documents import structure as structure_module
from documents.structure import (
    SOURCE_SECTION_CHARS,
    count_words,
    detect_language,
    docx_extract,
    docx_open,
    section_sources,
    source_paragraphs,
    structure_extract,
)
from documents.tests import docx_factory as factory
from documents.tests.timing import growth_ratio

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
TOP_KEYS = {"version", "title", "language", "heuristic", "counts", "preamble", "sections"}
COUNT_KEYS = {"paragraphs", "tables", "images", "footnotes", "comments", "sections", "words", "chars"}
SECTION_KEYS = {
    "level",
    "title",
    "paragraphs",
    "words",
    "chars",
    "excerpt",
    "text",
    "source_index",
    "in_table",
}


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ACCEPTED = [row for row in _manifest() if "does not open" not in row["notes"]]


def _int(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _facts(notes: str) -> dict:
    """What the manifest says about a file (the part after "opens:" is measured, not prose)."""
    prose, _, measured = notes.partition("opens:")
    levels = re.search(r"Heading-N-styled \(([^)]*)\)", measured).group(1)
    parts = re.search(r"parts: ([\w+]+)", measured)
    return {
        "paragraphs": _int(r"(\d+) paras", measured),
        "heading_styled": _int(r"(\d+) Heading-N-styled", measured),
        "heading_levels": {} if levels == "none" else dict(x.split(":") for x in levels.split(",")),
        "outline_paras": _int(r"(\d+) other paras with outlineLvl", measured),
        "titles": _int(r"(\d+) Title", measured),
        "tables": _int(r"(\d+) tables", measured),
        "images": _int(r"(\d+) inline images", measured),
        "cjk_paras": _int(r"(\d+) CJK/Hangul paras", measured),
        "parts": parts.group(1).split("+") if parts else [],
        "word_sections": _int(r"(\d+) sections", prose),
    }


_CACHE: dict[str, dict] = {}


def _extract_corpus(name: str) -> dict:
    if name not in _CACHE:
        _CACHE[name] = structure_extract((CORPUS / name).read_bytes())
    return _CACHE[name]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _levels(structure: dict) -> list[int]:
    return [s["level"] for s in structure["sections"]]


def _titles(structure: dict) -> list[str]:
    return [s["title"] for s in structure["sections"]]


def _extract(build: Callable[[DocxDocument], None]) -> dict:
    return structure_extract(factory.build_docx(build))


# ----------------------------------------------------------------------------- corpus: every file

ids = [row["file"] for row in ACCEPTED]


@pytest.mark.parametrize("row", ACCEPTED, ids=ids)
def test_corpus_file_extracts_json_serialisable_structure_with_expected_keys(row):
    structure = _extract_corpus(row["file"])

    assert json.loads(json.dumps(structure, ensure_ascii=False)) == structure
    assert set(structure) == TOP_KEYS and structure["version"] == 1
    assert set(structure["counts"]) == COUNT_KEYS
    assert set(structure["preamble"]) == {"paragraphs", "chars", "words", "excerpt"}
    assert all(set(section) == SECTION_KEYS for section in structure["sections"])


@pytest.mark.parametrize("row", ACCEPTED, ids=ids)
def test_corpus_counts_match_manifest(row):
    facts = _facts(row["notes"])
    counts = _extract_corpus(row["file"])["counts"]

    assert counts["paragraphs"] == facts["paragraphs"]
    # The manifest counts top-level tables and inline pictures; we also count nested tables
    # and floating pictures, so ours can only be higher.
    assert counts["tables"] >= facts["tables"]
    assert (counts["tables"] == 0) == (facts["tables"] == 0)
    assert counts["images"] >= facts["images"]
    if facts["word_sections"]:
        assert counts["sections"] == facts["word_sections"]
    assert (counts["comments"] > 0) == ("comments" in facts["parts"])
    if "footnotes" not in facts["parts"]:
        assert counts["footnotes"] == 0
    assert (counts["words"] > 0) == (counts["chars"] > 0)


@pytest.mark.parametrize("row", ACCEPTED, ids=ids)
def test_corpus_outline_is_a_tree_whose_headings_point_back_at_their_paragraphs(row):
    facts = _facts(row["notes"])
    structure = _extract_corpus(row["file"])
    sections = structure["sections"]
    document = docx.Document(CORPUS / row["file"])
    paragraphs = source_paragraphs(document)

    # The manifest counts body-level paragraphs; headings in table cells come on top (bug65649).
    styled = facts["heading_styled"] + facts["outline_paras"]
    if styled:
        assert not structure["heuristic"]
        assert 1 <= len([s for s in sections if not s["in_table"]]) <= styled
    levels = _levels(structure)
    if levels:
        assert levels[0] == 1
        assert all(1 <= b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    if facts["heading_levels"] and not facts["outline_paras"]:
        assert max(levels) <= len(facts["heading_levels"])
    for section in sections:
        source = _norm(paragraphs[section["source_index"]].text)
        assert section["title"] and source.startswith(section["title"].removesuffix("…"))
        assert section["title"] == source or (
            len(section["title"]) == 2000 and section["title"].endswith("…")
        )


@pytest.mark.parametrize("row", ACCEPTED, ids=ids)
def test_corpus_section_source_is_the_docx_paragraphs_from_its_heading_to_the_next(row):
    # python-docx's text of the heading and of each non-empty paragraph (the body's, in content
    # controls and in table cells) up to the next section's heading.
    structure, sources = docx_extract(docx_open((CORPUS / row["file"]).read_bytes()))
    sections = structure["sections"]
    paragraphs = source_paragraphs(docx.Document(CORPUS / row["file"]))
    ends = [s["source_index"] for s in sections[1:]] + [None]

    assert len(sources) == len(sections)
    ends = ends[: len(sections)]  # no sections: nothing to check
    for section, source, end in zip(sections, sources, ends, strict=True):
        body = [p.text for p in paragraphs[section["source_index"] + 1 : end] if p.text.strip()]
        heading = paragraphs[section["source_index"]].text
        assert (source["source_index"], source["heading"]) == (section["source_index"], heading)
        shown = source["paragraphs"]
        if shown != body:  # cut at SOURCE_SECTION_CHARS: what is shown is the start, then "…"
            assert shown[-1].endswith("…") and shown[:-1] == body[: len(shown) - 1]
            assert body[len(shown) - 1].startswith(shown[-1].removesuffix("…"))


@pytest.mark.parametrize("row", ACCEPTED, ids=ids)
def test_corpus_language_follows_the_dominant_script(row):
    facts = _facts(row["notes"])
    language = _extract_corpus(row["file"])["language"]

    if "Korean" in row["notes"]:
        assert language == "ko"
    elif facts["cjk_paras"]:
        assert language == "zh"
    else:
        assert language not in {"zh", "ko", "ja"}


@pytest.mark.parametrize("row", ACCEPTED, ids=ids)
def test_corpus_sections_text_is_capped_and_excerpt_is_short(row):
    structure = _extract_corpus(row["file"])

    for part in [structure["preamble"], *structure["sections"]]:
        assert len(part["excerpt"]) <= 200
        assert part["paragraphs"] >= 0 and part["words"] >= 0 and part["chars"] >= 0
    for section in structure["sections"]:
        assert len(section["text"]) <= 4000
        assert _norm(section["text"]).startswith(section["excerpt"].removesuffix("…"))


# ----------------------------------------------------------------------------- corpus: specific files


@pytest.mark.parametrize(
    ("name", "titles", "levels"),
    [
        ("poi__heading123.docx", ["First paragraph", "Second paragraph", "Third paragraph"], [1, 2, 3]),
        (
            "pandoc__headers.docx",
            [
                "A Test of Headers",
                "Second Level",
                "Third level",
                "Fourth level",
                "Fifth level",
                "Sixth level",
            ],
            [1, 2, 3, 4, 5, 6],
        ),
        ("pandoc__enumerated_headings.docx", ["H1", "H2", "H3"], [1, 2, 3]),
        ("pandoc__notes.docx", ["A footnote"], [1]),
        ("poi__65099.docx", ["Acronyms"], [1]),
        ("poi__60316.docx", ["Objective", "Experience", "Education", "References"], [1, 1, 1, 1]),
    ],
)
def test_corpus_heading_styles_and_outline_levels_give_expected_outline(name, titles, levels):
    structure = _extract_corpus(name)

    assert _titles(structure) == titles
    assert _levels(structure) == levels
    assert structure["heuristic"] is False


def test_korean_thesis_custom_outline_styles_give_its_chapters():
    structure = _extract_corpus("thesis-template-kr__오이코스논문 신탬플릿---수정본.docx")
    # The title page is a table whose title lines carry an outline level: Word's navigation pane
    # and table of contents list them above the chapters, and so do we, marked in_table.
    in_table = [s for s in structure["sections"] if s["in_table"]]
    assert [(s["level"], s["title"]) for s in in_table] == [(1, "TITLE"), (1, "한글제목")]
    top = [s["title"] for s in structure["sections"] if s["level"] == 2]
    second = [s["title"] for s in structure["sections"] if s["level"] == 3]

    assert [t for t in top if t.startswith("제 ")] == [
        "제 1 장 서론",
        "제 2 장 선행연구고찰",
        "제 3 장 연구 방법론",
        "제 4 장 제목",
        "제 5 장 제목",
        "제 6 장 제목",
        "제 7 장 결론",
    ]
    assert "1.1.연구의 배경 (Background of the Study)" in second
    assert any(s["level"] == 4 and s["title"] == "2.1.1.이차 소제목" for s in structure["sections"])
    assert structure["title"] == "PTS Dissertation Template"
    assert structure["language"] == "ko"
    assert structure["counts"]["footnotes"] == 9


def test_level_zero_heading_styles_and_title_paragraph():
    structure = _extract_corpus("pandoc__0_level_headers.docx")

    # "Heading 0" is based on Heading 1 but sets outline level 8 itself; like Word we use the
    # style's own level, and normalisation makes FIGURES/TABLES top-level siblings of Introduction.
    assert _titles(structure) == ["FIGURES", "TABLES", "Introduction"]
    assert _levels(structure) == [1, 1, 1]
    assert structure["title"] == "CONTENTS"
    assert "CONTENTS" not in structure["preamble"]["excerpt"]


def test_large_template_with_skipped_levels_extracts():
    data = (CORPUS / "cdocx__template.docx").read_bytes()

    structure = structure_extract(data)

    levels = _levels(structure)
    assert max(levels) == 5  # H1,H2,H3,H5,H6 plus H4: the H5/H6 under H3 move up one step
    assert {"成果报告", "预报依据", "地震波法", "工作布置"} <= set(_titles(structure))
    assert structure["language"] == "zh"
    assert structure["counts"]["footnotes"] == 0  # only Word's separator notes exist


def test_long_libreoffice_chinese_document_extracts():
    data = (CORPUS / "docx2python__libreoffice_conversion.docx").read_bytes()

    structure = structure_extract(data)

    assert _titles(structure)[0] == "第一章 竞争性谈判采购公告"
    assert structure["counts"]["tables"] == 14  # 12 top-level tables + 2 nested


@pytest.mark.parametrize(
    ("name", "language"),
    [("poi__bug65649.docx", "ru"), ("poi__stress008.docx", "de"), ("poi__stress010.docx", "ar")],
)
def test_non_cjk_corpus_languages_are_detected(name, language):
    assert _extract_corpus(name)["language"] == language


@pytest.mark.parametrize(
    ("name", "footnotes", "comments"),
    [
        ("pandoc__notes.docx", 1, 0),
        ("pandoc__comments.docx", 0, 5),
        ("poi__stress008.docx", 182, 0),
        ("poi__stress010.docx", 11, 1),
        ("poi__bug65649.docx", 6, 0),
    ],
)
def test_corpus_footnotes_and_comments_exclude_separators(name, footnotes, comments):
    counts = _extract_corpus(name)["counts"]

    assert (counts["footnotes"], counts["comments"]) == (footnotes, comments)


@pytest.mark.parametrize(
    "name",
    [
        "docx2python__created-in-pages-paragraphs-only.docx",
        "docx2python__test-docx2python-conversion-google_docs.docx",
        "pandoc__comments.docx",
    ],
)
def test_corpus_plain_prose_gets_no_invented_headings(name):
    structure = _extract_corpus(name)

    assert structure["sections"] == []
    assert structure["heuristic"] is False
    assert structure["preamble"]["paragraphs"] > 0
    assert structure["preamble"]["words"] == structure["counts"]["words"]


@pytest.mark.parametrize("name", ["mammothjs__empty.docx", "python-docx__default.docx"])
def test_empty_corpus_documents_have_no_sections(name):
    structure = _extract_corpus(name)

    assert structure["sections"] == []
    assert structure["preamble"] == {"paragraphs": 0, "chars": 0, "words": 0, "excerpt": ""}
    assert (structure["counts"]["words"], structure["title"], structure["language"]) == (0, None, "en")


def test_text_inside_smart_tags_is_kept():
    text = _extract_corpus("pandoc__nested_smart_tags.docx")["sections"][0]["text"]

    assert "the king of Egypt died" in text
    assert "children of Israel sighed" in text


def test_template_filename_in_core_title_is_ignored():
    # stress010's core.xml title is "Normal.dot", the template Word created it from.
    assert _extract_corpus("poi__stress010.docx")["title"] is None


# ----------------------------------------------------------------------------- generated: styles


def test_builtin_heading_styles_give_levels_and_section_bodies():
    def build(doc: DocxDocument) -> None:
        doc.add_paragraph("前言：本文介绍项目。")
        doc.add_heading("第一部分 Overview", 1)
        doc.add_paragraph("项目背景 background text.")
        doc.add_paragraph("")
        doc.add_paragraph("第二段。")
        doc.add_heading("细节", 2)
        doc.add_paragraph("More detail here.")

    structure = _extract(build)

    assert _titles(structure) == ["第一部分 Overview", "细节"]
    assert _levels(structure) == [1, 2]
    first = structure["sections"][0]
    assert (first["paragraphs"], first["source_index"]) == (2, 1)
    assert first["text"] == "项目背景 background text.\n第二段。"
    assert first["words"] == count_words("项目背景 background text.") + count_words("第二段。")
    assert structure["preamble"]["paragraphs"] == 1
    assert structure["preamble"]["excerpt"] == "前言：本文介绍项目。"
    assert structure["language"] == "zh"


def test_custom_style_named_biaoti_1_is_heading_level_1():
    def build(doc: DocxDocument) -> None:
        doc.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)
        doc.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
        doc.add_paragraph("总则", style="标题 1")
        doc.add_paragraph("为了规范管理，制定本办法。")
        doc.add_paragraph("适用范围", style="标题 2")
        doc.add_paragraph("本办法适用于全体员工。")

    structure = _extract(build)

    assert _titles(structure) == ["总则", "适用范围"]
    assert _levels(structure) == [1, 2]
    assert structure["heuristic"] is False


def test_japanese_midashi_style_name_is_a_heading():
    def build(doc: DocxDocument) -> None:
        doc.styles.add_style("見出し 1", WD_STYLE_TYPE.PARAGRAPH)
        doc.add_paragraph("はじめに", style="見出し 1")
        doc.add_paragraph("これは日本語の文書です。")

    structure = _extract(build)

    assert _titles(structure) == ["はじめに"]
    assert structure["language"] == "ja"


def test_custom_style_based_on_a_heading_style_inherits_its_level():
    def build(doc: DocxDocument) -> None:
        doc.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
        key_point = doc.styles.add_style("要点", WD_STYLE_TYPE.PARAGRAPH)
        key_point.base_style = doc.styles["标题 2"]
        doc.add_heading("背景", 1)
        doc.add_paragraph("正文。")
        doc.add_paragraph("关键要点", style="要点")
        doc.add_paragraph("更多正文。")

    structure = _extract(build)

    assert _titles(structure) == ["背景", "关键要点"]
    assert _levels(structure) == [1, 2]


def test_outline_level_on_paragraph_or_style_makes_headings_and_level_9_is_body_text():
    def build(doc: DocxDocument) -> None:
        chapter = factory.add_style_outline_level(doc, "*Heading: Main", 0)
        factory.add_style_outline_level(doc, "Quote Block", 9, base="Heading 1")
        doc.add_paragraph("제 1 장 서론", style=chapter)
        doc.add_paragraph("본문입니다.")
        direct = doc.add_paragraph("1.1 연구의 배경")
        factory.set_outline_level(direct, 1)
        doc.add_paragraph("배경 설명.")
        doc.add_paragraph("Not a heading despite Heading 1 ancestry", style="Quote Block")

    structure = _extract(build)

    assert _titles(structure) == ["제 1 장 서론", "1.1 연구의 배경"]
    assert _levels(structure) == [1, 2]
    assert structure["sections"][1]["text"] == "배경 설명.\nNot a heading despite Heading 1 ancestry"
    assert structure["language"] == "ko"


def _numbered(paragraph, ilvl: int) -> None:  # noqa: ANN001
    num_pr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", ilvl), ("w:numId", 1)):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(value))
        num_pr.append(el)
    paragraph._p.get_or_add_pPr().append(num_pr)


@pytest.mark.parametrize("name", ["Heading", "Überschrift", "Heading Custom", "标题样式"])
def test_a_custom_style_merely_named_heading_is_body_text(name):
    # LibreOffice's "Heading" base style is the common case: no outline level, no built-in base.
    def build(doc: DocxDocument) -> None:
        doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        doc.add_heading("Real chapter", level=1)
        for text, ilvl in [("Overview", 0), ("Details", 1)]:
            _numbered(doc.add_paragraph(text, style=name), ilvl)
            doc.add_paragraph("Body.")

    structure = _extract(build)

    assert _titles(structure) == ["Real chapter"]
    assert structure["sections"][0]["text"] == "Overview\nBody.\nDetails\nBody."


def test_a_custom_style_named_heading_with_an_outline_level_is_a_heading():
    def build(doc: DocxDocument) -> None:
        style_id = factory.add_style_outline_level(doc, "Heading", 1)
        doc.add_heading("Chapter", level=1)
        doc.add_paragraph("Section", style=doc.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH))
        doc.add_paragraph("Body.")

    structure = _extract(build)

    assert (_titles(structure), _levels(structure)) == (["Chapter", "Section"], [1, 2])


@pytest.mark.parametrize(
    ("style_id", "name"),
    [("Heading2", "Rubrique niveau 2"), ("heading2", "見出し 2"), ("Heading2", "Заголовок 2")],
)
def test_a_built_in_heading_is_known_by_its_style_id_whatever_its_name(style_id, name):
    # Word keeps the ids Heading1-9 in every language version; other writers rename the style.
    def build(doc: DocxDocument) -> None:
        style = doc.styles.add_style("Temporary", WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), style_id)
        style.name = name
        doc.add_heading("Chapter", level=1)
        paragraph = doc.add_paragraph("Section")
        paragraph._p.get_or_add_pPr().get_or_add_pStyle().set(qn("w:val"), style_id)
        doc.add_paragraph("Body.")

    structure = _extract(build)

    assert (_titles(structure), _levels(structure)) == (["Chapter", "Section"], [1, 2])


def test_headings_inside_content_controls_count():
    data = factory.with_body(
        factory.para_xml("Before", "Heading1")
        + "<w:sdt><w:sdtPr/><w:sdtContent>"
        + factory.para_xml("第二章 控件里的标题", "Heading1")
        + factory.para_xml("控件里的正文。")
        + "</w:sdtContent></w:sdt>"
        + factory.para_xml("After.")
    )

    structure = structure_extract(data)

    assert _titles(structure) == ["Before", "第二章 控件里的标题"]
    assert structure["sections"][1]["text"] == "控件里的正文。\nAfter."
    assert [s["in_table"] for s in structure["sections"]] == [False, False]


def test_a_heading_in_a_table_cell_starts_a_section_there_marked_in_table():
    def cell(*paras: str) -> str:
        return f"<w:tc>{''.join(paras)}</w:tc>"

    table = (
        "<w:tbl>"
        f"<w:tr>{cell(factory.para_xml('row one'))}{cell(factory.para_xml('a'))}</w:tr>"
        f"<w:tr>{cell(factory.para_xml('Términos', 'Heading2'), factory.para_xml('row two'))}"
        f"{cell(factory.para_xml('b'))}</w:tr>"
        f"<w:tr>{cell(factory.para_xml('row three'))}</w:tr>"
        "</w:tbl>"
    )
    data = factory.with_body(
        factory.para_xml("Capítulo 1", "Heading1") + table + factory.para_xml("Después.")
    )

    structure = structure_extract(data)
    sections = structure["sections"]

    assert [(s["title"], s["level"], s["in_table"]) for s in sections] == [
        ("Capítulo 1", 1, False),
        ("Términos", 2, True),
    ]
    assert sections[0]["text"] == "row one | a"
    assert sections[1]["text"] == "row two | b\nrow three\nDespués."
    sources = section_sources(docx_open(data), [s["source_index"] for s in sections])
    assert sources[1]["heading"] == "Términos" and sources[1]["paragraphs"] == [
        "row two",
        "b",
        "row three",
        "Después.",
    ]


def test_a_long_heading_keeps_its_whole_text():
    long_title = "Anexo técnico: " + "requisitos de seguridad, " * 40  # ~1,000 characters

    def build(doc: DocxDocument) -> None:
        doc.add_heading(long_title.strip(), level=1)
        doc.add_paragraph("Body.")

    structure = _extract(build)

    assert structure["sections"][0]["title"] == _norm(long_title)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [([1, 3], [1, 2]), ([2, 4, 3], [1, 2, 2]), ([3, 1], [1, 1]), ([1, 2, 5, 6, 2], [1, 2, 3, 4, 2])],
)
def test_levels_are_normalised_without_gaps(raw, expected):
    def build(doc: DocxDocument) -> None:
        for n, level in enumerate(raw):
            doc.add_heading(f"第{n + 1}节", level)
            doc.add_paragraph("内容。")

    assert _levels(_extract(build)) == expected


def test_empty_heading_paragraphs_are_skipped():
    def build(doc: DocxDocument) -> None:
        doc.add_heading("", 1)
        doc.add_heading("   ", 1)
        doc.add_heading("真正的标题", 1)
        doc.add_paragraph("内容。")

    structure = _extract(build)

    assert _titles(structure) == ["真正的标题"]
    assert structure["sections"][0]["source_index"] == 2


def test_title_paragraph_is_document_title_not_a_section():
    def build(doc: DocxDocument) -> None:
        doc.add_heading("2024 年度报告", 0)
        doc.add_paragraph("摘要。")
        doc.add_heading("收入", 1)
        doc.add_paragraph("收入增长。")

    structure = _extract(build)

    assert structure["title"] == "2024 年度报告"
    assert _titles(structure) == ["收入"]
    assert structure["preamble"]["excerpt"] == "摘要。"


def test_core_properties_title_wins_over_title_paragraph():
    def build(doc: DocxDocument) -> None:
        doc.core_properties.title = "季度总结"
        doc.add_heading("封面标题", 0)
        doc.add_heading("正文", 1)

    assert _extract(build)["title"] == "季度总结"


def test_title_paragraph_becomes_the_section_when_there_are_no_other_headings():
    def build(doc: DocxDocument) -> None:
        doc.add_heading("会议纪要", 0)
        doc.add_paragraph("今天讨论了预算问题，大家同意增加投入。")
        doc.add_paragraph("下次会议定于周五召开。")

    structure = _extract(build)

    assert _titles(structure) == ["会议纪要"]
    assert structure["sections"][0]["paragraphs"] == 2
    assert structure["heuristic"] is False
    assert structure["title"] == "会议纪要"


# ----------------------------------------------------------------------------- generated: heuristic outline


def test_chinese_chapter_and_section_numbering_gives_heuristic_outline():
    def build(doc: DocxDocument) -> None:
        doc.add_paragraph("第一章 总则")
        doc.add_paragraph("为了规范公司管理，根据有关法律法规，制定本办法。")
        doc.add_paragraph("第一节 目的")
        doc.add_paragraph("本节说明制定本办法的目的。")
        doc.add_paragraph("第二章 附则")
        doc.add_paragraph("本办法自发布之日起施行。")

    structure = _extract(build)

    assert structure["heuristic"] is True
    assert _titles(structure) == ["第一章 总则", "第一节 目的", "第二章 附则"]
    assert _levels(structure) == [1, 2, 1]
    assert [s["source_index"] for s in structure["sections"]] == [0, 2, 4]


def test_chinese_enumerations_yi_and_paren_yi_nest():
    def build(doc: DocxDocument) -> None:
        for heading, body in [
            ("一、总体要求", "坚持稳中求进。"),
            ("（一）工作目标", "全年完成既定任务。"),
            ("（二）基本原则", "依法依规。"),
            ("二、重点任务", "抓好落实。"),
        ]:
            doc.add_paragraph(heading)
            doc.add_paragraph(body)

    structure = _extract(build)

    assert _levels(structure) == [1, 2, 2, 1]
    assert structure["heuristic"] is True


def test_decimal_numbering_depth_gives_levels():
    def build(doc: DocxDocument) -> None:
        for heading in ["1. Scope", "1.1 Purpose", "1.2 Terms", "1.2.1 Abbreviations", "2. Requirements"]:
            doc.add_paragraph(heading)
            doc.add_paragraph("This paragraph explains the section in a full sentence.")

    structure = _extract(build)

    assert _levels(structure) == [1, 2, 2, 3, 1]


def test_bold_or_larger_short_lines_become_headings_when_no_styles_exist():
    def build(doc: DocxDocument) -> None:
        doc.add_paragraph().add_run("Annual Review").font.size = Pt(20)
        doc.add_paragraph("We had a good year overall and met most targets.")
        doc.add_paragraph().add_run("Highlights").bold = True
        doc.add_paragraph("Revenue grew and costs fell compared with last year.")
        doc.add_paragraph().add_run("Risks").bold = True
        doc.add_paragraph("Supply chains remain fragile in several regions.")

    structure = _extract(build)

    # The large line at the top stands out from every heading below it: the document's title.
    assert structure["heuristic"] is True
    assert structure["title"] == "Annual Review"
    assert _titles(structure) == ["Highlights", "Risks"]
    assert _levels(structure) == [1, 1]


def test_chapter_and_roman_numerals_in_english():
    def build(doc: DocxDocument) -> None:
        for heading in ["Chapter 1 Beginnings", "I. Early years", "II. School", "Chapter 2 Work"]:
            doc.add_paragraph(heading)
            doc.add_paragraph("A long paragraph of narrative prose follows the heading here.")

    assert _levels(_extract(build)) == [1, 2, 2, 1]


def test_plain_paragraphs_do_not_become_headings():
    def build(doc: DocxDocument) -> None:
        for line in [
            "今天天气很好",
            "我们去公园散步",
            "The meeting went well.",
            "Short line without punctuation",
            "另一行文字",
        ]:
            doc.add_paragraph(line)

    structure = _extract(build)

    assert structure["sections"] == []
    assert structure["heuristic"] is False
    assert structure["preamble"]["paragraphs"] == 5


def test_consecutive_numbered_lines_are_a_list_not_headings():
    def build(doc: DocxDocument) -> None:
        doc.add_paragraph("购物清单如下：")
        for item in ["1. 苹果", "2. 香蕉", "3. 牛奶"]:
            doc.add_paragraph(item)

    assert _extract(build)["sections"] == []


def test_document_where_every_line_is_bold_gets_no_heuristic_outline():
    def build(doc: DocxDocument) -> None:
        for n in range(6):
            doc.add_paragraph().add_run(f"加粗的短行 {n}").bold = True
            doc.add_paragraph().add_run("这是一整句加粗的正文内容，用来说明情况。").bold = True

    assert _extract(build)["sections"] == []


# ----------------------------------------------------------------------------- generated: counts


def test_nested_tables_are_counted_and_their_text_reaches_the_section():
    def build(doc: DocxDocument) -> None:
        doc.add_heading("数据", 1)
        table = doc.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "甲", "乙"
        table.cell(1, 0).text = "丙"
        table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "嵌套"

    structure = _extract(build)

    assert structure["counts"]["tables"] == 2
    assert structure["sections"][0]["text"].splitlines() == ["甲 | 乙", "丙 | 嵌套"]
    assert structure["sections"][0]["paragraphs"] == 0


def test_comments_are_counted():
    def build(doc: DocxDocument) -> None:
        run = doc.add_paragraph("需要审阅的句子。").add_run("补充。")
        doc.add_comment(run, text="请核实数据", author="张三")
        doc.add_comment(run, text="同意", author="李四")

    assert _extract(build)["counts"]["comments"] == 2


def test_inline_pictures_are_counted():
    png = factory.tiny_png()

    def build(doc: DocxDocument) -> None:
        doc.add_picture(io.BytesIO(png))
        doc.add_picture(io.BytesIO(png))

    assert _extract(build)["counts"]["images"] == 2


def test_section_text_is_capped_at_4000_chars_and_excerpt_at_200():
    def build(doc: DocxDocument) -> None:
        doc.add_heading("长文", 1)
        for _ in range(50):
            doc.add_paragraph("这是一段很长的正文。" * 20)

    section = _extract(build)["sections"][0]

    assert len(section["text"]) == 4000 and section["text"].endswith("…")
    assert len(section["excerpt"]) <= 200
    assert section["chars"] == 50 * 200  # counts are not capped


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello world", 2),
        ("你好世界", 4),
        ("Hello world 你好世界", 6),
        ("don't stop e-mail 3.14", 4),
        ("안녕하세요 세계", 7),
        ("東京タワーへ行く", 8),
        ("  \n\t ", 0),
    ],
)
def test_words_count_latin_words_and_each_cjk_character(text, words):
    assert count_words(text) == words


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("本项目旨在提升用户体验，并支持 API 与 SDK 集成。", "zh"),
        ("このプロジェクトはユーザー体験を向上させます。", "ja"),
        ("이 프로젝트는 사용자 경험을 개선합니다.", "ko"),
        ("This project improves the user experience of the product.", "en"),
        ("Le projet est une amélioration pour les utilisateurs et des équipes dans la région.", "fr"),
        ("Die Arbeit ist nicht einfach, und das ist für den Leser mit der Zeit sichtbar.", "de"),
        ("", "en"),
    ],
)
def test_language_is_detected_from_script(text, language):
    assert detect_language(text) == language


# ----------------------------------------------------------------------------- hostile shapes


def test_ten_thousand_headings_extract_quickly_with_normalised_levels():
    started = time.monotonic()
    structure = structure_extract(factory.many_headings_docx(10_000))

    assert time.monotonic() - started < 10
    assert len(structure["sections"]) == 10_000
    assert [s["level"] for s in structure["sections"][:4]] == [1, 2, 3, 1]


def test_deeply_nested_tables_flatten_into_one_bounded_cell():
    structure = structure_extract(factory.nested_tables_docx(60))

    (section,) = structure["sections"]
    assert structure["counts"]["tables"] == 60
    assert "最内层 innermost 60" in section["text"] and len(section["text"]) <= 4000


def test_content_controls_nested_to_the_parser_limit_do_not_exhaust_the_stack():
    # _walk recurses once per w:sdt; libxml2's depth limit (256) bounds that far below
    # Python's recursion limit, even with a small recursion limit left for us.
    structure = structure_extract(factory.nested_content_controls_docx(120))

    assert "深处 Deep inside" in structure["sections"][0]["text"]


def test_huge_single_paragraph_is_cut_to_the_section_limits():
    structure = structure_extract(factory.huge_paragraph_docx(3_000_000))

    (section,) = structure["sections"]
    assert section["chars"] > 2_000_000
    assert len(section["text"]) <= 4000 and len(section["excerpt"]) <= 200


def _sources(build: Callable[[DocxDocument], None]) -> list[dict]:
    return docx_extract(docx_open(factory.build_docx(build)))[1]


def test_huge_section_source_is_cut_with_an_ellipsis():
    (source,) = docx_extract(docx_open(factory.huge_paragraph_docx(300_000)))[1]

    (paragraph,) = source["paragraphs"]
    assert source["heading"] == "超长段落 One huge paragraph"
    assert len(source["heading"]) + len(paragraph) <= SOURCE_SECTION_CHARS
    assert paragraph.endswith("…") and len(paragraph) > SOURCE_SECTION_CHARS // 2


def _three_chapters(doc: DocxDocument) -> None:
    for n in range(1, 4):
        doc.add_heading(f"第{n}章", level=1)
        doc.add_paragraph("正文" * 200)
        doc.add_paragraph("")  # empty paragraphs are never shown
        doc.add_paragraph("More text.")


def test_document_source_budget_cuts_the_sections_past_it(monkeypatch):
    monkeypatch.setattr(structure_module, "SOURCE_DOCUMENT_CHARS", 1000)

    sources = [{k: v for k, v in s.items() if k != "source_index"} for s in _sources(_three_chapters)]

    full = {"paragraphs": ["正文" * 200, "More text."]}
    assert sources[:2] == [{"heading": "第1章", **full}, {"heading": "第2章", **full}]
    # 1000 - 2 * 413 characters are left, and a section always gets TITLE_CHARS (300).
    assert sources[2] == {"heading": "第3章", "paragraphs": [("正文" * 200)[:296] + "…"]}


def test_section_source_with_room_for_its_heading_only_says_more_follows(monkeypatch):
    monkeypatch.setattr(structure_module, "SOURCE_SECTION_CHARS", 3)

    sources = _sources(_three_chapters)

    assert sources[0]["heading"] == "第1章" and sources[0]["paragraphs"] == ["…"]


def test_a_question_mostly_in_bold_with_a_plain_note_is_found_as_a_heading():
    def build(doc: DocxDocument) -> None:
        doc.add_paragraph("Please answer every question below in plain language for the panel.")
        for question in ["1. What will the project do?", "2. Who will benefit?"]:
            paragraph = doc.add_paragraph()
            paragraph.add_run(question).bold = True
            paragraph.add_run(" (max 200 words)").italic = True
            doc.add_paragraph("The answer to the question is written here as a full paragraph of prose.")
        doc.add_paragraph().add_run("Note: ").bold = True  # a bold lead-in is no heading
        doc.paragraphs[-1].add_run("answers over the limit are cut at the limit by the reviewers.")

    structure = _extract(build)

    assert structure["heuristic"] is True
    assert _titles(structure) == [
        "1. What will the project do? (max 200 words)",
        "2. Who will benefit? (max 200 words)",
    ]


def _unstyled_document(paragraphs: int) -> bytes:
    """Numbered and bold headings, prose, tables with a styled heading inside, and a typed
    contents line: every path of the heuristic and of the table walk, `paragraphs` long."""
    bold = '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>'
    parts: list[str] = []
    for n in range(paragraphs // 5):
        parts.append(factory.para_xml(f"{n + 1}. 第{n + 1}节 Section {n + 1}"))
        parts.append(factory.para_xml("正文的一句完整的话，说明这一节的内容。 A sentence of body text."))
        parts.append(bold.format(f"Part {n + 1} notes"))
        parts.append(factory.para_xml("More body text follows here, long enough to read as prose."))
        parts.append(f"<w:tbl><w:tr><w:tc>{factory.para_xml(f'cell {n}')}</w:tc></w:tr></w:tbl>")
    return factory.with_body("".join(parts))


def test_extraction_stays_linear_in_the_number_of_paragraphs_with_or_without_styles():
    # 5,000 and 20,000 paragraphs (100,000 take ~6 s here): four times the input may take about
    # four times as long, not sixteen.
    small, large = _unstyled_document(5_000), _unstyled_document(20_000)

    ratio = growth_ratio(structure_extract, small, large)
    structure = structure_extract(small)

    assert structure["heuristic"] is True and len(structure["sections"]) >= 5_000 // 5
    assert ratio < 8, f"20,000 paragraphs took {ratio:.1f} times as long as 5,000"
