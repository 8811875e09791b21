"""A workbook's bytes → the register sheets' value grids (python-calamine), checked first.

Everything a workbook can do to the reader is refused before a value is read: zip bombs,
merges covering millions of cells, and content so far out that the grid from A1 to it would
not fit in memory. python-calamine reads Transitional and Strict Open XML alike and is not
disturbed by pivot tables, pictures or other parts it does not need.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import python_calamine

from ..config import Limits
from ..errors import UnreadableFileError

# One limit for the grid from A1 to the farthest cell (~32 bytes a cell), with the file check.
from .expansion import MAX_SHEET_CELLS
from .files import check_zip_directory
from .sheetxml import SheetScan, column_letter, scan_sheet, sheet_parts

MAX_MERGED_CELLS = 250_000  # each covered cell gets an entry; no register needs more
_SAVE_AGAIN = "Öppna den i Excel och spara den på nytt som .xlsx."


@dataclass(frozen=True, slots=True)
class Grid:
    """One sheet's values as the reader gave them, row 1 first, and what its XML adds.

    `rows[r][c]` is the cell at row r + 1, column c + 1 ("" when empty); `merges` are
    (min_row, min_col, max_row, max_col), 1-based.
    """

    title: str
    rows: list[list[Any]]
    merges: tuple[tuple[int, int, int, int], ...]
    scan: SheetScan


def load_grids(
    data: bytes, source_name: str, limits: Limits, wanted: Callable[[str], bool]
) -> tuple[tuple[str, ...], list[Grid]]:
    """Every sheet name in tab order, and the grid of each worksheet whose name is `wanted`.

    Raises:
        UnreadableFileError: the bytes are not a workbook that can be read safely.
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            check_zip_directory(zf, source_name, limits)
            parts = sheet_parts(zf)
            book = python_calamine.CalamineWorkbook.from_filelike(BytesIO(data))
            names = tuple(book.sheet_names)
            titles = [m.name for m in book.sheets_metadata if _is_worksheet(m) and wanted(m.name)]
            scans = {title: _scan(zf, parts, title, source_name) for title in titles}
        _check_merges(source_name, scans)
        return names, [_grid(book, title, scans[title]) for title in titles]
    except UnreadableFileError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    # A malformed package fails in zipfile, the XML parser or python-calamine, whose Rust
    # panics arrive as a BaseException; to the board every one means the same.
    except BaseException as exc:
        raise UnreadableFileError(source_name, _unreadable_reason(exc)) from exc


def _is_worksheet(metadata: python_calamine.SheetMetadata) -> bool:
    return metadata.typ == python_calamine.SheetTypeEnum.WorkSheet


def _scan(zf: zipfile.ZipFile, parts: dict[str, str], title: str, source_name: str) -> SheetScan:
    part = parts.get(title)
    if part is None or part not in zf.NameToInfo:
        raise UnreadableFileError(
            source_name, f'Bladet "{title}" saknas i arbetsbokens innehåll. {_SAVE_AGAIN}'
        )
    scan = scan_sheet(zf.read(part), MAX_SHEET_CELLS)
    rows, cols = scan.extent
    if rows * cols > MAX_SHEET_CELLS:
        raise UnreadableFileError(
            source_name,
            f'Bladet "{title}" har innehåll ända ut till kolumn {column_letter(cols)} och rad '
            f"{rows}: området från A1 dit är {rows * cols:,} celler, fler än gränsen "
            f"{MAX_SHEET_CELLS:,}. Ta bort det som står långt utanför registret (markera "
            "kolumnerna eller raderna och välj Ta bort) och spara igen.".replace(",", " "),
        )
    return scan


def _check_merges(source_name: str, scans: dict[str, SheetScan]) -> None:
    merged = sum(scan.merged_cells for scan in scans.values())
    if merged > MAX_MERGED_CELLS:
        raise UnreadableFileError(
            source_name,
            f"Sammanfogade celler täcker {merged} celler, fler än gränsen {MAX_MERGED_CELLS}. "
            "Dela upp sammanfogningarna (Start › Sammanfoga och centrera › Dela upp celler).",
        )


def _grid(book: python_calamine.CalamineWorkbook, title: str, scan: SheetScan) -> Grid:
    sheet = book.get_sheet_by_name(title)
    rows = sheet.to_python(skip_empty_area=False)
    merges = tuple(
        (top + 1, left + 1, bottom + 1, right + 1)
        for (top, left), (bottom, right) in sheet.merged_cell_ranges or ()
    )
    return Grid(title, rows, merges, scan)


def _unreadable_reason(exc: BaseException) -> str:
    """What went wrong, in the board's words; the library's own text is never shown."""
    if isinstance(exc, python_calamine.PasswordError):
        return (
            "Filen är lösenordsskyddad (krypterad) och kan inte läsas. Ta bort lösenordet i "
            "Excel: Arkiv › Info › Skydda arbetsbok › Kryptera med lösenord, töm fältet och spara."
        )
    if isinstance(exc, (zipfile.BadZipFile, python_calamine.ZipError, EOFError)):
        return (
            "Arbetsboken är trasig eller ofullständig (zip-strukturen går inte att läsa). "
            + _SAVE_AGAIN
        )
    return f"Arbetsboken går inte att läsa: någon del av den kan inte tolkas. {_SAVE_AGAIN}"
