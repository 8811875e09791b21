"""Tests for the row reader: values, required cells, parse problems and uncomputed formulas."""

from __future__ import annotations

from docautomation.models import CellRef, Problem, error
from docautomation.register.rows import RowReader, formula_problems, read_rows
from docautomation.register.values import parse_yes_no
from tests.support.interpret import Uncomputed, raw_register, raw_sheet


def reader(values: dict[str, object]) -> tuple[RowReader, list[Problem]]:
    problems: list[Problem] = []
    sheet = raw_sheet("Önskemål", [values])
    return RowReader(sheet.rows[0], problems), problems


def test_read_reports_the_value_as_written() -> None:
    """An unreadable cell gives '<column> "<value>" <reason>' at that cell and None."""
    row, problems = reader({"Lagkrav": " kanske "})
    assert row.read("Lagkrav", parse_yes_no) is None
    assert problems == [error(CellRef("Önskemål", "G2"), 'Lagkrav "kanske" är inte Ja eller Nej.')]


def test_read_with_label_and_required() -> None:
    """A label replaces the column name; a required empty cell reports the hint instead."""
    row, problems = reader({"Lagkrav": "Ja"})
    assert row.read("Lagkrav", parse_yes_no, label="Lag", required="fyll i.") is True
    assert row.read("Pilot", parse_yes_no, label="Piloten", required="skriv Ja eller Nej.") is None
    assert problems == [
        error(CellRef("Önskemål", "O2"), "Piloten saknas: skriv Ja eller Nej."),
    ]


def test_missing_column_is_silent() -> None:
    """A column the sheet lacks reads as empty and never gets a cell problem."""
    problems: list[Problem] = []
    sheet = raw_sheet("Önskemål", [{"ID": "1"}], missing=("Rubrik",))
    row = RowReader(sheet.rows[0], problems)
    assert row.value("Rubrik") is None
    assert row.required("Rubrik", "skriv en rubrik.") is False
    assert problems == []
    assert "Rubrik" not in row.cells()


def test_uncomputed_formula_reads_empty_without_a_second_problem() -> None:
    """A formula without value is None, and neither 'saknas' nor a parse error is added."""
    row, problems = reader({"ID": Uncomputed(), "Lagkrav": Uncomputed()})
    assert row.value("ID") is None
    assert row.required("ID", "skriv ett ID.") is False
    assert row.read("Lagkrav", parse_yes_no) is None
    assert problems == []


def test_formula_problems_cover_every_sheet() -> None:
    """Every uncomputed formula in the register is one error naming its column."""
    raw = raw_register(
        {
            "Önskemål": [{"ID": Uncomputed()}],
            "Möten": [{"Datum": "2021-01-01", "Start": Uncomputed()}],
        }
    )
    assert formula_problems(raw) == [
        error(
            CellRef("Önskemål", "A2"),
            "ID: formeln saknar beräknat värde: öppna och spara filen i Excel.",
        ),
        error(
            CellRef("Möten", "B2"),
            "Start: formeln saknar beräknat värde: öppna och spara filen i Excel.",
        ),
    ]


def test_read_rows_skips_rows_without_wanted_values() -> None:
    """Rows with only blank or ignored cells are skipped; a row with a formula is kept."""
    sheet = raw_sheet("Önskemål", [{"ID": "  "}, {"Rubrik": "R"}, {"Pilot": Uncomputed()}])
    rows = read_rows(sheet, [], ("ID", "Rubrik"))
    assert [r.raw.number for r in rows] == [3, 4]
    assert read_rows(None, [], ("ID",)) == []


def test_an_excel_error_value_reads_empty_and_is_reported_once() -> None:
    """A cell showing #REF! (a failed formula) is never data: one error naming it, then empty."""
    raw = raw_register(
        {
            "Möten": [{"Datum": "2021-01-01", "Plats": "#VALUE!"}],
            "Önskemål": [{"ID": "Ö-1", "Antal kommuner": "#DIV/0!"}],
        }
    )
    problems: list[Problem] = []
    row = RowReader(raw.sheets["Möten"].rows[0], problems)
    assert row.value("Plats") is None and row.text("Plats") == ""
    assert row.required("Plats", "skriv platsen.") is False
    assert problems == []
    assert formula_problems(raw) == [
        error(
            CellRef("Möten", "E2"),
            "Plats: cellen visar Excel-felet #VALUE! i stället för "
            "ett värde: rätta formeln eller skriv in värdet.",
        ),
        error(
            CellRef("Önskemål", "I2"),
            "Antal kommuner: cellen visar Excel-felet #DIV/0! i "
            "stället för ett värde: rätta formeln eller skriv in värdet.",
        ),
    ]


def test_text_that_only_resembles_an_error_value_is_data() -> None:
    """'#1 prioritet' or a lower-case '#n/a' typed as text are kept as written."""
    row, problems = reader({"Rubrik": "#1 prioritet", "Beskrivning": "#n/a"})
    assert (row.text("Rubrik"), row.text("Beskrivning")) == ("#1 prioritet", "#n/a")
    assert problems == []
