"""The outline a reader sees in a document without heading styles.

Many documents are typed in "Normal" with direct formatting: their headings are short lines set
apart by numbering ("第一章", "Artículo 3", "§ 4", "1.2"), by weight, size or centring, and by the
body text that follows them. `find_headings` reads the document's blocks in reading order, each
a `Line` (a paragraph's text and layout, or a table), and returns which lines are headings, at
which raw level, and which leading lines are the document's title and subtitle.

The rules, in the order they apply:

* A candidate is a short line, not ending like a sentence, that carries a heading label in one of
  the languages below, or at least one layout signal: bold (unless most of the text is bold),
  larger type, centred (unless most lines are), in capitals, set apart by space or a page break.
* A label alone on its line ("CAPÍTULO I", "第１条") takes the short line after it as its caption:
  the pair is one heading, the label's.
* A candidate is a heading when body text follows it: runs of same-kind candidates with nothing
  between them are a list or a typed table of contents, and a line whose section has no body
  (a signature block, a closing date) is not a heading. A table is body: headings separated
  only by a table stay headings.
* Lines repeated later as headings, before any body, are a typed table of contents.
* Layout-only lines at the very top, before any body and unlike the headings below them, are the
  title and subtitle.
* Levels: larger type is shallower; at one size, a label's own rank (part > chapter > section >
  article > "一、" > "1." > "1.1" ...) decides, and a layout-only line takes the level of the
  labelled headings that look like it.

Every step is one pass, or a pass with a bounded look-ahead: linear in the number of lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from statistics import median

from documents.textkit import cjk_count, is_cjk_char

__all__ = ["Found", "Line", "find_headings", "heading_label"]


@dataclass(frozen=True, slots=True)
class Line:
    """One block of the document as the heuristic sees it."""

    text: str = ""  # whitespace-collapsed; "" for an empty paragraph
    bold: bool = False  # at least two thirds of the visible text is bold
    size: float = 0.0  # the smallest visible run's size, in points
    centred: bool = False
    right: bool = False  # right-aligned: a date, a signature, a letterhead's address
    italic: bool = False  # (at least two thirds of the text, as for bold and underline)
    underline: bool = False
    space_before: int = 0  # twentieths of a point
    page_break: bool = False  # starts a new page
    list_item: bool = False  # Word's own list numbering (w:numPr)
    table: bool = False  # a table rather than a paragraph
    contents_entry: bool = False  # ends in a tab and a page number, as a typed contents line does


@dataclass
class Found:
    levels: dict[int, int] = field(default_factory=dict)  # line position -> raw level (1 = top)
    titles: list[int] = field(default_factory=list)  # positions of the title (and subtitle) lines


@dataclass(frozen=True, slots=True)
class Label:
    kind: str
    rank: float  # shallower first
    strong: bool  # a structural word (chapter, article, 第…章): a heading on its own
    whole: bool  # the label is the whole line: its caption, if any, is the next line
    caption_words: int


# ----------------------------------------------------------------------------- labels

_ROMAN = r"(?:M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
_ORDINALS = (
    # en
    "one two three four five six seven eight nine ten eleven twelve first second third fourth fifth "
    "sixth seventh eighth ninth tenth eleventh twelfth "
    # fr
    "premier première premiere deuxième deuxieme seconde troisième quatrième cinquième sixième "
    "septième huitième neuvième dixième unique préliminaire preliminaire "
    # es, pt, it
    "primero primera segundo segunda tercero tercera cuarto cuarta quinto quinta sexto sexta "
    "séptimo séptima octavo octava noveno novena décimo décima único única preliminar "
    "primeiro primeira terceiro terceira sétimo sétima oitavo oitava nono nona "
    "primo prima secondo seconda terzo terza sesto sesta settimo settima ottavo ottava decimo "
    "decima unico preliminare "
    # de (also before the word: "Erster Teil")
    "erster erste erstes zweiter zweite dritter dritte vierter vierte fünfter fünfte sechster "
    "sechste siebter siebte achter achte neunter neunte zehnter zehnte "
    # ru
    "первая первый первое вторая второй второе третья третий третье четвертая четвёртая "
    "четвертый пятая пятый шестая шестой седьмая восьмая девятая десятая общая особенная"
)
_ORD = "|".join(sorted((re.escape(word) for word in _ORDINALS.split()), key=len, reverse=True))
# Structural words, by the kind of division they name.
_WORDS = {
    "part": "part book title volume título titulo libro livro parte partie livre titre teil buch titel "
    "titolo часть раздел книга том deel dział część kısım phần bagian část",
    "chapter": "chapter chap. capítulo capitulo cap. chapitre kapitel capitolo capo глава hoofdstuk rozdział "
    "bab chương bölüm hlava kapitola",
    "annex": "annex appendix schedule anexo annexe anhang anlage allegato приложение bijlage",
    "section": "section sección seccion seção secção secao sezione abschnitt afdeling параграф mục oddíl "
    "oddział avsnitt",
    "subsection": "subsection subsección subseção subsecção sous-section unterabschnitt подраздел",
    "article": "article art. artículo articulo artigo artikel articolo статья ст. artykuł điều pasal madde "
    "článek",
    "clause": "clause cláusula clausula clausola klausel пункт",
}
_KIND_OF_WORD = {word: kind for kind, words in _WORDS.items() for word in words.split()}
_WORD = "|".join(sorted((re.escape(w) for w in _KIND_OF_WORD), key=len, reverse=True))
# A number: arabic ("12", "1.2", "3a"), Roman in capitals ("IV"; "di" is a word) or one letter
# ("Annex B"); then an ordinal ending ("1º", "Ier", "2e") and no more letters.
_NUM = rf"(?:\d{{1,4}}(?:\.\d{{1,4}})*[a-z]?|(?-i:(?=[IVXLCDM]){_ROMAN})|[a-z])"
_SUFFIX = r"(?:\.?º|°|ª|er|re|ème|e|o)?(?![^\W\d_])"
_SEP = r"[\s.:\-–—)）]*"
# The word, then a space, or straight on to a number after a dotted abbreviation ("Art.1").
_AFTER_WORD = r"(?:\s+|(?<=\.)\s*|(?=\d))"
_WORD_LABEL_RE = re.compile(rf"^({_WORD}){_AFTER_WORD}(?:{_NUM}{_SUFFIX}|(?:{_ORD})\b){_SEP}", re.IGNORECASE)
_ORD_WORD_RE = re.compile(rf"^(?:{_ORD})\s+({_WORD})\b{_SEP}", re.IGNORECASE)
# Items numbered by an ordinal word in capitals, as Spanish and Portuguese minutes and rulings are:
# "PRIMERO.- Lectura del acta", "SEGUNDO. Aprobación", "ÚNICO:".
_ORDINAL_ITEM_RE = re.compile(rf"^({_ORD})(?:\.-|\.|:|\s[-–—])\s*(?=\S)", re.IGNORECASE)
_PARAGRAPH_SIGN_RE = re.compile(r"^§§?\s*\d{1,4}[a-z]?\b" + _SEP)
# Spanish statutes end with "Disposición adicional primera", "Disposición final única".
_DISPOSITION_RE = re.compile(
    rf"^disposici[oó]n\s+(?:adicional|transitoria|derogatoria|final)(?:\s+(?:{_ORD}|\d+))?\b" + _SEP,
    re.IGNORECASE,
)

_CN = "0-9一二三四五六七八九十百千零〇两壹贰叁肆伍陆柒捌玖拾"
_CJK_KIND = {
    **dict.fromkeys("编編篇部卷", "part"),
    "部分": "part",
    **dict.fromkeys("章课課", "chapter"),
    **dict.fromkeys("节節", "section"),
    **dict.fromkeys("条條", "article"),
    **dict.fromkeys("款项項", "clause"),
}
_CJK_LABEL_RE = re.compile(rf"^第\s*[{_CN}]+\s*(部分|[编編篇部卷章课課节節条條款项項])" + _SEP)
# Numbered items that divide Chinese documents: 案例一 (case), 附件1 (attachment), 专题二 (topic).
_CJK_ITEM_RE = re.compile(rf"^(案例|专题|專題|议题|議題|任务|任務|附件|附录|附錄|附表)\s*[{_CN}]+[、.:：\s]*")
_CJK_ITEM_KIND = {"附件": "annex", "附录": "annex", "附錄": "annex", "附表": "annex"}
_KO_KIND = {
    "편": "part",
    "장": "chapter",
    "절": "section",
    "관": "subsection",
    "조": "article",
    "항": "clause",
}
_KO_LABEL_RE = re.compile(r"^제\s*\d{1,4}\s*([편장절관조항])(?:의\s*\d+)?" + _SEP)
_BRACKET_RE = re.compile(r"^[【〔［\[]([^】〕］\]]{1,40})[】〕］\]]\s*")

_RANKS = {
    "part": 0.0,
    "chapter": 1.0,
    "annex": 1.0,
    "bracket": 1.5,
    "item": 1.8,
    "section": 2.0,
    "subsection": 3.0,
    "article": 4.0,
    "ordinal": 4.5,
    "clause": 5.0,
    "roman": 5.5,
    "cn_enum": 6.0,
    "letter": 7.0,
    "cn_paren": 8.0,
    "arabic": 9.0,  # + 0.1 per level of depth: 1. > 1.1 > 1.1.1
    "arabic_paren": 10.0,
    "paren_arabic": 11.0,
    "ko_letter": 12.0,
    "lower_letter": 13.0,
    "circled": 14.0,
}
# Weaker labels: enumerations that also number list items.
_WEAK = [
    ("roman", re.compile(rf"^(?=[IVXLC]){_ROMAN}\s*[.)、．:\-–—]\s*(?=\S)")),
    ("cn_enum", re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]\s*")),
    ("cn_paren", re.compile(r"^[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]\s*")),
    ("arabic_paren", re.compile(r"^\d{1,3}\s*[)）]\s*(?=\S)")),
    ("paren_arabic", re.compile(r"^[(（]\s*\d{1,3}\s*[)）]\s*(?=\S)")),
    ("ko_letter", re.compile(r"^[가나다라마바사아자차카타파하]\s*[.)]\s*(?=\S)")),
    ("letter", re.compile(r"^[A-Z][.)]\s+(?=\S)")),
    ("lower_letter", re.compile(r"^\(?[a-z][.)]\s+(?=\S)")),
]
# "1." / "1、" / "1.1 x" / "1.1.1 x" (depth 1 needs the delimiter, or "2 apples" would match).
_ARABIC_RE = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,5})(?:\.(?!\d)|、|(?=\s))\s*(?=\S)")
_CIRCLED_RE = re.compile(r"^[\u2460-\u2473\u3251-\u325f]")


def _words(text: str) -> int:
    return len(text.split())


def heading_label(text: str) -> Label | None:
    """The heading label `text` starts with ("Capítulo II", "第１条", "§ 3", "1.2", "一、"), if any."""
    if _CIRCLED_RE.match(text):
        return Label("circled", _RANKS["circled"], False, False, _words(text) - 1)
    norm = unicodedata.normalize("NFKC", text)
    strong: tuple[str, str] | None = None
    if (match := _WORD_LABEL_RE.match(norm)) or (match := _ORD_WORD_RE.match(norm)):
        strong = (_KIND_OF_WORD[match.group(1).lower()], norm[match.end() :])
    elif (match := _PARAGRAPH_SIGN_RE.match(norm)) or (match := _DISPOSITION_RE.match(norm)):
        strong = ("article", norm[match.end() :])
    elif (match := _ORDINAL_ITEM_RE.match(norm)) and match.group(1).isupper():
        strong = ("ordinal", norm[match.end() :])
    elif match := _CJK_ITEM_RE.match(norm):
        strong = (_CJK_ITEM_KIND.get(match.group(1), "item"), norm[match.end() :])
    elif match := _CJK_LABEL_RE.match(norm):
        strong = (_CJK_KIND[match.group(1)], norm[match.end() :])
    elif match := _KO_LABEL_RE.match(norm):
        strong = (_KO_KIND[match.group(1)], norm[match.end() :])
    elif (match := _BRACKET_RE.match(norm)) and len(norm) - match.end() <= 20:
        strong = ("bracket", norm[match.end() :])
    if strong is not None:
        kind, caption = strong
        caption = caption.strip()
        # "제1조(목적)", "第１条（目的）": a caption in brackets right after the label is still the label.
        whole = not caption or bool(re.fullmatch(r"[(（][^)）]{1,20}[)）]", caption))
        return Label(kind, _RANKS[kind], True, whole, _words(caption))
    if (match := _ARABIC_RE.match(norm)) and not (
        "." not in match.group(1) and match.group(0).rstrip() == match.group(1)
    ):  # "2 apples" is no heading: a single number needs its "." or "、"
        depth = match.group(1).count(".") + 1
        return Label(f"arabic{depth}", _RANKS["arabic"] + 0.1 * depth, False, False, _words(norm) - 1)
    for kind, pattern in _WEAK:
        if match := pattern.match(norm):
            return Label(kind, _RANKS[kind], False, False, _words(norm[match.end() :]))
    return None


# ----------------------------------------------------------------------------- lines

_SENTENCE_END = set(".。!！?？;；:：,，、…")
_LETTER_RE = re.compile(r"[^\W\d_]")
_BULLET_RE = re.compile(r"^[-–—•·●▪◦*+]\s")
_BULLET_RE = re.compile(r"^[-–—•·●▪◦*+]\s")
_WORD_RE = re.compile(r"[^\W\d_]{3,}")  # a word of three letters or more (not "JM/ah")
_CASED_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")
# A typed table of contents: dot leaders then a page number.
_LEADER_RE = re.compile(r"(?:\.{3,}|…{2,}|·{3,}|_{3,}|-{4,})\s*\d{1,4}\s*$")
_PAGE_NUMBER_RE = re.compile(r"[\s.…·_\-]*\d{1,4}\s*$")
_BRACKETED_RE = re.compile(r"[(（][^)）]{1,30}[)）]")
# Longest candidate: in characters with CJK counted twice (about the width on a page), in words.
MAX_WIDTH = 120
MAX_WORDS = 16
# A line at least this wide is prose even without a full stop; how far to look for a section's.
PROSE_WIDTH = 40
LOOK_AHEAD = 60
LIST_LINES = 3  # short lines that make a section's body (a list) where no line is prose


# Lines that are never section headings: a letter's subject line, a table's or figure's caption,
# an equation.
_NOT_HEADING_RE = re.compile(
    r"^(?:re|subject|subj|betreff|objet|asunto|assunto|oggetto|тема|件名|主题|主題|事由)\s*[:：]"
    r"|^(?:table|figure|fig\.|tabla|figura|tableau|tabelle|abbildung|abb\.|tabella|tabela|таблица|рисунок|рис\.)"
    r"\s*\d"
    r"|^[表图圖図표그림]\s*\d"
    r"|\s=\s"
    r"|[._…]{5,}"  # a blank to fill in on a form: "Signed: ..........."
    r"|^(?:19|20)\d\d\s*[-–—/]",  # a span of years: a CV's or a chronicle's entry
    re.IGNORECASE,
)


# A letter's salutation: the bold line above it is the letter's subject, not a section.
_SALUTATION_RE = re.compile(
    r"^(?:dear|hello|hi|hey|good (?:morning|afternoon|evening)|greetings|hallo|bonjour|hola|ciao|olá|"
    r"привет|здравствуйте|您好|你好|各位|sehr geehrte\w*|liebe[rs]?|estimad[oa]s?|querid[oa]s?|"
    r"prezad[oa]s?|car[oa]|gentile|"
    r"egregi[oa]|madame|monsieur|mesdames|messieurs|уважаем\w*)(?!\w)|^(?:拝啓|尊敬的|亲爱的|親愛的)",
    re.IGNORECASE,
)


def _width(text: str) -> int:
    return len(text) + cjk_count(text)


def _contents_line(line: Line) -> bool:
    return line.contents_entry or bool(_LEADER_RE.search(line.text))


def _capitals(text: str) -> bool:
    cased = _CASED_RE.findall(text)
    return len(cased) >= 3 and text.upper() == text and text.lower() != text


@dataclass
class _Candidate:
    pos: int
    label: Label | None
    score: float
    size: float
    signature: tuple[float, bool, bool]  # (size, bold, centred)
    apart: bool  # a blank line, space or a page break before it

    @property
    def kind(self) -> tuple[str, ...]:
        if self.label is not None:
            return ("label", self.label.kind)
        return ("layout", *map(str, self.signature))


class _Document:
    """Baselines of the body text that layout signals are measured against."""

    def __init__(self, lines: list[Line]) -> None:
        sizes: Counter[float] = Counter()
        spacing: Counter[int] = Counter()
        marked: Counter[str] = Counter()
        total = centred = paragraphs = 0
        for line in lines:
            if line.table or not line.text:
                continue
            width = len(line.text)
            sizes[line.size] += width
            spacing[line.space_before] += 1
            total += width
            for mark in ("bold", "italic", "underline"):
                marked[mark] += width if getattr(line, mark) else 0
            paragraphs += 1
            centred += line.centred
        self.body_size = sizes.most_common(1)[0][0] if sizes else 0.0
        self.usual_spacing = spacing.most_common(1)[0][0] if spacing else 0
        # When most of the text is bold (or underlined, italic, centred), that says nothing.
        self.bold_is_signal = marked["bold"] <= total / 2
        self.italic_is_signal = marked["italic"] <= total / 2
        self.underline_is_signal = marked["underline"] <= total / 2
        self.centred_is_signal = centred <= paragraphs / 2

    def score(self, line: Line, blank_before: bool) -> float:
        score = 0.0
        if line.bold and self.bold_is_signal:
            score += 1
        if line.underline and self.underline_is_signal and not line.bold:
            score += 1
        if line.size >= self.body_size + 1:
            score += 1 + (line.size >= self.body_size + 4)
        if line.centred and self.centred_is_signal:
            score += 1
        if _capitals(line.text):
            score += 0.5
        if blank_before or (line.space_before >= 200 and line.space_before > self.usual_spacing):
            score += 0.5
        if line.page_break:
            score += 0.5
        return score


def _candidate(line: Line, pos: int, doc: _Document, context: _Context) -> _Candidate | None:
    text = line.text
    if line.table or not text or line.right or _width(text) > MAX_WIDTH:
        return None  # a right-aligned line is a date, a signature or an address, not a heading
    if _contents_line(line) or _NOT_HEADING_RE.search(text) or _SALUTATION_RE.match(text):
        return None
    label = heading_label(text)
    score = doc.score(line, context.blank_before)
    if line.italic and doc.italic_is_signal and not line.bold and not context.italic_next:
        # Italic marks quotations and verse too: it counts only over text that is not italic,
        # and only with another signal.
        score += 0.5
    if label is None and 0 < score < 1 and not line.list_item and _stands_alone(line, context):
        score += 0.5  # a short plain line set apart, with prose under it ("Background" in a memo)
    # Word's own list numbering makes list items; a bold or larger numbered line is a heading.
    if label is None and (score < 1 or _words(text) > MAX_WORDS):
        return None
    if label is not None and not label.strong and score < 1 and _words(text) > MAX_WORDS:
        return None
    if text[-1] in _SENTENCE_END and not _may_end_so(text, label, score):
        return None
    if not _LETTER_RE.search(text) and not (label is not None and label.strong):
        return None
    apart = context.blank_before or line.page_break or line.space_before >= 200
    return _Candidate(pos, label, score, line.size, (line.size, line.bold, line.centred), apart)


@dataclass(frozen=True, slots=True)
class _Context:
    blank_before: bool  # an empty paragraph (or the top of the document) right above
    after_short: bool  # the block above is a short line that is not prose (an address, a verse)
    prose_next: bool  # the next block is prose or a table
    italic_next: bool  # the next block is in italics too (a stanza, a quotation)


def _stands_alone(line: Line, context: _Context) -> bool:
    first = line.text[0]
    apart = context.blank_before or line.page_break or line.space_before >= 200
    return (
        apart
        and context.prose_next
        and not context.after_short
        and _words(line.text) <= 8
        and bool(_WORD_RE.search(line.text))
        and (first.isupper() or first.isdigit() or is_cjk_char(first))
        and line.text[-1] not in _SENTENCE_END
    )


def _may_end_so(text: str, label: Label | None, score: float) -> bool:
    """Whether a candidate may end in punctuation: "Artículo 1. Objeto." does and is a heading,
    "第一条 为了……。" is not; a bold question heads an FAQ's answer, a bold "Summary:" its part."""
    end = text[-1]
    if label is not None and label.whole:
        return True
    if end == "." and label is not None and label.kind == "ordinal":
        return label.caption_words <= 14  # "PRIMERO.- Lectura y aprobación, si procede, del acta."
    if end == "." and label is not None and label.strong:
        return label.caption_words <= 6 and "," not in text and not cjk_count(text)
    if end in "?？" and label is None:
        return score >= 1 and _words(text) <= 15
    if end in ":：" and label is None:
        return score >= 1 and _words(text) <= 5
    return False


