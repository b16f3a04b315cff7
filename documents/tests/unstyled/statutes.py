"""Statutes and regulations, typed into Normal paragraphs as legislatures and companies publish them.

Reader's rules applied throughout: an article whose label runs into its first sentence
("第一条　为了……", "Art. 1º Esta Lei ...", "제1조(목적) 이 조례는 ...") is body text; a label on a
line of its own is a heading ("Artículo 1. Objeto.", "§ 1 Geltungsbereich", "Art. 1 - Oggetto").
When a division's label and its caption are two paragraphs ("TÍTULO PRELIMINAR" over
"Disposiciones generales", "第１条" over "（目的）"), the label is the heading, the caption is not.
"""

from __future__ import annotations

from documents.tests.unstyled.case import Case, generated
from documents.tests.unstyled.docbuild import Doc, Para, blank, h, lead, p, runs

# ----------------------------------------------------------------------------- 中文：地方性法规

_FS = "仿宋_GB2312"
_HEI = "黑体"


def _zh_article(label: str, text: str) -> Para:
    """第X条 in 黑体 bold, run into the article's text: body."""
    return lead(label, "　" + text, font=_HEI, indent=32)


def _zh_body(text: str) -> Para:
    return p(text, indent=32)


def _zh_chapter(text: str) -> Para:
    return h(text, font=_HEI, center=True, before=12, after=12)


def zh_statute() -> Doc:
    return Doc(
        font="Times New Roman",
        east_asian=_FS,
        size=16,
        blocks=(
            p("临江市生活垃圾分类管理条例", font="方正小标宋简体", size=22, center=True, after=12),
            p(
                "（2022年6月28日临江市第十六届人民代表大会常务委员会第五次会议通过　"
                "2022年9月29日江南省第十三届人民代表大会常务委员会第三十八次会议批准）",
                font="楷体_GB2312",
                center=True,
                after=12,
            ),
            p("目　　录", font=_HEI, center=True),
            p("第一章　总　　则", left=32),
            p("第二章　规划与建设", left=32),
            p("第三章　分类投放", left=32),
            p("第一节　一般规定", left=64),
            p("第二节　特定场所", left=64),
            p("第四章　收集、运输与处理", left=32),
            p("第五章　监督管理", left=32),
            p("第六章　法律责任", left=32),
            p("第七章　附　　则", left=32),
            _zh_chapter("第一章　总　　则"),
            _zh_article(
                "第一条",
                "为了加强生活垃圾分类管理，改善人居环境，促进资源循环利用，推进生态文明建设，根据"
                "《中华人民共和国固体废物污染环境防治法》等法律、行政法规，结合本市实际，制定本条例。",
            ),
            _zh_article(
                "第二条",
                "本市行政区域内生活垃圾的源头减量、分类投放、分类收集、分类运输、分类处理及其监督管理等活动，"
                "适用本条例。",
            ),
            _zh_body(
                "本条例所称生活垃圾，是指在日常生活中或者为日常生活提供服务的活动中产生的固体废物，"
                "以及法律、行政法规规定视为生活垃圾的固体废物。"
            ),
            _zh_article(
                "第三条",
                "生活垃圾分类管理遵循政府推动、全民参与、城乡统筹、因地制宜、简便易行的原则，"
                "逐步实现生活垃圾减量化、资源化、无害化。",
            ),
            _zh_article(
                "第四条",
                "市、区（县）人民政府应当加强对生活垃圾分类管理工作的领导，将其纳入国民经济和社会发展规划，"
                "建立健全协调机制，所需经费列入本级财政预算。",
            ),
            _zh_body(
                "镇人民政府、街道办事处负责本辖区内生活垃圾分类的日常管理工作，指导居民委员会、"
                "村民委员会组织动员辖区内的单位和个人参与生活垃圾分类。"
            ),
            _zh_chapter("第二章　规划与建设"),
            _zh_article(
                "第五条",
                "市城市管理部门应当会同发展改革、自然资源和规划、生态环境等部门，编制本市生活垃圾处理设施"
                "专项规划，报市人民政府批准后组织实施。",
            ),
            _zh_article(
                "第六条",
                "新建、改建、扩建住宅小区、公共建筑等建设项目，建设单位应当按照规定配套建设生活垃圾分类收集设施，"
                "并与主体工程同步设计、同步建设、同步交付使用。",
            ),
            _zh_chapter("第三章　分类投放"),
            h("第一节　一般规定", font=_HEI, center=True),
            _zh_article("第七条", "本市生活垃圾分为以下四类："),
            _zh_body(
                "（一）可回收物，是指适宜回收和资源化利用的生活垃圾，包括废纸、废塑料、废金属、废玻璃、废织物等；"
            ),
            _zh_body(
                "（二）有害垃圾，是指对人体健康或者自然环境造成直接或者潜在危害的生活垃圾，包括废电池、废灯管等；"
            ),
            _zh_body(
                "（三）厨余垃圾，是指易腐烂的、含有机质的生活垃圾，包括家庭厨余垃圾、餐厨垃圾和其他厨余垃圾；"
            ),
            _zh_body("（四）其他垃圾，是指除可回收物、有害垃圾、厨余垃圾以外的其他生活垃圾。"),
            _zh_article(
                "第八条",
                "单位和个人应当按照本市生活垃圾分类标准，将生活垃圾分别投放至相应的收集容器或者指定地点。"
                "大件垃圾、装修垃圾应当单独堆放，不得混入生活垃圾。",
            ),
            h("第二节　特定场所", font=_HEI, center=True),
            _zh_article(
                "第九条",
                "党政机关、事业单位、国有企业应当在生活垃圾分类工作中发挥示范带头作用，"
                "率先实行生活垃圾强制分类。",
            ),
            _zh_article(
                "第十条",
                "宾馆、餐饮等经营者不得主动向消费者提供一次性用品；农贸市场、超市应当设置厨余垃圾专用收集容器，"
                "并指定专人负责日常管理。",
            ),
            _zh_chapter("第四章　收集、运输与处理"),
            _zh_article(
                "第十一条",
                "分类收集、运输生活垃圾，应当使用有明显标识的专用车辆，按照规定的时间和路线运输至相应的处理场所，"
                "不得将已分类投放的生活垃圾混合收集、运输。",
            ),
            _zh_article(
                "第十二条",
                "可回收物由再生资源回收经营者进行再生利用；厨余垃圾采用生化处理、产沼发电等方式进行资源化利用；"
                "其他垃圾采用焚烧发电等方式进行无害化处理。",
            ),
            _zh_chapter("第五章　监督管理"),
            _zh_article(
                "第十三条",
                "城市管理部门应当建立生活垃圾分类管理信息平台，对生活垃圾产生量、收集运输量和处理量进行动态监测。",
            ),
            _zh_article(
                "第十四条",
                "任何单位和个人有权对违反本条例的行为进行劝阻、投诉和举报。有关部门接到投诉、举报后，"
                "应当及时处理，并将处理结果告知投诉人、举报人。",
            ),
            _zh_chapter("第六章　法律责任"),
            _zh_article(
                "第十五条",
                "违反本条例第八条规定，个人未按照规定分类投放生活垃圾的，由城市管理部门责令改正；"
                "拒不改正的，处五十元以上二百元以下罚款。",
            ),
            _zh_article(
                "第十六条",
                "收集、运输单位将已分类投放的生活垃圾混合收集、运输的，由城市管理部门责令改正，"
                "处五千元以上五万元以下罚款。",
            ),
            _zh_chapter("第七章　附　　则"),
            _zh_article("第十七条", "本条例自2023年1月1日起施行。"),
        ),
    )


