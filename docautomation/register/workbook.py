"""Reading a register workbook's bytes into RawRegister: sheets, header rows, cells, values."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from .. import memory
from ..config import Limits
from ..models import CellRef, CellValue, RawCell, RawRegister, RawRow, RawSheet
from .grids import Grid, load_grids
from .sheetxml import column_letter

HEADER_SEARCH_ROWS = 10
_EXACT_INTEGERS = 2**53  # a float beyond this is no longer a whole number Excel typed


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """A register sheet: its canonical name, its columns in SPEC order, the required ones."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]


_PLANNED = ("Verksamhetsområde", "Aktivitet/åtgärd", "Ansvarig", "Klart")  # all required
SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("Förening", ("Fält", "Värde"), ("Fält", "Värde")),
    SheetSpec("Prioritering", ("Nr", "Kategori", "Beskrivning"), ("Nr", "Kategori")),
    SheetSpec("Kontakter", ("Namn", "Roll", "Kommun", "E-post"), ("Namn", "Roll")),
    SheetSpec("Aktiviteter", (*_PLANNED, "Kommentar", "Status", "Uppföljning"), _PLANNED),
    SheetSpec(
        "Önskemål",
        (
            "ID",
            "Rubrik",
            "Beskrivning",
            "Inlämnat av",
            "Inlämnat",
            "Kategori",
            "Lagkrav",
            "Myndighetsrapportering",
            "Antal kommuner",
            "Insats",
            "Effekt",
            "Status",
            "Leverantörens ärende",
            "Återkoppling",
            "Pilot",
        ),
        ("ID", "Rubrik"),
    ),
    SheetSpec(
        "Möten",
        (
            "Datum",
            "Start",
            "Slut",
            "Mötestyp",
            "Plats",
            "Distanslänk",
            "Dagordning",
            "Kallelsedatum",
            "Mottagare",
            "ID",
        ),
        ("Datum", "Start", "Mötestyp"),
    ),
)

# Canonical column names per sheet, in SPEC order: the one list every stage names columns by.
COLUMNS: dict[str, tuple[str, ...]] = {spec.name: spec.columns for spec in SHEETS}

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# The escapes python-calamine leaves in text: halves of a surrogate pair, and U+FFFE/U+FFFF.
_LEFT_ESCAPE = re.compile(r"_x([Dd][89A-Fa-f][0-9A-Fa-f]{2}|[Ff]{3}[EeFf])_")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SLASH = re.compile(r"\s*/\s*")


def read_register(data: bytes, source_name: str, *, limits: Limits | None = None) -> RawRegister:
    """Read a workbook's bytes into a RawRegister (pure: no file is touched).

    Call `files.check_workbook_bytes` first for the full check (format, CRC, messages for
    .xls/.csv/…); this function repeats only the zip-bomb limits, which it must obey.
    Transitional and Strict Open XML are read alike; parts the register does not use (pivot
    tables, pictures, charts) are not read at all.

    Args:
        data: the workbook's bytes (.xlsx or .xlsm).
        source_name: the file name, used in messages and kept in the result.
        limits: the configured size limits (defaults when None).

    Raises:
        UnreadableFileError: the bytes are not a workbook that can be read safely.
    """
    with memory.paused():  # hundreds of thousands of objects, alive until the end
        names, grids = load_grids(data, source_name, limits or Limits(), _is_register_sheet)
        sheets: dict[str, RawSheet] = {}
        for grid in grids:
            spec = _SPEC_BY_NAME[_lookup(_SHEET_MATCHER, grid.title) or ""]
            if spec.name not in sheets:  # two tabs match one name: the first in tab order counts
                sheets[spec.name] = _read_sheet(_Cells.of(grid), grid.title, spec)
    return RawRegister(source_name, hashlib.sha256(data).hexdigest(), sheets, names)


def normalise_header(text: str) -> str:
    """Fold a header or sheet name for matching: case, spaces (also around "/"), trailing * or :."""
    folded = " ".join(text.split()).casefold().rstrip("*: ")
    return _SLASH.sub("/", folded)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _matcher(names: Iterable[str]) -> dict[str, str]:
    """Normalised (and accent-free, when unambiguous) spelling → canonical name."""
    names = tuple(names)
    table = {_strip_accents(normalise_header(n)): n for n in names}
    if len(table) < len(names):
        table = {}
    table.update({normalise_header(n): n for n in names})
    return table


