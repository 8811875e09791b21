"""Tests for docautomation.calendars: stable UIDs, Stockholm times, byte-identical .ics files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from docautomation.documents import calendars
from docautomation.documents.calendars import (
    calendar_jobs,
    kallelse_basename,
    meeting_event_uid,
)
from docautomation.models import Association, Meeting, MeetingType, Register

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CASTOR = Association(name="Användarföreningen Castor", year=2021)
BOARD = Meeting(
    date(2021, 2, 9),
    time(9, 30),
    MeetingType.STYRELSEMOTE,
    end=time(11, 0),
    place="Kommunhuset, Växjö",
    link="https://teams.microsoft.com/l/meetup-join/abc",
)
AGM = Meeting(
    date(2021, 5, 20), time(13, 0), MeetingType.ARSMOTE, link="https://zoom.us/j/1", id="ÅM-2021"
)
WORKSHOP = Meeting(
    date(2021, 9, 1), time(10, 0), MeetingType.WORKSHOP, place="Kalmar", agenda=("Fika", "Demo")
)


DAY = date(2021, 1, 4)


def register(*meetings: Meeting, association: Association = CASTOR) -> Register:
    return Register("register.xlsx", association, (), meetings=meetings)


def meeting_calendar(reg: Register, meeting: Meeting) -> bytes:
    """One meeting's .ics as a first build on DAY writes it."""
    return calendars.meeting_calendar(reg, meeting, today=DAY)


def all_meetings_calendar(reg: Register) -> bytes:
    """ "Möten <år>.ics" as a first build on DAY writes it."""
    jobs, _ = calendar_jobs(reg, today=DAY)
    return jobs[-1].render()


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def only_event(data: bytes) -> icalendar.Event:
    events = parse(data).walk("VEVENT")
    assert len(events) == 1 and isinstance(events[0], icalendar.Event)
    return events[0]


