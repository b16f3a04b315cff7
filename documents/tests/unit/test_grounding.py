"""grounding: sentences, key phrases, central sentences and the extracted fallback point."""

from __future__ import annotations

import re

import pytest

from documents import grounding
from documents.grounding import (
    MAX_CENTRAL_SENTENCES,
    MAX_TEXT_CHARS,
    central_sentences,
    extracted_point,
    key_phrases,
    section_brief,
    split_sentences,
)

pytestmark = pytest.mark.no_database

# The gates as the product issue states them, written out here independently of the module.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD = re.compile(f"[^\\W_{_CJK}]+")

ENGLISH = (
    "The hospital board approved the annual budget after a long debate in March. "
    "Cardiology funds were increased by 12 percent, while pediatric care received new imaging "
    "equipment and two additional specialists who will start in the autumn. "
    "However, the board warned that the budget depends on state grants (see Appendix B) [4]. "
    "The cardiology department will hire four nurses and two technicians before the summer, "
    "according to the head of cardiology, who presented the staffing plan to the board. "
    "Pediatric care remains the board's top priority for the next fiscal year."
)
CHINESE = (
    "电商平台的线上销售在华东地区保持快速增长，其中上海、杭州和南京三个城市的订单量占全区的百分之六十以上，"
    "成为拉动整体业绩的主要力量，而且这一趋势预计将在未来两年内持续下去。"
    "此外，电商平台在华东地区投入了大量资金用于物流建设，并与本地供应商建立了长期合作关系。"
    "但是，线上销售的利润率有所下降，主要原因是促销活动增多以及物流成本上升（见附表三）。"
    "华东地区的消费者更加偏好电商平台的即时配送服务。"
)
PORTUGUESE = (
    "O conselho do hospital aprovou o orçamento anual depois de um longo debate com os diretores "
    "de todos os departamentos clínicos e administrativos da instituição. "
    "Os fundos de cardiologia aumentaram doze por cento, enquanto a cardiologia pediátrica recebeu "
    "novos equipamentos de imagem e dois especialistas adicionais. "
    "No entanto, o conselho avisou que o orçamento depende de subsídios estaduais (Silva, 2020). "
    "A cardiologia pediátrica continua a ser a prioridade do conselho para o próximo ano."
)


def _assert_passes_gates(point: str, text: str) -> None:
    assert point, "expected a point"
    assert point[-1] in ".!?。！？" and not point.endswith("…")
    words, chars = _WORD.findall(point), _CJK_CHAR.findall(point)
    cjk_text = len(_CJK_CHAR.findall(text)) >= len(_WORD.findall(text))
    assert len(words) + len(chars) <= (50 if cjk_text else 25), point
    # The copy gate's source pieces: split at . ! ? 。！？ ; ； and line breaks.
    for piece in re.split(r"[.!?。！？;；\n]", text):
        piece = " ".join(piece.split())
        copied = len(piece) >= 40 and piece in point and 2 * len(piece) > len(point)
        assert not copied, f"{point!r} copies {piece!r}"
    source_words = {word.lower() for word in _WORD.findall(text)}
    assert {word.lower() for word in words} <= source_words, point
    assert set(chars) <= set(text), point
    tokens = [
        token.lower()
        for token in re.findall(f"[{_CJK}]|[^\\W_{_CJK}]+", point)
        if any(map(str.isalpha, token))
    ]
    grams = list(zip(tokens, tokens[1:], tokens[2:], strict=False))
    assert len(grams) == len(set(grams)), point


# ----------------------------------------------------------------------------- split_sentences


def test_split_keeps_english_abbreviations_inside_their_sentence():
    assert split_sentences("Dr. Smith met Mr. Jones. They left.", "en") == [
        "Dr. Smith met Mr. Jones.",
        "They left.",
    ]


