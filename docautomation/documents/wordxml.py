"""A rendered part made whole, as docxtpl does after Jinja: breaks, table grids, drawing ids.

Plus what docxtpl leaves to chance: the part must be well-formed (checked strictly, never
"recovered" by dropping text) and every table cell must keep a paragraph.
"""

from __future__ import annotations

import html
import pyexpat
import re
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_WP_DECLARATION = f'xmlns:wp="{_WP}"'.encode()
_DOC_PR = re.compile(rb"<wp:docPr [^>]*>")
_DOC_PR_ID = re.compile(rb'(<wp:docPr\s(?:[^>]*?\s)?id=")[^"]*"')
_SPECIAL = re.compile("[\n\t\a\f]")
# A table cell must end with a paragraph: one that ends right after its properties, a table,
# or its own start tag has none (an emptied {%p for %} loop).
_EMPTY_CELL = re.compile(r"(?:</w:tcPr>|<w:tcPr/>|</w:tbl>|<w:tc>|<w:tc [^>]*[^/]>)</w:tc>|<w:tc/>")


def resolve_listing(xml: str) -> str:
    """Turn \\n \\t \\a \\f in text into Word breaks, tabs, paragraphs (docxtpl's rules).

    docxtpl runs its regexes over every paragraph of the document (5 s for a 10,000-row
    report); we hand it only the paragraphs that hold such a character.
    """
    out, pos = [], 0
    for match in _SPECIAL.finditer(xml):
        if match.start() < pos:
            continue
        start = max(xml.rfind("<w:p>", pos, match.start()), xml.rfind("<w:p ", pos, match.start()))
        end = xml.find("</w:p>", match.start())
        if start < 0 or end < 0:
            continue  # not inside a paragraph (e.g. the XML declaration's line end)
        end += len("</w:p>")
        out += [xml[pos:start], docxtpl().resolve_listing(None, xml[start:end])]
        pos = end
    out.append(xml[pos:])
    return "".join(out)


def malformed(data: bytes) -> str | None:
    """None when `data` is well-formed XML; else the text near the fault, for the message.

    Strict and namespace-aware (expat: no recovery, no tree, fast).
    """
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as exc:
        lines = data.split(b"\n")
        offset = sum(len(line) + 1 for line in lines[: exc.lineno - 1]) + exc.offset
        near = data[max(offset - 300, 0) : offset + 100].decode("utf-8", "replace")
        text = html.unescape(re.sub(r"<[^>]*>?", " ", near))
        return " ".join(text.split())[-80:]
    return None


def has_empty_cell(xml: str) -> bool:
    """True when a table cell lost its last paragraph (Word refuses such a document)."""
    return _EMPTY_CELL.search(xml) is not None


def fix_table_grids(root: etree._Element) -> None:
    """Make each table's grid match its widest row, as docxtpl's fix_tables does.

    A {%tc for %} loop, a {#tc #} comment, colspan or hm change how many cells a row has;
    the grid (the column widths Word lays the table out by) must follow, keeping the table's
    width. Rows are counted like docxtpl counts them, nested tables' rows included.

    Raises:
        ValueError: a cell's span is not a whole number (the value colspan or hm produced).
    """
    for table in root.iter(f"{W}tbl"):
        grid = table.find(f"{W}tblGrid")
        if grid is None:
            continue
        rows = list(table.iter(f"{W}tr"))
        most_cells = max((len(row.findall(f"{W}tc")) for row in rows), default=0)
        if most_cells > len(grid.findall(f"{W}gridCol")):
            _add_columns(grid, most_cells)
        columns = grid.findall(f"{W}gridCol")
        widest = max(
            (sum(_span(cell) for cell in row.findall(f"{W}tc")) for row in rows), default=0
        )
        if widest < len(columns):
            _remove_columns(grid, columns, len(columns) - widest)


def _add_columns(grid: etree._Element, count: int) -> None:
    columns = grid.findall(f"{W}gridCol")
    width = sum(_width(c) for c in columns)
    new_width = width / count if width > 0 else 0.0
    if width > 0:
        old_width = width / len(columns)
        for column in columns:
            if column.get(f"{W}w") is not None:
                column.set(f"{W}w", str(int(_width(column) * new_width / old_width)))
    for _ in range(count - len(columns)):
        attributes = {f"{W}w": str(int(new_width))} if width > 0 else {}
        etree.SubElement(grid, f"{W}gridCol", attributes)


def _remove_columns(grid: etree._Element, columns: list[Any], count: int) -> None:
    removed = sum(_width(c) for c in columns[-count:])
    for column in columns[-count:]:
        grid.remove(column)
    left = columns[:-count]
    extra = int(removed / len(left)) if left else 0
    for column in left:
        if column.get(f"{W}w") is not None:
            column.set(f"{W}w", str(int(_width(column) + extra)))


def _width(column: etree._Element) -> float:
    try:
        return float(column.get(f"{W}w") or 0)
    except ValueError:
        return 0.0


def _span(cell: etree._Element) -> int:
    properties = cell.find(f"{W}tcPr")
    span = None if properties is None else properties.find(f"{W}gridSpan")
    if span is None:
        return 1
    value = span.get(f"{W}val", "1")
    if not value.strip().isdigit():
        raise ValueError(value)
    return int(value)


def renumber_drawings(root: etree._Element) -> None:
    """Give every picture a unique id from 1001 on, as docxtpl does (copies in loops collide)."""
    for number, element in enumerate(root.iter(f"{{{_WP}}}docPr"), start=1001):
        element.set("id", str(number))


def renumbered_drawings(data: bytes) -> bytes | None:
    """renumber_drawings on the XML text itself, or None when it is not written the usual way
    (the wp prefix, one id each): a report of 10,000 wishes with one chart in it is 18 MB of
    XML, and parsing it into a tree for one attribute took a third of a second and 300 MB."""
    if _WP_DECLARATION not in data or data.count(b":docPr") != data.count(b"<wp:docPr "):
        return None
    tags = _DOC_PR.findall(data)
    if len(tags) != data.count(b"<wp:docPr ") or any(tag.count(b" id=") != 1 for tag in tags):
        return None
    numbers = iter(range(1001, 1001 + len(tags)))
    renumbered, count = _DOC_PR_ID.subn(lambda m: m.group(1) + b"%d" % next(numbers) + b'"', data)
    return renumbered if count == len(tags) else None


def docxtpl() -> Any:
    """docxtpl's DocxTemplate, imported on first use.

    It pulls in python-docx (~0.1 s); a rebuild with nothing to render never needs it.
    """
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    return DocxTemplate
