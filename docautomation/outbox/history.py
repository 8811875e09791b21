"""Memory of past builds: kept register versions, the supplier report's baseline, report dates.

The report to the supplier lists "Förändringar sedan förra rapporten": the wishes are
compared with how they stood when the previous version of the report was written. The state in
`<outbox>/.docautomation/report-<år>.json` holds the current version's content key, date and
wish snapshot, and the previous version's snapshot and date. A rebuild whose content key is
unchanged compares against that previous version and keeps the date, so it reproduces the
same document byte for byte; a changed content key compares against the current version, and
the new report is dated today.

The Verksamhetsberättelse, too, is dated the day its current version was written: the state in
`<outbox>/.docautomation/berattelse-<år>.json` holds that version's content key and date.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutboxError
from ..fileio import STATE_DIR, read_json, swedish_reason, write_json
from ..models import Ranking, Register, ReportChanges, Wish, WishStatus
from .manifest import write_atomically

if TYPE_CHECKING:
    from ..documents.annual import AnnualVersion

log = logging.getLogger(__name__)

VERSIONS_DIR = "versions"
VERSIONS_INDEX = "index.json"
_STATE_VERSION = 1
_KEY_VERSION = "report-content/1"  # bump when content_key's recipe changes


@dataclass(frozen=True, slots=True)
class WishSnapshot:
    """A wish as the report showed it: what the changes section compares."""

    id: str
    title: str
    status: WishStatus
    category: int | None  # the category the report showed (board's or the rule's); None = ej bedömd


@dataclass(frozen=True, slots=True)
class Baseline:
    """The wishes as they stood when an earlier version of the report was written, and its date."""

    wishes: tuple[WishSnapshot, ...]
    date: date


@dataclass(frozen=True, slots=True)
class ReportState:
    """The report's current version (content key, date, wishes) and the version before it."""

    key: str
    date: date
    current: tuple[WishSnapshot, ...]
    previous: Baseline | None = None


# ---------------------------------------------------------------------------------------------
# Kept register versions
# ---------------------------------------------------------------------------------------------


def keep_register_version(
    outbox: Path, year: int, data: bytes, source_name: str, *, now: datetime | None = None
) -> Path:
    """Keep a successfully built register under `.docautomation/versions/<år>/` for audit.

    The file is named "<YYYYMMDD-HHMMSS>_<sha12>.xlsx" (UTC; ".xlsm" for a macro workbook);
    the same bytes kept again return the existing file. `index.json` beside the versions
    records each one's source file name, full hash and time.

    Returns:
        The kept file (new or existing).
    """
    folder = Path(outbox) / STATE_DIR / VERSIONS_DIR / str(year)
    digest = hashlib.sha256(data).hexdigest()
    suffix = ".xlsm" if source_name.lower().endswith(".xlsm") else ".xlsx"
    for existing in sorted(folder.glob(f"*_{digest[:12]}{suffix}")):
        # 48 bits of hash plus the size identify the content; no need to re-read the copy.
        if existing.stat().st_size == len(data):
            return existing
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    target = folder / f"{moment:%Y%m%d-%H%M%S}_{digest[:12]}{suffix}"
    write_atomically(target, data)
    index = read_json(folder / VERSIONS_INDEX)
    index[target.name] = {
        "source": source_name,
        "sha256": digest,
        "kept_at": moment.isoformat(timespec="seconds"),
    }
    _write_state(folder / VERSIONS_INDEX, index)
    return target


def kept_versions(outbox: Path, sha256: str) -> list[Path]:
    """Kept register files (any year) whose name carries the start of `sha256`, oldest first."""
    folder = Path(outbox) / STATE_DIR / VERSIONS_DIR
    found = (p for suffix in (".xlsx", ".xlsm") for p in folder.glob(f"*/*_{sha256[:12]}{suffix}"))
    return sorted(found, key=lambda p: p.name)


# ---------------------------------------------------------------------------------------------
# The report's change baseline
# ---------------------------------------------------------------------------------------------


