"""Word plans typed the way people type them (python-docx, not our templates), for `import`."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

import docx
from docx.document import Document
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

SEED = Path(__file__).with_name("verksamhetsplan-2021.txt")
_TAG = re.compile(r"</?b>")
_ITEM = re.compile(r"<li>(.*?)</li>")
_NUMBERED = re.compile(r"(\d+)\. (.*)")


def heading(doc: Document, text: str, how: str = "style", level: int = 1) -> Paragraph:
    """A heading as people make one: a Heading style, the Title style, or bold text."""
    if how == "title":
        paragraph: Paragraph = doc.add_paragraph(text, style="Title")
    elif how == "bold":
        paragraph = doc.add_paragraph()
        paragraph.add_run(text).bold = True
    else:
        paragraph = doc.add_heading(text, level=level)
    return paragraph


def list_item(doc: Document | _Cell, text: str, typed: str = "", numbered: bool = False) -> None:
    """A list paragraph: Word's own bullets or numbers, or with a typed marker ("- ", "• ", "1. ")."""
    if typed:
        doc.add_paragraph(typed + text)
    else:
        doc.add_paragraph(text, style="List Number" if numbered else "List Bullet")


def fill_cell(cell: _Cell, text: str, bold: bool = False) -> None:
    """Put text in a cell's first paragraph; "\\n" becomes a line break (Shift+Enter)."""
    paragraph = cell.paragraphs[0]
    for number, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        run.bold = bold or None
        if number < len(text.split("\n")) - 1:
            run.add_break()


def add_table(doc: Document, rows: Sequence[Sequence[str]], bold_header: bool = True) -> Table:
    """A plain grid table; the first row is the header row."""
    table: Table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            fill_cell(table.cell(r, c), text, bold=bold_header and r == 0)
    return table


def merge_down(table: Table, col: int, first: int, last: int) -> None:
    """Merge one column's cells over rows first..last, as a person does for an area."""
    top = table.cell(first, col)
    text = top.text
    for row in range(first + 1, last + 1):
        table.cell(row, col).text = ""
    merged = top.merge(table.cell(last, col))
    merged.paragraphs[0].text = text
    for extra in merged.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)


# -- the seed plan ----------------------------------------------------------------------------


def seed_plan(path: Path, *, how: str = "style", typed: str = "", merged: bool = False) -> Path:
    """The 2021 plan as a person types it in Word from the seed text.

    `how` makes the headings (Heading styles, or bold paragraphs); `typed` types list markers
    instead of Word's lists (e.g. "- " or "• "); `merged` merges each area's cells down its
    group. The association's name stands in the page header, like letterhead.
    """
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "Användarföreningen Castor"
    table_rows: list[list[str]] = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if "\t" in line or (table_rows and not line.strip()):
            table_rows.append(line.split("\t") if line.strip() else [""] * 5)
        elif line.startswith("## "):
            heading(doc, line[3:], "title" if how == "style" else "bold")
        elif line.startswith("### "):
            heading(doc, line[4:], how, level=2)
        elif line.startswith("- "):
            list_item(doc, line[2:], typed=typed)
        elif match := _NUMBERED.fullmatch(line):
            list_item(
                doc, match.group(2), typed=f"{match.group(1)}. " if typed else "", numbered=True
            )
        elif line.strip():
            doc.add_paragraph(line)
    _seed_table(doc, table_rows, typed, merged)
    doc.save(str(path))
    return path


def _seed_table(doc: Document, rows: list[list[str]], typed: str, merged: bool) -> None:
    while rows and not any(rows[-1]):
        rows.pop()
    table = doc.add_table(rows=len(rows), cols=5)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            items = _ITEM.findall(text)
            if not items:
                fill_cell(cell, _TAG.sub("", text), bold="<b>" in text)
                continue
            cell._tc.remove(cell.paragraphs[0]._p)
            for item in items:  # the seed's "- " items, as a list in the cell
                list_item(cell, item.removeprefix("- "), typed=typed)
    if merged:
        starts = [r for r, row in enumerate(rows) if r and row[0]] + [len(rows)]
        for first, end in itertools.pairwise(starts):
            last = end - 1
            while last > first and not any(rows[last]):
                last -= 1  # the blank row between groups stays outside the merge
            if last > first:
                merge_down(table, 0, first, last)
