"""The outline of a document without heading styles, rule by rule (documents/heuristic.py).

Labels are checked in the languages the product serves; the layout rules on `Line`s written
here, so each test names exactly the signal it is about. The whole-document behaviour is judged
on the labelled set (test_heuristic_set.py, bench/heuristic.py).
"""

from __future__ import annotations

import pytest

from documents.heuristic import Line, find_headings, heading_label

pytestmark = pytest.mark.no_database

BODY = "This paragraph is ordinary body text, written as full sentences about the subject."
CORPO = "这一段是正文，用完整的句子说明本节的内容。"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Chapter 3 Results", "chapter"),
        ("CHAPTER FOUR", "chapter"),
        ("Part II", "part"),
        ("Section 2.3 Scope", "section"),
        ("Appendix A", "annex"),
        ("CAPÍTULO II", "chapter"),
        ("Capítulo Segundo", "chapter"),
        ("TÍTULO PRELIMINAR", "part"),
        ("Artículo 1. Objeto.", "article"),
        ("Art. 1º", "article"),
        ("Artigo 5.º", "article"),
        ("Seção II", "section"),
        ("Article premier", "article"),
        ("Chapitre Ier", "chapter"),
        ("TITRE II", "part"),
        ("§ 1 Geltungsbereich", "article"),
        ("Erster Teil", "part"),
        ("Abschnitt 2", "section"),
        ("Art. 1 - Oggetto", "article"),
        ("Capo I", "chapter"),
        ("Глава 1. Общие положения", "chapter"),
        ("Статья 12", "article"),
        ("第一章 总则", "chapter"),
        ("第１条", "article"),
        ("第二节 适用范围", "section"),
        ("第一编", "part"),
        ("第３章　会議", "chapter"),
        ("제1조(목적)", "article"),
        ("제 2 장 본론", "chapter"),
        ("【项目概况】", "bracket"),
        ("〔附则〕", "bracket"),
        ("IV. Discussion", "roman"),
        ("一、总体要求", "cn_enum"),
        ("（一）工作目标", "cn_paren"),
        ("1.2 Scope", "arabic2"),
        ("１．概要", "arabic1"),
        ("3) Costs", "arabic_paren"),
        ("(2) Exceptions", "paren_arabic"),
        ("가. 목적", "ko_letter"),
        ("① 内容", "circled"),
    ],
)
def test_heading_labels_across_languages(text, kind):
    label = heading_label(text)

    assert label is not None and label.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "Particular attention is needed",
        "Title: A study of rivers",
        "Chapters of my life",
        "Part-time staff",
        "Articles of association",
        "Section",
        "Sectional view",
        "2 apples",
        "2023年工作总结",
        "第一次会议纪要",
        "Art is long",
        "Capo di tutti",
        "Kapitelübersicht",
        "Статьи и заметки",
    ],
)
def test_words_that_only_look_like_labels_are_not_labels(text):
    assert heading_label(text) is None


def test_a_label_alone_on_its_line_is_whole_and_a_bracketed_caption_is_part_of_it():
    assert heading_label("CAPÍTULO I").whole
    assert heading_label("제1조(목적)").whole
    assert heading_label("第１条（目的）").whole
    assert not heading_label("Artículo 1. Objeto.").whole


def _headings(lines: list[Line]) -> list[str]:
    found = find_headings(lines)
    return [lines[pos].text for pos in sorted(found.levels)]


def _levels(lines: list[Line]) -> list[int]:
    found = find_headings(lines)
    return [found.levels[pos] for pos in sorted(found.levels)]


def _body(text: str = BODY) -> Line:
    return Line(text, size=11)


def test_numbered_headings_in_chinese_nest_by_their_rank():
    lines = [
        Line("一、总体要求", size=11),
        _body(CORPO),
        Line("（一）工作目标", size=11),
        _body(CORPO),
        Line("1. 目标一", size=11),
        _body(CORPO),
        Line("二、重点任务", size=11),
        _body(CORPO),
    ]

    assert _headings(lines) == ["一、总体要求", "（一）工作目标", "1. 目标一", "二、重点任务"]
    assert _levels(lines) == [1, 2, 3, 1]