def test_meeting_calendar_carries_the_meeting_in_stockholm_time() -> None:
    """One VEVENT with TZID=Europe/Stockholm, a VTIMEZONE, summary, place, link and agenda."""
    data = meeting_calendar(register(BOARD, AGM), BOARD)
    calendar = parse(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    event = only_event(data)
    assert event["UID"] == meeting_event_uid(BOARD, CASTOR)
    assert event["SUMMARY"] == "Styrelsemöte – Användarföreningen Castor"
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event["DTEND"].params["TZID"] == "Europe/Stockholm"
    assert event.decoded("DTSTART") == datetime(2021, 2, 9, 9, 30, tzinfo=STOCKHOLM)
    assert event.decoded("DTEND") == datetime(2021, 2, 9, 11, 0, tzinfo=STOCKHOLM)
    assert event["LOCATION"] == "Kommunhuset, Växjö / Distans"
    assert event["URL"] == "https://teams.microsoft.com/l/meetup-join/abc"
    assert event["SEQUENCE"] == 0
    description = str(event["DESCRIPTION"])
    assert description.startswith("Dagordning:\n1. Mötets öppnande\n2. Val av justerare\n")
    assert "10. Mötets avslutande" in description
    assert description.endswith("Distanslänk: https://teams.microsoft.com/l/meetup-join/abc")


def test_output_is_byte_identical_with_crlf_lines_and_a_fixed_dtstamp() -> None:
    """Same input → same bytes; every line ends in CRLF; a new event's DTSTAMP is the build's date."""
    first = meeting_calendar(register(BOARD), BOARD)
    assert first == meeting_calendar(register(BOARD), BOARD)
    assert first.endswith(b"\r\n") and b"\n" not in first.replace(b"\r\n", b"")
    assert only_event(first).decoded("DTSTAMP") == datetime(2021, 1, 4, tzinfo=ZoneInfo("UTC"))


def test_summer_time_and_default_duration() -> None:
    """A meeting without Slut lasts two hours; summer dates get the CEST offset (+02:00)."""
    event = only_event(meeting_calendar(register(AGM), AGM))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.utcoffset() == timedelta(hours=2)
    assert end - start == calendars.DEFAULT_DURATION == timedelta(hours=2)
    assert event["LOCATION"] == "Distans" and event["URL"] == "https://zoom.us/j/1"


def test_multi_line_place_becomes_one_location_line() -> None:
    """Line breaks in Plats (Alt+Enter in Excel) become ", " in LOCATION."""
    meeting = replace(WORKSHOP, place="Kommunhuset\n  Stora salen \n")
    assert only_event(meeting_calendar(register(meeting), meeting))["LOCATION"] == (
        "Kommunhuset, Stora salen"
    )


def test_multi_line_association_name_gives_one_line_summary_and_calendar_name() -> None:
    """A line break in Föreningens namn must not break SUMMARY or X-WR-CALNAME (it crashed)."""
    two_lines = Association(name="Användarföreningen\nCastor", year=2021)
    reg = register(BOARD, association=two_lines)
    assert only_event(meeting_calendar(reg, BOARD))["SUMMARY"] == (
        "Styrelsemöte – Användarföreningen, Castor"
    )
    whole = parse(all_meetings_calendar(reg))
    assert whole["X-WR-CALNAME"] == "Möten 2021 – Användarföreningen, Castor"


def test_meeting_without_start_is_an_all_day_event() -> None:
    """With no Start the event covers the whole day (DATE values, no VTIMEZONE needed)."""
    meeting = replace(WORKSHOP, start=None)
    data = meeting_calendar(register(meeting), meeting)
    event = only_event(data)
    assert event.decoded("DTSTART") == date(2021, 9, 1)
    assert event.decoded("DTEND") == date(2021, 9, 2)
    assert parse(data).walk("VTIMEZONE") == []


def test_meeting_without_standard_agenda_says_the_program_follows() -> None:
    """A workshop lists its own items; an empty one says the program comes later."""
    assert "1. Fika\n2. Demo" in str(
        only_event(meeting_calendar(register(WORKSHOP), WORKSHOP))["DESCRIPTION"]
    )
    bare = replace(WORKSHOP, agenda=())
    assert str(only_event(meeting_calendar(register(bare), bare))["DESCRIPTION"]) == (
        "Programmet meddelas senare."
    )


def test_uid_follows_the_id_when_given_else_type_and_date() -> None:
    """With an ID, moving the meeting keeps its UID; without one, a new date is a new event."""
    moved_agm = replace(AGM, date=date(2021, 5, 27), start=time(9, 0))
    assert meeting_event_uid(moved_agm, CASTOR) == meeting_event_uid(AGM, CASTOR)
    moved_board = replace(BOARD, date=date(2021, 2, 16))
    assert meeting_event_uid(moved_board, CASTOR) != meeting_event_uid(BOARD, CASTOR)
    replanned = replace(BOARD, start=time(13, 0), place="Annan lokal")
    assert meeting_event_uid(replanned, CASTOR) == meeting_event_uid(BOARD, CASTOR)
    spaced = replace(AGM, id="  åm-2021 ")
    assert meeting_event_uid(spaced, CASTOR) == meeting_event_uid(AGM, CASTOR)
    other = Association(name="Användarföreningen Pollux", year=2021)
    assert meeting_event_uid(AGM, other) != meeting_event_uid(AGM, CASTOR)
    assert meeting_event_uid(AGM, CASTOR).endswith("@docautomation")


def test_all_meetings_calendar_lists_every_meeting_by_date() -> None:
    """ "Möten <år>.ics" holds every dated meeting, sorted, under a calendar name."""
    undated = Meeting(None, time(9, 0), MeetingType.ANNAT, place="?")
    calendar = parse(all_meetings_calendar(register(WORKSHOP, BOARD, undated, AGM)))
    assert calendar["X-WR-CALNAME"] == "Möten 2021 – Användarföreningen Castor"
    assert [e.decoded("DTSTART").date() for e in calendar.walk("VEVENT")] == [
        date(2021, 2, 9),
        date(2021, 5, 20),
        date(2021, 9, 1),
    ]
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_calendar_jobs_name_files_after_the_kallelse() -> None:
    """One .ics per meeting beside its kallelse, plus the year's calendar; render matches."""
    reg = register(BOARD, AGM, WORKSHOP)
    jobs, _ = calendar_jobs(reg, today=DAY)
    assert [j.path for j in jobs] == [
        "2021/Kallelser/2021-02-09 Styrelsemöte.ics",
        "2021/Kallelser/2021-05-20 Årsmöte.ics",
        "2021/Kallelser/2021-09-01 Workshop.ics",
        "2021/Möten 2021.ics",
    ]
    assert jobs[0].render() == meeting_calendar(reg, BOARD)
    assert jobs[3].render() == all_meetings_calendar(reg)
    no_year = register(BOARD, association=replace(CASTOR, year=None))
    assert calendar_jobs(no_year, today=date.today()) == ([], {})


def test_keys_change_only_with_the_meetings_own_data() -> None:
    """Changing one meeting changes its key and the year calendar's, never the others'; the date doesn't."""
    jobs, known = calendar_jobs(register(BOARD, AGM, WORKSHOP), today=DAY)
    before = {j.path: j.key for j in jobs}
    changed_agm = replace(AGM, place="Stadshuset")
    later, _ = calendar_jobs(
        register(BOARD, changed_agm, WORKSHOP), today=date(2021, 6, 30), known=known
    )
    after = {j.path: j.key for j in later}
    differing = {path for path in before if before[path] != after[path]}
    assert differing == {"2021/Kallelser/2021-05-20 Årsmöte.ics", "2021/Möten 2021.ics"}
    renamed = {
        j.path: j.key
        for j in calendar_jobs(
            register(BOARD, association=replace(CASTOR, name="Castor")), today=DAY
        )[0]
    }
    assert (
        renamed["2021/Kallelser/2021-02-09 Styrelsemöte.ics"]
        != before["2021/Kallelser/2021-02-09 Styrelsemöte.ics"]
    )


def test_kallelse_basename_tells_same_day_meetings_apart() -> None:
    """A later meeting with the same date and type gets its ID, else "(2)"; names stay unique."""
    assert kallelse_basename(BOARD, (BOARD, AGM)) == "2021-02-09 Styrelsemöte"
    first, second = replace(BOARD, id="S1"), replace(BOARD, id="S2", row=9)
    assert kallelse_basename(first, (first, second)) == "2021-02-09 Styrelsemöte"
    assert kallelse_basename(second, (first, second)) == "2021-02-09 Styrelsemöte S2"
    plain_a, plain_b, plain_c = (replace(BOARD, row=n) for n in (3, 4, 5))
    meetings = (plain_a, plain_b, plain_c)
    assert [kallelse_basename(m, meetings) for m in meetings] == [
        "2021-02-09 Styrelsemöte",
        "2021-02-09 Styrelsemöte (2)",
        "2021-02-09 Styrelsemöte (3)",
    ]
    odd_id = replace(BOARD, id="A/B: 1", row=6)
    assert kallelse_basename(odd_id, (BOARD, odd_id)) == "2021-02-09 Styrelsemöte A_B_ 1"
    with pytest.raises(ValueError, match="ingen kallelse|no kallelse"):
        kallelse_basename(replace(BOARD, type=None), (replace(BOARD, type=None),))


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)),
    start=st.times(),
    minutes=st.integers(min_value=0, max_value=600),
    place=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40),
)
def test_any_meeting_round_trips_through_icalendar(
    day: date, start: time, minutes: int, place: str
) -> None:
    """Whatever the date, time and place text, parsing gives back the same local times and place."""
    start = start.replace(second=0, microsecond=0, tzinfo=None)
    end_dt = datetime.combine(day, start) + timedelta(minutes=minutes)
    end = end_dt.time() if end_dt.date() == day and minutes else None
    meeting = Meeting(day, start, MeetingType.ANNAT, end=end, place=place, link="https://x.se/m")
    event = only_event(meeting_calendar(register(meeting), meeting))
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime.combine(day, start)
    expected_end = (
        datetime.combine(day, end)
        if end and end > start
        else datetime.combine(day, start) + timedelta(hours=2)
    )
    assert event.decoded("DTEND").replace(tzinfo=None) == expected_end
    assert str(event["LOCATION"]) == (f"{place.strip()} / Distans" if place.strip() else "Distans")