# ----------------------------------------------------------------------------- 日本語：社内規程

_MINCHO = "ＭＳ 明朝"
_GOTHIC = "ＭＳ ゴシック"


def _ja_article(label: str, caption: str, *sentences: str) -> list[Para]:
    """第１条 on its own line (the heading), the caption under it, then the article's text."""
    return [
        h(label, font=_GOTHIC, before=6),
        p(caption),
        *(p(sentence, indent=10.5) for sentence in sentences),
    ]


def ja_statute() -> Doc:
    return Doc(
        font="Century",
        east_asian=_MINCHO,
        size=10.5,
        blocks=(
            p("個人情報取扱規程", font=_GOTHIC, size=16, bold=True, center=True, after=6),
            p("制定　令和５年３月２０日", right=True),
            p("株式会社みなと商事", right=True, after=12),
            h("第１章　総則", font=_GOTHIC, size=12, before=12, after=6),
            *_ja_article(
                "第１条",
                "（目的）",
                "この規程は、株式会社みなと商事（以下「会社」という。）における個人情報の適正な取扱いに関し"
                "必要な事項を定め、もって個人の権利利益を保護することを目的とする。",
            ),
            *_ja_article(
                "第２条",
                "（定義）",
                "この規程において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。",
                "一　個人情報　生存する個人に関する情報であって、氏名、生年月日その他の記述等により"
                "特定の個人を識別することができるものをいう。",
                "二　従業者　会社の指揮監督を受けて業務に従事する者をいい、雇用関係にある者のほか、"
                "取締役、派遣社員等を含む。",
                "三　個人情報保護管理者　代表取締役が指名し、個人情報の取扱いを統括する者をいう。",
            ),
            *_ja_article(
                "第３条",
                "（適用範囲）",
                "この規程は、会社の従業者に適用する。業務の全部又は一部を外部に委託する場合における委託先の監督に"
                "ついても、この規程の定めるところによる。",
            ),
            h("第２章　取得及び利用", font=_GOTHIC, size=12, before=12, after=6),
            *_ja_article(
                "第４条",
                "（利用目的の特定）",
                "会社は、個人情報を取り扱うに当たっては、その利用の目的をできる限り特定しなければならない。",
                "２　会社は、利用目的を変更する場合には、"
                "変更前の利用目的と関連性を有すると合理的に認められる範囲を"
                "超えて行ってはならない。",
            ),
            *_ja_article(
                "第５条",
                "（適正な取得）",
                "会社は、偽りその他不正の手段により個人情報を取得してはならない。",
                "２　会社は、本人から直接書面に記載された個人情報を取得する場合には、あらかじめ、本人に対し、"
                "その利用目的を明示しなければならない。",
            ),
            h("第３章　安全管理措置", font=_GOTHIC, size=12, before=12, after=6),
            *_ja_article(
                "第６条",
                "（安全管理措置）",
                "会社は、取り扱う個人データの漏えい、滅失又はき損の防止その他の安全管理のために、"
                "組織的、人的、物理的及び技術的な安全管理措置を講じなければならない。",
            ),
            *_ja_article(
                "第７条",
                "（漏えい等の報告）",
                "従業者は、個人データの漏えい等の事案が発生し、又は発生したおそれがあることを知ったときは、"
                "直ちに個人情報保護管理者に報告しなければならない。",
                "２　個人情報保護管理者は、前項の報告を受けたときは、速やかに事実関係を調査し、"
                "再発防止策を講じなければならない。",
            ),
            h("第４章　雑則", font=_GOTHIC, size=12, before=12, after=6),
            *_ja_article(
                "第８条",
                "（改廃）",
                "この規程の改廃は、個人情報保護管理者の立案に基づき、取締役会の決議により行う。",
            ),
            h("附　則", font=_GOTHIC, center=True, before=12),
            p("この規程は、令和５年４月１日から施行する。", indent=10.5),
        ),
    )


