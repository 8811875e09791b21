"""The last successful build of each register, so an unchanged register is not read again.

`<outbox>/.docautomation/builds.json` records, per register file, what its last successful
build was made from (the register's raw SHA-256 and a digest of the templates and the tool)
and what it left behind (each output's manifest entry, size and mtime, the report's change
state, the Valideringsrapport, the warnings). When all of that still holds, a rebuild would
render the same bytes and leave every file alone, so the pipeline returns the recorded outcome
without reading, validating or rendering (an unchanged rebuild must take at most 0.1 s).

The build date is not an input as such: the reports keep their dates for as long as their
content is unchanged (their state files are among the things checked), and the
Verksamhetsberättelse depends on it only through the meetings held by then, so a record stands
for the days between two meeting dates (`days`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Limits
from ..fileio import STATE_DIR, new_version_name, read_json, write_json
from ..models import BuildOutcome, Problem, Severity
from .manifest import MANIFEST_NAME, ManifestEntry, load_manifest

log = logging.getLogger(__name__)

LEDGER_NAME = "builds.json"
_VERSION = 3
_PACKAGE = Path(__file__).resolve().parent.parent  # the whole package, not this stage

Stat = tuple[int, int] | None  # (size, mtime_ns); None: the file does not exist
_ENTRY_FIELDS = tuple(f.name for f in fields(ManifestEntry))


@dataclass(frozen=True, slots=True)
class Record:
    """One register's last successful build: its inputs and what it left in the outbox."""

    sha256: str
    inputs: str
    year: int
    outputs: tuple[str, ...]  # the build's documents (relative paths), reported as unchanged
    files: Mapping[str, tuple[dict[str, Any] | None, Stat]]  # rel → (manifest entry, stat)
    # Other files the outcome depends on: the report's state, the Valideringsrapport names.
    state: Mapping[str, Stat]
    problems: tuple[Problem, ...] = ()
    report: str | None = None  # the Valideringsrapport written (warnings), relative
    manifest: str = ""  # SHA-256 of the manifest file as the build left it
    days: tuple[str, str] = ("", "")  # the build stands from the first day up to the second
    # (ISO dates; "" leaves that side open)

    def outcome(self, source: Path, outbox: Path) -> BuildOutcome:
        """The outcome of a rebuild that would change nothing: every document unchanged."""
        return BuildOutcome(
            source=source, year=self.year, problems=self.problems,
            unchanged=tuple(outbox / rel for rel in self.outputs),
            report=outbox / self.report if self.report else None,
        )  # fmt: skip

    def stands_on(self, day: date) -> bool:
        """Whether a build on `day` would write what this one did (see module docstring)."""
        first, until = self.days
        iso = day.isoformat()
        return (not first or first <= iso) and (not until or iso < until)