def test_split_chinese_at_end_marks_keeps_closing_quote_with_its_sentence():
    assert split_sentences("我们今天开会。他说：“好！”然后走了？是的", "zh") == [
        "我们今天开会。",
        "他说：“好！”",
        "然后走了？",
        "是的",
    ]


def test_split_japanese_at_end_marks():
    assert split_sentences("今日は会議です。彼は来ました！本当ですか？はい", "ja") == [
        "今日は会議です。",
        "彼は来ました！",
        "本当ですか？",
        "はい",
    ]


def test_split_chinese_end_marks_even_when_the_language_says_english():
    assert split_sentences("预算已经批准。项目下周开始。", "en") == ["预算已经批准。", "项目下周开始。"]


def test_split_treats_line_breaks_as_ends_and_normalises_whitespace():
    text = "Budget   overview\n\nThe board   approved\tthe plan. It starts in May."
    assert split_sentences(text, "en") == [
        "Budget overview",
        "The board approved the plan.",
        "It starts in May.",
    ]


def test_split_uses_sentencex_for_languages_pysbd_lacks():
    assert split_sentences("O Dr. Silva chegou. Ele saiu às 10h.", "pt") == [
        "O Dr. Silva chegou.",
        "Ele saiu às 10h.",
    ]


def test_split_drops_pieces_without_letters():
    assert split_sentences("1. 2. 3.", "en") == []