# ----------------------------------------------------------------------------- 한국어：조례


def _ko_article(label: str, text: str) -> Para:
    """제1조(목적) in bold, run into the article's first sentence: body."""
    return lead(label, " " + text, indent=10)


def ko_statute() -> Doc:
    return Doc(
        font="Batang",
        east_asian="바탕",
        size=11,
        blocks=(
            p("한솔시 공동주택 관리 지원 조례", size=16, bold=True, center=True),
            p("[시행 2023. 7. 1.] [한솔시조례 제1874호, 2023. 5. 10., 제정]", center=True, after=12),
            h("제1장 총칙", center=True, before=12, after=6),
            _ko_article(
                "제1조(목적)",
                "이 조례는 「공동주택관리법」 제85조에 따라 공동주택의 관리에 필요한 비용의 지원과 "
                "공동체 활성화에 관한 사항을 규정함으로써 입주자등의 삶의 질 향상에 이바지함을 목적으로 "
                "한다.",
            ),
            _ko_article("제2조(정의)", "이 조례에서 사용하는 용어의 뜻은 다음과 같다."),
            p("1. “공동주택”이란 「공동주택관리법」 제2조제1항제1호에 따른 공동주택을 말한다.", left=20),
            p(
                "2. “입주자대표회의”란 공동주택의 입주자등을 대표하여 관리에 관한 주요사항을 결정하기 위하여 "
                "구성하는 자치 의결기구를 말한다.",
                left=20,
            ),
            p(
                "3. “공동체 활성화 단체”란 입주자등이 자율적으로 구성한 단체로서 시장에게 신고한 단체를 "
                "말한다.",
                left=20,
            ),
            _ko_article(
                "제3조(시장의 책무)",
                "한솔시장(이하 “시장”이라 한다)은 공동주택의 투명하고 효율적인 관리를 위하여 필요한 시책을 "
                "수립하고 이에 필요한 재원을 마련하도록 노력하여야 한다.",
            ),
            h("제2장 관리비용의 지원", center=True, before=12, after=6),
            h("제1절 지원 대상", center=True, before=6),
            _ko_article(
                "제4조(지원 대상)",
                "시장은 사용검사 후 10년이 지난 공동주택의 단지 안 도로, 보안등, 어린이놀이터 등 "
                "공용시설의 보수에 필요한 비용의 일부를 예산의 범위에서 지원할 수 있다.",
            ),
            _ko_article(
                "제5조(지원 제외)",
                "다음 각 호의 어느 하나에 해당하는 경우에는 지원하지 아니한다.",
            ),
            p("1. 같은 시설에 대하여 최근 5년 이내에 지원을 받은 경우", left=20),
            p("2. 하자담보책임기간 내에 있는 시설인 경우", left=20),
            h("제2절 지원 절차", center=True, before=6),
            _ko_article(
                "제6조(신청)",
                "지원을 받으려는 입주자대표회의는 입주자등 과반수의 동의를 받아 시장이 정하는 신청서에 "
                "사업계획서와 소요 예산서를 첨부하여 매년 2월 말까지 시장에게 제출하여야 한다.",
            ),
            _ko_article(
                "제7조(심사)",
                "시장은 제출된 신청서를 공동주택지원심의위원회의 심의를 거쳐 지원 여부와 지원 금액을 "
                "결정한다.",
            ),
            h("제3장 공동체 활성화", center=True, before=12, after=6),
            _ko_article(
                "제8조(공동체 활성화 지원)",
                "시장은 입주자등의 소통과 화합을 위하여 공동체 활성화 단체가 추진하는 "
                "프로그램 운영 경비를 지원할 수 있다.",
            ),
            _ko_article(
                "제9조(시행규칙)",
                "이 조례의 시행에 필요한 사항은 규칙으로 정한다.",
            ),
            h("부칙", center=True, before=12),
            p("이 조례는 2023년 7월 1일부터 시행한다.", indent=10),
        ),
    )


# ----------------------------------------------------------------------------- Deutsch: Satzung

_NBSP = "\u00a0"


def _de_par(number: int, title: str) -> Para:
    return h(f"§{_NBSP}{number} {title}", center=True, before=12, after=6)


