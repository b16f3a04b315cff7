"""OpenAI, or any server speaking its API (llama.cpp's server with the bundled model, vLLM,
Ollama, LiteLLM...), through the openai SDK."""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator
from typing import Any

import httpx2
import openai
from django.conf import settings

from documents.llm.base import LLMConfig, LLMError, Prompt, Provider, StreamUsage
from documents.llm.reader import Reader, ShouldStopFailed, Stopped, TimedOut, Waiter
from ops.health import CheckFailed

logger = logging.getLogger(__name__)

# Never sleep longer than this for a server's Retry-After: the caller is a user waiting on a page.
MAX_RETRY_AFTER_SECONDS = 20.0


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
        # so retries live in deltas(). The read timeout is only a backstop for the reader thread:
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


class OpenAICompatibleProvider(Provider):
    """OpenAI, or any server speaking its API (llama.cpp, vLLM, Ollama, LiteLLM...)."""

    def __init__(self, config: LLMConfig) -> None:
        super().__init__(config)
        self.client = _sdk_client(config)

    def probe(self) -> str:
        """GET <base_url>/models: any answer but a 5xx or an auth refusal means reachable."""
        request = urllib.request.Request(
            self.config.base_url.rstrip("/") + "/models",
            headers={"Authorization": f"Bearer {self.config.api_key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.READINESS_TIMEOUT_SECONDS) as response:
                return f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise CheckFailed(f"the endpoint refused the API key (HTTP {exc.code})") from None
            if exc.code >= 500:
                raise CheckFailed(f"the endpoint answered HTTP {exc.code}") from None
            return f"HTTP {exc.code}"  # e.g. 404: no /models route, but the server is there
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CheckFailed(f"unreachable ({reason})") from None

    def _open(self, prompt: Prompt) -> Any:
        common = {
            "model": self.config.model,
            "max_tokens": prompt.max_tokens,
            "temperature": prompt.temperature,
            "stream": True,
        }
        if prompt.stop:
            common["stop"] = prompt.stop
        if prompt.frequency_penalty:
            common["frequency_penalty"] = prompt.frequency_penalty
        if prompt.presence_penalty:
            common["presence_penalty"] = prompt.presence_penalty
        if prompt.extra:
            common["extra_body"] = prompt.extra
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

    def deltas(
        self, prompt: Prompt, *, should_stop: Callable[[], bool], usage: StreamUsage
    ) -> Generator[str, None, None]:
        config = self.config
        waiter = Waiter(should_stop)
        started = False
        attempt = 0
        try:
            while True:
                waiter.check_stop()
                reader = Reader(lambda: self._open(prompt))
                failure: BaseException | None = None
                try:
                    deadline = time.monotonic() + config.first_token_timeout
                    while True:
                        try:
                            kind, payload = waiter.get(reader, deadline)
                        except TimedOut:
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
                        if finish_reason:
                            usage.finish_reason = finish_reason
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
        except Stopped:
            return
        except ShouldStopFailed as exc:
            raise exc.__cause__ from None
        except LLMError:
            raise
        except Exception as exc:  # a malformed chunk or a bug here: still only LLMError for callers
            raise _map_error(exc, started=started) from exc
