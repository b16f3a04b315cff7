"""The reader's gates: checks a piece of generated outline text must pass before a reader sees it.

A piece is one bullet point, or a section's whole generated text (its "- ..." bullet lines
joined by newlines, without the heading). Each gate answers pass/fail; ``check`` runs them all.

1. loop: no word 3-gram occurs three times, and no 4-character CJK run does (counts overlap).
   Both counts always apply, so Chinese with English terms is checked for both kinds of
   repetition; Latin-script text simply has no CJK runs. CJK 4-grams are taken inside
   ``textkit.cjk_runs`` but counted across them, so "抽检结果：抽检结果：抽检结果：" loops.
   A section that names a 4-character term (人工智能) in three bullets fails too: that is the
   product's definition, applied as written.
2. copy: source sentences of 40+ characters found verbatim in the text cover at most half of it.
   The source is split on . ! ? 。 ！ ？ ; ； and newlines (the semicolons are read as listed
   separators); both sides are whitespace-normalised and the text loses its list markers. "Cover"
   is the union of the characters the found sentences occupy, every occurrence counted, so a
   sentence pasted twice counts twice and a sentence inside a longer found one is not counted twice.
   Terminators are not part of a sentence, so "e.g." or "3.5" split it (simple and linear).
3. language: for a CJK document (``textkit.is_cjk_language``) at least half the text's letters
   are CJK; for any other document at most 10 %. An unknown language (None or "") passes, and so
   does text without letters: there is nothing to judge, and ``complete`` fails empty text.
4. grounded: at least 70 % of the text's content words (repeats counted) have a stem that some
   word of the document has, and at least 60 % of its CJK character pairs occur in the document.
   Stems use the document's language (``DocumentIndex.language``) on both sides. A text without
   content words, or without pairs, passes that half.
5. complete: every item ends at a sentence end (. ! ? 。 ！ ？, plus the full-width ． and
   half-width ｡ that Japanese technical writing uses), optionally followed by closing quotes or
   brackets (” ’ " ' ） ) 」 』). An item starts at each line with a list marker ("- ", "* ", "• ");
   lines without one continue the item above (a wrapped bullet), so a point is one item and a
   section is one per bullet. A trailing ellipsis (… ... 。。。) is cut off, and so is empty text.
6. short: a point has at most 25 words, a section at most 120; text whose letters are at least
   half CJK is measured in CJK letters instead (at most 50 / 240), Latin words in it uncounted.
7. template (benchmark only, ``template_runs``): 5-word runs, and 8-letter CJK runs, that two
   different documents' outlines share while neither of those documents contains them. Both
   kinds are collected from every outline, as in ``loop``.

Everything is linear in the sizes of its inputs except ``copy``, whose bound is explained there.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from documents import textkit

GATES = ("loop", "copy", "language", "grounded", "complete", "short")

Kind = Literal["point", "section"]

# (words, CJK letters): the product's bullet limit and its section limit.
LIMITS: dict[str, tuple[int, int]] = {"point": (25, 50), "section": (120, 240)}
COPY_MIN_CHARS = 40
COPY_MAX_SHARE = 0.5
GROUNDED_MIN_WORDS = 0.7
GROUNDED_MIN_PAIRS = 0.6
CJK_MIN_SHARE = 0.5  # a CJK document's text, and the point where "short" counts CJK letters
LATIN_MAX_CJK_SHARE = 0.1

_LIST_MARKER_RE = re.compile(r"^[ \t]*[-*•](?:[ \t]+|$)")
_SENTENCE_SPLIT_RE = re.compile(r"[.!?。！？;；\n]")
_SENTENCE_ENDS = frozenset(".!?。！？．｡")
_CLOSERS = "”’\"'）)」』"
_ELLIPSES = ("…", "...", "。。。")
_WORD_CHAR_RE = re.compile(textkit.WORD_CHAR)


# ----------------------------------------------------------------------------- report


@dataclass(frozen=True)
class GateReport:
    """The gates a text failed, in ``GATES`` order; empty when it passed them all."""

    failed: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class DocumentIndex:
    """What ``grounded`` compares against: the stems of every word of a document and every pair of
    consecutive CJK letters in it. Built once per document, shared by all of its points."""

    language: str | None
    stems: frozenset[str]
    pairs: frozenset[str]

    @classmethod
    def build(cls, document_text: str, language: str | None) -> DocumentIndex:
        """Linear in the document: each distinct word is stemmed once."""
        stems = frozenset(textkit.stem(word, language) for word in set(textkit.words(document_text)))
        return cls(language=language, stems=stems, pairs=frozenset(_cjk_pairs(document_text)))


def _cjk_pairs(text: str) -> list[str]:
    return [run[i : i + 2] for run in textkit.cjk_runs(text) for i in range(len(run) - 1)]


# ----------------------------------------------------------------------------- loop


@lru_cache(maxsize=8192)
def _char_kind(ch: str) -> int:
    """0: splits words and CJK runs; 1: word character (as in ``textkit.words``); 2: CJK letter."""
    if textkit.is_cjk_char(ch):
        return 2
    return 1 if _WORD_CHAR_RE.match(ch) else 0


class LoopWatch:
    """The loop gate, fed a growing text piece by piece (a stream of model tokens).

    Tokenises exactly like ``textkit.words`` and ``textkit.cjk_runs``, keeping only the last three
    words, the last three CJK letters and the n-gram counters, so the total cost is linear in
    the text fed, however it is split. ``loop_at`` is the offset where the first n-gram to reach
    its third occurrence starts that occurrence; ``text[:loop_at]`` passes the loop gate (any
    n-gram inside it would have completed its third occurrence earlier). A word is only known to
    be complete when the character after it arrives: call ``finish`` at the end of the stream.
    Once looping, further input is ignored.
    """

    def __init__(self) -> None:
        self.loop_at: int | None = None
        self._offset = 0
        self._word: list[str] = []
        self._word_start = 0
        self._recent: deque[tuple[str, int]] = deque(maxlen=3)
        self._word_grams: Counter[tuple[str, ...]] = Counter()
        self._cjk_tail = ""  # the current CJK run's last three letters
        self._cjk_grams: Counter[str] = Counter()

    def feed(self, delta: str) -> bool:
        """Adds the next piece of text; True once the text loops."""
        for ch in delta:
            if self.loop_at is not None:
                break
            kind = _char_kind(ch)
            if kind == 1:
                if not self._word:
                    self._word_start = self._offset
                self._word.append(ch)
                self._cjk_tail = ""
            else:
                self._close_word()
                if kind == 2:
                    self._add_cjk(ch)
                else:
                    self._cjk_tail = ""
            self._offset += 1
        return self.loop_at is not None

    def finish(self) -> bool:
        """Ends the text (closing its last word); True if it loops."""
        self._close_word()
        return self.loop_at is not None

    def _close_word(self) -> None:
        if not self._word or self.loop_at is not None:
            return
        word = "".join(self._word)
        self._word = []
        if not any(map(str.isalpha, word)):
            return  # numbers are not words (textkit.words drops them), so n-grams span them
        self._recent.append((unicodedata.normalize("NFC", word).lower(), self._word_start))
        if len(self._recent) == 3:
            gram = tuple(recent for recent, _ in self._recent)
            self._word_grams[gram] += 1
            if self._word_grams[gram] == 3:
                self.loop_at = self._recent[0][1]

    def _add_cjk(self, ch: str) -> None:
        gram = self._cjk_tail + ch
        if len(gram) == 4:
            self._cjk_grams[gram] += 1
            if self._cjk_grams[gram] == 3:
                self.loop_at = self._offset - 3
                return
        self._cjk_tail = gram[-3:]


def looping_at(text: str) -> int | None:
    """The offset where the text starts to loop (see ``LoopWatch``), or None if it never does."""
    watch = LoopWatch()
    watch.feed(text)
    watch.finish()
    return watch.loop_at


def gate_loop(text: str) -> bool:
    return looping_at(text) is None


# ----------------------------------------------------------------------------- copy


def _strip_markers(text: str) -> str:
    return "\n".join(_LIST_MARKER_RE.sub("", line, count=1) for line in text.splitlines())


def _normalise(text: str) -> str:
    return " ".join(text.split())


def copied_share(text: str, source: str) -> float:
    """The share of the (marker-free, whitespace-normalised) text that verbatim source sentences of
    40+ characters cover; 0.0 for empty text."""
    target = _normalise(_strip_markers(text))
    if not target:
        return 0.0
    sentences = {_normalise(piece) for piece in _SENTENCE_SPLIT_RE.split(source)}
    spans: list[tuple[int, int]] = []
    # Each find() is linear (CPython's two-way search), and only distinct sentences of 40+
    # characters that fit in the text are searched, so the cost is at most
    # O(len(source) / 40 * len(text)): ~10^5 steps for a few-thousand-character section source
    # and a ~1,000-character generated text, the largest the worker produces.
    for sentence in sentences:
        if not COPY_MIN_CHARS <= len(sentence) <= len(target):
            continue
        start = target.find(sentence)
        while start != -1:
            spans.append((start, start + len(sentence)))
            start = target.find(sentence, start + len(sentence))
    covered, reach = 0, 0
    for start, end in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered / len(target)


def gate_copy(text: str, source: str) -> bool:
    return copied_share(text, source) <= COPY_MAX_SHARE


# ----------------------------------------------------------------------------- language


# A section's source with at least this many letters, all in the other script than the document's,
# sets the script its points are judged by.
SECTION_SCRIPT_MIN_LETTERS = 20


def gate_language(text: str, language: str | None, *, source: str = "") -> bool:
    """CJK text for a CJK document, not for a Latin-script one, and the reverse. A section written
    in the other script (an English abstract in a Korean thesis, a Chinese quotation in an English
    paper) is judged by its own script: a reader expects its points in the words it is written in."""
    if not language or not any(map(str.isalpha, text)):
        return True
    expect_cjk = textkit.is_cjk_language(language)
    if sum(map(str.isalpha, source)) >= SECTION_SCRIPT_MIN_LETTERS:
        source_share = textkit.cjk_share(source)
        if expect_cjk and source_share <= LATIN_MAX_CJK_SHARE:
            expect_cjk = False
        elif not expect_cjk and source_share >= CJK_MIN_SHARE:
            expect_cjk = True
    own = _without_borrowed(text, source, expect_cjk=expect_cjk)
    if not any(map(str.isalpha, own)):
        return True  # nothing but the section's own names and codes
    share = textkit.cjk_share(own)
    return share >= CJK_MIN_SHARE if expect_cjk else share <= LATIN_MAX_CJK_SHARE


def _without_borrowed(text: str, source: str, *, expect_cjk: bool) -> str:
    """The text without the other script's words that its section uses too: the identifiers, names
    and terms a section quotes (`gm_item_detail` in a Chinese spec, "China Inland Mission" in a
    Korean thesis) belong to no language, and a point may quote them. Words the model brought in
    from nowhere still count. Linear: a set of the source's words, or substring tests bounded by
    the point's few CJK runs."""
    if not source:
        return text
    if expect_cjk:
        return textkit.blank_words(text, set(textkit.words(source)))
    return textkit.blank_cjk_runs(text, source)


