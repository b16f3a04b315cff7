"""Spanish, French, German, Portuguese, Italian and Russian documents besides the statutes: a tender
specification, an activity report with plain (not bold) numbered headings, association minutes,
a letter without headings, two contracts and a technical report.
"""

from __future__ import annotations

from documents.tests.unstyled.case import Case, generated
from documents.tests.unstyled.docbuild import Doc, Para, h, lead, p, r, runs, table

# ----------------------------------------------------------------------------- Español: pliego técnico


def es_tender() -> Doc:
    def major(text: str) -> Para:
        return h(text, before=12, after=6)

    def minor(text: str) -> Para:
        return h(text, before=6, indent=18)

    def body(text: str) -> Para:
        return p(text, justify=True, indent=18)

    return Doc(
        font="Arial",
        size=10,
        blocks=(
            p("AYUNTAMIENTO DE VALDEMORAL", bold=True, center=True),
            p("PLIEGO DE PRESCRIPCIONES TÉCNICAS PARTICULARES", size=12, bold=True, center=True, before=12),
            p(
                "CONTRATO DE SERVICIO DE LIMPIEZA DE LOS EDIFICIOS MUNICIPALES",
                size=12,
                bold=True,
                center=True,
                after=6,
            ),
            p("Expediente: 2024/CONT/0045", center=True, after=12),
            major("1. OBJETO DEL CONTRATO"),
            body(
                "El presente pliego tiene por objeto definir las condiciones técnicas que regirán la "
                "prestación "
                "del servicio de limpieza de los edificios municipales del Ayuntamiento de Valdemoral, así "
                "como "
                "el suministro de los productos y materiales necesarios para su ejecución."
            ),
            body(
                "El servicio comprende la limpieza ordinaria diaria, la limpieza periódica de cristales, "
                "suelos y mobiliario, y las limpiezas extraordinarias que se requieran con motivo de actos "
                "institucionales o situaciones imprevistas."
            ),
            major("2. ÁMBITO DE APLICACIÓN"),
            table(
                ("Edificio", "Dirección", "Superficie (m²)"),
                ("Casa Consistorial", "Plaza de España, 1", "1.850"),
                ("Centro Cultural La Fragua", "C/ Herreros, 12", "2.300"),
                ("Biblioteca Municipal", "Avda. de la Constitución, 45", "1.120"),
                ("Polideportivo Municipal", "C/ del Río, s/n", "3.400"),
            ),
            major("3. DESCRIPCIÓN DE LOS SERVICIOS"),
            minor("3.1. Limpieza diaria"),
            body(
                "La limpieza diaria se realizará de lunes a viernes, fuera del horario de atención al "
                "público, e incluirá:"
            ),
            p("a) Barrido y fregado de suelos.", left=36),
            p("b) Vaciado de papeleras y retirada de residuos a los contenedores.", left=36),
            p("c) Limpieza y desinfección de aseos.", left=36),
            minor("3.2. Limpieza periódica"),
            table(
                ("Tarea", "Frecuencia"),
                ("Limpieza de cristales interiores", "Mensual"),
                ("Limpieza de cristales exteriores", "Trimestral"),
                ("Abrillantado de suelos", "Semestral"),
            ),
            minor("3.3. Limpiezas extraordinarias"),
            body(
                "La empresa adjudicataria atenderá las limpiezas extraordinarias solicitadas por el "
                "responsable "
                "del contrato en un plazo máximo de 24 horas, que se facturarán según los precios unitarios "
                "ofertados."
            ),
            major("4. MEDIOS PERSONALES Y MATERIALES"),
            minor("4.1. Personal"),
            body(
                "La empresa adjudicataria deberá subrogarse en los contratos del personal que actualmente "
                "presta "
                "el servicio, cuya relación figura en el anexo I, y designará un encargado que actuará como "
                "interlocutor con el Ayuntamiento."
            ),
            minor("4.2. Productos y maquinaria"),
            body(
                "Los productos de limpieza empleados deberán contar con etiqueta ecológica europea o "
                "equivalente. "
                "La maquinaria será aportada por la empresa y se mantendrá en perfecto estado de "
                "funcionamiento."
            ),
            major("5. CONTROL DE CALIDAD"),
            body(
                "El responsable del contrato realizará inspecciones mensuales en cada edificio y levantará "
                "acta de "
                "las deficiencias observadas, que la empresa deberá subsanar en un plazo de 48 horas."
            ),
            major("6. PLAZO DE EJECUCIÓN"),
            body(
                "El contrato tendrá una duración de dos años a contar desde el 1 de julio de 2024, "
                "prorrogable por "
                "periodos anuales hasta un máximo de dos años adicionales."
            ),
            p("En Valdemoral, a 12 de febrero de 2024.", before=18),
            p("EL JEFE DEL SERVICIO DE CONTRATACIÓN", center=True, before=18),
            p("Fdo.: Luis Ortega Sanz", center=True),
        ),
    )


