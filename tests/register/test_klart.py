"""Tests for reading Klart texts into Deadlines: every accepted form."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docautomation.models import Deadline, DeadlineKind
from docautomation.register.klart import deadline_from_cell, parse_klart
from tests.support.cells import any_cell_value

K = DeadlineKind
D = date

# text, kind, display, start, end, named year — with Verksamhetsår 2021.
PERIODS = [
    # dates
    ("15 mars 2021", K.DATE, "15 mars 2021", D(2021, 3, 15), D(2021, 3, 15), 2021),
    ("2021-03-15", K.DATE, "15 mars 2021", D(2021, 3, 15), D(2021, 3, 15), 2021),
    ("15/3 2021", K.DATE, "15 mars 2021", D(2021, 3, 15), D(2021, 3, 15), 2021),
    ("15.3.2021", K.DATE, "15 mars 2021", D(2021, 3, 15), D(2021, 3, 15), 2021),
    ("15 mar. 2021", K.DATE, "15 mars 2021", D(2021, 3, 15), D(2021, 3, 15), 2021),
    ("15/3", K.DATE, "15 mars 2021", D(2021, 3, 15), D(2021, 3, 15), None),
    ("den 1 okt", K.DATE, "1 oktober 2021", D(2021, 10, 1), D(2021, 10, 1), None),
    # month and year
    ("April 2021", K.MONTH, "april 2021", D(2021, 4, 1), D(2021, 4, 30), 2021),
    ("apr 2021", K.MONTH, "april 2021", D(2021, 4, 1), D(2021, 4, 30), 2021),
    ("Apr. 2021", K.MONTH, "april 2021", D(2021, 4, 1), D(2021, 4, 30), 2021),
    ("Mar 2021", K.MONTH, "mars 2021", D(2021, 3, 1), D(2021, 3, 31), 2021),
    ("mars 2021", K.MONTH, "mars 2021", D(2021, 3, 1), D(2021, 3, 31), 2021),
    ("mars -21", K.MONTH, "mars 2021", D(2021, 3, 1), D(2021, 3, 31), 2021),
    ("april '21", K.MONTH, "april 2021", D(2021, 4, 1), D(2021, 4, 30), 2021),
    ("Nov 2021", K.MONTH, "november 2021", D(2021, 11, 1), D(2021, 11, 30), 2021),
    ("NOVEMBER 2021", K.MONTH, "november 2021", D(2021, 11, 1), D(2021, 11, 30), 2021),
    ("Sept. 2021", K.MONTH, "september 2021", D(2021, 9, 1), D(2021, 9, 30), 2021),
    ("October 2021", K.MONTH, "oktober 2021", D(2021, 10, 1), D(2021, 10, 31), 2021),
    ("feb 2024", K.MONTH, "februari 2024", D(2024, 2, 1), D(2024, 2, 29), 2024),
    ("maj", K.MONTH, "maj 2021", D(2021, 5, 1), D(2021, 5, 31), None),
    ("i juni 2021", K.MONTH, "juni 2021", D(2021, 6, 1), D(2021, 6, 30), 2021),
    ("mars–april 2021", K.MONTH, "mars–april 2021", D(2021, 3, 1), D(2021, 4, 30), 2021),
    # part of a month
    (
        "Början av april 2021",
        K.MONTH_PART,
        "början av april 2021",
        D(2021, 4, 1),
        D(2021, 4, 10),
        2021,
    ),
    (
        "mitten av april 2021",
        K.MONTH_PART,
        "mitten av april 2021",
        D(2021, 4, 11),
        D(2021, 4, 20),
        2021,
    ),
    (
        "Slutet av april 2021",
        K.MONTH_PART,
        "slutet av april 2021",
        D(2021, 4, 21),
        D(2021, 4, 30),
        2021,
    ),
    (
        "i slutet av feb",
        K.MONTH_PART,
        "slutet av februari 2021",
        D(2021, 2, 21),
        D(2021, 2, 28),
        None,
    ),
    # seasons
    ("Vår 2021", K.SEASON, "våren 2021", D(2021, 3, 1), D(2021, 5, 31), 2021),
    ("Våren 2021", K.SEASON, "våren 2021", D(2021, 3, 1), D(2021, 5, 31), 2021),
    ("Sommar 2021", K.SEASON, "sommaren 2021", D(2021, 6, 1), D(2021, 8, 31), 2021),
    ("Höst 2021", K.SEASON, "hösten 2021", D(2021, 9, 1), D(2021, 11, 30), 2021),
    ("Hösten 2021", K.SEASON, "hösten 2021", D(2021, 9, 1), D(2021, 11, 30), 2021),
    ("HÖST -21", K.SEASON, "hösten 2021", D(2021, 9, 1), D(2021, 11, 30), 2021),
    ("hösten", K.SEASON, "hösten 2021", D(2021, 9, 1), D(2021, 11, 30), None),
    ("Vinter 2021", K.SEASON, "vintern 2021/2022", D(2021, 12, 1), D(2022, 2, 28), 2021),
    ("vintern 2023/2024", K.SEASON, "vintern 2023/2024", D(2023, 12, 1), D(2024, 2, 29), 2023),
    ("HT 2021", K.SEASON, "höstterminen 2021", D(2021, 8, 15), D(2021, 12, 31), 2021),
    ("vårterminen 2021", K.SEASON, "vårterminen 2021", D(2021, 1, 1), D(2021, 6, 30), 2021),
    # quarters
    ("Q2 2021", K.QUARTER, "kvartal 2 2021", D(2021, 4, 1), D(2021, 6, 30), 2021),
    ("K2 2021", K.QUARTER, "kvartal 2 2021", D(2021, 4, 1), D(2021, 6, 30), 2021),
    ("kvartal 2 2021", K.QUARTER, "kvartal 2 2021", D(2021, 4, 1), D(2021, 6, 30), 2021),
    ("q4", K.QUARTER, "kvartal 4 2021", D(2021, 10, 1), D(2021, 12, 31), None),
    ("2021 Q1", K.QUARTER, "kvartal 1 2021", D(2021, 1, 1), D(2021, 3, 31), 2021),
    ("tredje kvartalet 2021", K.QUARTER, "kvartal 3 2021", D(2021, 7, 1), D(2021, 9, 30), 2021),
    # half years
    ("H1 2021", K.HALF, "första halvåret 2021", D(2021, 1, 1), D(2021, 6, 30), 2021),
    ("H2 2021", K.HALF, "andra halvåret 2021", D(2021, 7, 1), D(2021, 12, 31), 2021),
    ("Första halvåret 2021", K.HALF, "första halvåret 2021", D(2021, 1, 1), D(2021, 6, 30), 2021),
    ("andra halvåret 2021", K.HALF, "andra halvåret 2021", D(2021, 7, 1), D(2021, 12, 31), 2021),
    ("andra halvåret", K.HALF, "andra halvåret 2021", D(2021, 7, 1), D(2021, 12, 31), None),
    # "halvår 2 2021" as "kvartal 2 2021" is written
    ("Halvår 2 2021", K.HALF, "andra halvåret 2021", D(2021, 7, 1), D(2021, 12, 31), 2021),
    ("halvår 1", K.HALF, "första halvåret 2021", D(2021, 1, 1), D(2021, 6, 30), None),
    # weeks (ISO)
    ("vecka 12", K.WEEK, "vecka 12, 2021", D(2021, 3, 22), D(2021, 3, 28), None),
    ("v. 12 2021", K.WEEK, "vecka 12, 2021", D(2021, 3, 22), D(2021, 3, 28), 2021),
    ("v12", K.WEEK, "vecka 12, 2021", D(2021, 3, 22), D(2021, 3, 28), None),
    ("V 12", K.WEEK, "vecka 12, 2021", D(2021, 3, 22), D(2021, 3, 28), None),
    ("vecka 12, 2022", K.WEEK, "vecka 12, 2022", D(2022, 3, 21), D(2022, 3, 27), 2022),
    ("vecka 53 2020", K.WEEK, "vecka 53, 2020", D(2020, 12, 28), D(2021, 1, 3), 2020),
    # years
    ("2021", K.YEAR, "under 2021", D(2021, 1, 1), D(2021, 12, 31), 2021),
    ("Under 2021", K.YEAR, "under 2021", D(2021, 1, 1), D(2021, 12, 31), 2021),
    ("under året", K.YEAR, "under 2021", D(2021, 1, 1), D(2021, 12, 31), None),
    ("2022", K.YEAR, "under 2022", D(2022, 1, 1), D(2022, 12, 31), 2022),
]


@pytest.mark.parametrize(("text", "kind", "display", "start", "end", "year"), PERIODS)
def test_periods(
    text: str, kind: DeadlineKind, display: str, start: date, end: date, year: int | None
) -> None:
    """Dates, months, seasons, quarters, halves, weeks and years give their span; due = end."""
    assert parse_klart(text, 2021) == Deadline(kind, text, display, start, end, end, year)


# text, kind, display — forms without a span of their own.
WORDS = [
    ("Inför årsmötet", K.RELATIVE, "inför årsmötet"),
    ("Före årsmötet", K.RELATIVE, "före årsmötet"),
    ("senast till årsmötet", K.RELATIVE, "senast till årsmötet"),
    # the event without its article, as often typed
    ("Inför årsmöte", K.RELATIVE, "inför årsmöte"),
    ("Efter användarträff", K.RELATIVE, "efter användarträff"),
    ("Efter varje styrelsemöte", K.RECURRING, "efter varje styrelsemöte"),
    ("Vid varje styrelsemöte", K.RECURRING, "vid varje styrelsemöte"),
    ("Stående punkt", K.RECURRING, "stående punkt"),
    ("Årligen", K.RECURRING, "årligen"),
    ("Vid behov", K.ON_DEMAND, "vid behov"),
    ("vid behov.", K.ON_DEMAND, "vid behov"),
    ("Klart", K.DONE, "klart"),
    ("Klar", K.DONE, "klart"),
    ("Genomfört", K.DONE, "klart"),
    ("Utfört", K.DONE, "klart"),
    ("X", K.DONE, "klart"),
]


@pytest.mark.parametrize(("text", "kind", "display"), WORDS)
def test_words(text: str, kind: DeadlineKind, display: str) -> None:
    """Relative, recurring, on-demand and done words carry no dates."""
    assert parse_klart(text, 2021) == Deadline(kind, text, display)


@pytest.mark.parametrize(
    "text",
    [
        "Kontinuerligt",
        "Kontinuerlig",
        "Löpande",
        "Fortlöpande",
        "Pågående",
        "Hela året",
        "KONTINUERLIGT",
        "löpande under året",
    ],
)
def test_continuous_spans_the_plan_year_without_due(text: str) -> None:
    """Continuing work covers the Verksamhetsår and is never due (never overdue)."""
    expected = Deadline(K.CONTINUOUS, text, "kontinuerligt", D(2021, 1, 1), D(2021, 12, 31))
    assert parse_klart(text, 2021) == expected


def test_continuous_names_a_year_when_written() -> None:
    """ "Hela 2022" is continuous and names 2022."""
    deadline = parse_klart("Hela 2022", 2021)
    assert (deadline.kind, deadline.year, deadline.start) == (K.CONTINUOUS, 2022, D(2022, 1, 1))


@pytest.mark.parametrize(
    ("text", "display", "due", "year"),
    [
        ("Senast 31/3", "senast 31 mars 2021", D(2021, 3, 31), None),
        ("senast 31 mars 2021", "senast 31 mars 2021", D(2021, 3, 31), 2021),
        ("Före 1 maj", "före 1 maj 2021", D(2021, 4, 30), None),
        ("innan april 2021", "innan april 2021", D(2021, 3, 31), 2021),
        ("senast vecka 12", "senast vecka 12, 2021", D(2021, 3, 28), None),
        ("t.o.m. juni", "till och med juni 2021", D(2021, 6, 30), None),
        ("senast 2021", "senast 2021", D(2021, 12, 31), 2021),
    ],
)
def test_deadlines(text: str, display: str, due: date, year: int | None) -> None:
    """ "Senast X" is due at the end of X; "före X" the day before X begins."""
    assert parse_klart(text, 2021) == Deadline(K.DEADLINE, text, display, None, due, due, year)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?",
        "Ej bestämt",
        "snart",
        "31/4 2021",
        "vecka 53",
        "v 60",
        "13 2021",
        "höst 2021/2022",
        "senast snart",
        "april 21",
    ],
)
def test_unknown_keeps_the_text(text: str) -> None:
    """Text that names no time, or an impossible one, is UNKNOWN and shown as written."""
    assert parse_klart(text, 2021) == Deadline(K.UNKNOWN, text, text.strip())


def test_text_is_kept_exactly() -> None:
    """`text` is the cell as written, spaces and case included; display is normalised."""
    deadline = parse_klart("  Hösten 2021 ", 2021)
    assert (deadline.text, deadline.display) == ("  Hösten 2021 ", "hösten 2021")


def test_without_a_plan_year_open_forms_have_no_dates() -> None:
    """With no Verksamhetsår, "vecka 12" and "15/3" are understood but carry no dates."""
    assert parse_klart("vecka 12", None) == Deadline(K.WEEK, "vecka 12", "vecka 12")
    assert parse_klart("15/3", None) == Deadline(K.DATE, "15/3", "15 mars")
    assert parse_klart("Kontinuerligt", None) == Deadline(
        K.CONTINUOUS, "Kontinuerligt", "kontinuerligt"
    )
    assert parse_klart("April 2021", None).start == D(2021, 4, 1)


@pytest.mark.parametrize(
    ("value", "kind", "text", "start"),
    [
        (datetime(2021, 3, 15), K.DATE, "2021-03-15", D(2021, 3, 15)),
        (date(2021, 3, 15), K.DATE, "2021-03-15", D(2021, 3, 15)),
        (44270, K.DATE, "2021-03-15", D(2021, 3, 15)),
        (2021, K.YEAR, "2021", D(2021, 1, 1)),
        (2021.0, K.YEAR, "2021", D(2021, 1, 1)),
        ("Q2 2021", K.QUARTER, "Q2 2021", D(2021, 4, 1)),
        (None, K.UNKNOWN, "", None),
        (time(13), K.UNKNOWN, "13.00", None),
        (True, K.UNKNOWN, "SANT", None),
        (3.5, K.UNKNOWN, "3,5", None),
    ],
)
def test_deadline_from_cell(
    value: object, kind: DeadlineKind, text: str, start: date | None
) -> None:
    """Excel dates, year numbers and text cells are read; other types are UNKNOWN."""
    deadline = deadline_from_cell(value, 2021)  # type: ignore[arg-type]
    assert (deadline.kind, deadline.text, deadline.start) == (kind, text, start)


@given(st.text(), st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6)))
def test_parse_klart_never_raises(text: str, year: int | None) -> None:
    """Arbitrary text (and any year) gives a Deadline that keeps the text."""
    deadline = parse_klart(text, year)
    assert deadline.text == text
    assert deadline.due is None or deadline.start is None or deadline.start <= deadline.due


@given(
    st.from_regex(
        r"(vecka|v\.?|q|k|h|början av|slutet av)? ?[0-9a-zåäö]{1,9} ?-?[0-9]{0,4}", fullmatch=True
    ),
    st.integers(min_value=1, max_value=9999),
)
def test_near_forms_never_raise(text: str, year: int) -> None:
    """Texts shaped like the recognised forms, with odd numbers and years, never raise: each
    gives a Deadline that keeps the text and whose span, when it has one, runs forwards."""
    deadline = parse_klart(text, year)
    assert deadline.text == text
    assert deadline.due is None or deadline.start is None or deadline.start <= deadline.due


@given(any_cell_value)
def test_deadline_from_cell_never_raises(value: object) -> None:
    """Any cell value gives a Deadline whose span, when it has one, runs forwards."""
    deadline = deadline_from_cell(value, 2021)  # type: ignore[arg-type]
    assert isinstance(deadline, Deadline)
    assert deadline.due is None or deadline.start is None or deadline.start <= deadline.due