# ----------------------------------------------------------------------------- grounded


def gate_grounded(text: str, index: DocumentIndex) -> bool:
    content = textkit.content_words(text, index.language)
    if content:
        known = sum(textkit.stem(word, index.language) in index.stems for word in content)
        if known < GROUNDED_MIN_WORDS * len(content):
            return False
    pairs = _cjk_pairs(text)
    if pairs:
        known = sum(pair in index.pairs for pair in pairs)
        if known < GROUNDED_MIN_PAIRS * len(pairs):
            return False
    return True


# ----------------------------------------------------------------------------- complete


def _items(text: str) -> list[str]:
    """The list items of a text: a marker line starts one, an unmarked line continues the last."""
    items: list[str] = []
    for line in text.splitlines():
        marked = _LIST_MARKER_RE.match(line)
        body = (line[marked.end() :] if marked else line).strip()
        if marked or (body and not items):
            items.append(body)
        elif body:
            items[-1] = f"{items[-1]} {body}"
    return items


def _ends_sentence(item: str) -> bool:
    core = item.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _SENTENCE_ENDS and not core.endswith(_ELLIPSES)


def gate_complete(text: str) -> bool:
    items = _items(text)
    return bool(items) and all(map(_ends_sentence, items))


# ----------------------------------------------------------------------------- short