def de_statute() -> Doc:
    return Doc(
        font="Arial",
        size=11,
        blocks=(
            p("Satzung über die Benutzung der Stadtbibliothek Wendenbrück", size=14, bold=True, center=True),
            p("(Bibliotheksbenutzungssatzung)", bold=True, center=True),
            p("vom 14. März 2023", center=True, after=12),
            p(
                "Aufgrund der §§ 10 und 58 des Niedersächsischen Kommunalverfassungsgesetzes hat der Rat der "
                "Stadt Wendenbrück in seiner Sitzung am 9. März 2023 folgende Satzung beschlossen:"
            ),
            h("Erster Teil", center=True, before=18),
            p("Allgemeine Bestimmungen", bold=True, center=True, after=6),
            _de_par(1, "Rechtsform und Aufgabe"),
            p(
                "(1) Die Stadtbibliothek ist eine öffentliche Einrichtung der Stadt Wendenbrück. Sie dient "
                "der "
                "allgemeinen Bildung, der Information, der beruflichen Fortbildung und der "
                "Freizeitgestaltung."
            ),
            p(
                "(2) Die Stadtbibliothek stellt Medien zur Benutzung in ihren Räumen und zur Ausleihe "
                "bereit und "
                "bietet Veranstaltungen zur Leseförderung für Kinder und Jugendliche an."
            ),
            _de_par(2, "Benutzerkreis"),
            p(
                "Jede Person ist im Rahmen dieser Satzung berechtigt, die Stadtbibliothek zu benutzen. "
                "Kinder und Jugendliche unter 16 Jahren benötigen für die Ausleihe die schriftliche "
                "Einwilligung einer erziehungsberechtigten Person."
            ),
            h("Zweiter Teil", center=True, before=18),
            p("Benutzung", bold=True, center=True, after=6),
            h("Abschnitt 1 Anmeldung und Benutzerausweis", center=True, before=12),
            _de_par(3, "Anmeldung"),
            p(
                "(1) Die Anmeldung erfolgt persönlich unter Vorlage eines gültigen Personalausweises oder "
                "Reisepasses mit Meldebescheinigung."
            ),
            p(
                "(2) Mit ihrer Unterschrift erkennen die Benutzerinnen und Benutzer diese Satzung an und "
                "willigen "
                "in die Speicherung ihrer personenbezogenen Daten ein, soweit dies für die Ausleihe "
                "erforderlich ist."
            ),
            _de_par(4, "Benutzerausweis"),
            p(
                "(1) Nach der Anmeldung erhält jede Benutzerin und jeder Benutzer einen Benutzerausweis. "
                "Er ist nicht übertragbar und bleibt Eigentum der Stadt Wendenbrück."
            ),
            p("(2) Der Verlust des Benutzerausweises ist der Stadtbibliothek unverzüglich anzuzeigen."),
            h("Abschnitt 2 Ausleihe und Rückgabe", center=True, before=12),
            _de_par(5, "Ausleihe"),
            p(
                "(1) Medien werden gegen Vorlage des Benutzerausweises ausgeliehen. Präsenzbestände, "
                "insbesondere Nachschlagewerke und Zeitschriften des laufenden Jahrgangs, sind von der "
                "Ausleihe "
                "ausgeschlossen."
            ),
            p("(2) Die Zahl der gleichzeitig entleihbaren Medien kann begrenzt werden."),
            _de_par(6, "Leihfrist und Verlängerung"),
            p(
                "(1) Die Leihfrist beträgt für Bücher vier Wochen, für Filme, Spiele und Zeitschriften "
                "zwei Wochen."
            ),
            p(
                "(2) Die Leihfrist kann vor ihrem Ablauf bis zu zweimal verlängert werden, sofern keine "
                "Vormerkung "
                "vorliegt. Die Verlängerung ist persönlich, telefonisch oder über das Benutzerkonto möglich."
            ),
            h("Dritter Teil", center=True, before=18),
            p("Schlussbestimmungen", bold=True, center=True, after=6),
            _de_par(7, "Haftung"),
            p(
                "Die Benutzerinnen und Benutzer haften für Verlust und Beschädigung der entliehenen Medien. "
                "Die Stadt haftet nicht für Schäden, die durch die Benutzung entliehener Datenträger an "
                "Geräten "
                "der Benutzerinnen und Benutzer entstehen."
            ),
            _de_par(8, "Inkrafttreten"),
            p(
                "Diese Satzung tritt am Tag nach ihrer öffentlichen Bekanntmachung in Kraft. Gleichzeitig "
                "tritt die "
                "Benutzungsordnung der Stadtbücherei vom 2. Juni 1998 außer Kraft."
            ),
            blank(),
            p("Wendenbrück, den 14. März 2023"),
            p("Dr. Martina Kessler", before=24),
            p("Bürgermeisterin"),
        ),
    )


# ----------------------------------------------------------------------------- Español: ordenanza


def _es_article(label: str) -> Para:
    return h(label, before=6)


