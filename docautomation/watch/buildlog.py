"""What the watcher records and logs about each build: status.json entries and log lines."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from ..errors import EXIT_MEANINGS
from ..models import Problem
from ..swedish import count
from . import status as state

_MAX_LOGGED_PROBLEMS = 20

StatKey = tuple[int, int, int]


class Outcome(Protocol):
    """What the watcher needs from a build's result (build.BuildOutcome has it)."""

    @property
    def exit_code(self) -> int: ...
    @property
    def problems(self) -> Sequence[Problem]: ...
    @property
    def written(self) -> Sequence[Path]: ...
    @property
    def unchanged(self) -> Sequence[Path]: ...
    @property
    def diverted(self) -> Sequence[tuple[Any, ...]]: ...  # (intended, written beside it, …)
    @property
    def message(self) -> str: ...
    @property
    def removed_reports(self) -> Sequence[Path]: ...
    @property
    def moved(self) -> Sequence[tuple[Path, Path]]: ...  # (obsolete output, now in Inaktuella/)
    @property
    def obsolete_held(self) -> Sequence[Path]: ...


# A save older than this was not seen happen (a catch-up build at start-up, a file copied in
# with an old mtime): "done N s after the save" would then be a misleading latency.
_SEEN_SAVE = 60.0


def seconds_after_save(key: StatKey) -> float | None:
    """Seconds from the register's save to now; None when the save was not just seen."""
    seconds = round(max(0.0, time.time() - key[1] / 1e9), 3)
    return seconds if seconds <= _SEEN_SAVE else None


def build_record(name: str, key: StatKey, outcome: Outcome) -> state.BuildRecord:
    errors = sum(1 for p in outcome.problems if p.is_error)
    return state.BuildRecord(
        file=name,
        finished=state.now_iso(),
        exit_code=outcome.exit_code,
        written=len(outcome.written),
        unchanged=len(outcome.unchanged),
        diverted=len(outcome.diverted),
        errors=errors,
        warnings=len(outcome.problems) - errors,
        message=outcome.message,
        seconds_after_save=seconds_after_save(key),
    )


def failed_record(
    name: str, key: StatKey, exit_code: int | None, message: str
) -> state.BuildRecord:
    return state.BuildRecord(
        name,
        state.now_iso(),
        exit_code,
        message=message,
        seconds_after_save=seconds_after_save(key),
    )


def log_outcome(log: logging.Logger, rec: state.BuildRecord, outcome: Outcome, took: float) -> None:
    level = logging.INFO if rec.exit_code == 0 else logging.WARNING
    log.log(
        level,
        "%s: %s (kod %s): %s, %s, %s, %s; bygget tog %.2f s%s.%s",
        rec.file,
        EXIT_MEANINGS.get(rec.exit_code or 0, "fel"),
        rec.exit_code,
        count(rec.written, "dokument skrivet", "dokument skrivna"),
        count(rec.unchanged, "oförändrat", "oförändrade"),
        count(rec.errors, "fel"),
        count(rec.warnings, "varning"),
        took,
        ""
        if rec.seconds_after_save is None
        else f", klart {rec.seconds_after_save:.2f} s efter sparningen",
        f" {rec.message}" if rec.message else "",
    )
    for problem in list(outcome.problems)[:_MAX_LOGGED_PROBLEMS]:
        where = "!".join(part for part in (problem.sheet, problem.cell) if part)
        log.log(
            logging.WARNING if problem.is_error else logging.INFO,
            "%s: %s%s",
            rec.file,
            f"{where}: " if where else "",
            problem.message,
        )
    if len(outcome.problems) > _MAX_LOGGED_PROBLEMS:
        log.warning(
            "%s: … och %d problem till (se Valideringsrapport).",
            rec.file,
            len(outcome.problems) - _MAX_LOGGED_PROBLEMS,
        )
    for intended, beside, *_ in outcome.diverted:
        log.warning(
            "%s: %s har ändrats eller är öppen; den nya versionen skrevs till %s.",
            rec.file,
            Path(intended).name,
            Path(beside).name,
        )
    for removed in outcome.removed_reports:
        log.info("%s: tog bort %s (gällde en äldre version av registret).", rec.file, removed)
    _log_retired(log, rec.file, outcome)


def _log_retired(log: logging.Logger, name: str, outcome: Outcome) -> None:
    """Obsolete outputs moved to Inaktuella/, and those left because they are open."""
    for old, new in outcome.moved:
        log.info("%s: %s är inaktuell och flyttades till mappen Inaktuella som %s.",
                 name, old.name, new.name)  # fmt: skip
    for path in outcome.obsolete_held:
        log.warning(
            "%s: %s är inaktuell men öppen; den flyttas till Inaktuella när den har stängts "
            "och registret byggs igen.",
            name,
            path.name,
        )
