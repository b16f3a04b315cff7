"""Builders for the unstyled documents: every paragraph is in the Normal style and gets its look
from direct formatting only (bold, size, font, centring, spacing), the way people type documents.

A document is a `Doc` of blocks (`Para`, `Table`, `PAGE`); a paragraph marked ``heading=True``
(made with `h`) is one a careful reader lists as a section heading. `render` turns a `Doc` into
.docx bytes, deterministically (fixed zip timestamps), from python-docx's default template with
its Heading/Title styles removed, so nothing in the package carries an outline level.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run as DocxRun

__all__ = [
    "PAGE",
    "Doc",
    "PageBreak",
    "Para",
    "Run",
    "Table",
    "blank",
    "collapse",
    "h",
    "lead",
    "p",
    "r",
    "render",
    "runs",
    "table",
    "toc",
]

# A typed table of contents puts the page number at a right tab with a dot leader (Letter page,
# 1.25" margins: 15.24 cm of text width).
TOC_TAB = Cm(15.2)
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
# Styles of the default template that would give a paragraph an outline level or make it a title.
_DROPPED_STYLE_RE = re.compile(r"^(?:heading \d|title|subtitle|toc heading)$")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def collapse(text: str) -> str:
    """Whitespace collapsed the way the set compares texts (U+3000 and NBSP are whitespace too)."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None  # points; None: the document's body size
    font: str | None = None  # one font for every script (e.g. "黑体", "Arial")


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    heading: bool = False  # the reader's label: this paragraph is a section heading
    align: str | None = None  # "center" | "right" | "justify"
    before: float | None = None  # space before, points
    after: float | None = None  # space after, points
    indent: float | None = None  # first-line indent, points
    left: float | None = None  # left indent, points
    page_break_before: bool = False
    toc_tab: bool = False  # a right tab stop with a dot leader for a typed table of contents

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    bold_header: bool = True


@dataclass(frozen=True)
class PageBreak:
    """An empty paragraph holding a page break (what Ctrl+Enter leaves behind)."""


PAGE = PageBreak()
Block = Para | Table | PageBreak


@dataclass(frozen=True)
class Doc:
    blocks: tuple[Block, ...]
    font: str = "Calibri"
    east_asian: str | None = None  # the Normal style's East Asian font
    size: float = 11  # the Normal style's size, points

    def headings(self) -> tuple[str, ...]:
        return tuple(collapse(b.text) for b in self.blocks if isinstance(b, Para) and b.heading)


# ----------------------------------------------------------------------------- block helpers


def r(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    font: str | None = None,
) -> Run:
    return Run(text, bold=bold, italic=italic, underline=underline, size=size, font=font)


def runs(
    *parts: Run | str,
    heading: bool = False,
    center: bool = False,
    right: bool = False,
    justify: bool = False,
    before: float | None = None,
    after: float | None = None,
    indent: float | None = None,
    left: float | None = None,
    page_break: bool = False,
) -> Para:
    """A paragraph of several runs (plain strings are unformatted runs)."""
    align = "center" if center else "right" if right else "justify" if justify else None
    return Para(
        runs=tuple(Run(part) if isinstance(part, str) else part for part in parts),
        heading=heading,
        align=align,
        before=before,
        after=after,
        indent=indent,
        left=left,
        page_break_before=page_break,
    )


def p(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    font: str | None = None,
    heading: bool = False,
    center: bool = False,
    right: bool = False,
    justify: bool = False,
    before: float | None = None,
    after: float | None = None,
    indent: float | None = None,
    left: float | None = None,
    page_break: bool = False,
) -> Para:
    """A one-run paragraph: body text unless ``heading=True``."""
    run = Run(text, bold=bold, italic=italic, underline=underline, size=size, font=font)
    return runs(
        run,
        heading=heading,
        center=center,
        right=right,
        justify=justify,
        before=before,
        after=after,
        indent=indent,
        left=left,
        page_break=page_break,
    )


def h(
    text: str,
    *,
    bold: bool = True,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    font: str | None = None,
    center: bool = False,
    before: float | None = None,
    after: float | None = None,
    indent: float | None = None,
    left: float | None = None,
    page_break: bool = False,
) -> Para:
    """A paragraph a reader sees as a section heading (bold unless told otherwise)."""
    return p(
        text,
        bold=bold,
        italic=italic,
        underline=underline,
        size=size,
        font=font,
        heading=True,
        center=center,
        before=before,
        after=after,
        indent=indent,
        left=left,
        page_break=page_break,
    )


