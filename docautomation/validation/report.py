"""The Valideringsrapport: where it goes, writing it safely, removing a stale one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import FileHeldError, OutboxError
from ..fileio import (
    REPORT_NAME,
    new_version_name,
    remove_partials,
    swedish_reason,
    write_atomically,
)
from ..models import Problem

ERROR_FILL = "FFFFC7CE"  # Excel's "light red fill" for bad values
WARNING_FILL = "FFFFEB9C"  # Excel's "yellow fill" for neutral values
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|#%\x00-\x1f]')
# The register's name in a report's name is cut here: "Valideringsrapport <name> (ny version)"
# and the temporary name around it must stay within the 255 bytes file systems allow.
_LONGEST_STEM = 100


def report_path(outbox: Path, year: int | None, source_name: str) -> Path:
    """Where the Valideringsrapport for a register goes.

    Args:
        outbox: The outbox folder.
        year: The register's Verksamhetsår, or None when it could not be read.
        source_name: The register's file name (e.g. "Register 2021.xlsx").

    Returns:
        outbox/<år>/Valideringsrapport.xlsx, or outbox/Valideringsrapport <file name>.xlsx
        when the year is unknown.
    """
    if year is not None:
        return outbox / str(year) / f"{REPORT_NAME}.xlsx"
    stem = _safe_name(Path(source_name).stem) or "register"
    return outbox / f"{REPORT_NAME} {stem}.xlsx"


def remove_stale_report(report: Path) -> tuple[Path, ...]:
    """Remove a Valideringsrapport (and its "(ny version)" sibling) after a clean build.

    A report that cannot be removed (open in Excel) is left in place rather than failing the
    build; it is then simply not in the returned tuple.

    Returns:
        The files actually removed.
    """
    removed: list[Path] = []
    for path in (report, _beside(report)):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:  # open in Excel (Windows), or a read-only share: a warning, not a failure
            continue
        removed.append(path)
    return tuple(removed)


def remove_stale_reports(
    outbox: Path, year: int | None, source_name: str, problems: Sequence[Problem]
) -> tuple[Path, ...]:
    """Remove the Valideringsrapports a build of the register makes stale; returns those removed.

    The one written beside the outbox while the year could not be read is stale as soon as the
    year reads, whatever else the register holds; the year's own is stale once the register has
    no problems left (`problems` empty).
    """
    if year is None:
        return ()
    stale = [report_path(outbox, None, source_name)]
    if not problems:
        stale.insert(0, report_path(outbox, year, source_name))
    return tuple(path for report in stale for path in remove_stale_report(report))


def write_validation_report(data: bytes, problems: Sequence[Problem], destination: Path) -> Path:
    """Write the Valideringsrapport: the register's copy, marked up, with a first sheet "Fel".

    The register itself is never touched: the copy is made from `data` in memory. The file is
    written atomically; when `destination` is locked (open in Excel on Windows) the report is
    written beside it as "Valideringsrapport (ny version).xlsx".

    Args:
        data: The register's bytes, exactly as read.
        problems: The problems to show, in the order to list them.
        destination: Where the report goes (see `report_path`).

    Returns:
        The path actually written.

    Raises:
        UnreadableFileError: `data` is not a zip archive at all.
    """
    from .markup import marked_copy  # openpyxl: imported only when a report is written

    return _write_atomically(marked_copy(data, problems, destination), destination)


def _write_atomically(content: bytes, destination: Path) -> Path:
    """Write the report; beside it when Excel holds it open (Windows refuses the replace).

    Raises:
        OutboxError: both names are held open, or the folder cannot be written (disk full,
            permissions): one clear line for the build, never a traceback.
    """
    remove_partials(destination.parent, (destination.name, _beside(destination).name))
    try:
        write_atomically(destination, content)
        return destination
    except FileHeldError:  # locked by Excel (Windows): keep the board's open copy
        beside = _beside(destination)
    except OSError as exc:
        raise _unwritable(destination, exc) from exc
    try:
        write_atomically(beside, content)
    except FileHeldError as exc:
        raise OutboxError(
            f'"{destination.name}" och "{beside.name}" i {destination.parent} är båda öppna '
            "(i Excel?); stäng dem, så skrivs Valideringsrapporten vid nästa bygge."
        ) from exc
    except OSError as exc:
        raise _unwritable(beside, exc) from exc
    return beside


def _unwritable(path: Path, exc: OSError) -> OutboxError:
    return OutboxError(f'Kunde inte skriva "{path}": {swedish_reason(exc)}.')


def _beside(path: Path) -> Path:
    return path.with_name(new_version_name(path.name))


def _safe_name(name: str) -> str:
    return _UNSAFE_NAME.sub("_", name)[:_LONGEST_STEM].strip(" .")
