"""Tests for interpret(): RawRegister → typed Register, with a Swedish problem per unreadable cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docautomation.models import (
    ActivityStatus,
    CellRef,
    CellValue,
    CommentBlock,
    DeadlineKind,
    Level,
    MeetingType,
    Problem,
    RawRegister,
    Register,
    Role,
    Severity,
    WishStatus,
    error,
)
from docautomation.register.interpret import DEFAULT_CATEGORIES, interpret
from docautomation.register.scaffold import example_content
from tests.support.interpret import COLUMNS, Uncomputed, forening, raw_register, raw_sheet

Rows = Sequence[Mapping[str, object]]


def run(sheets: Mapping[str, Rows], **named: str) -> tuple[Register, tuple[Problem, ...]]:
    return interpret(raw_register({"Förening": forening(), **sheets}, **named))


def err(sheet: str, cell: str, message: str) -> Problem:
    return error(CellRef(sheet, cell), message)


# ---------------------------------------------------------------------------------------------
# Förening and Prioritering (read by association.py; see test_association.py)
# ---------------------------------------------------------------------------------------------


def test_missing_sheets_give_empty_records_without_problems() -> None:
    """Without any sheet: empty association, default order, empty tuples; validation reports."""
    register, problems = interpret(RawRegister("x.xlsx", "0" * 64, {}))
    assert problems == ()
    assert (register.association.name, register.association.year) == ("", None)
    assert register.categories == DEFAULT_CATEGORIES and not register.categories_customised
    assert (
        register.contacts,
        register.activities,
        register.groups,
        register.wishes,
        register.meetings,
    ) == ((), (), (), (), ())


def test_sheets_feed_the_register() -> None:
    """The Förening year reaches Klart; a Prioritering order reaches Kategori matching."""
    order = [{"Nr": 1, "Kategori": "Lag"}, {"Nr": 2, "Kategori": "Övrigt"}]
    register, problems = run(
        {
            "Prioritering": order,
            "Aktiviteter": [{"Verksamhetsområde": "A", "Aktivitet/åtgärd": "B", "Klart": "v12"}],
            "Önskemål": [{"ID": "1", "Rubrik": "R", "Kategori": "öv"}],
        }
    )
    assert problems == ()
    assert register.association.year == 2021 and register.categories_customised
    assert register.activities[0].deadline.start == date(2021, 3, 22)
    assert register.wishes[0].category == 2


# ---------------------------------------------------------------------------------------------
# Kontakter
# ---------------------------------------------------------------------------------------------


def test_contacts() -> None:
    """Roles match any case; Kommun and E-post are kept; row and cells point at the sheet."""
    rows: Rows = [
        {
            "Namn": "Maria Holmgren",
            "Roll": " ordförande ",
            "Kommun": "Sollentuna kommun",
            "E-post": "maria@example.org",
        },
        {"Namn": "Per Lind", "Roll": "Vice ordf."},
    ]
    register, problems = run({"Kontakter": rows})
    assert problems == ()
    maria, per = register.contacts
    assert (
        maria.name,
        maria.role,
        maria.role_text,
        maria.municipality,
        maria.email,
        maria.row,
    ) == (
        "Maria Holmgren",
        Role.ORDFORANDE,
        "ordförande",
        "Sollentuna kommun",
        "maria@example.org",
        2,
    )
    assert maria.cells["E-post"] == CellRef("Kontakter", "D2")
    assert per.role is Role.VICE_ORDFORANDE


def test_contact_errors() -> None:
    """Unknown role (with suggestion), empty name or role, and a bad address are errors."""
    rows: Rows = [
        {"Namn": "A", "Roll": "Ordförand"},
        {"Namn": "B", "Roll": "Vaktmästare"},
        {"Roll": "Kassör", "E-post": "b at kommun.se"},
        {"Namn": "D", "Kommun": "Täby"},
    ]
    register, problems = run({"Kontakter": rows})
    assert [c.role for c in register.contacts] == [None, None, Role.KASSOR, None]
    assert register.contacts[2].email == ""
    assert problems == (
        err("Kontakter", "B2", 'Roll "Ordförand" är okänd. Menade du "Ordförande"?'),
        err(
            "Kontakter",
            "B3",
            'Roll "Vaktmästare" är okänd: välj Ordförande, Vice ordförande, '
            "Kassör, Sekreterare, Ledamot, Suppleant, Revisor, Revisorssuppleant, Valberedning "
            "eller Kontaktperson.",
        ),
        err("Kontakter", "A4", "Namn saknas: skriv kontaktens namn."),
        err(
            "Kontakter",
            "D4",
            'E-post "b at kommun.se" ser inte ut som en e-postadress (t.ex. namn@kommun.se).',
        ),
        err("Kontakter", "B5", "Roll saknas: välj en roll, t.ex. Ordförande eller Ledamot."),
    )


# ---------------------------------------------------------------------------------------------
# Aktiviteter
# ---------------------------------------------------------------------------------------------


def plan_rows() -> list[dict[str, CellValue]]:
    """The 2021 plan's Aktiviteter rows exactly as the shipped example holds them."""
    names = COLUMNS["Aktiviteter"][:5]
    return [{k: row[k] or None for k in names} for row in example_content()["Aktiviteter"]]