def lead(
    head: str,
    rest: str,
    *,
    font: str | None = None,
    indent: float | None = None,
    left: float | None = None,
    size: float | None = None,
) -> Para:
    """Body text whose first words are bold ("Note: ...", "第一条　为了……"): never a heading."""
    return runs(
        Run(head, bold=True, font=font, size=size),
        Run(rest, size=size),
        indent=indent,
        left=left,
    )


def toc(entry: str, page: str, *, left: float | None = None) -> Para:
    """One line of a typed table of contents: entry, dot leader, page number."""
    return Para(runs=(Run(f"{entry}\t{page}"),), left=left, toc_tab=True)


def table(*rows: Sequence[str], bold_header: bool = True) -> Table:
    return Table(rows=tuple(tuple(row) for row in rows), bold_header=bold_header)


def blank() -> Para:
    return Para(runs=())


# ----------------------------------------------------------------------------- rendering


def _set_font(run: DocxRun, font: str) -> None:
    run.font.name = font
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _add_runs(paragraph: Paragraph, para: Para) -> None:
    for part in para.runs:
        run = paragraph.add_run(part.text)
        if part.bold:
            run.bold = True
        if part.italic:
            run.italic = True
        if part.underline:
            run.underline = True
        if part.size is not None:
            run.font.size = Pt(part.size)
        if part.font is not None:
            _set_font(run, part.font)


def _add_paragraph(document: DocxDocument, para: Para) -> None:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    if para.align is not None:
        paragraph.alignment = _ALIGN[para.align]
    if para.before is not None:
        fmt.space_before = Pt(para.before)
    if para.after is not None:
        fmt.space_after = Pt(para.after)
    if para.indent is not None:
        fmt.first_line_indent = Pt(para.indent)
    if para.left is not None:
        fmt.left_indent = Pt(para.left)
    if para.page_break_before:
        fmt.page_break_before = True
    if para.toc_tab:
        fmt.tab_stops.add_tab_stop(TOC_TAB, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    _add_runs(paragraph, para)


def _add_table(document: DocxDocument, block: Table) -> None:
    width = max(len(row) for row in block.rows)
    grid = document.add_table(rows=len(block.rows), cols=width)
    grid.style = document.styles["Table Grid"]
    for number, (grid_row, row) in enumerate(zip(grid.rows, block.rows, strict=True)):
        for cell, text in zip(grid_row.cells, row, strict=False):
            run = cell.paragraphs[0].add_run(text)
            if block.bold_header and number == 0:
                run.bold = True


def _drop_heading_styles(document: DocxDocument) -> None:
    """Remove the template's Heading N, Title, Subtitle and TOC Heading styles (and their linked
    character styles and anything based on them): an unstyled document has none of them."""
    root = document.styles.element
    styles = root.findall(qn("w:style"))
    dropped: set[str] = set()
    for style in styles:
        name_el = style.find(qn("w:name"))
        name = (name_el.get(qn("w:val")) if name_el is not None else "").lower()
        ppr = style.find(qn("w:pPr"))
        if _DROPPED_STYLE_RE.match(name) or (ppr is not None and ppr.find(qn("w:outlineLvl")) is not None):
            dropped.add(style.get(qn("w:styleId")))
            link = style.find(qn("w:link"))
            if link is not None:
                dropped.add(link.get(qn("w:val")))
    changed = True
    while changed:  # styles based on a dropped one go too
        changed = False
        for style in styles:
            based = style.find(qn("w:basedOn"))
            style_id = style.get(qn("w:styleId"))
            if based is not None and based.get(qn("w:val")) in dropped and style_id not in dropped:
                dropped.add(style_id)
                changed = True
    for style in styles:
        if style.get(qn("w:styleId")) in dropped:
            root.remove(style)


def _fixed_zip(data: bytes) -> bytes:
    """The same package with fixed member timestamps, so a build is byte-for-byte repeatable."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def render(doc: Doc) -> bytes:
    document = docx.Document()
    _drop_heading_styles(document)
    normal = document.styles["Normal"]
    normal.font.name = doc.font
    normal.font.size = Pt(doc.size)
    if doc.east_asian is not None:
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), doc.east_asian)
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Table):
            _add_table(document, block)
        else:
            _add_paragraph(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())