# ----------------------------------------------------------------------------- Français : rapport d'activité


def fr_report() -> Doc:
    """Numbered headings typed as plain text (neither bold nor larger); two unnumbered bold ones."""

    def numbered(text: str) -> Para:
        return h(text, bold=False, before=12, after=4)

    def body(text: str) -> Para:
        return p(text, justify=True)

    return Doc(
        font="Calibri",
        size=11,
        blocks=(
            p("Rapport d'activité 2023", size=24, bold=True, center=True),
            p("Association Solidarité Logement Rhône", size=14, center=True, after=18),
            h("Le mot de la présidente", size=14, before=12, after=6),
            body(
                "L'année 2023 a été marquée par une forte hausse des demandes d'accompagnement : 412 ménages "
                "se sont adressés à nous, contre 337 en 2022. Cette augmentation traduit la dégradation de "
                "la "
                "situation du logement dans la métropole, en particulier pour les familles monoparentales."
            ),
            body(
                "Grâce à l'engagement de nos salariés et de nos 64 bénévoles, nous avons pu faire face à "
                "cette "
                "demande tout en ouvrant une nouvelle permanence à Vénissieux. Je les en remercie "
                "chaleureusement."
            ),
            p("Catherine Morel, présidente", italic=True, right=True),
            numbered("1. Contexte et missions"),
            numbered("1.1 Nos missions"),
            body(
                "Créée en 1992, l'association accompagne les ménages en difficulté dans l'accès et le "
                "maintien "
                "dans un logement décent. Elle gère également 148 logements en sous-location ou en mandat de "
                "gestion pour le compte de propriétaires privés."
            ),
            numbered("1.2 Le contexte du logement dans le Rhône"),
            body(
                "Le nombre de demandes de logement social en attente dans le département a dépassé 85 000 "
                "fin "
                "2023, pour environ 11 000 attributions par an. Les délais d'attente atteignent souvent "
                "plus de "
                "trois ans pour un logement de grande taille."
            ),
            numbered("2. Les activités de l'année"),
            numbered("2.1 L'accompagnement des ménages"),
            body(
                "Les travailleurs sociaux ont accompagné 298 ménages dans le cadre des différents "
                "dispositifs, "
                "dont la répartition figure dans le tableau ci-dessous."
            ),
            p("Tableau 1 – Ménages accompagnés par dispositif", italic=True, center=True),
            table(
                ("Dispositif", "Ménages", "Évolution"),
                ("Accompagnement vers et dans le logement", "176", "+18 %"),
                ("Prévention des expulsions", "84", "+31 %"),
                ("Intermédiation locative", "38", "+5 %"),
            ),
            numbered("2.2 La gestion locative adaptée"),
            body(
                "Notre agence immobilière à vocation sociale a capté 17 nouveaux logements en 2023. "
                "Le taux d'impayés est resté inférieur à 3 % grâce au suivi rapproché des locataires."
            ),
            numbered("2.3 Les actions collectives"),
            body("Plusieurs ateliers collectifs ont été proposés aux personnes accompagnées :"),
            p("– atelier budget (12 séances) ;", left=18),
            p("– atelier économies d'énergie (8 séances) ;", left=18),
            p("– sorties culturelles en partenariat avec le Théâtre des Célestins.", left=18),
            numbered("3. Les moyens"),
            numbered("3.1 L'équipe"),
            body(
                "L'équipe salariée compte 14 personnes, soit 12,4 équivalents temps plein, dont 7 "
                "travailleurs "
                "sociaux, 3 gestionnaires locatifs et une chargée de mission captation."
            ),
            numbered("3.2 Les finances"),
            table(
                ("Ressources", "Montant (€)"),
                ("Subventions publiques", "812 400"),
                ("Produits de la gestion locative", "286 900"),
                ("Dons et mécénat", "41 300"),
                ("Total", "1 140 600"),
            ),
            numbered("4. Perspectives 2024"),
            body(
                "En 2024, l'association souhaite développer la captation de logements dans les communes de "
                "l'ouest "
                "lyonnais et renforcer la prévention des expulsions en lien avec les bailleurs sociaux."
            ),
            h("Remerciements", size=14, before=12, after=6),
            body(
                "Nous remercions la Métropole de Lyon, l'État, la Caisse d'allocations familiales du Rhône, "
                "la Fondation Abbé Pierre ainsi que l'ensemble de nos donateurs pour leur soutien fidèle."
            ),
        ),
    )