def test_plan_2021_activities_and_groups() -> None:
    """The 2021 plan reads into 17 activities in 9 groups, areas continued from above."""
    register, problems = run({"Aktiviteter": plan_rows()})
    assert problems == ()
    assert len(register.activities) == 17
    assert [(g.area, len(g.activities)) for g in register.groups] == [
        ("Styrelsearbete", 5),
        ("Ekonomi", 1),
        ("Kommunikation", 1),
        ("Forum/nätverk", 4),
        ("Pilot tema", 1),
        ("Interna projekt/forum", 1),
        ("Externa projekt/forum", 1),
        ("Önskemål", 1),
        ("Stödja förvaltning", 2),
    ]
    assert register.activities == tuple(a for g in register.groups for a in g.activities)
    workshop = register.activities[1]
    assert (workshop.area, workshop.responsible, workshop.row) == (
        "Styrelsearbete",
        "Ordförande",
        3,
    )
    assert workshop.cells["Klart"] == CellRef("Aktiviteter", "D3")
    support = register.activities[-1]
    assert (support.area, support.row) == ("Stödja förvaltning", 19)


def test_plan_2021_deadlines_use_the_plan_year() -> None:
    """Klart texts are read against the Verksamhetsår and keep the text as written."""
    register, _ = run({"Aktiviteter": plan_rows()})
    deadlines = [a.deadline for a in register.activities]
    assert [d.kind for d in deadlines[:8]] == [
        DeadlineKind.CONTINUOUS,
        DeadlineKind.MONTH,
        DeadlineKind.MONTH,
        DeadlineKind.MONTH,
        DeadlineKind.MONTH,
        DeadlineKind.CONTINUOUS,
        DeadlineKind.RECURRING,
        DeadlineKind.YEAR,
    ]
    assert (deadlines[2].text, deadlines[2].display, deadlines[2].due) == (
        "Mar 2021",
        "mars 2021",
        date(2021, 3, 31),
    )
    assert deadlines[12].display == "hösten 2021"
    assert deadlines[0].start == date(2021, 1, 1)


def test_plan_2021_comment_list_items() -> None:
    """Kommentar lines starting with "-" become list items with the marker removed."""
    register, _ = run({"Aktiviteter": plan_rows()})
    channels = register.activities[9]
    assert channels.comment.startswith("- Via prosona.se\n")
    assert channels.comment_blocks == (
        CommentBlock("Via prosona.se", True),
        CommentBlock("Via nyhetsbrevet", True),
        CommentBlock("Undersökningar (enkäter)", True),
        CommentBlock("Via inlägg (facebook)", True),
    )
    assert register.activities[0].comment_blocks == (
        CommentBlock(
            "Kommun bokas utifrån intresse hos medlemmarna och geografisk spridning "
            "(2021 genomförs samtliga möten på distans pga pandemin).",
            False,
        ),
    )


