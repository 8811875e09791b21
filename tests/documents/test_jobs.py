"""Tests for rendering the Word documents: contents, keys, determinism, hostile text, errors."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from docautomation.documents.annual import annual_version
from docautomation.documents.contexts import normalise, notice_context
from docautomation.documents.engine import WordTemplate
from docautomation.documents.formatting import kallelse_names
from docautomation.documents.jobs import TemplateSet, check_templates, document_jobs
from docautomation.errors import TemplateError
from docautomation.models import (
    Meeting,
    MeetingType,
    Ranking,
    Register,
    ReportChanges,
    WishStatus,
)
from docautomation.register.agenda import standard_agenda
from tests.support.rendering import (
    HOSTILE,
    LONG,
    MEETINGS,
    NS,
    PILOT_ID,
    TASKS,
    W,
    body_paragraphs,
    hostile_register,
    make_ranking,
    make_register,
    open_docx,
    parts,
    patch_template,
    root,
    rows,
    strict_parse_all,
    tables,
    text_of,
)
from tools.template_builder import NOTICE_TEMPLATE, PLAN_TEMPLATE, REPORT_TEMPLATE

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
TODAY = date(2021, 3, 15)
PLAN = "2021/Verksamhetsplan 2021.docx"
REPORT = "2021/Önskemål till Prosona 2021.docx"
ANNUAL = "2021/Verksamhetsberättelse 2021.docx"
FIRST = "2021/Kallelser/2021-02-09 Styrelsemöte.docx"


def _build(
    register: Register, ranking: Ranking | None = None, templates: Path = SHIPPED, **kwargs: object
) -> dict[str, bytes]:
    jobs = document_jobs(
        register, ranking or make_ranking(register), templates_dir=templates, today=TODAY, **kwargs
    )  # type: ignore[arg-type]
    return {job.path: job.render() for job in jobs}


def _keys(register: Register, templates: Path = SHIPPED, **kwargs: object) -> dict[str, str]:
    jobs = document_jobs(
        register, make_ranking(register), templates_dir=templates, today=TODAY, **kwargs
    )  # type: ignore[arg-type]
    return {job.path: job.key for job in jobs}


@pytest.fixture(scope="module", name="docs")
def _docs() -> dict[str, bytes]:
    """Every document built from the representative register, by outbox path."""
    return _build(make_register())


def _texts(data: bytes, style: str | None = None) -> list[str]:
    return [t for s, t in body_paragraphs(data) if style is None or s == style]


def _style_numbering(data: bytes, style: str) -> str:
    """The numFmt ("bullet", "decimal") a paragraph style's numbering gives its level 0."""
    styles, numbering = root(data, "word/styles.xml"), root(data, "word/numbering.xml")
    num_id = styles.find(f".//w:style[@w:styleId='{style}']/w:pPr/w:numPr/w:numId", NS)
    abstract = numbering.find(f"w:num[@w:numId='{num_id.get(f'{W}val')}']/w:abstractNumId", NS)
    level = numbering.find(
        f"w:abstractNum[@w:abstractNumId='{abstract.get(f'{W}val')}']/w:lvl[@w:ilvl='0']/w:numFmt",
        NS,
    )
    return str(level.get(f"{W}val"))


# ---------------------------------------------------------------------------------------------
# Layout and validity
# ---------------------------------------------------------------------------------------------


def test_jobs_follow_the_outbox_layout(docs: dict[str, bytes]) -> None:
    """Plan, one kallelse per meeting named "<datum> <Mötestyp>", the supplier report, the
    Verksamhetsberättelse and one protokoll draft per meeting, named like its kallelse."""
    kallelser = [
        "2021-02-09 Styrelsemöte",
        "2021-03-09 Styrelsemöte",
        "2021-03-25 Årsmöte",
        "2021-03-25 Konstituerande styrelsemöte",
        "2021-05-18 Styrelsemöte",
        "2021-08-31 Styrelsemöte",
        "2021-10-13 Användarträff",
        "2021-11-16 Workshop",
    ]
    assert list(docs) == [
        PLAN,
        *[f"2021/Kallelser/{k}.docx" for k in kallelser],
        REPORT,
        ANNUAL,
        *[f"2021/Protokoll/{k}.docx" for k in kallelser],
    ]


