"""Tests for reading the Förening and Prioritering sheets into the Association and priority order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from docautomation.models import Association, Category, CellRef, Problem, error, warning
from docautomation.register.association import DEFAULT_CATEGORIES, read_association, read_categories
from tests.support.interpret import Uncomputed, forening, raw_sheet

Rows = Sequence[Mapping[str, object]]


def association(rows: Rows, missing: tuple[str, ...] = ()) -> tuple[Association, list[Problem]]:
    problems: list[Problem] = []
    return read_association(raw_sheet("Förening", rows, missing=missing), problems), problems


def categories(rows: Rows) -> tuple[tuple[Category, ...], bool, list[Problem]]:
    problems: list[Problem] = []
    order, customised = read_categories(raw_sheet("Prioritering", rows), problems)
    return order, customised, problems


def err(sheet: str, cell: str, message: str) -> Problem:
    return error(CellRef(sheet, cell), message)


# ---------------------------------------------------------------------------------------------
# Förening
# ---------------------------------------------------------------------------------------------


def test_fields_and_defaults() -> None:
    """Name and year are read; the optional fields take their defaults."""
    a, problems = association(forening())
    assert (a.name, a.year, a.supplier) == ("Användarföreningen Castor", 2021, "Prosona")
    assert (
        a.high_priority_threshold,
        a.agm_notice_earliest_weeks,
        a.agm_notice_latest_weeks,
        a.board_notice_days,
    ) == (15, 6, 2, 7)
    assert (a.vision, a.purpose, a.tasks) == ("", "", ())
    assert problems == []
    assert a.cells == {
        "Föreningens namn": CellRef("Förening", "B2"),
        "Verksamhetsår": CellRef("Förening", "B3"),
    }


def test_texts_numbers_and_tasks() -> None:
    """Numbers arrive as text or float; tasks are one per line with list markers removed."""
    rows = forening(
        Verksamhetsår="2021",
        Vision="En förening",
        Syfte="Att utveckla",
        Leverantör="Evry",
        **{
            "Verksamhet enligt stadgarna": "- Samla önskemål\n– Förvalta\n\n• Övervaka"
            "\n* Informera\nUtan markör",
            "Gräns för högt prioriterat": "10,0",
            "Kallelse årsmöte tidigast": 5.0,
            "Kallelse årsmöte senast": "3",
            "Kallelse styrelsemöte senast": 10,
        },
    )
    a, problems = association(rows)
    assert problems == []
    assert (a.year, a.vision, a.purpose, a.supplier) == (
        2021,
        "En förening",
        "Att utveckla",
        "Evry",
    )
    assert a.tasks == ("Samla önskemål", "Förvalta", "Övervaka", "Informera", "Utan markör")
    assert (
        a.high_priority_threshold,
        a.agm_notice_earliest_weeks,
        a.agm_notice_latest_weeks,
        a.board_notice_days,
    ) == (10, 5, 3, 10)


def test_fields_match_case_and_spaces() -> None:
    """Fält names are matched without regard to case, spaces or a trailing colon."""
    rows: Rows = [
        {"Fält": " föreningens  NAMN: ", "Värde": "Castor"},
        {"Fält": "verksamhetsår", "Värde": 2021},
    ]
    a, problems = association(rows)
    assert (a.name, a.year, problems) == ("Castor", 2021, [])


def test_unreadable_values_are_errors_and_keep_defaults() -> None:
    """Empty name, a non-year and bad numbers are errors at their Värde cell; defaults stay."""
    rows = forening(
        Föreningens_namn="",
        Verksamhetsår="tjugotjugoett",
        **{"Kallelse styrelsemöte senast": "en vecka", "Kallelse årsmöte senast": 99},
    )
    a, problems = association(rows)
    assert (a.year, a.board_notice_days, a.agm_notice_latest_weeks) == (None, 7, 2)
    assert len(problems) == 4
    assert set(problems) == {
        err("Förening", "B2", "Föreningens namn saknas: skriv föreningens namn."),
        err(
            "Förening", "B3", 'Verksamhetsår "tjugotjugoett" är inte ett årtal (skriv t.ex. 2021).'
        ),
        err("Förening", "B4", 'Kallelse styrelsemöte senast "en vecka" är inte ett heltal 0–365.'),
        err("Förening", "B5", 'Kallelse årsmöte senast "99" är inte ett heltal 0–52.'),
    }


def test_missing_name_row_and_empty_year() -> None:
    """A missing name row is a sheet-level error; an empty year is an error at its cell."""
    _, problems = association(
        [{"Fält": "Verksamhetsår", "Värde": None}, {"Fält": "Vision", "Värde": "V"}]
    )
    assert problems == [
        error(
            None,
            'Raden "Föreningens namn" saknas i bladet Förening. Lägg till en rad med '
            "Fält = Föreningens namn och namnet som Värde.",
            sheet="Förening",
        ),
        err("Förening", "B2", "Verksamhetsår saknas: skriv året planen gäller, t.ex. 2021."),
    ]


def test_missing_year_row_and_missing_columns_are_left_to_validation() -> None:
    """No Verksamhetsår row, or a sheet without its Värde column: no problem reported here."""
    a, problems = association([{"Fält": "Föreningens namn", "Värde": "Castor"}])
    assert (a.year, problems) == (None, [])
    a, problems = association(forening(), missing=("Värde",))
    assert (a.name, a.year, problems) == ("", None, [])


def test_unknown_and_repeated_fields_warn() -> None:
    """A misspelt Fält is a warning with a suggestion; a repeated Fält warns and the first wins."""
    rows: Rows = [
        *forening(),
        {"Fält": "Visionen", "Värde": "A"},
        {"Fält": "Vision", "Värde": "B"},
        {"Fält": "vision", "Värde": "C"},
        {"Fält": "Kommentar", "Värde": "ignoreras"},
    ]
    a, problems = association(rows)
    assert a.vision == "B"
    assert problems == [
        warning(CellRef("Förening", "A4"), 'Fält "Visionen" är okänt. Menade du "Vision"?'),
        warning(
            CellRef("Förening", "A6"),
            'Fältet "Vision" finns redan på rad 5; den här raden används inte.',
        ),
    ]


def test_uncomputed_year_is_not_reported_twice() -> None:
    """A formula cell is reported once by the row reader's caller, not as empty here."""
    a, problems = association(
        [
            {"Fält": "Föreningens namn", "Värde": "C"},
            {"Fält": "Verksamhetsår", "Värde": Uncomputed()},
        ]
    )
    assert (a.year, problems) == (None, [])