def snapshot(ranking: Ranking) -> tuple[WishSnapshot, ...]:
    """Every wish the report shows, in report order: ranked, then delivered, then rejected."""
    ranked = [
        WishSnapshot(r.wish.id, r.wish.title, r.wish.status, r.category) for r in ranking.ranked
    ]
    closed = [_plain_snapshot(w) for w in (*ranking.delivered, *ranking.rejected)]
    return (*ranked, *closed)


def content_key(wishes: Sequence[WishSnapshot], register: Register) -> str:
    """A hash of what the report says apart from its date and changes section.

    It covers the association's name, supplier and ranking settings, the priority order and
    every field of every wish (not its row), plus the snapshot (the categories shown), so the
    report is a new version exactly when one of those changes.
    """
    association = register.association
    payload = {
        "recipe": _KEY_VERSION,
        "association": [
            association.name,
            association.supplier,
            association.high_priority_threshold,
        ],
        "categories": [[c.number, c.name, c.description] for c in register.categories],
        "wishes": [_wish_fields(w) for w in register.wishes],
        "snapshot": [_snapshot_json(s) for s in wishes],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=_plain)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def load_report_state(outbox: Path, year: int) -> ReportState | None:
    """The report's recorded state for `year`, or None before the first report (or if unreadable)."""
    path = report_state_path(outbox, year)
    doc = read_json(path)
    if not doc:
        return None
    try:
        if doc["version"] != _STATE_VERSION:
            raise ValueError(f"unknown version {doc['version']!r}")
        previous = doc["previous"]
        return ReportState(
            key=str(doc["key"]),
            date=date.fromisoformat(doc["date"]),
            current=_snapshots_from_json(doc["current"]),
            previous=None
            if previous is None
            else Baseline(
                _snapshots_from_json(previous["wishes"]), date.fromisoformat(previous["date"])
            ),
        )
    except (KeyError, TypeError, ValueError):
        # Without the state the report is treated as a first version: nothing is lost but the
        # changes section, and the next build starts a fresh baseline.
        log.warning(
            "Tillståndet för rapporten till leverantören (%s) går inte att tolka; rapporten "
            "jämförs inte med en tidigare version.",
            path,
        )
        return None


def baseline_for(
    state: ReportState | None, content_key: str
) -> tuple[Baseline | None, date | None]:
    """What to compare the report with, and the date it keeps.

    Returns:
        (None, None) before the first report. When `content_key` is the current version's,
        the report is unchanged: (the previous version, the current version's date), so the
        same document is reproduced. Otherwise (the current version, None): the new version
        is compared with the one before it and dated today.
    """
    if state is None:
        return None, None
    if content_key == state.key:
        return state.previous, state.date
    return Baseline(state.current, state.date), None


def record_report(
    outbox: Path,
    year: int,
    state: ReportState | None,
    content_key: str,
    wishes: Sequence[WishSnapshot],
    report_date: date,
) -> ReportState:
    """After the report was written: make it the current version (unless it was already).

    Returns:
        The state now recorded. Nothing is written when `content_key` is already current.
    """
    if state is not None and state.key == content_key:
        return state
    previous = Baseline(state.current, state.date) if state is not None else None
    new = ReportState(content_key, report_date, tuple(wishes), previous)
    doc = {
        "version": _STATE_VERSION,
        "year": year,
        "key": new.key,
        "date": new.date.isoformat(),
        "current": [_snapshot_json(s) for s in new.current],
        "previous": None
        if previous is None
        else {
            "date": previous.date.isoformat(),
            "wishes": [_snapshot_json(s) for s in previous.wishes],
        },
    }
    _write_state(report_state_path(outbox, year), doc)
    return new


