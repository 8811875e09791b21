"""The Valideringsrapport's workbook: the register's copy, problem cells filled and commented,
and a first sheet "Fel" listing every problem with a link to its cell."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from copy import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..errors import UnreadableFileError
from ..models import Problem, Severity
from ..register.files import require_defused_xml
from ..text import printable
from .printing import fit_rows, set_up_printing
from .report import ERROR_FILL, WARNING_FILL

AUTHOR = "docautomation"
_HEADERS = ("Allvarlighet", "Blad", "Cell", "Meddelande")
# 132 digits in all: about an A4 page across (landscape) at full size, so fitting the page's
# width shrinks the print little.
_WIDTHS = (14, 18, 10, 90)
_LABEL = {Severity.ERROR: "Fel", Severity.WARNING: "Varning"}


def marked_copy(data: bytes, problems: Sequence[Problem], destination: Path) -> bytes:
    """The register's copy made from `data` in memory, marked up, with the Fel sheet first.

    Raises:
        UnreadableFileError: `data` is not a zip archive at all (named as `destination`).
    """
    workbook = _load_copy(data, destination)
    for cell_problems, sheet, coordinate in _by_cell(workbook, problems):
        _mark(sheet, coordinate, cell_problems)
    _add_error_sheet(workbook, problems)
    return _saved(workbook)


class _SheetsInMemory(ExcelWriter):
    """openpyxl's writer, keeping each sheet's XML in memory instead of a temporary file.

    openpyxl spools every sheet to the system's temp folder before zipping it, and a killed
    build leaves that file behind. The file checks bound what a register's cells expand to,
    so the copy fits in memory, and nothing of the report is ever on disk but the report.
    """

    def write_worksheet(self, ws: Worksheet) -> None:
        # ExcelWriter.write_worksheet's steps, through openpyxl's private attributes.
        sheet: Any = ws
        sheet._drawing = SpreadsheetDrawing()
        sheet._drawing.charts = sheet._charts
        sheet._drawing.images = sheet._images
        writer: Any = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        sheet._rels = writer._rels
        cast(Any, self)._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def _saved(workbook: Workbook) -> bytes:
    """The workbook's .xlsx bytes, written like Workbook.save but without temporary files."""
    workbook.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _SheetsInMemory(workbook, archive).save()
    return buffer.getvalue()


def _load_copy(data: bytes, destination: Path) -> Workbook:
    """The register's copy to mark up.

    A workbook openpyxl cannot load (some pivot tables and pictures) gives a new, empty one,
    and so does one it loads without its sheets (Strict Open XML): the report then holds the
    Fel sheet alone, which lists every problem all the same.
    """
    require_defused_xml()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFileError(destination, "registret är ingen Excel-arbetsbok (zip).")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about every extension it drops; a marked-up copy may lose those.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), rich_text=False)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on parts it does not know
        empty = Workbook()
        empty.remove(empty.worksheets[0])
        return empty


def _by_cell(
    workbook: Workbook, problems: Iterable[Problem]
) -> list[tuple[list[Problem], Worksheet, str]]:
    """Group problems by the cell they mark (merged ranges → their top-left cell)."""
    groups: dict[tuple[str, str], list[Problem]] = {}
    sheets: dict[str, Worksheet] = {}
    for problem in problems:
        sheet = _find_sheet(workbook, problem.sheet)
        coordinate = _target(sheet, problem.cell) if sheet is not None else None
        if sheet is None or coordinate is None:
            continue
        groups.setdefault((sheet.title, coordinate), []).append(problem)
        sheets[sheet.title] = sheet
    return [(found, sheets[title], cell) for (title, cell), found in groups.items()]


def _find_sheet(workbook: Workbook, name: str) -> Worksheet | None:
    sheets = [sheet for sheet in workbook.worksheets if isinstance(sheet, Worksheet)]
    wanted = name.strip().casefold()
    found = [s for s in sheets if s.title == name] or [
        s for s in sheets if s.title.strip().casefold() == wanted
    ]
    return found[0] if found else None


