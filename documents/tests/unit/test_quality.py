"""The reader's gates on outline points and section texts: loop, copy, language, grounded,
complete, short, and template runs across documents, in English, German, Portuguese, Chinese,
Japanese and Korean."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from documents import quality, textkit
from documents.quality import DocumentIndex, GateReport, LoopWatch

pytestmark = pytest.mark.no_database

MEDICAL_DOC = (
    "The hospital recorded patient outcomes after surgery for two years.\n"
    "Nurses monitored infections daily and reported them to the surgical team.\n"
    "Recovery times improved for most patients once the new protocol was introduced."
)
MEDICAL_SOURCE = MEDICAL_DOC
CHINESE_DOC = (
    "本研究分析了医院患者术后感染情况，护士每天监测感染并向外科团队报告。\n"
    "公司计划在未来三年内建设全新的电子商务平台，以提升线上销售份额并扩大在华东地区的市场覆盖范围。"
)
THESIS_DOC = (
    "This thesis studies rural schooling in Portugal between 1950 and 1974.\n"
    "Teachers' letters and ministry circulars show how attendance rules were enforced."
)
TEMPLATE_SENTENCE = "The company wants a new e-commerce platform to grow its small share of online sales."


@pytest.fixture(scope="module")
def medical() -> DocumentIndex:
    return DocumentIndex.build(MEDICAL_DOC, "en")


@pytest.fixture(scope="module")
def chinese() -> DocumentIndex:
    return DocumentIndex.build(CHINESE_DOC, "zh")


def _naive_loops(text: str) -> bool:
    """The loop gate's definition, counted directly (the reference LoopWatch must agree with)."""
    found = textkit.words(text)
    word_grams = Counter(tuple(found[i : i + 3]) for i in range(len(found) - 2))
    cjk_grams = Counter(run[i : i + 4] for run in textkit.cjk_runs(text) for i in range(len(run) - 3))
    return max([*word_grams.values(), *cjk_grams.values(), 0]) >= 3


# ----------------------------------------------------------------------------- loop


def test_a_sentence_said_once_does_not_loop() -> None:
    assert quality.gate_loop("I believe in myself and I believe in others.")


def test_a_sentence_repeated_loops() -> None:
    assert not quality.gate_loop("I believe in myself and I believe in others. " * 2)


def test_a_word_trigram_twice_passes_and_three_times_fails() -> None:
    assert quality.gate_loop("Sales grew fast. Costs fell. Sales grew fast again.")
    assert not quality.gate_loop("Sales grew fast. Costs fell. Sales grew fast again. Sales grew fast.")


def test_a_repeated_chinese_phrase_loops_across_punctuation() -> None:
    assert not quality.gate_loop("抽检结果：抽检结果：抽检结果：")


@pytest.mark.parametrize(
    "text",
    [
        "抽检结果：合格。抽检结果：不合格。",
        "公司计划在未来三年内建设全新的电子商务平台。",
        "売上は前年比で増加した。",
        "매출이 작년보다 증가했다.",
    ],
)
def test_cjk_text_without_a_thrice_repeated_four_letter_run_passes(text: str) -> None:
    assert quality.gate_loop(text)


@pytest.mark.parametrize("text", ["ありがとうございます。" * 3, "매출이증가했다 " * 3])
def test_repeated_japanese_and_korean_loop(text: str) -> None:
    assert not quality.gate_loop(text)


def test_looping_at_is_where_the_third_occurrence_starts_and_the_text_before_passes() -> None:
    text = "I believe in myself and I believe in others. I believe in myself and I believe in others."
    at = quality.looping_at(text)
    assert at == text.index("I believe", 40)
    assert text[:at] == "I believe in myself and I believe in others. "
    assert quality.gate_loop(text[:at])


def test_looping_at_points_at_the_third_chinese_run() -> None:
    assert quality.looping_at("抽检结果：抽检结果：抽检结果：") == 10