def inputs_digest(templates: Path, limits: Limits) -> str:
    """A digest of everything besides the register that a build's output depends on.

    The bytes of every .docx in the templates folder, this package's version and source files
    (by size and mtime, so an edited checkout counts as a new tool), the installed libraries'
    versions (a new docxtpl or icalendar may write other bytes) and the file size limits
    (bytes that passed the file checks under other limits are checked again).
    """
    digest = hashlib.sha256(_tool_identity().encode("utf-8"))
    digest.update(repr(limits).encode("utf-8"))
    try:
        names = sorted(p for p in os.listdir(templates) if p.lower().endswith(".docx"))
    except OSError:
        names = []
    for name in names:
        digest.update(name.encode("utf-8") + b"\0")
        try:
            digest.update(hashlib.sha256((templates / name).read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


@functools.cache
def _tool_identity() -> str:
    """This package's version and source files, and every installed distribution's name and
    version (from the *.dist-info folder names: importlib.metadata would cost 30 ms)."""
    parts = [__version__]
    for path in sorted(_PACKAGE.rglob("*.py")):
        st = path.stat()
        parts.append(f"{path.relative_to(_PACKAGE).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    for folder in sys.path:
        if Path(folder).name not in ("site-packages", "dist-packages"):
            continue
        with contextlib.suppress(OSError):
            parts += sorted(
                n for n in os.listdir(folder) if n.endswith((".dist-info", ".egg-info"))
            )
    return "\n".join(parts)


def find(outbox: Path, source: Path, sha256: str, inputs: str) -> Record | None:
    """The source's record when it was made from exactly these register bytes and inputs."""
    record = _load(outbox).get(_source_key(source))
    if record is None or record.sha256 != sha256 or record.inputs != inputs:
        return None
    return record


def still_current(outbox: Path, record: Record, today: date) -> bool:
    """True when every file the record depends on is as the build left it, and it stands on
    `today` (the same meetings held).

    Call it while holding the outbox lock. A file that was edited, replaced, removed or touched
    (other mtime), a changed manifest entry, or a changed report state means: build again.
    """
    if not record.stands_on(today):
        return False
    root = Path(outbox)
    if _manifest_digest(root) != record.manifest:
        # Another build wrote the manifest since: compare the entries this build depends on.
        manifest = load_manifest(root)
        for rel, (entry, _) in record.files.items():
            if _entry_json(manifest.get(rel)) != entry:
                return False
    base = str(root)  # os.path: 20,000 pathlib joins would cost more than the stats
    files = ((rel, stat) for rel, (_, stat) in record.files.items())
    return all(
        _stat(os.path.join(base, rel)) == stat for rel, stat in (*files, *record.state.items())
    )


def remember(
    outbox: Path,
    source: Path,
    made_from: tuple[str, str, int],
    outputs: Sequence[Path],
    *,
    beside: Iterable[Path] = (),
    watched: Iterable[Path] = (),
    problems: Sequence[Problem] = (),
    report: Path | None = None,
    days: tuple[date | None, date | None] = (None, None),
) -> None:
    """Record a successful build (call it under the outbox lock, after everything was written).

    Args:
        outbox: the outbox folder.
        source: the register file.
        made_from: (register SHA-256, inputs_digest, Verksamhetsår).
        outputs: the build's documents, in job order (written or left unchanged).
        beside: new versions written beside edited or locked outputs.
        watched: other files whose existence, size and mtime must hold (report state,
            Valideringsrapport names); all paths lie inside the outbox.
        problems: the warnings shown (kept so a skipped rebuild still shows them).
        report: the Valideringsrapport written for the warnings, or None.
        days: the first day the build stands for and the day it no longer does (None: open).
    """
    root = Path(outbox)
    sha256, inputs, year = made_from
    manifest = load_manifest(root)
    rels = [_relative(root, p) for p in outputs]
    files = {
        rel: (_entry_json(manifest.get(rel)), _stat(root / rel))
        for rel in dict.fromkeys([*rels, *(_relative(root, p) for p in beside)])
    }
    state = {_relative(root, p): _stat(p) for p in watched}
    record = Record(
        sha256, inputs, year, tuple(rels), files, state,
        tuple(problems), _relative(root, report) if report else None, _manifest_digest(root),
        (_iso(days[0]), _iso(days[1])),
    )  # fmt: skip
    records = _load(root)
    records[_source_key(source)] = record
    _save(root, records)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _manifest_digest(root: Path) -> str:
    try:
        return hashlib.sha256((root / STATE_DIR / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return ""


def _entry_json(entry: ManifestEntry | None) -> dict[str, Any] | None:
    # dataclasses.asdict deep-copies every field: 20 times slower for thousands of entries.
    return None if entry is None else {name: getattr(entry, name) for name in _ENTRY_FIELDS}


def _source_key(source: Path) -> str:
    return os.path.normcase(str(Path(source).resolve()))


def _relative(root: Path, path: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def _stat(path: str | Path) -> Stat:
    # lstat: a link swapped in for a document must not pass for it (the write replaces it)
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------


def _path(outbox: Path) -> Path:
    return outbox / STATE_DIR / LEDGER_NAME


def _load(outbox: Path) -> dict[str, Record]:
    doc = read_json(_path(outbox))
    if doc.get("version") != _VERSION:
        return {}
    try:
        return {key: _from_json(raw) for key, raw in doc["registers"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        # Losing the record only costs one full build.
        log.warning("Byggposterna i %s går inte att tolka; registren byggs på nytt.", _path(outbox))
        return {}


def _save(outbox: Path, records: Mapping[str, Record]) -> None:
    doc = {"version": _VERSION, "registers": {k: _to_json(r) for k, r in sorted(records.items())}}
    try:
        write_json(_path(outbox), doc, compact=True)
    except OSError as exc:  # a missing record only costs a full build next time
        log.warning("Kunde inte spara %s: %s", _path(outbox), exc)


def _to_json(record: Record) -> dict[str, Any]:
    return {
        "sha256": record.sha256,
        "inputs": record.inputs,
        "year": record.year,
        "outputs": list(record.outputs),
        "files": {rel: [entry, stat] for rel, (entry, stat) in record.files.items()},
        "state": dict(record.state),
        "problems": [p.as_json() for p in record.problems],
        "report": record.report,
        "manifest": record.manifest,
        "days": list(record.days),
    }


def _from_json(raw: Mapping[str, Any]) -> Record:
    names = set(_ENTRY_FIELDS)
    files: dict[str, tuple[dict[str, Any] | None, Stat]] = {}
    for rel, (entry, stat) in raw["files"].items():
        if entry is not None and set(entry) != names:
            raise ValueError(f"bad manifest entry for {rel}")
        files[str(rel)] = (entry, _stat_from_json(stat))
    return Record(
        sha256=str(raw["sha256"]),
        inputs=str(raw["inputs"]),
        year=int(raw["year"]),
        outputs=tuple(str(rel) for rel in raw["outputs"]),
        files=files,
        state={str(rel): _stat_from_json(stat) for rel, stat in raw["state"].items()},
        problems=tuple(
            Problem(Severity(p["severity"]), p["sheet"], p["cell"], p["message"])
            for p in raw["problems"]
        ),
        report=None if raw["report"] is None else str(raw["report"]),
        manifest=str(raw["manifest"]),
        days=(str(raw["days"][0]), str(raw["days"][1])),
    )


def _stat_from_json(value: Any) -> Stat:
    if value is None:
        return None
    size, mtime_ns = value
    return (int(size), int(mtime_ns))


def remember_build(
    outbox: Path,
    source: Path,
    made_from: tuple[str, str],
    outcome: BuildOutcome,
    outputs: Sequence[Path],
    report: Path,
    days: tuple[date | None, date | None] = (None, None),
) -> None:
    """Record a successful build so an unchanged register is not read again.

    Args:
        made_from: (register SHA-256, inputs_digest).
        outputs: the build's documents, in job order.
        report: where the register's Valideringsrapport goes (written or not).
        days: the first day the build stands for and the day it no longer does (None: open).
    """
    from ..validation.report import report_path
    from .history import annual_state_path, report_state_path
    from .writer import DivertReason, office_lock_files

    if outcome.year is None:
        return
    beside = (set(outcome.written) | set(outcome.unchanged)) - set(outputs)
    # A document held open left stale at its name: its lock file vanishing (Word closed it)
    # means the next build must write it. A lock without such a file cannot be watched.
    locks = [lock for path in outputs for lock in office_lock_files(path) if lock.exists()]
    if any(
        reason == DivertReason.LOCKED
        and not any(lock.exists() for lock in office_lock_files(intended))
        for intended, _, reason in outcome.diverted
    ):
        return
    # An obsolete output left in place because it is open: moved once its lock file goes. One
    # whose move was refused without a lock file (Windows) is retried by the next full build.
    held = [[lk for lk in office_lock_files(p) if lk.exists()] for p in outcome.obsolete_held]
    if not all(held):
        return
    locks += [lock for found in held for lock in found]
    # The Valideringsrapports (also the one for an unreadable year) and the name one is written
    # under when Excel holds it open: their appearing or changing means the build no longer stands.
    reports = (report, report_path(outbox, None, source.name))
    watched = [report_state_path(outbox, outcome.year), annual_state_path(outbox, outcome.year),
               *locks,
               *(r.with_name(name) for r in reports for name in (r.name, new_version_name(r.name)))]  # fmt: skip
    remember(
        outbox, source, (*made_from, outcome.year), outputs, beside=sorted(beside),
        watched=watched, problems=outcome.problems, report=outcome.report, days=days,
    )  # fmt: skip
