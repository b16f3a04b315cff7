"""The unstyled readable files of ../shared/corpus/ (MANIFEST.tsv), read and labelled by hand.

None has a heading a reader would list:

* created-in-pages-paragraphs-only: three one-sentence paragraphs ("This is a document for
  testing docx2python module." ...), Apple Pages' "Body A" style.
* test-docx2python-conversion-google_docs: five long paragraphs of hipster-ipsum prose.
* comments: four short sentences carrying comments.
* having-images: five empty paragraphs holding pictures, no text at all.
* empty: one empty paragraph; default: python-docx's template, no paragraph at all.
"""

from __future__ import annotations

from documents.tests.unstyled.case import Case, corpus

CASES: list[Case] = [
    corpus("corpus-pages-paragraphs", "en", "docx2python__created-in-pages-paragraphs-only.docx"),
    corpus("corpus-google-docs", "en", "docx2python__test-docx2python-conversion-google_docs.docx"),
    corpus("corpus-pandoc-comments", "en", "pandoc__comments.docx"),
    corpus("corpus-having-images", "und", "python-docx__having-images.docx"),
    corpus("corpus-mammoth-empty", "und", "mammothjs__empty.docx"),
    corpus("corpus-python-docx-default", "und", "python-docx__default.docx"),
]
