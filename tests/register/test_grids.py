"""Tests for register.grids: Strict and pivot-table workbooks, far-out content, error values."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from docautomation.config import Limits
from docautomation.errors import UnreadableFileError
from docautomation.register.grids import load_grids
from docautomation.register.scaffold import example_content, write_register
from docautomation.register.workbook import read_register
from tests.support.registers import (
    CORPUS,
    pivot_register,
    rewrite_member,
    to_strict,
    workbook_bytes,
    write_workbook,
)

WISH_HEADER = ["ID", "Rubrik", "Antal kommuner", "Beskrivning"]
SHEET = "xl/worksheets/sheet1.xml"


def _with_cells(path: Path, xml: bytes) -> Path:
    """Append `xml` (rows as written in a sheet) to the first sheet's rows."""
    return rewrite_member(
        path, SHEET, lambda old: old.replace(b"</sheetData>", xml + b"</sheetData>")
    )


def test_a_strict_register_reads_like_its_transitional_original(tmp_path: Path) -> None:
    """The example saved as Strict Open XML gives the same sheets, rows and values."""
    data = write_register(tmp_path / "r.xlsx", example_content()).read_bytes()
    strict = to_strict(data)
    with zipfile.ZipFile(io.BytesIO(strict)) as zf:
        assert b'conformance="strict"' in zf.read("xl/workbook.xml")
    original, read = read_register(data, "r.xlsx"), read_register(strict, "r.xlsx")
    assert len(read.sheets) == 6
    assert (read.sheets, read.sheet_names) == (original.sheets, original.sheet_names)


def test_a_workbook_excel_saved_as_strict_is_read() -> None:
    """Excel's own Strict file (which openpyxl reads as having no sheets): every sheet, its
    text, numbers and dates."""
    data = (CORPUS / "poi" / "SimpleStrict.xlsx").read_bytes()
    names, grids = load_grids(data, "SimpleStrict.xlsx", Limits(), lambda _title: True)
    assert names == ("Sheet1", "Sheet Number 2")
    assert grids[0].rows[:2] == [["test", "", 1.0], ["test 2", "", 2.0]]
    assert grids[1].rows[3][0] == date(1990, 1, 1)


def test_a_register_sheet_beside_pivot_tables_is_read() -> None:
    """Excel's pivot-table workbook (which openpyxl cannot load) reads its data sheet."""
    sheet = read_register(pivot_register(), "pivot.xlsx").sheets["Önskemål"]
    assert [(row.number, row.value("ID"), row.value("Rubrik")) for row in sheet.rows] == [
        (number, number - 1, "abcdefghij"[number - 2]) for number in range(2, 12)
    ]
    assert ("Category", "C1") in sheet.unknown


def test_content_far_out_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    """A value in XFD1048576 would make a grid of 17 billion cells: refused, at once."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1"]]})
    _with_cells(path, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    started = time.perf_counter()
    with pytest.raises(UnreadableFileError, match="Önskemål.*kolumn XFD och rad 1048576"):
        read_register(path.read_bytes(), path.name)
    assert time.perf_counter() - started < 1.0


def test_content_far_out_in_cells_without_addresses_is_refused(tmp_path: Path) -> None:
    """Rows and cells written without r="…" follow the one before; the walk finds the extent."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1"]]})
    _with_cells(path, b'<row r="1048570"><c><v>1</v></c></row><row><c/><c>' + b"<v>2</v></c></row>")
    rewrite_member(path, SHEET, lambda xml: xml.replace(b'<c r="D1"', b'<c r="AZ1"'))
    with pytest.raises(UnreadableFileError, match="kolumn AZ och rad 1048571"):
        read_register(path.read_bytes(), path.name)


def test_a_far_column_within_the_limit_is_read(tmp_path: Path) -> None:
    """A note in column AZ on a 1,000-row sheet is an unknown header, not a refusal."""
    rows = [[*WISH_HEADER, *[None] * 47, "Anteckning"]] + [[f"W{n}", "R"] for n in range(1000)]
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": rows})
    sheet = read_register(path.read_bytes(), path.name).sheets["Önskemål"]
    assert sheet.unknown == (("Anteckning", "AZ1"),)
    assert len(sheet.rows) == 1000


@pytest.mark.parametrize("addressed", [True, False])
def test_excel_error_values_are_read_as_their_text(tmp_path: Path, addressed: bool) -> None:
    """An error cell (t="e"), computed by a formula or typed, reads as Excel shows it."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1", 3]]})

    def errors(xml: bytes) -> bytes:
        xml = xml.replace(b'<c r="C2" t="n"><v>3</v></c>', b'<c r="C2" t="e"><v>#N/A</v></c>')
        xml = xml.replace(
            b"</row></sheetData>",
            b'<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row></sheetData>',
        )
        return xml if addressed else re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml)

    rewrite_member(path, SHEET, errors)
    row = read_register(path.read_bytes(), path.name).sheets["Önskemål"].rows[0]
    assert (row.value("ID"), row.value("Antal kommuner"), row.value("Beskrivning")) == (
        "W1",
        "#N/A",
        "#DIV/0!",
    )
    assert not row.cells["Beskrivning"].uncomputed_formula


def test_text_that_reads_like_an_escape_is_kept_as_written() -> None:
    """Excel saves typed "_x000D_" as _x005F_x000D_; it reads back as typed, not as a CR."""
    data = workbook_bytes({"Önskemål": [WISH_HEADER, ["W1", "a_x005F_x000D_b"]]})
    sheet = read_register(data, "r.xlsx").sheets["Önskemål"]
    assert sheet.rows[0].value("Rubrik") == "a_x000D_b"
