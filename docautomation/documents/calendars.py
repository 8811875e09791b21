"""Calendar files for the meetings (.ics, RFC 5545): stable UIDs, Stockholm time, byte-identical.

One file per meeting beside its kallelse, "<år>/Kallelser/<YYYY-MM-DD> <Mötestyp>.ics", and all
meetings in "<år>/Möten <år>.ics". Nothing in them depends on the clock but the build's date (which
--date fixes), and that only through the events the build changes:

* UID: a UUID derived from the association's name and the meeting's identity (its ID, else its
  Mötestyp and Datum), so re-importing updates the event instead of duplicating it;
* SEQUENCE and DTSTAMP: the event's version, from the previous build's state (see revise);
* DTSTART/DTEND: Europe/Stockholm with a VTIMEZONE covering the meetings' years. A meeting
  without Slut lasts DEFAULT_DURATION (two hours); one without Start is an all-day event;
* a meeting that disappeared stays in Möten <år>.ics, cancelled; CRLF line endings.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import icalendar

from ..models import Association, DocumentJob, Meeting, Register
from ..register.agenda import effective_agenda
from ..text import printable
from .formatting import kallelse_names

TIMEZONE = "Europe/Stockholm"
DEFAULT_DURATION = timedelta(hours=2)
PRODID = "-//docautomation//Kallelser//SV"
# Fixed namespace for uuid5: changing it would change every meeting's UID.
_UID_NAMESPACE = uuid.UUID("0204c5fb-993c-5371-afab-a236d22f958d")
_FORMAT = "ics-2"  # bump when the file layout changes, so every calendar key changes
_NO_AGENDA = "Programmet meddelas senare."


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """What one VEVENT says: everything the .ics is made from (and so its job key)."""

    uid: str
    summary: str
    day: date
    start: time | None
    end: time | None
    location: str
    url: str
    description: str


@dataclass(frozen=True, slots=True)
class EventVersion:
    """An event as one build writes it: SEQUENCE, DTSTAMP's day, and whether it is cancelled.

    The outbox keeps each year's versions, so an event's SEQUENCE rises by one whenever its
    time, place, title or status changes, and DTSTAMP is the day of the build that last
    changed anything in it: a calendar client takes the higher SEQUENCE, then the later
    DTSTAMP, as the newer event. A meeting moved earlier no longer looks older.
    """

    event: CalendarEvent
    sequence: int
    stamp: date
    cancelled: bool = False


# What a calendar client shows as the meeting: a change here raises SEQUENCE.
_SIGNIFICANT = ("summary", "day", "start", "end", "location", "url")
_CANCELLED_PREFIX = "INSTÄLLT: "


def revise(
    events: Sequence[CalendarEvent], known: Mapping[str, EventVersion], today: date
) -> tuple[tuple[EventVersion, ...], dict[str, EventVersion]]:
    """The events' versions after the previous build's `known` ones, and the state to keep.

    Returns:
        The versions of `events` in order, and every version to keep by slot (the UID; a
        later event with the same UID gets its own slot): the current ones, and the known
        ones whose meeting disappeared, cancelled (once, so their SEQUENCE rises once). A
        known slot whose UID is still in use is dropped: cancelling it would cancel the
        meeting that has that UID now.
    """
    state: dict[str, EventVersion] = {}
    current: list[EventVersion] = []
    for event in events:
        slot, n = event.uid, 2
        while slot in state:
            slot, n = f"{event.uid} ({n})", n + 1
        state[slot] = _next_version(known.get(slot), event, False, today)
        current.append(state[slot])
    live = {event.uid for event in events}
    for slot, old in known.items():
        if slot not in state and old.event.uid not in live:
            state[slot] = _next_version(old, old.event, True, today)
    return tuple(current), state


def _next_version(
    old: EventVersion | None, event: CalendarEvent, cancelled: bool, today: date
) -> EventVersion:
    if old is None:
        return EventVersion(event, 0, today, cancelled)
    if old.event == event and old.cancelled == cancelled:
        return old
    significant = old.cancelled != cancelled or any(
        getattr(old.event, name) != getattr(event, name) for name in _SIGNIFICANT
    )
    return EventVersion(event, old.sequence + significant, today, cancelled)


def meeting_event_uid(meeting: Meeting, association: Association) -> str:
    """The meeting's stable calendar UID, derived from the register and never random.

    The identity is the meeting's ID when it has one, else its Mötestyp and Datum (so moving a
    meeting without an ID makes it a new event), qualified by the association's name.
    Case and repeated spaces do not matter.
    """
    if meeting.id.strip():
        identity = f"id:{_normal(meeting.id)}"
    else:
        day = meeting.date.isoformat() if meeting.date else ""
        identity = f"typ:{_normal(_type_name(meeting))}\n{day}"
    basis = "\n".join((_normal(association.name), identity))
    return f"{uuid.uuid5(_UID_NAMESPACE, basis)}@docautomation"


def kallelse_basename(meeting: Meeting, all_meetings: Sequence[Meeting]) -> str:
    """The file stem of one meeting's kallelse and .ics, e.g. "2021-02-09 Styrelsemöte".

    Raises:
        ValueError: the meeting is not among `all_meetings` or has no date or type.
    """
    named = kallelse_names(all_meetings)
    found = next((stem for m, stem in named if m is meeting), None)
    found = found or next((stem for m, stem in named if m == meeting), None)
    if found is None:
        raise ValueError("the meeting has no kallelse (no date or Mötestyp, or not listed)")
    return found


def meeting_event(register: Register, meeting: Meeting) -> CalendarEvent:
    """The calendar event for one meeting (which must have a date).

    Its texts pass the one rule for output text (text.printable): strict calendar readers
    refuse a file with a control character in it.
    """
    if meeting.date is None:
        raise ValueError("a meeting without a date has no calendar event")
    association = register.association
    return CalendarEvent(
        uid=meeting_event_uid(meeting, association),
        summary=printable(f"{_type_name(meeting)} – {_one_line(association.name)}"),
        day=meeting.date,
        start=meeting.start,
        end=meeting.end,
        location=printable(_location(meeting)),
        url=printable(meeting.link.strip()),
        description=printable(_description(meeting)),
    )


def meeting_calendar(register: Register, meeting: Meeting, *, today: date) -> bytes:
    """One meeting as an .ics file (a VCALENDAR with its VTIMEZONE and one VEVENT), as the
    first build on `today` writes it."""
    return render_calendar((EventVersion(meeting_event(register, meeting), 0, today),))


def calendar_jobs(
    register: Register, *, today: date, known: Mapping[str, EventVersion] | None = None
) -> tuple[list[DocumentJob], dict[str, EventVersion]]:
    """The .ics outputs: one beside each kallelse, and "<år>/Möten <år>.ics" with them all.

    Args:
        register: the interpreted register; nothing is produced without a Verksamhetsår.
        today: the build's date: DTSTAMP of the events this build changes.
        known: the versions the previous build kept for this year (see revise).

    Returns:
        Jobs whose keys change only when an event in their file changes (so an unchanged
        meeting keeps its file from one day to the next), and the versions to keep.
    """
    year = register.association.year
    if year is None:
        return [], dict(known or {})
    writer = CalendarWriter()  # shared: every event is in its own file and in Möten <år>.ics
    named = kallelse_names(register.meetings)
    versions, state = revise([meeting_event(register, m) for m, _ in named], known or {}, today)
    jobs: list[DocumentJob] = []
    for version, (_, stem) in zip(versions, named, strict=True):
        render = partial(writer.render, (version,))
        jobs.append(DocumentJob(f"{year}/Kallelser/{stem}.ics", _key((version,), None), render))
    everything = _by_time(state.values())  # the cancelled ones too
    if everything:
        calname = _calendar_name(register)
        render = partial(writer.render, everything, calname)
        jobs.append(DocumentJob(f"{year}/Möten {year}.ics", _key(everything, calname), render))
    return jobs, state


def render_calendar(events: Sequence[EventVersion], name: str | None = None) -> bytes:
    """Serialise events as an RFC 5545 VCALENDAR (CRLF lines) with a Europe/Stockholm VTIMEZONE.

    `name` (X-WR-CALNAME) is set for a file that holds a whole calendar, not for a single event.
    """
    return CalendarWriter().render(events, name)


class CalendarWriter:
    """Writes .ics files, serialising each VEVENT and VTIMEZONE once however often it is used.

    A build puts every event in two files (its own and Möten <år>.ics), each with the same
    VTIMEZONE, and icalendar's serialisation is most of a calendar's cost (500 meetings:
    0.7 s → 0.3 s). The output is exactly icalendar's for the whole calendar: a component's
    lines do not depend on the calendar around it. Picklable, for a process pool.
    """

    def __init__(self) -> None:
        self._events: dict[EventVersion, bytes] = {}
        self._zones: dict[tuple[int, int], bytes] = {}

    def render(self, events: Sequence[EventVersion], name: str | None = None) -> bytes:
        """The VCALENDAR of `events` (see render_calendar)."""
        parts = [_calendar_head(name)]
        if any(version.event.start is not None for version in events):
            years = [version.event.day.year for version in events]
            parts.append(self._zone(min(years), max(years) + 1))
        parts += [self._event(version) for version in events]
        parts.append(_CALENDAR_END)
        return b"".join(parts)

    def _event(self, version: EventVersion) -> bytes:
        if version not in self._events:
            self._events[version] = bytes(_vevent(version).to_ical())
        return self._events[version]

    def _zone(self, first: int, last: int) -> bytes:
        if (first, last) not in self._zones:
            zone = stockholm_zone(first, last)
            self._zones[first, last] = bytes(zone.to_ical())
        return self._zones[first, last]


def stockholm_zone(first: int, last: int) -> icalendar.Timezone:
    """Europe/Stockholm as a VTIMEZONE covering the years first up to (not including) last."""
    zone = icalendar.Timezone.from_tzid(
        TIMEZONE, first_date=date(first, 1, 1), last_date=date(last, 1, 1)
    )
    # icalendar notes the covered years in English; the secretary may open the file.
    zone.pop("COMMENT", None)
    zone.add("comment", f"Tidszonen gäller för mötena {first}–{last - 1}.")
    return zone


_CALENDAR_END = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=8)  # every meeting's own file has the same head
def _calendar_head(name: str | None) -> bytes:
    """The calendar's BEGIN line and properties: its serialisation without components or END."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", TIMEZONE)
    whole = bytes(calendar.to_ical())
    assert whole.endswith(_CALENDAR_END)
    return whole[: -len(_CALENDAR_END)]


