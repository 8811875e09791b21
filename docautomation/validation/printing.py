"""How the Valideringsrapport's Fel sheet prints: rows as high as their text, one page wide."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

_LINE_HEIGHT = 15.0  # points: one line of Excel's default 11-point font
_MAX_ROW_HEIGHT = 409.0  # Excel's highest row


def fit_rows(sheet: Worksheet, widths: Sequence[int]) -> None:
    """Give each row below the header the height its wrapped text needs.

    Excel keeps a written row at the default height however much its wrapped text needs, so
    the lines of a long message overlap the next row on screen and on paper.

    Args:
        sheet: the sheet, its columns as wide as `widths`.
        widths: each column's width, in Excel's units (digits of the default font).
    """
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        lines = max(_line_count(str(v or ""), w) for v, w in zip(row, widths, strict=False))
        sheet.row_dimensions[number].height = min(_MAX_ROW_HEIGHT, lines * _LINE_HEIGHT)


def _line_count(text: str, width: int) -> int:
    # Wrapped at whole words like Excel. A column's width counts digits; a line of ordinary
    # text holds about a fifth more letters than that, so a tenth more leaves room for capitals.
    chars = int(width * 1.1)
    return sum(len(textwrap.wrap(line, chars)) or 1 for line in text.split("\n"))


def set_up_printing(sheet: Worksheet) -> None:
    """A4 landscape, every column on one page's width, the header row on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the list needs
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True  # the rows stay apart on paper as on screen
