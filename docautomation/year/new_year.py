"""`new-year`: next year's register from this year's, without what was done, decided or held."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ..config import Settings
from ..errors import ConfigError, DocAutomationError
from ..models import ActivityStatus, CellValue, Problem, RawRegister, RawRow, RawSheet, Register
from ..register.files import find_registers, read_workbook_file
from ..register.scaffold import register_bytes
from ..register.values import cell_text
from ..register.workbook import clean_value, normalise_header, read_register
from ..swedish import count
from ..validation.rules import validate
from .yearfile import free_target, write_new, year_of

_DONE = (ActivityStatus.KLAR, ActivityStatus.INSTALLD)
# A new year starts with every activity unfollowed: these Aktiviteter columns start empty.
_EMPTIED = {"status", "uppföljning"}
_CARRIED = ("Förening", "Prioritering", "Kontakter", "Aktiviteter", "Önskemål")
Row = dict[str, Any]
Extras = Mapping[int, Mapping[str, CellValue]]  # row number → extra column header → value


@dataclass(frozen=True, slots=True)
class NewYear:
    """What `new-year` did: the register written, or the source's errors that stopped it."""

    source: Path
    source_errors: tuple[Problem, ...] = ()
    target: Path | None = None
    year: int = 0
    counts: Mapping[str, tuple[int, int]] | None = None  # sheet → (rows kept, rows in source)
    left_sheets: tuple[str, ...] = ()  # the source's sheets the register layout has no place for
    problems: tuple[Problem, ...] = ()  # the new register's own (warnings)


def choose_source(register: Path | None, year: int | None, settings: Settings) -> Path:
    """The register to start from: the one named, the inbox's for `year`, or its latest year.

    Raises:
        ConfigError: both or neither can be found, or the inbox has no register for the year.
        DocAutomationError: the inbox has two registers for that year (exit 1, as in a build).
    """
    if register is not None:
        if year is not None:
            raise ConfigError("Ange antingen registret eller --year, inte båda.")
        return register
    dated = [(y, p) for p in find_registers(settings.inbox) if (y := year_of(p, settings.limits))]
    if year is None and dated:
        year = max(y for y, _ in dated)
    matching = [p for y, p in dated if y == year]
    if not matching:
        which = f"för {year}" if year is not None else "med ett verksamhetsår"
        raise ConfigError(
            f'Inkorgen "{settings.inbox}" har inget register {which}. '
            "Ange registret: docautomation new-year REGISTER."
        )
    if len(matching) > 1:
        names = " och ".join(f'"{p.name}"' for p in matching)
        raise DocAutomationError(f"{names} gäller båda {year}: ta bort eller byt namn på den ena.")
    return matching[0]


def roll_over(source: Path, settings: Settings) -> NewYear:
    """Write next year's register beside `source`, which is only read.

    Raises:
        UnreadableFileError: the source is not a readable workbook (exit 3).
        ConfigError: next year's register exists, or the folder has one for that year (exit 2).
    """
    data = read_workbook_file(source, settings.limits)
    raw = read_register(data, source.name, limits=settings.limits)
    report = validate(raw)
    if report.has_errors:
        return NewYear(source, source_errors=report.errors)
    assert report.register.association.year is not None  # a missing year is an error
    year = report.register.association.year + 1
    target = free_target(source.parent, year, settings.limits)
    content, counts = next_year_content(raw, report.register, _extra_values(data, raw))
    written = register_bytes(content)
    write_new(target, written)
    problems = validate(read_register(written, target.name, limits=settings.limits)).problems
    return NewYear(source, (), target, year, counts, _left_sheets(raw), problems)


def next_year_content(
    raw: RawRegister, register: Register, extras: Mapping[str, Extras]
) -> tuple[dict[str, list[Row]], dict[str, tuple[int, int]]]:
    """Next year's rows per sheet, and per sheet how many rows were kept of how many."""
    sheets = {name: _rows(raw.sheets.get(name), extras.get(name, {})) for name in _CARRIED}
    year_cell = register.association.cells.get("Verksamhetsår")
    for row, source in zip(sheets["Förening"], _source_rows(raw, "Förening"), strict=True):
        if source.ref("Värde") == year_cell:
            row["Värde"] = (register.association.year or 0) + 1
    content = {
        "Förening": sheets["Förening"],
        "Prioritering": sheets["Prioritering"],
        "Kontakter": sheets["Kontakter"],
        "Aktiviteter": _open_activities(raw, register, sheets["Aktiviteter"]),
        "Önskemål": _open_wishes(raw, register, sheets["Önskemål"]),
        "Möten": [],  # the board plans the new year's meetings
    }
    counts = {name: (len(content[name]), len(sheets[name])) for name in _CARRIED}
    return content, counts