def test_looping_at_is_none_for_text_that_does_not_loop() -> None:
    assert quality.looping_at("Recovery times improved for most patients.") is None
    assert quality.looping_at("") is None


def test_loop_watch_reports_the_loop_as_soon_as_the_third_run_is_complete() -> None:
    watch = LoopWatch()
    assert not watch.feed("抽检结果：抽检结果：抽检结")
    assert watch.feed("果")
    assert watch.loop_at == 10


def test_loop_watch_waits_for_a_word_to_end_and_finish_closes_the_last_one() -> None:
    watch = LoopWatch()
    assert not watch.feed("go on and go on and go on and")
    assert watch.finish()
    assert watch.loop_at == 20


def test_loop_watch_agrees_with_looping_at_however_the_stream_is_split() -> None:
    rng = random.Random(7)
    text = "We grow sales. 抽检结果合格。We grow sales fast; 抽检结果合格！We grow sales again. 抽检结果"
    for _ in range(20):
        watch, position = LoopWatch(), 0
        while position < len(text):
            size = rng.randint(1, 6)
            watch.feed(text[position : position + size])
            position += size
        watch.finish()
        assert watch.loop_at == quality.looping_at(text) == text.index("We grow sales again")


def test_loop_gate_matches_its_counting_definition_on_random_mixed_text() -> None:
    rng = random.Random(11)
    pieces = ["go ", "on ", "and ", "Go", "中", "文", "字", "体", "。", "，", " ", "42 ", "é", "-"]
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        at = quality.looping_at(text)
        assert (at is None) == (not _naive_loops(text)), text
        if at is not None:
            assert not _naive_loops(text[:at]), text


# ----------------------------------------------------------------------------- copy


def test_a_whole_source_paragraph_returned_verbatim_is_a_copy() -> None:
    assert not quality.gate_copy(f"- {MEDICAL_SOURCE}", MEDICAL_SOURCE)


def test_a_paraphrase_is_not_a_copy() -> None:
    text = "- Infection monitoring by nurses and a new protocol shortened recovery after surgery."
    assert quality.gate_copy(text, MEDICAL_SOURCE)


def test_one_copied_sentence_in_a_longer_summary_is_under_half() -> None:
    text = (
        "- Over two years, the hospital tracked how patients fared after their operations, and "
        "nurses checked for infections every day. Recovery times improved for most patients once "
        "the new protocol was introduced."
    )
    assert 0 < quality.copied_share(text, MEDICAL_SOURCE) <= 0.5
    assert quality.gate_copy(text, MEDICAL_SOURCE)


def test_copied_share_ignores_markers_and_spacing_and_counts_the_sentence_without_its_period() -> None:
    sentence = "Nurses monitored infections daily and reported them to the surgical team"
    text = f"-   {sentence.replace(' ', '  ')}.\n- Short."
    target = f"{sentence}. Short."
    assert quality.copied_share(text, MEDICAL_SOURCE) == pytest.approx(len(sentence) / len(target))


def test_copied_sentences_shorter_than_forty_characters_do_not_count() -> None:
    source = "Sales grew. Costs fell. Margins widened."
    assert quality.copied_share("Sales grew. Costs fell. Margins widened.", source) == 0.0


def test_a_sentence_pasted_twice_counts_twice() -> None:
    sentence = "Recovery times improved for most patients once the new protocol was introduced"
    text = f"{sentence}. {sentence}. Nurses helped."
    assert quality.copied_share(text, MEDICAL_SOURCE) == pytest.approx(2 * len(sentence) / len(text))


def test_a_chinese_sentence_copied_verbatim_is_a_copy_and_a_summary_is_not() -> None:
    assert not quality.gate_copy(
        "- 公司计划在未来三年内建设全新的电子商务平台，以提升线上销售份额并扩大在华东地区的市场覆盖范围。",
        CHINESE_DOC,
    )
    assert quality.gate_copy("- 公司将在三年内建成电商平台，提升线上份额。", CHINESE_DOC)


