"""Error classes: every code has its English and Chinese message, provider codes included."""

from __future__ import annotations

import pytest

from documents.errors import ERRORS, error_message

pytestmark = pytest.mark.no_database


def test_every_error_class_has_english_and_chinese_messages():
    for error in ERRORS.values():
        assert error.en and error.zh and error.en != error.zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error.zh)


def test_every_provider_error_code_is_a_known_class():
    from typing import get_args

    from documents.llm import LLMErrorCode

    assert set(get_args(LLMErrorCode)) <= ERRORS.keys()


def test_error_message_follows_the_language():
    assert error_message("worker_lost", "zh-hans").startswith("生成此大纲")
    assert error_message("worker_lost", "en").startswith("The worker")
    assert error_message("no-such-code", "en") == ERRORS["internal"].en
