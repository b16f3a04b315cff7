"""The provider layer: stream text from any OpenAI-compatible endpoint, or the bundled model.

Callers see one shape whatever the backend: `get_provider().stream(prompt)` is a context manager
that yields text deltas, and every failure is an `LLMError` with a stable `code`. A new backend is
one class registered with `@register_provider("name")` and picked by `LLM_PROVIDER`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import random
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

import httpx2
import openai
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

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

# How often a wait wakes to ask should_stop(), so a cancel takes effect within about this long.
STOP_POLL_SECONDS = 0.1
# Never sleep longer than this for a server's Retry-After: the caller is a user waiting on a page.
MAX_RETRY_AFTER_SECONDS = 20.0

_MESSAGES: dict[str, str] = {
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
        self.message = message or _MESSAGES[code]
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

    @property
    def tokens(self) -> int:
        return self.completion_tokens if self.completion_tokens is not None else self.deltas


class Provider(Protocol):
    def stream(
        self,
        prompt: Prompt,
        *,
        should_stop: Callable[[], bool] | None = None,
        usage: StreamUsage | None = None,
    ) -> AbstractContextManager[Iterator[str]]:
        """Yield non-empty text deltas; leaving the `with` block closes the HTTP stream.

        Iteration ends quietly once should_stop() returns True; every failure is an LLMError.
        `usage`, when given, is updated as the stream goes.
        """
        ...


ProviderT = TypeVar("ProviderT", bound=type)
_PROVIDERS: dict[str, type] = {}


def register_provider(name: str) -> Callable[[ProviderT], ProviderT]:
    """Class decorator: make a provider available as LLM_PROVIDER=name.

    The class is built as `cls(config)` with the LLMConfig, and must implement `Provider`.
    """

    def decorator(cls: ProviderT) -> ProviderT:
        _PROVIDERS[name] = cls
        return cls

    return decorator


def get_provider(config: LLMConfig | None = None) -> Provider:
    config = config or LLMConfig.from_settings()
    try:
        provider_class = _PROVIDERS[config.provider]
    except KeyError:
        known = ", ".join(sorted(_PROVIDERS))
        raise ImproperlyConfigured(f"Unknown LLM_PROVIDER {config.provider!r}; known: {known}") from None
    return provider_class(config)


def _never() -> bool:
    return False


class _Reader:
    """One request, opened and read in a daemon thread that puts ("chunk"|"error"|"end", x) on a queue.

    The SDK only offers a blocking iterator whose read timeout restarts on every byte, so a server
    that sends headers and then stalls (or trickles keep-alives) would hold a caller for ever.
    Reading here lets the caller wait on the queue with its own deadlines and stop checks.
    """

    def __init__(self, open_stream: Callable[[], Any]) -> None:
        self.queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._open_stream = open_stream
        self._lock = threading.Lock()
        self._stream: Any = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="llm-stream-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            stream = self._open_stream()
            with self._lock:
                self._stream = stream
                closed = self._closed
            if closed:  # the caller gave up while the request was being sent
                _close_stream(stream)
                return
            for chunk in stream:
                if self._closed:
                    return
                self.queue.put(("chunk", chunk))
            self.queue.put(("end", None))
        except BaseException as exc:  # handed to the caller's thread, which maps it to an LLMError
            if not self._closed:
                self.queue.put(("error", exc))

    def close(self) -> None:
        """Close the HTTP stream so the server stops generating; the thread then ends on its own."""
        with self._lock:
            self._closed = True
            stream = self._stream
        if stream is not None:
            _close_stream(stream)


def _close_stream(stream: Any) -> None:
    # Closing the response alone does not wake a thread blocked reading the socket, so a stalled
    # server would not see the disconnect until the read timeout. Shutting the socket down does.
    response = getattr(stream, "response", None)
    if response is not None and not response.is_closed:
        network_stream = response.extensions.get("network_stream")
        sock = network_stream.get_extra_info("socket") if network_stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        stream.close()


class _Stopped(Exception):
    """should_stop() returned True while waiting."""


class _TimedOut(Exception):
    pass


class _ShouldStopFailed(Exception):
    """should_stop() itself raised: the caller's own error (say Redis), re-raised to it unmapped."""


class _Waiter:
    """Waits on a reader's queue with a deadline, asking should_stop() at most every STOP_POLL_SECONDS.

    should_stop may hit Redis or the database, so it is rate-limited rather than called per token.
    """

    def __init__(self, should_stop: Callable[[], bool]) -> None:
        self._should_stop = should_stop
        self._next_check = 0.0

    def check_stop(self) -> None:
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + STOP_POLL_SECONDS
            try:
                stop = self._should_stop()
            except Exception as exc:
                raise _ShouldStopFailed from exc
            if stop:
                raise _Stopped

    def get(self, reader: _Reader, deadline: float) -> tuple[str, Any]:
        while True:
            self.check_stop()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _TimedOut
            try:
                return reader.queue.get(timeout=min(remaining, STOP_POLL_SECONDS))
            except queue.Empty:
                continue

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self.check_stop()
            time.sleep(min(remaining, STOP_POLL_SECONDS))


def _error_text(exc: BaseException) -> str:
    parts = [str(exc)]
    body = getattr(exc, "body", None)
    if body is not None:
        parts.append(str(body))
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        parts.append(code)
    return " ".join(parts).lower()