def test_empty_text_is_not_a_copy() -> None:
    assert quality.copied_share("", MEDICAL_SOURCE) == 0.0
    assert quality.gate_copy("", "")


# ----------------------------------------------------------------------------- language


def test_german_with_english_terms_passes_for_a_german_document() -> None:
    assert quality.gate_language("Die Kundenzufriedenheit stieg nach dem Relaunch des Online-Shops.", "de")


def test_an_english_summary_of_a_chinese_document_fails() -> None:
    assert not quality.gate_language("The company plans a new e-commerce platform.", "zh")


def test_chinese_with_a_few_english_terms_passes_for_a_chinese_document() -> None:
    assert quality.gate_language("公司计划建设新的 e-commerce 平台，提升线上销售份额。", "zh-CN")


def test_chinese_text_fails_for_a_latin_script_document() -> None:
    assert not quality.gate_language("公司计划建设新的电子商务平台。", "de")
    assert not quality.gate_language("Die Firma plant 新的电子商务平台 und mehr.", "de")


SPEC_ROW = "`gm_item_detail <item_id>` | 查询道具详情，显示价格、库存和购买按钮"


def test_a_chinese_point_may_quote_its_sections_identifiers() -> None:
    point = "`gm_item_detail <item_id>` 查询道具详情。"  # more Latin letters than Chinese ones
    assert quality.gate_language(point, "zh", source=SPEC_ROW)
    assert not quality.gate_language(point, "zh", source="查询道具详情，显示价格和库存。")  # not its words


def test_english_words_the_section_never_uses_still_fail_a_chinese_document() -> None:
    assert not quality.gate_language("The item detail page shows the price and stock.", "zh", source=SPEC_ROW)


def test_a_point_of_nothing_but_the_sections_own_names_passes() -> None:
    source = "CIM China Inland Mission; NCC 한국기독교교회협의회; 약어 목록의 예시입니다."
    assert quality.gate_language("CIM China Inland Mission.", "ko", source=source)


def test_a_latin_point_may_quote_the_cjk_term_its_section_uses() -> None:
    point = "The school teaches 茶道と華道の教室 in three stages."
    source = "The school runs 茶道と華道の教室 (tea ceremony and flower arranging) over two years."
    assert quality.gate_language(point, "en", source=source)
    assert not quality.gate_language(point, "en", source="The school runs classes over two years.")


@pytest.mark.parametrize(
    ("text", "language"), [("売上は前年比で増加した。", "ja"), ("매출이 작년보다 증가했다.", "ko")]
)
def test_japanese_and_korean_pass_for_their_documents(text: str, language: str) -> None:
    assert quality.gate_language(text, language)
    assert not quality.gate_language(text, "en")


def test_the_language_gate_checks_the_script_not_which_cjk_language() -> None:
    assert quality.gate_language("매출이 작년보다 증가했다.", "ja")  # CJK either way: the gate checks script
    assert not quality.gate_language("Sales rose year on year.", "ja")


@pytest.mark.parametrize("language", [None, ""])
def test_an_unknown_document_language_passes_any_text(language: str | None) -> None:
    assert quality.gate_language("The company plans a platform.", language)
    assert quality.gate_language("公司计划建设平台。", language)


def test_text_without_letters_passes_the_language_gate() -> None:
    assert quality.gate_language("2024: 12 %.", "zh")
    assert quality.gate_language("", "en")


# ----------------------------------------------------------------------------- grounded


def test_content_words_from_the_document_in_other_forms_are_grounded(medical: DocumentIndex) -> None:
    assert quality.gate_grounded("Nurses monitoring infections improved patient outcomes.", medical)


def test_invented_content_is_not_grounded(medical: DocumentIndex) -> None:
    assert not quality.gate_grounded("Quantum blockchain revenues tripled in Singapore.", medical)