def test_split_reads_only_the_first_max_text_chars():
    text = "Filler words go here. " * (MAX_TEXT_CHARS // 22 + 10) + "The secret tail sentence."
    assert "The secret tail sentence." not in split_sentences(text, "en")


# ----------------------------------------------------------------------------- key_phrases


def test_english_key_phrases_are_text_phrases_without_stop_words_or_overlaps():
    phrases = key_phrases(ENGLISH, "en")
    assert 1 <= len(phrases) <= 5
    assert "annual budget" in phrases
    for phrase in phrases:
        assert phrase in ENGLISH
        assert not {"the", "of", "and"} & set(phrase.lower().split())
    for better, worse in zip(phrases, phrases[1:], strict=False):
        assert f" {worse.lower()} " not in f" {better.lower()} "


def test_portuguese_key_phrases_use_portuguese_stop_words():
    phrases = key_phrases(PORTUGUESE, "pt")
    assert any("cardiologia" in phrase for phrase in phrases)
    assert all(phrase in PORTUGUESE for phrase in phrases)
    assert not any(word in {"de", "o", "a", "que"} for phrase in phrases for word in phrase.split())


def test_chinese_key_phrases_join_terms_jieba_splits():
    phrases = key_phrases(CHINESE, "zh")
    assert "电商平台" in phrases
    assert "华东地区" in phrases
    assert all(phrase in CHINESE for phrase in phrases)
    assert "电商" not in phrases and "平台" not in phrases  # contained in a better phrase


def test_japanese_key_phrases_are_frequent_kanji_and_katakana_runs():
    text = (
        "当社の売上高は前年比で増加しました。特にクラウドサービスの売上高が大きく伸びました。"
        "一方、ハードウェア事業の売上高は減少しました。来期はクラウドサービスへの投資を拡大します。"
    )
    assert key_phrases(text, "ja", top=2) == ["売上高", "クラウドサービス"]


def test_korean_key_phrases_drop_predicates_and_particles():
    text = (
        "올해 회사의 매출은 크게 증가했습니다. 특히 클라우드 서비스 매출이 크게 늘었습니다. "
        "클라우드 서비스 투자를 확대할 계획입니다."
    )
    phrases = key_phrases(text, "ko")
    assert phrases
    assert all(phrase in text and not phrase.endswith("다") for phrase in phrases)


def test_key_phrases_of_text_without_letters_are_empty():
    assert key_phrases("12345 678", "en") == []


# ----------------------------------------------------------------------------- central_sentences

HUB = "The school installed solar panels and a battery on the gym roof."
CENTRAL = (
    "Solar panels cut the school electricity bill by half. "
    "Parents praised the new playground near the entrance. "
    f"{HUB} "
    "A battery stores power from the gym roof for evening events. "
    "The gym roof also collects rainwater for the garden."
)


def test_central_sentence_is_the_one_sharing_most_with_the_others():
    assert central_sentences(CENTRAL, "en", count=1) == [HUB]


def test_central_sentences_come_back_in_document_order():
    chosen = central_sentences(CENTRAL, "en", count=3)
    assert len(chosen) == 3 and HUB in chosen
    assert chosen == sorted(chosen, key=CENTRAL.index)
    assert "Parents praised the new playground near the entrance." not in chosen


def test_central_sentences_of_short_text_are_its_sentences():
    assert central_sentences("Only one sentence here.", "en") == ["Only one sentence here."]
    assert central_sentences("First one. Second one.", "en") == ["First one.", "Second one."]


def test_chinese_central_sentence_uses_chinese_words():
    text = "电商平台增长很快。华东地区的电商平台投入物流。物流成本上升。天气很好。"
    assert central_sentences(text, "zh", count=1) == ["华东地区的电商平台投入物流。"]


def test_centrality_only_ranks_a_bounded_number_of_sentences(monkeypatch):
    seen: list[int] = []
    real = grounding._lexrank_scores

    def counting(sentences, tokenizer):  # noqa: ANN001, ANN202
        seen.append(len(sentences))
        return real(sentences, tokenizer)

    monkeypatch.setattr(grounding, "_lexrank_scores", counting)
    text = " ".join(f"Topic number {i} covers budget item {i}." for i in range(200))
    central_sentences(text, "en", count=2)
    assert seen and max(seen) <= MAX_CENTRAL_SENTENCES


# ----------------------------------------------------------------------------- extracted_point


@pytest.mark.parametrize(
    ("text", "language"), [(ENGLISH, "en"), (CHINESE, "zh"), (PORTUGUESE, "pt")], ids=["en", "zh", "pt"]
)
def test_extracted_point_passes_the_gates(text, language):
    _assert_passes_gates(extracted_point(text, language), text)


def test_extracted_point_drops_connectives_asides_and_citations():
    text = (
        "However, the board warned that the budget depends on state grants (see Appendix B) [4]. "
        "The board meets again in May. Grants from the state arrive late."
    )
    point = extracted_point(text, "en")
    assert point == "The board warned that the budget depends on state grants."


def test_extracted_point_cuts_a_long_sentence_at_its_last_clause_end_that_fits():
    text = (
        "Cardiology funds were increased by twelve percent this year, while pediatric care received "
        "new imaging equipment, two specialists and a renovated ward on the third floor of the "
        "main building. Cardiology funds matter."
    )
    point = extracted_point(text, "en")
    # 25 words at most: the third clause would make 30.
    assert point == (
        "Cardiology funds were increased by twelve percent this year, while pediatric care received "
        "new imaging equipment."
    )


def test_extracted_point_cuts_chinese_at_a_full_width_clause_mark():
    point = extracted_point(CHINESE, "zh")
    assert point.endswith("。")
    _assert_passes_gates(point, CHINESE)


def test_extracted_point_never_ends_with_an_ellipsis():
    text = "The budget was discussed at length and then the meeting simply continued…"
    point = extracted_point(text, "en")
    assert point.endswith(".") and "…" not in point
    _assert_passes_gates(point, text)


def test_extracted_point_falls_back_to_key_phrases_without_a_clause_to_cut():
    text = (
        "The hospital board approved the annual cardiology budget after a long debate in March. "
        "The hospital board approved new pediatric care equipment for the children ward in April. "
        "The annual cardiology budget pays for four nurses and two technicians next year."
    )
    point = extracted_point(text, "en")
    phrases = key_phrases(text, "en")
    assert "; " in point and point.endswith(".")
    parts = point[:-1].split("; ")
    assert [part.lower() for part in parts] == [phrase.lower() for phrase in phrases[: len(parts)]]
    assert point[0].isupper()
    _assert_passes_gates(point, text)


def test_without_phrases_a_text_with_no_sentence_that_condenses_has_no_extracted_point():
    text = (
        "The hospital board approved the annual cardiology budget after a long debate in March. "
        "The hospital board approved new pediatric care equipment for the children ward in April. "
        "The annual cardiology budget pays for four nurses and two technicians next year."
    )
    assert extracted_point(text, "en", phrases=False) == ""  # a solved example must be a sentence
    assert "; " in extracted_point(text, "en")


def test_extracted_point_cuts_arabic_at_its_own_comma():
    text = (
        "اعتمدت الحكومة السياسة الوطنية للنهوض بالمرأة في عام 1997 بعد مشاورات واسعة مع المجتمع المدني، "
        "وشملت المشاورات المنظمات غير الحكومية والباحثين والنقابات ومجموعات حقوق المرأة في جميع المحافظات "
        "والمدن الكبرى والقرى النائية على مدى ثلاث سنوات كاملة من العمل المتواصل والمراجعة الدقيقة."
    )
    point = extracted_point(text, "ar", phrases=False)
    assert (
        point
        == "اعتمدت الحكومة السياسة الوطنية للنهوض بالمرأة في عام 1997 بعد مشاورات واسعة مع المجتمع المدني."
    )
    _assert_passes_gates(point, text)


def test_extracted_point_falls_back_to_chinese_key_phrases_with_chinese_separator():
    text = (
        "电商平台在华东地区的线上销售额在过去三年里一直保持着非常快速而且稳定的增长趋势并且还在继续扩大规模"
        * 2
    )
    point = extracted_point(text, "zh")
    assert "；" in point and point.endswith("。")
    _assert_passes_gates(point, text)


def test_extracted_point_keeps_a_short_whole_sentence():
    assert extracted_point("The budget rose sharply.", "en") == "The budget rose sharply."


def test_extracted_point_follows_the_script_of_the_text_not_the_label():
    point = extracted_point(CHINESE, "en")
    assert point.endswith("。")
    _assert_passes_gates(point, CHINESE)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "12345", "!!! ... 。。。", "a" * 5000],
    ids=["empty", "spaces", "digits", "punctuation", "one-5000-letter-word"],
)
def test_extracted_point_of_text_with_nothing_usable_is_empty(text):
    assert extracted_point(text, "en") == ""


