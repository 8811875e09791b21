"""Real .xlsx files for the reader tests: written by openpyxl, optionally patched at the XML level."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

Rows = Sequence[Sequence[object]]


def write_workbook(
    path: Path,
    sheets: Mapping[str, Rows],
    *,
    titles: Mapping[str, Sequence[str]] | None = None,
    merges: Mapping[str, Sequence[str]] | None = None,
    hidden_rows: Mapping[str, Sequence[int]] | None = None,
    formats: Mapping[str, Mapping[str, str]] | None = None,
    trailing_formatted_rows: Mapping[str, int] | None = None,
) -> Path:
    """Write a workbook: each sheet gets its title rows (one per string), then `rows`.

    Strings starting with "=" become formulas (openpyxl saves them without a computed value).
    `merges` are ranges such as "A1:F1"; `hidden_rows` are row numbers; `formats` maps a cell
    to a number format; `trailing_formatted_rows` adds that many styled, empty rows below.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for title in (titles or {}).get(name, ()):
            ws.append([title])
        for row in rows:
            ws.append(list(row))
        for ref in (merges or {}).get(name, ()):
            ws.merge_cells(ref)
        for number in (hidden_rows or {}).get(name, ()):
            ws.row_dimensions[number].hidden = True
        for ref, number_format in (formats or {}).get(name, {}).items():
            ws[ref].number_format = number_format
        _add_formatted_rows(ws, (trailing_formatted_rows or {}).get(name, 0))
    wb.save(path)
    return path


def workbook_bytes(sheets: Mapping[str, Rows], **options: Any) -> bytes:
    """The bytes `write_workbook` would write, without a file."""
    buffer = io.BytesIO()
    write_workbook(buffer, sheets, **options)  # type: ignore[arg-type]  # openpyxl saves to streams too
    return buffer.getvalue()


def _add_formatted_rows(ws: Worksheet, count: int) -> None:
    start = ws.max_row + 1
    bold = Font(bold=True)
    for row in range(start, start + count):
        for col in range(1, 4):
            ws.cell(row, col).font = bold


def rewrite_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one zip member of a workbook in place (everything else copied unchanged)."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            dst.writestr(info.filename, change(data) if info.filename == member else data)
    return path


def sheet_member(path: Path, title: str) -> str:
    """The zip member holding the sheet `title` (openpyxl writes sheetN.xml in tab order)."""
    index = load_workbook(path).sheetnames.index(title) + 1
    return f"xl/worksheets/sheet{index}.xml"


def set_cached_values(path: Path, title: str, values: Mapping[str, str], *, kind: str = "") -> Path:
    """Give formula cells a saved result, as Excel would: `values` maps "C2" → the <v> text.

    `kind` sets the cell type attribute (e.g. "str" for a text result; "" leaves it numeric).
    """

    def change(xml: bytes) -> bytes:
        text = xml.decode()
        for ref, value in values.items():
            pattern = re.compile(rf'<c r="{ref}"([^>]*)>(<f>.*?</f>)<v\s*(?:/>|></v>)')
            type_attr = f' t="{kind}"' if kind else ""
            text, count = pattern.subn(rf'<c r="{ref}"\1{type_attr}>\2<v>{value}</v>', text)
            assert count == 1, f"no formula cell {ref} in {title}"
        return text.encode()

    return rewrite_member(path, sheet_member(path, title), change)


CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"  # licences: its README

# Transitional namespace → its Strict Open XML counterpart (the longer, more specific first).
_STRICT_NAMESPACES = (
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
    ),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
    (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    (
        b"http://schemas.openxmlformats.org/drawingml/2006/main",
        b"http://purl.oclc.org/ooxml/drawingml/main",
    ),
)


def rewrite_members(data: bytes, changes: Mapping[str, Callable[[bytes], bytes]]) -> bytes:
    """The workbook `data` with the members named in `changes` rewritten, the rest as they were."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            member = src.read(info)
            change = changes.get(info.filename)
            dst.writestr(info, change(member) if change else member)
    return buffer.getvalue()


def to_strict(data: bytes) -> bytes:
    """The workbook as Excel's "Strict Open XML Spreadsheet" saves it: every part under the
    Strict namespaces (the package's own stay), the workbook marked conformance="strict"."""

    def strict(xml: bytes) -> bytes:
        for transitional, strict_ns in _STRICT_NAMESPACES:
            xml = xml.replace(transitional, strict_ns)
        return xml.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    return rewrite_members(data, dict.fromkeys(names, strict))


def pivot_register() -> bytes:
    """An Excel workbook with five pivot tables (the corpus's calamine/pivots.xlsx, which
    openpyxl cannot load) whose data sheet is renamed Önskemål and whose Name header reads
    Rubrik: ten wishes, IDs 1–10."""
    data = (CORPUS / "calamine" / "pivots.xlsx").read_bytes()
    return rewrite_members(
        data,
        {
            "xl/workbook.xml": lambda xml: xml.replace(
                b'name="DataSheet"', 'name="Önskemål"'.encode()
            ),
            "xl/sharedStrings.xml": lambda xml: xml.replace(b"<t>Name</t>", b"<t>Rubrik</t>"),
        },
    )