def test_seventy_percent_of_content_words_is_the_threshold(medical: DocumentIndex) -> None:
    known = ["hospital", "recorded", "patient", "outcomes", "surgery", "nurses", "monitored"]
    invented = ["quantum", "blockchain", "revenue", "singapore"]
    assert textkit.content_words(" ".join(known + invented), "en") == known + invented
    assert quality.gate_grounded(" ".join(known + invented[:3]) + ".", medical)  # 7 of 10
    assert not quality.gate_grounded(" ".join(known[:6] + invented) + ".", medical)  # 6 of 10


def test_text_of_short_and_stop_words_only_is_grounded(medical: DocumentIndex) -> None:
    assert quality.gate_grounded("It is what it was, and so on.", medical)
    assert quality.gate_grounded("", medical)


def test_chinese_pairs_from_the_document_are_grounded_and_invented_ones_are_not(
    chinese: DocumentIndex,
) -> None:
    assert quality.gate_grounded("护士每天监测患者术后感染。", chinese)
    assert not quality.gate_grounded("量子区块链收入在新加坡增长了三倍。", chinese)


def test_an_english_summary_of_a_chinese_document_is_not_grounded(chinese: DocumentIndex) -> None:
    assert not quality.gate_grounded("Nurses monitor postoperative infections every day.", chinese)


def test_portuguese_inflections_are_grounded_by_stem() -> None:
    index = DocumentIndex.build("As vendas online cresceram muito depois da nova plataforma.", "pt")
    assert quality.gate_grounded("Venda online cresceu na plataforma.", index)
    assert not quality.gate_grounded("Lucros trimestrais dobraram na plataforma.", index)


def test_a_document_index_holds_stems_and_cjk_pairs() -> None:
    index = DocumentIndex.build("Nurses monitored 感染情况.", "en")
    assert index.stems == {"nurs", "monitor"}
    assert index.pairs == {"感染", "染情", "情况"}
    assert DocumentIndex.build("", None).stems == frozenset()


# ----------------------------------------------------------------------------- complete


COMPLETE = ["Sales grew.", "Did sales grow?", "Sales grew!", "销售增长。", "销售增长了吗？", "売上が増えた！"]
COMPLETE += [
    '- He said "sales grew."',
    "他说：「销售增长。」",
    "（销售增长。）",
    "Sales grew.  \n",
    "- 매출이 증가했다.",
]
CUT_OFF = [
    "Sales grew by",
    "销售增长",
    "Sales grew…",
    "Sales grew...",
    "销售增长……",
    "销售增长。。。",
    "Sales grew,",
]
CUT_OFF += ["", "  \n", "- ", "(Sales grew)"]


@pytest.mark.parametrize("text", COMPLETE)
def test_text_ending_a_sentence_is_complete(text: str) -> None:
    assert quality.gate_complete(text)


@pytest.mark.parametrize("text", CUT_OFF)
def test_cut_off_text_is_incomplete(text: str) -> None:
    assert not quality.gate_complete(text)


def test_a_section_is_complete_only_when_every_bullet_is() -> None:
    assert quality.gate_complete("- Sales grew.\n- 成本下降。\n- Margins widened!")
    assert not quality.gate_complete("- Sales grew.\n- 成本下降\n- Margins widened!")
    assert not quality.gate_complete("- Sales grew.\n- ")


def test_a_wrapped_bullet_is_judged_by_its_last_line() -> None:
    assert quality.gate_complete("- Sales grew\n  by five percent.\n- Costs fell.")
    assert not quality.gate_complete("- Sales grew.\n- Costs fell\n  by")


# ----------------------------------------------------------------------------- short


def test_a_point_has_at_most_twenty_five_words() -> None:
    assert quality.gate_short(" ".join(["word"] * 25) + ".", "point")
    assert not quality.gate_short(" ".join(["word"] * 26) + ".", "point")


