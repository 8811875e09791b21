"""Swedish dates, times and counts for documents, and file names Windows and SharePoint accept."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, time

from .. import swedish
from ..models import Meeting
from ..text import printable

EN_DASH = "\u2013"

# Characters Windows or SharePoint refuse in a file or folder name, plus controls.
_REFUSED = re.compile(r'[\\/:*?"<>|#%\x00-\x1f\x7f]')
_EDGE = re.compile(r"^[. ]+|[. ]+$")
# Longest name taken from the register: a file name's part must fit Windows' 255 characters
# (and SharePoint's 400 for the whole path) with the rest of the name around it.
MAX_NAME = 100
# Device names Windows reserves whatever the extension ("CON.docx" cannot be created).
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}


def long_date(d: date) -> str:
    """Weekday and date for running text: date(2021, 2, 9) → "tisdag 9 februari 2021"."""
    return swedish.long_date(d)


def text_date(d: date) -> str:
    """Date for running text without weekday: date(2021, 3, 15) → "15 mars 2021"."""
    return swedish.text_date(d)


def iso_date(d: date) -> str:
    """Date for tables and file names: "2021-03-15"."""
    return d.isoformat()


def text_time(t: time) -> str:
    """Time for running text, no leading zero on the hour: time(9, 30) → "9.30"."""
    return f"{t.hour}.{t.minute:02d}"


def time_range(start: time, end: time | None = None) -> str:
    """Time span for running text: "kl. 9.30–11.00" (en dash), or "kl. 13.00" without an end."""
    if end is None:
        return f"kl. {text_time(start)}"
    return f"kl. {text_time(start)}{EN_DASH}{text_time(end)}"


def counted(number: int, one: str, many: str) -> str:
    """A number with its noun in the right form: counted(1, "möte", "möten") → "1 möte"."""
    return f"{number} {one if number == 1 else many}"


def safe_filename(name: str, replacement: str = "_") -> str:
    """Make `name` usable as one file or folder name on Windows and in SharePoint.

    Characters those refuse (\\ / : * ? " < > | # % and control characters) and leading or
    trailing dots and spaces are replaced by `replacement`, so a name taken from the register
    never leaves its folder. A Windows device name (CON, NUL, COM1 …) gets the replacement
    after its stem; an empty name becomes the replacement; a name longer than MAX_NAME
    characters is cut there (no file system takes a name of any length). The name is
    NFC-normalised so "å" typed on a Mac and on Windows gives the same file.

    Args:
        name: the name as written, e.g. a Leverantör from the register.
        replacement: what each refused character becomes.

    Returns:
        The cleaned name; unchanged when it was already acceptable.
    """
    cleaned = _REFUSED.sub(replacement, unicodedata.normalize("NFC", printable(name)))[:MAX_NAME]
    cleaned = _EDGE.sub(lambda m: replacement * len(m.group(0)), cleaned)
    if not cleaned:
        return replacement
    stem, dot, rest = cleaned.partition(".")
    if stem.upper() in _RESERVED:
        cleaned = f"{stem}{replacement}{dot}{rest}"
    return cleaned


def kallelse_names(meetings: Sequence[Meeting]) -> list[tuple[Meeting, str]]:
    """Each dated, typed meeting with the file stem its kallelse and .ics share.

    "<YYYY-MM-DD> <Mötestyp>"; names stay unique compared as Windows does (ignoring case): a
    later meeting with the same date and type gets its ID appended, or " (2)", " (3)" …
    without one. Meetings without a date or type (validation errors) get no kallelse.
    The kallelse .docx and its .ics both take their names from here.
    """
    used: set[str] = set()
    named: list[tuple[Meeting, str]] = []
    for meeting in meetings:
        if meeting.date is None or meeting.type is None:
            continue
        base = f"{meeting.date.isoformat()} {safe_filename(meeting.type.value)}"
        stem = base
        if stem.casefold() in used and meeting.id.strip():
            stem = f"{base} {safe_filename(meeting.id.strip())}"
        counter = 2
        while stem.casefold() in used:
            stem, counter = f"{base} ({counter})", counter + 1
        used.add(stem.casefold())
        named.append((meeting, stem))
    return named
