"""The build: register file → read → validate → rank → render → outbox, one register at a time.

This module is the API the CLI, the watcher and the sync call: which registers to build, reading
and checking them, conflict copies; `assembly` writes one register's outputs under the lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .assembly import BuildOutcome, Loaded, Progress, Timings, assemble, parse, timed
from .config import Settings
from .errors import UnreadableFileError
from .models import Register, Report
from .outbox import buildrecord as lastbuild

# Only what an unchanged register needs is imported here; reading, validating and rendering
# pull in openpyxl, holidays, icalendar and docxtpl (most of the start-up time), so their
# modules are imported where they are used.
from .register import files as filecheck

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True, slots=True)
class BuildSummary:
    """All registers' outcomes; the highest exit code wins (SPEC §5)."""

    outcomes: tuple[BuildOutcome, ...] = ()
    message: str = ""

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.outcomes), default=0)


def find_registers(inbox: Path) -> list[Path]:
    """Every workbook in the inbox, skipping Office owner files (~$…) and hidden/temp files."""
    if not inbox.is_dir():
        return []
    return sorted(
        p
        for p in inbox.iterdir()
        if p.suffix.lower() in WORKBOOK_SUFFIXES
        and not p.name.startswith(("~", "."))
        and p.is_file()
    )


def build(
    registers: Sequence[Path] | None,
    settings: Settings,
    *,
    today: date | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> BuildSummary:
    """Build every given register (or every register in the inbox) into the outbox (SPEC §5).

    Two registers for the same Verksamhetsår are refused together, naming both files. A
    register whose bytes, templates and tool match its last successful build, and whose
    outputs are as that build left them, is not read again (lastbuild). `timings`, when
    given, receives the seconds spent per stage.
    """
    if not registers and not settings.inbox.is_dir():
        from .errors import ConfigError

        raise ConfigError(
            f"Inkorgen {settings.inbox} finns inte. Kör kommandot i arbetsmappen, ange "
            "inbox i docautomation.toml eller namnge registret på kommandoraden."
        )
    paths = list(registers) if registers else find_registers(settings.inbox)
    if not paths:
        return BuildSummary(message=f"Inga register (.xlsx, .xlsm) i {settings.inbox}.")
    if pdf:
        from .outbox.pdf import require_soffice

        require_soffice()
    loaded: list[Loaded] = []
    outcomes: list[BuildOutcome] = []
    inputs = lastbuild.inputs_digest(settings.templates, settings.limits)
    for path in paths:
        try:
            loaded.append(_load(path, settings, inputs=inputs, timings=timings))
        except UnreadableFileError as exc:
            outcomes.append(BuildOutcome(source=path, exit_code=exc.exit_code, message=str(exc)))
    for group in _by_year(loaded):
        outcomes += _build_year(group, settings, today or date.today(), pdf, progress, timings)
    return BuildSummary(outcomes=tuple(outcomes))


def build_file(
    path: Path,
    settings: Settings,
    *,
    today: date | None = None,
    data: bytes | None = None,
    timings: Timings | None = None,
) -> BuildOutcome:
    """Build one register; `data` lets the watcher pass the bytes it already read and checked."""
    try:
        inputs = lastbuild.inputs_digest(settings.templates, settings.limits)
        item = _load(path, settings, data, inputs=inputs, timings=timings)
    except UnreadableFileError as exc:
        return BuildOutcome(source=path, exit_code=exc.exit_code, message=str(exc))
    rivals = _same_year_beside(item, settings)
    if rivals:
        return _conflict([item, *rivals])[0]
    return assemble(item, settings, today or date.today(), False, None, timings)


def _same_year_beside(item: Loaded, settings: Settings) -> list[Loaded]:
    """Other registers in the same folder for the same year (a sync client's conflict copy).

    `build` sees every register at once; the watcher builds one file at a time, so it asks
    here. Folders normally hold one register, so this usually reads nothing.
    """
    if item.year is None:
        return []
    rivals = []
    for other in find_registers(item.path.parent):
        if other.resolve() == item.path.resolve():
            continue
        try:
            loaded = _load(other, settings, inputs=item.inputs)
        except UnreadableFileError:
            continue  # reported when that file itself is built
        if loaded.year == item.year:
            rivals.append(loaded)
    return rivals


def validate_file(path: Path, settings: Settings) -> Report:
    """Read and validate one register (for `docautomation validate` and `rank`)."""
    report = _load(path, settings).report
    assert report is not None  # without `inputs` nothing recorded is looked up
    return report


def check_templates(settings: Settings, register_path: Path | None = None) -> list[str]:
    """Render every template in settings.templates against a register; [] when all is well."""
    from . import ranking
    from .documents import jobs as rendering

    if register_path is None:
        reg = _example_register(settings)
    else:
        reg = validate_file(register_path, settings).register
    return rendering.check_templates(settings.templates, reg, ranking.rank(reg))


def _example_register(settings: Settings) -> Register:
    """The shipped example, written afresh from its data so an edited inbox cannot affect it."""
    import tempfile

    from .register.scaffold import example_content, write_register

    with tempfile.TemporaryDirectory() as tmp:
        path = write_register(Path(tmp) / "Exempel.xlsx", example_content())
        return validate_file(path, settings).register


def register_fingerprint(data: bytes, settings: Settings) -> str:
    """A hash of the register's cell data, blind to how Excel zipped it or when it saved it."""
    from .register import workbook as register

    raw = register.read_register(data, "", limits=settings.limits)
    rows = {
        name: [
            sorted((col, repr(cell.value)) for col, cell in row.cells.items()) for row in sheet.rows
        ]
        for name, sheet in sorted(raw.sheets.items())
    }
    blob = json.dumps(rows, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _load(
    path: Path,
    settings: Settings,
    data: bytes | None = None,
    *,
    inputs: str = "",
    timings: Timings | None = None,
) -> Loaded:
    """Check and hash the register's bytes; read and validate them unless a recorded build
    of the same bytes and `inputs` may still hold (the pipeline checks that under the lock).

    Bytes a recorded build was made from passed filecheck then, under the same limits (they
    are part of `inputs`), so they are not checked again: the zip's CRC check would be most
    of an unchanged rebuild's time.
    """
    if inputs:
        with timed(timings, "read"):
            known = data if data is not None else _read_known(path, settings)
        if known is not None:
            sha256 = hashlib.sha256(known).hexdigest()
            with timed(timings, "ledger"):
                record = lastbuild.find(settings.outbox, path, sha256, inputs)
            if record is not None:
                return Loaded(path, known, sha256, inputs, record=record)
    with timed(timings, "read"):
        if data is None:
            data = filecheck.read_workbook_file(path, settings.limits)
        else:
            filecheck.check_workbook_bytes(data, path.name, settings.limits)
    return parse(Loaded(path, data, hashlib.sha256(data).hexdigest(), inputs), settings, timings)


def _read_known(path: Path, settings: Settings) -> bytes | None:
    """The file's bytes for a look-up in the build record; None sends it down the full check."""
    try:
        return filecheck.read_capped(path, settings.limits)
    except UnreadableFileError:
        return None


def _by_year(loaded: list[Loaded]) -> list[list[Loaded]]:
    groups: dict[object, list[Loaded]] = {}
    for item in loaded:
        groups.setdefault(item.year if item.year is not None else item.path, []).append(item)
    return list(groups.values())


def _build_year(
    group: list[Loaded],
    settings: Settings,
    today: date,
    pdf: bool,
    progress: Progress | None,
    timings: Timings | None,
) -> list[BuildOutcome]:
    if len(group) == 1:
        return [assemble(group[0], settings, today, pdf, progress, timings)]
    return _conflict(group)


def _conflict(group: Sequence[Loaded]) -> list[BuildOutcome]:
    """Registers that claim the same year: nothing is built for it, and each is told why."""
    names = " och ".join(f'"{item.path.name}"' for item in group)
    year = group[0].year
    message = (
        f"{names} gäller båda verksamhetsår {year} (en konfliktkopia?). Inget byggs för {year}: "
        "ta bort eller byt namn på den ena."
    )
    return [BuildOutcome(source=i.path, year=year, exit_code=1, message=message) for i in group]
