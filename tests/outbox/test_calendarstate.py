"""Tests for docautomation.outbox.calendarstate: the event versions kept between builds."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest

from docautomation.documents.calendars import CalendarEvent, EventVersion
from docautomation.errors import OutboxError
from docautomation.outbox.calendarstate import (
    calendar_state_path,
    load_event_versions,
    save_event_versions,
)

EVENT = CalendarEvent(
    uid="a@docautomation", summary="Årsmöte – Castor", day=date(2021, 5, 20), start=time(13, 0),
    end=None, location="Distans", url="https://zoom.us/j/1", description="Dagordning:\n1. Öppnande",
)  # fmt: skip
VERSIONS = {
    "a@docautomation": EventVersion(EVENT, 2, date(2021, 3, 1)),
    "b@docautomation": EventVersion(
        replace(EVENT, uid="b@docautomation", start=None, end=None, url=""),
        1,
        date(2021, 2, 1),
        cancelled=True,
    ),
}


def test_versions_come_back_as_they_were_saved(tmp_path: Path) -> None:
    """Every field survives the file, so an unchanged event compares equal on the next build."""
    save_event_versions(tmp_path, 2021, VERSIONS, before={})
    assert load_event_versions(tmp_path, 2021) == VERSIONS
    assert load_event_versions(tmp_path, 2022) == {}


def test_unchanged_versions_leave_the_file_untouched(tmp_path: Path) -> None:
    """An unchanged build writes nothing (the unchanged-rebuild path touches no file)."""
    save_event_versions(tmp_path, 2021, VERSIONS, before={})
    path = calendar_state_path(tmp_path, 2021)
    stamp = path.stat().st_mtime_ns
    save_event_versions(tmp_path, 2021, dict(VERSIONS), before=load_event_versions(tmp_path, 2021))
    assert path.stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"version": 99, "events": {}}',
        '{"version": 1, "events": {"x": {"uid": 5}}}',
        '{"version": 1, "events": []}',
    ],
)
def test_an_unreadable_state_starts_afresh(tmp_path: Path, text: str) -> None:
    """A damaged or foreign state file costs the SEQUENCE history, never the build."""
    path = calendar_state_path(tmp_path, 2021)
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    assert load_event_versions(tmp_path, 2021) == {}


def test_a_negative_or_non_number_sequence_is_refused(tmp_path: Path) -> None:
    save_event_versions(tmp_path, 2021, VERSIONS, before={})
    path = calendar_state_path(tmp_path, 2021)
    doc = json.loads(path.read_text(encoding="utf-8"))
    for bad in (-1, True, "3"):
        doc["events"]["a@docautomation"]["sequence"] = bad
        path.write_text(json.dumps(doc), encoding="utf-8")
        assert load_event_versions(tmp_path, 2021) == {}


def test_a_state_that_cannot_be_written_is_a_swedish_outbox_error(tmp_path: Path) -> None:
    (tmp_path / ".docautomation").write_text("a file where the folder should be")
    with pytest.raises(OutboxError, match="Kunde inte skriva"):
        save_event_versions(tmp_path, 2021, VERSIONS, before={})