def test_every_document_is_valid_word(docs: dict[str, bytes]) -> None:
    """Each document opens in python-docx, every part parses strictly, no cell lacks a paragraph."""
    for data in docs.values():
        assert strict_parse_all(data) >= 10
        assert open_docx(data).sections[0].header.paragraphs[0].text == "Användarföreningen Castor"
        assert not root(data).xpath("//w:tc[not(w:p)]", namespaces=NS)
        assert "{{" not in text_of(root(data)) and "{%" not in text_of(root(data))


def test_footer_keeps_page_fields(docs: dict[str, bytes]) -> None:
    """The footer still reads "Sida X av Y" through PAGE and NUMPAGES fields after rendering."""
    footer = root(docs[PLAN], "word/footer1.xml")
    assert [i.text.strip() for i in footer.iter(f"{W}instrText")] == ["PAGE", "NUMPAGES"]


# ---------------------------------------------------------------------------------------------
# Verksamhetsplan
# ---------------------------------------------------------------------------------------------


def test_plan_title_sections_and_lists(docs: dict[str, bytes]) -> None:
    """Title, name, the sections in order, the stadgar tasks as bullets and the order as numbers."""
    data = docs[PLAN]
    assert _texts(data, "Title") == ["Verksamhetsplan för verksamhetsåret 2021"]
    assert _texts(data, "Subtitle") == ["Användarföreningen Castor"]
    assert _texts(data, "Heading1") == [
        "Föreningens vision",
        "Syfte",
        "Verksamhet som ska utföras enligt stadgarna",
        "Prioritering",
        "Aktiviteter",
    ]
    assert _texts(data, "ListBullet") == list(TASKS)
    assert _texts(data, "ListNumber")[:2] == ["Lagstiftning", "Myndighetsrapportering"]
    assert len(_texts(data, "ListNumber")) == 8
    assert _style_numbering(data, "ListBullet") == "bullet"
    assert _style_numbering(data, "ListNumber") == "decimal"
    assert (
        "Föreningen förordar att utveckling av systemet sker utifrån prioriteringsordningen:"
        in _texts(data)
    )


def test_plan_table_rows_in_register_order_with_merged_areas(docs: dict[str, bytes]) -> None:
    """One row per activity in order; the area cell is merged vertically over its group."""
    register = make_register()
    (table,) = tables(docs[PLAN])
    cells = rows(table)
    assert cells[0] == ["Verksamhetsområde", "Aktivitet/åtgärd", "Ansvarig", "Klart", "Kommentar"]
    assert table.find("w:tr/w:trPr/w:tblHeader", NS) is not None
    assert [r[1] for r in cells[1:]] == [a.action for a in register.activities]
    assert [r[3] for r in cells[1:]] == [a.deadline.text for a in register.activities]
    merges = [
        tr.find("w:tc/w:tcPr/w:vMerge", NS).get(f"{W}val") for tr in table.findall("w:tr", NS)[1:]
    ]
    expected = [
        ("restart" if i == 0 else "continue")
        for g in register.groups
        for i in range(len(g.activities))
    ]
    assert merges == expected
    starts = [r[0] for r, m in zip(cells[1:], merges, strict=True) if m == "restart"]
    assert starts == [g.area for g in register.groups]
    assert starts[-1] == "Stödja förvaltning" and merges[-2:] == ["restart", "continue"]


def _comment_cell(data: bytes, action: str) -> etree._Element:
    (table,) = tables(data)
    row = next(
        tr for tr in table.findall("w:tr", NS) if text_of(tr.findall("w:tc", NS)[1]) == action
    )
    return row.findall("w:tc", NS)[4]