# ----------------------------------------------------------------------------- Deutsch: Protokoll


def de_minutes() -> Doc:
    def top(text: str) -> Para:
        return h(text, before=10, after=3)

    return Doc(
        font="Arial",
        size=11,
        blocks=(
            p("Protokoll der ordentlichen Mitgliederversammlung", size=14, bold=True, center=True),
            p("Sportverein Blau-Weiß Eichenau e. V.", center=True, after=12),
            lead("Datum: ", "22. März 2024"),
            lead("Ort: ", "Vereinsheim, Am Sportpark 3, 82223 Eichenau"),
            lead("Beginn: ", "19:30 Uhr"),
            lead("Ende: ", "21:45 Uhr"),
            lead("Versammlungsleitung: ", "Thomas Brandl (1. Vorsitzender)"),
            lead("Protokoll: ", "Sabine Wimmer (Schriftführerin)"),
            p("Die Tagesordnung wurde wie folgt festgestellt:", before=10),
            p("1. Begrüßung und Feststellung der Beschlussfähigkeit", left=18),
            p("2. Genehmigung des Protokolls der Mitgliederversammlung 2023", left=18),
            p("3. Berichte des Vorstands", left=18),
            p("4. Kassenbericht und Bericht der Kassenprüfer", left=18),
            p("5. Entlastung des Vorstands", left=18),
            p("6. Neuwahlen", left=18),
            p("7. Anträge", left=18),
            p("8. Verschiedenes", left=18),
            top("TOP 1: Begrüßung und Feststellung der Beschlussfähigkeit"),
            p(
                "Der 1. Vorsitzende begrüßt die 90 anwesenden stimmberechtigten Mitglieder sowie den "
                "Ehrenvorsitzenden "
                "Josef Huber. Er stellt fest, dass die Einladung fristgerecht am 1. März im Vereinsheft "
                "und per E-Mail "
                "erfolgt ist und die Versammlung beschlussfähig ist."
            ),
            top("TOP 2: Genehmigung des Protokolls der Mitgliederversammlung 2023"),
            p(
                "Das Protokoll lag zur Einsichtnahme aus und wurde auf der Website veröffentlicht. "
                "Einwände gibt es keine."
            ),
            lead("Beschluss: ", "Das Protokoll wird einstimmig genehmigt."),
            top("TOP 3: Berichte des Vorstands"),
            p(
                "Thomas Brandl berichtet über ein erfolgreiches Jahr: Die Mitgliederzahl stieg auf 1.148, "
                "die "
                "Fußballjugend stellt erstmals zwei Mädchenmannschaften, und der neue Kunstrasenplatz "
                "wurde im "
                "September eingeweiht."
            ),
            p(
                "Die Abteilungsleiter der Abteilungen Tennis, Turnen und Tischtennis berichten kurz über "
                "ihre "
                "Abteilungen. Die Berichte liegen dem Protokoll als Anlage bei."
            ),
            top("TOP 4: Kassenbericht und Bericht der Kassenprüfer"),
            table(
                ("Position", "Betrag (€)"),
                ("Einnahmen (Beiträge, Zuschüsse, Veranstaltungen)", "186.420,00"),
                ("Ausgaben (Übungsleiter, Platzpflege, Verbandsabgaben)", "171.035,50"),
                ("Überschuss", "15.384,50"),
            ),
            p(
                "Die Kassenprüfer Maria Lechner und Georg Pfaff haben die Kasse am 8. März geprüft und "
                "bestätigen "
                "eine ordnungsgemäße und übersichtliche Kassenführung."
            ),
            top("TOP 5: Entlastung des Vorstands"),
            p("Georg Pfaff beantragt die Entlastung des gesamten Vorstands."),
            lead("Abstimmungsergebnis: ", "87 Ja-Stimmen, 0 Nein-Stimmen, 3 Enthaltungen"),
            top("TOP 6: Neuwahlen"),
            table(
                ("Amt", "Name", "Ergebnis"),
                ("1. Vorsitzender", "Thomas Brandl", "einstimmig wiedergewählt"),
                ("Kassiererin", "Petra Gruber", "88 Ja, 2 Enthaltungen"),
                ("Schriftführerin", "Sabine Wimmer", "einstimmig wiedergewählt"),
            ),
            top("TOP 7: Anträge"),
            p(
                "Es liegt ein Antrag der Tennisabteilung auf Zuschuss zur Sanierung der Platzbewässerung "
                "in Höhe "
                "von 6.000 Euro vor. Nach kurzer Aussprache wird der Antrag mit großer Mehrheit angenommen."
            ),
            top("TOP 8: Verschiedenes"),
            p(
                "Das Sommerfest findet am 20. Juli statt. Helferinnen und Helfer können sich bis Ende Juni "
                "bei der "
                "Geschäftsstelle melden. Der Vorsitzende schließt die Versammlung um 21:45 Uhr."
            ),
            p("Eichenau, 25. März 2024", before=18),
            p("Thomas Brandl, Versammlungsleiter", before=18),
            p("Sabine Wimmer, Protokollführerin"),
        ),
    )


