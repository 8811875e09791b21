"""The workbook a Word chart carries for its data: Word's "Redigera data" opens it in Excel."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree  # type: ignore[import-untyped]

from .docxzip import write_package

SHEET = "Blad1"  # the name Excel gives a Swedish workbook's first sheet
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SML}styles+xml"/></Types>'
).encode()
_ROOT_RELS = (
    f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_DOC_REL}/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
).encode()
_WORKBOOK = (
    f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_REL}"><sheets>'
    f'<sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
_WORKBOOK_RELS = (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOC_REL}/styles" Target="styles.xml"/></Relationships>'
).encode()
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
    'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
).encode()


def column(index: int) -> str:
    """The column letter of a 0-based column index (A … Z; a chart has few series)."""
    return chr(ord("A") + index)


def workbook(header: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]) -> bytes:
    """An .xlsx with `header` in row 1 and each (label, numbers) row below it.

    Written by hand, not with openpyxl: it is a few cells, and openpyxl stamps the time it saves
    into the file, which would make equal reports differ byte for byte.
    """
    sheet = etree.Element(f"{{{_MAIN}}}worksheet", nsmap={None: _MAIN})
    data = etree.SubElement(sheet, f"{{{_MAIN}}}sheetData")
    _row(data, 1, list(header))
    for number, (label, values) in enumerate(rows, start=2):
        _row(data, number, [label, *values])
    parts = (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/workbook.xml", _WORKBOOK),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", etree.tostring(sheet, encoding="utf-8")),
    )
    return write_package((name, _DECL + xml) for name, xml in parts)


def _row(data: etree._Element, number: int, cells: Sequence[str | int]) -> None:
    row = etree.SubElement(data, f"{{{_MAIN}}}row", r=str(number))
    for index, value in enumerate(cells):
        ref = f"{column(index)}{number}"
        if isinstance(value, int):
            cell = etree.SubElement(row, f"{{{_MAIN}}}c", r=ref)
            etree.SubElement(cell, f"{{{_MAIN}}}v").text = str(value)
        else:
            cell = etree.SubElement(row, f"{{{_MAIN}}}c", r=ref, t="inlineStr")
            inline = etree.SubElement(cell, f"{{{_MAIN}}}is")
            etree.SubElement(inline, f"{{{_MAIN}}}t").text = value