def test_plan_comment_list_lines_are_a_word_list_in_the_cell(docs: dict[str, bytes]) -> None:
    """Kommentar list lines become List Bullet paragraphs; plain text stays a normal paragraph."""
    cell = _comment_cell(docs[PLAN], "Kommunikationsvägar")
    styled = [
        (p.find("w:pPr/w:pStyle", NS).get(f"{W}val"), text_of(p)) for p in cell.findall("w:p", NS)
    ]
    assert styled == [
        ("ListBullet", "Via prosona.se"),
        ("ListBullet", "Via nyhetsbrevet"),
        ("ListBullet", "Undersökningar (enkäter)"),
        ("ListBullet", "Via inlägg (facebook)"),
    ]
    plain = _comment_cell(docs[PLAN], "Utveckla årsmötet").findall("w:p", NS)
    assert [text_of(p) for p in plain] == ["Inspel i utvärderingen"]
    assert plain[0].find("w:pPr/w:pStyle", NS) is None


def test_plan_empty_comment_leaves_one_empty_paragraph(docs: dict[str, bytes]) -> None:
    """An activity without Kommentar gets exactly one empty paragraph in its cell."""
    cell = _comment_cell(docs[PLAN], "Utveckla användarträffen")
    assert [text_of(p) for p in cell.findall("w:p", NS)] == [""]


def test_plan_without_vision_or_activities_omits_those_parts() -> None:
    """Empty Vision/Syfte sections are left out and no activity table is made without activities."""
    register = replace(make_register(vision="", purpose=""), activities=(), groups=())
    data = _build(register)[PLAN]
    assert _texts(data, "Heading1") == [
        "Verksamhet som ska utföras enligt stadgarna",
        "Prioritering",
        "Aktiviteter",
    ]
    assert not tables(data)
    assert "Registret innehåller inga aktiviteter." in _texts(data)


# ---------------------------------------------------------------------------------------------
# Kallelse
# ---------------------------------------------------------------------------------------------


def test_kallelse_states_every_fact(docs: dict[str, bytes]) -> None:
    """Association, type, weekday and date, time, link, recipients, sending date, agenda, caller."""
    data = docs[FIRST]
    texts = _texts(data)
    assert _texts(data, "Title") == ["Kallelse till styrelsemöte"]
    assert _texts(data, "Subtitle") == ["Användarföreningen Castor"]
    for line in (
        "Möte: Styrelsemöte",
        "Datum: tisdag 9 februari 2021",
        "Tid: kl. 13.00–15.00",
        "Distanslänk: https://teams.microsoft.com/l/meetup-join/castor-2021",
        "Mottagare: Styrelsen",
        "Kallelsen skickas: tisdag 2 februari 2021",
        "Maria Holmgren",
        "Ordförande, Användarföreningen Castor",
    ):
        assert line in texts
    assert not any(t.startswith("Plats:") for t in texts)
    assert _texts(data, "Heading1") == ["Dagordning"]
    assert _texts(data, "ListNumber") == list(MEETINGS[0].agenda)


def test_kallelse_uses_the_standard_agenda_when_empty(docs: dict[str, bytes]) -> None:
    """An empty Dagordning gives the type's standard agenda as a numbered list."""
    board = docs["2021/Kallelser/2021-03-09 Styrelsemöte.docx"]
    assert _texts(board, "ListNumber") == list(standard_agenda(MeetingType.STYRELSEMOTE))
    assert "Tid: kl. 9.30–11.00" in _texts(board)
    agm = docs["2021/Kallelser/2021-03-25 Årsmöte.docx"]
    assert _texts(agm, "ListNumber") == list(standard_agenda(MeetingType.ARSMOTE))
    assert "Fastställande av röstlängd" in _texts(agm, "ListNumber")
    assert "Mottagare: Medlemmarna" in _texts(agm)
    assert "Kallelsen skickas: måndag 1 mars 2021" in _texts(agm)


def test_konstituerande_is_sent_with_the_arsmote(docs: dict[str, bytes]) -> None:
    """A konstituerande styrelsemöte without Kallelsedatum is sent with the same day's årsmöte."""
    data = docs["2021/Kallelser/2021-03-25 Konstituerande styrelsemöte.docx"]
    assert "Kallelsen skickas: måndag 1 mars 2021" in _texts(data)
    assert "Tid: kl. 12.30–13.00" in _texts(data)