def test_a_chinese_point_has_at_most_fifty_cjk_letters() -> None:
    assert quality.gate_short("销" * 50 + "。", "point")
    assert not quality.gate_short("销" * 51 + "。", "point")


def test_a_section_has_at_most_120_words_or_240_cjk_letters() -> None:
    assert quality.gate_short("- " + " ".join(["word"] * 120), "section")
    assert not quality.gate_short("- " + " ".join(["word"] * 121), "section")
    assert quality.gate_short("- " + "销" * 240, "section")
    assert not quality.gate_short("- " + "销" * 241, "section")


def test_cjk_text_is_measured_in_cjk_letters_not_its_latin_words() -> None:
    text = "销" * 40 + " " + " ".join(["x"] * 30)  # 30 words, but 40 of 70 letters are CJK
    assert textkit.cjk_share(text) >= 0.5
    assert quality.gate_short(text, "point")


def test_mostly_latin_text_with_some_cjk_is_measured_in_words() -> None:
    assert not quality.gate_short(" ".join(["word"] * 26) + " 中文", "point")


def test_an_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        quality.gate_short("Sales grew.", "chapter")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- check


def test_a_good_point_passes_every_gate(medical: DocumentIndex) -> None:
    report = quality.check(
        "- Nurses monitored infections and a new protocol shortened recovery after surgery.",
        source=MEDICAL_SOURCE,
        index=medical,
        language="en",
    )
    assert report == GateReport(failed=())
    assert report.passed


def test_a_bad_point_lists_its_failed_gates_in_gate_order(medical: DocumentIndex) -> None:
    report = quality.check(
        "Quantum blockchain revenues tripled in Singapore and",
        source=MEDICAL_SOURCE,
        index=medical,
        language="en",
    )
    assert report.failed == ("grounded", "complete")
    assert not report.passed


def test_a_good_chinese_section_passes_and_an_english_one_fails_for_a_chinese_document(
    chinese: DocumentIndex,
) -> None:
    good = "- 护士每天监测术后感染情况。\n- 公司计划三年内建设电子商务平台，提升线上销售份额。"
    bad = "- Nurses monitor infections every day.\n- The company plans an online platform."
    assert quality.check(good, source=CHINESE_DOC, index=chinese, language="zh", kind="section").passed
    failed = quality.check(bad, source=CHINESE_DOC, index=chinese, language="zh", kind="section").failed
    assert failed == ("language", "grounded")


def test_the_short_gate_follows_the_kind(medical: DocumentIndex) -> None:
    text = "- " + " ".join(["nurses"] * 2 + ["patient", "surgery", "hospital"] * 9) + "."
    as_point = quality.check(text, source="", index=medical, language="en", kind="point")
    as_section = quality.check(text, source="", index=medical, language="en", kind="section")
    assert "short" in as_point.failed
    assert "short" not in as_section.failed


def test_check_one_answers_for_one_gate_and_rejects_unknown_names(medical: DocumentIndex) -> None:
    args = {"source": "公司的销售额去年增长了三倍。", "index": medical, "language": "zh"}
    assert quality.check_one("complete", "Sales grew.", **args)
    assert not quality.check_one("language", "Sales grew.", **args)
    with pytest.raises(ValueError, match="unknown gate"):
        quality.check_one("tone", "Sales grew.", **args)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "- ", "-", "🙂", "\ud800", "。。。", "- \n- \n"])
def test_check_never_raises_and_fails_empty_or_odd_text_as_incomplete(
    text: str, medical: DocumentIndex
) -> None:
    report = quality.check(text, source=text, index=medical, language="zh", kind="section")
    assert "complete" in report.failed


def test_every_gate_is_checked_in_the_declared_order() -> None:
    index = DocumentIndex.build("", "en")
    copied = (
        "Revenue from the new ledger business tripled last year in every single region we serve. "
        "The board expects the same growth next year from the three largest customers abroad. "
    )
    text = copied + "quantum spice boom " * 3 + "公司"  # words the section never uses, looping
    source = "公司的销售额去年增长了三倍，主要来自新的区块链业务。" * 20 + copied  # a Chinese section
    report = quality.check(text, source=source, index=index, language="zh")
    assert report.failed == quality.GATES


