"""Each year's calendar event versions, kept in the outbox so SEQUENCE survives restarts."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Any

from ..documents.calendars import CalendarEvent, EventVersion
from ..errors import OutboxError
from ..fileio import STATE_DIR, read_json, swedish_reason, write_json

log = logging.getLogger(__name__)

_VERSION = 1


def calendar_state_path(outbox: Path, year: int) -> Path:
    """Where the event versions of `year`'s calendar files are kept."""
    return Path(outbox) / STATE_DIR / f"calendar-{year}.json"


def load_event_versions(outbox: Path, year: int) -> dict[str, EventVersion]:
    """The versions the last build kept for `year`, by slot; {} before the first or if unreadable.

    A lost state only restarts the events' SEQUENCE: nothing in the outbox depends on it.
    """
    path = calendar_state_path(outbox, year)
    doc = read_json(path)
    if not doc:
        return {}
    try:
        if doc["version"] != _VERSION:
            raise ValueError(f"unknown version {doc['version']!r}")
        return {str(slot): _from_json(raw) for slot, raw in doc["events"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("Kan inte läsa kalenderläget %s (%s); börjar om från tomt.", path, exc)
        return {}


def save_event_versions(
    outbox: Path,
    year: int,
    versions: Mapping[str, EventVersion],
    *,
    before: Mapping[str, EventVersion],
) -> None:
    """Keep `versions` for `year`'s next build; nothing is written when they equal `before`."""
    if dict(versions) == dict(before):
        return
    path = calendar_state_path(outbox, year)
    doc = {"version": _VERSION, "events": {slot: _to_json(v) for slot, v in versions.items()}}
    try:
        write_json(path, doc)
    except OSError as exc:
        raise OutboxError(f'Kunde inte skriva "{path}": {swedish_reason(exc)}.') from exc


def _to_json(version: EventVersion) -> dict[str, Any]:
    event = version.event
    return {
        "uid": event.uid,
        "summary": event.summary,
        "day": event.day.isoformat(),
        "start": _time_json(event.start),
        "end": _time_json(event.end),
        "location": event.location,
        "url": event.url,
        "description": event.description,
        "sequence": version.sequence,
        "stamp": version.stamp.isoformat(),
        "cancelled": version.cancelled,
    }


def _from_json(raw: Mapping[str, Any]) -> EventVersion:
    event = CalendarEvent(
        uid=_text(raw["uid"]),
        summary=_text(raw["summary"]),
        day=date.fromisoformat(raw["day"]),
        start=_time(raw["start"]),
        end=_time(raw["end"]),
        location=_text(raw["location"]),
        url=_text(raw["url"]),
        description=_text(raw["description"]),
    )
    sequence = raw["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise ValueError(f"bad sequence {sequence!r}")
    return EventVersion(event, sequence, date.fromisoformat(raw["stamp"]), raw["cancelled"] is True)


def _time_json(value: time | None) -> str | None:
    return None if value is None else value.isoformat()


def _time(value: Any) -> time | None:
    return None if value is None else time.fromisoformat(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value
