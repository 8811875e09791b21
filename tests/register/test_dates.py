"""Tests for dates and times in cells: month names, date and time text, Excel values."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given

from docautomation.register.dates import date_parts, month_number, parse_date, parse_time
from docautomation.register.values import Reading
from tests.support.cells import any_cell_value


@pytest.mark.parametrize(
    ("word", "number"),
    [
        ("januari", 1),
        ("jan", 1),
        ("Jan.", 1),
        ("January", 1),
        ("febr", 2),
        ("mars", 3),
        ("Mar", 3),
        ("MARCH", 3),
        ("apr.", 4),
        ("maj", 5),
        ("May", 5),
        ("juni", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept.", 9),
        ("okt", 10),
        ("Oct", 10),
        ("nov", 11),
        ("dec.", 12),
        ("december", 12),
        ("höst", None),
        ("", None),
    ],
)
def test_month_number(word: str, number: int | None) -> None:
    """Swedish and English month names, full or abbreviated, any case, with or without period."""
    assert month_number(word) == number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2021, 3, 15, 13, 0), date(2021, 3, 15)),
        (date(2021, 3, 15), date(2021, 3, 15)),
        ("2021-03-15", date(2021, 3, 15)),
        ("2021-03-15 00:00:00", date(2021, 3, 15)),
        ("15 mars 2021", date(2021, 3, 15)),
        ("den 15 mars 2021", date(2021, 3, 15)),
        ("15/3 2021", date(2021, 3, 15)),
        ("15/3/2021", date(2021, 3, 15)),
        ("15.3.2021", date(2021, 3, 15)),
        ("15 Mar. 2021", date(2021, 3, 15)),
        ("måndag 15 mars 2021", date(2021, 3, 15)),
        ("mån 15 mars 2021", date(2021, 3, 15)),
        ("Tis. 9/2 2021", date(2021, 2, 9)),
        ("15/3-2021", date(2021, 3, 15)),
        ("1 October 2021", date(2021, 10, 1)),
        (44270, date(2021, 3, 15)),
        (44270.0, date(2021, 3, 15)),
        (None, None),
        ("", None),
    ],
)
def test_date_accepts(value: object, expected: date | None) -> None:
    """Excel dates, ISO text and Swedish text all read as the same date."""
    assert parse_date(value) == Reading(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("15 mars", "saknar år"),
        ("15/3", "saknar år"),
        ("21-03-15", "är inte ett datum"),
        ("snart", "är inte ett datum"),
        (2021, "är inte ett datum"),
        (True, "är inte ett datum"),
        (time(13), "är inte ett datum"),
        (date(1, 1, 1), "är inte ett giltigt datum"),
    ],
)
def test_date_refuses(value: object, reason: str) -> None:
    """Missing years, impossible days, two-digit years and non-dates are refused with an example."""
    problem = parse_date(value).problem  # type: ignore[arg-type]
    assert problem == f"{reason} (skriv t.ex. 2021-03-15 eller 15 mars 2021)."


def test_date_parts_keeps_a_missing_year_open() -> None:
    """date_parts reports day, month and None for the year when none is written."""
    assert date_parts("15 mars") == (15, 3, None)
    assert date_parts("15/3 2021") == (15, 3, 2021)
    assert date_parts("vecka 12") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(13, 0), time(13, 0)),
        (datetime(1899, 12, 30, 9, 30), time(9, 30)),
        ("13.00", time(13, 0)),
        ("13:00", time(13, 0)),
        ("kl. 13.00", time(13, 0)),
        ("kl 13.00", time(13, 0)),
        ("Kl. 9.30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("13", time(13, 0)),
        ("13:00:00", time(13, 0)),
        ("13,00", time(13, 0)),
        (0.5, time(12, 0)),
        (0.3958333333, time(9, 30)),
        (13, time(13, 0)),
        (datetime(1900, 1, 13), time(13, 0)),  # "13" typed into a time-formatted cell
        (datetime(2021, 2, 9, 13, 30), time(13, 30)),
        (time(12, 59, 59, 999999), time(13, 0)),
        (None, None),
    ],
)
def test_time_accepts(value: object, expected: time | None) -> None:
    """Excel times, day fractions and 13.00 / 13:00 / kl. 13.00 all read, to the minute."""
    assert parse_time(value) == Reading(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    ["25.00", "13.60", "eftermiddag", 1.5, -0.1, 24, True, date(2021, 1, 1), float("nan")],
)
def test_time_refuses(value: object) -> None:
    """Impossible hours or minutes and non-times are refused with an example."""
    assert parse_time(value).problem == "är inte en tid (skriv t.ex. 13.00)."  # type: ignore[arg-type]


@given(any_cell_value)
def test_date_and_time_never_raise(value: object) -> None:
    """Any cell value gives a Reading from both parsers."""
    for parse in (parse_date, parse_time):
        reading = parse(value)  # type: ignore[arg-type]
        assert reading.ok or reading.value is None
    if isinstance(value, str):
        # The parts are not checked as a calendar date ("15/13" names month 13, so the message
        # can say there is no month 13): day and month of two digits, a year of four, if any.
        parts = date_parts(value)
        assert parts is None or (
            0 <= parts[0] <= 99 and 0 <= parts[1] <= 99 and (parts[2] is None or parts[2] <= 9999)
        )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31/2 2021", "är inte ett giltigt datum: februari 2021 har bara 28 dagar."),
        ("29 februari 2024", None),
        ("31/4 2021", "är inte ett giltigt datum: april 2021 har bara 30 dagar."),
        (
            "15/13 2021",
            (
                "är inte ett giltigt datum: det finns ingen månad 13 (skriv t.ex. "
                "2021-03-15 eller 15 mars 2021)."
            ),
        ),
        ("0/3 2021", "är inte ett giltigt datum (skriv t.ex. 2021-03-15 eller 15 mars 2021)."),
    ],
)
def test_an_impossible_day_says_how_long_the_month_is(value: str, reason: str | None) -> None:
    """ "31/2 2021" is refused naming February's length; a leap day in a leap year is fine."""
    assert parse_date(value).problem == (reason or "")


@pytest.mark.parametrize("value", ["13-15", "13.00-15.00", "kl. 9.30–11.00", "13:00 - 16:00"])
def test_two_times_in_one_cell_are_sent_to_start_and_slut(value: str) -> None:
    """A span typed into Start says to put the end time in Slut."""
    assert parse_time(value).problem == (
        "är två tider: skriv starttiden i Start och sluttiden i Slut (t.ex. 13.00 och 15.00)."
    )


def test_the_fixed_names_are_cldrs_for_swedish_and_english() -> None:
    """Month names (full, abbreviated) in sv and en, and Swedish weekday names, as babel has
    them, each read back as its number by month_number."""
    from babel.dates import get_day_names, get_month_names

    from docautomation.register.dates import MONTH_NAMES, WEEKDAY_NAMES
    from docautomation.register.values import normalise

    def cldr(names: dict[int, str]) -> tuple[str, ...]:
        return tuple(normalise(names[n]).rstrip(".") for n in sorted(names))

    months = [get_month_names(w, locale=lc) for lc in ("sv", "en") for w in ("wide", "abbreviated")]
    assert tuple(cldr(names) for names in months) == MONTH_NAMES
    days = [get_day_names(w, locale="sv") for w in ("wide", "abbreviated")]
    assert tuple(cldr(names) for names in days) == WEEKDAY_NAMES
    assert all(month_number(n) == i for names in MONTH_NAMES for i, n in enumerate(names, 1))
