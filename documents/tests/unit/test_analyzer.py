from __future__ import annotations

import itertools
import threading
import time

import pytest

from documents.analyzer import ChunkCoalescer, DocxOutlineAnalyzerStep
from documents.llm import LLMError
from documents.outline_points import Point, cut_text
from documents.prompts import Brief, point_prompt
from documents.tests.fakes import FakeProvider

LONG = "本办法适用于公司全体正式员工和实习生，规定了考勤、休假、报销和奖惩的基本规则，由人力资源部负责解释。"
STRUCTURE = {
    "language": "zh",
    "sections": [
        {"level": 1, "title": "第一章 总则", "text": LONG, "source_index": 0},
        {"level": 2, "title": "适用范围", "text": "包括正式员工和实习生。", "source_index": 2},
        {"level": 1, "title": "Empty", "text": "", "source_index": 4},
    ],
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _step(provider: FakeProvider, structure: dict = STRUCTURE, **kwargs) -> DocxOutlineAnalyzerStep:  # noqa: ANN003
    options = {"max_section_chars": 1200, "chunk_chars": 8, "chunk_ms": 1000, "max_tokens": 64, **kwargs}
    return DocxOutlineAnalyzerStep(structure=structure, title="员工手册", provider=provider, **options)


def _text(events: list) -> str:  # noqa: ANN001
    return "".join(e.data["text"] for e in events if e.type == "chunk")


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


def test_step_streams_the_heading_tree_with_bullet_points_under_sections_with_text():
    provider = FakeProvider([[" 本办法适用于", "公司全体正式员工和实习生。"]])
    events = list(_step(provider).run())

    assert _text(events) == (
        "# 员工手册\n\n## 第一章 总则\n\n- 本办法适用于公司全体正式员工和实习生。\n\n"
        "### 适用范围\n\n- _包括正式员工和实习生。_\n\n## Empty\n\n"
    )
    assert all(e.data["text"] for e in events if e.type == "chunk")
    # The short section needs no model (its own words are its point); the empty one gets none.
    assert len(provider.prompts) == 1


def test_titles_enter_the_outline_as_text_and_read_back_exactly():
    # "poi__stress008" showed as a bold "stress008"; "clarification_checklist" lost its "_".
    from documents.outline_markdown import parse_sections, render_markdown

    titles = ["poi__stress008", "a*b*c <T> `x` C#", "第一章 总则 ~ 备注 | 表"]
    structure = {
        "language": "en",
        "sections": [{"level": 1, "title": t, "text": "", "source_index": i} for i, t in enumerate(titles)],
    }
    step = DocxOutlineAnalyzerStep(
        structure=structure, title="clarification_checklist", provider=FakeProvider(), chunk_chars=8,
        chunk_ms=1000, max_section_chars=1200, max_tokens=64,
    )  # fmt: skip
    markdown = _text(list(step.run()))

    assert markdown.startswith("# clarification\\_checklist\n\n## poi\\_\\_stress008\n\n")
    assert parse_sections(markdown) == ("clarification_checklist", [
        {"level": 1, "title": t, "text": ""} for t in titles
    ])  # fmt: skip
    html = render_markdown(markdown)
    assert '<div role="heading" aria-level="2" class="md-title">clarification_checklist</div>' in html
    assert "<h2>poi__stress008</h2>" in html
    assert "<h2>a*b*c &lt;T&gt; `x` C#</h2>" in html and "<em>" not in html and "<code>" not in html


def test_step_emits_progress_per_section_and_exactly_one_terminal_event():
    events = list(_step(FakeProvider()).run())

    progress = [(e.data["done"], e.data["total"], e.data["section"]) for e in events if e.type == "progress"]
    assert progress == [(0, 3, "第一章 总则"), (1, 3, "适用范围"), (2, 3, "Empty"), (3, 3, "")]
    assert [e.type for e in events if e.type in {"done", "error"}] == ["done"]
    assert events[-1].data == {"status": "succeeded"}


def test_a_point_that_fails_a_gate_is_asked_for_again_then_replaced_by_an_extracted_point():
    # An English answer for a Chinese document fails the language gate, twice.
    provider = FakeProvider([[" The staff handbook", " explains the rules."]])
    step = _step(provider)
    text = _text(list(step.run()))

    assert len(provider.prompts) == 2  # the first try and one retry
    assert provider.prompts[0].temperature < provider.prompts[1].temperature
    (point,) = [line for line in text.splitlines() if line.startswith("- ") and "总则" not in line][:1]
    assert point.startswith("- _") and point.endswith("_") and "staff" not in text
    assert step.results[0].failed.get("language") == 2 and step.results[0].points[0].extracted


def test_an_answer_that_rambles_on_keeps_its_first_sentence_when_that_passes():
    # The point, then an invented second sentence that fails the grounded gate as a whole.
    answer = [" 本办法适用于公司全体正式员工和实习生。", "火星殖民舰队明年将扩编三倍，预算翻番。"]
    provider = FakeProvider([answer])
    step = _step(provider)
    text = _text(list(step.run()))

    assert len(provider.prompts) == 1  # no retry needed
    assert "- 本办法适用于公司全体正式员工和实习生。\n" in text and "火星" not in text
    assert not step.results[0].points[0].extracted


REPORT_NUMBER = "（报告编号：YJBH-ZX2B-TJ6B-12-1#PD-033）\n"


def test_a_section_where_nothing_passes_gets_its_own_first_line_as_an_extracted_point():
    # A report number alone: no sentence to condense, no key phrases a point can be made of, and
    # the model's answers are English; the line itself (its codes are the section's own) stands.
    structure = {
        "language": "zh",
        "sections": [
            {"level": 1, "title": "成果报告", "text": REPORT_NUMBER * 3 + "预报方法。"},
        ],
    }
    provider = FakeProvider([[" The report", " number is given."]])
    step = _step(provider, structure=structure)
    text = _text(list(step.run()))

    assert step.results[0].points == [Point("（报告编号：YJBH-ZX2B-TJ6B-12-1#PD-033）。", extracted=True)]
    assert "- _（报告编号：YJBH-ZX2B-TJ6B-12-1#PD-033）。_\n" in text


def test_a_point_that_starts_to_loop_is_cut_there_and_its_stream_closed():
    provider = FakeProvider([["抽检结果：", "抽检结果：", "抽检结果：", "抽检结果：", "抽检结果："] * 4])
    step = _step(provider)
    list(step.run())

    assert provider.closed == 2  # both tries stopped early, their streams closed
    assert step.results[0].failed.get("loop", 0) + step.results[0].failed.get("substance", 0) >= 1
    assert all("抽检结果：抽检结果：抽检结果" not in p.text for p in step.results[0].points)


def test_chinese_document_gets_a_chinese_prompt_with_the_sections_key_phrases():
    provider = FakeProvider()
    list(_step(provider).run())

    prompt = provider.prompts[0]
    assert "章节：第一章 总则" in prompt.text and "要点：" in prompt.text and "原文：" in prompt.text
    assert prompt.stop == ["\n"] and prompt.frequency_penalty > 0


def test_english_point_prompt_ends_with_the_open_point():
    brief = Brief("Scope", ["staff"], "Applies to all staff.")
    prompt = point_prompt(
        brief=brief, examples=[], language="en", max_tokens=32, temperature=0.2,
        frequency_penalty=0.5, presence_penalty=0.0, extra={"repeat_penalty": 1.1},
    )  # fmt: skip

    assert prompt.text.endswith("Section: Scope\nKey phrases: staff\nText: Applies to all staff.\nPoint:")
    assert "English" in prompt.messages[0]["content"] and prompt.extra == {"repeat_penalty": 1.1}


def test_long_sections_are_cut_at_a_sentence_boundary():
    text = "第一句话很长。" * 50

    cut = cut_text(text, 100)

    assert len(cut) <= 101 and cut.endswith("。…")


def test_provider_error_ends_with_error_and_streams_no_unchecked_point():
    provider = FakeProvider(
        [[" 本办法适用于", LLMError("timeout_between_tokens", "The model stopped responding.")]]
    )
    events = list(_step(provider, chunk_chars=1000).run())

    assert events[-1].type == "error"
    assert events[-1].data["code"] == "timeout_between_tokens"
    assert "本办法适用于" not in _text(events)  # a point is held until it has passed
    assert [e.type for e in events].count("error") == 1


def test_should_stop_ends_with_cancelled_done():
    calls = itertools.count()
    events = list(_step(FakeProvider(), should_stop=lambda: next(calls) >= 2).run())

    assert events[-1].type == "done" and events[-1].data["status"] == "cancelled"


@pytest.mark.parametrize("chunk_chars", [1, 5, 1000])
def test_chunking_never_changes_the_text(chunk_chars):
    baseline = _text(list(_step(FakeProvider(), chunk_chars=1).run()))
    text = _text(list(_step(FakeProvider(), chunk_chars=chunk_chars).run()))

    assert text == baseline


def test_sections_prepared_in_parallel_stream_in_document_order():
    sections = [
        {"level": 1, "title": f"第{n}章", "text": LONG.replace("人力资源部", f"第{n}部门"), "source_index": n}
        for n in range(6)
    ]
    active, peak, lock = [0], [0], threading.Lock()

    class Slow(FakeProvider):
        def deltas(self, prompt, *, should_stop, usage):  # noqa: ANN001, ANN201
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.05)
            with lock:
                active[0] -= 1
            return super().deltas(prompt, should_stop=should_stop, usage=usage)

    text = _text(list(_step(Slow(), {"language": "zh", "sections": sections}, parallel=3).run()))

    assert [line for line in text.splitlines() if line.startswith("## ")] == [f"## 第{n}章" for n in range(6)]
    assert peak[0] >= 2