def compare(baseline: Baseline | None, current: Sequence[WishSnapshot]) -> ReportChanges | None:
    """The changes since `baseline`; None without a baseline.

    New wishes, changed status, changed category and removed wishes; wishes are matched by ID
    (ignoring case and surrounding spaces) and listed in report order.
    """
    if baseline is None:
        return None
    before = {_identity(s): s for s in reversed(baseline.wishes)}  # first occurrence wins
    now = {_identity(s) for s in current}
    new: list[str] = []
    status: list[tuple[str, WishStatus, WishStatus]] = []
    category: list[tuple[str, int | None, int | None]] = []
    for wish in current:
        old = before.get(_identity(wish))
        if old is None:
            new.append(_label(wish))
            continue
        if old.status is not wish.status:
            status.append((_label(wish), old.status, wish.status))
        if old.category != wish.category:
            category.append((_label(wish), old.category, wish.category))
    removed = [_label(s) for s in baseline.wishes if _identity(s) not in now]
    return ReportChanges(
        previous_date=baseline.date,
        new_wishes=tuple(new),
        status_changed=tuple(status),
        category_changed=tuple(category),
        removed=tuple(dict.fromkeys(removed)),
    )


# ---------------------------------------------------------------------------------------------
# The Verksamhetsberättelse's date
# ---------------------------------------------------------------------------------------------


def dated_annual(outbox: Path, year: int, version: AnnualVersion) -> AnnualVersion:
    """The Verksamhetsberättelse written on `version.day`, dated as its current version when it
    says the same (so an unchanged one is reproduced byte for byte)."""
    doc = read_json(annual_state_path(outbox, year))
    try:
        if doc.get("key") == version.key:
            return version.dated(date.fromisoformat(doc["date"]))
    except (KeyError, TypeError, ValueError):
        log.warning(
            "Verksamhetsberättelsens datum i %s går inte att tolka; den får byggets datum.",
            annual_state_path(outbox, year),
        )
    return version


def record_annual(outbox: Path, year: int, content_key: str, written: date) -> None:
    """After the Verksamhetsberättelse was written: remember its content key and date.

    Nothing is written when they are already recorded (a recorded build watches the file).
    """
    path = annual_state_path(outbox, year)
    doc = {"version": _STATE_VERSION, "year": year, "key": content_key, "date": written.isoformat()}
    if read_json(path) != doc:
        _write_state(path, doc)


def annual_state_path(outbox: Path, year: int) -> Path:
    """Where the Verksamhetsberättelse's state for `year` is kept (the build record watches it)."""
    return Path(outbox) / STATE_DIR / f"berattelse-{year}.json"


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _plain_snapshot(wish: Wish) -> WishSnapshot:
    return WishSnapshot(wish.id, wish.title, wish.status, wish.category)


def _identity(wish: WishSnapshot) -> str:
    return wish.id.strip().casefold() or f"\0{wish.title.strip().casefold()}"


def _label(wish: WishSnapshot) -> str:
    return f"{wish.id.strip()} {wish.title.strip()}".strip()


_WISH_FIELDS = tuple(f.name for f in fields(Wish) if f.name not in ("row", "cells"))


def _wish_fields(wish: Wish) -> list[Any]:
    return [getattr(wish, name) for name in _WISH_FIELDS]


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


def _snapshot_json(wish: WishSnapshot) -> dict[str, Any]:
    return {
        "id": wish.id,
        "title": wish.title,
        "status": wish.status.value,
        "category": wish.category,
    }


def _snapshots_from_json(items: Iterable[dict[str, Any]]) -> tuple[WishSnapshot, ...]:
    return tuple(
        WishSnapshot(
            str(i["id"]), str(i["title"]), WishStatus(i["status"]), _category(i["category"])
        )
        for i in items
    )


def _category(value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"bad category {value!r}")


def report_state_path(outbox: Path, year: int) -> Path:
    """Where the report's state for `year` is kept (the build record watches it)."""
    return Path(outbox) / STATE_DIR / f"report-{year}.json"


def _write_state(path: Path, doc: dict[str, Any]) -> None:
    try:
        # Compact: an indent sends json to its pure-Python encoder, 0.3 s for 10,000 wishes.
        write_json(path, doc, compact=True)
    except OSError as exc:
        raise OutboxError(f'Kunde inte skriva "{path}": {swedish_reason(exc)}.') from exc
