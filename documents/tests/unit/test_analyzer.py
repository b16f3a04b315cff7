from __future__ import annotations

import itertools

import pytest

from documents.analyzer import ChunkCoalescer, DocxOutlineAnalyzerStep, cut_text, summary_prompt
from documents.llm import LLMError
from documents.tests.fakes import FakeProvider

STRUCTURE = {
    "language": "zh",
    "sections": [
        {"level": 1, "title": "第一章 总则", "text": "本办法适用于公司全体员工。", "source_index": 0},
        {"level": 2, "title": "适用范围", "text": "包括正式员工和实习生。", "source_index": 2},
        {"level": 1, "title": "Empty", "text": "", "source_index": 4},
    ],
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _step(provider: FakeProvider, **kwargs) -> DocxOutlineAnalyzerStep:  # noqa: ANN003
    options = {"max_section_chars": 1200, "chunk_chars": 8, "chunk_ms": 1000, "max_tokens": 64, **kwargs}
    return DocxOutlineAnalyzerStep(structure=STRUCTURE, title="员工手册", provider=provider, **options)


def test_coalescer_flushes_at_size():
    coalescer = ChunkCoalescer(min_chars=5, max_delay_ms=1000, clock=FakeClock())

    assert coalescer.feed("ab") is None
    assert coalescer.feed("cde") == "abcde"
    assert coalescer.flush() is None


def test_coalescer_flushes_after_delay_since_first_unflushed_token():
    clock = FakeClock()
    coalescer = ChunkCoalescer(min_chars=100, max_delay_ms=50, clock=clock)

    assert coalescer.feed("一") is None
    clock.now = 0.049
    assert coalescer.feed("二") is None
    clock.now = 0.051
    assert coalescer.feed("三") == "一二三"


def test_coalescer_never_returns_empty_chunks():
    coalescer = ChunkCoalescer(min_chars=1, max_delay_ms=0, clock=FakeClock())

    assert coalescer.feed("") is None
    assert coalescer.flush() is None


def test_step_streams_markdown_with_document_headings_and_summaries():
    provider = FakeProvider([[" 适用于", "全体员工。"], [" 正式员工", "和实习生。"]])
    events = list(_step(provider).run())

    text = "".join(e.data["text"] for e in events if e.type == "chunk")
    assert text == (
        "# 员工手册\n\n## 第一章 总则\n\n适用于全体员工。\n\n"
        "### 适用范围\n\n正式员工和实习生。\n\n## Empty\n\n"
    )
    assert all(e.data["text"] for e in events if e.type == "chunk")
    assert len(provider.prompts) == 2  # no model call for a section without text


def test_step_emits_progress_per_section_and_exactly_one_terminal_event():
    events = list(_step(FakeProvider()).run())

    progress = [(e.data["done"], e.data["total"], e.data["section"]) for e in events if e.type == "progress"]
    assert progress == [(0, 3, "第一章 总则"), (1, 3, "适用范围"), (2, 3, "Empty"), (3, 3, "")]
    assert [e.type for e in events if e.type in {"done", "error"}] == ["done"]
    assert events[-1].data == {"status": "succeeded"}


def test_chinese_document_gets_a_chinese_prompt():
    provider = FakeProvider()
    list(_step(provider).run())

    assert "摘要：" in provider.prompts[0].text and "第一章 总则" in provider.prompts[0].text
    assert provider.prompts[0].stop == ["\n"]


def test_english_document_gets_an_english_prompt():
    prompt = summary_prompt(title="Scope", text="Applies to all staff.", language="en", max_tokens=32)

    assert prompt.text.endswith("Section: Scope\nText: Applies to all staff.\nSummary:")
    assert "English" in prompt.messages[0]["content"]


def test_long_sections_are_cut_at_a_sentence_boundary():
    text = "第一句话很长。" * 50

    cut = cut_text(text, 100)

    assert len(cut) <= 101 and cut.endswith("。…")


def test_provider_error_keeps_partial_text_and_ends_with_error():
    provider = FakeProvider(
        [[" 适用于", LLMError("timeout_between_tokens", "The model stopped responding.")]]
    )
    events = list(_step(provider, chunk_chars=1000).run())

    assert events[-1].type == "error"
    assert events[-1].data["code"] == "timeout_between_tokens"
    text = "".join(e.data["text"] for e in events if e.type == "chunk")
    assert text.endswith("适用于")
    assert [e.type for e in events].count("error") == 1


def test_should_stop_ends_with_cancelled_done():
    calls = itertools.count()
    events = list(_step(FakeProvider(), should_stop=lambda: next(calls) >= 2).run())

    assert events[-1].type == "done" and events[-1].data["status"] == "cancelled"


@pytest.mark.parametrize("chunk_chars", [1, 5, 1000])
def test_chunking_never_changes_the_text(chunk_chars):
    baseline = "".join(
        e.data["text"] for e in _step(FakeProvider(), chunk_chars=1).run() if e.type == "chunk"
    )
    text = "".join(
        e.data["text"] for e in _step(FakeProvider(), chunk_chars=chunk_chars).run() if e.type == "chunk"
    )

    assert text == baseline


# ------------------------------------------------------- prompt language vs UI language
ENGLISH = {
    "language": "en",
    "sections": [{"level": 1, "title": "Background", "text": "The company plans a new online shop."}],
}
CHINESE = {
    "language": "zh",
    "sections": [{"level": 1, "title": "项目背景", "text": "公司计划在明年上线新的电商平台。"}],
}


@pytest.mark.parametrize(
    ("ui_language", "structure", "few_shot", "written_in"),
    [
        ("zh-hans", ENGLISH, "Summarize each section in one sentence.", "written in English."),
        ("en", CHINESE, "用一句话概括每一节的内容。", "written in Simplified Chinese."),
    ],
)
def test_prompt_follows_the_documents_language_not_the_ui_language(
    ui_language, structure, few_shot, written_in
):
    from django.utils import translation

    provider = FakeProvider()
    with translation.override(ui_language):
        step = DocxOutlineAnalyzerStep(
            structure=structure, title="T", provider=provider,
            max_section_chars=1200, chunk_chars=8, chunk_ms=1000, max_tokens=64,
        )  # fmt: skip
        events = list(step.run())

    assert events[-1].data == {"status": "succeeded"}
    (prompt,) = provider.prompts
    assert prompt.text.startswith(few_shot)
    assert prompt.messages[0]["content"].endswith(f"{written_in} Reply with the sentence only.")