def test_comment_mixes_text_and_every_marker() -> None:
    """Plain lines stay text; -, –, • and * start list items; empty lines are dropped."""
    rows: Rows = [
        {
            "Verksamhetsområde": "A",
            "Aktivitet/åtgärd": "B",
            "Kommentar": "Inledning\n\n– ett\n•två\n * tre\nSlut",
        }
    ]
    register, _ = run({"Aktiviteter": rows})
    assert register.activities[0].comment_blocks == (
        CommentBlock("Inledning", False),
        CommentBlock("ett", True),
        CommentBlock("två", True),
        CommentBlock("tre", True),
        CommentBlock("Slut", False),
    )


def test_follow_up_keeps_its_text_and_list_lines() -> None:
    """Uppföljning is kept as written and split like Kommentar; "Ej påbörjad" is Planerad."""
    rows: Rows = [
        {
            "Verksamhetsområde": "A",
            "Aktivitet/åtgärd": "B",
            "Status": "Ej påbörjad",
            "Uppföljning": "Hölls i juni.\n- 40 deltagare\n• Nöjda",
        },
        {"Aktivitet/åtgärd": "C", "Status": "Klar"},
    ]
    register, problems = run({"Aktiviteter": rows})
    assert problems == ()
    first, second = register.activities
    assert first.status is ActivityStatus.PLANERAD
    assert first.follow_up == "Hölls i juni.\n- 40 deltagare\n• Nöjda"
    assert first.follow_up_blocks == (
        CommentBlock("Hölls i juni.", False),
        CommentBlock("40 deltagare", True),
        CommentBlock("Nöjda", True),
    )
    assert (second.follow_up, second.follow_up_blocks) == ("", ())


def test_a_row_with_only_follow_up_is_an_error() -> None:
    """Uppföljning without Aktivitet/åtgärd is a detail without its activity."""
    rows: Rows = [{"Verksamhetsområde": "A", "Aktivitet/åtgärd": "B"}, {"Uppföljning": "Gjort"}]
    _, problems = run({"Aktiviteter": rows})
    assert [p.cell for p in problems] == ["B3"]


def test_group_header_without_activities_and_repeated_area() -> None:
    """A header row with no activities still makes a group; a repeated area (merged cell) continues."""
    rows: Rows = [
        {"Verksamhetsområde": "Tom"},
        {"Verksamhetsområde": "Ekonomi", "Aktivitet/åtgärd": "A"},
        {"Verksamhetsområde": "Ekonomi", "Aktivitet/åtgärd": "B"},
        {"Verksamhetsområde": "Sist"},
    ]
    register, problems = run({"Aktiviteter": rows})
    assert problems == ()
    assert [(g.area, [a.action for a in g.activities]) for g in register.groups] == [
        ("Tom", []),
        ("Ekonomi", ["A", "B"]),
        ("Sist", []),
    ]


def test_activity_row_without_action_is_an_error() -> None:
    """Other cells filled but no Aktivitet/åtgärd: error at that cell, and no activity."""
    rows: Rows = [
        {"Verksamhetsområde": "A", "Aktivitet/åtgärd": "X"},
        {"Ansvarig": "Kassör", "Klart": "Q2"},
    ]
    register, problems = run({"Aktiviteter": rows})
    assert len(register.activities) == 1
    assert problems == (
        err(
            "Aktiviteter",
            "B3",
            "Aktivitet/åtgärd saknas men raden har andra "
            "uppgifter: skriv aktiviteten eller töm raden.",
        ),
    )


def test_first_activity_without_area_is_an_error() -> None:
    """An activity with no area above it is an error at its Verksamhetsområde cell."""
    register, problems = run({"Aktiviteter": [{"Aktivitet/åtgärd": "X"}]})
    assert register.groups[0].area == "" and register.activities[0].action == "X"
    assert problems == (
        err(
            "Aktiviteter",
            "A2",
            "Verksamhetsområde saknas: skriv området (en tom "
            "cell fortsätter området ovanför, men här finns inget ovanför).",
        ),
    )