def test_bold_larger_and_centred_short_lines_are_headings_larger_type_shallower():
    lines = [
        Line("Background", bold=True, size=14),
        _body(),
        Line("Earlier work", bold=True, size=11),
        _body(),
        Line("Method", bold=True, size=14),
        _body(),
    ]

    assert _headings(lines) == ["Background", "Earlier work", "Method"]
    assert _levels(lines) == [1, 2, 1]


def test_a_short_plain_line_is_not_a_heading():
    lines = [_body(), Line("See below", size=11), _body(), Line("Thanks to all", size=11), _body()]

    assert _headings(lines) == []


def test_a_title_and_subtitle_at_the_top_are_the_title_not_a_list_or_headings():
    lines = [
        Line("Annual Report 2025", bold=True, size=20, centred=True),
        Line("Northwind Trading Company", size=14, centred=True),
        _body(),
        Line("Overview", bold=True, size=12),
        _body(),
        Line("Finances", bold=True, size=12),
        _body(),
    ]

    found = find_headings(lines)

    assert found.titles == [0, 1]
    assert _headings(lines) == ["Overview", "Finances"]


def test_a_first_heading_that_looks_like_the_others_is_not_a_title():
    lines = [Line("Overview", bold=True, size=12), _body(), Line("Finances", bold=True, size=12), _body()]

    assert find_headings(lines).titles == []
    assert _headings(lines) == ["Overview", "Finances"]


def test_headings_separated_only_by_a_table_are_still_headings():
    lines = [
        Line("Pricing", bold=True, size=11),
        Line(table=True),
        Line("Delivery", bold=True, size=11),
        Line(table=True),
        Line("Terms", bold=True, size=11),
        _body(),
    ]

    assert _headings(lines) == ["Pricing", "Delivery", "Terms"]


def test_short_numbered_items_one_after_another_are_a_list():
    lines = [
        _body(),
        Line("1. Apples", size=11),
        Line("2. Pears", size=11),
        Line("3. Plums", size=11),
        _body(),
    ]

    assert _headings(lines) == []


def test_a_typed_table_of_contents_is_not_headings_the_headings_after_it_are():
    lines = [
        Line("Contents", bold=True, size=14),
        Line("1. Introduction ........ 3", size=11),
        Line("2. Method ........ 5", size=11),
        Line("1. Introduction", bold=True, size=14),
        _body(),
        Line("2. Method", bold=True, size=14),
        _body(),
    ]

    headings = _headings(lines)

    assert headings == ["1. Introduction", "2. Method"]


def test_a_table_of_contents_without_leaders_repeats_later_headings_and_is_dropped():
    lines = [
        Line("第一章 总则", size=11),
        Line("第二章 附则", size=11),
        Line("第一章 总则", bold=True, size=14, centred=True),
        _body(CORPO),
        Line("第二章 附则", bold=True, size=14, centred=True),
        _body(CORPO),
    ]

    found = find_headings(lines)

    assert sorted(found.levels) == [2, 4]


def test_a_bold_name_in_a_closing_signature_block_is_not_a_heading():
    lines = [
        Line("Scope", bold=True, size=11),
        _body(),
        _body("Yours sincerely,"),
        Line("Jane Doe", bold=True, size=11),
        Line("Head of Procurement", size=11),
        Line("12 March 2026", size=11),
    ]

    assert _headings(lines) == ["Scope"]


def test_when_everything_is_bold_bold_says_nothing():
    lines = [Line("Note", bold=True, size=11), Line(BODY, bold=True, size=11)] * 3

    assert _headings(lines) == []


def test_a_lead_in_that_is_only_partly_bold_is_body_text():
    # The extractor gives bold=True only when every visible run is bold.
    lines = [Line("Note: the deadline is firm", bold=False, size=11), _body(), _body()]

    assert _headings(lines) == []


