"""Extract a heading tree, counts and per-section text from a validated .docx.

The output is a plain JSON-serialisable dict (stored in a JSONField and later given to an
LLM), shaped like::

    {"version": 1, "title": str | None, "language": "zh" | "en" | "ko" | "ja" | ..., "heuristic": bool,
     "counts": {"paragraphs", "tables", "images", "footnotes", "comments", "sections", "words", "chars"},
     "preamble": {"paragraphs", "chars", "words", "excerpt"},
     "sections": [{"level", "title", "paragraphs", "words", "chars", "excerpt", "text", "source_index",
                   "in_table"}]}

and, apart from it, each section's source (``section_sources``): what the source pane shows.

Definitions (chosen so numbers are stable and explainable):

* Headings follow Word's rules: a paragraph is a heading when its style, or a style it is based
  on, is a built-in heading (by style id or localised name), or when it or its style chain
  carries an outline level 0-8. Headings in content controls count, and so do headings in table
  cells (as in Word's navigation pane and table of contents), marked ``in_table``. A title keeps
  its whole text up to ``HEADING_CHARS``. Only a document with no such heading gets a heuristic
  outline (``heuristic``: found from formatting, numbering and layout).
* ``source_index``: the heading's position in ``source_paragraphs(document)``, every paragraph
  read in reading order (the body's, those in content controls and in table cells).
* ``counts.paragraphs``: body-level paragraphs exactly as python-docx ``Document.paragraphs``
  lists them (empty ones included).
* ``counts.sections``: Word *page-layout* sections (``w:sectPr``), i.e. ``len(Document.sections)``;
  the outline sections are the ``sections`` list itself.
* ``counts.tables``: every table in the body, nested tables included.
* ``counts.images``: pictures in the body (DrawingML ``a:blip`` and legacy VML ``v:imagedata``),
  not counting the duplicate copies Word keeps in ``mc:Fallback`` for old readers.
* ``counts.footnotes`` / ``counts.comments``: real notes/comments; the separator footnotes Word
  always writes (they carry ``w:type``) are not counted.
* words: each run of letters/digits is one word, and each CJK ideograph, kana or Hangul syllable
  is one word (the usual convention for Chinese/Japanese word counts); chars: non-whitespace
  characters. Both cover all text (headings, body, tables).
* Section ``paragraphs``/``words``/``chars``/``text`` cover the section's own body up to the
  next heading of any level (not its subsections). Table rows become lines ("a | b | c").
* ``preamble`` is the body text before the first heading. Title-styled paragraphs are never
  body text: they are the document title (or, without other headings, the sections).
* A section's source is what the source pane shows, so it never needs the file: the heading
  paragraph and the non-empty paragraphs of ``source_paragraphs`` up to the next section's
  heading, each as python-docx ``Paragraph.text`` gives it (not whitespace-collapsed; Title
  paragraphs, table cells and content controls included). It is cut to ``SOURCE_SECTION_CHARS``
  per section and ``SOURCE_DOCUMENT_CHARS`` per document; a cut ends in "…".
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml
from lxml import etree

from documents.heuristic import Line, find_headings

__all__ = [
    "count_words",
    "detect_language",
    "docx_extract",
    "docx_open",
    "section_sources",
    "source_paragraphs",
    "sources_of_paragraphs",
    "structure_extract",
    "structure_from_docx",
]

STRUCTURE_VERSION = 1
EXCERPT_CHARS = 200
SECTION_TEXT_CHARS = 4000
TITLE_CHARS = 300  # the document's title
# A heading keeps its whole text (only the page shortens it), up to a bound no real heading
# reaches: past it, a "heading" is a paragraph styled as one.
HEADING_CHARS = 2000
# The source pane's text is stored beside the structure, so it is bounded like every other
# field: a section shows at most this much, and a document stores at most about this much in
# all (each section still keeps TITLE_CHARS for its heading once the document's share is spent).
SOURCE_SECTION_CHARS = 100_000
SOURCE_DOCUMENT_CHARS = 1_000_000
# Each section's keys in one fixed order, so every stored row reads the same way.
_SECTION_KEYS = (
    "level",
    "title",
    "paragraphs",
    "words",
    "chars",
    "excerpt",
    "text",
    "source_index",
    "in_table",
)

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
}
_W = f"{{{NS['w']}}}"
W_P, W_TBL, W_TR, W_TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
W_SDT, W_SDT_CONTENT, W_CUSTOM_XML = _W + "sdt", _W + "sdtContent", _W + "customXml"
W_PPR, W_RPR, W_VAL = _W + "pPr", _W + "rPr", _W + "val"
W_PSTYLE, W_OUTLINE = _W + "pStyle", _W + "outlineLvl"
W_T, W_TAB, W_BR, W_CR, W_NB_HYPHEN = _W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen"

# Text-bearing run children, skipping text boxes (separate stories), the mc:Fallback copies of
# drawings, and deleted/moved-away revisions. python-docx's Paragraph.text misses runs nested
# in smart tags, fields and content controls, hence our own extraction.
_EXCLUDED = "ancestor::w:txbxContent or ancestor::mc:Fallback or ancestor::w:del or ancestor::w:moveFrom"
_TEXT_CHILD = "self::w:t or self::w:tab or self::w:br or self::w:cr or self::w:noBreakHyphen"
_RUN_TEXT = etree.XPath(f".//w:r[not({_EXCLUDED})]/*[{_TEXT_CHILD}]", namespaces=NS)
_TEXT_RUNS = etree.XPath(f".//w:r[not({_EXCLUDED})]", namespaces=NS)
W_TXBX = _W + "txbxContent"
MC_FALLBACK = f"{{{NS['mc']}}}Fallback"
A_BLIP = f"{{{NS['a']}}}blip"
V_IMAGEDATA = f"{{{NS['v']}}}imagedata"

# ----------------------------------------------------------------------------- scripts & words

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANA = "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_CJK = _HAN + _KANA + _HANGUL
_CJK_CHAR_RE = re.compile(f"[{_CJK}]")
_WORD_RE = re.compile(rf"[^\W_{_CJK}]+(?:['’.\-][^\W_{_CJK}]+)*")
_WS_RE = re.compile(r"\s+")

_SCRIPT_RES = {
    "han": re.compile(f"[{_HAN}]"),
    "kana": re.compile(f"[{_KANA}]"),
    "hangul": re.compile(f"[{_HANGUL}]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]+"),
    "ru": re.compile(r"[\u0400-\u04ff]+"),
    "ar": re.compile(r"[\u0600-\u06ff\u0750-\u077f]+"),
    "he": re.compile(r"[\u0590-\u05ff]+"),
    "el": re.compile(r"[\u0370-\u03ff]+"),
    "th": re.compile(r"[\u0e00-\u0e7f]"),
}
# Distinctive function words; only used to tell Latin-script languages apart.
_STOPWORDS = {
    "en": "the and of is that with this are was for which from have been",
    "fr": "le les des est une du pour dans avec sur qui au aux cette sont",
    "de": "der die und das ist nicht ein eine mit den auf für sich von dem",
    "es": "el los las del por una para con como más es y se",
    "pt": "os não uma para com em do da dos das são ao",
    "it": "il che di è per della non sono gli dei delle nel alla",
}
_STOPWORD_LANG: dict[str, list[str]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in _words.split():
        _STOPWORD_LANG.setdefault(_word, []).append(_lang)
# Language detection looks at this much text; more would not change the answer.
_LANGUAGE_SAMPLE = 200_000


def count_words(text: str) -> int:
    """Latin-style words plus one word per CJK ideograph, kana or Hangul syllable."""
    return len(_CJK_CHAR_RE.findall(text)) + len(_WORD_RE.findall(text))


def _count_chars(text: str) -> int:
    """Non-whitespace characters (what CJK users mean by 字数 and stable across re-wrapping)."""
    return len("".join(text.split()))


def detect_language(text: str) -> str:
    """ISO-639-1-ish code from the dominant script; good enough to pick the prompt language.

    One CJK character is weighed like one Latin word, so Chinese text with English terms is
    still "zh". Kana mark Japanese (which also uses Han); Hangul marks Korean.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    found = {name: len(regex.findall(sample)) for name, regex in _SCRIPT_RES.items()}
    cjk = found["han"] + found["kana"]
    scores = {
        # Japanese prose is typically 30-60 % kana; a few stray kana do not make Chinese Japanese.
        ("ja" if found["kana"] >= max(3, 0.1 * cjk) else "zh"): cjk,
        "ko": found["hangul"],
        "latin": found["latin"],
        "ru": found["ru"],
        "ar": found["ar"],
        "he": found["he"],
        "el": found["el"],
        "th": found["th"] // 4,  # Thai has no spaces; ~4 letters per word
    }
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return "en"
    if best == "latin":
        return _latin_language(sample)
    return best


