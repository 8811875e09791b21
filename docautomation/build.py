"""The build: register file → read → validate → rank → render → outbox, one register at a time.

The one orchestrator the CLI, the watcher and the sync call: which registers to build, reading and
checking them, refusing conflict copies, and (under the outbox lock) writing the Valideringsrapport
or the documents, then recording the build so an unchanged register is not read again.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

# Only what an unchanged register needs is imported here; reading, validating and rendering
# pull in openpyxl, holidays, icalendar and docxtpl (most of the start-up time), so their
# modules are imported where they are used.
from . import memory
from .config import Settings
from .errors import ConfigError, OutboxError, UnreadableFileError
from .models import BuildOutcome, BuildSummary, Register, Report
from .outbox import buildrecord, lock
from .outbox import writer as outbox
from .register import files

_NO_INBOX = (
    "Inkorgen {inbox} finns inte. Kör kommandot i arbetsmappen, ange inbox i "
    "docautomation.toml eller namnge registret på kommandoraden."
)
# A progress display: given the number of documents, yields a callback taking how many are done.
Progress = Callable[[int], contextlib.AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What one build run is asked for besides the settings: its date, PDFs, a progress display."""

    today: date
    pdf: bool = False
    progress: Progress | None = None
    by: str = "manuellt"  # who builds, as `status` says it: manuellt, bevakningen, synkroniseringen


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A register's bytes, and either its validation report or a recorded build that may hold."""

    path: Path
    data: bytes
    sha256: str
    inputs: str  # buildrecord.inputs_digest of the templates and tool; "" when not building
    report: Report | None = None  # None only while `record` may still spare reading it
    record: buildrecord.Record | None = None

    @property
    def year(self) -> int | None:
        if self.report is None:
            assert self.record is not None
            return self.record.year
        return self.report.register.association.year