# ----------------------------------------------------------------------------- Deutsch: Brief (no headings)


def de_letter() -> Doc:
    return Doc(
        font="Arial",
        size=11,
        blocks=(
            p("Sabine Hoffmann · Lindenstraße 12 · 50674 Köln", size=8, underline=True, after=6),
            p("Hausverwaltung Becker GmbH"),
            p("Herrn Michael Becker"),
            p("Rheinuferstraße 88"),
            p("50668 Köln", after=18),
            p("Köln, 28. Februar 2024", right=True, after=18),
            p("Kündigung des Mietvertrags für die Wohnung Lindenstraße 12, 2. OG links", bold=True, after=12),
            p("Sehr geehrter Herr Becker,"),
            p(
                "hiermit kündige ich den mit Ihnen geschlossenen Mietvertrag vom 1. April 2017 über die oben "
                "genannte Wohnung fristgerecht zum 31. Mai 2024."
            ),
            p(
                "Ich bitte Sie, mir den Eingang dieser Kündigung schriftlich zu bestätigen und mir einen "
                "Termin "
                "für die Wohnungsübergabe vorzuschlagen. Für eine Vorbesichtigung durch Mietinteressenten "
                "stehe "
                "ich nach vorheriger Absprache gern zur Verfügung."
            ),
            p(
                "Die Mietkaution überweisen Sie bitte nach der Abrechnung auf mein Konto bei der Sparkasse "
                "KölnBonn, IBAN DE12 3705 0198 0012 3456 78."
            ),
            p("Mit freundlichen Grüßen", before=12),
            p("Sabine Hoffmann", before=30),
        ),
    )


# ----------------------------------------------------------------------------- Português: contrato