def _latin_language(sample: str) -> str:
    hits: Counter[str] = Counter()
    for word in _SCRIPT_RES["latin"].findall(sample[:50_000].lower()):
        for lang in _STOPWORD_LANG.get(word, ()):
            hits[lang] += 1
    best, best_hits = max(hits.items(), key=lambda kv: kv[1], default=("en", 0))
    # English unless another language clearly wins: short or mixed texts default to English.
    if best != "en" and best_hits >= max(5, 1.5 * hits["en"]):
        return best
    return "en"


def _clean(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- styles

_HEADING_NAME_RE = re.compile(
    r"^(?:heading|标题|標題|見出し|제목|überschrift|titre|título|titolo|заголовок|kop|nagłówek|rubrik|"
    r"otsikko|overskrift|başlık|nadpis|címsor)\s*([1-9])$"
)
# Word's built-in heading styles keep the ids Heading1-Heading9 in every language version (their
# names are localised only by other writers: WPS "标题 1", LibreOffice "Überschrift 1").
_HEADING_ID_RE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_TITLE_NAMES = {"title", "标题", "標題", "表題", "제목", "titel", "titre", "título", "titolo", "заголовок"}


def _norm_name(name: str | None) -> str:
    return " ".join((name or "").lower().split())


def _on_off(el: Any) -> bool | None:
    """OOXML boolean property (w:b): present means on unless val says otherwise."""
    if el is None:
        return None
    return el.get(W_VAL, "true").lower() not in ("0", "false", "off", "none")


def _int_val(el: Any) -> int | None:
    if el is None:
        return None
    try:
        return int(el.get(W_VAL, ""))
    except ValueError:
        return None


@dataclass
class _Style:
    style_id: str
    name: str  # normalised (lower case, single spaces)
    based_on: str | None
    outline: int | None  # w:outlineLvl 0-9 defined on this style itself
    bold: bool | None
    size: float | None  # points
    italic: bool | None
    underline: bool | None
    alignment: str | None  # w:jc: "center", "right", "both"...
    space_before: int | None  # twentieths of a point


class _Styles:
    """styles.xml as plain data, with memoised based-on chains."""

    def __init__(self, styles_el: Any) -> None:
        self.by_id: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        self.default_bold = False
        self.default_size = 10.0  # Word's built-in default when docDefaults omit w:sz
        self._chains: dict[str | None, list[_Style]] = {}
        if styles_el is None:
            return
        rpr_default = styles_el.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        if rpr_default is not None:
            self.default_bold = bool(_on_off(rpr_default.find(_W + "b")))
            size = _int_val(rpr_default.find(_W + "sz"))
            if size:
                self.default_size = size / 2
        for el in styles_el.iterfind(_W + "style"):
            style_type = el.get(_W + "type", "paragraph")
            style_id = el.get(_W + "styleId")
            if not style_id:
                continue
            name_el = el.find(_W + "name")
            based_el = el.find(_W + "basedOn")
            ppr = el.find(W_PPR)
            rpr = el.find(W_RPR)
            size = _int_val(rpr.find(_W + "sz")) if rpr is not None else None
            self.by_id[style_id] = _Style(
                style_id=style_id,
                name=_norm_name(name_el.get(W_VAL) if name_el is not None else style_id),
                based_on=based_el.get(W_VAL) if based_el is not None else None,
                outline=_int_val(ppr.find(_W + "outlineLvl")) if ppr is not None else None,
                bold=_on_off(rpr.find(_W + "b")) if rpr is not None else None,
                size=size / 2 if size else None,
                italic=_on_off(rpr.find(_W + "i")) if rpr is not None else None,
                underline=_underline(rpr.find(_W + "u")) if rpr is not None else None,
                alignment=_alignment(ppr),
                space_before=_space_before(ppr),
            )
            if style_type == "paragraph" and el.get(_W + "default") in ("1", "true", "on"):
                self.default_paragraph = style_id

    def chain(self, style_id: str | None) -> list[_Style]:
        """The style and its basedOn ancestors, nearest first (cycles and junk tolerated)."""
        if style_id not in self._chains:
            result: list[_Style] = []
            current = style_id if style_id in self.by_id else self.default_paragraph
            seen: set[str] = set()
            while current and current in self.by_id and current not in seen and len(result) < 20:
                seen.add(current)
                style = self.by_id[current]
                result.append(style)
                current = style.based_on
            self._chains[style_id] = result
        return self._chains[style_id]

    @cached_property
    def default_is_heading(self) -> bool:
        """Whether a paragraph with no style of its own is a heading (a default style that carries
        an outline level: no sane document, but Word's rules say so)."""
        return _styled_level(_Para(None, 0, "", None, None), self) is not None

    def bold(self, style_id: str | None) -> bool | None:
        return next((s.bold for s in self.chain(style_id) if s.bold is not None), None)

    def size(self, style_id: str | None) -> float | None:
        return next((s.size for s in self.chain(style_id) if s.size is not None), None)

    def italic(self, style_id: str | None) -> bool | None:
        return next((s.italic for s in self.chain(style_id) if s.italic is not None), None)

    def underline(self, style_id: str | None) -> bool | None:
        return next((s.underline for s in self.chain(style_id) if s.underline is not None), None)

    def alignment(self, style_id: str | None) -> str | None:
        return next((s.alignment for s in self.chain(style_id) if s.alignment is not None), None)

    def space_before(self, style_id: str | None) -> int:
        return next((s.space_before for s in self.chain(style_id) if s.space_before is not None), 0)


def _alignment(ppr: Any) -> str | None:
    jc = ppr.find(_W + "jc") if ppr is not None else None
    return None if jc is None else jc.get(W_VAL)


def _underline(el: Any) -> bool | None:
    """w:u: present means underlined unless its val is "none"."""
    if el is None:
        return None
    return el.get(W_VAL, "single") != "none"


def _space_before(ppr: Any) -> int | None:
    spacing = ppr.find(_W + "spacing") if ppr is not None else None
    if spacing is None or spacing.get(_W + "before") is None:
        return None
    try:
        return int(spacing.get(_W + "before"))
    except ValueError:
        return None


# ----------------------------------------------------------------------------- body model


@dataclass
class _Para:
    element: Any
    index: int  # position in source_paragraphs(): every paragraph the walk visits, in order
    text: str  # whitespace-collapsed
    style_id: str | None
    outline: int | None  # direct w:outlineLvl
    in_table: bool = False
    is_title: bool = False


@dataclass
class _Table:
    lines: list[str]


@dataclass
class _Body:
    """Accumulates one section's (or the preamble's) body text."""

    lines: list[str] = field(default_factory=list)
    paragraphs: int = 0

    def add(self, line: str, paragraph: bool) -> None:
        if line:
            self.lines.append(line)
            self.paragraphs += paragraph

    def stats(self) -> dict[str, Any]:
        words = sum(count_words(line) for line in self.lines)
        chars = sum(_count_chars(line) for line in self.lines)
        excerpt = _truncate(_clean(" ".join(self.lines[:20])), EXCERPT_CHARS)
        return {"paragraphs": self.paragraphs, "words": words, "chars": chars, "excerpt": excerpt}

    def text(self) -> str:
        joined = "\n".join(self.lines)
        return _truncate(joined, SECTION_TEXT_CHARS)


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in _RUN_TEXT(p):
        tag = el.tag
        if tag == W_T:
            parts.append(el.text or "")
        elif tag == W_TAB:
            parts.append("\t")
        elif tag == W_NB_HYPHEN:
            parts.append("-")
        else:  # w:br, w:cr
            parts.append("\n")
    return "".join(parts)


def _make_para(p: Any, index: int, styles: _Styles, in_table: bool = False) -> _Para:
    ppr = p.find(W_PPR)
    style_id = outline = None
    if ppr is not None:
        style_el = ppr.find(_W + "pStyle")
        style_id = style_el.get(W_VAL) if style_el is not None else None
        outline = _int_val(ppr.find(_W + "outlineLvl"))
    chain = styles.chain(style_id)
    para = _Para(p, index, _clean(_paragraph_text(p)), style_id, outline, in_table)
    para.is_title = bool(chain) and chain[0].name in _TITLE_NAMES
    return para


def _cell_paragraphs(tc: Any) -> Iterator[Any]:
    """A cell's paragraphs in order, those of nested tables included, text boxes' left out."""
    if next(tc.iter(W_TXBX), None) is None:
        return tc.iter(W_P)
    return (p for p in tc.iter(W_P) if next(p.iterancestors(W_TXBX, MC_FALLBACK), None) is None)


def _walk_table(tbl: Any, blocks: list[_Para | _Table], styles: _Styles, order: list[Any]) -> None:
    """One line per row, cells joined with " | " (nested tables flattened into their cell).

    A cell paragraph that is a heading by Word's rules starts a section where it stands, as in
    Word's navigation pane and table of contents: the rows before it stay with the section
    before, the rest of the table goes to the new one.
    """
    lines: list[str] = []
    for tr in tbl.iterfind(W_TR):
        cells: list[str] = []
        for tc in tr.iterfind(W_TC):
            texts: list[str] = []
            for p in _cell_paragraphs(tc):
                index = len(order)
                order.append(p)
                # Most cells hold plain paragraphs: look at styles only where there are any.
                ppr = p.find(W_PPR)
                styled = ppr is not None and (
                    ppr.find(W_PSTYLE) is not None or ppr.find(W_OUTLINE) is not None
                )
                if not styled and not styles.default_is_heading:
                    texts.append(_paragraph_text(p))  # whitespace collapsed once per cell, below
                    continue
                para = _make_para(p, index, styles, in_table=True)
                if para.text and _styled_level(para, styles) is not None:
                    if lines:
                        blocks.append(_Table(lines))
                        lines = []
                    blocks.append(para)
                else:
                    texts.append(para.text)
            cell = _clean(" ".join(texts))
            if cell and (not cells or cells[-1] != cell):  # merged cells repeat their text
                cells.append(cell)
        if cells:
            lines.append(" | ".join(cells))
    blocks.append(_Table(lines))


def _walk(container: Any, blocks: list[_Para | _Table], styles: _Styles, order: list[Any]) -> None:
    """Blocks in reading order; `order` collects every paragraph visited (source_paragraphs)."""
    for child in container:
        tag = child.tag
        if tag == W_P:
            blocks.append(_make_para(child, len(order), styles))
            order.append(child)
        elif tag == W_TBL:
            _walk_table(child, blocks, styles, order)
        elif tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                _walk(content, blocks, styles, order)
        elif tag == W_CUSTOM_XML:
            _walk(child, blocks, styles, order)


# ----------------------------------------------------------------------------- headings


def _heading_number(style: _Style) -> int | None:
    """N when the style is a built-in heading: by its id (Word's, in every language) or its name."""
    match = _HEADING_ID_RE.match(style.style_id) or _HEADING_NAME_RE.match(style.name)
    return int(match.group(1)) if match else None


def _styled_level(para: _Para, styles: _Styles) -> int | None:
    """Raw heading level (1-9) by Word's rules, or None for body text.

    A paragraph is a heading when its style, or a style that style is based on, is a built-in
    heading, or when it or its style chain carries an outline level 0-8. Order: the paragraph's
    own style as Heading N, then an outline level set on the paragraph, then the style chain
    nearest-first (a style's own outline level wins over a Heading N it is based on, as in
    Word). A custom style merely named "Heading" with neither is body text.
    """
    if para.is_title:
        return None
    chain = styles.chain(para.style_id)
    own = chain[0] if chain else None
    if own is not None and (number := _heading_number(own)):
        return number
    if para.outline is not None:
        return para.outline + 1 if 0 <= para.outline <= 8 else None
    for style in chain:
        if style.outline is not None:
            return style.outline + 1 if 0 <= style.outline <= 8 else None
        if style is not own and (number := _heading_number(style)):
            return number
    return None


def _normalise_levels(raw: list[int]) -> list[int]:
    """Make levels a proper tree: first heading is 1 and no level is more than one below its parent.

    A heading's parent is the nearest earlier heading with a smaller raw level; it gets the
    parent's level + 1. So H1,H3 -> 1,2 and H2,H4,H3 -> 1,2,2 and a document that starts
    with H3 gets 1.
    """
    result: list[int] = []
    stack: list[tuple[int, int]] = []  # (raw, normalised)
    for level in raw:
        while stack and stack[-1][0] >= level:
            stack.pop()
        normalised = stack[-1][1] + 1 if stack else 1
        stack.append((level, normalised))
        result.append(normalised)
    return result


# ----------------------------------------------------------------------------- heuristic outline

_PAGE_BREAK = etree.XPath(".//w:br[@w:type='page']", namespaces=NS)
# A typed contents line: the entry, a tab (the dot leader is the tab's), the page number.
_CONTENTS_ENTRY_RE = re.compile(r"\S\t+\s*(?:\d{1,4}|[ivxlcIVXLC]{1,6})\s*$")


class _RunFormat(NamedTuple):
    length: int
    bold: bool
    size: float
    italic: bool
    underline: bool


def _run_formats(para: _Para, styles: _Styles) -> list[_RunFormat]:
    """The effective format of each run with visible text (direct, then character style, then
    paragraph style, then the document's defaults)."""
    para_style = (
        styles.bold(para.style_id),
        styles.size(para.style_id),
        styles.italic(para.style_id),
        styles.underline(para.style_id),
    )
    defaults = (styles.default_bold, styles.default_size, False, False)
    formats: list[_RunFormat] = []
    for run in _TEXT_RUNS(para.element):
        text = "".join(t.text or "" for t in run.iterfind(W_T)).strip()
        if not text:
            continue
        rpr = run.find(W_RPR)
        values: list[Any] = [None, None, None, None]
        char_style = None
        if rpr is not None:
            half_points = _int_val(rpr.find(_W + "sz"))
            values = [
                _on_off(rpr.find(_W + "b")),
                half_points / 2 if half_points else None,
                _on_off(rpr.find(_W + "i")),
                _underline(rpr.find(_W + "u")),
            ]
            rstyle = rpr.find(_W + "rStyle")
            char_style = rstyle.get(W_VAL) if rstyle is not None else None
        if char_style is not None and char_style in styles.by_id:
            # Character styles inherit from other character styles, never from the paragraph's.
            chain = styles.chain(char_style)
            for n, name in enumerate(("bold", "size", "italic", "underline")):
                if values[n] is None:
                    values[n] = next((v for s in chain if (v := getattr(s, name)) is not None), None)
        for n in range(4):
            if values[n] is None:
                values[n] = para_style[n] if para_style[n] is not None else defaults[n]
        formats.append(
            _RunFormat(len(text), bool(values[0]), float(values[1]), bool(values[2]), bool(values[3]))
        )
    return formats


def _mostly(formats: list[_RunFormat], attribute: str) -> bool:
    """Whether at least two thirds of the visible text has `attribute` (a bold question that ends in
    a plain "(max 200 words)" is still a bold line; a bold "Note:" before a sentence is not)."""
    total = sum(f.length for f in formats)
    return total > 0 and 3 * sum(f.length for f in formats if getattr(f, attribute)) >= 2 * total


def _layout_line(para: _Para, styles: _Styles, after_section_break: bool) -> Line:
    """What a reader sees of a paragraph: its text, weight, size, alignment and spacing."""
    formats = _run_formats(para, styles)
    ppr = para.element.find(W_PPR)
    alignment = _alignment(ppr) or styles.alignment(para.style_id)
    space_before = _space_before(ppr)
    page_break = after_section_break or next(iter(_PAGE_BREAK(para.element)), None) is not None
    if ppr is not None:
        page_break = page_break or bool(_on_off(ppr.find(_W + "pageBreakBefore")))
    return Line(
        text=para.text,
        bold=_mostly(formats, "bold"),
        size=min((f.size for f in formats), default=styles.default_size),
        centred=alignment == "center",
        right=alignment in ("right", "end"),
        italic=_mostly(formats, "italic"),
        underline=_mostly(formats, "underline"),
        space_before=space_before if space_before is not None else styles.space_before(para.style_id),
        page_break=page_break,
        list_item=ppr is not None and ppr.find(_W + "numPr") is not None,
        contents_entry=bool(_CONTENTS_ENTRY_RE.search(_paragraph_text(para.element))),
    )


def _heuristic_levels(blocks: list[_Para | _Table], styles: _Styles) -> tuple[dict[int, int], list[int]]:
    """Headings found from formatting in a document without heading styles: ({block position:
    raw level}, positions of the title lines). See documents/heuristic.py."""
    lines: list[Line] = []
    section_break = False
    for block in blocks:
        if isinstance(block, _Table):
            lines.append(Line(table=True))
            continue
        if block.is_title or block.in_table:
            lines.append(Line())  # the document's own title: a space between lines, no more
        else:
            lines.append(_layout_line(block, styles, section_break))
        ppr = block.element.find(W_PPR)
        section_break = ppr is not None and ppr.find(_W + "sectPr") is not None
    found = find_headings(lines)
    return found.levels, found.titles


# ----------------------------------------------------------------------------- parts & metadata


def _related_root(document: Any, reltype: str) -> Any | None:
    for rel in document.part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            part = rel.target_part
            element = getattr(part, "element", None)
            if element is not None:
                return element
            try:
                return parse_xml(part.blob)
            except etree.XMLSyntaxError:
                return None
    return None


def _count_images(body_el: Any) -> int:
    """Pictures in the body, skipping the mc:Fallback copies Word keeps for old readers."""
    return sum(
        1 for el in body_el.iter(A_BLIP, V_IMAGEDATA) if next(el.iterancestors(MC_FALLBACK), None) is None
    )


def _count_notes(root: Any | None, tag: str) -> int:
    """Real entries only: separator/continuation footnotes carry a w:type other than "normal"."""
    if root is None:
        return 0
    return sum(1 for el in root.iterfind(_W + tag) if el.get(_W + "type", "normal") == "normal")


_FILENAME_TITLE_RE = re.compile(r"\.(?:dotx?|dotm|docx?|docm|rtf)$", re.IGNORECASE)


def _core_title(document: Any) -> str | None:
    """core.xml title, ignoring template file names ("Normal.dot") Word leaves there."""
    # Only read it if the package has core properties: python-docx otherwise invents a default
    # part whose title is "Word Document".
    if not any(rel.reltype == RT.CORE_PROPERTIES for rel in document.part.package.rels.values()):
        return None
    title = _clean(document.core_properties.title or "")
    if not title or _FILENAME_TITLE_RE.search(title):
        return None
    return _truncate(title, TITLE_CHARS)


# ----------------------------------------------------------------------------- entry point


def _cut_source(heading: str, body: Iterator[str], limit: int) -> dict[str, Any]:
    """Heading and body paragraphs within `limit` characters in all; a cut ends in "…"."""
    heading = _truncate(heading, limit)
    left = limit - len(heading)
    paragraphs: list[str] = []
    for text in body:
        if left <= 0:
            paragraphs.append("…")  # more text follows; say so rather than end silently
            break
        kept = _truncate(text, left)
        paragraphs.append(kept)
        left -= len(kept)
        if kept != text:
            break
    return {"heading": heading, "paragraphs": paragraphs}


def sources_of_paragraphs(paragraphs: list[Any], starts: list[int]) -> list[dict[str, Any]]:
    """The source of each section starting at `paragraphs[starts[i]]` (see the module doc)."""
    if not starts:
        return []
    # Each section ends where the next one (in paragraph order) starts; the last one at the end.
    bounds = sorted(set(starts))
    ends = dict(zip(bounds, [*bounds[1:], len(paragraphs)], strict=True))
    left = SOURCE_DOCUMENT_CHARS
    result: list[dict[str, Any]] = []
    for start in starts:
        # CT_P.text is python-docx's Paragraph.text: the pane shows what it always showed.
        heading = paragraphs[start].text if 0 <= start < len(paragraphs) else ""
        body = (text for p in paragraphs[start + 1 : ends[start]] if (text := p.text).strip())
        source = _cut_source(heading, body, min(SOURCE_SECTION_CHARS, max(left, TITLE_CHARS)))
        left -= len(source["heading"]) + sum(len(text) for text in source["paragraphs"])
        result.append(source)
    return result


def _with_indexes(paragraphs: list[Any], starts: list[int]) -> list[dict[str, Any]]:
    sources = sources_of_paragraphs(paragraphs, starts)
    return [{"source_index": start, **source} for start, source in zip(starts, sources, strict=True)]


def source_paragraphs(document: DocxDocument) -> list[Any]:
    """Every paragraph the extractor reads, in reading order: the body's, those in content
    controls and those in table cells (text boxes left out). A ``source_index`` indexes this."""
    order: list[Any] = []
    _walk(document.element.body, [], _Styles(document.styles.element), order)
    return order


def section_sources(document: DocxDocument, starts: list[int]) -> list[dict[str, Any]]:
    """The source ({"source_index", "heading", "paragraphs"}) of each section whose heading is
    ``source_paragraphs(document)[starts[i]]`` (a structure's ``source_index`` values)."""
    return _with_indexes(source_paragraphs(document), starts)


def docx_open(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def docx_extract(document: DocxDocument) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The structure and the section sources of a document python-docx has opened (validation
    hands over its own parse, so an upload is opened once)."""
    structure, order = _extract(document)
    return structure, _with_indexes(order, [s["source_index"] for s in structure["sections"]])


def structure_extract(data: bytes) -> dict[str, Any]:
    """Heading tree, counts and per-section text of a .docx (already validated)."""
    return structure_from_docx(docx_open(data))


def structure_from_docx(document: DocxDocument) -> dict[str, Any]:
    """``structure_extract`` of a document python-docx has already opened (as validation does)."""
    return _extract(document)[0]


def _extract(document: DocxDocument) -> tuple[dict[str, Any], list[Any]]:
    body_el = document.element.body
    styles = _Styles(document.styles.element)

    blocks: list[_Para | _Table] = []
    order: list[Any] = []
    _walk(body_el, blocks, styles, order)

    # Which blocks start sections, with their raw levels.
    raw_levels: dict[int, int] = {}
    for pos, block in enumerate(blocks):
        if isinstance(block, _Para) and block.text and (level := _styled_level(block, styles)) is not None:
            raw_levels[pos] = level
    heuristic = False
    title_lines: list[int] = []  # the title (and subtitle) lines the heuristic found at the top
    if not raw_levels:
        raw_levels, title_lines = _heuristic_levels(blocks, styles)
        heuristic = bool(raw_levels)
    titles = [
        pos
        for pos, block in enumerate(blocks)
        if isinstance(block, _Para) and block.is_title and block.text and not block.in_table
    ]
    if not raw_levels and titles:
        # No headings of any kind: the Title paragraphs are the only structure there is.
        raw_levels = dict.fromkeys(titles, 1)
    heading_positions = sorted(raw_levels)
    levels = dict(
        zip(heading_positions, _normalise_levels([raw_levels[p] for p in heading_positions]), strict=True)
    )
    not_body = set(title_lines)

    # Walk the blocks once, filling the preamble and each section.
    preamble = _Body()
    sections: list[dict[str, Any]] = []
    bodies: list[_Body] = []
    current = preamble
    all_text: list[str] = []
    for pos, block in enumerate(blocks):
        if isinstance(block, _Table):
            all_text.extend(block.lines)
            for line in block.lines:
                current.add(line, paragraph=False)
            continue
        all_text.append(block.text)
        if pos in levels:
            current = _Body()
            bodies.append(current)
            sections.append(
                {
                    "level": levels[pos],
                    "title": _truncate(block.text, HEADING_CHARS),
                    "source_index": block.index,
                    "in_table": block.in_table,
                }
            )
        elif not block.is_title and pos not in not_body:
            current.add(block.text, paragraph=True)

    for section, body in zip(sections, bodies, strict=True):
        section.update(body.stats())
        section["text"] = body.text()
    ordered_sections = [{key: section[key] for key in _SECTION_KEYS} for section in sections]

    full_text = "\n".join(t for t in all_text if t)
    title = _core_title(document)
    first_title = (titles or title_lines)[:1]
    if title is None and first_title:
        title = _truncate(blocks[first_title[0]].text, TITLE_CHARS)

    structure = {
        "version": STRUCTURE_VERSION,
        "title": title,
        "language": detect_language(full_text),
        "heuristic": heuristic,
        "counts": {
            "paragraphs": len(body_el.findall(W_P)),
            "tables": sum(1 for _ in body_el.iter(W_TBL)),
            "images": _count_images(body_el),
            "footnotes": _count_notes(_related_root(document, RT.FOOTNOTES), "footnote"),
            "comments": _count_notes(_related_root(document, RT.COMMENTS), "comment"),
            "sections": len(document.sections),
            "words": sum(count_words(t) for t in all_text),
            "chars": sum(_count_chars(t) for t in all_text),
        },
        "preamble": preamble.stats(),
        "sections": ordered_sections,
    }
    return structure, order