# ----------------------------------------------------------------------------- the outline


@dataclass
class _Pass:
    lines: list[Line]
    blocks: list[int]  # non-empty paragraphs and tables (empty paragraphs only space things out)
    candidates: dict[int, _Candidate]
    captions: set[int] = field(default_factory=set)  # neither heading nor body: part of the label above

    def is_body(self, pos: int) -> bool:
        line = self.lines[pos]
        return pos not in self.candidates and pos not in self.captions and not _contents_line(line)


def find_headings(lines: list[Line]) -> Found:
    """Which of `lines` are headings (see the module doc)."""
    lines = list(lines)
    doc = _Document(lines)
    candidates: dict[int, _Candidate] = {}
    blocks = [pos for pos, line in enumerate(lines) if line.table or line.text]
    blank_before = True  # the top of the document is set apart
    break_before = False
    n = 0  # the position in blocks of the next block
    for pos, line in enumerate(lines):
        if not line.table and not line.text:
            blank_before = True
            break_before = break_before or line.page_break
            continue
        if break_before and not line.page_break:
            # A page break typed in an empty paragraph starts the next line's page.
            lines[pos] = line = replace(line, page_break=True)
        previous = lines[blocks[n - 1]] if n > 0 else None
        following = lines[blocks[n + 1]] if n + 1 < len(blocks) else None
        context = _Context(
            blank_before,
            previous is not None and not previous.table and not _prose(previous),
            following is not None and _prose(following),
            following is not None and following.italic,
        )
        if (found := _candidate(line, pos, doc, context)) is not None:
            candidates[pos] = found
        blank_before = break_before = False
        n += 1
    if not candidates:
        return Found()
    state = _Pass(lines, blocks, candidates)
    _drop_captions(state)
    _drop_contents(state)
    titles = _titles(state)
    for pos in titles:
        del candidates[pos]
    _drop_lists(state)
    _drop_subjects(state)
    _drop_without_body(state)

    # Tables count as content: headings between tables are not "most of the document".
    content = len(state.blocks)
    layout = [pos for pos, c in candidates.items() if c.label is None]
    if len(layout) > 0.5 * content:
        for pos in layout:
            del candidates[pos]
    if len(candidates) > 0.6 * content and len(candidates) > 2:
        return Found(titles=titles)
    return Found(_levels(candidates), titles)