def pt_contract() -> Doc:
    def clause(text: str) -> Para:
        return h(text, before=12, after=4)

    def body(text: str) -> Para:
        return p(text, justify=True)

    return Doc(
        font="Arial",
        size=11,
        blocks=(
            p(
                "CONTRATO DE PRESTAÇÃO DE SERVIÇOS DE MANUTENÇÃO PREDIAL",
                size=13,
                bold=True,
                center=True,
                after=12,
            ),
            runs(
                r("CONTRATANTE: ", bold=True),
                "CONDOMÍNIO EDIFÍCIO SOLAR DAS PALMEIRAS, pessoa jurídica de direito privado, inscrita no "
                "CNPJ "
                "sob o nº 12.345.678/0001-90, com sede na Rua das Acácias, 410, Vila Mariana, São Paulo/SP, "
                "neste ato representado por sua síndica, Sra. Marina Alves Pereira.",
                justify=True,
            ),
            runs(
                r("CONTRATADA: ", bold=True),
                "MANUTEC SERVIÇOS PREDIAIS LTDA., inscrita no CNPJ sob o nº 98.765.432/0001-10, com sede na "
                "Avenida Jabaquara, 1250, São Paulo/SP, neste ato representada por seu sócio-administrador, "
                "Sr. Ricardo Tavares Lima.",
                justify=True,
            ),
            body(
                "As partes acima identificadas têm, entre si, justo e acertado o presente Contrato de "
                "Prestação de "
                "Serviços de Manutenção Predial, que se regerá pelas cláusulas seguintes."
            ),
            clause("CLÁUSULA PRIMEIRA – DO OBJETO"),
            body(
                "1.1. O presente contrato tem por objeto a prestação, pela CONTRATADA, de serviços de "
                "manutenção "
                "preventiva e corretiva das instalações elétricas, hidráulicas e dos portões automáticos do "
                "condomínio."
            ),
            body(
                "1.2. A manutenção preventiva será realizada mensalmente, conforme cronograma acordado com a "
                "administração do condomínio."
            ),
            clause("CLÁUSULA SEGUNDA – DAS OBRIGAÇÕES DA CONTRATADA"),
            body(
                "2.1. A CONTRATADA obriga-se a atender aos chamados de manutenção corretiva no prazo "
                "máximo de "
                "4 (quatro) horas, em qualquer dia da semana, inclusive domingos e feriados."
            ),
            body(
                "2.2. A CONTRATADA responsabiliza-se pelo cumprimento das normas de segurança do trabalho "
                "e pelo "
                "fornecimento de equipamentos de proteção individual a seus empregados."
            ),
            clause("CLÁUSULA TERCEIRA – DAS OBRIGAÇÕES DO CONTRATANTE"),
            body(
                "3.1. O CONTRATANTE deverá permitir o livre acesso dos técnicos da CONTRATADA às áreas "
                "comuns "
                "do edifício e efetuar os pagamentos nas datas ajustadas."
            ),
            clause("CLÁUSULA QUARTA – DO PREÇO E DA FORMA DE PAGAMENTO"),
            body(
                "4.1. Pelos serviços contratados, o CONTRATANTE pagará à CONTRATADA o valor mensal de R$ "
                "3.850,00 "
                "(três mil, oitocentos e cinquenta reais), até o dia 10 (dez) de cada mês, mediante boleto "
                "bancário."
            ),
            body(
                "4.2. Peças e materiais necessários à manutenção corretiva serão cobrados à parte, mediante "
                "orçamento previamente aprovado pela síndica."
            ),
            clause("CLÁUSULA QUINTA – DO PRAZO"),
            body(
                "5.1. O presente contrato vigorará pelo prazo de 12 (doze) meses, a contar de 1º de maio "
                "de 2024, "
                "podendo ser prorrogado por acordo entre as partes."
            ),
            clause("CLÁUSULA SEXTA – DA RESCISÃO"),
            body(
                "6.1. O contrato poderá ser rescindido por qualquer das partes, mediante aviso prévio por "
                "escrito "
                "de 30 (trinta) dias, sem que caiba qualquer indenização."
            ),
            clause("CLÁUSULA SÉTIMA – DO FORO"),
            body(
                "7.1. Fica eleito o foro da Comarca de São Paulo/SP para dirimir quaisquer dúvidas "
                "oriundas do "
                "presente contrato."
            ),
            body(
                "E, por estarem assim justos e contratados, firmam o presente instrumento em duas vias de "
                "igual "
                "teor, juntamente com 2 (duas) testemunhas."
            ),
            p("São Paulo, 3 de abril de 2024.", center=True, before=12),
            p("_______________________________", center=True, before=24),
            p("CONDOMÍNIO EDIFÍCIO SOLAR DAS PALMEIRAS", center=True),
            p("Contratante", center=True),
            p("_______________________________", center=True, before=24),
            p("MANUTEC SERVIÇOS PREDIAIS LTDA.", center=True),
            p("Contratada", center=True),
            p("Testemunhas:", before=12),
            p("1. ___________________________ Nome: Paulo Henrique Souza"),
            p("2. ___________________________ Nome: Juliana Costa Ramos"),
        ),
    )


# ----------------------------------------------------------------------------- Italiano: relazione tecnica


