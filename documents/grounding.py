"""What a section actually says, found without a model: sentences, key phrases, central sentences.

The worker puts ``section_brief`` into the model's prompt so its bullets stay anchored to the
section, and uses ``extracted_point`` as the safety net when a bullet fails the quality gates.
Everything here is offline and pure: plain strings in, plain strings out, no Django models.

Bounds (every public function; the section texts are at most ~4,000 characters anyway):

* Only the first ``MAX_TEXT_CHARS`` characters of a text are read.
* Sentence splitting runs on paragraphs cut into pieces of at most ``_CHUNK_CHARS`` characters,
  because pysbd slows down quadratically in the number of sentences it holds at once.
* Centrality (quadratic in sentences) sees at most ``MAX_CENTRAL_SENTENCES`` sentences, and
  its power iteration stops after ``_POWER_ITERATIONS`` rounds.
* Key-phrase candidates and clause cuts are a bounded number per text.

Per script (the script of the text decides, so an English section in a Chinese document is
handled as English; the given language picks among same-script languages):

* Sentences: pysbd for the languages it knows, else sentencex; then a split after the CJK end
  marks 。！？ (pysbd's English rules do not know them), each sentence whitespace-normalised.
* Key phrases: YAKE (1-3 words, no stop word inside) for spaced scripts, Korean included (its
  words are spaced; predicates are dropped and a final particle cut, "매출은" -> "매출");
  jieba's TF-IDF tags for Chinese, with adjacent tags that form one term in the text joined
  ("电商" + "平台");
  Japanese has no offline segmenter here, so runs of kanji/katakana are the candidates, ranked
  by frequency, then length, then first appearance.
* Centrality: sumy's LexRank over words from a per-script tokenizer: stemmed words without
  stop words for spaced scripts, jieba words for Chinese, character bigrams for Japanese and
  Korean (bigrams see through Korean particles and need no dictionary).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "MAX_CENTRAL_SENTENCES",
    "MAX_TEXT_CHARS",
    "central_sentences",
    "extracted_point",
    "key_phrases",
    "section_brief",
    "split_sentences",
]

# ----------------------------------------------------------------------------- bounds

# Section texts are cut to 4,000 characters (structure.SECTION_TEXT_CHARS); the slack keeps a
# caller that passes a little more from losing its tail while still bounding every step.
MAX_TEXT_CHARS = 5000
# LexRank compares every pair of sentences; 60 sentences is far more than a section holds.
MAX_CENTRAL_SENTENCES = 60
_CHUNK_CHARS = 400
_POWER_ITERATIONS = 100
_MAX_TOP = 20
# A "phrase" longer than this is a run-on token (a URL, a 5,000-letter word), not a key phrase.
_MAX_PHRASE_CHARS = 40
# extracted_point tries this many of the most central sentences before falling back to phrases.
_POINT_CANDIDATES = 3
_BRIEF_PHRASES = 5
_BRIEF_SENTENCES = 2

# The quality gates extracted_point must pass (documents/quality.py enforces them).
_POINT_WORDS = 25
_POINT_CJK_UNITS = 50
_COPY_MIN_CHARS = 40

# ----------------------------------------------------------------------------- scripts

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006"
_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_KANA = "\u3040-\u309f" + _KATAKANA
_HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_CJK = _HAN + _KANA + _HANGUL

_CJK_CHAR_RE = re.compile(f"[{_CJK}]")
_HAN_KANA_CHAR_RE = re.compile(f"[{_HAN}{_KANA}]")
_HANGUL_CHAR_RE = re.compile(f"[{_HANGUL}]")
_KANA_CHAR_RE = re.compile(f"[{_KANA}]")
# A word of any non-CJK script: letters and digits, no underscore, no CJK character.
_WORD_RE = re.compile(f"[^\\W_{_CJK}]+")
_LETTER_RE = re.compile(f"[^\\W\\d_]|[{_CJK}]")
# Tokens for the per-script tokenizer: runs of one CJK script, or a non-CJK word.
_TOKEN_RE = re.compile(
    f"(?P<han>[{_HAN}]+)|(?P<hiragana>[\u3040-\u309f]+)|(?P<katakana>[{_KATAKANA}]+)"
    f"|(?P<hangul>[{_HANGUL}]+)|(?P<word>[^\\W_{_CJK}]+)"
)
_JA_TERM_RE = re.compile(f"[{_HAN}{_KATAKANA}]{{2,}}")

_END_MARKS = ".!?。！？"
_CJK_END_MARKS = "。！？"
_CLOSERS = "”’」』）》〉】)]\"'"
# Closers that can only end something: a sentence starting with one lost it to a bad split.
_LEADING_CLOSERS = "”’」』）》〉】)]"
_OPENERS = "“‘「『（《〈【(["

_SPACE_RE = re.compile(r"\s+")
_PARAGRAPH_RE = re.compile(r"[\n\r\f\v\u2028\u2029]+")
# Where a long paragraph may be cut before pysbd sees it: after an end mark, and for "." only
# after a word of 4+ letters, so "Dr." or "e.g." stay inside their sentence.
_CHUNK_CUT_RE = re.compile(f"(?:[{_CJK_END_MARKS}!?]|(?<=[^\\W\\d_]{{4}})\\.)[{re.escape(_CLOSERS)}]*\\s*")
_CJK_SENTENCE_RE = re.compile(
    f"[^{_CJK_END_MARKS}]*[{_CJK_END_MARKS}]+[{re.escape(_CLOSERS)}]*|[^{_CJK_END_MARKS}]+"
)


def _is_cjk(text: str) -> bool:
    """CJK when its CJK characters outnumber its other words (one character weighs one word)."""
    return len(_CJK_CHAR_RE.findall(text)) >= max(1, len(_WORD_RE.findall(text)))


def _units(text: str) -> int:
    """Words, counting each CJK character as one."""
    return len(_CJK_CHAR_RE.findall(text)) + len(_WORD_RE.findall(text))


def _language(text: str, language: str | None) -> str:
    """The language code the tools get: the text's script decides CJK vs not, the caller's code
    picks within a script, and English stands in for an unknown non-CJK language."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    sample = text[:2000]
    if _is_cjk(sample):
        han_kana = len(_HAN_KANA_CHAR_RE.findall(sample))
        if len(_HANGUL_CHAR_RE.findall(sample)) > han_kana:
            return "ko"
        if code in ("zh", "ja"):
            return code
        kana = len(_KANA_CHAR_RE.findall(sample))
        # As in structure.detect_language: a few stray kana do not make Chinese Japanese.
        return "ja" if kana >= max(3, 0.1 * han_kana) else "zh"
    if code and code not in ("zh", "ja", "ko"):
        return code
    return "en"


