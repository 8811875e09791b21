"""Tests for filecheck: what must be true of a register's bytes before openpyxl parses them."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import openpyxl.xml
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docautomation.config import Limits
from docautomation.errors import ConfigError, UnreadableFileError
from docautomation.register.files import (
    check_workbook_bytes,
    probe_workbook_bytes,
    read_workbook_file,
    require_defused_xml,
)
from tests.support.registers import write_workbook

LIMITS = Limits()
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _workbook_bytes(tmp_path: Path, name: str = "Register.xlsx") -> bytes:
    path = write_workbook(tmp_path / name, {"Önskemål": [["ID", "Rubrik"], ["W1", "Första"]]})
    return path.read_bytes()


def _ole(*streams: str) -> bytes:
    """An OLE compound file header followed by directory entries naming `streams`."""
    entries = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + b"\0" * 64 for name in streams)
    return OLE_MAGIC + b"\0" * 504 + entries


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _make_workbook() -> bytes:
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["ID", "Rubrik"])
    wb.save(buffer)
    return buffer.getvalue()


_WORKBOOK = _make_workbook()


def _reason(data: bytes, name: str = "Register.xlsx", limits: Limits = LIMITS) -> str:
    reason = probe_workbook_bytes(data, name, limits)
    assert reason is not None
    assert "\n" not in reason
    return reason


# -- accepted files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Register.xlsx", "Register.xlsm", "REGISTER.XLSX"])
def test_a_real_workbook_passes(tmp_path: Path, name: str) -> None:
    """A workbook written by openpyxl passes under the .xlsx and .xlsm names, any case."""
    assert probe_workbook_bytes(_workbook_bytes(tmp_path), name, LIMITS) is None


def test_read_workbook_file_returns_the_bytes(tmp_path: Path) -> None:
    """read_workbook_file hands back exactly the file's bytes after checking them."""
    path = write_workbook(tmp_path / "Register.xlsx", {"Möten": [["Datum", "Start"]]})
    assert read_workbook_file(path, LIMITS) == path.read_bytes()


# -- refused by signature or content ----------------------------------------------------------


def test_empty_file_is_refused() -> None:
    """A 0-byte file (Excel or a sync client still writing) gets the 'empty' message."""
    assert "tom (0 byte)" in _reason(b"")


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """A file over max_file_mb is refused and the message names the limit."""
    reason = _reason(_workbook_bytes(tmp_path), limits=Limits(max_file_mb=0.001))
    assert "större än gränsen 0.001 MB" in reason


def test_old_xls_is_refused_by_name() -> None:
    """An OLE file named .xls is the old format and the message says how to save as .xlsx."""
    reason = _reason(OLE_MAGIC + b"\0" * 600, "Register.xls")
    assert "gamla .xls-formatet" in reason and "Spara som" in reason


def test_old_xls_renamed_xlsx_is_recognised_by_content() -> None:
    """An OLE file with a Workbook stream is an old .xls even when it is named .xlsx."""
    assert "gamla .xls-formatet" in _reason(_ole("Root Entry", "Workbook"), "Register.xlsx")


@pytest.mark.parametrize("name", ["Register.xlsx", "Register.xlsm"])
def test_encrypted_workbook_is_refused_with_how_to_remove_the_password(name: str) -> None:
    """Office's encrypted wrapper (OLE with EncryptionInfo) says how to remove the password."""
    reason = _reason(_ole("Root Entry", "EncryptionInfo", "EncryptedPackage"), name)
    assert "lösenordsskyddad" in reason and "Kryptera med lösenord" in reason


def test_bare_ole_named_xlsx_is_taken_as_password_protected() -> None:
    """An OLE file under an .xlsx name without other clues is reported as password-protected."""
    assert "lösenordsskyddad" in _reason(OLE_MAGIC + b"\0" * 600, "Register.xlsx")


def test_encrypted_file_is_recognised_even_when_named_xls() -> None:
    """EncryptionInfo wins over the .xls name: the remedy is removing the password."""
    assert "lösenordsskyddad" in _reason(_ole("EncryptionInfo"), "Register.xls")