def _whole_calendar(events: tuple[calendars.EventVersion, ...], name: str | None) -> bytes:
    """icalendar's serialisation of the calendar built in one piece (what the writer reuses)."""
    calendar = icalendar.Calendar()
    for key, value in (("prodid", calendars.PRODID), ("version", "2.0"),
                       ("calscale", "GREGORIAN"), ("method", "PUBLISH")):  # fmt: skip
        calendar.add(key, value)
    if name is not None:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", calendars.TIMEZONE)
    if any(e.event.start is not None for e in events):
        years = [e.event.day.year for e in events]
        calendar.add_component(calendars.stockholm_zone(min(years), max(years) + 1))
    for event in events:
        calendar.add_component(calendars._vevent(event))
    return bytes(calendar.to_ical())


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2020, 1, 1), max_value=date(2023, 12, 31)),
            st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0))),
            st.sampled_from(["Kommunhuset", "", "Sal 3\nVäxjö"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_calendar_files_are_exactly_icalendars_whole_calendar(
    rows: list[tuple[date, time | None, str]],
) -> None:
    """The shared writer's files (each VEVENT and VTIMEZONE serialised once) are byte for byte
    what icalendar writes for each calendar built in one piece."""
    meetings = [
        Meeting(day, start, MeetingType.STYRELSEMOTE, place=place or "", id=f"M{n}", row=n + 2,
                link="" if place else "https://x.se/m")
        for n, (day, start, place) in enumerate(rows)
    ]  # fmt: skip
    reg = register(*meetings)
    jobs, _ = calendar_jobs(reg, today=DAY)
    events = [calendars.EventVersion(calendars.meeting_event(reg, m), 0, DAY) for m in meetings]
    for job, event in zip(jobs, events, strict=False):
        assert job.render() == _whole_calendar((event,), None)
    ordered = tuple(sorted(events, key=lambda e: (e.event.day, e.event.start or time(0))))
    assert jobs[-1].render() == _whole_calendar(ordered, calendars._calendar_name(reg))


# ---------------------------------------------------------------------------------------------
# Events over time: SEQUENCE, DTSTAMP and cancellation follow the register from build to build
# ---------------------------------------------------------------------------------------------


def _year_calendar(reg: Register, day: date, known: dict[str, calendars.EventVersion]) -> tuple[
    icalendar.Calendar, dict[str, calendars.EventVersion], dict[str, str]
]:  # fmt: skip
    jobs, state = calendar_jobs(reg, today=day, known=known)
    return parse(jobs[-1].render()), state, {j.path: j.key for j in jobs}


def _by_uid(calendar: icalendar.Calendar) -> dict[str, tuple[int, str, date, str]]:
    """Each event's SEQUENCE, STATUS, DTSTAMP's day and SUMMARY, by UID."""
    return {
        str(e["UID"]): (int(e["SEQUENCE"]), str(e["STATUS"]), e.decoded("DTSTAMP").date(),
                        str(e["SUMMARY"]))
        for e in calendar.walk("VEVENT")
    }  # fmt: skip


def test_sequence_rises_when_time_place_title_or_status_changes() -> None:
    """A new event is SEQUENCE 0 stamped with its build's date; each change of time, place or
    title raises it by one and stamps the changing build's date; an unchanged event keeps both
    (and its key, so its file is not touched)."""
    uid = meeting_event_uid(AGM, CASTOR)
    first, known, keys = _year_calendar(register(BOARD, AGM), DAY, {})
    assert _by_uid(first)[uid] == (0, "CONFIRMED", DAY, "Årsmöte – Användarföreningen Castor")
    again, same, again_keys = _year_calendar(register(BOARD, AGM), date(2021, 2, 1), known)
    assert same == known and again_keys == keys and _by_uid(again) == _by_uid(first)
    changes = [
        replace(AGM, start=time(14, 0)),
        replace(AGM, start=time(14, 0), link="https://zoom.us/j/2"),
        replace(AGM, start=time(14, 0), link="https://zoom.us/j/2", place="Stadshuset"),
        replace(AGM, start=time(14, 0), link="https://zoom.us/j/2", place="Stadshuset",
                date=date(2021, 5, 27)),
    ]  # fmt: skip
    for n, changed in enumerate(changes, 1):
        day = date(2021, 2, n)
        calendar, known, _ = _year_calendar(register(BOARD, changed), day, known)
        assert _by_uid(calendar)[uid][:3] == (n, "CONFIRMED", day)
    board = meeting_event_uid(BOARD, CASTOR)
    assert _by_uid(calendar)[board] == (
        0,
        "CONFIRMED",
        DAY,
        "Styrelsemöte – Användarföreningen Castor",
    )


def test_an_agenda_change_restamps_the_event_without_raising_its_sequence() -> None:
    """Only the description changed: the same SEQUENCE, a new DTSTAMP (the newer event wins)."""
    _, known, _ = _year_calendar(register(WORKSHOP), DAY, {})
    calendar, _, _ = _year_calendar(
        register(replace(WORKSHOP, agenda=("Fika", "Demo", "Lunch"))), date(2021, 3, 1), known
    )
    assert _by_uid(calendar)[meeting_event_uid(WORKSHOP, CASTOR)][:3] == (
        0, "CONFIRMED", date(2021, 3, 1),
    )  # fmt: skip


def test_a_meeting_that_disappeared_stays_cancelled_in_the_year_calendar() -> None:
    """A deleted meeting stays in Möten <år>.ics: STATUS:CANCELLED, "INSTÄLLT: …", SEQUENCE
    raised once; it gets no file of its own; when it comes back it is confirmed again."""
    uid = meeting_event_uid(BOARD, CASTOR)
    _, known, _ = _year_calendar(register(BOARD, AGM), DAY, {})
    jobs, known = calendar_jobs(register(AGM), today=date(2021, 2, 1), known=known)
    assert [j.path for j in jobs] == [
        "2021/Kallelser/2021-05-20 Årsmöte.ics",
        "2021/Möten 2021.ics",
    ]
    cancelled = (
        1,
        "CANCELLED",
        date(2021, 2, 1),
        "INSTÄLLT: Styrelsemöte – Användarföreningen Castor",
    )
    assert _by_uid(parse(jobs[-1].render()))[uid] == cancelled
    calendar, still, _ = _year_calendar(register(AGM), date(2021, 3, 1), known)
    assert still == known and _by_uid(calendar)[uid] == cancelled
    back, _, _ = _year_calendar(register(BOARD, AGM), date(2021, 4, 1), known)
    assert _by_uid(back)[uid] == (
        2,
        "CONFIRMED",
        date(2021, 4, 1),
        "Styrelsemöte – Användarföreningen Castor",
    )
    _, gone, _ = _year_calendar(register(), date(2021, 4, 1), known)  # every meeting deleted
    assert {v.cancelled for v in gone.values()} == {True}


def test_a_meeting_moved_without_an_id_is_a_new_event_and_the_old_one_is_cancelled() -> None:
    """Without an ID the UID follows the date: the old event is cancelled, the new one is 0."""
    _, known, _ = _year_calendar(register(BOARD), DAY, {})
    moved = replace(BOARD, date=date(2021, 2, 16))
    calendar, _, _ = _year_calendar(register(moved), date(2021, 2, 1), known)
    events = _by_uid(calendar)
    assert events[meeting_event_uid(BOARD, CASTOR)][:2] == (1, "CANCELLED")
    assert events[meeting_event_uid(moved, CASTOR)][:2] == (0, "CONFIRMED")
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED", "CONFIRMED"]


def test_meetings_sharing_a_uid_keep_steady_versions_and_are_never_cancelled_while_one_lives() -> (
    None
):
    """Two meetings on one day without an ID share a UID (validation warns): rebuilding changes
    neither, and deleting one does not put a cancellation with the other's UID in the calendar."""
    twin = replace(BOARD, start=time(13, 0), row=9)
    _, known, keys = _year_calendar(register(BOARD, twin), DAY, {})
    _, again, again_keys = _year_calendar(register(BOARD, twin), date(2021, 2, 1), known)
    assert again == known and again_keys == keys
    calendar, _, _ = _year_calendar(register(BOARD), date(2021, 2, 1), known)
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CONFIRMED"]


def test_two_independent_parsers_read_the_updates_alike() -> None:
    """vobject (its own parser) reads the same UIDs, SEQUENCE, STATUS and DTSTAMP as icalendar."""
    import vobject

    _, known, _ = _year_calendar(register(BOARD, AGM, WORKSHOP), DAY, {})
    jobs, _ = calendar_jobs(
        register(replace(AGM, start=time(15, 0)), WORKSHOP), today=date(2021, 2, 1), known=known
    )
    data = jobs[-1].render()
    theirs = {
        str(e.uid.value): (int(e.sequence.value), str(e.status.value), e.dtstamp.value.date(),
                           str(e.summary.value))
        for e in vobject.readOne(data.decode("utf-8")).vevent_list
    }  # fmt: skip
    assert theirs == _by_uid(parse(data))
    assert sorted(v[:2] for v in theirs.values()) == [
        (0, "CONFIRMED"),
        (1, "CANCELLED"),
        (1, "CONFIRMED"),
    ]