_SHEET_MATCHER = _matcher(spec.name for spec in SHEETS)
_SPEC_BY_NAME = {spec.name: spec for spec in SHEETS}
_COLUMN_MATCHERS = {spec.name: _matcher(spec.columns) for spec in SHEETS}


def _lookup(table: Mapping[str, str], text: str) -> str | None:
    key = normalise_header(text)
    return table.get(key) or table.get(_strip_accents(key))


def _is_register_sheet(title: str) -> bool:
    return _lookup(_SHEET_MATCHER, title) is not None


# -- one sheet ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cells:
    """A sheet's grid with merged ranges, error values and uncomputed formulas resolved."""

    rows: list[list[Any]]
    anchors: Mapping[tuple[int, int], tuple[int, int]]  # covered cell → its range's top left
    errors: Mapping[tuple[int, int], str]
    suspects: frozenset[tuple[int, int]]  # formulas without a computed value

    @classmethod
    def of(cls, grid: Grid) -> _Cells:
        anchors: dict[tuple[int, int], tuple[int, int]] = {}
        for top, left, bottom, right in grid.merges:
            for row in range(top, bottom + 1):
                for col in range(left, right + 1):
                    anchors[row, col] = (top, left)
            del anchors[top, left]
        return cls(grid.rows, anchors, grid.scan.errors, grid.scan.uncomputed)

    def source(self, row: int, col: int) -> tuple[int, int]:
        return self.anchors.get((row, col), (row, col))

    def own(self, key: tuple[int, int]) -> CellValue:
        """The cell's own value (a covered cell of a merged range has none)."""
        if key in self.errors:
            return self.errors[key]
        row, col = key
        if row > len(self.rows) or col > len(self.rows[row - 1]) or key in self.anchors:
            return None
        return _clean(self.rows[row - 1][col - 1])

    def value(self, row: int, col: int) -> CellValue:
        """What the cell shows: a covered cell shows its merged range's top-left value."""
        return self.own(self.source(row, col))

    def texts(self, rows: range) -> list[tuple[int, int, str]]:
        """(row, column, text) of the non-blank text cells in `rows`, covered cells included."""
        keys = {(r, c + 1) for r in rows for c, raw in enumerate(self.row(r)) if raw != ""}
        keys.update(key for key in self.anchors if key[0] in rows)
        found = []
        for row, col in sorted(keys):
            text = self.value(row, col)
            if isinstance(text, str):
                found.append((row, col, text))
        return found

    def row(self, number: int) -> list[Any]:
        return self.rows[number - 1] if 0 < number <= len(self.rows) else []


def _read_sheet(cells: _Cells, title: str, spec: SheetSpec) -> RawSheet:
    header_row, columns = _find_header(cells, spec)
    letters = {name: column_letter(col) for name, col in columns.items()}
    missing = tuple(name for name in spec.required if name not in columns)
    rows = _read_rows(cells, title, header_row, columns, letters) if header_row else ()
    unknown = _unknown_headers(cells, header_row, set(columns.values()))
    return RawSheet(title, spec.name, header_row, letters, missing, rows, unknown)


def _unknown_headers(
    cells: _Cells, header_row: int, known: set[int]
) -> tuple[tuple[str, str], ...]:
    """Texts in the header row that match no column (validation checks them for near misses)."""
    found = []
    for col, raw in enumerate(cells.row(header_row), start=1):
        text = cells.own((header_row, col)) if raw != "" and col not in known else None
        if isinstance(text, str):
            found.append((text, f"{column_letter(col)}{header_row}"))
    return tuple(found)


def _find_header(cells: _Cells, spec: SheetSpec) -> tuple[int, dict[str, int]]:
    """The row among the first ten matching the most known headers (≥ 2, or all required)."""
    table = _COLUMN_MATCHERS[spec.name]
    found_by_row: dict[int, dict[str, int]] = {}
    for row, col, text in cells.texts(range(1, HEADER_SEARCH_ROWS + 1)):
        name = _lookup(table, text)
        if name is not None:
            found_by_row.setdefault(row, {}).setdefault(name, col)
    # Most matches wins; on a tie the upper row (a title row rarely holds two headers).
    best_row = max(found_by_row, key=lambda row: (len(found_by_row[row]), -row), default=0)
    best = found_by_row.get(best_row, {})
    if len(best) >= 2 or (best and set(spec.required) <= set(best)):
        return best_row, best
    return 0, {}


