"""File safety: everything that must hold before a register's bytes are parsed."""

from __future__ import annotations

import os
import stat
import sys
import zipfile
import zlib
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..config import Limits
from ..errors import ConfigError, UnreadableFileError
from ..fileio import REPORT_NAME, swedish_reason
from .expansion import expansion_reason

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm")

_MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_RATIO_MIN_SIZE = 1 * _MB  # small parts may compress absurdly well (empty sheets)
_MAX_RATIO = 200
_MAX_CONTENT_TYPES = 5 * _MB
_WORKBOOK_TYPES = (
    b"spreadsheetml.sheet.main+xml",
    b"ms-excel.sheet.macroEnabled.main+xml",
    b"spreadsheetml.template.main+xml",
    b"ms-excel.template.macroEnabled.main+xml",
)
_SAVE_AS = 'Öppna den i Excel och välj Arkiv › Spara som › "Excel-arbetsbok (*.xlsx)".'
_ENCRYPTED = (
    "Filen är lösenordsskyddad (krypterad) och kan inte läsas. Ta bort lösenordet i Excel: "
    "Arkiv › Info › Skydda arbetsbok › Kryptera med lösenord, töm fältet och spara."
)
_NOT_A_FILE = (
    "Det här är ingen vanlig fil (utan en namngiven pipe, en enhet eller liknande) och den "
    "läses inte. Ange registrets .xlsx-fil."
)
_SUFFIX_NAMES = {
    ".xls": "det gamla .xls-formatet",
    ".xlsb": "binärt Excel-format (.xlsb)",
    ".ods": "OpenDocument-format (.ods)",
    ".csv": "en CSV-fil (.csv)",
}


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SPREADSHEETS = (".xls", ".xlsb", ".ods")  # a register saved in the wrong format: say so
# Office owner files (~$…) and hidden files (.…, also our own ".x.partial") are never registers;
# Excel's temporary names (~ABCD.tmp, 8 hex digits) fail the suffix test. "~Register.xlsx" is
# an ordinary name a person may choose, so only "~$" is excluded. build and watch share this.
_NOT_REGISTERS = ("~$", ".")


def is_register_name(name: str) -> bool:
    """True for a file to build: *.xlsx/*.xlsm, not an owner, lock, temp or hidden file, and
    not a Valideringsrapport (an output, which the inbox holds when it is also the outbox)."""
    return not name.startswith((*_NOT_REGISTERS, REPORT_NAME)) and name.lower().endswith(
        WORKBOOK_SUFFIXES
    )


def is_other_spreadsheet(name: str) -> bool:
    """True for a spreadsheet in a format that is not read (.xls, .xlsb, .ods)."""
    return not name.startswith(_NOT_REGISTERS) and name.lower().endswith(OTHER_SPREADSHEETS)


def find_registers(folder: Path) -> list[Path]:
    """Every register in a folder, by name (see is_register_name), in name order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if is_register_name(p.name) and p.is_file())


def require_defused_xml() -> None:
    """Refuse to parse workbooks when openpyxl would read XML without defusedxml's guards.

    Raises:
        ConfigError: defusedxml is missing or disabled with OPENPYXL_DEFUSEDXML=False.
    """
    import openpyxl.xml  # only where openpyxl is used: importing it takes a tenth of a second

    if not openpyxl.xml.DEFUSEDXML:
        raise ConfigError(
            "openpyxl läser XML utan skydd mot XML-attacker: installera paketet defusedxml "
            "och ta bort miljövariabeln OPENPYXL_DEFUSEDXML=False."
        )


def read_workbook_file(path: Path, limits: Limits) -> bytes:
    """Read a register into memory with a capped read, close it at once and check the bytes.

    Args:
        path: the register file.
        limits: size limits.

    Returns:
        The file's bytes, checked by `check_workbook_bytes`.

    Raises:
        UnreadableFileError: missing, unreadable, or not a safe .xlsx/.xlsm workbook.
    """
    data = read_capped(path, limits)
    reason = probe_workbook_bytes(data, path.name, limits)
    if reason is not None:
        raise UnreadableFileError(path, reason)
    return data


def open_shared(path: Path) -> BinaryIO:
    """Open a file for reading without standing in the way of the program that owns it.

    Python's open() on Windows does not grant FILE_SHARE_DELETE, so while we read the
    register Excel cannot rename it away, and a save that lands during the read fails in
    Excel. CreateFileW with every share flag lets Excel go on; elsewhere open() already does.
    Elsewhere the file is opened without blocking: opening a named pipe waits for a writer,
    which would hang a build (or a watcher) on a pipe given a register's name.
    """
    if sys.platform != "win32":
        return os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb")
    import ctypes
    import msvcrt

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.restype = ctypes.c_void_p
    generic_read, share_all, open_existing, normal = 0x80000000, 0x7, 3, 0x80
    handle = kernel32.CreateFileW(
        str(path), generic_read, share_all, None, open_existing, normal, None
    )
    if handle in (None, ctypes.c_void_p(-1).value):
        error = ctypes.get_last_error()
        raise OSError(None, ctypes.FormatError(error), str(path), error)
    fd = msvcrt.open_osfhandle(handle, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    return os.fdopen(fd, "rb")


def read_capped(path: Path, limits: Limits) -> bytes:
    """The file's bytes, at most one byte over the size limit, the file closed at once.

    The handle is held for the read only: Excel on Windows cannot save while another program
    has the workbook open. Nothing about the content is checked here.

    Raises:
        UnreadableFileError: the file is missing, a folder, not a regular file (a pipe, a
            device), locked or unreadable.
    """
    try:
        with open_shared(path) as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise UnreadableFileError(path, _NOT_A_FILE)
            return fh.read(_max_bytes(limits) + 1)
    except FileNotFoundError as exc:
        raise UnreadableFileError(
            path, "Filen finns inte (den kan ha flyttats eller tagits bort)."
        ) from exc
    except IsADirectoryError as exc:
        raise UnreadableFileError(path, "Det här är en mapp, inte en Excel-fil.") from exc
    except PermissionError as exc:
        raise UnreadableFileError(
            path,
            "Filen kan inte öppnas: behörighet saknas eller ett annat program låser den. "
            "Stäng filen i Excel och kontrollera behörigheten.",
        ) from exc
    except OSError as exc:
        raise UnreadableFileError(path, f"Filen kan inte läsas ({swedish_reason(exc)}).") from exc


def check_workbook_bytes(data: bytes, name: str, limits: Limits) -> None:
    """Raise when the bytes are not a safe, complete .xlsx/.xlsm workbook.

    Raises:
        UnreadableFileError: with one Swedish line saying what was found and what to do.
    """
    reason = probe_workbook_bytes(data, name, limits)
    if reason is not None:
        raise UnreadableFileError(name, reason)


def check_zip_directory(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse zip bombs and unsafe paths from an open archive's central directory alone.

    The reader calls this too, so bytes that skipped `check_workbook_bytes` still cannot make
    it decompress gigabytes.

    Raises:
        UnreadableFileError: too many parts, too large unpacked, absurd ratio or unsafe path.
    """
    reason = _directory_reason(zf.infolist(), limits)
    if reason is not None:
        raise UnreadableFileError(name, reason)