def gate_short(text: str, kind: Kind = "point") -> bool:
    if kind not in LIMITS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {sorted(LIMITS)}")
    max_words, max_cjk = LIMITS[kind]
    if textkit.cjk_share(text) >= CJK_MIN_SHARE:
        return textkit.cjk_count(text) <= max_cjk
    return len(textkit.words(text)) <= max_words


# ----------------------------------------------------------------------------- all gates


def check_one(
    gate: str,
    text: str,
    *,
    source: str,
    index: DocumentIndex,
    language: str | None,
    kind: Kind = "point",
) -> bool:
    """Whether the text passes one gate; ValueError for a name not in ``GATES``."""
    match gate:
        case "loop":
            return gate_loop(text)
        case "copy":
            return gate_copy(text, source)
        case "language":
            return gate_language(text, language, source=source)
        case "grounded":
            return gate_grounded(text, index)
        case "complete":
            return gate_complete(text)
        case "short":
            return gate_short(text, kind)
    raise ValueError(f"unknown gate {gate!r}: expected one of {GATES}")


def check(
    text: str,
    *,
    source: str,
    index: DocumentIndex,
    language: str | None,
    kind: Kind = "point",
) -> GateReport:
    """Runs every gate on a point (``kind="point"``) or a section's bullet text (``"section"``).

    ``source`` is the section's source text, ``index`` the whole document's, ``language`` the
    document's (None when unknown). Never raises for any text, empty included."""
    failed = tuple(
        gate
        for gate in GATES
        if not check_one(gate, text, source=source, index=index, language=language, kind=kind)
    )
    return GateReport(failed=failed)