def _drop_captions(state: _Pass) -> None:
    """A label alone on its line ("CAPÍTULO I", "第１条") and the short line under it
    ("Disposiciones generales", "（目的）") are one heading: the label's."""
    for n, pos in enumerate(state.blocks[:-1]):
        here = state.candidates.get(pos)
        if here is None or here.label is None or not here.label.whole:
            continue
        after = state.blocks[n + 1]
        caption = state.candidates.get(after)
        line = state.lines[after]
        if (caption is not None and caption.label is None) or (
            not line.table and _BRACKETED_RE.fullmatch(line.text)
        ):
            state.candidates.pop(after, None)
            state.captions.add(after)


def _drop_contents(state: _Pass) -> None:
    """A typed table of contents: its title ("Contents", "目录") stands over contents lines, and
    its entries are candidates with no body before the next one whose text is a later heading's
    (page numbers aside)."""

    def key(pos: int) -> str:
        return _PAGE_NUMBER_RE.sub("", state.lines[pos].text).strip().casefold()

    later: Counter[str] = Counter(key(pos) for pos in state.candidates)
    entries: set[int] = {pos for pos in state.blocks if _contents_line(state.lines[pos])}
    for n, pos in enumerate(state.blocks):
        if pos not in state.candidates:
            continue
        text = key(pos)
        later[text] -= 1
        following = state.blocks[n + 1] if n + 1 < len(state.blocks) else None
        if (later[text] > 0 and following in state.candidates) or following in entries:
            del state.candidates[pos]


