"""Hostile workbooks built from the shipped example at the XML level, as no spreadsheet app would."""

from __future__ import annotations

import contextlib
import random
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_WORDS = ("styrelse", "möte", "register", "förening", "kallelse", "önskemål", "kommun", "ärende")
_SHARED_STRINGS_RELATION = (
    '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml" Id="rIdStrings"/>'
)
_SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def _members(example: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(example) as package:
        return {name: package.read(name) for name in package.namelist()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return path


def _append_rows(sheet: bytes, rows: str) -> bytes:
    return sheet.replace(b"</sheetData>", rows.encode() + b"</sheetData>", 1)


def amplifying_workbook(
    example: Path, path: Path, *, references: int = 12_000, string_bytes: int = 1_000_000
) -> Path:
    """The example register with `references` wishes whose Kategori is one shared string of
    `string_bytes` words: a small file whose cells expand to references × string_bytes."""
    members = _members(example)
    words = random.Random(15)
    text = " ".join(words.choice(_WORDS) for _ in range(string_bytes // 4))[:string_bytes]
    members["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        f'uniqueCount="1"><si><t>{text}</t></si></sst>'
    ).encode()
    rels = "xl/_rels/workbook.xml.rels"
    members[rels] = members[rels].replace(
        b"</Relationships>", _SHARED_STRINGS_RELATION.encode() + b"</Relationships>"
    )
    types = "[Content_Types].xml"
    members[types] = members[types].replace(
        b"</Types>", _SHARED_STRINGS_TYPE.encode() + b"</Types>"
    )
    wishes = "xl/worksheets/sheet6.xml"  # the example's tabs are in the register's order: Önskemål is 6th
    first = 1 + max(int(n) for n in re.findall(rb'<row r="(\d+)"', members[wishes]))
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>X-{r}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>Önskemål {r}</t></is></c>'
        f'<c r="F{r}" t="s"><v>0</v></c></row>'
        for r in range(first, first + references)
    )
    members[wishes] = _append_rows(members[wishes], rows)
    return _write(path, members)


def far_cell_workbook(example: Path, path: Path, cell: str = "XFD1048576") -> Path:
    """The example register with one value in `cell` of its Önskemål sheet."""
    members = _members(example)
    wishes = "xl/worksheets/sheet6.xml"
    row = re.sub(r"[A-Z]", "", cell)
    members[wishes] = _append_rows(
        members[wishes], f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    return _write(path, members)


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[Path]:
    """`path` made immutable with chattr +i (even root cannot write it) for the block."""
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode:
        pytest.skip("chattr +i is not available here (needs CAP_LINUX_IMMUTABLE)")
    try:
        yield path
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)
