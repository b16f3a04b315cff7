"""The bullet points under each section of an outline: the model's, held to a reader's gates.

For each section with text of its own, 1-3 points (more text, more points). Each point is written
by the model from the section's key phrases and one of its central sentences
(documents/grounding.py, documents/prompts.py), with sampling against loops and a watch that cuts
it the moment it starts to loop, then checked against the gates (documents/quality.py). An answer
that fails but whose first sentence passes keeps that sentence. A point that fails is asked for
once more with other settings; if that fails too, it is replaced by an *extracted* point: the
central sentence condensed, or the key phrases, marked as such. A text too short to need the
model (a line or two) gets its extracted point at once, and a section where nothing passed gets
one of its first lines as it stands (extracted too): no section with text is left bare.

Points are held until they pass: a reader never sees text that failed a gate, and what the
worker streams is exactly what it saves.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from documents import grounding, quality
from documents.llm import LLMError, Prompt, Provider, StreamUsage
from documents.prompts import Brief, Example, point_prompt, section_prompt
from documents.textkit import cjk_share, is_cjk_char, is_cjk_language, words

logger = logging.getLogger(__name__)

# A section's text needs the model only past this size; below it, its own words are the point.
SHORT_WORDS = 12
SHORT_CJK_CHARS = 30
# How many points a section gets, by the size of its text (words, or CJK characters / 2).
POINTS_BY_SIZE = ((250, 1), (800, 2))  # under 250 words: 1; under 800: 2; else 3
MAX_POINTS = 3
EXAMPLES = 1  # solved examples, from the document's other sections, in a completions prompt
EXAMPLE_CANDIDATES = 8  # the longest sections tried for them
# A point says something: a word or two ("规则。", "Budget.") passes every gate and tells nothing.
MIN_POINT_WORDS, MIN_POINT_CJK_CHARS = 4, 8
# The central sentence a prompt quotes, at most (a table row run together can be very long).
PROMPT_SENTENCE_CHARS = 200
# The last resort for a section where no point passed: one of its first lines, as it stands.
VERBATIM_LINES = 3
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’）)」』]*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•·]|\d+[.)、])\s*")


@dataclass(frozen=True)
class Sampling:
    """The settings of one try at a point."""

    temperature: float
    frequency_penalty: float
    presence_penalty: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Point:
    text: str
    extracted: bool  # the section's own words (the safety net), not the model's

    def markdown(self) -> str:
        # An extracted point is emphasised: subtle in the pane and the exports, and how the data
        # (and the API's per-section count) tells it from the model's.
        return f"- _{self.text}_\n" if self.extracted else f"- {self.text}\n"


def is_extracted_line(line: str) -> bool:
    """Whether a Markdown line is an extracted point ("- _…_")."""
    line = line.strip()
    return line.startswith("- _") and line.endswith("_") and len(line) > 4


def points_text(markdown: str) -> str:
    """A section's points as a reader reads them: the extracted ones without their emphasis."""
    return "\n".join(
        f"- {line.strip()[3:-1]}" if is_extracted_line(line) else line.strip()
        for line in markdown.splitlines()
        if line.strip()
    )


@dataclass
class SectionResult:
    points: list[Point]
    tokens: int = 0
    retries: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # gate -> model tries it failed