def _clip(text: str) -> str:
    return (text or "")[:MAX_TEXT_CHARS]


# ----------------------------------------------------------------------------- libraries

# The libraries load on first use: sumy pulls in NLTK (~1 s) and jieba builds its dictionary
# (~1 s), which processes that never summarise (web, beat) should not pay for.
_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> ModuleType:
    with _jieba_lock, warnings.catch_warnings():
        # jieba 0.42 imports pkg_resources, which warns on every recent setuptools.
        warnings.simplefilter("ignore")
        import jieba
        import jieba.analyse

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
    return jieba


def _pysbd_segmenter(language: str) -> Any:
    """A fresh pysbd segmenter (it keeps the last text on itself, so threads must not share one),
    or None when pysbd does not know the language."""
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    if language not in LANGUAGE_CODES:
        return None
    return pysbd.Segmenter(language=language, clean=False)


@lru_cache(maxsize=32)
def _stop_words(language: str) -> frozenset[str]:
    """sumy's stop-word list for the language (shipped with the package), else none."""
    from sumy.utils import get_stop_words

    try:
        return frozenset(word.lower() for word in get_stop_words(language))
    except LookupError:
        return frozenset()


@lru_cache(maxsize=32)
def _stemmer(language: str) -> Callable[[str], str]:
    """A Snowball stemmer (NLTK code, no data files) for the language, else lower-casing."""
    from sumy.nlp.stemmers import Stemmer, null_stemmer

    try:
        return Stemmer(language)
    except LookupError:
        return null_stemmer