def test_activity_status_and_klart_cells() -> None:
    """Status matches any case and natural variants; unknown is an error; Klart dates read."""
    rows: Rows = [
        {
            "Verksamhetsområde": "A",
            "Aktivitet/åtgärd": "1",
            "Status": "pågår",
            "Klart": datetime(2021, 5, 3),
        },
        {"Aktivitet/åtgärd": "2", "Status": "Genomfört", "Klart": 2021},
        {"Aktivitet/åtgärd": "3", "Status": "Planerd"},
    ]
    register, problems = run({"Aktiviteter": rows})
    assert [a.status for a in register.activities] == [
        ActivityStatus.PAGAR,
        ActivityStatus.KLAR,
        None,
    ]
    assert register.activities[0].deadline.due == date(2021, 5, 3)
    assert register.activities[1].deadline.kind is DeadlineKind.YEAR
    assert problems == (
        err("Aktiviteter", "F4", 'Status "Planerd" är okänd. Menade du "Planerad"?'),
    )


def test_unknown_klart_is_left_to_validation() -> None:
    """Klart text that is not understood gives an UNKNOWN deadline and no problem here."""
    register, problems = run(
        {
            "Aktiviteter": [
                {"Verksamhetsområde": "A", "Aktivitet/åtgärd": "B", "Klart": "när tid finns"}
            ]
        }
    )
    assert problems == ()
    assert register.activities[0].deadline.kind is DeadlineKind.UNKNOWN


# ---------------------------------------------------------------------------------------------
# Önskemål
# ---------------------------------------------------------------------------------------------

FULL_WISH: dict[str, CellValue] = {
    "ID": "ÖNS-001",
    "Rubrik": "Ny riskklassning",
    "Beskrivning": "Rad 1\nRad 2 & <b>",
    "Inlämnat av": "Huddinge kommun",
    "Inlämnat": "2 mars 2021",
    "Kategori": "lagstift",
    "Lagkrav": "ja",
    "Myndighetsrapportering": "Nej",
    "Antal kommuner": "26",
    "Insats": "HÖG",
    "Effekt": "medel",
    "Status": "Skickad till Prosona",
    "Leverantörens ärende": 107,
    "Återkoppling": "Tack",
    "Pilot": "x",
}


def test_wish_every_column() -> None:
    """Every Önskemål column is read into the Wish, text kept exactly."""
    register, problems = run({"Önskemål": [FULL_WISH]})
    assert problems == ()
    wish = register.wishes[0]
    assert (wish.id, wish.title, wish.description, wish.submitted_by, wish.submitted) == (
        "ÖNS-001",
        "Ny riskklassning",
        "Rad 1\nRad 2 & <b>",
        "Huddinge kommun",
        date(2021, 3, 2),
    )
    assert (wish.category, wish.legal, wish.authority_reporting, wish.municipalities) == (
        1,
        True,
        False,
        26,
    )
    assert (wish.effort, wish.effect, wish.status, wish.status_text) == (
        Level.HOG,
        Level.MEDEL,
        WishStatus.SKICKAD,
        "Skickad till Prosona",
    )
    assert (wish.supplier_ref, wish.feedback, wish.pilot, wish.row) == ("107", "Tack", True, 2)
    assert wish.cells["Kategori"] == CellRef("Önskemål", "F2")
    assert set(wish.cells) == set(COLUMNS["Önskemål"])


def test_wish_status_forms() -> None:
    """Empty status is Ny; "Skickad till <Leverantör>" is Skickad; case does not matter."""
    statuses = [None, "skickad till Evry", "LEVERERAD", "Pågår", "avvisat", "Skickad"]
    rows = [{"ID": str(i), "Rubrik": "R", "Status": s} for i, s in enumerate(statuses)]
    register, problems = run({"Önskemål": rows})
    assert problems == ()
    assert [w.status for w in register.wishes] == [
        WishStatus.NY,
        WishStatus.SKICKAD,
        WishStatus.LEVERERAD,
        WishStatus.PAGAR,
        WishStatus.AVVISAD,
        WishStatus.SKICKAD,
    ]
    assert register.wishes[1].status_text == "skickad till Evry"