def es_statute() -> Doc:
    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p(
                "ORDENANZA MUNICIPAL REGULADORA DE LA TENENCIA Y PROTECCIÓN DE LOS ANIMALES DE COMPAÑÍA",
                bold=True,
                center=True,
                after=12,
            ),
            h("EXPOSICIÓN DE MOTIVOS", center=True, before=12),
            p(
                "La creciente presencia de animales de compañía en los hogares del municipio y la "
                "sensibilidad "
                "social hacia su bienestar hacen necesario actualizar la ordenanza aprobada en 2004, que "
                "ha quedado "
                "superada por la legislación estatal y autonómica posterior.",
                justify=True,
                indent=28,
            ),
            p(
                "Esta ordenanza pretende conciliar la convivencia entre las personas propietarias de "
                "animales y el "
                "resto de la ciudadanía, garantizando al mismo tiempo unas condiciones dignas para los "
                "animales.",
                justify=True,
                indent=28,
            ),
            h("TÍTULO PRELIMINAR", center=True, before=12),
            p("Disposiciones generales", center=True, after=6),
            _es_article("Artículo 1. Objeto."),
            p(
                "La presente ordenanza tiene por objeto regular la tenencia de animales de compañía en el "
                "término "
                "municipal de Villarreal de la Vega, con el fin de proteger su bienestar y preservar la "
                "salubridad "
                "y la seguridad de las personas.",
                justify=True,
                indent=28,
            ),
            _es_article("Artículo 2. Ámbito de aplicación."),
            p(
                "Esta ordenanza se aplica a todas las personas, físicas o jurídicas, que sean propietarias o "
                "poseedoras de animales de compañía que residan habitualmente en el municipio o se "
                "encuentren en "
                "él de forma temporal.",
                justify=True,
                indent=28,
            ),
            _es_article("Artículo 3. Definiciones."),
            p("A efectos de esta ordenanza, se entiende por:", indent=28),
            p(
                "a) Animal de compañía: todo aquel mantenido por el ser humano, principalmente en su hogar, "
                "con fines de compañía, sin que exista actividad lucrativa alguna.",
                left=28,
            ),
            p(
                "b) Animal abandonado: aquel que no lleve identificación de su origen o de la persona que "
                "lo posee, "
                "ni vaya acompañado de persona alguna.",
                left=28,
            ),
            h("TÍTULO I", center=True, before=12),
            p("De la tenencia de animales", center=True, after=6),
            h("CAPÍTULO I", center=True, before=6),
            p("Obligaciones de las personas propietarias", center=True, after=6),
            _es_article("Artículo 4. Obligaciones generales."),
            p(
                "Las personas propietarias están obligadas a mantener a los animales en buenas condiciones "
                "higiénico-sanitarias, a proporcionarles alimentación y agua suficientes y a facilitarles la "
                "atención veterinaria que precisen.",
                justify=True,
                indent=28,
            ),
            _es_article("Artículo 5. Prohibiciones."),
            p("Queda prohibido:", indent=28),
            p("a) Maltratar o agredir físicamente a los animales.", left=28),
            p("b) Abandonarlos en viviendas cerradas, solares o vías públicas.", left=28),
            p("c) Mantenerlos atados de forma permanente.", left=28),
            h("CAPÍTULO II", center=True, before=6),
            p("Registro municipal de animales de compañía", center=True, after=6),
            _es_article("Artículo 6. Inscripción."),
            p(
                "Los perros, gatos y hurones deberán inscribirse en el Registro municipal en el plazo de "
                "tres meses "
                "desde su nacimiento o de un mes desde su adquisición o cambio de residencia.",
                justify=True,
                indent=28,
            ),
            _es_article("Artículo 7. Identificación."),
            p(
                "La identificación se realizará mediante microchip implantado por personal veterinario, "
                "que emitirá el correspondiente documento acreditativo.",
                justify=True,
                indent=28,
            ),
            h("TÍTULO II", center=True, before=12),
            p("Régimen sancionador", center=True, after=6),
            _es_article("Artículo 8. Infracciones."),
            p(
                "Las infracciones a esta ordenanza se clasifican en leves, graves y muy graves, conforme a "
                "lo "
                "dispuesto en la legislación autonómica de protección animal.",
                justify=True,
                indent=28,
            ),
            _es_article("Artículo 9. Sanciones."),
            p(
                "Las infracciones leves se sancionarán con multa de 100 a 500 euros; las graves, de 501 a "
                "2.000 "
                "euros, y las muy graves, de 2.001 a 15.000 euros.",
                justify=True,
                indent=28,
            ),
            h("Disposición final única. Entrada en vigor.", before=12),
            p(
                "La presente ordenanza entrará en vigor a los quince días de su publicación íntegra en el "
                "Boletín Oficial de la Provincia.",
                justify=True,
                indent=28,
            ),
        ),
    )


def es_regulation() -> Doc:
    """Chapters numbered with spelled-out ordinals, neither bold nor larger; articles run in."""

    def chapter(text: str) -> Para:
        return h(text, bold=False, center=True, before=12, after=6)

    def article(label: str, text: str) -> Para:
        return runs(label, " " + text, justify=True)

    return Doc(
        font="Arial",
        size=11,
        blocks=(
            p("REGLAMENTO DE RÉGIMEN INTERIOR", bold=True, center=True),
            p("Comunidad de Propietarios «Residencial Los Almendros»", center=True, after=12),
            p(
                "Aprobado por la Junta General Ordinaria celebrada el 18 de abril de 2023, al amparo del "
                "artículo 6 de la Ley 49/1960, de 21 de julio, sobre Propiedad Horizontal.",
                italic=True,
                justify=True,
            ),
            chapter("Capítulo Primero. Disposiciones generales"),
            article(
                "Artículo 1.-",
                "El presente Reglamento tiene por objeto regular los detalles de la convivencia y la "
                "adecuada "
                "utilización de los servicios y elementos comunes de la Comunidad.",
            ),
            article(
                "Artículo 2.-",
                "Sus normas obligan a todos los propietarios, así como a los arrendatarios y demás ocupantes "
                "de las viviendas y locales, a quienes los propietarios deberán dar a conocer su contenido.",
            ),
            chapter("Capítulo Segundo. De los órganos de gobierno"),
            article(
                "Artículo 3.-",
                "Los órganos de gobierno de la Comunidad son la Junta de Propietarios, el Presidente, el "
                "Secretario y el Administrador, con las funciones que les atribuye la Ley.",
            ),
            article(
                "Artículo 4.-",
                "La Junta se reunirá con carácter ordinario una vez al año para aprobar los presupuestos y "
                "las "
                "cuentas, y con carácter extraordinario cuando lo estime conveniente el Presidente o lo pida "
                "la cuarta parte de los propietarios.",
            ),
            chapter("Capítulo Tercero. Del uso de los elementos comunes"),
            article(
                "Artículo 5.-",
                "La piscina permanecerá abierta del 15 de junio al 15 de septiembre, de 11:00 a 21:00 horas. "
                "Los menores de catorce años deberán estar acompañados en todo momento por una persona "
                "adulta.",
            ),
            article(
                "Artículo 6.-",
                "Queda prohibido depositar bicicletas, coches de niño u otros objetos en los portales, "
                "rellanos "
                "y zonas de paso, salvo en los espacios habilitados al efecto.",
            ),
            article(
                "Artículo 7.-",
                "Las plazas de garaje se destinarán exclusivamente al estacionamiento de vehículos, sin "
                "que puedan "
                "utilizarse como trastero ni para realizar reparaciones.",
            ),
            chapter("Capítulo Cuarto. De las infracciones"),
            article(
                "Artículo 8.-",
                "El incumplimiento de este Reglamento será puesto en conocimiento del Presidente, quien "
                "requerirá "
                "al infractor para que cese en su conducta y, de persistir, podrá ejercitar las acciones "
                "judiciales previstas en el artículo 7.2 de la Ley de Propiedad Horizontal.",
            ),
            p("En Murcia, a 18 de abril de 2023.", before=12),
            p("EL PRESIDENTE", center=True, before=12),
            p("Fdo.: Andrés Gil Navarro", center=True),
        ),
    )


