"""Reading a register workbook's bytes into RawRegister: sheets, header rows, cells (SPEC §2)."""

from __future__ import annotations

import gc
import hashlib
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

import openpyxl
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..config import Limits
from ..errors import UnreadableFileError
from ..models import CellRef, CellValue, RawCell, RawRegister, RawRow, RawSheet
from .files import check_zip_directory, require_defused_xml
from .sheetxml import SheetScan, scan_sheet, sheet_parts

HEADER_SEARCH_ROWS = 10
# openpyxl's own text is English and about its internals: it stays in the exception chain.
_UNREADABLE = (
    "Arbetsboken går inte att läsa: någon del av den kan inte tolkas. Öppna den i Excel och "
    "spara den på nytt som .xlsx."
)
MAX_MERGED_CELLS = 250_000  # openpyxl makes one object per covered cell; no register needs more


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
_SURROGATE = re.compile("[\ud800-\udfff]")
_SLASH = re.compile(r"\s*/\s*")


def read_register(data: bytes, source_name: str, *, limits: Limits | None = None) -> RawRegister:
    """Read a workbook's bytes into a RawRegister (pure: no file is touched).

    Call `filecheck.check_workbook_bytes` first for the full check (format, CRC, messages
    for .xls/.csv/…); this function repeats only the zip-bomb limits, which it must obey.

    Args:
        data: the workbook's bytes (.xlsx or .xlsm).
        source_name: the file name, used in messages and kept in the result.
        limits: the configured size limits (defaults when None).

    Raises:
        UnreadableFileError: the bytes are not a workbook openpyxl can read.
        ConfigError: openpyxl would parse XML without defusedxml.
    """
    require_defused_xml()
    scans = _prescan(data, source_name, limits or Limits())
    with _paused_gc():
        workbook = _load(data, source_name, data_only=True)
        formulas = _fallback_formulas(data, source_name, scans)
        sheets: dict[str, RawSheet] = {}
        for spec, sheet in _find_sheets(workbook.worksheets):
            if spec.name in sheets:  # two tabs match one name: the first in tab order counts
                continue
            scan = scans.get(sheet.title)
            suspects = formulas.get(sheet.title) or (scan and scan.uncomputed) or frozenset()
            sheets[spec.name] = _read_sheet(sheet, spec, suspects)
        names = tuple(workbook.sheetnames)
    return RawRegister(source_name, hashlib.sha256(data).hexdigest(), sheets, names)


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while the reader creates its objects.

    Reading a large register creates millions of objects that stay alive until the end, and
    each automatic collection re-scans them all: with 10,000 wish rows that was about 40% of
    the reader's own time. The workbook becomes garbage only after this returns.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


# -- loading --------------------------------------------------------------------------------


def _prescan(data: bytes, source_name: str, limits: Limits) -> dict[str, SheetScan]:
    """Scan every sheet's XML; refuse zip bombs and hostile merges before openpyxl sees them."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            check_zip_directory(zf, source_name, limits)
            scans = {
                name: scan_sheet(zf.read(part), formulas=_lookup(_SHEET_MATCHER, name) is not None)
                for name, part in sheet_parts(zf).items()
                if part in zf.NameToInfo
            }
    except UnreadableFileError:
        raise
    except Exception as exc:  # any malformed package: zipfile, XML and key errors alike
        raise UnreadableFileError(source_name, _UNREADABLE) from exc
    merged = sum(scan.merged_cells for scan in scans.values())
    if merged > MAX_MERGED_CELLS:
        raise UnreadableFileError(
            source_name,
            f"Sammanfogade celler täcker {merged} celler, fler än gränsen {MAX_MERGED_CELLS}. "
            "Dela upp sammanfogningarna (Start › Sammanfoga och centrera › Dela upp celler).",
        )
    return scans


def _load(data: bytes, source_name: str, *, data_only: bool) -> Workbook:
    # openpyxl raises many exception types on malformed content; to the board all mean the same.
    try:
        # It also warns about features it drops on save (extensions, validation); we never save.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(BytesIO(data), data_only=data_only, keep_links=False)
    except Exception as exc:
        raise UnreadableFileError(source_name, _UNREADABLE) from exc


def _fallback_formulas(
    data: bytes, source_name: str, scans: Mapping[str, SheetScan]
) -> dict[str, frozenset[tuple[int, int]]]:
    """Formula cells per sheet from a second load, only when the XML scan could not place them."""
    unplaced = [name for name, scan in scans.items() if scan.uncomputed is None]
    if not unplaced:
        return {}
    workbook = _load(data, source_name, data_only=False)
    try:
        return {
            sheet.title: frozenset(
                key for key, cell in sheet._cells.items() if cell.data_type == "f"
            )
            for sheet in workbook.worksheets
            if sheet.title in unplaced
        }
    finally:
        workbook.close()


def _find_sheets(worksheets: Iterable[Any]) -> Iterable[tuple[SheetSpec, Worksheet]]:
    for sheet in worksheets:
        canonical = _lookup(_SHEET_MATCHER, sheet.title)
        if canonical is not None:
            yield _SPEC_BY_NAME[canonical], sheet


# -- one sheet ------------------------------------------------------------------------------


def _read_sheet(
    sheet: Worksheet, spec: SheetSpec, suspects: frozenset[tuple[int, int]]
) -> RawSheet:
    # openpyxl keeps only stored cells in _cells; its public iterators walk (and create) every
    # cell of the used rectangle, which a stray formatted cell can make enormous.
    grid = _Grid(sheet._cells, _merge_anchors(sheet), suspects)
    header_row, columns = _find_header(grid, spec)
    letters = {name: get_column_letter(col) for name, col in columns.items()}
    missing = tuple(name for name in spec.required if name not in columns)
    rows = _read_rows(grid, sheet.title, header_row, columns, letters) if header_row else ()
    unknown = _unknown_headers(grid, header_row, set(columns.values()))
    return RawSheet(sheet.title, spec.name, header_row, letters, missing, rows, unknown)


def _unknown_headers(grid: _Grid, header_row: int, known: set[int]) -> tuple[tuple[str, str], ...]:
    """Texts in the header row that match no column (validation checks them for near misses)."""
    found = []
    for row, col in sorted(
        key for key in grid.cells if key[0] == header_row and key[1] not in known
    ):
        text = grid.value((row, col))
        if isinstance(text, str) and text.strip():
            found.append((text.strip(), f"{get_column_letter(col)}{row}"))
    return tuple(found)


def _merge_anchors(sheet: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Every covered cell of a merged range → the range's top-left cell."""
    anchors: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = (merged.min_row, merged.min_col)
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                anchors[row, col] = top_left
        del anchors[top_left]
    return anchors