def test_wish_unreadable_values() -> None:
    """Each unreadable value is an error at its cell, in the board's words; the field is None."""
    row = {
        "ID": 12.0,
        "Rubrik": "R",
        "Inlämnat": "31/2 2021",
        "Kategori": "Lagstiftnig",
        "Lagkrav": "kanske",
        "Myndighetsrapportering": 2,
        "Antal kommuner": "3,5",
        "Insats": "mycket",
        "Effekt": "Hg",
        "Status": "Levererd",
        "Pilot": "jo",
    }
    register, problems = run({"Önskemål": [row]})
    wish = register.wishes[0]
    assert wish.id == "12"
    assert (
        wish.submitted,
        wish.category,
        wish.legal,
        wish.municipalities,
        wish.effort,
        wish.status,
        wish.status_text,
    ) == (None, None, None, None, None, WishStatus.NY, "Levererd")
    s = "Önskemål"
    assert problems == (
        err(
            s,
            "E2",
            'Inlämnat "31/2 2021" är inte ett giltigt datum: februari 2021 har bara 28 dagar.',
        ),
        err(
            s,
            "F2",
            'Kategori "Lagstiftnig" finns inte i prioriteringsordningen. Menade du '
            '"Lagstiftning" (1)?',
        ),
        err(s, "G2", 'Lagkrav "kanske" är inte Ja eller Nej.'),
        err(s, "H2", 'Myndighetsrapportering "2" är inte Ja eller Nej.'),
        err(s, "I2", 'Antal kommuner "3,5" är inte ett heltal ≥ 0.'),
        err(s, "J2", 'Insats "mycket" är okänd: välj Låg, Medel eller Hög.'),
        err(s, "K2", 'Effekt "Hg" är okänd. Menade du "Hög"?'),
        err(s, "L2", 'Status "Levererd" är okänd. Menade du "Levererad"?'),
        err(s, "O2", 'Pilot "jo" är inte Ja eller Nej.'),
    )


def test_wish_category_against_a_custom_order_and_ambiguity() -> None:
    """Kategori is matched against the register's own order; a start fitting several is an error."""
    order: Rows = [
        {"Nr": 1, "Kategori": "Lag"},
        {"Nr": 2, "Kategori": "Larm"},
        {"Nr": 3, "Kategori": "Övrigt"},
    ]
    rows: Rows = [
        {"ID": "1", "Rubrik": "R", "Kategori": "öv"},
        {"ID": "2", "Rubrik": "R", "Kategori": "La"},
        {"ID": "3", "Rubrik": "R", "Kategori": 4},
    ]
    register, problems = run({"Prioritering": order, "Önskemål": rows})
    assert [w.category for w in register.wishes] == [3, None, None]
    assert problems == (
        err(
            "Önskemål",
            "F3",
            'Kategori "La" passar flera kategorier: "Lag" (1) och "Larm" (2). '
            "Skriv mer av namnet eller ange numret.",
        ),
        err(
            "Önskemål",
            "F4",
            'Kategori "4" finns inte i prioriteringsordningen: ange ett nummer '
            "1–3 eller ett kategorinamn.",
        ),
    )


def test_wish_without_id_or_title() -> None:
    """Empty ID and Rubrik are errors; the wish is still returned for further checks."""
    register, problems = run({"Önskemål": [{"Beskrivning": "Något"}]})
    assert len(register.wishes) == 1
    assert problems == (
        err("Önskemål", "A2", "ID saknas: varje önskemål behöver ett unikt ID, t.ex. ÖNS-012."),
        err("Önskemål", "B2", "Rubrik saknas: skriv en kort rubrik för önskemålet."),
    )


# ---------------------------------------------------------------------------------------------
# Möten
# ---------------------------------------------------------------------------------------------