def _titles(state: _Pass) -> list[int]:
    """The title block at the top: the lines before the first prose that is not centred, on the
    first page (a statute's or a report's title, subtitle, issuer and number). Its candidates are
    title lines up to the body's first heading: a label of a kind used below, or a line set apart
    that looks like the headings below (and, if they are labelled, has prose under it). A block
    that fills the first page and ends in a page break is a cover: every line of it is title."""
    region: list[int] = []
    cover = False
    for pos in state.blocks:
        line = state.lines[pos]
        if region and line.page_break:
            cover = True
            break
        if line.table or (pos not in state.candidates and _prose(line) and not line.centred):
            break
        region.append(pos)
    candidates = [pos for pos in region if pos in state.candidates]
    if not candidates:
        return []
    if cover:
        return candidates
    rest = [c for pos, c in state.candidates.items() if pos > region[-1]]
    signatures = {c.signature for c in rest}
    layout = {c.signature for c in rest if c.label is None}
    kinds = {c.kind for c in rest if c.label is not None}
    titles: list[int] = []
    for pos in candidates:
        found = state.candidates[pos]
        opens_body = found.apart and (
            found.signature in layout or (pos == region[-1] and found.signature in signatures)
        )
        structural = found.label is not None and found.label.strong and found.label.kind != "bracket"
        if found.kind in kinds or structural or opens_body:
            break
        titles.append(pos)
    if len(region) == 1 and titles and rest:
        # One line alone before the prose is the title only when it looks like no heading below.
        first = state.candidates[titles[0]]
        if first.signature in signatures and first.size <= max(c.size for c in rest):
            return []
    return titles


