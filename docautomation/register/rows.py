"""Reading a raw row cell by cell for interpretation: each unreadable cell becomes one problem."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ..models import CellRef, CellValue, Problem, RawCell, RawRegister, RawRow, RawSheet, error
from .values import Reading, cell_text, is_blank, show_value

__all__ = ["EXCEL_ERRORS", "RowReader", "formula_problems", "read_rows"]

T = TypeVar("T")

_FORMULA = "formeln saknar beräknat värde: öppna och spara filen i Excel."
_ERROR_VALUE = (
    "cellen visar Excel-felet {} i stället för ett värde: rätta formeln eller skriv in värdet."
)

# What Excel shows (and openpyxl reads as text) when a formula fails, or when #N/A is typed.
# Such a value is never data: shown in a document it would read "Plats: #VALUE!".
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#EXTERNAL!",
        "#PYTHON!",
    }
)


def _unusable(cell: RawCell) -> bool:
    """An uncomputed formula or an Excel error value: reported once by `formula_problems`."""
    value = cell.value
    return cell.uncomputed_formula or (value.__class__ is str and value in EXCEL_ERRORS)


class RowReader:
    """One raw row being read; every cell that cannot be read adds an error to `problems`.

    A cell holding a formula without computed value, or an Excel error value such as #REF!,
    reads as empty and is never reported again here: `formula_problems` has reported it once.
    """

    __slots__ = ("problems", "raw")

    def __init__(self, raw: RawRow, problems: list[Problem]) -> None:
        self.raw = raw
        self.problems = problems

    def value(self, column: str) -> CellValue:
        """The cell's value; None when empty, absent, an uncomputed formula or an error value."""
        cell = self.raw.cells.get(column)
        if cell is None or cell.uncomputed_formula:
            return None
        value = cell.value  # as _unusable, inline: this runs for every cell of every row
        return None if value.__class__ is str and value in EXCEL_ERRORS else value

    def text(self, column: str) -> str:
        """The cell as text (see values.cell_text)."""
        return cell_text(self.value(column))

    def blank(self, columns: Iterable[str]) -> bool:
        """Whether every one of `columns` is empty."""
        return all(is_blank(self.value(c)) for c in columns)

    def error(self, column: str, message: str) -> None:
        """Report an error at the column's cell (silently skipped when the sheet lacks it)."""
        cell = self.raw.cells.get(column)
        if cell is not None and not _unusable(cell):
            self.problems.append(error(cell.ref, message))

    def required(self, column: str, hint: str, label: str | None = None) -> bool:
        """Whether the cell has a value; reports "<label> saknas: <hint>" when it has not."""
        if not is_blank(self.value(column)):
            return True
        self.error(column, f"{label or column} saknas: {hint}")
        return False

    def read(
        self,
        column: str,
        parse: Callable[[CellValue], Reading[T]],
        *,
        label: str | None = None,
        required: str = "",
    ) -> T | None:
        """The cell parsed, or None; reports a value that cannot be read, as

        '<label> "<value>" <reason>', or a missing one when `required` gives the hint.
        """
        value = self.value(column)
        if required and not self.required(column, required, label):
            return None
        reading = parse(value)
        if reading.problem:
            self.error(column, f"{label or column} {show_value(value)} {reading.problem}")
        return reading.value

    def cells(self) -> dict[str, CellRef]:
        """Canonical column → CellRef for every column the sheet has."""
        return {column: cell.ref for column, cell in self.raw.cells.items()}


def read_rows(
    sheet: RawSheet | None, problems: list[Problem], columns: Iterable[str]
) -> list[RowReader]:
    """Readers for the sheet's rows that have a value in one of `columns` (or a formula)."""
    wanted = tuple(columns)
    readers = (RowReader(raw, problems) for raw in (sheet.rows if sheet else ()))
    return [r for r in readers if not r.blank(wanted) or _has_formula(r.raw)]


def _has_formula(raw: RawRow) -> bool:
    return any(_unusable(cell) for cell in raw.cells.values())


def formula_problems(raw: RawRegister) -> list[Problem]:
    """One error per formula cell without computed value, and per error value, in every sheet."""
    return [
        error(cell.ref, f"{column}: {_formula_message(cell)}")
        for sheet in raw.sheets.values()
        for row in sheet.rows
        for column, cell in row.cells.items()
        if _unusable(cell)
    ]


def _formula_message(cell: RawCell) -> str:
    return _FORMULA if cell.uncomputed_formula else _ERROR_VALUE.format(cell.value)
