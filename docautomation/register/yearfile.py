"""A new year's register beside the others: its name, the checks before it, writing it once."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..config import Limits
from ..errors import ConfigError, DocAutomationError
from .association import read_association
from .files import read_workbook_file
from .workbook import read_register


def register_name(year: int) -> str:
    """The file name a year's register gets: "Register 2022.xlsx"."""
    return f"Register {year}.xlsx"


def year_of(path: Path, limits: Limits) -> int | None:
    """The Verksamhetsår a register file names; None when it names none or cannot be read."""
    try:
        raw = read_register(read_workbook_file(path, limits), path.name, limits=limits)
    except DocAutomationError:
        return None
    return read_association(raw.sheets.get("Förening"), []).year


def free_target(folder: Path, year: int, limits: Limits) -> Path:
    """Where a new register for `year` goes in `folder`, after checking nothing is in the way.

    Raises:
        ConfigError: the file exists, or another register in the folder is already for `year`
            (two registers for one year would stop every build of it).
    """
    from ..build import find_registers  # which files count as registers is the build's rule

    target = folder / register_name(year)
    if target.exists():
        raise _taken(target)
    for other in find_registers(folder):
        if year_of(other, limits) == year:
            raise ConfigError(
                f'"{other}" är redan registret för {year}; ett andra register för samma år '
                "skulle stoppa bygget. Inget skrevs."
            )
    return target


def without_year(folder: Path, limits: Limits) -> list[Path]:
    """Registers in `folder` that name no Verksamhetsår, such as the empty one `init` writes."""
    from ..build import find_registers

    return [path for path in find_registers(folder) if year_of(path, limits) is None]


def write_new(target: Path, data: bytes) -> None:
    """Write `target` whole, never over an existing file (not even one that just appeared).

    The bytes go to a hidden temp file first and are linked into place, which fails if the
    name is taken; where the file system has no links, an existence check has to do.

    Raises:
        ConfigError: `target` exists, or the folder cannot be written.
    """
    temp = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _link_into_place(temp, target)
    except OSError as exc:
        raise ConfigError(f"Kan inte skriva {target}: {exc.strerror or exc}.") from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)


def _link_into_place(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        raise _taken(target) from None
    except OSError:  # no hard links here (some network shares, FAT)
        if target.exists():
            raise _taken(target) from None
        os.replace(temp, target)


def _taken(target: Path) -> ConfigError:
    return ConfigError(f'"{target}" finns redan och skrivs inte över. Inget skrevs.')