def _source_rows(raw: RawRegister, name: str) -> tuple[RawRow, ...]:
    sheet = raw.sheets.get(name)
    return sheet.rows if sheet is not None else ()


def _rows(sheet: RawSheet | None, extras: Extras) -> list[Row]:
    """Every row as it was read, by header name, the board's own columns included."""
    if sheet is None:
        return []
    return [
        {**{col: cell.value for col, cell in row.cells.items()}, **extras.get(row.number, {})}
        for row in sheet.rows
    ]


def _open_activities(raw: RawRegister, register: Register, rows: list[Row]) -> list[Row]:
    """Activities not Klar or Inställd, Status and Uppföljning emptied, Klart as written.

    A removed row may have been the one that named its area for the rows below it; they then
    name the area themselves, so no activity moves to the area above.
    """
    activities = {a.row: a for a in register.activities}
    kept: list[Row] = []
    area = ""  # the area the rows kept so far leave open for a blank cell below
    for row, source in zip(rows, _source_rows(raw, "Aktiviteter"), strict=True):
        activity = activities.get(source.number)
        if activity is None:  # a row naming only an area, which starts a group
            area = cell_text(row.get("Verksamhetsområde")) or area
            kept.append(row)
            continue
        if activity.status in _DONE:
            continue
        if not cell_text(row.get("Verksamhetsområde")) and area != activity.area:
            row["Verksamhetsområde"] = activity.area
        area = activity.area
        kept.append({key: None if _emptied(key) else value for key, value in row.items()})
    return kept


def _emptied(header: str) -> bool:
    return normalise_header(header) in _EMPTIED


def _open_wishes(raw: RawRegister, register: Register, rows: list[Row]) -> list[Row]:
    closed = {w.row for w in register.wishes if w.status.is_closed}
    sources = _source_rows(raw, "Önskemål")
    return [row for row, source in zip(rows, sources, strict=True) if source.number not in closed]


def _extra_values(data: bytes, raw: RawRegister) -> dict[str, dict[int, dict[str, CellValue]]]:
    """The values of columns the reader does not know, per sheet, row and header as written."""
    wanted = {name: sheet for name, sheet in raw.sheets.items() if sheet.unknown and sheet.rows}
    if not wanted:
        return {}
    with warnings.catch_warnings():  # openpyxl warns about features it drops; we only read
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(BytesIO(data), data_only=True)
    extras: dict[str, dict[int, dict[str, CellValue]]] = {}
    for name, sheet in wanted.items():
        ws = workbook[sheet.name]
        columns = [
            (text, column_index_from_string(coordinate_from_string(cell)[0]))
            for text, cell in sheet.unknown
        ]
        extras[name] = {
            row.number: {text: clean_value(ws.cell(row.number, col).value) for text, col in columns}
            for row in sheet.rows
        }
    workbook.close()
    return extras


def _left_sheets(raw: RawRegister) -> tuple[str, ...]:
    read = {sheet.name for sheet in raw.sheets.values()}
    return tuple(
        name
        for name in raw.sheet_names
        if name not in read and normalise_header(name) != "instruktioner"
    )


def summary_lines(result: NewYear, target_shown: str) -> list[str]:
    """What new-year carried over, in Swedish; `target_shown` is how to name the new file."""
    assert result.counts is not None
    counts = result.counts

    def kept(name: str) -> str:
        have, of = counts[name]
        return f"{have} av {of}" if have != of else f"alla {of}"

    lines = [
        (
            f'Skrev "{target_shown}" för verksamhetsår {result.year} '
            f'från "{result.source.name}" (som inte ändrades):'
        ),
        (
            f"  Aktiviteter: {kept('Aktiviteter')} (klara och inställda togs bort; "
            "Status och Uppföljning är tömda)."
        ),
        f"  Önskemål: {kept('Önskemål')} (levererade och avvisade togs bort).",
        "  Prioritering och Kontakter som de var; Möten är tomt för årets planering.",
    ]
    lines += [f'  Bladet "{name}" följde inte med.' for name in result.left_sheets]
    errors = sum(p.is_error for p in result.problems)
    notes = len(result.problems) - errors
    if result.problems:
        found = [
            count(errors, "fel") if errors else "",
            count(notes, "varning") if notes else "",
        ]
        lines.append(
            f"Det nya registret har {' och '.join(f for f in found if f)} (t.ex. Klart som "
            f'nämner förra året): kör docautomation validate "{target_shown}".'
        )
    return lines