def it_report() -> Doc:
    def major(text: str) -> Para:
        return h(text, before=12, after=4)

    def minor(text: str) -> Para:
        return h(text, bold=False, italic=True, before=6)

    def body(text: str) -> Para:
        return p(text, justify=True)

    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p("COMUNE DI BORGO SAN VITALE", center=True),
            p("RELAZIONE TECNICA ILLUSTRATIVA", size=16, bold=True, center=True, before=12),
            p(
                "Progetto di fattibilità tecnica ed economica per la riqualificazione energetica della "
                "scuola "
                "primaria «G. Rodari»",
                center=True,
                after=18,
            ),
            major("1. PREMESSA"),
            body(
                "La presente relazione illustra il progetto di riqualificazione energetica della scuola "
                "primaria "
                "«G. Rodari», sita in via Roma 14, finanziato nell'ambito del Programma regionale per "
                "l'efficienza "
                "energetica degli edifici pubblici."
            ),
            body(
                "L'edificio, costruito nel 1968, presenta consumi elevati e condizioni di comfort "
                "insoddisfacenti "
                "nei mesi invernali. Gli interventi previsti mirano a ridurre il fabbisogno di energia "
                "primaria "
                "di almeno il 40 per cento."
            ),
            major("2. INQUADRAMENTO DELL'AREA"),
            body(
                "L'edificio si trova nel centro abitato, in zona climatica E, con 2.850 gradi giorno. Il "
                "lotto "
                "confina a nord con il parco pubblico e a sud con il parcheggio comunale, che resterà "
                "accessibile "
                "durante i lavori."
            ),
            major("3. STATO DI FATTO"),
            minor("3.1 Involucro edilizio"),
            body(
                "Le pareti perimetrali sono in muratura a cassa vuota priva di isolamento, con trasmittanza "
                "stimata di 1,1 W/m²K. I serramenti in alluminio senza taglio termico hanno vetri singoli."
            ),
            minor("3.2 Impianti"),
            table(
                ("Impianto", "Descrizione", "Anno"),
                ("Generazione di calore", "Caldaia a gasolio da 280 kW", "1994"),
                ("Distribuzione", "Radiatori in ghisa senza valvole termostatiche", "1968"),
                ("Illuminazione", "Lampade fluorescenti lineari", "2002"),
            ),
            major("4. DESCRIZIONE DEGLI INTERVENTI"),
            minor("4.1 Isolamento termico delle pareti"),
            body(
                "È previsto un cappotto esterno in lana di roccia dello spessore di 14 cm, con finitura "
                "a intonaco silossanico, che porterà la trasmittanza delle pareti a 0,24 W/m²K."
            ),
            minor("4.2 Sostituzione dei serramenti"),
            body(
                "Tutti i serramenti saranno sostituiti con infissi in PVC con doppio vetro basso emissivo e "
                "gas argon, dotati di aeratori per il ricambio d'aria nelle aule."
            ),
            minor("4.3 Impianto fotovoltaico"),
            body(
                "Sulla copertura piana sarà installato un impianto fotovoltaico da 45 kWp, che coprirà circa "
                "il 60 per cento del fabbisogno elettrico annuo della scuola."
            ),
            major("5. QUADRO ECONOMICO"),
            table(
                ("Voce", "Importo (€)"),
                ("Lavori a base d'asta", "1.240.000,00"),
                ("Oneri per la sicurezza", "38.000,00"),
                ("Somme a disposizione dell'amministrazione", "322.000,00"),
                ("Totale", "1.600.000,00"),
            ),
            major("6. CRONOPROGRAMMA"),
            table(
                ("Fase", "Periodo"),
                ("Progettazione esecutiva", "febbraio – aprile 2024"),
                ("Gara d'appalto", "maggio – giugno 2024"),
                ("Esecuzione dei lavori", "luglio 2024 – marzo 2025"),
            ),
            p("Borgo San Vitale, 15 gennaio 2024", before=18),
            p("Il progettista", right=True, before=12),
            p("Ing. Paolo Ferraris", right=True),
        ),
    )


# ----------------------------------------------------------------------------- Русский: договор


