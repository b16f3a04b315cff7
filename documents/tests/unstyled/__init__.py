"""A hand-labelled set of *unstyled* .docx documents to judge the heuristic heading finder by.

Unstyled: every paragraph is in the Normal style (or a corpus file's plain body style) with direct
formatting, no Heading style and no outline level anywhere, the way people really type documents.
Each case lists the headings a careful human reader sees, in order, whitespace collapsed; titles
and subtitles at the top are not headings.

Generated documents are built in code (docbuild.py), one module per family; the corpus cases are
the unstyled readable files of ../shared/corpus/ (see corpus.py). Score with score.py, or run
``.venv/bin/python bench/heuristic.py``.
"""

from __future__ import annotations

from documents.tests.unstyled import chinese, corpus, english, european, japanese_korean, statutes
from documents.tests.unstyled.case import REPO_ROOT, Case, case_bytes

__all__ = ["CASES", "REPO_ROOT", "Case", "case_bytes"]

CASES: list[Case] = [
    *statutes.CASES,
    *chinese.CASES,
    *japanese_korean.CASES,
    *english.CASES,
    *european.CASES,
    *corpus.CASES,
]
