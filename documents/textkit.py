"""Small text helpers shared by the outline gates and benchmarks: script tests, words, CJK runs,
stems and stop words.

Every function is linear in its input, accepts any string (empty, punctuation only, mixed
scripts) without raising, and works offline: nltk's Snowball stemmers and sumy's stop word lists
ship with the packages and need no download.

Words and CJK are kept apart on purpose: Chinese and Japanese have no spaces, so a "word" there
is not a unit anyone can count reliably; the gates measure CJK text in characters and character
runs instead, and Latin/Cyrillic/Greek text in words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer

# Letters only: CJK punctuation (、。「」・゠ etc.) and the spacing voiced-sound marks are left out,
# so punctuation splits runs exactly as it splits Latin words. 々〆〇 are letters (人々, 〇〇年).
_HAN = "\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# The combining voiced-sound marks (U+3099/309A) belong to the kana they modify in decomposed text.
_KANA = "\u3041-\u3096\u3099\u309a\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\u1100-\u11ff\u3131-\u318e\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"
_CJK = _HAN + _KANA + _HANGUL
_CJK_CHAR_RE = re.compile(f"[{_CJK}]")
_CJK_RUN_RE = re.compile(f"[{_CJK}]+")
_CJK_MARK_RE = re.compile("[\u3099\u309a]")  # CJK "letters" that str.isalpha() does not count
# Python's \w stops at combining marks, which would cut decomposed "é" (e + U+0301) in two.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
WORD_CHAR = f"(?:[^\\W_{_CJK}]|[{_MARKS}])"
_WORD_RE = re.compile(f"{WORD_CHAR}+")
_ESCAPE_RE = re.compile(r"\\x([0-9a-fA-F]{2})")

CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})

# ISO 639-1 codes to the names nltk's SnowballStemmer knows.
_SNOWBALL = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
}
# ISO 639-1 codes to the stop word lists bundled in sumy/data/stopwords/.
_SUMY_STOP_WORDS = {
    "ar": "arabic",
    "cs": "czech",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "he": "hebrew",
    "it": "italian",
    "ja": "japanese",
    "ko": "korean",
    "pl": "polish",
    "pt": "portuguese",
    "sk": "slovak",
    "sv": "swedish",
    "th": "thai",
    "uk": "ukrainian",
    "zh": "chinese",
}


def _language_code(language: str | None) -> str:
    """The bare ISO 639-1 code: pt-BR, zh_Hans, " EN " -> pt, zh, en; None -> the empty string."""
    return (language or "").strip().lower().replace("_", "-").split("-")[0]


def is_cjk_char(ch: str) -> bool:
    """True for one Han (incl. extensions), kana or Hangul letter; False for CJK punctuation,
    anything else, and for strings that are not exactly one character."""
    return len(ch) == 1 and _CJK_CHAR_RE.match(ch) is not None


def is_cjk_language(language: str | None) -> bool:
    """True for Chinese, Japanese and Korean, region/script suffixes allowed ("zh-CN", "ja_JP")."""
    return _language_code(language) in CJK_LANGUAGES


def cjk_share(text: str) -> float:
    """The share of CJK letters among all letters, in [0, 1]; 0.0 when there are no letters.

    Digits, punctuation and spaces are not letters, so "2024年" is all CJK."""
    cjk = len(_CJK_CHAR_RE.findall(text))
    letters = sum(map(str.isalpha, text)) + len(_CJK_MARK_RE.findall(text))
    return cjk / letters if letters else 0.0


def cjk_count(text: str) -> int:
    """How many CJK letters the text holds (the unit CJK length limits are measured in)."""
    return len(_CJK_CHAR_RE.findall(text))


def words(text: str) -> list[str]:
    """The lower-cased words of non-CJK scripts, in order.

    A word is a maximal run of word characters (Python's \\w plus combining marks) without CJK
    letters or underscores; runs without a single letter (numbers) are dropped. Each word is
    NFC-normalised, so decomposed and precomposed accents compare equal. "e-commerce" and
    "don't" are two words each: splitting on every non-word character keeps this linear and
    predictable, and the gates only compare words with words split the same way.
    """
    found = []
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if any(map(str.isalpha, word)):
            found.append(unicodedata.normalize("NFC", word).lower())
    return found


def blank_words(text: str, known: set[str]) -> str:
    """The text with each (non-CJK) word that is in `known` (as `words` spells it) made a space."""

    def blank(match: re.Match[str]) -> str:
        return " " if unicodedata.normalize("NFC", match.group()).lower() in known else match.group()

    return _WORD_RE.sub(blank, text)


def blank_cjk_runs(text: str, source: str) -> str:
    """The text with each CJK run that also occurs in `source` made a space."""
    return _CJK_RUN_RE.sub(lambda match: " " if match.group() in source else match.group(), text)


def cjk_runs(text: str) -> list[str]:
    """The maximal runs of consecutive CJK letters; punctuation, spaces, digits and Latin split them."""
    return _CJK_RUN_RE.findall(text)


@lru_cache(maxsize=32)
def _stemmer(name: str) -> SnowballStemmer:
    # Imported here: nltk takes ~0.4 s to import, which web processes that never stem should not pay.
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer(name)


def stem(word: str, language: str | None) -> str:
    """The Snowball stem of the lower-cased word in the language's stemmer.

    Languages Snowball lacks (CJK, Turkish, unknown, None) use the English stemmer: the Latin
    words that appear in such text are mostly English terms. Never downloads anything."""
    code = _language_code(language)
    name = _SNOWBALL.get(code, code if code in _SNOWBALL.values() else "english")
    return _stemmer(name).stem(word.lower())


@lru_cache(maxsize=32)
def _stop_words(code: str) -> frozenset[str]:
    # Imported here for the same reason as nltk: sumy pulls in requests.
    from sumy.utils import get_stop_words

    names = {"english", _SUMY_STOP_WORDS.get(code, "english")}
    found: set[str] = set()
    for name in names:
        try:
            found.update(get_stop_words(name))
        except LookupError:  # a sumy release without this list: English still applies
            continue
    return frozenset(
        clean
        for entry in found
        # sumy's Portuguese list holds some words as literal "n\\xe3o" escapes and some as
        # comma-joined pairs ("e, também"); repaired here so "não" is a stop word.
        for word in _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), entry).split(",")
        if (clean := unicodedata.normalize("NFC", word).strip().lower())
    )


def stop_words(language: str | None) -> frozenset[str]:
    """The language's stop words (sumy's bundled list, lower-cased) plus English's, always:
    models drift into English, and English filler must not count as content in any language.
    Unknown languages get English's alone."""
    return _stop_words(_language_code(language))


def content_words(text: str, language: str | None) -> list[str]:
    """The words of 5 or more characters that are not stop words, in order, repeats kept."""
    stops = stop_words(language)
    return [word for word in words(text) if len(word) >= 5 and word not in stops]