def ru_contract() -> Doc:
    def section(text: str) -> Para:
        return h(text, center=True, before=12, after=6)

    def body(text: str) -> Para:
        return p(text, justify=True, indent=35)

    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p("ДОГОВОР № 15/24", size=14, bold=True, center=True),
            p("возмездного оказания услуг", bold=True, center=True, after=12),
            p("г. Екатеринбург\t\t\t\t\t\t«12» марта 2024 г.", after=12),
            body(
                "Общество с ограниченной ответственностью «Уральский сервис», именуемое в дальнейшем "
                "«Исполнитель», в лице генерального директора Смирнова Андрея Викторовича, действующего на "
                "основании Устава, с одной стороны, и Общество с ограниченной ответственностью «Торговый дом "
                "Исеть», именуемое в дальнейшем «Заказчик», в лице директора Кузнецовой Елены Павловны, "
                "действующей на основании Устава, с другой стороны, заключили настоящий договор о "
                "нижеследующем:"
            ),
            section("1. ПРЕДМЕТ ДОГОВОРА"),
            body(
                "1.1. Исполнитель обязуется по заданию Заказчика оказать услуги по техническому обслуживанию "
                "холодильного оборудования в магазинах Заказчика, а Заказчик обязуется оплатить эти услуги."
            ),
            body(
                "1.2. Перечень оборудования и адреса магазинов указаны в Приложении № 1 к настоящему "
                "договору."
            ),
            section("2. ПРАВА И ОБЯЗАННОСТИ СТОРОН"),
            body("2.1. Исполнитель обязан:"),
            body(
                "2.1.1. проводить плановое техническое обслуживание оборудования не реже одного раза в месяц;"
            ),
            body("2.1.2. устранять неисправности в течение 24 часов с момента получения заявки Заказчика."),
            body(
                "2.2. Заказчик обязан обеспечить доступ специалистов Исполнителя к оборудованию в рабочее "
                "время."
            ),
            section("3. СТОИМОСТЬ УСЛУГ И ПОРЯДОК РАСЧЁТОВ"),
            body(
                "3.1. Стоимость услуг составляет 96 000 (девяносто шесть тысяч) рублей в месяц, в том "
                "числе НДС 20 %."
            ),
            body(
                "3.2. Оплата производится ежемесячно не позднее 10-го числа месяца, следующего за расчётным, "
                "на основании подписанного сторонами акта оказанных услуг."
            ),
            section("4. ОТВЕТСТВЕННОСТЬ СТОРОН"),
            body(
                "4.1. За нарушение сроков устранения неисправностей Исполнитель уплачивает Заказчику "
                "неустойку "
                "в размере 0,1 % от месячной стоимости услуг за каждый час просрочки."
            ),
            section("5. ФОРС-МАЖОР"),
            body(
                "5.1. Стороны освобождаются от ответственности за неисполнение обязательств, если оно "
                "явилось "
                "следствием обстоятельств непреодолимой силы, возникших после заключения договора."
            ),
            section("6. ЗАКЛЮЧИТЕЛЬНЫЕ ПОЛОЖЕНИЯ"),
            body(
                "6.1. Договор вступает в силу с момента подписания и действует до 31 декабря 2024 г. "
                "Если ни одна из сторон не заявит о его расторжении за 30 дней до окончания срока, "
                "договор считается продлённым на следующий календарный год."
            ),
            body("6.2. Договор составлен в двух экземплярах, имеющих равную юридическую силу."),
            section("7. АДРЕСА И РЕКВИЗИТЫ СТОРОН"),
            table(
                ("Исполнитель", "Заказчик"),
                ("ООО «Уральский сервис»", "ООО «Торговый дом Исеть»"),
                (
                    "620014, г. Екатеринбург, ул. Малышева, д. 51",
                    "620075, г. Екатеринбург, ул. Ленина, д. 24",
                ),
                ("ИНН 6671234567", "ИНН 6679876543"),
                ("Генеральный директор ____________ А.В. Смирнов", "Директор ____________ Е.П. Кузнецова"),
            ),
        ),
    )


CASES: list[Case] = [
    generated("es-tender", "es", "tender", es_tender),
    generated("fr-report", "fr", "report", fr_report),
    generated("de-minutes", "de", "minutes", de_minutes),
    generated("de-letter", "de", "letter", de_letter),
    generated("pt-contract", "pt", "contract", pt_contract),
    generated("it-report", "it", "report", it_report),
    generated("ru-contract", "ru", "contract", ru_contract),
]