def build(
    registers: Sequence[Path] | None,
    settings: Settings,
    *,
    today: date | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build every given register (or every register in the inbox) into the outbox.

    Two registers for the same Verksamhetsår are refused together, naming both files. A
    register whose bytes, templates and tool match its last successful build, and whose
    outputs are as that build left them, is not read again (see outbox.buildrecord). `pdf`
    (or `pdf = true` in the settings) also writes a checked PDF beside each document.
    """
    if not registers and not settings.inbox.is_dir():
        raise ConfigError(_NO_INBOX.format(inbox=settings.inbox))
    paths = list(registers) if registers else files.find_registers(settings.inbox)
    if not paths:
        return BuildSummary(message=f"Inga register (.xlsx, .xlsm) i {settings.inbox}.")
    options = BuildOptions(today or date.today(), pdf or settings.pdf, progress)
    if options.pdf:
        from .outbox.pdf import require_pdf_tools

        require_pdf_tools()
    loaded: list[_Loaded] = []
    outcomes: list[BuildOutcome] = []
    inputs = buildrecord.inputs_digest(settings.templates, settings.limits)
    with memory.build_scope():
        for path in paths:
            try:
                loaded.append(_load(path, settings, inputs=inputs))
            except UnreadableFileError as exc:
                outcomes.append(BuildOutcome(path, exit_code=exc.exit_code, message=str(exc)))
        for group in _by_year(loaded):
            solo = len(group) == 1  # two registers for one year are a conflict, built for neither
            outcomes += [_assemble(group[0], settings, options)] if solo else _conflict(group)
    _record(outcomes, settings, options.by)
    return BuildSummary(outcomes=tuple(outcomes))


def build_file(
    path: Path,
    settings: Settings,
    *,
    today: date | None = None,
    data: bytes | None = None,
    by: str = "bevakningen",
) -> BuildOutcome:
    """Build one register; `data` lets the watcher pass the bytes it already read and checked."""
    options = BuildOptions(today or date.today(), settings.pdf, by=by)
    with memory.build_scope():
        outcome = _build_one(path, settings, options, data)
    _record([outcome], settings, by)
    return outcome


def _build_one(
    path: Path, settings: Settings, options: BuildOptions, data: bytes | None
) -> BuildOutcome:
    try:
        inputs = buildrecord.inputs_digest(settings.templates, settings.limits)
        item = _load(path, settings, data, inputs=inputs)
    except UnreadableFileError as exc:
        return BuildOutcome(source=path, exit_code=exc.exit_code, message=str(exc))
    rivals = _same_year_beside(item, settings)
    if rivals:
        return _conflict([item, *rivals])[0]
    return _assemble(item, settings, options)


def _record(outcomes: Sequence[BuildOutcome], settings: Settings, by: str) -> None:
    from .outbox.results import record_results

    record_results(settings.outbox, outcomes, by=by)


def validate_file(path: Path, settings: Settings) -> Report:
    """Read and validate one register (for `docautomation validate` and `rank`)."""
    report = _load(path, settings).report
    assert report is not None  # without `inputs` nothing recorded is looked up
    return report


def validate_files(
    registers: Sequence[Path] | None, settings: Settings
) -> list[tuple[Path, Report]]:
    """Read and validate the given registers, or every register in the inbox."""
    if registers:
        return [(path, validate_file(path, settings)) for path in registers]
    if not settings.inbox.is_dir():
        raise ConfigError(_NO_INBOX.format(inbox=settings.inbox))
    found = files.find_registers(settings.inbox)
    if not found:
        raise ConfigError(f"Inga register (.xlsx, .xlsm) i {settings.inbox}.")
    return [(path, validate_file(path, settings)) for path in found]


def check_templates(settings: Settings, register_path: Path | None = None) -> list[str]:
    """Render every template in settings.templates against a register; [] when all is well."""
    from . import ranking
    from .documents import jobs

    if register_path is None:
        reg = example_register(settings)
    else:
        reg = validate_file(register_path, settings).register
    return jobs.check_templates(settings.templates, reg, ranking.rank(reg), settings.limits)


# -- reading -------------------------------------------------------------------------------


def example_register(settings: Settings) -> Register:
    """The shipped example, written afresh from its data so an edited inbox cannot affect it."""
    import tempfile

    from .register.scaffold import example_content, write_register

    with tempfile.TemporaryDirectory() as tmp:
        path = write_register(Path(tmp) / "Exempel.xlsx", example_content())
        return validate_file(path, settings).register


def _load(
    path: Path, settings: Settings, data: bytes | None = None, *, inputs: str = ""
) -> _Loaded:
    """Check and hash the register's bytes; read and validate them unless a recorded build
    of the same bytes and `inputs` may still hold (checked again under the lock).

    Bytes a recorded build was made from passed the file checks then, under the same limits
    (they are part of `inputs`), so they are not checked again: the zip's CRC check would be
    most of an unchanged rebuild's time.
    """
    if inputs:
        known = data if data is not None else _read_known(path, settings)
        if known is not None:
            sha256 = hashlib.sha256(known).hexdigest()
            record = buildrecord.find(settings.outbox, path, sha256, inputs)
            if record is not None:
                return _Loaded(path, known, sha256, inputs, record=record)
    if data is None:
        data = files.read_workbook_file(path, settings.limits)
    else:
        files.check_workbook_bytes(data, path.name, settings.limits)
    return _parse(_Loaded(path, data, hashlib.sha256(data).hexdigest(), inputs), settings)


def _parse(item: _Loaded, settings: Settings) -> _Loaded:
    from .register import workbook
    from .validation.rules import validate

    with memory.paused():  # the register's objects live until the build ends
        report = validate(workbook.read_register(item.data, item.path.name, limits=settings.limits))
        memory.settle()  # before collecting resumes, or its first round would scan them all
    return replace(item, report=report, record=None)


def _read_known(path: Path, settings: Settings) -> bytes | None:
    """The file's bytes for a look-up in the build record; None sends it down the full check."""
    try:
        return files.read_capped(path, settings.limits)
    except UnreadableFileError:
        return None


def _same_year_beside(item: _Loaded, settings: Settings) -> list[_Loaded]:
    """Other registers in the same folder for the same year (a sync client's conflict copy).

    `build` sees every register at once; the watcher builds one file at a time, so it asks
    here. Folders normally hold one register, so this usually reads nothing.
    """
    if item.year is None:
        return []
    rivals = []
    for other in files.find_registers(item.path.parent):
        if other.resolve() == item.path.resolve():
            continue
        try:
            loaded = _load(other, settings, inputs=item.inputs)
        except UnreadableFileError:
            continue  # reported when that file itself is built
        if loaded.year == item.year:
            rivals.append(loaded)
    return rivals


def _by_year(loaded: list[_Loaded]) -> list[list[_Loaded]]:
    groups: dict[object, list[_Loaded]] = {}
    for item in loaded:
        groups.setdefault(item.year if item.year is not None else item.path, []).append(item)
    return list(groups.values())


def _conflict(group: Sequence[_Loaded]) -> list[BuildOutcome]:
    """Registers that claim the same year: nothing is built for it, and each is told why."""
    names = " och ".join(f'"{item.path.name}"' for item in group)
    year = group[0].year
    message = (
        f"{names} gäller båda verksamhetsår {year} (en konfliktkopia?). Inget byggs för {year}: "
        "ta bort eller byt namn på den ena."
    )
    return [BuildOutcome(source=i.path, year=year, exit_code=1, message=message) for i in group]


# -- writing, under the outbox lock -----------------------------------------------------------

_SAVED_AGAIN = (
    "Registret sparades igen medan bygget väntade på en annan körning; den här versionen "
    "byggs inte (den nyare byggs när den läses: watch gör det själv, annars kör build igen)."
)


def _assemble(item: _Loaded, settings: Settings, options: BuildOptions) -> BuildOutcome:
    try:  # an outbox that refuses this register's files ends its build, not the others'
        with lock.OutboxLock(settings.outbox):
            if _saved_again(item, settings):
                return BuildOutcome(source=item.path, year=item.year, message=_SAVED_AGAIN)
            if item.record is not None:
                if buildrecord.still_current(settings.outbox, item.record, options.today):
                    recorded = item.record.outcome(item.path, settings.outbox)
                    return _with_pdfs(recorded, settings, options)
                item = _parse(item, settings)
            return _build_parsed(item, settings, options)
    except OutboxError as exc:
        return BuildOutcome(source=item.path, year=item.year, exit_code=1, message=str(exc))


def _saved_again(item: _Loaded, settings: Settings) -> bool:
    """True when the file now holds other bytes than the ones this build read.

    Two builds may wait for the same outbox (a watcher and a manual build, say); the one
    that read an older version must not overwrite what the newer one wrote. The file is
    only compared here, never parsed, so a save in progress cannot be half-read.
    """
    try:
        current = files.read_capped(item.path, settings.limits)
    except UnreadableFileError:
        return False  # moved away or locked: nothing newer to protect
    return hashlib.sha256(current).hexdigest() != item.sha256


def _build_parsed(item: _Loaded, settings: Settings, options: BuildOptions) -> BuildOutcome:
    from .validation import report as feedback

    report = item.report
    assert report is not None
    year = report.register.association.year
    target = feedback.report_path(settings.outbox, year, item.path.name)
    stale = feedback.remove_stale_reports(settings.outbox, year, item.path.name, report.problems)
    if report.has_errors:
        feedback.write_validation_report(item.data, report.problems, target)
        return BuildOutcome(
            source=item.path, year=year, exit_code=1, problems=report.problems,
            report=target, message="Registret har fel: inga nya dokument skapades.",
            removed_reports=stale,
        )  # fmt: skip
    outcome, outputs = _render_and_write(item, settings, options)
    if report.problems:
        feedback.write_validation_report(item.data, report.problems, target)
    outcome = replace(outcome, report=target if report.problems else None, removed_reports=stale)
    if item.inputs:
        from .documents.annual import unchanged_between

        buildrecord.remember_build(
            settings.outbox, item.path, (item.sha256, item.inputs), outcome, outputs, target,
            days=unchanged_between(report.register, options.today),
        )  # fmt: skip
    return _with_pdfs(outcome, settings, options)  # last: a failing LibreOffice spares the rest


def _render_and_write(
    item: _Loaded, settings: Settings, options: BuildOptions
) -> tuple[BuildOutcome, tuple[Path, ...]]:
    """Write the register's documents; returns the outcome and the documents' paths."""
    from . import ranking
    from .documents import annual, calendars, jobs, properties
    from .outbox import calendarstate, history, obsolete

    assert item.report is not None
    reg = item.report.register
    year = reg.association.year
    assert year is not None  # a register without a year has errors and never gets here
    ranked = ranking.rank(reg)
    state = history.load_report_state(settings.outbox, year)
    snapshot = history.snapshot(ranked)
    content_key = history.content_key(snapshot, reg)
    baseline, report_date = history.baseline_for(state, content_key)
    report_date = report_date or options.today
    version = history.dated_annual(settings.outbox, year, annual.annual_version(reg, options.today))
    work = jobs.document_jobs(
        reg, ranked, templates_dir=settings.templates, today=options.today, limits=settings.limits,
        report_date=report_date, changes=history.compare(baseline, snapshot), annual=version,
    )  # fmt: skip
    known = calendarstate.load_event_versions(settings.outbox, year)
    events, versions = calendars.calendar_jobs(reg, today=options.today, known=known)
    work += events
    work = properties.with_provenance(work, item.path.name, item.sha256, options.today)
    memory.settle()  # so do the documents' variables
    with _progress(options.progress, len(work)) as step:
        result = outbox.write_outputs(
            settings.outbox, work, source=item.path.name, source_sha256=item.sha256, progress=step
        )
    calendarstate.save_event_versions(settings.outbox, year, versions, before=known)
    history.keep_register_version(settings.outbox, year, item.data, item.path.name)
    history.record_report(settings.outbox, year, state, content_key, snapshot, report_date)
    history.record_annual(settings.outbox, year, version.key, version.day)
    retired = obsolete.retire_obsolete(settings.outbox, year, [j.path for j in work], options.pdf)
    outcome = BuildOutcome(
        source=item.path, year=year, problems=item.report.problems, written=result.written,
        unchanged=result.unchanged,
        diverted=tuple((d.intended, d.written, str(d.reason)) for d in result.diverted),
        moved=retired.moved, obsolete_held=retired.held,
    )  # fmt: skip
    return outcome, tuple(settings.outbox / job.path for job in work)


@contextlib.contextmanager
def _progress(progress: Progress | None, total: int) -> Iterator[Callable[[int], None]]:
    if progress is None:
        yield lambda _n: None
        return
    with progress(total) as step:
        yield step


def _with_pdfs(outcome: BuildOutcome, settings: Settings, options: BuildOptions) -> BuildOutcome:
    if not options.pdf:
        return outcome
    from .outbox.pdf import pdf_copies

    done = pdf_copies(settings.outbox, (*outcome.written, *outcome.unchanged))
    if not done.lost:
        return replace(outcome, pdfs=done.written)
    message = " ".join(filter(None, (outcome.message, done.lost_message(settings.outbox))))
    return replace(outcome, pdfs=done.written, exit_code=max(outcome.exit_code, 1), message=message)
