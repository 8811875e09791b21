"""Raw look at a sheet's XML before the reader loads it: parts, merges, formulas, errors, extent.

The value reader (python-calamine) reads a formula Excel never computed and an Excel error
value alike as an empty cell, and it lays a sheet out as one dense grid from A1 to the
farthest cell with content. This scan answers from the sheet XML itself what the reader
cannot tell, and how large that grid would be, so a hostile sheet is refused before loading.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring, iterparse

MAX_ROW = 1_048_576
MAX_COL = 16_384
_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
_PREFIX = rb"(?:[\w.-]+:)?"  # some writers use a namespace prefix, e.g. <x:c>
_CELL_OPEN = re.compile(rb"<" + _PREFIX + rb"c\b([^>]*)>")
_CELL_CLOSE = re.compile(rb"</" + _PREFIX + rb"c>")
_DATA_OPEN = re.compile(rb"<" + _PREFIX + rb"sheetData\b")
_DATA_CLOSE = re.compile(rb"</" + _PREFIX + rb"sheetData>")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v\b[^>]*?(?:/>|>(.*?)</" + _PREFIX + rb"v>)", re.DOTALL)
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{1,3}[0-9]{1,7})["']""")
_ATTR_T = re.compile(rb"""(?:^|\s)t\s*=\s*["']([^"']*)["']""")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_MERGE = re.compile(rb"<" + _PREFIX + rb"""mergeCell\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
# Where every cell is written as Excel writes it (<c r="B7" …>), only far-out cells need a look.
_PLAIN_CELL = b'<c r="'
_FAR_CELL = re.compile(rb'<c r="(?=[A-Za-z]{2}|[A-Za-z]*[0-9]{6})([A-Za-z]*)([0-9]*)')
_NARROW = (26, 99_999)  # columns A–Z, rows of at most five digits
_REF = re.compile(r"([A-Za-z]{0,3})([0-9]{0,7})")


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What a register sheet's XML says that the value reader does not.

    `uncomputed`: (row, column) of formula cells without a saved result. `errors`: the Excel
    error value (e.g. "#REF!") of each error cell. `extent`: (rows, columns) the value grid
    spans, exact or an upper bound; at least the rows and columns of every cell with content.
    """

    merged_cells: int
    uncomputed: frozenset[tuple[int, int]] = frozenset()
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    extent: tuple[int, int] = (0, 0)


def column_letter(col: int) -> str:
    """1 → "A", 28 → "AB"."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_ref(ref: str) -> tuple[int, int]:
    """ "B7" → (7, 2); a part left out is 0 ("C" → (0, 3), "7" → (7, 0)).

    Raises:
        ValueError: not a cell, column or row reference.
    """
    match = _REF.fullmatch(ref.strip().replace("$", ""))
    if match is None or not ref.strip():
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2) or 0), column_index(match.group(1))


def column_index(letters: str) -> int:
    """ "A" → 1, "AB" → 28 (any number of letters, any case)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col


def merged_bounds(ref: str) -> tuple[int, int, int, int]:
    """A merged range "B2:C4" → (min_row, min_col, max_row, max_col); whole rows or columns
    ("A:C", "2:5") reach to the sheet's edge; a single cell is a range of one.

    Raises:
        ValueError: not a range.
    """
    first, _, last = ref.partition(":")
    (top, left), (bottom, right) = parse_ref(first), parse_ref(last or first)
    return top or 1, left or 1, bottom or MAX_ROW, right or MAX_COL


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet's name, in tab order, to the zip member that holds its XML.

    Follows the package: [Content_Types].xml names the workbook part, its relationships name
    each sheet's part. Transitional and Strict Open XML name the relationship attribute in
    different namespaces; both are followed. Chartsheets are included; callers skip them.

    Raises:
        KeyError, ValueError, SyntaxError: a part is missing or its XML is malformed.
    """
    workbook = _workbook_part(zf)
    folder, file = posixpath.split(workbook)
    rels = _relationships(zf, posixpath.join(folder, "_rels", file + ".rels"), folder)
    root = fromstring(zf.read(workbook))
    parts: dict[str, str] = {}
    for element in root.iter():
        if _local(element.tag) == "sheet":
            target = rels.get(_relationship_id(element))
            if target is not None:
                parts.setdefault(element.get("name", ""), target)
    return parts


def _relationship_id(element: Element) -> str:
    for name, value in element.attrib.items():
        if name.startswith("{") and name.endswith("}id") and "relationships" in name:
            return value
    return ""


def scan_sheet(xml: bytes, max_cells: int) -> SheetScan:
    """Merged area, formulas without a result, error cells and the grid's extent of one sheet.

    The extent is exact (cells with content only) whenever its quick upper bound would
    exceed `max_cells`, so a sheet is refused for what it holds, not for an estimate.
    """
    merged = _merged_cells(xml)
    start, end = _sheet_data(xml)
    scan = _fast_scan(xml, start, end, merged)
    if scan is not None and scan.extent[0] * scan.extent[1] <= max_cells:
        return scan
    return _walk(xml, merged)


def _sheet_data(xml: bytes) -> tuple[int, int]:
    """Where the cells are in the sheet XML (<xm:f> also occurs in extLst, outside the cells)."""
    opening = _DATA_OPEN.search(xml)
    last = xml.rfind(b"sheetData>")  # the closing tag, found from the end: a regex would
    closing = _DATA_CLOSE.match(xml, xml.rfind(b"</", 0, last)) if last > 0 else None  # scan it all
    if opening is None or closing is None or closing.end() != last + len(b"sheetData>"):
        return 0, 0
    return (opening.end(), closing.start()) if closing.start() >= opening.end() else (0, 0)


def _workbook_part(zf: zipfile.ZipFile) -> str:
    root = fromstring(zf.read("[Content_Types].xml"))
    for element in root.iter():
        if _local(element.tag) == "Override" and element.get("ContentType") in _WORKBOOK_TYPES:
            return str(element.get("PartName", "")).lstrip("/")
    return "xl/workbook.xml"


def _relationships(zf: zipfile.ZipFile, rels_path: str, folder: str) -> dict[str, str]:
    """Relationship id → member name, resolved against the source part's folder."""
    if rels_path not in zf.NameToInfo:
        return {}
    rels: dict[str, str] = {}
    for element in fromstring(zf.read(rels_path)).iter():
        if _local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
            continue
        target = element.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        rels[element.get("Id", "")] = posixpath.normpath(path)
    return rels


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _merged_cells(xml: bytes) -> int:
    if b"mergeCell" not in xml:
        return 0
    total = 0
    for match in _MERGE.finditer(xml):
        try:
            top, left, bottom, right = merged_bounds(match.group(1).decode("ascii", "replace"))
        except ValueError:
            continue  # the value reader refuses the range itself
        total += max(bottom - top + 1, 0) * max(right - left + 1, 0)
    return total


# -- the usual layout: every cell <c r="…"> -------------------------------------------------


def _fast_scan(xml: bytes, start: int, end: int, merged: int) -> SheetScan | None:
    """Scan a sheet laid out as Excel writes it; None when it is not, or a formula or error
    cell cannot be placed, so the caller walks the XML instead."""
    plain = xml.count(_PLAIN_CELL, start, end)
    if plain == 0 or xml.count(b"<c", start, end) != plain:
        return None  # no cells, or cells without an address or with a namespace prefix
    # Plain searches rule out most sheets at once (cells written as Excel writes them).
    formulas = xml.find(b"<f", start, end) >= 0
    uncomputed = _uncomputed(xml, start, end) if formulas else frozenset()
    errors = _errors(xml, start, end) if xml.find(b't="e"', start, end) >= 0 else {}
    if uncomputed is None or errors is None:
        return None
    return SheetScan(merged, uncomputed, errors, _extent_bound(xml, start, end))


def _extent_bound(xml: bytes, start: int, end: int) -> tuple[int, int]:
    """Rows and columns the grid spans at most: a sheet within A–Z and five-digit rows costs
    two quick searches; only addresses beyond those are looked at one by one."""
    cols, rows = _NARROW
    for letters, digits in {m.groups() for m in _FAR_CELL.finditer(xml, start, end)}:
        cols = max(cols, column_index(letters.decode("ascii")))
        rows = max(rows, int(digits or 0))
    return rows, cols


def _uncomputed(xml: bytes, start: int, end: int) -> frozenset[tuple[int, int]] | None:
    """Visit only the formula elements; each one's enclosing cell is the tag just before it."""
    found: set[tuple[int, int]] = set()
    for formula in _FORMULA.finditer(xml, start, end):
        cell = _enclosing_cell(xml, formula.start(), formula.end(), end)
        if cell is None:
            return None
        attrs, body, place = cell
        if _lacks_result(attrs, body):
            found.add(place)
    return frozenset(found)


def _errors(xml: bytes, start: int, end: int) -> dict[tuple[int, int], str] | None:
    """Each error cell (t="e") → the error value Excel saved in it."""
    found: dict[tuple[int, int], str] = {}
    for kind in _ERROR_TYPE.finditer(xml, start, end):
        cell = _enclosing_cell(xml, kind.start(), kind.end(), end)
        if cell is None:
            return None
        _, body, place = cell
        value = _VALUE.search(body)
        if value is not None and value.group(1):
            found[place] = value.group(1).decode("utf-8", "replace").strip()
    return found


def _enclosing_cell(
    xml: bytes, at: int, after: int, end: int
) -> tuple[bytes, bytes, tuple[int, int]] | None:
    """The attributes, content and (row, column) of the cell whose tag is the one just before
    `at` (a formula is a cell's first child; a t="e" lies inside the cell's own tag)."""
    tag = xml.rfind(b"<", 0, at)
    opening = _CELL_OPEN.match(xml, tag) if tag >= 0 else None
    if opening is None:
        return None
    attrs = opening.group(1)
    address = _ATTR_R.search(attrs)
    if attrs.endswith(b"/"):
        closing_start = opening.end()
    else:
        closing = _CELL_CLOSE.search(xml, max(after, opening.end()), end)
        if closing is None:
            return None
        closing_start = closing.start()
    if address is None:
        return None
    try:
        place = parse_ref(address.group(1).decode("ascii"))
    except ValueError:
        return None
    return attrs, xml[opening.end() : closing_start], place


def _lacks_result(attrs: bytes, body: bytes) -> bool:
    """A formula cell without a <v>, or with an empty one that is not a computed empty string.

    Excel writes a formula that returns "" as t="str" with an empty <v>; openpyxl and other
    non-calculating writers leave <v> empty (or out) with no string type.
    """
    value = _VALUE.search(body)
    if value is None:
        return True
    if value.group(1):
        return False
    kind = _ATTR_T.search(attrs)
    return kind is None or kind.group(1) != b"str"


# -- any other layout: walk the cells in order -----------------------------------------------


def _walk(xml: bytes, merged: int) -> SheetScan:
    """Place every cell as the format allows (a row or cell without an address follows the
    one before it) and collect the same facts as the fast scan, with the exact extent."""
    uncomputed: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
    rows = cols = 0
    for place, cell in _cells(xml):
        kind = cell.get("t", "")
        children = {_local(child.tag): child for child in cell}
        value = children.get("v")
        text = value.text.strip() if value is not None and value.text else ""
        if "f" in children and not text and kind != "str":
            uncomputed.add(place)
        if kind == "e" and text:
            errors[place] = text
        if text or "is" in children:
            rows, cols = max(rows, place[0]), max(cols, place[1])
    return SheetScan(merged, frozenset(uncomputed), errors, (rows, cols))


def _cells(xml: bytes) -> Iterator[tuple[tuple[int, int], Element]]:
    row = col = 0
    for event, element in iterparse(BytesIO(xml), events=("start", "end")):
        name = _local(element.tag)
        if event == "start" and name == "row":
            numbered = element.get("r", "")
            row = int(numbered) if numbered.isdigit() else row + 1
            col = 0
        elif event == "end" and name == "c":
            ref = element.get("r")
            found_row, found_col = parse_ref(ref) if ref else (0, 0)
            row, col = found_row or row, found_col or col + 1
            yield (row, col), element
            element.clear()
