"""textkit: script tests, words, CJK runs, stems and stop words, for every script the corpus has
(Chinese, Japanese, Korean, Portuguese, German, French, English), offline, on any input."""

from __future__ import annotations

import socket

import pytest

from documents import textkit

pytestmark = pytest.mark.no_database

ODD_INPUTS = ["", " ", "\n\t", "...", "。！？", "123 456", "🙂🙂", "\ud800", "_", "\u0301", "ー"]


@pytest.mark.parametrize(
    "ch",
    ["中", "㐀", "\U00020000", "々", "あ", "ア", "ー", "ｱ", "한", "ᄀ", "ㄱ"],
    ids=[
        "han",
        "ext-a",
        "ext-b",
        "iteration",
        "hiragana",
        "katakana",
        "long-vowel",
        "halfwidth",
        "hangul",
        "jamo",
        "compat-jamo",
    ],
)
def test_cjk_letters_are_cjk_chars(ch: str) -> None:
    assert textkit.is_cjk_char(ch)


@pytest.mark.parametrize(
    "ch", ["。", "，", "、", "「", "」", "・", "！", "　", "a", "é", "1", "я", "🙂", "", "中文"]
)
def test_punctuation_other_scripts_and_non_characters_are_not_cjk_chars(ch: str) -> None:
    assert not textkit.is_cjk_char(ch)


@pytest.mark.parametrize("language", ["zh", "ja", "ko", "zh-CN", "zh_Hans", "JA", " ko "])
def test_chinese_japanese_korean_are_cjk_languages_with_any_suffix(language: str) -> None:
    assert textkit.is_cjk_language(language)


@pytest.mark.parametrize("language", ["en", "de", "pt-BR", "", None, "zhx"])
def test_other_or_unknown_languages_are_not_cjk(language: str | None) -> None:
    assert not textkit.is_cjk_language(language)


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("抽检结果合格", 1.0),
        ("2024年，销售增长。", 1.0),  # digits and punctuation are not letters
        ("日本語のテキスト", 1.0),
        ("한국어 문서", 1.0),
        ("abcd中文", 2 / 6),
        ("Plain English.", 0.0),
        ("", 0.0),
        ("!!! 123 。", 0.0),
    ],
)
def test_cjk_share_is_the_share_of_cjk_among_letters(text: str, share: float) -> None:
    assert textkit.cjk_share(text) == pytest.approx(share)


def test_cjk_count_counts_cjk_letters_not_punctuation() -> None:
    assert textkit.cjk_count("抽检结果：合格。OK") == 6


def test_words_are_lower_cased_and_keep_accents_and_other_scripts() -> None:
    text = "Die Kundenzufriedenheit in São Paulo stieg; ÜBER alles. Привет, κόσμε!"
    assert textkit.words(text) == [
        "die",
        "kundenzufriedenheit",
        "in",
        "são",
        "paulo",
        "stieg",
        "über",
        "alles",
        "привет",
        "κόσμε",
    ]


def test_words_leave_out_numbers_and_cjk_but_keep_words_with_digits() -> None:
    assert textkit.words("2024年 COVID19 销售 grew 12% to 3.5m") == ["covid19", "grew", "to", "5m"]


def test_decomposed_and_precomposed_accents_are_the_same_word() -> None:
    assert textkit.words("cafe\u0301 déja\u0300") == textkit.words("café déjà") == ["café", "déjà"]


def test_cjk_runs_are_split_by_punctuation_spaces_and_latin() -> None:
    assert textkit.cjk_runs("抽检结果：合格 AI平台、日本語のテキスト・カタカナ 한국어abc") == [
        "抽检结果",
        "合格",
        "平台",
        "日本語のテキスト",
        "カタカナ",
        "한국어",
    ]


def test_stem_uses_the_languages_snowball_stemmer() -> None:
    assert textkit.stem("Platforms", "en") == textkit.stem("platform", "en") == "platform"
    assert textkit.stem("vendas", "pt") == textkit.stem("venda", "pt")
    assert textkit.stem("Lieferzeiten", "de") == textkit.stem("Lieferzeit", "de")
    assert textkit.stem("ventes", "fr") == textkit.stem("vente", "fr")


def test_stem_reads_region_codes_and_falls_back_to_english() -> None:
    assert textkit.stem("vendas", "pt-BR") == textkit.stem("vendas", "pt")
    for language in ("zh", "ja", "tr", "xx", "", None):
        assert textkit.stem("running", language) == "run"


def test_stop_words_hold_the_language_and_english_always() -> None:
    german = textkit.stop_words("de")
    assert {"und", "nicht", "the", "which"} <= german
    assert isinstance(german, frozenset)
    assert textkit.stop_words("xx") == textkit.stop_words(None) == textkit.stop_words("en")


def test_portuguese_stop_words_are_repaired_from_sumys_escaped_list() -> None:
    portuguese = textkit.stop_words("pt")
    assert {"não", "também", "às", "uma"} <= portuguese
    assert not [word for word in portuguese if "\\" in word or "," in word]


def test_stemming_and_stop_words_work_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    textkit._stemmer.cache_clear()
    textkit._stop_words.cache_clear()
    for language in ("en", "pt", "de", "fr", "es", "it", "nl", "ru", "sv", "da", "fi", "hu", "no", "ro"):
        assert textkit.stem("testing", language)
    for language in ("en", "pt", "de", "fr", "es", "it", "sv", "zh", "ja", "ko"):
        assert "the" in textkit.stop_words(language)


def test_content_words_are_long_non_stop_words_in_order_with_repeats() -> None:
    text = "The platform, which grows online sales, is a platform about growth."
    assert textkit.content_words(text, "en") == ["platform", "grows", "online", "sales", "platform", "growth"]


def test_content_words_drop_english_stop_words_in_a_german_text() -> None:
    text = "Die Kundenzufriedenheit stieg deutlich, although the Lieferzeiten blieben."
    assert textkit.content_words(text, "de") == [
        "kundenzufriedenheit",
        "stieg",
        "deutlich",
        "lieferzeiten",
        "blieben",
    ]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_every_helper_accepts_odd_input(text: str) -> None:
    assert textkit.cjk_share(text) in (0.0, 1.0)
    assert isinstance(textkit.words(text), list)
    assert isinstance(textkit.cjk_runs(text), list)
    assert isinstance(textkit.content_words(text, None), list)
    assert isinstance(textkit.stem(text, "de"), str)
