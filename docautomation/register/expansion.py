"""What a workbook's cells expand to when read, counted from its raw XML before any reader runs.

A small file can claim far more than its size. One long shared string referenced from
thousands of cells becomes that many copies in a reader, and in the Valideringsrapport, which
writes each cell's text out in full. One value in a sheet's far corner makes a reader that
builds a grid (python-calamine does) allocate every cell in between. Both are counted here
with regular expressions over the decompressed parts, which the zip-bomb limits already bound.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from itertools import zip_longest

from ..config import Limits
from .sheetxml import column_index, column_letter, sheet_parts

# Cells one sheet may span, counted as its rows times its columns up to its last value: 30
# times a 10,000-wish register's widest sheet; a reader's grid of them stays under ~0.3 GB.
MAX_SHEET_CELLS = 5_000_000

_MB = 1024 * 1024
_SHARED_STRINGS_TYPE = b"spreadsheetml.sharedStrings+xml"
_DEFAULT_SHARED_STRINGS = "xl/sharedStrings.xml"
_P = rb"(?:[\w.-]+:)?"  # a namespace prefix some writers use, e.g. <x:c>
_STRING_ITEM = re.compile(rb"<" + _P + rb"si[\s/>]")
_OVERRIDE = re.compile(rb"<" + _P + rb"Override\b[^>]*>")
_PART_NAME = re.compile(rb"""PartName\s*=\s*["']/?([^"']+)["']""")
_SHARED_REF = re.compile(
    rb"<" + _P + rb"""c\b[^>]*?\bt\s*=\s*["']s["'][^>]*>\s*<""" + _P + rb"v>\s*(\d{1,10})\s*<"
)
# Quick scans start with a literal, which the regex engine finds fast: an address beyond
# column Z or row 99,999 anywhere (also in text) sends the sheet to the exact count.
_FAR_ADDRESS = re.compile(rb"""r\s*=\s*["'](?:[A-Za-z]{2,3}\d|[A-Za-z]\d{6})""")
_NEAR_ROWS = 99_999  # with columns up to Z: 2.6 million cells, within MAX_SHEET_CELLS
# A cell that is not self-closing holds a value (an empty styled cell is "<c r=.. s=../>").
_VALUED_CELL = re.compile(
    rb"<" + _P + rb"""c\b[^>]*?\br\s*=\s*["']([A-Za-z]{1,3})(\d{1,7})["'][^>]*?(?<!/)>"""
)
# A row whose first cell holds a value but no address places its cells by their order: the
# row's own number counts.
_ROW_WITH_CELLS = re.compile(
    rb"<"
    + _P
    + rb"""row\b[^>]*?\br\s*=\s*["'](\d{1,7})["'][^>]*?(?<!/)>\s*<"""
    + _P
    + rb"c(?![^>]*\br\s*=)[^>]*?(?<!/)>"
)


@dataclass(frozen=True, slots=True)
class _Extent:
    """How far one sheet's values reach: its last row and last column (1-based)."""

    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def expansion_reason(zf: zipfile.ZipFile, limits: Limits) -> str | None:
    """Say why the workbook's cells expand too far to be read, or None when they do not.

    Raises:
        zipfile.BadZipFile: a part fails its CRC check (the caller reports a torn file).
    """
    try:
        parts = sheet_parts(zf)
    except (KeyError, ValueError, SyntaxError):
        return None  # the reader refuses a package it cannot follow, with its own message
    sheets = [(name, zf.read(part)) for name, part in parts.items() if part in zf.NameToInfo]
    unpacked = sum(info.file_size for info in zf.infolist())
    budget = limits.max_unpacked_mb * _MB - unpacked
    text = _shared_text(zf, [xml for _, xml in sheets], budget)
    if text > budget:
        return (
            f"Filens celler packas upp till {_number((unpacked + text) // _MB)} MB text när de "
            "läses (samma långa text används i många celler), mer än gränsen "
            f"{limits.max_unpacked_mb:g} MB. Filen läses inte; höj max_unpacked_mb om "
            "registret verkligen är så stort."
        )
    for name, xml in sheets:
        extent = _extent(xml)
        if extent is not None and extent.cells > MAX_SHEET_CELLS:
            far = f"{column_letter(extent.columns)}{extent.rows}"
            return (
                f'Bladet "{name}" sträcker sig ända till cell {far}, över {_number(extent.cells)} '
                f"celler, fler än gränsen {_number(MAX_SHEET_CELLS)}. Ta bort det som står "
                "längst ner eller längst till höger (markera de tomma raderna och kolumnerna "
                "och välj Ta bort), och spara."
            )
    return None


def _number(value: int) -> str:
    """A whole number the Swedish way: 12 346 (groups of three, space-separated)."""
    return f"{value:,}".replace(",", " ")


def _shared_text(zf: zipfile.ZipFile, sheets: list[bytes], budget: float) -> int:
    """Bytes of shared-string text the sheets' cells reference, each reference counted.

    No more cells than there are <v> elements can reference the longest string: when even
    that fits the budget (nearly always), the references themselves are not read. Every
    <v> element holding an index ends in "v>", so counting those bounds them from above.
    """
    lengths = _string_lengths(zf)
    if not lengths:
        return 0
    values = sum(xml.count(b"v>") for xml in sheets)
    if values * max(lengths) <= budget:
        return 0
    references: Counter[int] = Counter()
    for xml in sheets:
        references.update(map(int, _SHARED_REF.findall(xml)))
    return sum(
        lengths[index] * count for index, count in references.items() if index < len(lengths)
    )


def _string_lengths(zf: zipfile.ZipFile) -> list[int]:
    """The byte length of each shared string, from every part a reader may take them from."""
    longest: list[int] = []
    for part in _shared_string_parts(zf):
        xml = zf.read(part)
        starts = [match.start() for match in _STRING_ITEM.finditer(xml)]
        ends = [*starts[1:], len(xml)] if starts else []
        lengths = [end - start for start, end in zip(starts, ends, strict=True)]
        longest = [max(pair) for pair in zip_longest(longest, lengths, fillvalue=0)]
    return longest


def _shared_string_parts(zf: zipfile.ZipFile) -> set[str]:
    """The declared shared-strings parts, and the conventional name some readers assume."""
    names = set(zf.NameToInfo)
    parts = {_DEFAULT_SHARED_STRINGS} & names
    if "[Content_Types].xml" in names:
        for override in _OVERRIDE.findall(zf.read("[Content_Types].xml")):
            name = _PART_NAME.search(override)
            if _SHARED_STRINGS_TYPE in override and name is not None:
                parts |= {name.group(1).decode("utf-8", "replace")} & names
    return parts


def _extent(xml: bytes) -> _Extent | None:
    """How far the sheet's values reach (a reader's grid runs from A1 to there).

    None when a quick scan finds no address beyond column Z or row 99,999 (and no more rows
    than that): such a sheet is within the limit whatever its exact extent. Only other
    sheets are counted cell by cell.
    """
    if _FAR_ADDRESS.search(xml) is None and xml.count(b"row") <= 2 * _NEAR_ROWS:
        return None
    cells = _VALUED_CELL.findall(xml)
    rows = [int(row) for _, row in cells]
    rows += [int(row) for row in _ROW_WITH_CELLS.findall(xml)]
    letters = {letter.decode("ascii").upper() for letter, _ in cells}
    columns = max((column_index(letter) for letter in letters), default=0)
    if rows and not columns:
        columns = 1  # values placed by their order only: at least one column wide
    return _Extent(max(rows, default=0), columns)