def _drop_subjects(state: _Pass) -> None:
    """A letter's subject line stands right above the salutation ("Dear …", "Sehr geehrte …")."""
    for n, pos in enumerate(state.blocks[:-1]):
        following = state.lines[state.blocks[n + 1]].text
        if pos in state.candidates and _SALUTATION_RE.match(following) and _words(following) <= 8:
            del state.candidates[pos]


def _drop_lists(state: _Pass) -> None:
    """Same-kind candidates with nothing between them are a list, not headings."""
    kinds = {pos: c.kind for pos, c in state.candidates.items()}
    blocks = [pos for pos in state.blocks if pos not in state.captions]
    listed: set[int] = set()
    for n, pos in enumerate(blocks):
        if pos not in kinds:
            continue
        for m in (n - 1, n + 1):
            if 0 <= m < len(blocks) and kinds.get(blocks[m]) == kinds[pos]:
                listed.add(pos)
    for pos in listed:
        del state.candidates[pos]


def _drop_without_body(state: _Pass) -> None:
    """A heading has body in its section (its subsections' included): prose, a table or a few
    lines (a list), before the next heading that is not below it, looking at most LOOK_AHEAD
    blocks ahead. A signature block's name or a closing date has none. Structural labels need
    none: "TÍTULO I" stands right above "CAPÍTULO I"."""
    # After the last prose comes the closing: a signature block, a distribution list, a date.
    last_prose = max(
        (pos for pos in state.blocks if state.is_body(pos) and _prose(state.lines[pos])), default=-1
    )
    drop: list[int] = []
    for n, pos in enumerate(state.blocks):
        here = state.candidates.get(pos)
        if here is None or (here.label is not None and here.label.strong):
            continue
        lines = 0
        for after in state.blocks[n + 1 : n + 1 + LOOK_AHEAD]:
            other = state.candidates.get(after)
            if other is not None:
                if not _below(other, here):
                    drop.append(pos)
                    break
            elif state.is_body(after):
                lines += 1
                if _prose(state.lines[after]) or (lines >= LIST_LINES and pos < last_prose):
                    break
        else:
            drop.append(pos)
    for pos in drop:
        del state.candidates[pos]