# ----------------------------------------------------------------------------- Português: lei municipal


def pt_statute() -> Doc:
    def division(label: str, caption: str) -> list[Para]:
        return [h(label, bold=False, center=True, before=12), p(caption, center=True, after=6)]

    def article(text: str) -> Para:
        return p(text, justify=True, indent=36)

    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p("LEI Nº 4.512, DE 12 DE MARÇO DE 2021", bold=True, center=True, after=12),
            p(
                "Institui a Política Municipal de Agricultura Urbana e Periurbana e dá outras providências.",
                italic=True,
                left=220,
                after=12,
            ),
            p(
                "O PREFEITO MUNICIPAL DE CAMPO ALEGRE DO SUL, Estado de Minas Gerais, faço saber que a "
                "Câmara "
                "Municipal aprova e eu sanciono a seguinte Lei:",
                justify=True,
                indent=36,
            ),
            *division("CAPÍTULO I", "DAS DISPOSIÇÕES GERAIS"),
            article(
                "Art. 1º Esta Lei institui a Política Municipal de Agricultura Urbana e Periurbana, com o "
                "objetivo "
                "de promover a segurança alimentar, a geração de renda e o aproveitamento de áreas ociosas."
            ),
            article("Art. 2º Para os fins desta Lei, considera-se:"),
            article(
                "I - agricultura urbana: o cultivo de hortaliças, plantas medicinais e frutíferas em áreas "
                "situadas dentro do perímetro urbano;"
            ),
            article(
                "II - agricultura periurbana: a atividade agrícola praticada nas áreas de transição entre "
                "a zona urbana e a zona rural;"
            ),
            article("III - horta comunitária: a área cultivada coletivamente por moradores organizados."),
            article(
                "Art. 3º São diretrizes da Política Municipal de Agricultura Urbana e Periurbana o uso "
                "sustentável "
                "do solo e da água, o estímulo à produção agroecológica e a participação da comunidade."
            ),
            *division("CAPÍTULO II", "DA GESTÃO DA POLÍTICA"),
            *division("Seção I", "Do Conselho Municipal"),
            article(
                "Art. 4º Fica criado o Conselho Municipal de Agricultura Urbana, órgão consultivo e "
                "deliberativo, "
                "composto paritariamente por representantes do Poder Público e da sociedade civil."
            ),
            article(
                "Art. 5º Compete ao Conselho acompanhar a execução desta Lei, propor critérios para a "
                "cessão de "
                "áreas públicas e aprovar o plano anual de atividades."
            ),
            article(
                "Parágrafo único. Os membros do Conselho não serão remunerados, sendo sua função considerada "
                "de relevante interesse público."
            ),
            *division("Seção II", "Do Fundo Municipal"),
            article(
                "Art. 6º Fica instituído o Fundo Municipal de Agricultura Urbana, destinado a financiar a "
                "aquisição de insumos, ferramentas e a capacitação dos agricultores urbanos."
            ),
            article(
                "Art. 7º Constituem receitas do Fundo as dotações orçamentárias próprias, as doações e os "
                "recursos provenientes de convênios com a União e o Estado."
            ),
            *division("CAPÍTULO III", "DAS DISPOSIÇÕES FINAIS"),
            article("Art. 8º O Poder Executivo regulamentará esta Lei no prazo de noventa dias."),
            article("Art. 9º Esta Lei entra em vigor na data de sua publicação."),
            p("Prefeitura Municipal de Campo Alegre do Sul, 12 de março de 2021.", before=12, indent=36),
            p("JOÃO CARLOS MENDES", center=True, before=24),
            p("Prefeito Municipal", center=True),
        ),
    )


# ----------------------------------------------------------------------------- Français : décret


