"""DocxOutlineAnalyzerStep: a stored document structure in, a streamed Markdown outline out.

The headings come from the document's own tree; the model only writes a one-sentence summary
under each section, in the document's language. Output leaves as coalesced chunks (never
empty), a progress event per section, and exactly one terminal event (``done`` or ``error``).
Sequence numbers are assigned by the stream writer, so chunk, progress and status events
share one contiguous numbering.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from documents.llm import LLMError, Prompt, Provider, StreamUsage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepEvent:
    type: str  # chunk | progress | done | error
    data: dict[str, Any] = field(default_factory=dict)


class ChunkCoalescer:
    """Groups model tokens into chunks: flush at >= ``min_chars`` characters, or once
    ``max_delay_ms`` have passed since the first unflushed token. Never returns empty text."""

    def __init__(
        self, *, min_chars: int, max_delay_ms: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.min_chars = min_chars
        self.max_delay = max_delay_ms / 1000
        self.clock = clock
        self._buffer: list[str] = []
        self._size = 0
        self._first_at: float | None = None

    def feed(self, text: str) -> str | None:
        if not text:
            return None
        if self._first_at is None:
            self._first_at = self.clock()
        self._buffer.append(text)
        self._size += len(text)
        if self._size >= self.min_chars or self.clock() - self._first_at >= self.max_delay:
            return self.flush()
        return None

    def flush(self) -> str | None:
        if not self._size:
            return None
        text = "".join(self._buffer)
        self._buffer, self._size, self._first_at = [], 0, None
        return text


# ------------------------------------------------------------------------ prompts
# A base model follows a pattern far better than an instruction: a few solved examples,
# then the open one. Chat-style endpoints get a plain instruction instead.
_FEW_SHOT = {
    "zh": (
        "用一句话概括每一节的内容。\n\n"
        "章节：项目背景\n正文：公司自2023年起在华东地区开设了五家门店，但线上销售占比不足百分之十，"
        "管理层希望通过新的电商平台提升线上收入。\n"
        "摘要：公司希望借助新的电商平台提高目前偏低的线上销售占比。\n\n"
        "章节：测试计划\n正文：系统上线前需完成功能测试、性能测试和安全测试，其中性能测试要求在一千名并发用户下"
        "页面响应时间低于两秒。\n"
        "摘要：上线前需完成功能、性能和安全测试，并保证千人并发下响应低于两秒。\n\n"
        "章节：{title}\n正文：{text}\n摘要："
    ),
    "en": (
        "Summarize each section in one sentence.\n\n"
        "Section: Background\nText: Since 2023 the company has opened five stores in the east region, "
        "but online sales are still below ten percent, so management wants a new e-commerce platform.\n"
        "Summary: The company wants a new e-commerce platform to grow its small share of online sales.\n\n"
        "Section: Test plan\nText: Before launch the system needs functional, performance and security "
        "tests; pages must respond within two seconds with one thousand concurrent users.\n"
        "Summary: Functional, performance and security tests must pass, with pages under two seconds at "
        "1,000 users.\n\n"
        "Section: {title}\nText: {text}\nSummary:"
    ),
}
_LANGUAGE_NAMES = {"zh": "Simplified Chinese", "en": "English", "ko": "Korean", "ja": "Japanese"}


def _prompt_language(language: str | None) -> str:
    return "zh" if language in {"zh", "ja"} else "en"


def cut_text(text: str, limit: int) -> str:
    """Fit a section's text into the context: whole sentences when possible, else a hard cut."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    boundary = max(head.rfind(mark) for mark in ("。", "！", "？", ". ", "! ", "? ", "；", "; "))
    return (head[: boundary + 1] if boundary > limit // 2 else head).rstrip() + "…"


def summary_prompt(*, title: str, text: str, language: str | None, max_tokens: int) -> Prompt:
    lang = _prompt_language(language)
    name = _LANGUAGE_NAMES.get(language or "", "the same language as the text")
    return Prompt(
        text=_FEW_SHOT[lang].format(title=title, text=text),
        messages=[
            {
                "role": "system",
                "content": "You summarize one section of a document in a single sentence, "
                f"written in {name}. Reply with the sentence only.",
            },
            {"role": "user", "content": f"Section: {title}\nText: {text}"},
        ],
        max_tokens=max_tokens,
        stop=["\n"],
    )


# --------------------------------------------------------------------------- step
class DocxOutlineAnalyzerStep:
    def __init__(
        self,
        *,
        structure: dict[str, Any],
        title: str,
        provider: Provider,
        max_section_chars: int,
        chunk_chars: int,
        chunk_ms: int,
        max_tokens: int,
        should_stop: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        headings: bool = True,
    ) -> None:
        self.sections: list[dict[str, Any]] = structure.get("sections", [])
        self.language: str | None = structure.get("language")
        self.title = title
        self.provider = provider
        self.max_section_chars = max_section_chars
        self.max_tokens = max_tokens
        self.should_stop = should_stop or (lambda: False)
        self.coalescer = ChunkCoalescer(min_chars=chunk_chars, max_delay_ms=chunk_ms, clock=clock)
        self.tokens = 0  # model tokens generated (provider-reported when available)
        # False when regenerating one section: only its new text is streamed.
        self.headings = headings

    def _chunk(self, text: str) -> Iterator[StepEvent]:
        out = self.coalescer.feed(text)
        if out:
            yield StepEvent("chunk", {"text": out})

    def _flush(self) -> Iterator[StepEvent]:
        out = self.coalescer.flush()
        if out:
            yield StepEvent("chunk", {"text": out})

    def run(self, start_section: int = 0) -> Iterator[StepEvent]:
        """Stream the outline from section `start_section` on (Continue passes the first section
        it must regenerate; the kept text before it, title included, is the caller's)."""
        try:
            yield from self._run(start_section)
        except LLMError as exc:
            logger.warning("outline step stopped by the model provider: %s", exc.code, exc_info=True)
            yield from self._flush()
            yield StepEvent("error", {"code": exc.code})
        except Exception:
            logger.exception("outline step failed")
            yield from self._flush()
            yield StepEvent("error", {"code": "internal"})

    def _run(self, start_section: int) -> Iterator[StepEvent]:
        total = len(self.sections)
        if start_section == 0 and self.headings:
            yield from self._chunk(f"# {self.title}\n\n")
        for index, section in enumerate(self.sections):
            if index < start_section:
                continue
            if self.should_stop():
                break
            yield from self._flush()  # a progress event never overtakes text before it
            yield StepEvent("progress", {"done": index, "total": total, "section": section["title"]})
            if self.headings:
                level = min(int(section.get("level", 1)) + 1, 6)
                yield from self._chunk(f"{'#' * level} {section['title']}\n\n")
            text = cut_text(section.get("text") or section.get("excerpt") or "", self.max_section_chars)
            if text:
                yield from self._summary(section["title"], text)
        yield from self._flush()
        if self.should_stop():
            yield StepEvent("done", {"status": "cancelled"})
            return
        yield StepEvent("progress", {"done": total, "total": total, "section": ""})
        yield StepEvent("done", {"status": "succeeded"})

    def _summary(self, title: str, text: str) -> Iterator[StepEvent]:
        prompt = summary_prompt(title=title, text=text, language=self.language, max_tokens=self.max_tokens)
        usage = StreamUsage()
        try:
            yield from self._deltas(prompt, usage)
        finally:
            self.tokens += usage.tokens

    def _deltas(self, prompt: Prompt, usage: StreamUsage) -> Iterator[StepEvent]:
        wrote = False
        with self.provider.stream(prompt, should_stop=self.should_stop, usage=usage) as deltas:
            for delta in deltas:
                if not wrote:
                    delta = delta.lstrip()  # the model starts after "Summary:" with a space
                    if not delta:
                        continue
                    wrote = True
                yield from self._chunk(delta.replace("\n", " "))
        if wrote:
            yield from self._chunk("\n\n")