def _vevent(version: EventVersion) -> icalendar.Event:
    event = version.event
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", datetime.combine(version.stamp, time(0), tzinfo=UTC))
    vevent.add("sequence", version.sequence)
    vevent.add("status", "CANCELLED" if version.cancelled else "CONFIRMED")
    start, end = _span(event)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    prefix = _CANCELLED_PREFIX if version.cancelled else ""
    vevent.add("summary", prefix + event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("description", event.description)
    return vevent


def _span(event: CalendarEvent) -> tuple[date | datetime, date | datetime]:
    if event.start is None:
        return event.day, event.day + timedelta(days=1)
    start = datetime.combine(event.day, event.start, tzinfo=ZoneInfo(TIMEZONE))
    if event.end is not None and event.end > event.start:
        return start, datetime.combine(event.day, event.end, tzinfo=ZoneInfo(TIMEZONE))
    return start, start + DEFAULT_DURATION


def _by_time(versions: Iterable[EventVersion]) -> tuple[EventVersion, ...]:
    return tuple(
        sorted(versions, key=lambda v: (v.event.day, v.event.start or time(0), v.cancelled))
    )


def _one_line(text: str) -> str:
    """A cell's lines joined by ", ": SUMMARY, LOCATION and the calendar name are one line."""
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def _location(meeting: Meeting) -> str:
    # A cell may hold several lines ("Kommunhuset\nStora salen"); LOCATION reads as one line.
    place = _one_line(meeting.place)
    if place and meeting.link.strip():
        return f"{place} / Distans"
    return place or ("Distans" if meeting.link.strip() else "")


def _description(meeting: Meeting) -> str:
    items = effective_agenda(meeting)
    lines = ["Dagordning:", *(f"{n}. {item}" for n, item in enumerate(items, 1))]
    if not items:
        lines = [_NO_AGENDA]
    if meeting.link.strip():
        lines += ["", f"Distanslänk: {meeting.link.strip()}"]
    return "\n".join(lines)


def _calendar_name(register: Register) -> str:
    return printable(f"Möten {register.association.year} – {_one_line(register.association.name)}")


def _key(events: Sequence[EventVersion], name: str | None) -> str:
    payload = {
        "format": _FORMAT,
        "icalendar": icalendar.__version__,
        "name": name,
        "events": [asdict(event) for event in events],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _type_name(meeting: Meeting) -> str:
    return meeting.type.value if meeting.type else (meeting.type_text.strip() or "Möte")


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()