def _target(sheet: Worksheet, cell: str) -> str | None:
    try:
        column, row = coordinate_from_string(cell)
    except (CellCoordinatesException, ValueError):
        return None  # "" marks a whole-sheet problem
    coordinate = f"{column}{row}"
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged:
            return str(merged.start_cell.coordinate)
    return coordinate


def _mark(sheet: Worksheet, coordinate: str, problems: list[Problem]) -> None:
    cell = sheet[coordinate]
    worst = Severity.ERROR if any(p.is_error for p in problems) else Severity.WARNING
    colour = ERROR_FILL if worst is Severity.ERROR else WARNING_FILL
    cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
    # Each cell of a merged range (a Klart merged over three rows) may carry the same message;
    # the one comment on its top-left cell says it once.
    text = "\n\n".join(dict.fromkeys(f"{_LABEL[p.severity]}: {p.message}" for p in problems))
    if cell.comment is not None and cell.comment.text.strip():
        text += f"\n\n(Tidigare kommentar: {cell.comment.text.strip()})"
    cell.comment = _comment(_text(text))


def _comment(text: str) -> Comment:
    # The default 144 x 79 px box cuts longer messages off; size it to the text (≈ 45 chars a line).
    lines = sum(max(1, -(-len(line) // 45)) for line in text.split("\n"))
    return Comment(text, AUTHOR, width=320, height=min(600, 24 + 16 * lines))


def _add_error_sheet(workbook: Workbook, problems: Sequence[Problem]) -> None:
    sheet = workbook.create_sheet(_free_title(workbook), 0)
    sheet.append(_HEADERS)
    for number, problem in enumerate(problems, start=2):
        values = (_LABEL[problem.severity], problem.sheet, problem.cell, problem.message)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column, value=_text(value))
            cell.data_type = "s"  # a message that starts with "=" is text, never a formula
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        _link(workbook, sheet, number, problem)
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions["ABCD"[index]].width = width
    for cell in sheet[1]:
        cell.font = _bold(cell.font)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:D{max(1, len(problems) + 1)}"
    fit_rows(sheet, _WIDTHS)
    set_up_printing(sheet)
    _select_only(workbook, sheet)


def _bold(font: Font) -> Font:
    # The register's own font, bold: a bare Font(bold=True) has no name, and LibreOffice then
    # prints the header in a serif font.
    bold = copy(font)
    bold.b = True
    return bold


def _link(workbook: Workbook, sheet: Worksheet, row: int, problem: Problem) -> None:
    target = _find_sheet(workbook, problem.sheet)
    coordinate = _target(target, problem.cell) if target is not None and problem.cell else None
    if target is None or coordinate is None:
        return  # a whole-sheet problem (or a missing sheet): listed, nothing to link to
    quoted = "'" + target.title.replace("'", "''") + "'"
    cell = sheet.cell(row=row, column=3)
    # A `location` hyperlink is what Excel writes for links inside the workbook; a "#Sheet!A1"
    # string would become an external relationship instead. Absolute references, because
    # LibreOffice leaves "C7" or "R1" unresolved (they also read as R1C1 references).
    column, number = coordinate_from_string(coordinate)
    cell.hyperlink = Hyperlink(
        ref=cell.coordinate,
        location=f"{quoted}!${column}${number}",
        tooltip=f"Gå till {target.title}!{coordinate}",
    )
    cell.style = "Hyperlink"
    cell.alignment = Alignment(vertical="top")  # the style's own alignment puts it at the bottom


def _free_title(workbook: Workbook) -> str:
    taken = {title.casefold() for title in workbook.sheetnames}
    title, number = "Fel", 2
    while title.casefold() in taken:
        title, number = f"Fel ({number})", number + 1
    return title


def _select_only(workbook: Workbook, chosen: Worksheet) -> None:
    # Several selected tabs open "grouped" in Excel, and typing then edits all of them.
    for sheet in workbook.worksheets:
        for view in sheet.views.sheetView:
            view.tabSelected = sheet is chosen
    workbook.active = chosen


def _text(value: str) -> str:
    # A message quotes cells, which may hold what XLSX text cannot (control characters).
    return printable(value)