def probe_workbook_bytes(data: bytes, name: str, limits: Limits) -> str | None:
    """Say why the bytes cannot be read as a register, or None when they can.

    Decided without parsing any XML: size, file signature, the zip's central directory
    (zip-bomb limits, unsafe paths, what kind of document it is) and the members' CRCs,
    so a half-written or torn file is refused as well as a wrong or hostile one.

    Args:
        data: the file's bytes.
        name: the file name (its suffix decides between e.g. .xls and .xlsx messages).
        limits: size limits.
    """
    if not data:
        return (
            "Filen är tom (0 byte). Håller den på att sparas eller synkas, vänta en stund; "
            "annars spara registret på nytt i Excel."
        )
    if len(data) > _max_bytes(limits):
        return (
            f"Filen är större än gränsen {limits.max_file_mb:g} MB. Ta bort onödigt innehåll "
            "(bilder, gamla blad) eller höj max_file_mb i docautomation.toml."
        )
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if data.startswith(_OLE_MAGIC):
        return _ole_reason(data, suffix)
    if not data.startswith(_ZIP_MAGICS):
        return _non_zip_reason(data, suffix)
    reason = _zip_reason(data, limits)
    if reason is None and suffix not in ACCEPTED_SUFFIXES:
        shown = suffix or "ingen filändelse"
        return (
            f"Filen är en Excel-arbetsbok men har filändelsen {shown}. "
            "Byt filändelsen till .xlsx (eller .xlsm för en arbetsbok med makron)."
        )
    return reason


def _max_bytes(limits: Limits) -> int:
    return int(limits.max_file_mb * _MB)


def _ole_reason(data: bytes, suffix: str) -> str:
    """An OLE compound file: an encrypted OOXML package, an old .xls, or another Office file."""
    if "EncryptionInfo".encode("utf-16-le") in data:
        return _ENCRYPTED
    if "WordDocument".encode("utf-16-le") in data:
        return "Filen är ett Word-dokument (.doc), inte en Excel-arbetsbok. Kontrollera att det är rätt fil."
    if (
        suffix == ".xls"
        or "Workbook".encode("utf-16-le") in data
        or "Book".encode("utf-16-le") in data
    ):
        return f"Filen är sparad i det gamla .xls-formatet. {_SAVE_AS}"
    if suffix in ACCEPTED_SUFFIXES:  # an OOXML name on an OLE file: Office's encrypted wrapper
        return _ENCRYPTED
    return f"Filen är en äldre Office-fil, inte en Excel-arbetsbok (.xlsx). {_SAVE_AS}"


