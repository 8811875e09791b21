"""One register's outputs under the outbox lock: the Valideringsrapport, or its documents.

`pipeline` decides which registers to build and reads them; this module takes one read
register (or a recorded build that may still hold) and, holding the outbox lock, writes what
it should produce and records the build so an unchanged register is not read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .config import Settings
from .errors import UnreadableFileError
from .models import Problem, Report
from .outbox import buildrecord as lastbuild
from .outbox import writer as outbox
from .outbox.manifest import STATE_DIR

# Only what an unchanged register needs is imported here; reading, validating and rendering
# pull in openpyxl, holidays, icalendar and docxtpl, so they are imported where they are used.
from .register import files as filecheck

Progress = Callable[[int], AbstractContextManager[Callable[[int], None]]]
# Seconds per stage ("read", "validate", "rank", "render", "write", "ledger"), added up over a
# build when the caller passes a dict (the benchmark does); None costs nothing.
Timings = MutableMapping[str, float]


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What one register's build did."""

    source: Path
    year: int | None = None
    exit_code: int = 0
    problems: tuple[Problem, ...] = ()
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    diverted: tuple[tuple[Path, Path, str], ...] = ()  # (intended, written beside it, reason)
    report: Path | None = None  # the Valideringsrapport, when one was written
    pdfs: tuple[Path, ...] = ()
    message: str = ""


@dataclass(frozen=True, slots=True)
class Loaded:
    """A register's bytes, and either its validation report or a recorded build that may hold."""

    path: Path
    data: bytes
    sha256: str
    inputs: str  # lastbuild.inputs_digest of the templates and tool; "" when not building
    report: Report | None = None  # None only while `record` may still spare reading it
    record: lastbuild.Record | None = None

    @property
    def year(self) -> int | None:
        if self.report is None:
            assert self.record is not None
            return self.record.year
        return self.report.register.association.year


def parse(item: Loaded, settings: Settings, timings: Timings | None) -> Loaded:
    from .register import workbook as register
    from .validation.rules import validate

    with timed(timings, "read"):
        raw = register.read_register(item.data, item.path.name, limits=settings.limits)
    with timed(timings, "validate"):
        report = validate(raw)
    return replace(item, report=report, record=None)


def assemble(
    item: Loaded,
    settings: Settings,
    today: date,
    pdf: bool,
    progress: Progress | None,
    timings: Timings | None,
) -> BuildOutcome:
    with outbox.OutboxLock(settings.outbox):
        if _saved_again(item, settings):
            return BuildOutcome(source=item.path, year=item.year, message=_SAVED_AGAIN)
        if item.record is not None:
            with timed(timings, "ledger"):
                current = lastbuild.still_current(settings.outbox, item.record)
            if current:
                return _with_pdfs(_recorded(item, item.record, settings), settings, pdf)
            item = parse(item, settings, timings)
        return _build_parsed(item, settings, today, pdf, progress, timings)


_SAVED_AGAIN = (
    "Registret sparades igen medan bygget väntade på en annan körning; den här versionen "
    "byggs inte (den nyare byggs när den läses: watch gör det själv, annars kör build igen)."
)


def _saved_again(item: Loaded, settings: Settings) -> bool:
    """True when the file now holds other bytes than the ones this build read.

    Two builds may wait for the same outbox (a watcher and a manual build, say); the one
    that read an older version must not overwrite what the newer one wrote. The file is
    only compared here, never parsed, so a save in progress cannot be half-read.
    """
    try:
        current = filecheck.read_capped(item.path, settings.limits)
    except UnreadableFileError:
        return False  # moved away or locked: nothing newer to protect
    return hashlib.sha256(current).hexdigest() != item.sha256


def _build_parsed(
    item: Loaded,
    settings: Settings,
    today: date,
    pdf: bool,
    progress: Progress | None,
    timings: Timings | None,
) -> BuildOutcome:
    from .validation import report as feedback

    report = item.report
    assert report is not None
    year = report.register.association.year
    target = feedback.report_path(settings.outbox, year, item.path.name)
    if report.has_errors:
        with timed(timings, "write"):
            feedback.write_validation_report(item.data, report.problems, target)
        return BuildOutcome(
            source=item.path, year=year, exit_code=1, problems=report.problems,
            report=target, message="Registret har fel: inga nya dokument skapades.",
        )  # fmt: skip
    outcome, outputs = _render_and_write(item, settings, today, progress, timings)
    outcome = _with_pdfs(outcome, settings, pdf)
    with timed(timings, "write"):
        if report.problems:
            feedback.write_validation_report(item.data, report.problems, target)
            outcome = replace(outcome, report=target)
        else:
            feedback.remove_stale_report(target)
            # …and the one written beside the outbox while the year could not be read
            feedback.remove_stale_report(
                feedback.report_path(settings.outbox, None, item.path.name)
            )
        _remember(item, settings, outcome, outputs, target)
    return outcome