@dataclass(frozen=True, slots=True)
class _Grid:
    """A sheet's stored cells with merged ranges and uncomputed formulas resolved."""

    cells: Mapping[tuple[int, int], Any]
    anchors: Mapping[tuple[int, int], tuple[int, int]]
    suspects: frozenset[tuple[int, int]]

    def source(self, row: int, col: int) -> tuple[int, int]:
        return self.anchors.get((row, col), (row, col))

    def value(self, key: tuple[int, int]) -> CellValue:
        cell = self.cells.get(key)
        return None if cell is None else clean_value(cell.value)


def _find_header(grid: _Grid, spec: SheetSpec) -> tuple[int, dict[str, int]]:
    """The row among the first ten matching the most known headers (≥ 2, or all required)."""
    table = _COLUMN_MATCHERS[spec.name]
    found_by_row: dict[int, dict[str, int]] = {}
    top = sorted(key for key in grid.cells if key[0] <= HEADER_SEARCH_ROWS)
    for row, col in top:
        text = grid.value(grid.source(row, col))
        name = _lookup(table, text) if isinstance(text, str) else None
        if name is not None:
            found_by_row.setdefault(row, {}).setdefault(name, col)
    # Most matches wins; on a tie the upper row (a title row rarely holds two headers).
    best_row = max(found_by_row, key=lambda row: (len(found_by_row[row]), -row), default=0)
    best = found_by_row.get(best_row, {})
    if len(best) >= 2 or (best and set(spec.required) <= set(best)):
        return best_row, best
    return 0, {}


def _read_rows(
    grid: _Grid,
    title: str,
    header_row: int,
    columns: Mapping[str, int],
    letters: Mapping[str, str],
) -> tuple[RawRow, ...]:
    values = _body_values(grid, header_row, set(columns.values()))
    rows = []
    for number in _content_rows(grid, values):
        cells: dict[str, RawCell] = {}
        for name, col in columns.items():
            key = grid.anchors.get((number, col), (number, col))
            value = values[key] if key in values else grid.value(key)
            uncomputed = value is None and key in grid.suspects
            cells[name] = RawCell(value, CellRef(title, f"{letters[name]}{number}"), uncomputed)
        rows.append(RawRow(number, cells))
    return tuple(rows)


def _body_values(
    grid: _Grid, header_row: int, wanted: set[int]
) -> dict[tuple[int, int], CellValue]:
    """Cleaned own values of the stored cells below the header in the recognised columns."""
    return {
        key: clean_value(cell.value)
        for key, cell in grid.cells.items()
        if key[0] > header_row and key[1] in wanted
    }


def _content_rows(grid: _Grid, values: Mapping[tuple[int, int], CellValue]) -> list[int]:
    """Rows with something of their own in a recognised column.

    A cell covered by a merged range counts when the range starts on the same row (a merge
    across columns); rows that a tall merge merely reaches down into are empty.
    """
    found: set[int] = set()
    for key, value in values.items():
        row = key[0]
        if row in found:
            continue
        if value is None and key in grid.anchors:
            key = grid.anchors[key]
            value = values[key] if key in values else grid.value(key)
        if key[0] == row and (value is not None or key in grid.suspects):
            found.add(row)
    return sorted(found)


# -- values ---------------------------------------------------------------------------------


def clean_value(value: object) -> CellValue:
    """One cell's value as the pipeline sees it: types kept, text unescaped and trimmed.

    Text: Excel's `_xHHHH_` escapes (e.g. `_x000D_`) are decoded, CR LF and CR become LF,
    surrounding whitespace is removed and nothing else changes; blank text is None.
    A duration (openpyxl's timedelta for [h]:mm formats) under a day becomes a time.
    """
    if type(value) is str:  # the common case first: this runs once per cell
        return clean_text(value)
    if value is None or isinstance(value, (bool, int, float, datetime, date, time)):
        return value
    if isinstance(value, timedelta):
        if timedelta(0) <= value < timedelta(days=1):
            return (datetime.min + value).time()
        return value.total_seconds() / 86_400
    return clean_text(str(value))


def clean_text(text: str) -> str | None:
    """Decode `_xHHHH_` escapes, normalise line breaks to LF and trim the ends; "" → None."""
    if "_x" in text:  # openpyxl leaves Excel's escapes in place
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        if _SURROGATE.search(text):  # an escaped emoji arrives as two halves: rejoin them
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None