@pytest.mark.parametrize(
    "text",
    [("lorem ipsum dolor sit amet budget " * 400)[:10000], "我们今天开会讨论预算问题" * 800],
    ids=["latin", "chinese"],
)
def test_extracted_point_of_long_text_without_punctuation_is_within_the_gates(text):
    _assert_passes_gates(extracted_point(text, None), text[:MAX_TEXT_CHARS])


@pytest.mark.parametrize(
    "text",
    ["", "   ", "12345", "a" * 5000, "x " * 5000, "。" * 3000],
    ids=["empty", "spaces", "digits", "word", "xs", "marks"],
)
def test_every_function_accepts_odd_input(text):
    assert isinstance(split_sentences(text, None), list)
    assert isinstance(key_phrases(text, None), list)
    assert isinstance(central_sentences(text, None), list)
    assert isinstance(extracted_point(text, "xx-unknown"), str)


# ----------------------------------------------------------------------------- section_brief


def test_section_brief_is_key_phrases_and_central_sentences():
    phrases, sentences = section_brief(ENGLISH, "en")
    assert phrases == key_phrases(ENGLISH, "en", 5)
    assert sentences == central_sentences(ENGLISH, "en", 2)


def test_section_brief_results_are_callers_own_lists():
    phrases, sentences = section_brief(CENTRAL, "en")
    phrases.clear()
    sentences.clear()
    assert section_brief(CENTRAL, "en") != ([], [])