def _read_rows(
    cells: _Cells,
    title: str,
    header_row: int,
    columns: Mapping[str, int],
    letters: Mapping[str, str],
) -> tuple[RawRow, ...]:
    wanted = set(columns.values())
    values = _body_values(cells, header_row, wanted)
    named = [(name, col, letters[name]) for name, col in columns.items()]
    anchors, suspects = cells.anchors, cells.suspects
    rows = []
    for number in _content_rows(cells, header_row, wanted, values):
        row: dict[str, RawCell] = {}
        for name, col, letter in named:
            key = anchors.get((number, col), (number, col)) if anchors else (number, col)
            value = values[key] if key in values else cells.own(key)
            uncomputed = value is None and key in suspects
            row[name] = RawCell(value, CellRef(title, f"{letter}{number}"), uncomputed)
        rows.append(RawRow(number, row))
    return tuple(rows)


def _body_values(
    cells: _Cells, header_row: int, wanted: set[int]
) -> dict[tuple[int, int], CellValue]:
    """Cleaned own values of the non-empty cells below the header in the recognised columns."""
    values: dict[tuple[int, int], CellValue] = {}
    width = len(cells.rows[0]) if cells.rows else 0
    columns = sorted(col for col in wanted if col <= width)
    for number, row in enumerate(cells.rows[header_row:], start=header_row + 1):
        for col in columns:
            raw = row[col - 1]
            if raw.__class__ is str:  # most cells: text that needs at most trimming
                if raw:
                    plain = "\r" not in raw and "_x" not in raw
                    values[number, col] = (raw.strip() or None) if plain else _clean(raw)
            else:
                values[number, col] = _clean(raw)
    for key in cells.anchors:  # a covered cell's own value, if the file has one, is not shown
        values.pop(key, None)
    values.update((k, v) for k, v in cells.errors.items() if k[0] > header_row and k[1] in wanted)
    return values


def _content_rows(
    cells: _Cells, header_row: int, wanted: set[int], values: Mapping[tuple[int, int], CellValue]
) -> list[int]:
    """Rows with something of their own in a recognised column, or an uncomputed formula.

    A cell covered by a merged range counts when the range starts on the same row (a merge
    across columns); rows that a tall merge merely reaches down into are empty.
    """
    found = {row for (row, _), value in values.items() if value is not None}
    found.update(row for row, col in cells.suspects if row > header_row and col in wanted)
    for (row, col), anchor in cells.anchors.items():
        if row in found or row <= header_row or col not in wanted or anchor[0] != row:
            continue
        value = values[anchor] if anchor in values else cells.own(anchor)
        if value is not None or anchor in cells.suspects:
            found.add(row)
    return sorted(found)


# -- values ---------------------------------------------------------------------------------


def _clean(value: Any) -> CellValue:
    """A python-calamine value as the pipeline sees it (see clean_value).

    A whole number arrives as a float and becomes an int again; a date arrives as a date
    when it has no time of day and becomes a datetime, as every other date is.
    """
    kind = type(value)
    if kind is str:
        return clean_text(value, decoded=True) if value else None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < _EXACT_INTEGERS else value
    if kind is date:
        return datetime(value.year, value.month, value.day)
    return clean_value(value)


def clean_value(value: object) -> CellValue:
    """One cell's value as the pipeline sees it: types kept, text unescaped and trimmed.

    Text: see clean_text. A duration (a [h]:mm format) under a day becomes a time of day;
    a longer one, a number of days.
    """
    if type(value) is str:
        return clean_text(value)
    if value is None or isinstance(value, (bool, int, float, datetime, date, time)):
        return value
    if isinstance(value, timedelta):
        if timedelta(0) <= value < timedelta(days=1):
            return (datetime.min + value).time()
        return value.total_seconds() / 86_400
    return clean_text(str(value))


def clean_text(text: str, *, decoded: bool = False) -> str | None:
    """Decode `_xHHHH_` escapes, normalise line breaks to LF and trim the ends; "" → None.

    `decoded`: the reader has already decoded Excel's escapes (python-calamine does, all but
    the ones `_LEFT_ESCAPE` names), so text that literally reads `_x000D_` stays as it is.
    """
    if "_x" in text:
        text = (_LEFT_ESCAPE if decoded else _ESCAPE).sub(lambda m: chr(int(m.group(1), 16)), text)
        if _SURROGATE.search(text):  # an escaped emoji arrives as two halves: rejoin them
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None
