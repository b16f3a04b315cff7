"""A fake LLM provider for unit tests (and benchmarks that need exact timing)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator

from documents.llm import LLMError, Prompt, Provider, StreamUsage


def echo(prompt: Prompt) -> list[str]:
    """A grounded answer, as a model that condenses would give: the first words of the text the
    prompt quotes (its last "<label>: <text>" line), ending with a full stop."""
    lines = [line for line in prompt.messages[-1]["content"].splitlines() if line.strip()]
    quoted = next((line for line in reversed(lines) if re.search(r"[:：]\s*\S", line)), "")
    text = re.split(r"[:：]\s*", quoted, maxsplit=1)[-1].strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        kept = re.split(r"[，。；！？]", text)[0][:20]
        return [" " + kept[: len(kept) // 2], kept[len(kept) // 2 :] + "。"]
    words = re.split(r"[,;.!?]", text)[0].split()[:12]
    return [" " + " ".join(words[:3]), "".join(" " + word for word in words[3:]) + "."]


class FakeProvider(Provider):
    """Streams scripted deltas per call: `replies[i]` for call i (cycling), a list of deltas or an
    LLMError to raise (after any deltas listed before it); without replies, echo(prompt)."""

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
        reply = self.replies[index % len(self.replies)] if self.replies else echo(prompt)

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
