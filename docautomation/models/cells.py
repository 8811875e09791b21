"""The raw register as read, cell by cell, and the problems found in it."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

# The register's sheets in the order the board reads them (and problems are listed in).
SHEET_ORDER = ("Förening", "Prioritering", "Kontakter", "Aktiviteter", "Önskemål", "Möten")

# A second name for the type: Meeting has a field called `date` that would shadow it.
Day = date

# -- what openpyxl can hand us for one cell (after merged-cell fill and line-break clean-up) --
CellValue = str | int | float | bool | datetime | date | time | None


# ---------------------------------------------------------------------------------------------
# Cells and problems
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class CellRef:
    """A cell as Excel names it: sheet name as written in the workbook, and e.g. "F12"."""

    sheet: str
    cell: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


class Severity(enum.Enum):
    """How bad a problem is: errors stop documents, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the register, with a Swedish message for the board.

    `cell` is "" when the problem concerns a whole sheet (e.g. a missing sheet or column).
    """

    severity: Severity
    sheet: str
    cell: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


def error(ref: CellRef | None, message: str, *, sheet: str = "") -> Problem:
    """Build an error problem at `ref` (or for a whole sheet when ref is None)."""
    return Problem(Severity.ERROR, ref.sheet if ref else sheet, ref.cell if ref else "", message)


def warning(ref: CellRef | None, message: str, *, sheet: str = "") -> Problem:
    """Build a warning problem at `ref` (or for a whole sheet when ref is None)."""
    return Problem(Severity.WARNING, ref.sheet if ref else sheet, ref.cell if ref else "", message)


# ---------------------------------------------------------------------------------------------
# Raw register: what the reader found, cell by cell, before interpretation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawCell:
    """One cell's value as read, where it came from, and whether it is an uncomputed formula."""

    value: CellValue
    ref: CellRef
    uncomputed_formula: bool = False


@dataclass(frozen=True, slots=True)
class RawRow:
    """One non-empty data row; `cells` maps the canonical column name to its cell.

    Every column the sheet has is present (value None when the cell is empty), so a RawRow
    can always answer `ref(column)` for a column that exists in the sheet.
    """

    number: int
    cells: Mapping[str, RawCell]

    def value(self, column: str) -> CellValue:
        cell = self.cells.get(column)
        return cell.value if cell else None

    def ref(self, column: str) -> CellRef | None:
        cell = self.cells.get(column)
        return cell.ref if cell else None


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One sheet: its name as written, where its header row is, its columns and its rows.

    `columns` maps canonical column name → column letter for every recognised header;
    `missing` lists required columns that were not found; `header_row` is 0 when no header
    row was recognised at all.
    """

    name: str
    canonical: str
    header_row: int
    columns: Mapping[str, str]
    missing: tuple[str, ...]
    rows: tuple[RawRow, ...]
    unknown: tuple[tuple[str, str], ...] = ()  # header-row texts no column matched: (text, cell)


@dataclass(frozen=True, slots=True)
class RawRegister:
    """All recognised sheets of one workbook, keyed by canonical sheet name (e.g. "Önskemål")."""

    source_name: str
    sha256: str
    sheets: Mapping[str, RawSheet]
    sheet_names: tuple[str, ...] = ()  # every sheet in the workbook, as written, in tab order
