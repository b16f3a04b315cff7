"""The provider layer against fake SDK streams: no HTTP, no model, each test well under a second."""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import httpx2
import openai
import pytest
from django.core.exceptions import ImproperlyConfigured

from documents import llm
from documents.llm import LLMConfig, LLMError, OpenAICompatibleProvider, Prompt

CONFIG = LLMConfig(
    base_url="http://127.0.0.1:9/v1",
    api_key="test",
    model="test-model",
    api_style="completions",
    # Generous, so only the tests about timeouts (which shorten them) ever wait for one.
    connect_timeout=2,
    first_token_timeout=2,
    token_timeout=2,
    max_retries=2,
    retry_backoff=0.001,
)
PROMPT = Prompt(
    text="Outline:\n1. 引言\n2.",
    messages=[{"role": "user", "content": "Outline this: 引言"}],
    max_tokens=16,
    stop=["\n"],
)
BLOCK = object()  # in a FakeStream: stall, like a server that sent headers and then nothing
REQUEST = httpx2.Request("POST", "http://127.0.0.1:9/v1/completions")


def text_chunk(text: str | None, finish_reason: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(choices=[SimpleNamespace(text=text, finish_reason=finish_reason)])


def chat_chunk(content: str | None, finish_reason: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        choices=[SimpleNamespace(delta=SimpleNamespace(content=content), finish_reason=finish_reason)]
    )


class FakeStream:
    """Stands in for openai.Stream: iterates chunks, raises exceptions in the list, records close()."""

    def __init__(self, *items: Any) -> None:
        self.items = items
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            if item is BLOCK:
                self.closed.wait(timeout=5)
                raise openai.APIConnectionError(request=REQUEST)  # what a real closed stream raises
            if isinstance(item, BaseException):
                raise item
            if self.closed.is_set():
                return
            yield item

    def close(self) -> None:
        self.closed.set()


class FakeCreate:
    """Replaces `create`: each call raises or returns the next outcome, and records its kwargs."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def status_error(
    cls: type[openai.APIStatusError], status: int, message: str = "error"
) -> openai.APIStatusError:
    response = httpx2.Response(status, request=REQUEST)
    return cls(message, response=response, body={"message": message})


def make_provider(
    monkeypatch: pytest.MonkeyPatch, *outcomes: Any, **config: Any
) -> tuple[OpenAICompatibleProvider, FakeCreate]:
    """A real provider and client whose `create` returns the outcomes; config overrides CONFIG."""
    provider = OpenAICompatibleProvider(replace(CONFIG, **config))
    create = FakeCreate(*outcomes)
    chat = provider.config.api_style == "chat"
    resource = provider.client.chat.completions if chat else provider.client.completions
    monkeypatch.setattr(resource, "create", create)
    return provider, create


def collect(
    provider: OpenAICompatibleProvider, should_stop: Callable[[], bool] | None = None
) -> tuple[list[str], LLMError | None]:
    received: list[str] = []
    try:
        with provider.stream(PROMPT, should_stop=should_stop) as deltas:
            received.extend(deltas)
    except LLMError as exc:
        return received, exc
    return received, None


def test_completions_style_yields_deltas_and_skips_empty_ones(monkeypatch):
    stream = FakeStream(text_chunk("第一章"), text_chunk(""), text_chunk(None), text_chunk(" Intro", "stop"))
    provider, create = make_provider(monkeypatch, stream)

    received, error = collect(provider)

    assert (received, error) == (["第一章", " Intro"], None)
    assert create.calls == [
        {"model": "test-model", "prompt": PROMPT.text, "max_tokens": 16, "temperature": 0.2, "stop": ["\n"],
         "stream": True, "stream_options": {"include_usage": True}},
    ]  # fmt: skip
    assert stream.closed.is_set()


def test_chat_style_sends_messages_and_reads_delta_content(monkeypatch):
    stream = FakeStream(
        chat_chunk(None), chat_chunk("背景"), SimpleNamespace(choices=[]), chat_chunk("与目标")
    )
    provider, create = make_provider(monkeypatch, stream, api_style="chat")

    received, error = collect(provider)

    assert (received, error) == (["背景", "与目标"], None)
    assert create.calls[0]["messages"] == PROMPT.messages
    assert "prompt" not in create.calls[0]


@pytest.mark.parametrize(
    "failure",
    [
        openai.APIConnectionError(request=REQUEST),
        openai.APITimeoutError(request=REQUEST),
        status_error(openai.RateLimitError, 429),
        status_error(openai.InternalServerError, 500),
        status_error(openai.APIStatusError, 503),
    ],
    ids=["connection", "timeout", "429", "500", "503"],
)
def test_transient_failure_before_first_token_is_retried(monkeypatch, caplog, failure):
    provider, create = make_provider(monkeypatch, failure, FakeStream(text_chunk("ok")))

    with caplog.at_level(logging.WARNING, logger="documents.llm"):
        received, error = collect(provider)

    assert (received, error) == (["ok"], None)
    assert len(create.calls) == 2
    assert "retry 1 of 2" in caplog.text


def test_gives_up_after_max_retries(monkeypatch):
    failures = [openai.APIConnectionError(request=REQUEST) for _ in range(3)]
    provider, create = make_provider(monkeypatch, *failures)

    received, error = collect(provider)

    assert error is not None
    assert (error.code, error.retryable, error.started) == ("provider_unreachable", True, False)
    assert len(create.calls) == 3  # the first try and max_retries=2 more


def test_bad_request_is_not_retried(monkeypatch):
    provider, create = make_provider(
        monkeypatch, status_error(openai.BadRequestError, 400, "bad 'temperature'")
    )

    _, error = collect(provider)

    assert error is not None
    assert (error.code, error.retryable) == ("provider_error", False)
    assert len(create.calls) == 1


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 4097 tokens, however you requested 5000 tokens",
        "the request exceeds the available context size, try increasing it",
    ],
)
def test_context_length_error_maps_to_context_too_long(monkeypatch, message):
    provider, create = make_provider(monkeypatch, status_error(openai.BadRequestError, 400, message))

    _, error = collect(provider)

    assert error is not None and error.code == "context_too_long"
    assert len(create.calls) == 1


def test_content_filter_maps_to_content_filtered(monkeypatch):
    stream = FakeStream(chat_chunk("Sure"), chat_chunk(None, "content_filter"))
    provider, _ = make_provider(monkeypatch, stream, api_style="chat")

    received, error = collect(provider)

    assert received == ["Sure"]
    assert error is not None and (error.code, error.started) == ("content_filtered", True)


def test_failure_after_first_token_is_not_retried(monkeypatch):
    stream = FakeStream(text_chunk("1. 引言"), openai.APIConnectionError(request=REQUEST))
    provider, create = make_provider(monkeypatch, stream, FakeStream(text_chunk("never")))

    received, error = collect(provider)

    assert received == ["1. 引言"]
    assert error is not None and (error.code, error.started) == ("provider_unreachable", True)
    assert len(create.calls) == 1


def test_unexpected_chunk_shape_still_raises_llm_error(monkeypatch):
    provider, _ = make_provider(monkeypatch, FakeStream(SimpleNamespace(choices=None, oops=True), object()))

    _, error = collect(provider)

    assert error is not None and error.code == "provider_error"


def test_stall_before_first_token_times_out_and_closes_the_stream(monkeypatch):
    stream = FakeStream(BLOCK)
    provider, create = make_provider(monkeypatch, stream, first_token_timeout=0.2)

    received, error = collect(provider)

    assert received == []
    assert error is not None and (error.code, error.started) == ("timeout_first_token", False)
    assert stream.closed.is_set()
    assert len(create.calls) == 1  # a stalled server is not asked again


def test_stall_between_tokens_times_out_and_closes_the_stream(monkeypatch):
    stream = FakeStream(text_chunk("1."), BLOCK)
    provider, _ = make_provider(monkeypatch, stream, token_timeout=0.2)

    received, error = collect(provider)

    assert received == ["1."]
    assert error is not None and (error.code, error.started) == ("timeout_between_tokens", True)
    assert stream.closed.is_set()


def test_should_stop_ends_iteration_cleanly_and_closes_the_stream(monkeypatch):
    stream = FakeStream(text_chunk("1."), BLOCK)
    # Timeouts far beyond the test: only should_stop can end this stall quickly.
    provider, _ = make_provider(monkeypatch, stream, first_token_timeout=10, token_timeout=10)
    cancelled = threading.Event()

    received: list[str] = []
    with provider.stream(PROMPT, should_stop=cancelled.is_set) as deltas:
        for delta in deltas:
            received.append(delta)
            cancelled.set()  # as if the user pressed Cancel while the server stalls

    assert received == ["1."]
    assert stream.closed.is_set()


def test_leaving_the_with_block_early_closes_the_stream(monkeypatch):
    stream = FakeStream(*(text_chunk(f"{n}. ") for n in range(100)))
    provider, _ = make_provider(monkeypatch, stream)

    with provider.stream(PROMPT) as deltas:
        assert next(deltas) == "0. "

    assert stream.closed.wait(timeout=1)


def test_an_error_in_the_with_block_closes_the_stream(monkeypatch):
    stream = FakeStream(text_chunk("1."), BLOCK)
    provider, _ = make_provider(monkeypatch, stream)

    with pytest.raises(ZeroDivisionError), provider.stream(PROMPT) as deltas:
        next(deltas)
        1 / 0  # noqa: B018

    assert stream.closed.is_set()


def test_llm_error_keeps_its_fields_through_pickle():
    error = LLMError("rate_limited", retryable=True, started=True)

    copy = pickle.loads(pickle.dumps(error))

    assert (copy.code, copy.message, copy.retryable, copy.started) == (
        "rate_limited", error.message, True, True,
    )  # fmt: skip


def test_config_from_settings(settings):
    settings.LLM_PROVIDER = "openai"
    settings.LLM_API_STYLE = "chat"
    settings.LLM_MAX_RETRIES = 5

    config = LLMConfig.from_settings()

    assert (config.provider, config.api_style, config.max_retries) == ("openai", "chat", 5)
    assert config.base_url == settings.LLM_BASE_URL


def test_unknown_api_style_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="LLM_API_STYLE"):
        replace(CONFIG, api_style="responses")


def test_get_provider_picks_the_registered_class_by_config(monkeypatch):
    monkeypatch.setattr(llm, "_PROVIDERS", dict(llm._PROVIDERS))

    @llm.register_provider("echo")
    class EchoProvider:
        def __init__(self, config: LLMConfig) -> None:
            self.config = config

        @contextmanager
        def stream(
            self, prompt: Prompt, *, should_stop: Callable[[], bool] | None = None
        ) -> Iterator[Iterator[str]]:
            yield iter([prompt.text])

    echo = llm.get_provider(replace(CONFIG, provider="echo"))
    default = llm.get_provider(CONFIG)

    assert isinstance(echo, EchoProvider) and echo.config.provider == "echo"
    assert isinstance(default, OpenAICompatibleProvider)
    stream: AbstractContextManager[Iterator[str]] = echo.stream(PROMPT)
    with stream as deltas:
        assert list(deltas) == [PROMPT.text]


def test_get_provider_rejects_an_unknown_name():
    with pytest.raises(ImproperlyConfigured, match="LLM_PROVIDER 'nope'"):
        llm.get_provider(replace(CONFIG, provider="nope"))


def test_providers_of_one_configuration_share_the_sdk_client():
    # A task builds a provider; building the SDK client each time cost every task tens of ms.
    first, second = OpenAICompatibleProvider(CONFIG), OpenAICompatibleProvider(replace(CONFIG))
    elsewhere = OpenAICompatibleProvider(replace(CONFIG, base_url="http://127.0.0.2:9/v1"))

    assert first.client is second.client
    assert elsewhere.client is not first.client
    assert str(elsewhere.client.base_url) == "http://127.0.0.2:9/v1/"
    assert first.client.max_retries == 0  # retries are ours (_generate), not the SDK's
