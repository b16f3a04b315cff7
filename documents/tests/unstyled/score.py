"""How well the heading finder agrees with the labels: one function, used by the bench and the test.

Agreement of one document = ``difflib.SequenceMatcher(None, expected, found).ratio()`` over the
lists of heading texts (whitespace collapsed): 1.0 when the finder lists exactly the labelled
headings in order, lower for each heading missed or invented. Two empty lists agree fully.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from documents.structure import structure_extract
from documents.tests.unstyled.case import Case, case_bytes
from documents.tests.unstyled.docbuild import collapse

__all__ = ["Result", "agreement", "evaluate", "found_headings", "score_case"]


def agreement(expected: Sequence[str], found: Sequence[str]) -> float:
    if not expected and not found:
        return 1.0
    return difflib.SequenceMatcher(None, list(expected), list(found)).ratio()


def found_headings(structure: dict[str, Any]) -> list[str]:
    return [collapse(section["title"]) for section in structure["sections"]]


@dataclass(frozen=True)
class Result:
    case: Case
    expected: list[str]
    found: list[str]
    score: float
    seconds: float  # mean extraction time (structure_extract only)


def evaluate(case: Case, repeat: int = 1) -> Result:
    data = case_bytes(case)
    times: list[float] = []
    structure: dict[str, Any] = {}
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        structure = structure_extract(data)
        times.append(time.perf_counter() - start)
    expected = list(case.headings)
    found = found_headings(structure)
    return Result(case, expected, found, agreement(expected, found), sum(times) / len(times))


def score_case(case: Case) -> float:
    return evaluate(case).score