# ----------------------------------------------------------------------------- sentences


def _chunks(paragraph: str) -> Iterable[str]:
    """Pieces of at most _CHUNK_CHARS, cut after a sentence end when there is one (else hard)."""
    while len(paragraph) > _CHUNK_CHARS:
        cut = 0
        for match in _CHUNK_CUT_RE.finditer(paragraph, 0, _CHUNK_CHARS):
            cut = match.end()
        if cut <= 0:
            space = paragraph.rfind(" ", _CHUNK_CHARS // 2, _CHUNK_CHARS)
            cut = space + 1 if space > 0 else _CHUNK_CHARS
        yield paragraph[:cut]
        paragraph = paragraph[cut:]
    yield paragraph


def _segment(chunk: str, language: str) -> list[str]:
    segmenter = _pysbd_segmenter(language)
    if segmenter is not None:
        return [str(piece) for piece in segmenter.segment(chunk)]
    import sentencex

    return list(sentencex.segment(language, chunk))


def _split(text: str, language: str) -> tuple[str, ...]:
    pieces: list[str] = []
    for paragraph in _PARAGRAPH_RE.split(text):
        paragraph = _SPACE_RE.sub(" ", paragraph).strip()
        if not paragraph:
            continue
        for chunk in _chunks(paragraph):
            for segment in _segment(chunk, language):
                pieces.extend(match.group() for match in _CJK_SENTENCE_RE.finditer(segment))
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        # pysbd leaves a closing quote after 。！？ at the start of the next sentence.
        closers = len(piece) - len(piece.lstrip(_LEADING_CLOSERS))
        if closers and sentences:
            sentences[-1] += piece[:closers]
            piece = piece[closers:].strip()
        if piece:
            sentences.append(piece)
    # A piece without a letter ("12.", "—") is list numbering or decoration, not a sentence.
    return tuple(sentence for sentence in sentences if _LETTER_RE.search(sentence))


@lru_cache(maxsize=64)
def _sentences(text: str, language: str) -> tuple[str, ...]:
    return _split(text, language)


def split_sentences(text: str, language: str | None) -> list[str]:
    """The sentences of the first MAX_TEXT_CHARS characters, in order: stripped, whitespace
    collapsed to single spaces, never empty, each holding at least one letter. Line breaks
    always end a sentence (a docx paragraph is never joined to the next)."""
    text = _clip(text)
    return list(_sentences(text, _language(text, language)))


# ----------------------------------------------------------------------------- centrality


class _Words:
    """sumy's tokenizer protocol (``to_words``) for any script: stemmed non-stop words for spaced
    scripts, jieba words for Chinese, character bigrams for Japanese and Korean."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._stop = _stop_words(language)
        self._stem = _stemmer(language)
        self._memo: dict[str, tuple[str, ...]] = {}

    def to_words(self, text: str) -> tuple[str, ...]:
        if text not in self._memo:
            self._memo[text] = self._words(text)
        return self._memo[text]

    def _words(self, text: str) -> tuple[str, ...]:
        words: list[str] = []
        for match in _TOKEN_RE.finditer(text):
            kind, token = match.lastgroup, match.group()
            if kind == "word":
                token = token.lower()
                if not token.isdigit() and token not in self._stop:
                    words.append(self._stem(token))
            elif kind == "han" and self.language == "zh":
                words.extend(
                    word for word in _jieba().lcut(token) if word not in self._stop and len(word) > 1
                )
            elif kind == "hiragana":
                continue  # particles and endings: grammar, not content
            else:
                words.extend(_bigrams(token))
        return tuple(words)


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] or [run]


@lru_cache(maxsize=1)
def _lexrank_class() -> type:
    from sumy.summarizers.lex_rank import LexRankSummarizer

    class LexRank(LexRankSummarizer):
        """sumy's LexRank (its tf, cosine and threshold) with the repairs a short section needs:

        * a smoothed idf: sumy's log(N / (1 + n)) is zero or negative for a term in half the
          sentences, which in a section is exactly its topic; counted in one pass;
        * no self-links and a damping factor, as in Erkan & Radev: with sumy's self-links an
          off-topic sentence keeps its starting score and outranks on-topic ones;
        * a power iteration that always ends (at most _POWER_ITERATIONS rounds).
        """

        damping = 0.15

        @staticmethod
        def _compute_idf(sentences: Sequence[Sequence[str]]) -> dict[str, float]:
            count = len(sentences)
            seen = Counter(term for sentence in sentences for term in set(sentence))
            return {term: math.log((1 + count) / (1 + n)) + 1 for term, n in seen.items()}

        def rate(self, document: Any) -> list[float]:
            import numpy

            words = [self._to_words_set(sentence) for sentence in document.sentences]
            tf, idf = self._compute_tf(words), self._compute_idf(words)
            size = len(words)
            links = numpy.zeros((size, size))
            for row in range(size):
                for col in range(row + 1, size):
                    similarity = self.cosine_similarity(words[row], words[col], tf[row], tf[col], idf)
                    if similarity > self.threshold:
                        links[row, col] = links[col, row] = 1.0
            degrees = links.sum(axis=1, keepdims=True)
            # A sentence linked to none spreads its score evenly (the usual dangling-node rule).
            transition = numpy.where(degrees > 0, links / numpy.maximum(degrees, 1), 1.0 / size)
            scores = numpy.full(size, 1.0 / size)
            for _ in range(_POWER_ITERATIONS):
                following = self.damping / size + (1 - self.damping) * transition.T.dot(scores)
                done = numpy.abs(following - scores).sum() < 1e-9
                scores = following
                if done:
                    break
            return [float(score) for score in scores]

    return LexRank


def _lexrank_scores(sentences: Sequence[str], tokenizer: _Words) -> list[float]:
    """LexRank centrality of each sentence (len(sentences) <= MAX_CENTRAL_SENTENCES)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    document = ObjectDocumentModel([Paragraph([Sentence(text, tokenizer) for text in sentences])])
    summarizer = _lexrank_class()()
    return summarizer.rate(document)


@lru_cache(maxsize=64)
def _ranked(text: str, language: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The sentences and the indexes of the first MAX_CENTRAL_SENTENCES distinct ones, most
    central first (ties: earlier first). Sentences without a content word are not ranked."""
    sentences = _sentences(text, language)
    tokenizer = _Words(language)  # shared with LexRank, so each sentence is tokenized once
    candidates: list[int] = []
    seen: set[str] = set()
    for index, sentence in enumerate(sentences):
        if len(candidates) >= MAX_CENTRAL_SENTENCES:
            break
        if sentence not in seen and tokenizer.to_words(sentence):
            seen.add(sentence)
            candidates.append(index)
    if len(candidates) <= 1:
        return sentences, tuple(candidates)
    scores = _lexrank_scores([sentences[index] for index in candidates], tokenizer)
    # Rounded so float noise cannot beat document order between equally central sentences.
    order = sorted(range(len(candidates)), key=lambda i: (-round(scores[i], 9), i))
    return sentences, tuple(candidates[i] for i in order)


def central_sentences(text: str, language: str | None, count: int = 2) -> list[str]:
    """The `count` most central sentences (LexRank) in document order. A text with no more than
    `count` sentences returns them all; only the first MAX_CENTRAL_SENTENCES are ranked."""
    text = _clip(text)
    language = _language(text, language)
    sentences = _sentences(text, language)
    count = max(0, min(count, MAX_CENTRAL_SENTENCES))
    if len(sentences) <= count:
        return list(sentences)
    _, order = _ranked(text, language)
    return [sentences[index] for index in sorted(order[:count])]


# ----------------------------------------------------------------------------- key phrases


def _dedupe(phrases: Iterable[str], spaced: bool) -> list[str]:
    """Drop a phrase that contains, or is contained in, a better (earlier) one, ignoring case:
    "pediatric care received" adds nothing after "pediatric care"."""
    kept: list[str] = []
    for phrase in phrases:
        folded = f" {phrase.casefold()} " if spaced else phrase.casefold()
        overlaps = False
        for better in kept:
            other = f" {better.casefold()} " if spaced else better.casefold()
            if folded in other or other in folded:
                overlaps = True
                break
        if not overlaps:
            kept.append(phrase)
    return kept


def _usable(phrase: str) -> bool:
    return bool(_LETTER_RE.search(phrase)) and len(phrase) <= _MAX_PHRASE_CHARS


@lru_cache(maxsize=32)
def _yake_stop_words(language: str) -> frozenset[str] | None:
    """None (YAKE's own list) when YAKE has one for the language; else sumy's, e.g. Korean."""
    import yake

    own = Path(yake.__file__).parent / "core" / "StopwordsList" / f"stopwords_{language[:2]}.txt"
    return None if own.exists() else (_stop_words(language) or None)


def _yake_phrases(text: str, language: str, top: int) -> list[str]:
    import yake

    extractor = yake.KeywordExtractor(lan=language, n=3, top=top * 4, stopwords=_yake_stop_words(language))
    stop = frozenset(extractor.stopword_set)
    phrases = []
    for phrase, _score in extractor.extract_keywords(text):
        words = phrase.lower().split()
        # YAKE keeps stop words inside a phrase ("approved the annual"): not a key phrase.
        if _usable(phrase) and not any(word in stop for word in words):
            phrases.append(_korean_noun_phrase(phrase) if language == "ko" else phrase)
    return [phrase for phrase in phrases if phrase]


# Korean words carry their particles ("매출은", "회의가") and predicates end a sentence
# ("증가했습니다"): a key phrase is the noun phrase, so predicates go and a final particle is cut.
_KO_PREDICATE_RE = re.compile(r"(?:다|요|까|죠|니다)$")
_KO_PARTICLE_RE = re.compile(
    r"(?<=[\uac00-\ud7af]{2})(?:에서|에게|으로|부터|까지|보다|처럼|은|는|이|가|을|를|의|에|로|와|과|도|만)$"
)


def _korean_noun_phrase(phrase: str) -> str:
    """The phrase without a final particle; "" for a predicate. Still a substring of the text."""
    if _KO_PREDICATE_RE.search(phrase):
        return ""
    for _ in range(2):  # particles stack: "내년에는"
        phrase = _KO_PARTICLE_RE.sub("", phrase)
    return phrase


def _chinese_phrases(text: str, top: int) -> list[str]:
    jieba = _jieba()
    stop = _stop_words("zh")
    tags = [
        tag
        for tag in jieba.analyse.extract_tags(text, topK=min(top * 3, 30))
        if _usable(tag) and tag not in stop and not tag.isdigit()
    ]
    # jieba cuts terms finer than readers do ("电商平台" -> "电商", "平台"): two tags that are
    # adjacent in most places either occurs become one phrase, ranked where the better one was.
    phrases: list[str] = []
    used: set[str] = set()
    for tag in tags:
        if tag in used:
            continue
        for other in tags:
            if other == tag or other in used:
                continue
            for joined in (tag + other, other + tag):
                if len(joined) <= _MAX_PHRASE_CHARS and 2 * text.count(joined) >= text.count(tag):
                    phrases.append(joined)
                    used.update((tag, other))
                    break
            if tag in used:
                break
        if tag not in used:
            phrases.append(tag)
            used.add(tag)
    return phrases


def _japanese_phrases(text: str) -> list[str]:
    stop = _stop_words("ja")
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for match in _JA_TERM_RE.finditer(text):
        term = match.group()
        if term in stop or len(term) > _MAX_PHRASE_CHARS:
            continue
        counts[term] += 1
        first.setdefault(term, match.start())
    return sorted(counts, key=lambda term: (-counts[term], -len(term), first[term]))


@lru_cache(maxsize=64)
def _phrases(text: str, language: str, top: int) -> tuple[str, ...]:
    if top <= 0 or not _LETTER_RE.search(text):
        return ()
    if language == "zh":
        found, spaced = _chinese_phrases(text, top), False
    elif language == "ja":
        found, spaced = _japanese_phrases(text), False
    else:
        found, spaced = _yake_phrases(text, language, top), True
    return tuple(_dedupe(found, spaced)[:top])


def key_phrases(text: str, language: str | None, top: int = 5) -> list[str]:
    """Up to `top` (at most 20) key phrases, best first, each a surface string of the text of at
    most 40 characters, none contained in a better one."""
    text = _clip(text)
    return list(_phrases(text, _language(text, language), max(0, min(top, _MAX_TOP))))


def section_brief(text: str, language: str | None) -> tuple[list[str], list[str]]:
    """(key phrases, central sentences) for the model's prompt, from one analysis of the text;
    extracted_point on the same text afterwards reuses it (the results are cached)."""
    return key_phrases(text, language, _BRIEF_PHRASES), central_sentences(text, language, _BRIEF_SENTENCES)


# ----------------------------------------------------------------------------- extracted point

_CONNECTIVES = (
    # English, then Portuguese, Spanish, French, German (only with their comma: German puts the
    # verb right after them, so stripping them without one would leave a broken sentence).
    r"however|in addition|additionally|moreover|furthermore|therefore|thus|hence|consequently"
    r"|as a result|in conclusion|in summary|overall|finally|first|firstly|second|secondly|third"
    r"|lastly|meanwhile|nevertheless|nonetheless|in contrast|on the other hand|for example"
    r"|for instance|in particular|notably|importantly|also|besides|still|then|indeed"
    r"|além disso|no entanto|portanto|assim|contudo|entretanto|por exemplo|por fim|desta forma"
    r"|sin embargo|además|por lo tanto|por ejemplo|finalmente|cependant|de plus|en outre"
    r"|par exemple|ainsi|enfin|donc|toutefois|außerdem|jedoch|zudem|darüber hinaus|daher"
    r"|allerdings|schließlich"
)
_LEADING_CONNECTIVE_RE = re.compile(
    rf"^(?:(?:{_CONNECTIVES})\s*,\s*|(?:and|but|yet)\s+"
    # Chinese: these never start a clause's subject; the second group can ("最后一个季度"), so
    # only goes with its comma.
    r"|(?:此外|但是|然而|可是|因此|所以|因而|于是|与此同时|而且|并且|总之|综上所述|总而言之|另一方面"
    r"|事实上|实际上)\s*[，,、]?\s*"
    r"|(?:另外|同时|首先|其次|再次|最后|例如|比如|不过)\s*[，,、]\s*"
    r"|(?:しかし|また|さらに|そのため|したがって|一方|なお|ただし|例えば|つまり|まず|次に|最後に)\s*[、，,]\s*"
    r"|(?:그러나|또한|하지만|따라서|그리고|게다가|한편|그래서|예를 들어)\s*,?\s+)",
    re.IGNORECASE,
)
# Parenthetical asides and citations: "(see Appendix B)", "(Smith, 2020)", "[12]", "【注】".
_ASIDE_RE = re.compile(r"\s*(?:\([^()]{0,200}\)|（[^（）]{0,200}）|\[[^\[\]]{0,60}\]|【[^【】]{0,60}】)")
# Sentences that start like this need their main clause: "Although costs rose." misleads.
_SUBORDINATE_RE = re.compile(
    r"^(?:although|though|while|whereas|if|when|because|since|unless|as|after|before"
    r"|embora|quando|porque|se|aunque|cuando|bien que|quand|lorsque|puisque|obwohl|wenn|weil|als)\b"
    r"|^(?:虽然|尽管|如果|假如|因为|由于|当)",
    re.IGNORECASE,
)
# Clause ends: ; and full-width ，；： always, "," and ":" only before a space (not "1,000",
# "10:30"); the Japanese comma 、 only in Japanese, where it is the clause comma (in Chinese it
# separates list items).
# Arabic script has its own comma and semicolon (،؛).
_CLAUSE_RE = re.compile(r"[;；，：،؛]|[,:](?=\s)")
_JA_CLAUSE_RE = re.compile(r"[;；，：、]|[,:](?=\s)")
_TRAILING_RE = re.compile(rf"[\s,;:，；：、…\-–—{re.escape(_OPENERS)}]+$|\.\.\.$")
_PAIRS = ("()", "（）", "“”", "「」", "『』", "《》", "【】", "[]")


@dataclass(frozen=True)
class _Target:
    """What a point for one text must be: its script (CJK or not), its full stop, and the source
    pieces it must not copy."""

    language: str
    cjk: bool
    stop: str
    pieces: tuple[str, ...]

    @classmethod
    def of(cls, text: str, language: str, sentences: Sequence[str]) -> _Target:
        # The copy gate splits the source on . ! ? 。！？ ; ； and line breaks ("e.g." included),
        # which gives shorter pieces than real sentences; both kinds are checked. Linear in text.
        pieces = {_SPACE_RE.sub(" ", piece).strip() for piece in _COPY_SPLIT_RE.split(text)}
        pieces.update(sentence.rstrip(_END_MARKS + _CLOSERS + " ") for sentence in sentences)
        cjk = language in ("zh", "ja", "ko")
        return cls(
            language=language,
            cjk=cjk,
            stop="。" if language in ("zh", "ja") else ".",  # Korean uses Western stops
            pieces=tuple(piece for piece in pieces if len(piece) >= _COPY_MIN_CHARS),
        )

    def fits_script(self, text: str) -> bool:
        """The language gate: at least half the letters CJK for CJK text, at most 10 % otherwise."""
        share = _cjk_share(text)
        return share >= 0.5 if self.cjk else share <= 0.1

    def fits_length(self, text: str) -> bool:
        cjk, words = len(_CJK_CHAR_RE.findall(text)), len(_WORD_RE.findall(text))
        if self.cjk:
            return cjk <= _POINT_CJK_UNITS and words <= _POINT_WORDS
        return cjk + words <= _POINT_WORDS

    def copied(self, point: str) -> bool:
        """Source pieces of 40+ characters found verbatim cover at least half the point."""
        spans = []
        for piece in self.pieces:
            start = point.find(piece) if len(piece) <= len(point) else -1
            while start != -1:
                spans.append((start, start + len(piece)))
                start = point.find(piece, start + len(piece))
        covered = reach = 0
        for start, end in sorted(spans):
            if end > reach:
                covered += end - max(start, reach)
                reach = end
        return 2 * covered >= len(point)

    def accepts(self, point: str) -> bool:
        return (
            bool(point)
            and self.fits_length(point)
            and self.fits_script(point)
            and _balanced(point)
            and not _repeats(point)
            and not self.copied(point)
        )


_COPY_SPLIT_RE = re.compile(r"[.!?。！？;；\n]")


def _cjk_share(text: str) -> float:
    cjk = len(_CJK_CHAR_RE.findall(text))
    letters = sum(map(str.isalpha, text))
    return cjk / letters if letters else 0.0


def _repeats(text: str) -> bool:
    """True when a word 3-gram occurs twice; a CJK character counts as a word, numbers do not.
    (Stricter than the loop gate's three times, so a point never comes near it.)"""
    tokens = [
        token.lower()
        for token in re.findall(f"[{_CJK}]|[^\\W_{_CJK}]+", text)
        if any(map(str.isalpha, token))
    ]
    grams = list(zip(tokens, tokens[1:], tokens[2:], strict=False))
    return len(set(grams)) < len(grams)


def _balanced(text: str) -> bool:
    return all(text.count(left) == text.count(right) for left, right in _PAIRS) and text.count('"') % 2 == 0


def _capitalised(text: str) -> str:
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
    return text


def _condensed(sentence: str) -> str:
    """The sentence without asides, citations or a leading connective, whitespace normalised."""
    text = _ASIDE_RE.sub("", sentence)
    for _ in range(2):  # "However, in addition, ..." loses both
        text = _LEADING_CONNECTIVE_RE.sub("", text.strip(), count=1)
    text = _SPACE_RE.sub(" ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)  # the space an aside left before punctuation
    return _capitalised(text) if text != sentence.strip() else text


def _finished(fragment: str, stop: str) -> str:
    """The fragment ending in one sentence-final mark: its own . ! ? 。！？ or the script's stop."""
    body = fragment.rstrip()
    while True:
        trimmed = _TRAILING_RE.sub("", body)
        if trimmed == body:
            break
        body = trimmed
    if not body:
        return ""
    if body[-1] in _END_MARKS:
        return body
    # '"Yes."' or “好。” ends in a quote: put the mark after it so the point ends in one.
    inner = body.rstrip(_CLOSERS)
    if inner != body and inner and inner[-1] in _END_MARKS:
        return inner.rstrip(_END_MARKS) + body[len(inner) :] + inner[-1]
    return body + stop


def _point_from_sentence(sentence: str, target: _Target) -> str:
    condensed = _condensed(sentence)
    if not condensed:
        return ""
    whole = _finished(condensed, target.stop)
    if target.accepts(whole):
        return whole
    # Cut at a clause end so the point is no longer the whole sentence and fits: the longest
    # prefix that does, with a main clause in it and enough words to say something.
    clause_re = _JA_CLAUSE_RE if target.language == "ja" else _CLAUSE_RE
    ends = [match.start() for match in clause_re.finditer(condensed)][:50]
    minimum = 6 if target.cjk else 4
    skip = 1 if _SUBORDINATE_RE.match(condensed) else 0
    for end in reversed(ends[skip:]):
        prefix = condensed[:end]
        if _units(prefix) < minimum:
            break
        point = _finished(prefix, target.stop)
        if target.accepts(point):
            return point
    return ""


def _point_from_phrases(phrases: Sequence[str], target: _Target) -> str:
    separator = "；" if target.stop == "。" else "; "
    chosen: list[str] = []
    for phrase in phrases:
        if target.accepts(separator.join([*chosen, phrase]) + target.stop):
            chosen.append(phrase)
        if len(chosen) == 3:
            break
    return _capitalised(separator.join(chosen)) + target.stop if chosen else ""


def extracted_point(text: str, language: str | None, *, phrases: bool = True) -> str:
    """A bullet taken from the text itself, for when the model's bullet fails the quality gates.

    Guarantees, for any input: "" when the text has no letters (or nothing usable, such as one
    5,000-letter word); otherwise a point in the text's script (for CJK text at least half its
    letters CJK and at most 50 CJK characters; otherwise under 10 % CJK and at most 25 words,
    each CJK character counted as a word), ending in . ! ? 。 ！ or ？ (never "…"), made only of
    the text's own words, with no word 3-gram twice, and with source pieces of 40+ characters
    (sentences, or the gate's pieces split also at ; and ；) covering less than half of it.

    It is one of the most central sentences, condensed (asides, citations and leading
    connectives dropped) and if needed cut at a clause end; failing that, up to three key
    phrases joined ("Budget approval; cardiology funds." / "电商平台；线上销售。"), unless
    `phrases` is false (a solved example in a prompt must be a sentence: a model copies a list).
    """
    text = _clip(text)
    if not _LETTER_RE.search(text):
        return ""
    language = _language(text, language)
    sentences, order = _ranked(text, language)
    target = _Target.of(text, language, sentences)
    tried = 0
    for index in order:
        sentence = sentences[index]
        if not target.fits_script(sentence):
            continue  # a quoted English sentence is no bullet for a Chinese section
        point = _point_from_sentence(sentence, target)
        if point:
            return point
        tried += 1
        if tried == _POINT_CANDIDATES:
            break
    if not phrases:
        return ""
    return _point_from_phrases(_phrases(text, language, _BRIEF_PHRASES), target)