def test_workshop_without_agenda_says_the_program_follows(docs: dict[str, bytes]) -> None:
    """Workshop/Användarträff have a Program; an empty one says it will be announced."""
    data = docs["2021/Kallelser/2021-11-16 Workshop.docx"]
    assert _texts(data, "Heading1") == ["Program"]
    assert "Programmet meddelas senare." in _texts(data)
    assert not _texts(data, "ListNumber")
    assert "Plats: Sollentuna kommunhus" in _texts(data)
    assert "Mottagare: Medlemmarnas systemförvaltare" in _texts(data)
    assert "Tid: kl. 13.00" in _texts(data)
    day = docs["2021/Kallelser/2021-10-13 Användarträff.docx"]
    assert _texts(day, "ListNumber")[0] == "09.30 Registrering och kaffe"


def test_kallelse_without_ordforande_is_signed_by_the_board() -> None:
    """Without an Ordförande in Kontakter, the kallelse is signed "Styrelsen"."""
    register = replace(make_register(), contacts=(), meetings=MEETINGS[:1])
    texts = _texts(_build(register)[FIRST])
    assert "Styrelsen" in texts and "Maria Holmgren" not in texts


def test_kallelse_names_stay_unique_and_stable() -> None:
    """Same date and type: the later meeting gets its ID, or a counter without one."""
    day = date(2021, 4, 6)
    meetings = [
        Meeting(day, time(9), MeetingType.STYRELSEMOTE, place="A"),
        Meeting(day, time(13), MeetingType.STYRELSEMOTE, place="B", id="M/2"),
        Meeting(day, time(15), MeetingType.STYRELSEMOTE, place="C"),
        Meeting(None, time(9), MeetingType.STYRELSEMOTE, place="D"),
    ]
    stems = [stem for _, stem in kallelse_names(meetings)]
    assert stems == [
        "2021-04-06 Styrelsemöte",
        "2021-04-06 Styrelsemöte M_2",
        "2021-04-06 Styrelsemöte (2)",
    ]


# ---------------------------------------------------------------------------------------------
# Report to the supplier
# ---------------------------------------------------------------------------------------------


def test_report_summary_and_ranked_table(docs: dict[str, bytes]) -> None:
    """Date, count per category, and the ranked table in rank order with its nine columns."""
    register = make_register()
    ranking = make_ranking(register)
    data = docs[REPORT]
    assert _texts(data, "Title") == ["Önskemål till Prosona"]
    assert _texts(data, "Subtitle") == ["Användarföreningen Castor, 15 mars 2021"]
    layout, ranked, delivered, rejected = tables(data)
    summary = layout.find(".//w:tbl", NS)  # the summary table, with the chart beside it
    counts = {r[0]: int(r[1]) for r in rows(summary)[1:]}
    assert counts["1 Lagstiftning"] == sum(1 for r in ranking.ranked if r.category == 1)
    assert sum(counts.values()) == len(ranking.ranked) == 23
    assert rows(ranked)[0] == [
        "Plats",
        "ID",
        "Rubrik",
        "Kategori",
        "Antal kommuner",
        "Insats",
        "Effekt",
        "Status",
        "Leverantörens ärende",
    ]
    body = rows(ranked)[1:]
    assert [r[0] for r in body] == [str(i) for i in range(1, 24)]
    assert [r[1] for r in body] == [r.wish.id for r in ranking.ranked]
    first = ranking.ranked[0]
    assert body[0][3] == f"{first.category} {first.category_name}"
    assert body[0][4] == str(first.wish.municipalities)
    assert [r[0] for r in rows(delivered)[1:]] == [w.id for w in ranking.delivered]
    assert [r[0] for r in rows(rejected)[1:]] == [w.id for w in ranking.rejected]
    for table in (summary, ranked, delivered, rejected):
        assert table.find("w:tr/w:trPr/w:tblHeader", NS) is not None