def test_capitals_alone_are_not_enough_but_with_space_before_they_are():
    shouting = [_body(), Line("VERY IMPORTANT", size=11), _body()]
    set_apart = [
        _body(),
        Line(),
        Line("INTRODUCTION", size=11),
        _body(),
        Line(),
        Line("METHOD", size=11),
        _body(),
    ]

    assert _headings(shouting) == []
    assert _headings(set_apart) == ["INTRODUCTION", "METHOD"]


def test_a_label_alone_takes_the_line_under_it_as_its_caption():
    lines = [
        Line("CAPÍTULO I", bold=True, size=12, centred=True),
        Line("Disposiciones generales", bold=True, size=12, centred=True),
        Line("Artículo 1. Objeto.", bold=True, size=12),
        _body("La presente ley tiene por objeto regular el régimen jurídico de las entidades."),
        Line("Artículo 2. Ámbito.", bold=True, size=12),
        _body("Esta ley se aplica a todas las entidades del sector público estatal."),
    ]

    assert _headings(lines) == ["CAPÍTULO I", "Artículo 1. Objeto.", "Artículo 2. Ámbito."]
    assert _levels(lines) == [1, 2, 2]


def test_japanese_articles_with_captions_in_brackets():
    lines = [
        Line("第１章　総則", bold=True, size=12, centred=True),
        Line("第１条", size=11),
        Line("（目的）", size=11),
        _body("この規程は、会社の文書管理に関し必要な事項を定めることを目的とする。"),
        Line("第２条", size=11),
        Line("（定義）", size=11),
        _body("この規程において文書とは、業務上作成し又は取得した記録をいう。"),
    ]

    assert _headings(lines) == ["第１章　総則", "第１条", "第２条"]
    assert _levels(lines) == [1, 2, 2]


def test_a_statute_article_that_starts_its_own_sentence_is_body_text():
    lines = [
        Line("第一章 总则", bold=True, size=14, centred=True),
        _body("第一条　为了规范合同管理，维护当事人的合法权益，根据有关法律，制定本办法。"),
        _body("第二条　本办法适用于本公司签订的各类合同。"),
    ]

    assert _headings(lines) == ["第一章 总则"]


def test_german_paragraph_signs_and_spelled_out_parts():
    lines = [
        Line("Erster Teil", bold=True, size=12, centred=True),
        Line("Allgemeine Vorschriften", bold=True, size=12, centred=True),
        Line("§ 1 Geltungsbereich", bold=True, size=11),
        _body("Dieses Gesetz gilt für alle Verträge, die im Inland geschlossen werden."),
        Line("§ 2 Begriffsbestimmungen", bold=True, size=11),
        _body("Im Sinne dieses Gesetzes ist Unternehmer jede natürliche oder juristische Person."),
    ]

    assert _headings(lines) == ["Erster Teil", "§ 1 Geltungsbereich", "§ 2 Begriffsbestimmungen"]


def test_finding_headings_is_linear_in_the_number_of_lines():
    # 100,000 lines of alternating headings and body: one pass each (a quadratic step would
    # take minutes here); the result is exact, so the work was done.
    lines = [
        Line(f"{n // 2 + 1}. Heading", bold=True, size=11) if n % 2 == 0 else _body() for n in range(100_000)
    ]

    found = find_headings(lines)

    assert len(found.levels) == 50_000


def test_a_statute_title_block_is_the_title_its_first_label_opens_the_body():
    lines = [
        Line("ЗАКОН", bold=True, size=14, centred=True),
        Line("НОВОРЕЧЕНСКОЙ ОБЛАСТИ", bold=True, size=14, centred=True),
        Line("О поддержке молодёжных инициатив", bold=True, size=14, centred=True),
        _body("Принят Законодательным Собранием области 15 февраля 2024 года."),
        Line("Глава 1. Общие положения", bold=True, size=14, centred=True, space_before=240),
        Line("Статья 1. Предмет регулирования", bold=True, size=14, space_before=120),
        _body("Настоящий Закон регулирует отношения в сфере молодёжной политики области."),
    ]

    found = find_headings(lines)

    assert found.titles == [0, 1, 2]
    assert _headings(lines) == ["Глава 1. Общие положения", "Статья 1. Предмет регулирования"]


