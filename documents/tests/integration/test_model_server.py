"""The real provider against the real bundled model server (`manage.py runmodel`), over real HTTP."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from dataclasses import replace

import pytest

from documents.llm import LLMConfig, LLMError, Prompt, get_provider
from documents.management.commands.runmodel import model_path
from project.localredis import free_port

# `model_server` (conftest.py, once per run) is `manage.py runmodel` started by tests/modelserver.py.
pytestmark = [pytest.mark.integration, pytest.mark.no_database]

# The bundled model is a base model: it continues text, so prompts are few-shot and one line each.
SUMMARY_PROMPT = Prompt(
    text=(
        "Section: Water cycle\nSummary: Water evaporates, condenses into clouds and falls back as rain.\n\n"
        "Section: Photosynthesis\nSummary: Plants turn light, water and carbon dioxide into sugar.\n\n"
        "Section: Volcanoes\nSummary:"
    ),
    messages=[],
    max_tokens=48,
    stop=["\n"],
    temperature=0.0,
)
CHINESE_PROMPT = Prompt(
    text=(
        "章节：水循环\n摘要：水蒸发后凝结成云，再以雨的形式落回地面。\n\n"
        "章节：光合作用\n摘要：植物利用光、水和二氧化碳制造糖和氧气。\n\n"
        "章节：火山\n摘要："
    ),
    messages=[],
    max_tokens=48,
    stop=["\n"],
    temperature=0.0,
)
# No stop string: it would run for many seconds unless the stream is closed. The odd max_tokens
# tells its server slot apart from other tests' requests on the shared server.
LONG_MAX_TOKENS = 997
LONG_PROMPT = Prompt(text="Once upon a time", messages=[], max_tokens=LONG_MAX_TOKENS, temperature=0.0)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def config(model_server: str) -> LLMConfig:
    return LLMConfig(
        base_url=model_server,
        api_key="not-needed",
        model="gemma3-270m",
        api_style="completions",
        connect_timeout=5,
        first_token_timeout=30,
        token_timeout=10,
        max_retries=0,
        retry_backoff=0.1,
    )


def long_generations(base_url: str) -> int:
    """How many server slots are generating a LONG_PROMPT now (llama.cpp's /slots endpoint)."""
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/slots", timeout=2) as response:
        slots = json.load(response)
    return sum(s["is_processing"] and s.get("params", {}).get("n_predict") == LONG_MAX_TOKENS for s in slots)


def wait_until_stopped(base_url: str, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while long_generations(base_url):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_completions_prompt_streams_several_deltas(config):
    with get_provider(config).stream(SUMMARY_PROMPT) as deltas:
        received = list(deltas)

    assert len(received) >= 2
    assert all(received)
    assert "".join(received).strip()
    assert "\n" not in "".join(received)  # the stop string ends the line


def test_chinese_prompt_returns_chinese_text(config):
    with get_provider(config).stream(CHINESE_PROMPT) as deltas:
        text = "".join(deltas)

    assert CJK.search(text), text


def test_leaving_the_with_block_early_stops_generation(config, model_server):
    provider = get_provider(config)
    with provider.stream(LONG_PROMPT) as deltas:
        assert next(deltas)
        assert long_generations(model_server) == 1  # so the check below means something

    assert wait_until_stopped(model_server), "the server kept generating after the stream was closed"
    with provider.stream(SUMMARY_PROMPT) as deltas:
        assert "".join(deltas).strip()


def test_should_stop_ends_the_stream_and_frees_the_server(config, model_server):
    cancelled = threading.Event()
    received: list[str] = []

    with get_provider(config).stream(LONG_PROMPT, should_stop=cancelled.is_set) as deltas:
        for delta in deltas:
            received.append(delta)
            cancelled.set()

    assert 1 <= len(received) < 100  # far fewer than the tokens it was asked for
    assert wait_until_stopped(model_server)


def test_first_token_timeout_raises_and_frees_the_server(config, model_server):
    provider = get_provider(replace(config, first_token_timeout=0.001))

    with pytest.raises(LLMError) as caught, provider.stream(LONG_PROMPT) as deltas:
        list(deltas)

    assert (caught.value.code, caught.value.started) == ("timeout_first_token", False)
    assert wait_until_stopped(model_server)


def test_unreachable_server_raises_provider_unreachable(config):
    provider = get_provider(replace(config, base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=1))

    with pytest.raises(LLMError) as caught, provider.stream(SUMMARY_PROMPT) as deltas:
        list(deltas)

    assert (caught.value.code, caught.value.retryable) == ("provider_unreachable", True)


def test_model_file_is_cached_for_the_next_start(model_server):
    path = model_path()

    assert path.is_file() and path.stat().st_size > 100_000_000