def test_report_highlights_the_pilot_wish(docs: dict[str, bytes]) -> None:
    """Only the pilot wish's row is shaded and bold; the pilot is also named above the tables."""
    ranked = tables(docs[REPORT])[1]
    for tr in ranked.findall("w:tr", NS)[1:]:
        cells = tr.findall("w:tc", NS)
        fills = {shd.get(f"{W}fill") for shd in tr.iterfind("w:tc/w:tcPr/w:shd", NS)}
        bold = [r.find("w:rPr/w:b", NS) is not None for r in tr.iterfind(".//w:r", NS)]
        if text_of(cells[1]) == PILOT_ID:
            assert fills == {"FFF2CC"} and all(bold) and len(bold) == 9
        else:
            assert fills == set() and not any(bold)
    assert any(
        t.startswith(f"Föreningens pilotönskemål: {PILOT_ID} ") for t in _texts(docs[REPORT])
    )


def test_report_details_per_wish(docs: dict[str, bytes]) -> None:
    """Each ranked wish has a heading and its description, submission, reason and feedback."""
    ranking = make_ranking(make_register())
    data = docs[REPORT]
    headings = _texts(data, "Heading2")
    assert headings == [f"{r.rank}. {r.wish.id} {r.wish.title}" for r in ranking.ranked]
    texts = _texts(data)
    first = ranking.ranked[0]
    start = texts.index(headings[0])
    assert texts[start + 1 : start + 5] == [
        f"Beskrivning: {first.wish.description}",
        f"Inlämnat: {first.wish.submitted_by}, 21 juni 2021",
        f"Placering: {first.reason}",
        f"Återkoppling: {first.wish.feedback}",
    ]


def test_report_first_version_says_there_is_no_earlier_report(docs: dict[str, bytes]) -> None:
    """Without an earlier report the changes section says so."""
    assert "Det finns ingen tidigare rapport att jämföra med; detta är den första." in _texts(
        docs[REPORT]
    )


def test_report_lists_changes_since_the_previous_report() -> None:
    """Given changes, the report lists new wishes, status and category changes as bullets."""
    changes = ReportChanges(
        date(2021, 2, 1),
        ("ONS-031 Ny rubrik",),
        (("ONS-002 XML-export", WishStatus.SKICKAD, WishStatus.PAGAR),),
        (),
        ("ONS-099 Borttagen",),
    )
    data = _build(make_register(), changes=changes)[REPORT]
    texts = _texts(data)
    assert "Jämfört med förra rapporten (1 februari 2021)." in texts
    assert [t for t in _texts(data, "Heading2") if not t[0].isdigit()] == [
        "Nya önskemål",
        "Ändrad status",
        "Ändrad kategori",
        "Borttagna ur registret",
    ]
    bullets = _texts(data, "ListBullet")
    assert bullets == [
        "ONS-031 Ny rubrik",
        "ONS-002 XML-export: Skickad → Pågår",
        "ONS-099 Borttagen",
    ]
    assert texts[texts.index("Ändrad kategori") + 1] == "Inga."


def test_report_without_active_wishes() -> None:
    """All wishes closed: no ranked table, a sentence instead, and the closed ones are listed."""
    register = make_register()
    closed = tuple(replace(w, status=WishStatus.LEVERERAD) for w in register.wishes)
    register = replace(register, wishes=closed)
    data = _build(register, Ranking((), delivered=closed))[REPORT]
    assert "Det finns inga aktiva önskemål." in _texts(data)
    assert len(tables(data)) == 2  # summary (beside the chart) and delivered; no ranked or rejected
    assert "word/charts/chart1.xml" not in parts(data)  # no active wishes: no chart
    assert "Inga avvisade önskemål." in _texts(data)


# ---------------------------------------------------------------------------------------------
# Keys and determinism
# ---------------------------------------------------------------------------------------------


