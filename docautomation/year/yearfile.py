"""A new year's register beside the others: its name, the checks before it, writing it once."""

from __future__ import annotations

from pathlib import Path

from .. import fileio
from ..config import Limits
from ..errors import ConfigError, DocAutomationError
from ..register.association import read_association
from ..register.files import find_registers, read_workbook_file
from ..register.workbook import read_register


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
    return [path for path in find_registers(folder) if year_of(path, limits) is None]


def write_new(target: Path, data: bytes) -> None:
    """Write `target` whole, never over an existing file (not even one that just appeared).

    Raises:
        ConfigError: `target` exists, or the folder cannot be written.
    """
    try:
        fileio.write_new(target, data)
    except FileExistsError:
        raise _taken(target) from None
    except OSError as exc:
        raise ConfigError(f"Kan inte skriva {target}: {exc.strerror or exc}.") from exc


def _taken(target: Path) -> ConfigError:
    return ConfigError(f'"{target}" finns redan och skrivs inte över. Inget skrevs.')