def _below(other: _Candidate, here: _Candidate) -> bool:
    """Whether `other` may be a subheading of `here`: smaller type; at one size a deeper label
    ("1.1" under "1.", "（一）" under "一、"), or anything under a layout-only line or over one."""
    if other.kind == here.kind:
        return False
    if round(other.size) != round(here.size):
        return other.size < here.size
    if other.label is not None and here.label is not None:
        return other.label.rank > here.label.rank
    return True


def _prose(line: Line) -> bool:
    if line.table:
        return True
    if _BULLET_RE.match(line.text):  # "- UBND huyện;" is a list item, whatever it ends with
        return _width(line.text) >= PROSE_WIDTH
    return line.text[-1] in _SENTENCE_END or _width(line.text) >= PROSE_WIDTH


def _levels(candidates: dict[int, _Candidate]) -> dict[int, int]:
    """Raw levels: larger type first, then the label's rank; layout-only lines take the level of
    the labelled headings they look like."""
    by_kind: dict[tuple[str, ...], list[_Candidate]] = defaultdict(list)
    for found in candidates.values():
        by_kind[found.kind].append(found)
    looks: dict[tuple[float, bool, bool], tuple[str, ...]] = {}
    for kind, members in sorted(by_kind.items(), key=lambda item: _rank(item[1][0])):
        if kind[0] == "label":
            looks.setdefault(Counter(m.signature for m in members).most_common(1)[0][0], kind)
    order: dict[tuple[str, ...], tuple[float, float]] = {}
    for kind, members in by_kind.items():
        target = looks.get(members[0].signature, kind) if kind[0] == "layout" else kind
        model = by_kind[target]
        order[kind] = (-round(median(m.size for m in model)), _rank(model[0]))
    ranks = {key: n + 1 for n, key in enumerate(sorted(set(order.values())))}
    return {pos: ranks[order[c.kind]] for pos, c in candidates.items()}


def _rank(found: _Candidate) -> float:
    if found.label is not None:
        return found.label.rank
    _size, bold, centred = found.signature
    return 20 + (0 if centred else 0.5) + (0 if bold else 0.25)
