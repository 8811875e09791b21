"""The build: register file → read → validate → rank → render → outbox, one register at a time."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ContextManager

from . import calendars, feedback, filecheck, history, outbox, ranking, register, rendering
from .config import Settings
from .errors import UnreadableFileError
from .models import Problem, Register, Report
from .validation import validate

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
Progress = Callable[[int], ContextManager[Callable[[int], None]]]


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
class BuildSummary:
    """All registers' outcomes; the highest exit code wins (SPEC §5)."""

    outcomes: tuple[BuildOutcome, ...] = ()
    message: str = ""

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.outcomes), default=0)


@dataclass(frozen=True, slots=True)
class _Loaded:
    path: Path
    data: bytes
    report: Report


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
) -> BuildSummary:
    """Build every given register (or every register in the inbox) into the outbox (SPEC §5).

    Two registers for the same Verksamhetsår are refused together, naming both files.
    """
    paths = list(registers) if registers else find_registers(settings.inbox)
    if not paths:
        return BuildSummary(message=f"Inga register (.xlsx, .xlsm) i {settings.inbox}.")
    if pdf:
        _require_soffice()
    loaded: list[_Loaded] = []
    outcomes: list[BuildOutcome] = []
    for path in paths:
        try:
            loaded.append(_load(path, settings))
        except UnreadableFileError as exc:
            outcomes.append(BuildOutcome(source=path, exit_code=exc.exit_code, message=str(exc)))
    for group in _by_year(loaded):
        outcomes += _build_year(group, settings, today or date.today(), pdf, progress)
    return BuildSummary(outcomes=tuple(outcomes))


def build_file(
    path: Path, settings: Settings, *, today: date | None = None, data: bytes | None = None
) -> BuildOutcome:
    """Build one register; `data` lets the watcher pass the bytes it already read and checked."""
    try:
        item = _load(path, settings, data)
    except UnreadableFileError as exc:
        return BuildOutcome(source=path, exit_code=exc.exit_code, message=str(exc))
    return _build_one(item, settings, today or date.today(), pdf=False, progress=None)


def validate_file(path: Path, settings: Settings) -> Report:
    """Read and validate one register (for `docautomation validate` and `rank`)."""
    return _load(path, settings).report


def check_templates(settings: Settings, register_path: Path | None = None) -> list[str]:
    """Render every template in settings.templates against a register; [] when all is well."""
    if register_path is None:
        reg = _example_register(settings)
    else:
        reg = validate_file(register_path, settings).register
    return rendering.check_templates(settings.templates, reg, ranking.rank(reg))


def _example_register(settings: Settings) -> Register:
    """The shipped example, written afresh from its data so an edited inbox cannot affect it."""
    import tempfile

    from .scaffold import example_content, write_register

    with tempfile.TemporaryDirectory() as tmp:
        path = write_register(Path(tmp) / "Exempel.xlsx", example_content())
        return validate_file(path, settings).register


