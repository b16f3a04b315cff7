"""DocxOutlineAnalyzerStep: a stored document structure in, a streamed Markdown outline out.

The headings come from the document's own tree; the model writes 1-3 bullet points under each
section, in the document's language, each held to a reader's gates before it is streamed.
Output leaves as coalesced chunks (never empty), a progress event per section, and exactly one
terminal event (``done`` or ``error``).
Sequence numbers are assigned by the stream writer, so chunk, progress and status events
share one contiguous numbering.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from documents.llm import LLMError, Provider
from documents.outline_markdown import heading
from documents.outline_points import PointWriter, Sampling, SectionResult

logger = logging.getLogger(__name__)

# How often the streaming thread asks should_stop() while a section is being prepared.
STOP_POLL_SECONDS = 0.1


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


# --------------------------------------------------------------------------- step
class DocxOutlineAnalyzerStep:
    """The document's title, then its heading tree with the levels kept, and under each section
    with text of its own 1-3 bullet points (documents/outline_points.py).

    Sections are prepared ahead, `parallel` at a time (the model server's parallel slots), and
    streamed in document order: a section's heading goes out when the stream reaches it, its
    points as soon as they have passed the gates.
    """

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
        api_style: str = "completions",
        parallel: int = 1,
        first: Sampling | None = None,
        retry: Sampling | None = None,
    ) -> None:
        self.sections: list[dict[str, Any]] = structure.get("sections", [])
        self.language: str | None = structure.get("language")
        self.title = title
        self.should_stop = should_stop or (lambda: False)
        self.coalescer = ChunkCoalescer(min_chars=chunk_chars, max_delay_ms=chunk_ms, clock=clock)
        self.tokens = 0  # model tokens generated (provider-reported when available)
        self.parallel = max(1, parallel)
        # Threads preparing sections stop on this event, which the streaming thread sets when
        # should_stop() says so: should_stop may use this thread's Redis and database connections.
        self._stopped = threading.Event()
        self.writer = PointWriter(
            sections=self.sections,
            language=self.language,
            provider=provider,
            api_style=api_style,
            max_tokens=max_tokens,
            first=first or Sampling(temperature=0.0, frequency_penalty=0.5, presence_penalty=0.0),
            retry=retry or Sampling(temperature=0.2, frequency_penalty=0.5, presence_penalty=0.0),
            should_stop=self._stopped.is_set,
            max_section_chars=max_section_chars,
        )
        # Per section index: its points, or None where it has none yet (for the quality report).
        self.results: dict[int, SectionResult] = {}
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

    def _stopping(self) -> bool:
        if self.should_stop():
            self._stopped.set()
        return self._stopped.is_set()

    def _run(self, start_section: int) -> Iterator[StepEvent]:
        total = len(self.sections)
        if start_section == 0 and self.headings:
            yield from self._chunk(heading(0, self.title))
        indexes = list(range(start_section, total))
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="outline-points")
        pending: dict[int, Future[SectionResult]] = {}
        try:
            for position, index in enumerate(indexes):
                # Keep `parallel` sections in preparation ahead of the one being streamed.
                for ahead in indexes[position : position + self.parallel]:
                    if ahead not in pending:
                        pending[ahead] = pool.submit(self.writer.section_points, self.sections[ahead])
                if self._stopping():
                    break
                section = self.sections[index]
                yield from self._flush()  # a progress event never overtakes text before it
                yield StepEvent("progress", {"done": index, "total": total, "section": section["title"]})
                if self.headings:
                    yield from self._chunk(heading(int(section.get("level", 1)), section["title"]))
                # The heading goes out now: the reader sees where the outline is while its points
                # are written (the coalescer would hold it until the points came).
                yield from self._flush()
                result = self._wait(pending.pop(index))
                if result is None:
                    break
                self.results[index] = result
                self.tokens += result.tokens
                if result.points:
                    yield from self._chunk("".join(point.markdown() for point in result.points) + "\n")
        finally:
            if pending:
                self._stopped.set()  # an error or a cancel: what is still running stops
            pool.shutdown(wait=True, cancel_futures=True)  # what has not started never will
        yield from self._flush()
        if self._stopping():
            yield StepEvent("done", {"status": "cancelled"})
            return
        yield StepEvent("progress", {"done": total, "total": total, "section": ""})
        yield StepEvent("done", {"status": "succeeded"})

    def _wait(self, future: Future[SectionResult]) -> SectionResult | None:
        """The section's result, asking should_stop() while it is prepared (None once stopped)."""
        while True:
            try:
                result = future.result(timeout=STOP_POLL_SECONDS)
            except FutureTimeout:
                if self._stopping():
                    return None
                continue
            if self._stopping():
                return None
            return result
