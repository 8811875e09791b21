"""Validation rules for Möten: identity, times, place, kallelse timing, days off, year, agenda."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, time
from typing import TypeVar

from .. import swedish
from ..models import Association, CellRef, Meeting, MeetingType, Problem, Register, error, warning
from ..register.agenda import notice_deadline, notice_window, standard_agenda
from ..swedish import count
from .holidays_se import days_off

_T = TypeVar("_T")
_AGM_TYPES = frozenset({MeetingType.ARSMOTE, MeetingType.EXTRA_ARSMOTE})
_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def meeting_problems(register: Register, sheet: str) -> list[Problem]:
    """All rules for the Möten sheet over the interpreted meetings.

    Args:
        register: The interpreted register.
        sheet: The Möten sheet's name as written, for problems that have no cell.

    Returns:
        The problems in rule order (the caller sorts).
    """
    meetings = register.meetings
    found: list[Problem] = [*_duplicates(meetings)]
    for meeting in meetings:
        found += _times(meeting)
        found += _place(meeting, sheet)
        found += _notice(meeting, register.association)
        found += _agenda(meeting, sheet)
    found += _days_off(meetings)
    found += _other_year(meetings, register.association.year)
    return found


def _duplicates(meetings: tuple[Meeting, ...]) -> Iterator[Problem]:
    by_id: dict[str, tuple[CellRef, str]] = {}
    by_day: dict[tuple[MeetingType, date], CellRef] = {}
    for meeting in meetings:
        ref, text = meeting.cells.get("ID"), meeting.id.strip()
        if text and ref is not None:
            earlier = by_id.setdefault(text.casefold(), (ref, text))
            if earlier[0] != ref:
                where = earlier[0] if earlier[1] == text else f'{earlier[0]} ("{earlier[1]}")'
                yield error(
                    ref,
                    f'Mötes-ID "{text}" används redan i {where}. Varje möte ska ha '
                    "ett eget ID; det identifierar mötet i kalendern.",
                )
        yield from _same_day(meeting, by_day)


def _same_day(meeting: Meeting, seen: dict[tuple[MeetingType, date], CellRef]) -> Iterator[Problem]:
    # Without an ID a meeting's calendar UID comes from Mötestyp and Datum, so two
    # such meetings would share one event: importing the calendar keeps only one of them.
    ref = meeting.cells.get("Datum")
    if meeting.type is None or meeting.date is None or ref is None or meeting.id.strip():
        return
    key = (meeting.type, meeting.date)
    if key in seen:
        yield warning(
            ref,
            f"{meeting.type.value} {meeting.date.isoformat()} utan ID finns redan "
            f"i {seen[key]}. Mötena får då samma händelse i kalendern och vid import "
            "ersätter det ena det andra: ta bort dubbletten eller ge mötena var sitt ID.",
        )
    else:
        seen[key] = ref


def _times(meeting: Meeting) -> Iterator[Problem]:
    ref = meeting.cells.get("Slut")
    if meeting.start is None or meeting.end is None or ref is None:
        return
    if meeting.end <= meeting.start:
        yield error(
            ref,
            f"Slut {_clock(meeting.end)} är inte efter Start {_clock(meeting.start)}. "
            "Ange en sluttid efter starttiden, eller lämna Slut tom.",
        )


def _place(meeting: Meeting, sheet: str) -> Iterator[Problem]:
    # A malformed Distanslänk is interpret's to report; it still counts as given here.
    if not meeting.place.strip() and not meeting.link.strip():
        ref = _first_ref(meeting, "Plats", "Distanslänk", "Datum")
        yield error(
            ref,
            "Både Plats och Distanslänk är tomma. Ange var mötet hålls, en "
            "distanslänk (https://…) eller båda.",
            sheet=sheet,
        )


def _notice(meeting: Meeting, association: Association) -> Iterator[Problem]:
    ref = meeting.cells.get("Kallelsedatum")
    notice = meeting.notice_date
    if notice is None or meeting.date is None or ref is None or meeting.type is None:
        return
    if meeting.type in _AGM_TYPES:
        window = _safe(lambda: notice_window(meeting, association))
        if window is not None and not window[0] <= notice <= window[1]:
            yield error(ref, _window_message(meeting, notice, window, association))
    elif meeting.type is not MeetingType.KONSTITUERANDE:
        latest = _safe(lambda: notice_deadline(meeting, association))
        if latest is not None and notice > latest:
            yield warning(ref, _late_message(meeting.date, notice, latest, association))
    elif notice > meeting.date:  # called with the årsmöte: only a day after the meeting is wrong
        yield warning(
            ref,
            f"Kallelsedatum {_day(notice)} är efter mötet {_day(meeting.date)}. "
            "Skriv dagen kallelsen skickas (som årsmötets), eller lämna cellen tom.",
        )


def _late_message(held: date, notice: date, latest: date, association: Association) -> str:
    days = association.board_notice_days
    # "senare än 7 dagar före mötet" would hide a plain typo: a day on or after the meeting.
    if notice >= held:
        when = "är efter mötet" if notice > held else "är samma dag som mötet"
        return (
            f"Kallelsedatum {_day(notice)} {when} {_day(held)}. Kallelsen bör skickas "
            f"senast {_day(latest)} ({count(days, 'dag')} före mötet)."
        )
    return (
        f"Kallelsedatum {_day(notice)} är senare än {count(days, 'dag')} före mötet {_day(held)}. "
        f"Kallelsen bör skickas senast {_day(latest)}."
    )


def _window_message(
    meeting: Meeting, notice: date, window: tuple[date, date], association: Association
) -> str:
    kind = meeting.type.value.lower() if meeting.type else "mötet"
    held = _day(meeting.date) if meeting.date else ""
    return (
        f"Kallelsedatum {_day(notice)} ligger utanför stadgarnas tidsfönster för {kind} "
        f"{held}: kallelsen ska skickas tidigast {_day(window[0])} och senast "
        f"{_day(window[1])} (högst {association.agm_notice_earliest_weeks} och minst "
        f"{count(association.agm_notice_latest_weeks, 'vecka')} före mötet)."
    )


def _days_off(meetings: tuple[Meeting, ...]) -> Iterator[Problem]:
    dated = [
        (m, m.date, ref)
        for m in meetings
        if m.date is not None and (ref := m.cells.get("Datum")) is not None
    ]
    days_off = swedish_days_off({day.year for _, day, _ in dated})
    for _meeting, day, ref in dated:
        what = _day_off(day, days_off)
        if what:
            yield warning(
                ref, f"Mötet {_weekday_date(day)} infaller på {what}. Kontrollera datumet."
            )


def _other_year(meetings: tuple[Meeting, ...], year: int | None) -> Iterator[Problem]:
    # A year typed wrong ("2020" in January) would otherwise give a kallelse and a calendar
    # event a year off without a word; a meeting really held in another year may stay.
    for meeting in meetings:
        ref = meeting.cells.get("Datum")
        if year is None or meeting.date is None or ref is None or meeting.date.year == year:
            continue
        yield warning(
            ref,
            f"Mötet {_weekday_date(meeting.date)} ligger inte i verksamhetsåret "
            f"{year}. Kontrollera året.",
        )


def swedish_days_off(years: set[int]) -> Mapping[date, str]:
    """Swedish public holidays plus midsommarafton, julafton and nyårsafton, by date.

    Sundays are left out (the weekday check covers them); two holidays on one day are joined
    with "och". Years before 1953 (other rules) and after 9999 have none.
    """
    return days_off(year for year in years if 1953 <= year <= 9999)


def _day_off(day: date, days_off: Mapping[date, str]) -> str:
    name = days_off.get(day)
    if name:
        return name[0].lower() + name[1:]
    if day.weekday() >= 5:
        return f"en {_WEEKDAYS[day.weekday()]}"
    return ""


def _agenda(meeting: Meeting, sheet: str) -> Iterator[Problem]:
    if meeting.type is None or meeting.agenda or standard_agenda(meeting.type):
        return
    ref = _first_ref(meeting, "Dagordning", "Mötestyp")
    yield warning(
        ref,
        f"Dagordning är tom och {meeting.type.value} har ingen standarddagordning, "
        "så kallelsen säger att programmet meddelas senare. Skriv programpunkterna "
        "här, en per rad, om de är kända.",
        sheet=sheet,
    )


def _first_ref(meeting: Meeting, *columns: str) -> CellRef | None:
    return next((ref for c in columns if (ref := meeting.cells.get(c)) is not None), None)


def _safe(compute: Callable[[], _T]) -> _T | None:
    # Dates near date.min/date.max, or absurd week and day counts, overflow: no rule applies.
    try:
        return compute()
    except (OverflowError, ValueError):
        return None


def _day(day: date) -> str:
    return swedish.text_date(day)


def _weekday_date(day: date) -> str:
    return swedish.long_date(day)


def _clock(moment: time) -> str:
    return f"{moment.hour:02d}.{moment.minute:02d}"