def test_a_chat_model_is_asked_once_per_section_for_all_its_points():
    provider = FakeProvider(
        [["- 本办法适用于公司全体正式员工和实习生。\n", "- 规定了考勤、休假、报销和奖惩的基本规则。"]]
    )
    step = _step(provider, api_style="chat")
    text = _text(list(step.run()))

    assert len(provider.prompts) == 1 and provider.prompts[0].messages[0]["role"] == "system"
    assert "- 本办法适用于公司全体正式员工和实习生。\n" in text


def test_a_section_too_long_for_the_models_context_gets_an_extracted_point_not_a_failed_outline():
    provider = FakeProvider([[LLMError("context_too_long")]])
    step = _step(provider)
    events = list(step.run())

    assert events[-1].data == {"status": "succeeded"}
    assert len(provider.prompts) == 1  # a retry would not fit either
    assert step.results[0].failed == {"context": 1} and step.results[0].points[0].extracted


def test_a_chat_model_whose_context_cannot_hold_a_section_is_asked_point_by_point():
    provider = FakeProvider([[LLMError("context_too_long")], [" 本办法适用于公司全体正式员工和实习生。"]])
    step = _step(provider, api_style="chat")
    text = _text(list(step.run()))

    # The second request is the one-point prompt: one central sentence, not the whole section.
    assert len(provider.prompts) == 2 and "要点：" in provider.prompts[1].messages[-1]["content"]
    assert "- 本办法适用于公司全体正式员工和实习生。\n" in text
    assert not step.results[0].points[0].extracted


