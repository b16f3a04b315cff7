"""The hand-labelled set of unstyled documents (documents/tests/unstyled) and the heuristic's score on it.

(a) and (b) guard the set itself: every case builds (deterministically), opens, is really unstyled
(no Heading/Title style in use, no outline level), and every label is the text of one of its
paragraphs, in order. (c) is the goal for the heuristic heading finder: a mean agreement of at
least MEAN_GOAL over the whole set (bench/heuristic.py prints the details).
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from statistics import fmean

import docx
import pytest
from lxml import etree

from documents.tests.unstyled import CASES, Case, case_bytes
from documents.tests.unstyled.docbuild import collapse
from documents.tests.unstyled.score import score_case

MEAN_GOAL = 0.85
MIN_GENERATED = 24
# The unstyled readable files of ../shared/corpus/ (MANIFEST.tsv): all of them are in the set.
CORPUS_FILES = {
    "docx2python__created-in-pages-paragraphs-only.docx",
    "docx2python__test-docx2python-conversion-google_docs.docx",
    "pandoc__comments.docx",
    "python-docx__having-images.docx",
    "mammothjs__empty.docx",
    "python-docx__default.docx",
}
LANGUAGES = {"zh", "ja", "ko", "en", "es", "pt", "fr", "de", "it", "ru", "und"}

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Style names that make a paragraph a heading or a title, in the languages Word is localised to.
HEADING_STYLE_RE = re.compile(
    r"heading|title|标题|標題|見出し|제목|überschrift|titre|título|titolo|заголовок|kop|rubrik|"
    r"otsikko|overskrift|başlık|nadpis|címsor|nagłówek",
    re.IGNORECASE,
)

ids = [case.name for case in CASES]


@cache
def _bytes(name: str) -> bytes:
    return case_bytes(next(case for case in CASES if case.name == name))


def _part(data: bytes, name: str) -> etree._Element | None:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        if name not in package.namelist():
            return None
        return etree.fromstring(package.read(name))


def _val(el: etree._Element | None) -> str | None:
    return None if el is None else el.get(W + "val")


def _outline_levels(root: etree._Element) -> list[str]:
    """The w:outlineLvl values that make a heading: 0-8 (9 is Word's "Body Text" level)."""
    return [value for el in root.iter(W + "outlineLvl") if (value := _val(el) or "0") != "9"]


# ----------------------------------------------------------------------------- the set's shape


def test_set_has_unique_names_known_languages_and_enough_documents():
    names = [case.name for case in CASES]
    generated = [case for case in CASES if case.build is not None]
    corpus = {case.path.rsplit("/", 1)[-1] for case in CASES if case.build is None and case.path}

    assert len(names) == len(set(names))
    assert {case.language for case in CASES} <= LANGUAGES
    assert len(generated) >= MIN_GENERATED
    assert corpus == CORPUS_FILES
    assert all(case.path is None for case in generated)
    corpus_paths = [case.path for case in CASES if case.build is None]
    assert all(path and path.startswith("../shared/corpus/") for path in corpus_paths)


# ----------------------------------------------------------------------------- (a) builds, opens, unstyled


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_case_builds_deterministically_and_opens(case: Case):
    data = _bytes(case.name)

    docx.Document(io.BytesIO(data))  # opens
    if case.build is not None:
        assert case.build() == data, "two builds differ"


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_case_is_unstyled(case: Case):
    data = _bytes(case.name)
    document = _part(data, "word/document.xml")
    styles = _part(data, "word/styles.xml")
    assert document is not None

    assert not _outline_levels(document), "outline level in document.xml"
    by_id: dict[str, etree._Element] = {}
    default = None
    if styles is not None:
        defaults = styles.find(f"{W}docDefaults")
        assert defaults is None or not _outline_levels(defaults), "outline level in the document defaults"
        for style in styles.iterfind(W + "style"):
            by_id[style.get(W + "styleId")] = style
            if style.get(W + "type") == "paragraph" and style.get(W + "default") in ("1", "true", "on"):
                default = style.get(W + "styleId")
    used = {_val(p.find(f"{W}pPr/{W}pStyle")) or default for p in document.iter(W + "p")}
    for style_id in used - {None}:
        seen: set[str] = set()
        current: str | None = style_id
        while current in by_id and current not in seen:  # the style and what it is based on
            seen.add(current)
            style = by_id[current]
            name = _val(style.find(W + "name")) or current
            assert not HEADING_STYLE_RE.search(name), f"paragraph style {name!r} in use"
            ppr = style.find(W + "pPr")
            assert ppr is None or not _outline_levels(ppr), f"style {name!r} has an outline level"
            current = _val(style.find(W + "basedOn"))
    if case.build is not None:
        # Generated documents: every paragraph in Normal, and no w:outlineLvl at all in either part.
        assert used <= {default}, f"paragraph styles other than Normal: {used - {default}}"
        assert next(document.iter(W + "outlineLvl"), None) is None
        assert styles is not None and next(styles.iter(W + "outlineLvl"), None) is None


# ----------------------------------------------------------------------------- (b) labels are paragraphs


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_labelled_headings_are_paragraphs_in_order(case: Case):
    paragraphs = [collapse(p.text) for p in docx.Document(io.BytesIO(_bytes(case.name))).paragraphs]

    missing = [heading for heading in case.headings if heading not in paragraphs]
    assert not missing, f"labels that are no paragraph's text: {missing}"
    position = 0
    for heading in case.headings:  # in document order: each after the previous one
        assert heading in paragraphs[position:], f"{heading!r} is not after the label before it"
        position = paragraphs.index(heading, position) + 1
    assert all(heading == collapse(heading) and heading for heading in case.headings)


# ----------------------------------------------------------------------------- (c) the heuristic's goal


def test_mean_agreement_reaches_goal():
    scores = {case.name: score_case(case) for case in CASES}
    mean = fmean(scores.values())

    below = ", ".join(f"{name} {score:.3f}" for name, score in scores.items() if score < MEAN_GOAL)
    assert mean >= MEAN_GOAL, (
        f"mean agreement {mean:.3f} < {MEAN_GOAL} over {len(scores)} documents; under {MEAN_GOAL}: {below}"
    )
