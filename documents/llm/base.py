"""What every model provider shares: the request, the error, the configuration, the base class."""

from __future__ import annotations

import abc
import contextlib
import functools
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ApiStyle = Literal["completions", "chat"]
LLMErrorCode = Literal[
    "provider_unreachable",
    "provider_error",
    "rate_limited",
    "context_too_long",
    "content_filtered",
    "timeout_first_token",
    "timeout_between_tokens",
]

MESSAGES: dict[str, str] = {
    "provider_unreachable": "The AI service could not be reached. Please try again.",
    "provider_error": "The AI service returned an error.",
    "rate_limited": "The AI service is busy right now. Please try again in a moment.",
    "context_too_long": "This document is too long for the AI model.",
    "content_filtered": "The AI service declined to process this content.",
    "timeout_first_token": "The AI service took too long to start answering.",
    "timeout_between_tokens": "The AI service stopped responding in the middle of the answer.",
}


@dataclass(frozen=True)
class Prompt:
    """One generation request in both shapes; the provider sends the one its api_style needs."""

    text: str  # completions style: the full few-shot prompt
    messages: list[dict[str, str]]  # chat style: [{"role": "system" | "user" | "assistant", "content": ...}]
    max_tokens: int
    stop: list[str] | None = None
    temperature: float = 0.2
    # Sampling against loops: the OpenAI API's own penalties, sent to every backend...
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    # ...and a backend's own sampling fields (llama.cpp's repeat_penalty, DRY), sent as they are:
    # only for a backend that knows them (LLM_SAMPLING_EXTRA), since OpenAI refuses unknown fields.
    extra: dict[str, Any] = field(default_factory=dict)


class LLMError(Exception):
    """The only exception a provider raises; `message` is safe to show to the user."""

    def __init__(
        self,
        code: LLMErrorCode,
        message: str | None = None,
        *,
        retryable: bool = False,
        started: bool = False,
    ) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        self.retryable = retryable
        # True when some text was already yielded, so the caller holds a partial answer.
        self.started = started
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __reduce__(self) -> tuple[Callable[..., LLMError], tuple[str, str]]:
        # Celery and multiprocessing pickle exceptions; keep every field across the trip.
        return (
            functools.partial(type(self), retryable=self.retryable, started=self.started),
            (self.code, self.message),
        )


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    api_key: str
    model: str
    api_style: ApiStyle
    connect_timeout: float
    first_token_timeout: float
    token_timeout: float
    max_retries: int
    retry_backoff: float
    provider: str = "openai"
    stream_usage: bool = True  # ask for token usage in the stream (stream_options.include_usage)

    def __post_init__(self) -> None:
        if self.api_style not in ("completions", "chat"):
            raise ImproperlyConfigured(
                f"LLM_API_STYLE must be 'completions' or 'chat', not {self.api_style!r}"
            )

    @classmethod
    def from_settings(cls) -> LLMConfig:
        return cls(
            base_url=settings.LLM_BASE_URL,
            api_key=settings.LLM_API_KEY,
            model=settings.LLM_MODEL,
            api_style=settings.LLM_API_STYLE,
            connect_timeout=settings.LLM_CONNECT_TIMEOUT,
            first_token_timeout=settings.LLM_FIRST_TOKEN_TIMEOUT,
            token_timeout=settings.LLM_TOKEN_TIMEOUT,
            max_retries=settings.LLM_MAX_RETRIES,
            retry_backoff=settings.LLM_RETRY_BACKOFF,
            provider=settings.LLM_PROVIDER,
            stream_usage=settings.LLM_STREAM_USAGE,
        )


@dataclass
class StreamUsage:
    """Filled in while a stream runs: the provider's reported token count when it gives one,
    and the number of deltas (one per token on llama.cpp) as the fallback."""

    completion_tokens: int | None = None
    deltas: int = 0
    # Why the model stopped: "stop" (a stop sequence or its end) or "length" (max_tokens: the text
    # was cut off); None until the stream says.
    finish_reason: str | None = None

    @property
    def tokens(self) -> int:
        return self.completion_tokens if self.completion_tokens is not None else self.deltas


def _never() -> bool:
    return False


class Provider(abc.ABC):
    """A model backend, built as `cls(config)`. Subclasses live one per module beside this one
    and are named in the registry (documents/llm/__init__.py)."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config

    @contextlib.contextmanager
    def stream(
        self,
        prompt: Prompt,
        *,
        should_stop: Callable[[], bool] | None = None,
        usage: StreamUsage | None = None,
    ) -> Iterator[Iterator[str]]:
        """Yield non-empty text deltas; leaving the `with` block closes the stream (an HTTP
        stream: the server stops generating).

        Iteration ends quietly once should_stop() returns True; every failure is an LLMError.
        `usage`, when given, is updated as the stream goes.
        """
        deltas = self.deltas(prompt, should_stop=should_stop or _never, usage=usage or StreamUsage())
        try:
            yield deltas
        finally:
            deltas.close()  # runs the generator's finally, which closes what it opened

    @abc.abstractmethod
    def deltas(
        self, prompt: Prompt, *, should_stop: Callable[[], bool], usage: StreamUsage
    ) -> Generator[str, None, None]:
        """The provider's own part of stream(): a generator of text deltas that releases what it
        opened in its finally."""

    def probe(self) -> str:
        """Readiness: a short detail if the backend can serve now; raises CheckFailed (or any
        error) if not. /readyz and the outliner_model_up gauge ask it. A backend with nothing to
        ask (in-process, a test fake) is always ready."""
        return "no probe"
