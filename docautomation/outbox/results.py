"""The last build of each register, whoever made it (a person, the watcher, the sync), for status.

A rebuild with the same result as the recorded one is not recorded again: an unchanged
register's rebuild touches no file, so status shows when the outbox last changed.

`<outbox>/.docautomation/results.json` keeps, per register file, when its last build finished,
who ran it, its exit code, its documents and its problem counts, so `docautomation status` can
tell the secretary what the outbox holds without knowing how it got there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import OutboxError
from ..fileio import STATE_DIR, read_json, write_json
from ..models import BuildOutcome
from .lock import OutboxLock

log = logging.getLogger(__name__)

RESULTS_NAME = "results.json"
_VERSION = 1
_MAX_NAMED = 200  # documents named per register; a large register's 500 protokoll are counted


def record_results(
    outbox: Path, outcomes: Iterable[BuildOutcome], *, by: str, now: datetime | None = None
) -> None:
    """Remember each outcome as its register's last build.

    A busy or unwritable outbox only costs the status line: the build itself has said what
    went wrong.

    Args:
        by: who built, in Swedish ("manuellt", "bevakningen", "synkroniseringen").
    """
    try:
        with OutboxLock(outbox, timeout=10):
            _record(outbox, outcomes, by, now)
    except OutboxError as exc:  # the build has said so in its own line: no second one here
        log.info("Kunde inte spara byggresultatet i %s: %s", outbox, exc)


def _record(outbox: Path, outcomes: Iterable[BuildOutcome], by: str, now: datetime | None) -> None:
    path = outbox / STATE_DIR / RESULTS_NAME
    doc = read_json(path)
    registers = doc.get("registers") if doc.get("version") == _VERSION else None
    entries: dict[str, Any] = dict(registers) if isinstance(registers, dict) else {}
    finished = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    fresh = {o.source.name: _entry(outbox, o, by, finished) for o in outcomes}
    if all(_same(entries.get(name), entry) for name, entry in fresh.items()):
        return  # a rebuild that changed nothing touches no file, this one included
    entries.update(fresh)
    try:
        write_json(path, {"version": _VERSION, "registers": entries})
    except OSError as exc:  # status is a convenience: a build never fails for it
        log.warning("Kunde inte spara byggresultatet i %s: %s", path, exc)


def read_results(outbox: Path) -> dict[str, Mapping[str, Any]]:
    """Each register's last build as recorded; {} when nothing was built into this outbox."""
    doc = read_json(outbox / STATE_DIR / RESULTS_NAME)
    registers = doc.get("registers") if doc.get("version") == _VERSION else None
    if not isinstance(registers, dict):
        return {}
    return {str(k): v for k, v in registers.items() if isinstance(v, dict)}


def _same(old: Any, new: Mapping[str, Any]) -> bool:
    """The same result (documents, problems, message), whenever and by whom it was built."""
    if not isinstance(old, dict):
        return False
    ignored = ("finished", "by", "written", "unchanged")
    return {k: v for k, v in old.items() if k not in ignored} == {
        k: v for k, v in new.items() if k not in ignored
    }


def _entry(outbox: Path, outcome: BuildOutcome, by: str, finished: str) -> dict[str, Any]:
    errors = sum(1 for p in outcome.problems if p.is_error)
    # The year's own documents before those in subfolders (the kallelser), as in a file list.
    documents = sorted(
        {_relative(outbox, p) for p in (*outcome.written, *outcome.unchanged)},
        key=lambda rel: (rel.count("/"), rel),
    )
    return {
        "finished": finished,
        "by": by,
        "exit_code": outcome.exit_code,
        "year": outcome.year,
        "written": len(outcome.written),
        "unchanged": len(outcome.unchanged),
        "documents": documents[:_MAX_NAMED],
        "document_count": len(documents),
        "errors": errors,
        "warnings": len(outcome.problems) - errors,
        "report": _relative(outbox, outcome.report) if outcome.report else None,
        "message": outcome.message,
    }


def _relative(outbox: Path, path: Path) -> str:
    try:
        return path.relative_to(outbox).as_posix()
    except ValueError:
        return path.as_posix()