def _map_error(exc: BaseException, *, started: bool) -> LLMError:
    """Turn any SDK (or unexpected) exception into an LLMError; `retryable` means "a new try may work"."""
    if isinstance(exc, LLMError):
        exc.started = started
        return exc
    if isinstance(exc, openai.APITimeoutError) and started:
        return LLMError("timeout_between_tokens", retryable=True, started=True)
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return LLMError("provider_unreachable", retryable=True, started=started)
    if isinstance(exc, openai.RateLimitError):
        return LLMError("rate_limited", retryable=True, started=started)
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return LLMError("provider_error", retryable=True, started=started)
    if isinstance(exc, openai.APIError):
        text = _error_text(exc)
        # OpenAI says "maximum context length"/context_length_exceeded; llama.cpp "exceeds the
        # available context size"/exceed_context_size_error.
        if any(s in text for s in ("context length", "maximum context", "context_length", "context size")):
            return LLMError("context_too_long", started=started)
        if any(
            s in text for s in ("content policy", "content_policy", "content management", "content_filter")
        ):
            return LLMError("content_filtered", started=started)
        return LLMError("provider_error", started=started)
    return LLMError("provider_error", started=started)


def _retry_delay(exc: BaseException, attempt: int, backoff: float) -> float:
    delay = backoff * 2**attempt + random.uniform(0, backoff)
    response = getattr(exc, "response", None)
    retry_after = response.headers.get("retry-after") if response is not None else None
    if retry_after:
        with contextlib.suppress(ValueError):
            delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER_SECONDS))
    return delay


@functools.lru_cache(maxsize=8)
def _sdk_client(config: LLMConfig) -> openai.OpenAI:
    """The SDK client for `config`, one per process: building one (its httpx client and SSL
    context) took 23-42 ms, which every task paid before it could ask for its first token. Sharing
    it is safe: httpx's client is thread-safe, and it keeps no connection between requests (below).
    """
    return openai.OpenAI(
        base_url=config.base_url,
        api_key=config.api_key,
        # The SDK's own retries would also retry after tokens were yielded and ignore should_stop,
        # so retries live in _generate. The read timeout is only a backstop for the reader thread:
        # the precise first-token and between-token deadlines are enforced on the queue.
        max_retries=0,
        # No keep-alive: a cancelled stream's socket is shut down, and a pooled connection could
        # by then carry another request. A fresh connection costs little next to a generation.
        http_client=openai.DefaultHttpxClient(
            limits=httpx2.Limits(max_connections=100, max_keepalive_connections=0)
        ),
        timeout=openai.Timeout(
            max(config.first_token_timeout, config.token_timeout), connect=config.connect_timeout
        ),
    )


@register_provider("openai")
class OpenAICompatibleProvider:
    """OpenAI, or any server speaking its API (llama.cpp, vLLM, Ollama, LiteLLM...)."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.client = _sdk_client(config)

    @contextlib.contextmanager
    def stream(
        self,
        prompt: Prompt,
        *,
        should_stop: Callable[[], bool] | None = None,
        usage: StreamUsage | None = None,
    ) -> Iterator[Iterator[str]]:
        deltas = self._generate(prompt, should_stop or _never, usage or StreamUsage())
        try:
            yield deltas
        finally:
            # Runs the generator's finally, which closes the live HTTP stream.
            deltas.close()

    def _open(self, prompt: Prompt) -> Any:
        common = {
            "model": self.config.model,
            "max_tokens": prompt.max_tokens,
            "temperature": prompt.temperature,
            "stream": True,
        }
        if prompt.stop:
            common["stop"] = prompt.stop
        if self.config.stream_usage:
            common["stream_options"] = {"include_usage": True}
        if self.config.api_style == "completions":
            return self.client.completions.create(prompt=prompt.text, **common)
        return self.client.chat.completions.create(messages=prompt.messages, **common)

    def _delta(self, chunk: Any) -> tuple[str, str | None]:
        """(text, finish_reason) of one streamed chunk; usage-only chunks have no choices."""
        if not chunk.choices:
            return "", None
        choice = chunk.choices[0]
        if self.config.api_style == "completions":
            text = choice.text
        else:
            text = choice.delta.content if choice.delta is not None else None
        return text or "", choice.finish_reason

    def _generate(
        self, prompt: Prompt, should_stop: Callable[[], bool], usage: StreamUsage
    ) -> Generator[str, None, None]:
        config = self.config
        waiter = _Waiter(should_stop)
        started = False
        attempt = 0
        try:
            while True:
                waiter.check_stop()
                reader = _Reader(lambda: self._open(prompt))
                failure: BaseException | None = None
                try:
                    deadline = time.monotonic() + config.first_token_timeout
                    while True:
                        try:
                            kind, payload = waiter.get(reader, deadline)
                        except _TimedOut:
                            code = "timeout_between_tokens" if started else "timeout_first_token"
                            raise LLMError(code, retryable=True, started=started) from None
                        if kind == "end":
                            return
                        if kind == "error":
                            error = _map_error(payload, started=started)
                            if started or not error.retryable or attempt >= config.max_retries:
                                raise error from payload
                            failure = payload
                            break  # retry below, once this reader is closed
                        text, finish_reason = self._delta(payload)
                        if getattr(payload, "usage", None) is not None:
                            usage.completion_tokens = payload.usage.completion_tokens
                        if finish_reason == "content_filter":
                            raise LLMError("content_filtered", started=started)
                        if text:
                            started = True
                            usage.deltas += 1
                            yield text
                            deadline = time.monotonic() + config.token_timeout
                finally:
                    reader.close()
                delay = _retry_delay(failure, attempt, config.retry_backoff)
                attempt += 1
                logger.warning(
                    "LLM request failed before the first token (%s: %s); retry %d of %d in %.2f s",
                    type(failure).__name__, failure, attempt, config.max_retries, delay,
                )  # fmt: skip
                waiter.sleep(delay)
        except _Stopped:
            return
        except _ShouldStopFailed as exc:
            raise exc.__cause__ from None
        except LLMError:
            raise
        except Exception as exc:  # a malformed chunk or a bug here: still only LLMError for callers
            raise _map_error(exc, started=started) from exc