def cut_text(text: str, limit: int) -> str:
    """Fit a section's text into the context: whole sentences when possible, else a hard cut.
    Line breaks stay (a table row or list item ends there, and so does its sentence)."""
    text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    if len(text) <= limit:
        return text
    head = text[:limit]
    boundary = max(head.rfind(mark) for mark in ("。", "！", "？", ". ", "! ", "? ", "；", "; "))
    return (head[: boundary + 1] if boundary > limit // 2 else head).rstrip() + "…"


def _cjk(text: str, language: str | None) -> bool:
    return is_cjk_language(language) or cjk_share(text) >= 0.5


def _size(text: str, language: str | None) -> int:
    """Words, or for CJK text its characters / 2 (about as much to say)."""
    if _cjk(text, language):
        return sum(1 for ch in text if not ch.isspace()) // 2
    return len(words(text))


def substantial(point: str) -> bool:
    if cjk_share(point) >= 0.5:
        return sum(1 for ch in point if is_cjk_char(ch)) >= MIN_POINT_CJK_CHARS
    return len(words(point)) >= MIN_POINT_WORDS


def points_wanted(text: str, language: str | None) -> int:
    size = _size(text, language)
    return next((count for limit, count in POINTS_BY_SIZE if size < limit), MAX_POINTS)


def is_short(text: str, language: str | None) -> bool:
    return _size(text, language) < (SHORT_CJK_CHARS // 2 if _cjk(text, language) else SHORT_WORDS)


def _full_stop(language: str | None, text: str) -> str:
    return "。" if (is_cjk_language(language) and language != "ko") or cjk_share(text) >= 0.5 else "."


def tidy(raw: str, *, language: str | None, cut_off: bool) -> str:
    """A model's answer as a point: one line, no list marker or emphasis, ending at a sentence end.

    A text the model ended itself gets its full stop if it lacks one; one cut off by the token
    limit keeps only its whole sentences (none: nothing).
    """
    text = " ".join(raw.split())
    text = _LIST_MARKER.sub("", text).replace("**", "").strip(" *_\"'“”")
    # Table cells come joined by " | " (documents/structure.py); in a sentence they are a list.
    text = re.sub(r"\s*\|\s*", "，" if cjk_share(text) >= 0.5 else ", ", text).strip("，, ")
    if not text:
        return ""
    if cut_off or text.endswith(("…", "...")):
        ends = [m.end() for m in re.finditer(r"[.!?。！？][\"'”’）)」』]*(?=\s|$)", text)]
        ends = [end for end in ends if end < len(text) or not text.endswith(("…", "..."))]
        return text[: ends[-1]].strip() if ends else ""
    if not _SENTENCE_END.search(text):
        text = text.rstrip(",;:，；：、 ") + _full_stop(language, text)
    return text


class PointWriter:
    """Writes the points of one document's sections (thread-safe: sections are prepared in
    parallel, one thread each, on the model server's parallel slots)."""

    def __init__(
        self,
        *,
        sections: list[dict[str, Any]],
        language: str | None,
        provider: Provider,
        api_style: str,
        max_tokens: int,
        first: Sampling,
        retry: Sampling,
        should_stop: Callable[[], bool],
        max_section_chars: int,
    ) -> None:
        self.sections = sections
        self.language = language
        self.provider = provider
        self.api_style = api_style
        self.max_tokens = max_tokens
        self.first, self.retry = first, retry
        self.should_stop = should_stop
        self.max_section_chars = max_section_chars
        document_text = "\n".join(f"{s.get('title') or ''}\n{s.get('text') or ''}" for s in sections)
        self.index = quality.DocumentIndex.build(document_text, language)
        self._examples: list[Example] | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ examples
    def examples(self, *, besides: str) -> list[Example]:
        """Solved examples from the document's own longest sections (computed once), not the one
        titled `besides` (the section asked about)."""
        with self._lock:
            if self._examples is None:
                self._examples = self._build_examples()
        return [example for example in self._examples if example.brief.title != besides][:EXAMPLES]

    def _build_examples(self) -> list[Example]:
        candidates = sorted(
            (s for s in self.sections if not is_short(str(s.get("text") or ""), self.language)),
            key=lambda s: len(str(s.get("text") or "")),
            reverse=True,
        )
        examples: list[Example] = []
        for section in candidates[:EXAMPLE_CANDIDATES]:
            text = self._text(section)
            phrases, central = grounding.section_brief(text, self.language)
            for sentence in central:
                # A sentence condensed, never a list of key phrases: a model copies a list's first
                # phrase as the answer for every section.
                point = grounding.extracted_point(sentence, self.language, phrases=False)
                if point and substantial(point) and self._passes(point, text):
                    brief = Brief(section["title"], phrases[:3], sentence[:PROMPT_SENTENCE_CHARS])
                    examples.append(Example(brief, point))
                    break
            if len(examples) == EXAMPLES + 1:  # one more, for the section that is an example itself
                break
        return examples

    # ------------------------------------------------------------------ points
    def _text(self, section: dict[str, Any]) -> str:
        return cut_text(str(section.get("text") or section.get("excerpt") or ""), self.max_section_chars)

    def _passes(self, point: str, source: str) -> bool:
        return quality.check(point, source=source, index=self.index, language=self.language).passed

    def section_points(self, section: dict[str, Any]) -> SectionResult:
        """The points of one section (none for a section without text of its own)."""
        text = self._text(section)
        if not text:
            return SectionResult([])
        if is_short(text, self.language):
            point = grounding.extracted_point(text, self.language)
            passes = bool(point) and self._passes(point, text)
            return SectionResult([Point(point, extracted=True)] if passes else [])
        phrases, central = grounding.section_brief(text, self.language)
        wanted = min(points_wanted(text, self.language), max(1, len(central)))
        result = SectionResult([])
        if self.api_style == "chat":
            drafts = self._chat_points(section["title"], text, phrases, wanted, result)
        else:
            drafts = [None] * wanted
        for i in range(wanted):
            if self.should_stop():
                break
            sentence = central[i] if i < len(central) else (central[0] if central else text)
            brief = Brief(section["title"], phrases[:4], sentence[:PROMPT_SENTENCE_CHARS])
            point = self._model_point(brief, text, result, draft=drafts[i])
            if point is None:
                fallback = grounding.extracted_point(sentence, self.language)
                if fallback and self._passes(fallback, text) and self._new(fallback, result.points):
                    result.points.append(Point(fallback, extracted=True))
            elif self._new(point, result.points):
                result.points.append(Point(point, extracted=False))
        # Nothing passed (a report number alone on a line, a table of codes, a placeholder): the
        # section's own first line that passes, so a section with text never stands bare.
        if not result.points and not self.should_stop() and (line := self._verbatim_point(text)):
            result.points.append(Point(line, extracted=True))
        return result

    def _verbatim_point(self, text: str) -> str:
        for line in text.splitlines()[:VERBATIM_LINES]:
            point = tidy(line, language=self.language, cut_off=False)
            if point and self._passes(point, text):
                return point
        return ""

    def _new(self, point: str, points: list[Point]) -> bool:
        """Not a repeat of a point already in the section (the section as a whole must not loop)."""
        if any(point == p.text for p in points):
            return False
        return quality.gate_loop("\n".join([*(p.text for p in points), point]))

    def _model_point(
        self, brief: Brief, source: str, result: SectionResult, *, draft: str | None
    ) -> str | None:
        """The model's point, if it (or its one retry) passes every gate; else None."""
        tries = [self.first, self.retry]
        for attempt, sampling in enumerate(tries):
            if self.should_stop():
                return None
            use_draft = attempt == 0 and draft is not None
            try:
                text = draft if use_draft else self._generate(brief, sampling, result)
            except LLMError as error:
                if error.code != "context_too_long":
                    raise
                # Too long for this model's context (a small one): the section gets its
                # extracted point instead of the whole outline failing; a retry would not fit.
                result.failed["context"] = result.failed.get("context", 0) + 1
                return None
            if text and substantial(text):
                report = quality.check(text, source=source, index=self.index, language=self.language)
                if report.passed:
                    return text
                if lead := self._lead_sentence(text, source):
                    return lead
                for gate in report.failed:
                    result.failed[gate] = result.failed.get(gate, 0) + 1
            else:
                result.failed["substance"] = result.failed.get("substance", 0) + 1
            if attempt == 0:
                result.retries += 1
        return None

    def _lead_sentence(self, text: str, source: str) -> str:
        """An answer's first sentence, when the answer fails as a whole but that sentence passes: a
        small model often says the point, then rambles on (too long, or off the text)."""
        sentences = grounding.split_sentences(text, self.language)
        if len(sentences) < 2 or not substantial(sentences[0]):
            return ""
        return sentences[0] if self._passes(sentences[0], source) else ""

    def _generate(self, brief: Brief, sampling: Sampling, result: SectionResult) -> str:
        prompt = point_prompt(
            brief=brief,
            examples=self.examples(besides=brief.title) if self.api_style == "completions" else [],
            language=self.language,
            max_tokens=self.max_tokens,
            temperature=sampling.temperature,
            frequency_penalty=sampling.frequency_penalty,
            presence_penalty=sampling.presence_penalty,
            extra=sampling.extra,
        )
        raw, cut_off = self._stream(prompt, result)
        return tidy(raw, language=self.language, cut_off=cut_off)

    def _stream(self, prompt: Prompt, result: SectionResult) -> tuple[str, bool]:
        """The model's text, cut the moment it starts to loop; (text, cut off)."""
        usage = StreamUsage()
        watch = quality.LoopWatch()
        parts: list[str] = []
        looped = False
        try:
            with self.provider.stream(prompt, should_stop=self.should_stop, usage=usage) as deltas:
                for delta in deltas:
                    parts.append(delta)
                    if watch.feed(delta):
                        looped = True
                        break  # leaving the block closes the stream: the server stops at once
        finally:
            result.tokens += usage.tokens
        text = "".join(parts)
        if looped and watch.loop_at is not None:
            text = text[: watch.loop_at]
        return text, looped or usage.finish_reason == "length"

    def _chat_points(
        self, title: str, text: str, phrases: list[str], wanted: int, result: SectionResult
    ) -> list[str | None]:
        """A chat model's points for the whole section in one request (None where it gave fewer)."""
        prompt = section_prompt(
            title=title, text=text, phrases=phrases[:5], points=wanted, language=self.language,
            max_tokens=self.max_tokens * wanted, temperature=self.first.temperature,
            frequency_penalty=self.first.frequency_penalty, presence_penalty=self.first.presence_penalty,
        )  # fmt: skip
        try:
            raw, cut_off = self._stream(prompt, result)
        except LLMError as error:
            if error.code != "context_too_long":
                raise
            # The whole section does not fit this model's context: ask point by point (a
            # point's prompt quotes one sentence), as for a completions model.
            result.failed["context"] = result.failed.get("context", 0) + 1
            return [None] * wanted
        lines = [line for line in raw.splitlines() if line.strip()]
        points: list[str | None] = []
        for number, line in enumerate(lines[:wanted]):
            last = number == len(lines) - 1
            points.append(tidy(line, language=self.language, cut_off=cut_off and last) or None)
        return points + [None] * (wanted - len(points))