def test_missing_sheet_is_an_empty_association() -> None:
    """Without a Förening sheet: empty name, no year, defaults, no problem."""
    problems: list[Problem] = []
    assert read_association(None, problems) == Association(name="", year=None)
    assert problems == []


# ---------------------------------------------------------------------------------------------
# Prioritering
# ---------------------------------------------------------------------------------------------


def test_default_order_when_prioritering_is_absent_or_empty() -> None:
    """No Prioritering sheet, or one with only headers, gives the 2021 order, not customised."""
    problems: list[Problem] = []
    assert read_categories(None, problems) == (DEFAULT_CATEGORIES, False)
    assert categories([]) == (DEFAULT_CATEGORIES, False, [])
    assert [c.name for c in DEFAULT_CATEGORIES] == [
        "Lagstiftning",
        "Myndighetsrapportering",
        "Utvecklingsinsatser som prioriteras högt av medlemmarna",
        "Enkla åtgärder (låg insats)",
        "Effektivare arbetssätt (processer)",
        "Avvaktar (utifrån resurser och externa faktorer)",
        "Lågt prioriterat (liten effekt utifrån insats)",
        "Ej aktuellt/prioriterat",
    ]
    assert [c.number for c in DEFAULT_CATEGORIES] == list(range(1, 9))


def test_custom_order_is_read_and_sorted() -> None:
    """A Prioritering sheet sets the order (sorted by Nr) and marks it customised."""
    rows: Rows = [
        {"Nr": "2", "Kategori": "Övrigt"},
        {"Nr": 1.0, "Kategori": "Lag", "Beskrivning": "Krav"},
    ]
    assert categories(rows) == ((Category(1, "Lag", "Krav"), Category(2, "Övrigt")), True, [])


def test_order_numbering_errors() -> None:
    """Nr must be 1..N without repeats or gaps, and a number; Kategori must be named."""
    rows: Rows = [
        {"Nr": 1, "Kategori": "A"},
        {"Nr": 1, "Kategori": "B"},
        {"Nr": 3, "Kategori": "C"},
        {"Nr": "x", "Kategori": "D"},
        {"Nr": 4},
        {"Kategori": "F"},
    ]
    order, customised, problems = categories(rows)
    assert ([c.name for c in order], customised) == (["A", "C"], True)
    assert problems == [
        err("Prioritering", "A5", 'Nr "x" är inte ett heltal 1–99.'),
        err("Prioritering", "B6", "Kategori saknas: skriv kategorins namn."),
        err("Prioritering", "A7", "Nr saknas: skriv kategorins nummer (1, 2, 3 …)."),
        err(
            "Prioritering",
            "A3",
            "Nr 1 finns redan på rad 2: numrera kategorierna 1, 2, 3 … utan upprepningar.",
        ),
        err(
            "Prioritering",
            "A4",
            "Nr 3: nummer 2 saknas i prioriteringsordningen. Numrera "
            "kategorierna 1, 2, 3 … utan luckor.",
        ),
    ]


def test_ort_and_running_numbers() -> None:
    """Ort is read as written (trimmed); Löpande paragrafnumrering takes Ja/Nej in any form."""
    a, problems = association(forening(Ort=" Sollentuna ", **{"Löpande paragrafnumrering": "JA"}))
    assert (a.place, a.running_numbers, problems) == ("Sollentuna", True, [])
    a, _ = association(forening(**{"Löpande paragrafnumrering": "nej"}))
    assert (a.place, a.running_numbers) == ("", False)
    a, _ = association(forening())
    assert a.running_numbers is False  # the default: each protokoll starts at § 1


def test_bad_ort_and_running_numbers_are_errors_at_the_cell() -> None:
    """A number or two lines is no Ort; anything but Ja/Nej is no Löpande paragrafnumrering."""
    a, problems = association(forening(Ort=2021, **{"Löpande paragrafnumrering": "ibland"}))
    assert (a.place, a.running_numbers) == ("", False)
    assert problems == [
        err("Förening", "B4", 'Ort "2021" är inget ortnamn: skriv orten, t.ex. Sollentuna.'),
        err("Förening", "B5", 'Löpande paragrafnumrering "ibland" är inte Ja eller Nej.'),
    ]
    _, problems = association(forening(Ort="Sollentuna\nStockholm"))
    assert [p.message for p in problems] == [
        'Ort "Sollentuna Stockholm" ska stå på en rad: skriv bara orten, t.ex. Sollentuna.'
    ]
