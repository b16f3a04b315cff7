"""One labelled document of the set: generated in code or read from ../shared/corpus/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from documents.tests.unstyled.docbuild import Doc, render

# documents/tests/unstyled/case.py -> the repository root.
REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Case:
    name: str  # short slug, unique, e.g. "zh-statute"
    language: str  # "zh", "ja", "ko", "en", "es", "pt", "fr", "de", "it", "ru"; "und": no text at all
    kind: str  # "statute", "tender", "form", "report", "thesis", "letter", "minutes", "contract", ...
    headings: tuple[str, ...]  # the headings a reader sees, in order, whitespace collapsed
    build: Callable[[], bytes] | None  # the .docx bytes, deterministically; None for corpus files
    path: str | None = None  # corpus files: relative to the repository root


def _build(make: Callable[[], Doc]) -> bytes:
    return render(make())


def generated(name: str, language: str, kind: str, make: Callable[[], Doc]) -> Case:
    """A case built by `make`; its headings are the paragraphs `make` marks as headings (``h``)."""
    return Case(name, language, kind, headings=make().headings(), build=partial(_build, make))


def corpus(name: str, language: str, file: str, headings: tuple[str, ...] = ()) -> Case:
    """A real file of ../shared/corpus/, labelled by hand."""
    return Case(name, language, "corpus", headings=headings, build=None, path=f"../shared/corpus/{file}")


def case_bytes(case: Case) -> bytes:
    if case.build is not None:
        return case.build()
    if case.path is None:
        raise ValueError(f"case {case.name} has neither build nor path")
    return (REPO_ROOT / case.path).resolve().read_bytes()