def fr_statute() -> Doc:
    def article(label: str) -> Para:
        return h(label, center=True, before=12, after=6)

    def text(body: str) -> Para:
        return p(body, justify=True)

    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p("RÉPUBLIQUE FRANÇAISE", center=True),
            p(
                "Décret n° 2023-1187 du 14 décembre 2023 relatif à la gestion des biodéchets dans les "
                "établissements de restauration collective",
                bold=True,
                center=True,
                before=12,
                after=12,
            ),
            p("NOR : TREP2331207D", center=True, after=12),
            p("Le Premier ministre,"),
            p("Sur le rapport du ministre de la transition écologique et de la cohésion des territoires,"),
            p("Vu le code de l'environnement, notamment ses articles L. 541-1 et L. 541-21-1 ;"),
            p("Vu l'avis du Conseil national d'évaluation des normes en date du 5 octobre 2023,"),
            p("Décrète :"),
            h("TITRE Ier", center=True, before=18),
            p("DISPOSITIONS GÉNÉRALES", bold=True, center=True, after=6),
            h("Chapitre Ier\u00a0: Objet et champ d'application", center=True, before=12),
            article("Article premier"),
            text(
                "Le présent décret fixe les modalités de tri à la source et de valorisation des biodéchets "
                "produits par les établissements de restauration collective publics et privés."
            ),
            article("Article 2"),
            text(
                "Sont soumis aux dispositions du présent décret les établissements servant plus de cent "
                "cinquante "
                "repas par jour en moyenne sur l'année civile, y compris lorsque la préparation des repas "
                "est "
                "confiée à un prestataire."
            ),
            h("Chapitre II\u00a0: Définitions", center=True, before=12),
            article("Article 3"),
            text(
                "Au sens du présent décret, on entend par biodéchets les déchets alimentaires ou de cuisine "
                "issus de la préparation des repas et des restes de consommation."
            ),
            article("Article 4"),
            text(
                "Le producteur de biodéchets est la personne qui exploite l'établissement, que celui-ci soit "
                "géré directement ou par l'intermédiaire d'un délégataire."
            ),
            h("TITRE II", center=True, before=18),
            p("OBLIGATIONS DES ÉTABLISSEMENTS", bold=True, center=True, after=6),
            h("Chapitre Ier\u00a0: Tri à la source", center=True, before=12),
            article("Article 5"),
            text(
                "Les biodéchets sont triés à la source, séparément des autres déchets, dans des contenants "
                "identifiés, puis collectés séparément ou traités sur place par compostage."
            ),
            article("Article 6"),
            text(
                "L'exploitant informe les usagers, par un affichage visible dans la salle de restauration, "
                "des consignes de tri applicables et des quantités de biodéchets collectées l'année "
                "précédente."
            ),
            h("Chapitre II\u00a0: Contrôle et sanctions", center=True, before=12),
            article("Article 7"),
            text(
                "Le non-respect des obligations prévues au présent titre est puni de l'amende prévue pour "
                "les "
                "contraventions de la troisième classe."
            ),
            h("TITRE III", center=True, before=18),
            p("DISPOSITIONS FINALES", bold=True, center=True, after=6),
            article("Article 8"),
            text(
                "Le ministre de la transition écologique et de la cohésion des territoires est chargé de "
                "l'exécution du présent décret, qui sera publié au Journal officiel de la République "
                "française."
            ),
            p("Fait le 14 décembre 2023.", before=12),
            p("Claire Delmas", right=True),
            p("Par le Premier ministre :"),
            p("Le ministre de la transition écologique et de la cohésion des territoires,"),
            p("Antoine Roussel", right=True),
        ),
    )


# ----------------------------------------------------------------------------- Italiano: regolamento


def it_statute() -> Doc:
    def article(label: str) -> Para:
        return h(label, before=10)

    def comma(text: str) -> Para:
        return p(text, justify=True)

    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p("COMUNE DI BORGO SAN VITALE", bold=True, center=True),
            p("Provincia di Cuneo", center=True, after=12),
            p(
                "REGOLAMENTO COMUNALE PER LA DISCIPLINA DEL COMMERCIO SU AREE PUBBLICHE",
                bold=True,
                center=True,
                after=6,
            ),
            p(
                "Approvato con deliberazione del Consiglio comunale n. 27 del 30 maggio 2023",
                italic=True,
                center=True,
                after=12,
            ),
            h("CAPO I - DISPOSIZIONI GENERALI", center=True, before=12),
            article("Art. 1 - Oggetto"),
            comma(
                "1. Il presente regolamento disciplina l'esercizio del commercio su aree pubbliche nel "
                "territorio "
                "comunale, ai sensi del decreto legislativo 31 marzo 1998, n. 114, e della legge regionale "
                "12 novembre 1999, n. 28."
            ),
            comma(
                "2. Restano escluse dall'applicazione del presente regolamento le manifestazioni a carattere "
                "benefico organizzate da associazioni senza scopo di lucro."
            ),
            article("Art. 2 - Definizioni"),
            comma("1. Ai fini del presente regolamento si intende:"),
            comma(
                "a) per «commercio su aree pubbliche», l'attività di vendita di merci e di "
                "somministrazione di "
                "alimenti e bevande effettuata sulle aree pubbliche;"
            ),
            comma(
                "b) per «posteggio», la parte di area pubblica data in concessione all'operatore per "
                "l'esercizio dell'attività."
            ),
            article("Art. 3 - Competenze"),
            comma(
                "1. Le funzioni amministrative in materia di commercio su aree pubbliche sono esercitate "
                "dallo "
                "Sportello unico per le attività produttive, che cura il rilascio delle concessioni."
            ),
            h("CAPO II - MERCATI", center=True, before=12),
            article("Art. 4 - Istituzione dei mercati"),
            comma(
                "1. Il mercato settimanale si svolge il giovedì in piazza Vittorio Veneto e nelle vie "
                "adiacenti, "
                "con 64 posteggi, di cui 12 riservati ai produttori agricoli."
            ),
            article("Art. 5 - Orari"),
            comma(
                "1. Gli operatori possono occupare il posteggio dalle ore 6.30 e devono lasciarlo libero e "
                "pulito "
                "entro le ore 14.00. Non è consentito lo sgombero prima delle ore 12.00, salvo maltempo."
            ),
            article("Art. 6 - Assegnazione dei posteggi"),
            comma(
                "1. I posteggi rimasti liberi sono assegnati giornalmente agli operatori presenti secondo la "
                "graduatoria di spunta, formata in base al numero di presenze maturate."
            ),
            h("CAPO III - SANZIONI E DISPOSIZIONI FINALI", center=True, before=12),
            article("Art. 7 - Sanzioni"),
            comma(
                "1. Le violazioni alle disposizioni del presente regolamento sono punite con la sanzione "
                "amministrativa pecuniaria da euro 50 a euro 500."
            ),
            article("Art. 8 - Entrata in vigore"),
            comma(
                "1. Il presente regolamento entra in vigore il quindicesimo giorno successivo alla sua "
                "pubblicazione all'albo pretorio on line."
            ),
        ),
    )


