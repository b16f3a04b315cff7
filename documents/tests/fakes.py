"""A fake LLM provider for unit tests (and benchmarks that need exact timing)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from documents.llm import LLMError, Prompt, StreamUsage


class FakeProvider:
    """Streams scripted deltas per call. `script` maps a call index to a list of deltas or an
    LLMError to raise (after any deltas listed before it)."""

    def __init__(self, replies: list[list[str | LLMError]] | None = None, *, delay: float = 0.0) -> None:
        self.replies = replies
        self.delay = delay
        self.prompts: list[Prompt] = []
        self.closed = 0

    @contextmanager
    def stream(
        self,
        prompt: Prompt,
        *,
        should_stop: Callable[[], bool] | None = None,
        usage: StreamUsage | None = None,
    ) -> Iterator[Iterator[str]]:
        index = len(self.prompts)
        self.prompts.append(prompt)
        reply = self.replies[index % len(self.replies)] if self.replies else [" Summary of", " the section."]

        def deltas() -> Iterator[str]:
            for item in reply:
                if should_stop and should_stop():
                    return
                if isinstance(item, LLMError):
                    raise item
                if self.delay:
                    time.sleep(self.delay)
                if usage is not None:
                    usage.deltas += 1
                yield item

        try:
            yield deltas()
        finally:
            self.closed += 1