def _non_zip_reason(data: bytes, suffix: str) -> str:
    """Not a zip at all: name what it looks like."""
    if data.startswith(b"%PDF"):
        return "Filen är en PDF, inte en Excel-arbetsbok. Spara registret som .xlsx."
    if _looks_like_text(data[:4096]):
        kind = "en CSV-fil" if suffix == ".csv" else "en textfil (CSV?)"
        return f"Filen är {kind}, inte en Excel-arbetsbok. {_SAVE_AS}"
    if suffix in _SUFFIX_NAMES and suffix != ".csv":
        return f"Filen är i {_SUFFIX_NAMES[suffix]}, som inte kan läsas. {_SAVE_AS}"
    return f"Filen är ingen Excel-arbetsbok (okänt format, eller så är den trasig). {_SAVE_AS}"


def _looks_like_text(head: bytes) -> bool:
    """True when the start of the file decodes as printable text (UTF-8, UTF-16 or Windows-1252)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut_character = exc.start >= len(head) - 3  # the 4 KiB window split a UTF-8 sequence
        text = (
            head[: exc.start].decode("utf-8") if cut_character else head.decode("cp1252", "replace")
        )
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * len(text)


def _zip_reason(data: bytes, limits: Limits) -> str | None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            infos = zf.infolist()
            reason = _directory_reason(infos, limits) or _kind_reason(zf, infos)
            return reason or _crc_reason(zf) or expansion_reason(zf, limits)
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
    ):
        # Whichever way walking the archive fails, the board's remedy is the same.
        return (
            "Filen är trasig eller ofullständig (zip-strukturen går inte att läsa). Håller den på "
            "att sparas eller kopieras, vänta en stund; annars öppna den i Excel och spara på nytt."
        )


def _directory_reason(infos: list[zipfile.ZipInfo], limits: Limits) -> str | None:
    """Zip-bomb and path checks from the central directory alone (nothing is decompressed)."""
    if len(infos) > limits.max_parts:
        return (
            f"Filen består av {len(infos)} delar, fler än gränsen {limits.max_parts}. "
            "Den liknar inte ett register; spara om den i Excel eller höj max_parts."
        )
    for info in infos:
        if _unsafe_member(info.filename):
            return f'Filen innehåller en otillåten sökväg ("{info.filename}") och läses inte.'
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked_mb * _MB:
        return (
            f"Filens delar packas upp till {unpacked / _MB:.0f} MB, mer än gränsen "
            f"{limits.max_unpacked_mb:g} MB (möjlig zip-bomb). Filen läses inte; "
            "höj max_unpacked_mb om registret verkligen är så stort."
        )
    for info in infos:
        if info.file_size > _RATIO_MIN_SIZE and info.file_size > _MAX_RATIO * info.compress_size:
            return (
                f'Delen "{info.filename}" är packad mer än {_MAX_RATIO}:1, vilket tyder på en '
                "zip-bomb. Filen läses inte."
            )
    return None


def _unsafe_member(filename: str) -> bool:
    name = filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in name.split("/")


def _kind_reason(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    """A zip that is not an Excel workbook: OpenDocument, .xlsb, Word, or something else."""
    names = {info.filename for info in infos}
    if "mimetype" in names:
        mimetype = zf.read("mimetype")[:100]
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return f"Filen är ett OpenDocument-kalkylblad (.ods). {_SAVE_AS}"
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            return "Filen är ett OpenDocument-dokument, inte en Excel-arbetsbok. Kontrollera att det är rätt fil."
    if "xl/workbook.bin" in names:
        return f"Filen är en binär Excel-arbetsbok (.xlsb), som inte kan läsas. {_SAVE_AS}"
    if "word/document.xml" in names:
        return "Filen är ett Word-dokument (.docx), inte en Excel-arbetsbok. Kontrollera att det är rätt fil."
    if "ppt/presentation.xml" in names:
        return "Filen är en PowerPoint-presentation, inte en Excel-arbetsbok. Kontrollera att det är rätt fil."
    if not _declares_workbook(zf, names):
        return (
            "Filen är ett zip-arkiv men ingen Excel-arbetsbok (arbetsboksdelen saknas). "
            "Kontrollera att det är rätt fil och spara registret som .xlsx."
        )
    return None


def _declares_workbook(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """True when [Content_Types].xml names a workbook part."""
    if "[Content_Types].xml" not in names:
        return False
    info = zf.getinfo("[Content_Types].xml")
    if info.file_size > _MAX_CONTENT_TYPES:
        return False
    types = zf.read(info)
    return any(kind in types for kind in _WORKBOOK_TYPES)


def _crc_reason(zf: zipfile.ZipFile) -> str | None:
    """Decompress every member and compare CRCs: a torn or partly overwritten file fails here."""
    try:
        bad = zf.testzip()
    except (RuntimeError, NotImplementedError):  # encrypted member / unknown compression
        return f"Filen använder kryptering eller komprimering som inte kan läsas. {_SAVE_AS}"
    if bad is None:
        return None
    return (
        f'Filen är trasig: delen "{bad}" stämmer inte med sin kontrollsumma. Håller den på att '
        "sparas eller kopieras, vänta en stund; annars öppna den i Excel och spara på nytt."
    )
