"""Raw look at a workbook's sheet XML before openpyxl loads it: parts, merged area, formulas.

openpyxl's value-only load cannot tell an empty cell from a formula Excel never computed, and
it expands every merged range into one object per covered cell. Both are answered here from
the sheet XML itself, so the register is loaded once and a hostile merge is refused first.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml.ElementTree import fromstring
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

_MAX_ROW = 1_048_576
_MAX_COL = 16_384
_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
_R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PREFIX = rb"(?:[\w.-]+:)?"  # some writers use a namespace prefix, e.g. <x:c>
_CELL_OPEN = re.compile(rb"<" + _PREFIX + rb"c\b([^>]*)>")
_CELL_CLOSE = re.compile(rb"</" + _PREFIX + rb"c>")
_DATA_OPEN = re.compile(rb"<" + _PREFIX + rb"sheetData\b")
_DATA_CLOSE = re.compile(rb"</" + _PREFIX + rb"sheetData>")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v\b[^>]*?(?:/>|>(.*?)</" + _PREFIX + rb"v>)", re.DOTALL)
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{1,3}[0-9]{1,7})["']""")
_ATTR_T = re.compile(rb"""(?:^|\s)t\s*=\s*["']([^"']*)["']""")
_MERGE = re.compile(rb"<" + _PREFIX + rb"""mergeCell\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What the sheet XML says about merges and formulas.

    `uncomputed` holds (row, column) of formula cells without a saved result; None means a
    formula cell had no address (`r` attribute) so the caller must find formulas another way.
    """

    merged_cells: int
    uncomputed: frozenset[tuple[int, int]] | None


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet's name, in tab order, to the zip member that holds its XML.

    Follows the package the way openpyxl does: [Content_Types].xml names the workbook part,
    its relationships name each sheet's part. Chartsheets are included; callers skip them.

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
            target = rels.get(element.get(_R_NS, ""))
            if target is not None:
                parts.setdefault(element.get("name", ""), target)
    return parts


def scan_sheet(xml: bytes, *, formulas: bool) -> SheetScan:
    """Count the cells merged ranges cover and, when asked, find formulas with no saved result."""
    merged = _merged_cells(xml)
    start, end = _sheet_data(xml) if formulas else (0, 0)
    if _FORMULA.search(xml, start, end) is None:
        return SheetScan(merged, frozenset())
    return SheetScan(merged, _uncomputed(xml, start, end))


def _sheet_data(xml: bytes) -> tuple[int, int]:
    """Where the cells are in the sheet XML (<xm:f> also occurs in extLst, outside the cells)."""
    opening = _DATA_OPEN.search(xml)
    closing = _DATA_CLOSE.search(xml, opening.end()) if opening else None
    return (opening.end(), closing.start()) if opening and closing else (0, 0)


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
    return sum(_area(m.group(1).decode("ascii", "replace")) for m in _MERGE.finditer(xml))


def _area(ref: str) -> int:
    """Cells a range covers; whole rows/columns ("A:C", "2:5") count as their full extent."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return 0  # openpyxl will refuse the range itself
    rows = (max_row or _MAX_ROW) - (min_row or 1) + 1
    cols = (max_col or _MAX_COL) - (min_col or 1) + 1
    return max(rows, 0) * max(cols, 0)


def _uncomputed(xml: bytes, start: int, end: int) -> frozenset[tuple[int, int]] | None:
    """Visit only the formula elements; each one's enclosing cell is the tag just before it."""
    found: set[tuple[int, int]] = set()
    for formula in _FORMULA.finditer(xml, start, end):
        tag = xml.rfind(b"<", 0, formula.start())
        opening = _CELL_OPEN.match(xml, tag) if tag >= 0 else None
        closing = _CELL_CLOSE.search(xml, formula.end(), end)
        if opening is None or closing is None:
            return None  # not laid out as Excel writes cells: let openpyxl find the formulas
        attrs = opening.group(1)
        if not _lacks_result(attrs, xml[opening.end() : closing.start()]):
            continue
        address = _ATTR_R.search(attrs)
        if address is None:
            return None
        try:
            found.add(coordinate_to_tuple(address.group(1).decode("ascii").upper()))
        except ValueError:
            return None
    return frozenset(found)


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