def test_changing_one_meeting_changes_only_its_kallelse_and_protokoll_keys() -> None:
    """An unchanged meeting's kallelse and protokoll (and the plan and reports) keep their keys;
    the Verksamhetsberättelse does too while the meeting is not yet held."""
    register = make_register()
    before = _keys(register)
    meetings = (
        *register.meetings[:4],
        replace(register.meetings[4], place="Annan plats"),
        *register.meetings[5:],
    )
    after = _keys(replace(register, meetings=meetings))
    changed = [path for path in before if before[path] != after[path]]
    assert changed == [
        "2021/Kallelser/2021-05-18 Styrelsemöte.docx",
        "2021/Protokoll/2021-05-18 Styrelsemöte.docx",
    ]


def test_changing_a_wish_or_the_vision_changes_only_its_document() -> None:
    """A delivered wish touches only the reports' keys (the Verksamhetsberättelse lists it);
    the vision only the plan's."""
    register = make_register()
    before = _keys(register)
    assert register.wishes[0].status is WishStatus.LEVERERAD
    wishes = (replace(register.wishes[0], title="Ny rubrik"), *register.wishes[1:])
    assert [p for p, k in _keys(replace(register, wishes=wishes)).items() if before[p] != k] == [
        REPORT,
        ANNUAL,
    ]
    assert [p for p, k in _keys(make_register(vision="Ny")).items() if before[p] != k] == [PLAN]


def test_report_key_follows_the_report_date_not_today() -> None:
    """The report's date is part of its key; `today` alone does not matter when a date is given."""
    register = make_register()
    fixed = _keys(register, report_date=date(2021, 2, 1))
    jobs = document_jobs(
        register,
        make_ranking(register),
        templates_dir=SHIPPED,
        today=date(2021, 9, 9),
        report_date=date(2021, 2, 1),
        annual=annual_version(register, TODAY),
    )
    assert {j.path: j.key for j in jobs} == fixed
    assert _keys(register)[REPORT] != fixed[REPORT]
    assert _keys(register)[PLAN] == fixed[PLAN]


def test_template_bytes_are_part_of_the_key(tmp_path: Path) -> None:
    """Editing the kallelse template changes every kallelse key and nothing else."""
    templates = tmp_path / "templates"
    shutil.copytree(SHIPPED, templates)
    register = make_register()
    before = _keys(register, templates)
    patch_template(
        SHIPPED / NOTICE_TEMPLATE, templates / NOTICE_TEMPLATE, "Välkomna!", "Hjärtligt välkomna!"
    )
    after = _keys(register, templates)
    assert {p for p in before if before[p] != after[p]} == {p for p in before if "/Kallelser/" in p}
    assert "Hjärtligt välkomna!" in _texts(_build(register, templates=templates)[FIRST])


def test_rendering_is_byte_identical(docs: dict[str, bytes]) -> None:
    """Same register, templates and date → the same bytes, rendered again or in a new build."""
    again = _build(make_register())
    assert again == docs
    jobs = document_jobs(
        make_register(), make_ranking(make_register()), templates_dir=SHIPPED, today=TODAY
    )
    assert jobs[0].render() == jobs[0].render() == docs[PLAN]


def test_core_properties_carry_the_documents_date(docs: dict[str, bytes]) -> None:
    """created/modified come from the document's own date, never the clock."""

    def stamp(data: bytes) -> str:
        core = root(data, "docProps/core.xml")
        return str(core.find("{http://purl.org/dc/terms/}modified").text)

    assert stamp(docs[PLAN]) == "2021-01-01T00:00:00Z"
    assert stamp(docs[FIRST]) == "2021-02-02T00:00:00Z"
    assert stamp(docs[REPORT]) == "2021-03-15T00:00:00Z"
    title = root(docs[REPORT], "docProps/core.xml").find("{http://purl.org/dc/elements/1.1/}title")
    assert title.text == "Önskemål till Prosona 2021"


# ---------------------------------------------------------------------------------------------
# Hostile text
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", name="hostile_docs")
def _hostile_docs() -> dict[str, bytes]:
    """Every document built from the hostile register."""
    return _build(hostile_register())


def test_hostile_text_keeps_documents_valid(hostile_docs: dict[str, bytes]) -> None:
    """& < > quotes, emoji, fake tags, CR/LF and control characters leave every part valid XML."""
    assert len(hostile_docs) == 19
    for data in hostile_docs.values():
        strict_parse_all(data)
        open_docx(data)
        assert not root(data).xpath("//w:tc[not(w:p)]", namespaces=NS)