def register_fingerprint(data: bytes, settings: Settings) -> str:
    """A hash of the register's cell data, blind to how Excel zipped it or when it saved it."""
    del settings  # the same normalisation for every configuration
    raw = register.read_register(data, "")
    rows = {
        name: [sorted((col, repr(cell.value)) for col, cell in row.cells.items()) for row in sheet.rows]
        for name, sheet in sorted(raw.sheets.items())
    }
    blob = json.dumps(rows, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _load(path: Path, settings: Settings, data: bytes | None = None) -> _Loaded:
    if data is None:
        data = filecheck.read_workbook_file(path, settings.limits)
    else:
        filecheck.check_workbook_bytes(data, path.name, settings.limits)
    raw = register.read_register(data, path.name)
    return _Loaded(path, data, validate(raw))


def _by_year(loaded: list[_Loaded]) -> list[list[_Loaded]]:
    groups: dict[object, list[_Loaded]] = {}
    for item in loaded:
        year = item.report.register.association.year
        groups.setdefault(year if year is not None else item.path, []).append(item)
    return list(groups.values())


def _build_year(
    group: list[_Loaded], settings: Settings, today: date, pdf: bool, progress: Progress | None
) -> list[BuildOutcome]:
    if len(group) == 1:
        return [_build_one(group[0], settings, today, pdf, progress)]
    names = " och ".join(f'"{item.path.name}"' for item in group)
    year = group[0].report.register.association.year
    message = (
        f"{names} gäller båda verksamhetsår {year} (en konfliktkopia?). Inget byggs för {year}: "
        "ta bort eller byt namn på den ena."
    )
    return [BuildOutcome(source=i.path, year=year, exit_code=1, message=message) for i in group]


def _build_one(
    item: _Loaded, settings: Settings, today: date, pdf: bool, progress: Progress | None
) -> BuildOutcome:
    report = item.report
    year = report.register.association.year
    target = feedback.report_path(settings.outbox, year, item.path.name)
    with outbox.OutboxLock(settings.outbox):
        if report.has_errors:
            feedback.write_validation_report(item.data, report.problems, target)
            return BuildOutcome(
                source=item.path, year=year, exit_code=1, problems=report.problems,
                report=target, message="Registret har fel: inga nya dokument skapades.",
            )  # fmt: skip
        outcome = _render_and_write(item, settings, today, progress)
        if pdf:
            outcome = replace(outcome, pdfs=_write_pdfs(outcome, settings.outbox))
        if report.problems:
            feedback.write_validation_report(item.data, report.problems, target)
            return replace(outcome, report=target)
        feedback.remove_stale_report(target)
        return outcome


def _render_and_write(
    item: _Loaded, settings: Settings, today: date, progress: Progress | None
) -> BuildOutcome:
    reg = item.report.register
    year = reg.association.year
    assert year is not None  # a register without a year has errors and never gets here
    ranked = ranking.rank(reg)
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
            settings.outbox, jobs, source=item.path.name,
            source_sha256=hashlib.sha256(item.data).hexdigest(), progress=step,
        )  # fmt: skip
    history.keep_register_version(settings.outbox, year, item.data, item.path.name)
    history.record_report(settings.outbox, year, state, content_key, snapshot, report_date)
    return BuildOutcome(
        source=item.path, year=year, problems=item.report.problems, written=result.written,
        unchanged=result.unchanged,
        diverted=tuple((d.intended, d.written, str(d.reason)) for d in result.diverted),
    )  # fmt: skip


@contextlib.contextmanager
def _progress(progress: Progress | None, total: int) -> Iterator[Callable[[int], None]]:
    if progress is None:
        yield lambda _n: None
        return
    with progress(total) as step:
        yield step


def _require_soffice() -> None:
    from .errors import ConfigError
    from .pdf import _INSTALL_HINT as INSTALL_HINT  # noqa: PLC2701
    from .pdf import soffice_path

    if soffice_path() is None:
        raise ConfigError(INSTALL_HINT)


def _write_pdfs(outcome: BuildOutcome, root: Path) -> tuple[Path, ...]:
    """PDF copies of the Word documents written now, or whose PDF is missing or older."""
    from .pdf import convert_to_pdf

    docs = [p for p in (*outcome.written, *outcome.unchanged) if p.suffix == ".docx"]
    stale = [p for p in docs if _pdf_is_stale(p)]
    written: list[Path] = []
    for folder in sorted({p.parent for p in stale}):
        batch = [p for p in stale if p.parent == folder]
        with _scratch(root) as tmp:
            for pdf in convert_to_pdf(batch, tmp):
                target = folder / pdf.name
                outbox.write_atomically(target, pdf.read_bytes())
                written.append(target)
    return tuple(written)


def _pdf_is_stale(docx: Path) -> bool:
    pdf = docx.with_suffix(".pdf")
    return not pdf.exists() or pdf.stat().st_mtime_ns < docx.stat().st_mtime_ns


@contextlib.contextmanager
def _scratch(root: Path) -> Iterator[Path]:
    import tempfile

    state = root / outbox.STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=state) as tmp:
        yield Path(tmp)