def test_every_line_of_a_cover_page_is_title():
    lines = [
        Line("Groundwater Recharge", bold=True, size=20, centred=True),
        Line("A thesis submitted for the degree of Master of Science", size=12, centred=True),
        Line("Daniel Okafor", size=14, centred=True),
        Line("Abstract", bold=True, size=14, centred=True, page_break=True),
        _body(),
        Line("Introduction", bold=True, size=14, centred=True, page_break=True),
        _body(),
    ]

    assert find_headings(lines).titles == [0, 1, 2]
    assert _headings(lines) == ["Abstract", "Introduction"]


@pytest.mark.parametrize(
    "heading", ["What is Council Tax Reduction?", "Summary:", "¿Quién puede solicitarla?", "适用范围："]
)
def test_a_bold_question_or_a_bold_short_lead_with_a_colon_heads_its_part(heading):
    lines = [_body(), Line(heading, bold=True, size=11, space_before=200), _body(), _body()]

    assert _headings(lines) == [heading]


@pytest.mark.parametrize("text", ["Can you come on Friday?", "You will need to provide:"])
def test_a_plain_question_or_a_plain_line_ending_in_a_colon_is_body(text):
    assert _headings([_body(), Line(text, size=11), _body()]) == []


def test_short_plain_lines_set_apart_with_prose_under_them_are_headings_in_a_memo():
    lines = [
        Line("Background", size=12),
        Line(),
        _body(),
        Line(),
        Line("What is changing", size=12),
        Line(),
        _body(),
        Line(),
        Line("JM/ah", size=12),
        Line("cc: Chief Executive; Head of Internal Audit and the Finance team", size=12),
    ]

    assert _headings(lines) == ["Background", "What is changing"]


def test_a_letters_subject_line_above_the_salutation_is_not_a_heading():
    for subject in ["Kündigung des Mietvertrags", "Re: Community Officer post"]:
        lines = [
            Line(subject, bold=True, size=11),
            Line("Sehr geehrte Damen und Herren,", size=11),
            _body(),
            _body(),
        ]
        assert _headings(lines) == []


@pytest.mark.parametrize(
    "text", ["Table 2.1 Land-use classes", "Figure 3 Recharge by year", "表3-1 政策文件", "R = P − ET − Q"]
)
def test_captions_and_equations_are_not_headings(text):
    assert _headings([_body(), Line(text, bold=True, size=11, centred=True), _body()]) == []


def test_a_blank_to_fill_in_is_not_a_heading():
    lines = [_body(), Line("Signed: ........................ (Chair)", bold=True, size=11), _body()]

    assert _headings(lines) == []


def test_contract_clauses_in_portuguese_are_headings():
    lines = [
        Line("CLÁUSULA PRIMEIRA – DO OBJETO", bold=True, size=11),
        _body("O presente contrato tem por objeto a prestação de serviços de manutenção predial."),
        Line("CLÁUSULA SEGUNDA – DO PREÇO", bold=True, size=11),
        _body("Pelos serviços contratados, o contratante pagará o valor mensal acordado."),
    ]

    assert heading_label("CLÁUSULA PRIMEIRA – DO OBJETO").kind == "clause"
    assert _headings(lines) == ["CLÁUSULA PRIMEIRA – DO OBJETO", "CLÁUSULA SEGUNDA – DO PREÇO"]


def test_a_heading_that_starts_like_a_greeting_is_still_a_heading():
    lines = [
        Line("History", bold=True, size=11),
        _body(),
        Line("Caroline Street depot", bold=True, size=11),
        _body(),
    ]

    assert _headings(lines) == ["History", "Caroline Street depot"]


def test_bold_lines_numbered_by_word_are_headings_plain_numbered_items_a_list():
    lines = [
        Line("Introduction", bold=True, size=11, list_item=True),
        _body(),
        Line("first point", size=11, list_item=True),
        Line("second point", size=11, list_item=True),
        Line("Method", bold=True, size=11, list_item=True),
        _body(),
    ]

    assert _headings(lines) == ["Introduction", "Method"]


