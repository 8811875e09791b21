"""RawRegister values built directly from dicts, for the interpretation tests (no workbook needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from openpyxl.utils import get_column_letter

from docautomation.models import CellRef, CellValue, RawCell, RawRegister, RawRow, RawSheet
from docautomation.register.workbook import COLUMNS


@dataclass(frozen=True)
class Uncomputed:
    """Put this in a row dict for a formula cell that has no computed value."""


def letters(canonical: str) -> dict[str, str]:
    """Column name → letter for a sheet laid out in COLUMNS order."""
    return {column: get_column_letter(i) for i, column in enumerate(COLUMNS[canonical], start=1)}


def raw_row(
    sheet: str,
    number: int,
    values: Mapping[str, object],
    columns: Mapping[str, str],
) -> RawRow:
    """One RawRow: every column of the sheet present, None where `values` has nothing."""
    cells = {}
    for column, letter in columns.items():
        value = values.get(column)
        ref = CellRef(sheet, f"{letter}{number}")
        if isinstance(value, Uncomputed):
            cells[column] = RawCell(None, ref, uncomputed_formula=True)
        else:
            cells[column] = RawCell(cast(CellValue, value), ref)
    return RawRow(number, cells)


def raw_sheet(
    canonical: str,
    rows: Sequence[Mapping[str, object]],
    *,
    name: str | None = None,
    missing: tuple[str, ...] = (),
) -> RawSheet:
    """A sheet with the header on row 1 and `rows` from row 2 on."""
    sheet_name = name or canonical
    columns = {c: letter for c, letter in letters(canonical).items() if c not in missing}
    raw_rows = tuple(raw_row(sheet_name, i, values, columns) for i, values in enumerate(rows, 2))
    return RawSheet(sheet_name, canonical, 1, columns, missing, raw_rows)


def raw_register(sheets: Mapping[str, Sequence[Mapping[str, object]]], **named: str) -> RawRegister:
    """A RawRegister of the given sheets (canonical name → row dicts).

    A keyword `<canonical>="Name as written"` renames a sheet, e.g. raw_register(rows,
    **{"Önskemål": " önskemål "}).
    """
    built = {c: raw_sheet(c, rows, name=named.get(c)) for c, rows in sheets.items()}
    return RawRegister("Register 2021.xlsx", "0" * 64, built, tuple(s.name for s in built.values()))


def forening(**fields: object) -> list[dict[str, object]]:
    """Förening rows: name and year 2021 unless overridden; a field given as None is left out."""
    values: dict[str, object] = {
        "Föreningens namn": "Användarföreningen Castor",
        "Verksamhetsår": 2021,
    }
    values.update({k.replace("_", " "): v for k, v in fields.items()})
    return [{"Fält": k, "Värde": v} for k, v in values.items() if v is not None]