# ----------------------------------------------------------------------------- template


def _runs(text: str) -> Iterable[str]:
    """Every 5-word run (words joined by spaces) and every 8-letter CJK run, in text order."""
    found = textkit.words(text)
    for i in range(len(found) - 4):
        yield " ".join(found[i : i + 5])
    for run in textkit.cjk_runs(text):
        for i in range(len(run) - 7):
            yield run[i : i + 8]


def template_runs(outlines: Sequence[tuple[str, str]]) -> list[str]:
    """The runs found in the outlines of two or more documents and in neither of those documents.

    Each item is one document's (outline_text, document_text). A run counts for a document when
    its outline has it and its text does not; runs that count for two documents are returned,
    each once, in order of first appearance. Word runs are lower-cased, space-joined 5-grams of
    ``textkit.words``; CJK runs are 8 letters. Linear in the total size of all texts.
    """
    outline_runs = [dict.fromkeys(_runs(outline)) for outline, _ in outlines]
    shared = Counter(run for runs in outline_runs for run in runs)
    candidates = {run for run, count in shared.items() if count >= 2}
    if not candidates:
        return []
    # Only candidates are kept from the documents, so memory stays with the outlines' size.
    counts: Counter[str] = Counter()
    for runs, (_, document_text) in zip(outline_runs, outlines, strict=True):
        in_document = {run for run in _runs(document_text) if run in candidates}
        counts.update(run for run in runs if run in candidates and run not in in_document)
    ordered = dict.fromkeys(run for runs in outline_runs for run in runs)
    return [run for run in ordered if counts[run] >= 2]