# ----------------------------------------------------------------------------- Русский: областной закон


def ru_statute() -> Doc:
    def chapter(text: str) -> Para:
        return h(text, center=True, before=12, after=6)

    def article(text: str) -> Para:
        return h(text, before=6, indent=35)

    def body(text: str) -> Para:
        return p(text, justify=True, indent=35)

    return Doc(
        font="Times New Roman",
        size=14,
        blocks=(
            p("ЗАКОН", bold=True, center=True),
            p("НОВОРЕЧЕНСКОЙ ОБЛАСТИ", bold=True, center=True),
            p("О поддержке молодёжных инициатив в Новореченской области", bold=True, center=True, after=12),
            p("Принят Законодательным Собранием Новореченской области 15 февраля 2023 года", right=True),
            chapter("Глава 1. Общие положения"),
            article("Статья 1. Предмет регулирования настоящего Закона"),
            body(
                "Настоящий Закон регулирует отношения, связанные с государственной поддержкой молодёжных "
                "инициатив на территории Новореченской области, и определяет её формы и порядок оказания."
            ),
            article("Статья 2. Основные понятия, используемые в настоящем Законе"),
            body("Для целей настоящего Закона используются следующие основные понятия:"),
            body(
                "1) молодёжная инициатива — общественно полезный проект, разработанный и реализуемый "
                "гражданами "
                "в возрасте от 14 до 35 лет;"
            ),
            body(
                "2) инициативная группа — группа граждан численностью не менее трёх человек, выступающая "
                "с молодёжной инициативой."
            ),
            article("Статья 3. Принципы поддержки молодёжных инициатив"),
            body(
                "Поддержка молодёжных инициатив осуществляется на основе принципов открытости, равного "
                "доступа "
                "к мерам поддержки и конкурсного отбора проектов."
            ),
            chapter("Глава 2. Полномочия органов государственной власти области"),
            article("Статья 4. Полномочия Законодательного Собрания области"),
            body(
                "Законодательное Собрание области принимает законы в сфере поддержки молодёжных инициатив и "
                "осуществляет контроль за их исполнением."
            ),
            article("Статья 5. Полномочия Правительства области"),
            body(
                "Правительство области утверждает государственную программу поддержки молодёжных инициатив, "
                "определяет порядок проведения конкурсов и размеры грантов."
            ),
            chapter("Глава 3. Формы поддержки молодёжных инициатив"),
            article("Статья 6. Гранты на реализацию молодёжных инициатив"),
            body(
                "Гранты предоставляются победителям областного конкурса в размере до 500 тысяч рублей на "
                "один "
                "проект за счёт средств областного бюджета."
            ),
            article("Статья 7. Информационная и консультационная поддержка"),
            body(
                "Уполномоченный орган создаёт и поддерживает информационный портал молодёжных инициатив и "
                "организует бесплатные консультации для инициативных групп."
            ),
            chapter("Глава 4. Заключительные положения"),
            article("Статья 8. Вступление в силу настоящего Закона"),
            body(
                "Настоящий Закон вступает в силу через десять дней после дня его официального опубликования."
            ),
            p("Губернатор", before=24),
            p("Новореченской области\tА.В. Корнилов"),
            p("г. Новореченск", before=12),
            p("27 февраля 2023 года"),
            p("№ 14-ОЗ"),
        ),
    )


CASES: list[Case] = [
    generated("zh-statute", "zh", "statute", zh_statute),
    generated("ja-statute", "ja", "statute", ja_statute),
    generated("ko-statute", "ko", "statute", ko_statute),
    generated("de-statute", "de", "statute", de_statute),
    generated("es-statute", "es", "statute", es_statute),
    generated("es-regulation", "es", "statute", es_regulation),
    generated("pt-statute", "pt", "statute", pt_statute),
    generated("fr-statute", "fr", "statute", fr_statute),
    generated("it-statute", "it", "statute", it_statute),
    generated("ru-statute", "ru", "statute", ru_statute),
]
