"""How well the heuristic heading finder (documents/structure.py) agrees with a careful reader on
unstyled documents: the hand-labelled set of documents/tests/unstyled (generated documents in ten
languages plus the unstyled files of ../shared/corpus/).

Per document: name, language, kind, the number of labelled and of found headings, and the agreement
(difflib.SequenceMatcher ratio of the two lists of heading texts, see documents/tests/unstyled/score.py);
then the mean agreement over all documents, over the generated and over the corpus documents, and
the mean extraction time per file (structure_extract only, averaged over --repeat runs).

    .venv/bin/python bench/heuristic.py [--verbose] [--only NAME ...] [--repeat N] [--corpus]

--corpus also times the extraction of every file of ../shared/corpus/ that opens (styled ones too:
the figure for "the time per file on the corpus"), the median of --repeat runs per file.

--verbose shows, for each document under 1.0, the labelled and the found headings side by side
(difflib opcodes): "-" a heading the finder missed, "+" one it invented, "~" one it replaced.
It only reports: the exit code is 0 whatever the scores (documents/tests/unit/test_heuristic_set.py
holds the goal).
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: bench/ is sys.path[0]

from documents.structure import structure_extract  # noqa: E402
from documents.tests.unstyled import CASES, REPO_ROOT, Case  # noqa: E402
from documents.tests.unstyled.score import Result, evaluate  # noqa: E402

COLUMN = 46  # display width of the "expected" column in --verbose


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """`text` padded, or cut with "…", to exactly `width` display columns."""
    if _width(text) <= width:
        return text + " " * (width - _width(text))
    kept: list[str] = []
    used = 0
    for ch in text:
        if used + _width(ch) > width - 1:
            break
        kept.append(ch)
        used += _width(ch)
    return "".join(kept) + "…" + " " * (width - 1 - used)


def _side_by_side(result: Result) -> list[str]:
    lines = [f"    {_fit('expected', COLUMN)}   found"]
    matcher = difflib.SequenceMatcher(None, result.expected, result.found)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = result.expected[i1:i2], result.found[j1:j2]
        mark = {"equal": "=", "delete": "-", "insert": "+", "replace": "~"}[tag]
        for n in range(max(len(left), len(right))):
            a = left[n] if n < len(left) else ""
            b = right[n] if n < len(right) else ""
            if tag == "equal":
                b = "〃"  # same as expected
            lines.append(f"  {mark} {_fit(a, COLUMN)} | {b}")
    return lines


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show expected vs found for documents under 1.0"
    )
    parser.add_argument("--only", action="append", metavar="NAME", help="only this case (repeatable)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="extractions per file for the timing (default 3)"
    )
    parser.add_argument("--corpus", action="store_true", help="also time every file of ../shared/corpus")
    args = parser.parse_args(argv)

    cases: list[Case] = list(CASES)
    if args.only:
        known = {case.name for case in CASES}
        for name in args.only:
            if name not in known:
                print(f"no case named {name!r} (known: {', '.join(sorted(known))})")
        cases = [case for case in CASES if case.name in set(args.only)]
        if not cases:
            return 0

    results = [evaluate(case, repeat=args.repeat) for case in cases]
    name_width = max(len(result.case.name) for result in results)
    kind_width = max(len("kind"), *(len(result.case.kind) for result in results))
    print(f"{'document':<{name_width}}  lang  {'kind':<{kind_width}}  expected  found  agreement")
    for result in results:
        case = result.case
        print(
            f"{case.name:<{name_width}}  {case.language:<4}  {case.kind:<{kind_width}}  "
            f"{len(result.expected):>8}  {len(result.found):>5}  {result.score:>9.3f}"
        )
        if args.verbose and result.score < 1.0:
            print("\n".join(_side_by_side(result)))

    generated = [r.score for r in results if r.case.build is not None]
    corpus = [r.score for r in results if r.case.build is None]
    print()
    print(f"mean agreement, all {len(results)} documents: {_fmt(_mean([r.score for r in results]))}")
    print(f"mean agreement, {len(generated)} generated:      {_fmt(_mean(generated))}")
    print(f"mean agreement, {len(corpus)} corpus:          {_fmt(_mean(corpus))}")
    print(f"extraction time per file: {1000 * statistics.fmean(r.seconds for r in results):.1f} ms (mean)")
    if args.corpus:
        _time_corpus(args.repeat)
    return 0


def _time_corpus(repeat: int) -> None:
    corpus = (REPO_ROOT / ".." / "shared" / "corpus").resolve()
    times: list[float] = []
    print(f"\nextraction time per file of {corpus} (median of {repeat}):")
    for path in sorted(corpus.glob("*.doc*")):
        data = path.read_bytes()
        runs: list[float] = []
        try:
            for _ in range(max(1, repeat)):
                started = time.perf_counter()
                structure_extract(data)
                runs.append(time.perf_counter() - started)
        except Exception as exc:  # refused at upload (corrupt, Strict, macros, encrypted): not timed
            print(f"  {path.name[:60]:<60}  not read ({type(exc).__name__})")
            continue
        times.append(statistics.median(runs))
        print(f"  {path.name[:60]:<60}  {1000 * times[-1]:8.1f} ms  {len(data) / 1024:8.0f} KiB")
    if times:
        print(
            f"  mean {1000 * statistics.fmean(times):.1f} ms, median {1000 * statistics.median(times):.1f} ms"
            f" over {len(times)} files"
        )


if __name__ == "__main__":
    main()
    sys.exit(0)