def test_hostile_text_comes_out_literally(hostile_docs: dict[str, bytes]) -> None:
    """Every hostile value appears exactly as written; nothing is evaluated or turned into tags."""
    for path, data in hostile_docs.items():
        text = text_of(root(data))
        for value in HOSTILE:
            assert value in text, (path, value)
        header = text_of(root(data, "word/header1.xml"))
        assert header == "Förening " + " · ".join(HOSTILE)
    plan_text = _texts(hostile_docs[PLAN])
    assert LONG in plan_text
    assert "{{ y }}" not in text_of(root(hostile_docs[PLAN]))


def test_crlf_becomes_a_line_break_and_control_characters_go(
    hostile_docs: dict[str, bytes],
) -> None:
    """Excel's \\r\\n is one line break; XML-illegal characters are dropped."""
    plan = root(hostile_docs[PLAN])
    assert "rad ett\nrad två\nslut" in [text_of(p) for p in plan.iter(f"{W}p")]
    assert not any("\r" in (t.text or "") or "\x01" in (t.text or "") for t in plan.iter(f"{W}t"))


@pytest.fixture(scope="module", name="notice_template")
def _notice_template() -> WordTemplate:
    """The shipped kallelse template, compiled once for the property test."""
    return TemplateSet.read(SHIPPED).get(NOTICE_TEMPLATE)


@settings(max_examples=60, deadline=None)
@given(place=st.text(max_size=60))
def test_any_text_renders_literally(notice_template: WordTemplate, place: str) -> None:
    """Whatever a cell holds, the kallelse stays valid and shows it (normalised) as written."""
    register = make_register()
    meeting = replace(MEETINGS[0], place=place)
    data = notice_template.render(notice_context(register, meeting), title="t", when=TODAY)
    strict_parse_all(data)
    expected = normalise(place.strip())
    lines = [t for t in _texts(data) if t.startswith("Plats: ")]
    assert lines == ([f"Plats: {expected}"] if expected else [])


def test_supplier_name_cannot_escape_the_folder(hostile_docs: dict[str, bytes]) -> None:
    """The Leverantör in the report's file name has refused characters replaced."""
    (report,) = [p for p in hostile_docs if p.startswith("2021/Önskemål till ")]
    name = report.split("/", 1)[1]
    assert "/" not in name and not any(c in name for c in '\\:*?"<>|#%')
    assert name == "Önskemål till Pro_so_na_ _AB_ _x_____ 2021.docx"


def test_ten_thousand_rows_render() -> None:
    """A report with 10,000 ranked wishes and a plan with 2,000 activities render completely."""
    register = make_register()
    wish = register.wishes[1]
    wishes = tuple(replace(wish, id=f"ONS-{i:05d}", pilot=i == 7) for i in range(10_000))
    groups = tuple(replace(g, activities=g.activities * 12) for g in register.groups)
    big = replace(register, wishes=wishes, groups=groups)
    ranking = make_ranking(big)
    built = _build(big, ranking)
    ranked = tables(built[REPORT])[1]
    assert len(ranked.findall("w:tr", NS)) == 10_001
    (plan,) = tables(built[PLAN])
    assert len(plan.findall("w:tr", NS)) == 1 + 17 * 12


# ---------------------------------------------------------------------------------------------
# Template errors and templates check
# ---------------------------------------------------------------------------------------------