def test_ods_is_refused() -> None:
    """An OpenDocument spreadsheet (zip with its mimetype member) gets the .ods message."""
    data = _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>",
        },
        zipfile.ZIP_STORED,
    )
    assert "OpenDocument-kalkylblad (.ods)" in _reason(data, "Register.ods")


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        ("ID;Rubrik\nW1;Första önskemålet\n".encode(), "Register.csv", "CSV-fil"),
        ("ID;Rubrik\r\nW1;Första önskemålet\r\n".encode("cp1252"), "Register.csv", "CSV-fil"),
        ("ID\tRubrik\nW1\tFörsta\n".encode("utf-16"), "Register.txt", "textfil (CSV?)"),
        ("ID,Rubrik\nW1,Första\n".encode("utf-8-sig"), "Register.xlsx", "textfil (CSV?)"),
    ],
)
def test_text_files_are_refused_as_csv(data: bytes, name: str, expected: str) -> None:
    """CSV or other text (UTF-8, Windows-1252, UTF-16) is named as such, also under .xlsx."""
    reason = _reason(data, name)
    assert expected in reason and "Excel-arbetsbok (*.xlsx)" in reason


def test_truncated_workbook_is_refused_as_incomplete(tmp_path: Path) -> None:
    """A half-copied file (no central directory yet) is reported as broken or incomplete."""
    data = _workbook_bytes(tmp_path)
    assert "trasig eller ofullständig" in _reason(data[: len(data) // 2])


def test_torn_member_fails_the_crc_check(tmp_path: Path) -> None:
    """A member whose bytes changed after zipping is caught by its CRC and named."""
    with zipfile.ZipFile(io.BytesIO(_workbook_bytes(tmp_path))) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    data = bytearray(_zip(members, zipfile.ZIP_STORED))
    at = bytes(data).index(b"<sheetData>") + 3
    data[at] = ord("X")
    reason = _reason(bytes(data))
    assert "kontrollsumma" in reason and "xl/worksheets/sheet1.xml" in reason


def test_word_document_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    """A real .docx renamed to .xlsx is reported as a Word document."""
    document = docx.Document()
    document.add_paragraph("Verksamhetsplan")
    buffer = io.BytesIO()
    document.save(buffer)
    assert "Word-dokument (.docx)" in _reason(buffer.getvalue())


def test_zip_without_workbook_is_refused() -> None:
    """A zip that holds no workbook part is not taken for a register."""
    assert "ingen Excel-arbetsbok" in _reason(_zip({"notes.txt": b"hej"}))


def test_xlsb_is_refused() -> None:
    """A binary workbook (.xlsb) gets its own message."""
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0\1"})
    assert ".xlsb" in _reason(data, "Register.xlsb")


@pytest.mark.parametrize("name", ["Register.xls", "Register.csv", "Register.xlsb", "Register"])
def test_real_workbook_under_a_wrong_name_asks_for_the_xlsx_suffix(
    tmp_path: Path, name: str
) -> None:
    """A genuine .xlsx named .xls/.csv/.xlsb/no suffix is refused with 'rename to .xlsx'."""
    assert "Byt filändelsen till .xlsx" in _reason(_workbook_bytes(tmp_path), name)


# -- zip bombs and hostile archives -----------------------------------------------------------


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """Patch the declared uncompressed size of `member` in both zip headers."""
    out = bytearray(data)
    encoded = member.encode()
    for signature, offset, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        start = 0
        while (start := bytes(out).find(signature, start)) >= 0:
            if bytes(out[start + name_at : start + name_at + len(encoded)]) == encoded:
                out[start + offset : start + offset + 4] = struct.pack("<I", size)
            start += 4
    return bytes(out)


def test_declared_huge_unpacked_size_is_refused_quickly(tmp_path: Path) -> None:
    """A part declaring ~4 GB unpacked is refused from the central directory in well under 1 s."""
    data = _declare_size(_workbook_bytes(tmp_path), "xl/worksheets/sheet1.xml", 0xFFFF0000)
    started = time.perf_counter()
    reason = _reason(data)
    assert time.perf_counter() - started < 1.0
    assert "packas upp till" in reason and "zip-bomb" in reason


def test_absurd_compression_ratio_is_refused_quickly() -> None:
    """A 64 MB part of zeros compressed ~1000:1 is refused without decompressing it."""
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": bytes(64 * 2**20)})
    started = time.perf_counter()
    reason = _reason(data)
    assert time.perf_counter() - started < 1.0
    assert "200:1" in reason and "xl/worksheets/sheet1.xml" in reason


def test_too_many_parts_is_refused() -> None:
    """More than max_parts members (default 10,000) is refused before anything is read."""
    members = {f"xl/part{i}.xml": b"" for i in range(10_001)}
    assert "10001 delar, fler än gränsen 10000" in _reason(_zip(members, zipfile.ZIP_STORED))


def test_part_limit_is_configurable(tmp_path: Path) -> None:
    """Limits.max_parts applies: an ordinary workbook exceeds a limit of 3 parts."""
    assert "fler än gränsen 3" in _reason(_workbook_bytes(tmp_path), limits=Limits(max_parts=3))


@pytest.mark.parametrize(
    "member", ["../evil.xml", "xl/../../evil.xml", "/etc/evil.xml", "C:/evil.xml"]
)
def test_unsafe_member_paths_are_refused(member: str) -> None:
    """Members with '..' or absolute paths are refused by name."""
    data = _zip({"[Content_Types].xml": b"<Types/>", member: b"x"})
    assert "otillåten sökväg" in _reason(data)


# -- reading the file ---------------------------------------------------------------------------


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    """A file that is gone raises UnreadableFileError naming the file."""
    with pytest.raises(UnreadableFileError, match=r"Register\.xlsx: Filen finns inte"):
        read_workbook_file(tmp_path / "Register.xlsx", LIMITS)


def test_directory_is_unreadable(tmp_path: Path) -> None:
    """A folder named like a register is refused with a clear reason."""
    folder = tmp_path / "Register.xlsx"
    folder.mkdir()
    with pytest.raises(UnreadableFileError) as info:
        read_workbook_file(folder, LIMITS)
    assert info.value.path == folder


def test_permission_denied_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file another program locks (PermissionError) gets the lock/permission message."""
    path = write_workbook(tmp_path / "Register.xlsx", {"Möten": [["Datum"]]})

    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(UnreadableFileError, match="behörighet saknas"):
        read_workbook_file(path, LIMITS)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs an endless file")
def test_an_endless_device_is_refused_before_reading() -> None:
    """/dev/zero (an endless file) is a device, not a register: refused before any read."""
    with pytest.raises(UnreadableFileError, match="ingen vanlig fil"):
        read_workbook_file(Path("/dev/zero"), Limits(max_file_mb=1))


def test_check_raises_with_the_probe_reason(tmp_path: Path) -> None:
    """check_workbook_bytes raises UnreadableFileError carrying the name and probe's reason."""
    with pytest.raises(UnreadableFileError) as info:
        check_workbook_bytes(b"", "Register.xlsx", LIMITS)
    assert info.value.path.name == "Register.xlsx"
    assert info.value.reason == probe_workbook_bytes(b"", "Register.xlsx", LIMITS)
    assert str(info.value).startswith("Register.xlsx: Filen är tom")


def test_openpyxl_without_defusedxml_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """If openpyxl would parse XML without defusedxml, reading stops with a ConfigError."""
    require_defused_xml()
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(ConfigError, match="defusedxml"):
        require_defused_xml()


# -- invariants ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=2000).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=2000).map(lambda tail: OLE_MAGIC + tail),
    ),
    name=st.sampled_from(["Register.xlsx", "r.xls", "r.csv", "r.ods", "r", "r.XLSM"]),
)
def test_arbitrary_bytes_give_a_reason_or_unreadable(data: bytes, name: str) -> None:
    """Whatever the bytes, probing gives a one-line reason and checking raises nothing else."""
    reason = probe_workbook_bytes(data, name, LIMITS)
    assert reason is not None and "\n" not in reason
    with pytest.raises(UnreadableFileError):
        check_workbook_bytes(data, name, LIMITS)


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=100), flip=st.integers(min_value=0))
def test_damaged_workbook_bytes_never_crash_the_probe(cut: int, flip: int) -> None:
    """Truncating or flipping a byte of a real workbook yields None or a reason, never a crash."""
    data = bytearray(_WORKBOOK[: max(1, len(_WORKBOOK) * (100 - cut) // 100)])
    data[flip % len(data)] ^= 0xFF
    reason = probe_workbook_bytes(bytes(data), "Register.xlsx", LIMITS)
    assert reason is None or "\n" not in reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.timeout(10)
def test_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    """A pipe under a register's name is no file: refused at once (opening it for reading
    would otherwise wait for a writer forever)."""
    pipe = tmp_path / "Register 2021.xlsx"
    os.mkfifo(pipe)
    with pytest.raises(UnreadableFileError, match="ingen vanlig fil") as caught:
        read_workbook_file(pipe, LIMITS)
    assert caught.value.exit_code == 3