def test_meeting_every_column() -> None:
    """Every Möten column is read; the agenda loses list markers and numbers, not times."""
    row = {
        "Datum": datetime(2021, 3, 25),
        "Start": "kl. 10.00",
        "Slut": time(12, 0),
        "Mötestyp": "årsmöte",
        "Plats": "Sollentuna",
        "Distanslänk": "https://zoom.us/j/1",
        "Dagordning": "1. Mötets öppnande\n2) Val\n- Budget\n\n09.30 Kaffe",
        "Kallelsedatum": "2021-03-11",
        "Mottagare": "Medlemmarna",
        "ID": "M-1",
    }
    register, problems = run({"Möten": [row]})
    assert problems == ()
    m = register.meetings[0]
    assert (m.date, m.start, m.end, m.type, m.type_text) == (
        date(2021, 3, 25),
        time(10),
        time(12),
        MeetingType.ARSMOTE,
        "årsmöte",
    )
    assert (m.place, m.link, m.notice_date, m.recipients, m.id, m.row) == (
        "Sollentuna",
        "https://zoom.us/j/1",
        date(2021, 3, 11),
        "Medlemmarna",
        "M-1",
        2,
    )
    assert m.agenda == ("Mötets öppnande", "Val", "Budget", "09.30 Kaffe")
    assert m.cells["Kallelsedatum"] == CellRef("Möten", "H2")


def test_meeting_type_variants() -> None:
    """Mötestyp matches case-insensitively, with a few natural variants."""
    types = [
        "STYRELSEMÖTE",
        "Konstituerande",
        "Extra årsstämma",
        " workshop ",
        "Annat",
        "Användarträff",
    ]
    rows = [{"Datum": date(2021, 5, 4), "Start": "13.00", "Mötestyp": t} for t in types]
    register, problems = run({"Möten": rows})
    assert problems == ()
    assert [m.type for m in register.meetings] == [
        MeetingType.STYRELSEMOTE,
        MeetingType.KONSTITUERANDE,
        MeetingType.EXTRA_ARSMOTE,
        MeetingType.WORKSHOP,
        MeetingType.ANNAT,
        MeetingType.ANVANDARTRAFF,
    ]


def test_meeting_errors() -> None:
    """Missing Datum/Start/Mötestyp, bad times, an unknown type and an http link are errors."""
    rows: Rows = [
        {"Plats": "Täby"},
        {
            "Datum": "i morgon",
            "Start": "25.00",
            "Slut": "sent",
            "Mötestyp": "Styrelsemöt",
            "Distanslänk": "http://zoom.us/j/1",
            "Kallelsedatum": "snart",
        },
    ]
    register, problems = run({"Möten": rows})
    assert register.meetings[1].link == "http://zoom.us/j/1"
    assert register.meetings[1].type is None
    assert problems == (
        err("Möten", "A2", "Datum saknas: skriv mötets datum, t.ex. 2021-03-15."),
        err("Möten", "B2", "Start saknas: skriv mötets starttid, t.ex. 13.00."),
        err(
            "Möten", "D2", "Mötestyp saknas: välj t.ex. Styrelsemöte, Årsmöte eller Användarträff."
        ),
        err(
            "Möten",
            "A3",
            'Datum "i morgon" är inte ett datum (skriv t.ex. 2021-03-15 eller 15 mars 2021).',
        ),
        err("Möten", "B3", 'Start "25.00" är inte en tid (skriv t.ex. 13.00).'),
        err("Möten", "D3", 'Mötestyp "Styrelsemöt" är okänd. Menade du "Styrelsemöte"?'),
        err("Möten", "C3", 'Slut "sent" är inte en tid (skriv t.ex. 13.00).'),
        err(
            "Möten",
            "F3",
            'Distanslänk "http://zoom.us/j/1" är inte en https://-adress (länken ska '
            "börja med https://).",
        ),
        err(
            "Möten",
            "H3",
            'Kallelsedatum "snart" är inte ett datum (skriv t.ex. 2021-03-15 eller 15 mars 2021).',
        ),
    )


