"""Outline export: Markdown as it is, and a .docx with real Title and Heading 1–9 styles that
Word and LibreOffice open and python-docx (and documents/structure.py) read back to the same tree."""

from __future__ import annotations

import io
import re

from docx import Document as DocxDocument
from docx.oxml.ns import qn

from documents.outline_markdown import markdown_plain, parse_sections


def outline_docx(markdown: str, *, fallback_title: str, author: str = "") -> bytes:
    """`author` is whose outline it is (python-docx's template otherwise names "python-docx")."""
    title, sections = parse_sections(markdown)
    doc = DocxDocument()
    properties = doc.core_properties
    properties.title = title or fallback_title
    properties.author = properties.last_modified_by = author
    properties.comments = "Outline made with Outliner"
    properties.keywords = ""
    properties.revision = 1
    # East Asian text needs an East Asian font in the run properties, or Word substitutes one
    # that may lack the glyphs.
    doc.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    doc.add_heading(title or fallback_title, level=0)
    for section in sections:
        doc.add_heading(section["title"], level=min(section["level"], 9))
        for block in re.split(r"\n\s*\n", section["text"]):
            lines = [line.strip() for line in block.splitlines() if line.strip()]
            if not lines:
                continue
            if all(re.match(r"^([-*+]|\d+[.)])\s+", line) for line in lines):
                style = "List Number" if re.match(r"^\d", lines[0]) else "List Bullet"
                for line in lines:
                    doc.add_paragraph(markdown_plain(re.sub(r"^([-*+]|\d+[.)])\s+", "", line)), style=style)
            else:
                doc.add_paragraph(markdown_plain(" ".join(lines)))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