# ------------------------------------------------------- prompt language vs UI language
ENGLISH = {
    "language": "en",
    "sections": [
        {
            "level": 1,
            "title": "Background",
            "text": "The company plans a new online shop next year, to grow its online sales and to "
            "reach customers outside the east region.",
        }
    ],
}
CHINESE = {"language": "zh", "sections": [{"level": 1, "title": "项目背景", "text": LONG}]}


@pytest.mark.parametrize(
    ("ui_language", "structure", "label", "written_in"),
    [
        ("zh-hans", ENGLISH, "Section: Background", "in English"),
        ("en", CHINESE, "章节：项目背景", "in Simplified Chinese"),
    ],
)
def test_prompt_follows_the_documents_language_not_the_ui_language(ui_language, structure, label, written_in):
    from django.utils import translation

    provider = FakeProvider()
    with translation.override(ui_language):
        step = DocxOutlineAnalyzerStep(
            structure=structure, title="T", provider=provider,
            max_section_chars=1200, chunk_chars=8, chunk_ms=1000, max_tokens=64,
        )  # fmt: skip
        events = list(step.run())

    assert events[-1].data == {"status": "succeeded"}
    prompt = provider.prompts[0]
    assert label in prompt.text
    assert written_in in prompt.messages[0]["content"]