def _broken(tmp_path: Path, old: str, new: str, name: str = NOTICE_TEMPLATE) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(SHIPPED, templates, dirs_exist_ok=True)
    patch_template(SHIPPED / name, templates / name, old, new)
    return templates


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("{{ meeting.tid }}", ['okänd variabel "meeting.tid" i taggen "{{ meeting.tid }}"']),
        ("{{ mote.time }}", ['okänd variabel "mote" i taggen "{{ mote.time }}"']),
        ("{{ meeting.time | }}", ['syntaxfel i taggen "{{ meeting.time | }}"', "väntades"]),
        ("{% endfo %}", ['syntaxfel i taggen "{% endfo %}"', 'ingen tagg "endfo"']),
        ("{{ cycler.__init__.__globals__ }}", ['"__init__" är spärrat av säkerhetsskäl']),
    ],
)
def test_broken_template_names_the_template_and_tag(
    tmp_path: Path, new: str, expected: list[str]
) -> None:
    """Syntax error, unknown variable or forbidden access: a Swedish TemplateError naming file
    and tag, and the part of the document it is in."""
    templates = _broken(tmp_path, "{{ meeting.time }}", new)
    with pytest.raises(TemplateError) as caught:
        _build(make_register(), templates=templates)
    message = str(caught.value)
    assert message.startswith(f'Mallen "{NOTICE_TEMPLATE}"')
    assert "(brödtexten)" in message
    for part in expected:
        assert part in message
    for english in ("undefined", "expected", "Encountered", "unsafe", "attribute"):
        assert english not in message


def test_missing_template_is_a_template_error(tmp_path: Path) -> None:
    """A missing template stops before anything is rendered, naming the file."""
    with pytest.raises(TemplateError, match=f'Mallen "{PLAN_TEMPLATE}" saknas i mappen'):
        document_jobs(
            make_register(), make_ranking(make_register()), templates_dir=tmp_path, today=TODAY
        )


def test_check_templates_accepts_the_shipped_templates() -> None:
    """The shipped templates pass the check for the representative register."""
    register = make_register()
    assert check_templates(SHIPPED, register, make_ranking(register)) == []


def test_check_templates_finds_unknown_variables_in_untaken_branches(tmp_path: Path) -> None:
    """A misspelt variable inside an if the data never enters is still reported."""
    templates = _broken(tmp_path, "{{ meeting.link }}", "{{ meeting.lnk }}")
    register = replace(make_register(), meetings=(replace(MEETINGS[5], link=""),))
    problems = check_templates(templates, register, make_ranking(register))
    assert problems == [
        (
            f'Mallen "{NOTICE_TEMPLATE}" använder en okänd variabel "meeting.lnk" '
            'i taggen "{{ meeting.lnk }}" (brödtexten). Se vilka som finns med: '
            "docautomation templates fields"
        )
    ]


def test_check_templates_reports_syntax_and_missing_files(tmp_path: Path) -> None:
    """Syntax errors and missing templates each give one line."""
    templates = _broken(tmp_path, "{{ group.area }}", "{{ group.area }", PLAN_TEMPLATE)
    (templates / REPORT_TEMPLATE).unlink()
    register = make_register()
    problems = check_templates(templates, register, make_ranking(register))
    assert len(problems) == 2
    assert problems[0].startswith(f'Mallen "{PLAN_TEMPLATE}" har ett syntaxfel')
    assert problems[1].startswith(f'Mallen "{REPORT_TEMPLATE}" saknas')


def test_a_konstituerande_mote_on_its_own_day_is_called_like_a_board_meeting() -> None:
    """Without an årsmöte that day and without Kallelsedatum, it is sent 7 days before."""
    from docautomation.documents.contexts import sending_date

    meeting = Meeting(date(2021, 4, 20), time(10, 0), MeetingType.KONSTITUERANDE, place="Teams")
    register = replace(make_register(), meetings=(meeting,))
    assert sending_date(register, meeting) == date(2021, 4, 13)


def test_a_template_added_after_the_folder_was_set_up_comes_from_the_shipped_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A working folder from before a template existed still builds: the missing one is the
    shipped copy, said in a warning; the folder's own templates are used as they are."""
    for template in SHIPPED.glob("*.docx"):
        if template.name != PLAN_TEMPLATE:
            (tmp_path / template.name).write_bytes(template.read_bytes())
    jobs = document_jobs(
        make_register(), make_ranking(make_register()), templates_dir=tmp_path, today=TODAY
    )
    assert jobs and f'Mallen "{PLAN_TEMPLATE}" saknas' in caplog.text
