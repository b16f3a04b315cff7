"""A fake LLM provider for unit tests (and benchmarks that need exact timing)."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

from documents.llm import LLMError, Prompt, Provider, StreamUsage


class FakeProvider(Provider):
    """Streams scripted deltas per call. `script` maps a call index to a list of deltas or an
    LLMError to raise (after any deltas listed before it)."""

    def __init__(self, replies: list[list[str | LLMError]] | None = None, *, delay: float = 0.0) -> None:
        self.replies = replies
        self.delay = delay
        self.prompts: list[Prompt] = []
        self.closed = 0

    def deltas(
        self, prompt: Prompt, *, should_stop: Callable[[], bool], usage: StreamUsage
    ) -> Generator[str, None, None]:
        index = len(self.prompts)
        self.prompts.append(prompt)
        reply = self.replies[index % len(self.replies)] if self.replies else [" Summary of", " the section."]

        def deltas() -> Generator[str, None, None]:
            try:
                for item in reply:
                    if should_stop():
                        return
                    if isinstance(item, LLMError):
                        raise item
                    if self.delay:
                        time.sleep(self.delay)
                    usage.deltas += 1
                    yield item
            finally:
                self.closed += 1

        return deltas()  # the prompt is recorded when the stream opens, not at its first delta
