"""Tests for the expansion limits: shared strings times their references, and a sheet's extent."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from docautomation.config import Limits
from docautomation.register.files import probe_workbook_bytes
from docautomation.register.workbook import read_register
from tests.conftest import EXAMPLE_REGISTER
from tests.support.hostile import amplifying_workbook, far_cell_workbook
from tests.support.registers import rewrite_member

LIMITS = Limits()


def test_one_long_string_referenced_from_many_cells_is_refused_before_parsing(
    tmp_path: Path,
) -> None:
    """12,000 cells × one 1 MB shared string (a 0.3 MB file) counts as 12 GB: exit-3 reason."""
    path = amplifying_workbook(EXAMPLE_REGISTER, tmp_path / "Register.xlsx")
    assert path.stat().st_size < 1_000_000
    reason = probe_workbook_bytes(path.read_bytes(), path.name, LIMITS)
    assert reason is not None
    assert re.search(r"packas upp till 1\d \d{3} MB text", reason), reason
    assert "gränsen 250 MB" in reason


def test_references_within_the_limit_are_read(tmp_path: Path) -> None:
    """200 cells × one 10 kB string is an ordinary register: accepted and read."""
    path = amplifying_workbook(
        EXAMPLE_REGISTER, tmp_path / "Register.xlsx", references=200, string_bytes=10_000
    )
    data = path.read_bytes()
    assert probe_workbook_bytes(data, path.name, LIMITS) is None
    wishes = read_register(data, path.name).sheets["Önskemål"].rows
    assert len(wishes[-1].cells["Kategori"].value or "") == 10_000


def test_the_limit_counts_against_max_unpacked_mb(tmp_path: Path) -> None:
    """Raising max_unpacked_mb lets a genuinely large register through."""
    path = amplifying_workbook(
        EXAMPLE_REGISTER, tmp_path / "Register.xlsx", references=3_000, string_bytes=100_000
    )
    data = path.read_bytes()
    assert "gränsen 250 MB" in (probe_workbook_bytes(data, path.name, LIMITS) or "")
    assert probe_workbook_bytes(data, path.name, Limits(max_unpacked_mb=400)) is None


def test_a_prefixed_single_quoted_layout_is_counted_too(tmp_path: Path) -> None:
    """<x:c … t='s'><x:v> (a namespace prefix, single quotes) does not slip past the count."""
    path = amplifying_workbook(EXAMPLE_REGISTER, tmp_path / "Register.xlsx")

    def disguise(xml: bytes) -> bytes:
        xml = xml.replace(
            b"<worksheet ",
            b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            1,
        )
        return re.sub(
            rb'<c r="(F\d+)" t="s"><v>0</v></c>', rb"<x:c r='\1' t = 's'><x:v>0</x:v></x:c>", xml
        )

    rewrite_member(path, "xl/worksheets/sheet6.xml", disguise)
    assert "packas upp till" in (probe_workbook_bytes(path.read_bytes(), path.name, LIMITS) or "")


@pytest.mark.parametrize(
    ("cell", "corner"),
    [("XFD1048576", "XFD1048576"), ("A1048576", "O1048576"), ("ZZ200000", "ZZ200000")],
)
def test_a_value_in_a_far_cell_is_refused_naming_sheet_and_corner(
    tmp_path: Path, cell: str, corner: str
) -> None:
    """One value far out makes a grid reader allocate everything up to it: refused, with the
    sheet and the grid's far corner (the sheet has values up to column O) named."""
    path = far_cell_workbook(EXAMPLE_REGISTER, tmp_path / "Register.xlsx", cell)
    reason = probe_workbook_bytes(path.read_bytes(), path.name, LIMITS) or ""
    assert f'Bladet "Önskemål" sträcker sig ända till cell {corner}' in reason
    assert "gränsen 5 000 000" in reason


def test_an_empty_formatted_far_cell_is_no_value(tmp_path: Path) -> None:
    """Formatting far out (a self-closing styled cell) is no value: the register is read."""
    path = far_cell_workbook(EXAMPLE_REGISTER, tmp_path / "Register.xlsx")
    rewrite_member(
        path,
        "xl/worksheets/sheet6.xml",
        lambda xml: xml.replace(
            b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', b'<c r="XFD1048576" s="1"/>'
        ),
    )
    assert probe_workbook_bytes(path.read_bytes(), path.name, LIMITS) is None


def test_a_far_address_in_text_is_not_mistaken_for_a_cell(tmp_path: Path) -> None:
    """Text that looks like an address (r="XFD1048576") only sends the sheet to the exact count."""
    path = far_cell_workbook(EXAMPLE_REGISTER, tmp_path / "Register.xlsx", "C30")
    rewrite_member(
        path,
        "xl/worksheets/sheet6.xml",
        lambda xml: xml.replace(b"<t>x</t>", b'<t>r="XFD1048576"</t>'),
    )
    with zipfile.ZipFile(path) as package:
        assert b'r="XFD1048576"' in package.read("xl/worksheets/sheet6.xml")
    assert probe_workbook_bytes(path.read_bytes(), path.name, LIMITS) is None


def test_an_empty_shared_strings_part_is_no_expansion(tmp_path: Path) -> None:
    """A shared-strings part without a single string (Excel writes one for an empty sheet)."""
    path = amplifying_workbook(EXAMPLE_REGISTER, tmp_path / "Register.xlsx", references=0)
    rewrite_member(path, "xl/sharedStrings.xml", lambda xml: re.sub(rb"<si>.*</si>", b"", xml))
    assert probe_workbook_bytes(path.read_bytes(), path.name, LIMITS) is None