# ----------------------------------------------------------------------------- template


def test_a_sentence_in_two_unrelated_outlines_is_a_template_run() -> None:
    runs = quality.template_runs(
        [
            (f"- Nurses monitored infections daily.\n- {TEMPLATE_SENTENCE}", MEDICAL_DOC),
            (f"- Letters show how attendance rules were enforced.\n- {TEMPLATE_SENTENCE}", THESIS_DOC),
        ]
    )
    assert runs[0] == "the company wants a new"
    assert "grow its small share of" in runs
    assert all(len(run.split()) == 5 for run in runs)


def test_a_run_found_in_one_of_the_two_documents_is_not_a_template() -> None:
    medical_with_sentence = f"{MEDICAL_DOC}\n{TEMPLATE_SENTENCE}"
    assert (
        quality.template_runs([(TEMPLATE_SENTENCE, medical_with_sentence), (TEMPLATE_SENTENCE, THESIS_DOC)])
        == []
    )


def test_a_run_counts_for_any_two_documents_that_lack_it() -> None:
    medical_with_sentence = f"{MEDICAL_DOC}\n{TEMPLATE_SENTENCE}"
    outlines = [
        (TEMPLATE_SENTENCE, medical_with_sentence),
        (TEMPLATE_SENTENCE, THESIS_DOC),
        (TEMPLATE_SENTENCE, "Ein Bericht über Lieferketten."),
    ]
    assert "the company wants a new" in quality.template_runs(outlines)


def test_a_run_repeated_within_one_outline_is_not_a_template() -> None:
    assert quality.template_runs([(TEMPLATE_SENTENCE * 3, MEDICAL_DOC), ("Sales grew.", THESIS_DOC)]) == []


def test_chinese_template_runs_are_eight_letters() -> None:
    boilerplate = "该公司希望建设新的电子商务平台以扩大线上销售份额。"
    runs = quality.template_runs(
        [
            (f"- 护士每天监测感染。\n- {boilerplate}", CHINESE_DOC[:34]),
            (f"- {boilerplate}", "本论文研究葡萄牙农村学校。"),
        ]
    )
    assert runs[0] == "该公司希望建设新"
    assert all(len(run) == 8 for run in runs)
    assert len(runs) == len("该公司希望建设新的电子商务平台以扩大线上销售份额") - 7


def test_no_outlines_have_no_template_runs() -> None:
    assert quality.template_runs([]) == []
    assert quality.template_runs([("", "")]) == []


# ----------------------------------------------------------------------------- scale


def test_a_large_document_is_indexed_and_checked() -> None:
    paragraph = "Nurses monitored infections daily after surgery. 护士每天监测术后感染情况。\n"
    document = paragraph * 5_000  # ~370,000 characters; a quadratic step would not finish
    index = DocumentIndex.build(document, "en")
    assert "monitor" in index.stems
    report = quality.check(document[:2_000], source=document, index=index, language="en", kind="section")
    assert {"loop", "copy", "short"} <= set(report.failed)


def test_a_section_written_in_the_other_script_is_judged_by_its_own():
    abstract = "This thesis studies how churches in the region organised their missions after the war."
    korean = "선교지 현황과 선교사 현황표를 정리하여 제시한다. " * 2
    index = DocumentIndex.build(korean + abstract, "ko")

    def failed(text: str, source: str) -> tuple[str, ...]:
        return quality.check(text, source=source, index=index, language="ko").failed

    assert "language" not in failed("The thesis studies how churches organised their missions.", abstract)
    assert "language" not in failed("선교지 현황을 정리한다.", korean)
    assert "language" in failed("The mission fields are listed.", korean)