def _render_and_write(
    item: Loaded,
    settings: Settings,
    today: date,
    progress: Progress | None,
    timings: Timings | None,
) -> tuple[BuildOutcome, tuple[Path, ...]]:
    """Write the register's documents; returns the outcome and the documents' paths."""
    from . import ranking
    from .documents import calendars
    from .documents import jobs as rendering
    from .outbox import history

    assert item.report is not None
    reg = item.report.register
    year = reg.association.year
    assert year is not None  # a register without a year has errors and never gets here
    with timed(timings, "rank"):
        ranked = ranking.rank(reg)
    with timed(timings, "render"):
        state = history.load_report_state(settings.outbox, year)
        snapshot = history.snapshot(ranked)
        content_key = history.content_key(snapshot, reg)
        baseline, report_date = history.baseline_for(state, content_key)
        report_date = report_date or today
        jobs = rendering.document_jobs(
            reg, ranked, templates_dir=settings.templates, today=today,
            report_date=report_date, changes=history.compare(baseline, snapshot),
        )  # fmt: skip
        jobs += calendars.calendar_jobs(reg, today=today)
    with _progress(progress, len(jobs)) as step:
        result = outbox.write_outputs(
            settings.outbox, jobs, source=item.path.name, source_sha256=item.sha256,
            progress=step, timings=timings,
        )  # fmt: skip
    with timed(timings, "write"):
        history.keep_register_version(settings.outbox, year, item.data, item.path.name)
        history.record_report(settings.outbox, year, state, content_key, snapshot, report_date)
    outcome = BuildOutcome(
        source=item.path, year=year, problems=item.report.problems, written=result.written,
        unchanged=result.unchanged,
        diverted=tuple((d.intended, d.written, str(d.reason)) for d in result.diverted),
    )  # fmt: skip
    return outcome, tuple(settings.outbox / job.path for job in jobs)


def _remember(
    item: Loaded,
    settings: Settings,
    outcome: BuildOutcome,
    outputs: Sequence[Path],
    report: Path,
) -> None:
    """Record the build so an unchanged register is not read again (see lastbuild)."""
    from .outbox.history import report_state_path
    from .validation.report import report_path

    if outcome.year is None or not item.inputs:
        return
    root = settings.outbox
    beside = (set(outcome.written) | set(outcome.unchanged)) - set(outputs)
    # A document held open left stale at its name: its lock file vanishing (Word closed it)
    # means the next build must write it. A lock without such a file cannot be watched.
    locks = [lock for path in outputs for lock in outbox.office_lock_files(path) if lock.exists()]
    if any(
        reason == outbox.DivertReason.LOCKED
        and not any(lock.exists() for lock in outbox.office_lock_files(intended))
        for intended, _, reason in outcome.diverted
    ):
        return
    # The Valideringsrapports (also the one for an unreadable year) and the name one is written
    # under when Excel holds it open (feedback): their appearing or changing means the last
    # build no longer stands.
    reports = (report, report_path(root, None, item.path.name))
    watched = [report_state_path(root, outcome.year), *locks,
               *(r.with_name(f"{r.stem}{tail}{r.suffix}") for r in reports
                 for tail in ("", " (ny version)"))]  # fmt: skip
    lastbuild.remember(
        root, item.path, (item.sha256, item.inputs, outcome.year), outputs,
        beside=sorted(beside), watched=watched, problems=outcome.problems,
        report=outcome.report,
    )  # fmt: skip


def _recorded(item: Loaded, record: lastbuild.Record, settings: Settings) -> BuildOutcome:
    """The outcome of a rebuild that would change nothing: every document unchanged."""
    root = settings.outbox
    return BuildOutcome(
        source=item.path, year=record.year, problems=record.problems,
        unchanged=tuple(root / rel for rel in record.outputs),
        report=root / record.report if record.report else None,
    )  # fmt: skip


@contextlib.contextmanager
def timed(timings: Timings | None, stage: str) -> Iterator[None]:
    if timings is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


@contextlib.contextmanager
def _progress(progress: Progress | None, total: int) -> Iterator[Callable[[int], None]]:
    if progress is None:
        yield lambda _n: None
        return
    with progress(total) as step:
        yield step


def _with_pdfs(outcome: BuildOutcome, settings: Settings, pdf: bool) -> BuildOutcome:
    if not pdf:
        return outcome
    from .outbox.pdf import pdf_copies

    documents = (*outcome.written, *outcome.unchanged)
    return replace(outcome, pdfs=pdf_copies(documents, settings.outbox / STATE_DIR))