# ---------------------------------------------------------------------------------------------
# Across sheets
# ---------------------------------------------------------------------------------------------


def test_uncomputed_formula_is_one_error_and_no_value() -> None:
    """A formula without a computed value is an error at its cell, not also "saknas"."""
    rows = [{"ID": Uncomputed(), "Rubrik": "R", "Antal kommuner": Uncomputed()}]
    register, problems = run({"Önskemål": rows})
    assert register.wishes[0].municipalities is None
    assert problems == (
        err("Önskemål", "A2", "ID: formeln saknar beräknat värde: öppna och spara filen i Excel."),
        err(
            "Önskemål",
            "I2",
            "Antal kommuner: formeln saknar beräknat värde: öppna och spara filen i Excel.",
        ),
    )


def test_problems_name_the_sheet_as_written() -> None:
    """Cell references use the workbook's own sheet name, not the canonical one."""
    _, problems = run(
        {"Önskemål": [{"ID": "1", "Rubrik": "R", "Lagkrav": "?"}]}, Önskemål=" önskemål "
    )
    assert problems == (err(" önskemål ", "G2", 'Lagkrav "?" är inte Ja eller Nej.'),)


def test_missing_column_gives_no_cell_problem() -> None:
    """A required column missing from the sheet is validation's report, not a cell error here."""
    sheet = raw_sheet("Önskemål", [{"ID": "1", "Beskrivning": "B"}], missing=("Rubrik",))
    raw = RawRegister("x.xlsx", "0" * 64, {"Önskemål": sheet})
    register, problems = interpret(raw)
    assert problems == () and register.wishes[0].title == ""
    assert "Rubrik" not in register.wishes[0].cells


def test_interpret_is_pure() -> None:
    """The same raw register gives equal results twice."""
    raw = raw_register(
        {"Förening": forening(), "Aktiviteter": plan_rows(), "Önskemål": [FULL_WISH]}
    )
    assert interpret(raw) == interpret(raw)


# ---------------------------------------------------------------------------------------------
# Property: never raises
# ---------------------------------------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "Ja", "x", "Q2 2021", "13.00", "2021-03-15", "- a\n* b", "Styrelsemöte"]
    ),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.just(Uncomputed()),
)


def sheet_rows(canonical: str) -> st.SearchStrategy[list[dict[str, object]]]:
    """Up to four rows with an arbitrary value in every column of the sheet."""
    row = st.fixed_dictionaries(dict.fromkeys(COLUMNS[canonical], cell_values))
    return st.lists(row, max_size=4)


forening_rows = st.lists(
    st.fixed_dictionaries(
        {
            "Fält": st.one_of(
                st.sampled_from(
                    [
                        "Föreningens namn",
                        "Verksamhetsår",
                        "Leverantör",
                        "Verksamhet enligt stadgarna",
                        "Kallelse årsmöte senast",
                        "Gräns för högt prioriterat",
                    ]
                ),
                cell_values,
            ),
            "Värde": cell_values,
        }
    ),
    max_size=6,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    forening_rows,
    sheet_rows("Prioritering"),
    sheet_rows("Kontakter"),
    sheet_rows("Aktiviteter"),
    sheet_rows("Önskemål"),
    sheet_rows("Möten"),
)
def test_interpret_never_raises(
    forening_: Rows,
    prioritering: Rows,
    kontakter: Rows,
    aktiviteter: Rows,
    onskemal: Rows,
    moten: Rows,
) -> None:
    """Arbitrary cell values in every column give a Register and problems, never an exception."""
    register, problems = interpret(
        raw_register(
            {
                "Förening": forening_,
                "Prioritering": prioritering,
                "Kontakter": kontakter,
                "Aktiviteter": aktiviteter,
                "Önskemål": onskemal,
                "Möten": moten,
            }
        )
    )
    assert all(p.severity in Severity and p.message for p in problems)
    assert len(register.activities) == sum(len(g.activities) for g in register.groups)
    assert {c.number for c in register.categories}