def test_items_numbered_by_an_ordinal_in_capitals_head_the_minutes_of_a_meeting():
    lines = [
        Line("PRIMERO.- Lectura y aprobación, si procede, del acta anterior.", bold=True, size=11),
        _body(
            "Se da lectura al acta de la sesión anterior, que es aprobada por unanimidad de los presentes."
        ),
        Line("SEGUNDO.- Ruegos y preguntas.", bold=True, size=11),
        _body("La representante de las familias pregunta por la reparación de la cubierta del gimnasio."),
    ]

    assert heading_label("PRIMERO.- Ruegos").kind == "ordinal"
    assert heading_label("Primero, conviene recordar") is None
    assert len(_headings(lines)) == 2


def test_a_span_of_years_opens_a_cv_entry_not_a_heading():
    lines = [
        _body("Chargée de communication, dix ans d'expérience dans les collectivités territoriales."),
        Line("Expérience", bold=True, size=12),
        Line("2019 – aujourd'hui Chargée de communication", bold=True, size=11),
        _body("Rédaction des supports de communication et relations avec la presse locale et régionale."),
        Line("2016 – 2019 Assistante communication", bold=True, size=11),
        _body("Organisation des événements et gestion des réseaux sociaux du département."),
    ]

    assert _headings(lines) == ["Expérience"]


def test_a_numbered_session_in_a_japanese_title_is_not_a_chapter():
    assert heading_label("第12回 さくら台自治会 役員会 議事録") is None
    assert heading_label("第12章 総則").kind == "chapter"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("BAB I", "chapter"),
        ("Pasal 3", "article"),
        ("Chương II. Tổ chức thực hiện", "chapter"),
        ("Điều 5. Hiệu lực thi hành", "article"),
        ("BÖLÜM 2", "chapter"),
        ("Madde 4 - Tanımlar", "article"),
        ("Rozdział 3", "chapter"),
        ("Część II", "part"),
        ("Hlava I", "chapter"),
        ("Článek 7", "article"),
    ],
)
def test_more_languages_name_their_divisions(text, kind):
    assert heading_label(text).kind == kind


def test_underlined_short_lines_are_headings_in_a_document_without_bold():
    lines = [
        Line("Circumstances", underline=True, size=11),
        _body(),
        Line("Action taken", underline=True, size=11),
        _body(),
    ]

    assert _headings(lines) == ["Circumstances", "Action taken"]


def test_italics_mark_a_heading_only_over_plain_text_and_with_another_signal():
    subheadings = [
        _body(),
        Line(),
        Line("Sampling design", italic=True, size=11),
        _body(),
        Line(),
        Line("Statistical analysis", italic=True, size=11),
        _body(),
    ]
    verse = [
        _body(),
        Line(),
        Line("The catkins on the hazel shake", italic=True, size=11),
        Line("their yellow at the wind", italic=True, size=11),
        Line("and every garden, gate by gate,", italic=True, size=11),
        Line("remembers to begin.", italic=True, size=11),
        _body(),
    ]

    assert _headings(subheadings) == ["Sampling design", "Statistical analysis"]
    assert _headings(verse) == []


def test_right_aligned_lines_are_dates_and_signatures_not_headings():
    lines = [
        _body(),
        Line("Scope", bold=True, size=11),
        _body(),
        Line("Jakarta, 12 Maret 2024", bold=True, size=11, right=True),
        _body(),
    ]

    assert _headings(lines) == ["Scope"]


def test_after_the_last_prose_a_bold_line_over_a_few_short_lines_is_a_closing_not_a_section():
    lines = [
        _body(),
        Line("Recommendations", bold=True, size=11),
        _body(),
        Line("Nơi nhận:", bold=True, size=11),
        Line("- Như trên;", size=11),
        Line("- UBND huyện;", size=11),
        Line("- Lưu: VT.", size=11),
    ]
    inside = [
        _body(),
        Line("What's in the box", bold=True, size=11),
        Line("1 × filter housing", size=11),
        Line("1 × cartridge", size=11),
        Line("1 × hose", size=11),
        Line("Installation", bold=True, size=11),
        _body(),
    ]

    assert _headings(lines) == ["Recommendations"]
    assert _headings(inside) == ["What's in the box", "Installation"]
