"""Tests for the cell-value parsers: every accepted form, every refusal, and no exceptions."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docautomation.interpret import DEFAULT_CATEGORIES
from docautomation.models import Category, Level
from docautomation.values import (
    Reading,
    cell_text,
    date_parts,
    match_category,
    match_choice,
    month_number,
    parse_date,
    parse_email,
    parse_level,
    parse_time,
    parse_url,
    parse_whole_number,
    parse_year,
    parse_yes_no,
    show_value,
)

cell_values = st.one_of(
    st.none(), st.text(), st.integers(), st.floats(), st.booleans(), st.datetimes(), st.dates(),
    st.times(),
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.0, 3), ("3", 3), ("3.0", 3), ("3,0", 3), (" 12 ", 12), ("1 000", 1000),
     (0, 0), ("-2", -2), (None, None), ("", None), ("  ", None)],
)
def test_whole_number_accepts(value: object, expected: int | None) -> None:
    """Whole numbers arrive as int, float or text and all read as the same int."""
    assert parse_whole_number(value) == Reading(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [3.5, "3,5", "tre", True, date(2021, 1, 1), time(3),
                                   float("nan"), float("inf"), "3.5.1"])
def test_whole_number_refuses(value: object) -> None:
    """Fractions, text, booleans, dates and non-finite floats are not whole numbers."""
    reading = parse_whole_number(value)  # type: ignore[arg-type]
    assert reading == Reading(None, "är inte ett heltal.")


def test_whole_number_minimum_and_maximum() -> None:
    """A bound is checked and named in the reason."""
    assert parse_whole_number(-1, minimum=0).problem == "är inte ett heltal ≥ 0."
    assert parse_whole_number("53", minimum=0, maximum=52).problem == "är inte ett heltal 0–52."
    assert parse_whole_number("52", minimum=0, maximum=52).value == 52


@pytest.mark.parametrize(("value", "expected"), [(2021, 2021), ("2021", 2021), (2021.0, 2021)])
def test_year_accepts_four_digits(value: object, expected: int) -> None:
    """Verksamhetsår is a four-digit year as number or text."""
    assert parse_year(value).value == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["21", 21, "tjugo", 1899, 2101])
def test_year_refuses_others(value: object) -> None:
    """Two-digit or implausible years are refused with an example."""
    assert parse_year(value).problem == "är inte ett årtal (skriv t.ex. 2021)."  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Ja", True), ("ja", True), ("JA", True), (" ja ", True), ("x", True), ("X", True),
     ("✓", True), ("✔", True), (True, True), ("Nej", False), ("NEJ", False), (False, False),
     (None, None), ("", None)],
)
def test_yes_no(value: object, expected: bool | None) -> None:
    """Ja/Nej in any case, x and ✓ for Ja, Excel booleans, empty as unknown."""
    assert parse_yes_no(value) == Reading(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["kanske", 1, 0, "jaa", date(2021, 1, 1)])
def test_yes_no_refuses(value: object) -> None:
    """Anything else is not Ja or Nej."""
    assert parse_yes_no(value).problem == "är inte Ja eller Nej."  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Låg", Level.LAG), ("låg", Level.LAG), (" MEDEL ", Level.MEDEL), ("hög", Level.HOG),
     ("HÖG", Level.HOG), (None, None)],
)
def test_level(value: str | None, expected: Level | None) -> None:
    """Låg/Medel/Hög in any case and spacing."""
    assert parse_level(value) == Reading(expected)


def test_level_suggests_the_closest() -> None:
    """A near miss names the level meant; a far miss lists the choices."""
    assert parse_level("Hg").problem == 'är okänd. Menade du "Hög"?'
    assert parse_level("mycket").problem == "är okänd: välj Låg, Medel eller Hög."


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Ordförande", ("Ordförande", None)), (" ordförande ", ("Ordförande", None)),
     ("VICE  ORDFÖRANDE", ("Vice ordförande", None)), ("Ordförand", (None, "Ordförande")),
     ("Kasör", (None, "Kassör")), ("Trädgårdsmästare", (None, None))],
)
def test_match_choice(text: str, expected: tuple[str | None, str | None]) -> None:
    """Case- and space-insensitive match, else a difflib suggestion, else nothing."""
    roles = ("Ordförande", "Vice ordförande", "Kassör", "Sekreterare", "Ledamot")
    assert match_choice(text, roles) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (8.0, 8), ("3", 3), ("Lagstiftning", 1), ("lagstiftning", 1), ("Enkla", 4),
     ("myndighet", 2), ("  enkla åtgärder (låg insats) ", 4), ("Ej", 8), ("4. Enkla åtgärder", 4),
     ("Avvakt", 6), (None, None), ("", None)],
)
def test_category_accepts(value: object, expected: int | None) -> None:
    """A number of the order, a name, or the start of exactly one name (any case)."""
    assert match_category(value, DEFAULT_CATEGORIES) == Reading(expected)  # type: ignore[arg-type]


def test_category_number_outside_the_order() -> None:
    """A number not in the order names the allowed range."""
    assert match_category(9, DEFAULT_CATEGORIES).problem == (
        "finns inte i prioriteringsordningen: ange ett nummer 1–8 eller ett kategorinamn.")


def test_category_ambiguous_start_names_every_fit() -> None:
    """A start that fits several names is refused, naming them with their numbers."""
    assert match_category("E", DEFAULT_CATEGORIES).problem == (
        'passar flera kategorier: "Enkla åtgärder (låg insats)" (4), "Effektivare arbetssätt '
        '(processer)" (5) och "Ej aktuellt/prioriterat" (8). Skriv mer av namnet eller ange numret.')


@pytest.mark.parametrize(
    ("value", "name", "number"),
    [("Lagstiftnig", "Lagstiftning", 1), ("Myndihetsrapportering", "Myndighetsrapportering", 2),
     ("Enkel åtgärd", "Enkla åtgärder (låg insats)", 4)],
)
def test_category_near_miss_suggests(value: str, name: str, number: int) -> None:
    """A misspelt name is refused with "Menade du" and the category's number."""
    assert match_category(value, DEFAULT_CATEGORIES).problem == (
        f'finns inte i prioriteringsordningen. Menade du "{name}" ({number})?')


def test_category_unknown_and_wrong_type() -> None:
    """Unrelated text and non-text values are refused."""
    assert "finns inte i prioriteringsordningen" in match_category("Zebra", DEFAULT_CATEGORIES).problem
    assert match_category(True, DEFAULT_CATEGORIES).problem
    assert match_category(date(2021, 1, 1), DEFAULT_CATEGORIES).problem


def test_category_uses_a_custom_order() -> None:
    """Matching follows the order given, not the default one."""
    order = (Category(1, "Lag"), Category(2, "Övrigt"))
    assert match_category("öv", order).value == 2
    assert match_category(3, order).problem.endswith("ange ett nummer 1–2 eller ett kategorinamn.")


@pytest.mark.parametrize(
    ("word", "number"),
    [("januari", 1), ("jan", 1), ("Jan.", 1), ("January", 1), ("febr", 2), ("mars", 3),
     ("Mar", 3), ("MARCH", 3), ("apr.", 4), ("maj", 5), ("May", 5), ("juni", 6), ("jul", 7),
     ("aug", 8), ("sep", 9), ("sept.", 9), ("okt", 10), ("Oct", 10), ("nov", 11), ("dec.", 12),
     ("december", 12), ("höst", None), ("", None)],
)
def test_month_number(word: str, number: int | None) -> None:
    """Swedish and English month names, full or abbreviated, any case, with or without period."""
    assert month_number(word) == number


@pytest.mark.parametrize(
    ("value", "expected"),
    [(datetime(2021, 3, 15, 13, 0), date(2021, 3, 15)), (date(2021, 3, 15), date(2021, 3, 15)),
     ("2021-03-15", date(2021, 3, 15)), ("2021-03-15 00:00:00", date(2021, 3, 15)),
     ("15 mars 2021", date(2021, 3, 15)), ("den 15 mars 2021", date(2021, 3, 15)),
     ("15/3 2021", date(2021, 3, 15)), ("15/3/2021", date(2021, 3, 15)),
     ("15.3.2021", date(2021, 3, 15)), ("15 Mar. 2021", date(2021, 3, 15)),
     ("måndag 15 mars 2021", date(2021, 3, 15)), ("1 October 2021", date(2021, 10, 1)),
     (44270, date(2021, 3, 15)), (44270.0, date(2021, 3, 15)), (None, None), ("", None)],
)
def test_date_accepts(value: object, expected: date | None) -> None:
    """Excel dates, ISO text and Swedish text all read as the same date."""
    assert parse_date(value) == Reading(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [("15 mars", "saknar år"), ("15/3", "saknar år"), ("31/4 2021", "är inte ett giltigt datum"),
     ("21-03-15", "är inte ett datum"), ("snart", "är inte ett datum"), (2021, "är inte ett datum"),
     (True, "är inte ett datum"), (time(13), "är inte ett datum"),
     (date(1, 1, 1), "är inte ett giltigt datum")],
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
    [(time(13, 0), time(13, 0)), (datetime(1899, 12, 30, 9, 30), time(9, 30)),
     ("13.00", time(13, 0)), ("13:00", time(13, 0)), ("kl. 13.00", time(13, 0)),
     ("kl 13.00", time(13, 0)), ("Kl. 9.30", time(9, 30)), ("9.30", time(9, 30)),
     ("13", time(13, 0)), ("13:00:00", time(13, 0)), (0.5, time(12, 0)),
     (0.3958333333, time(9, 30)), (13, time(13, 0)), (time(12, 59, 59, 999999), time(13, 0)),
     (None, None)],
)
def test_time_accepts(value: object, expected: time | None) -> None:
    """Excel times, day fractions and 13.00 / 13:00 / kl. 13.00 all read, to the minute."""
    assert parse_time(value) == Reading(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["25.00", "13.60", "eftermiddag", 1.5, -0.1, 24, True,
                                   date(2021, 1, 1), "13-15", float("nan")])
def test_time_refuses(value: object) -> None:
    """Impossible hours or minutes and non-times are refused with an example."""
    assert parse_time(value).problem == "är inte en tid (skriv t.ex. 13.00)."  # type: ignore[arg-type]


def test_url() -> None:
    """Only https:// addresses with a host are accepted for Distanslänk."""
    link = "https://teams.microsoft.com/l/meetup-join/abc"
    assert parse_url(f" {link} ") == Reading(link)
    assert parse_url("HTTPS://zoom.us/j/1").value == "HTTPS://zoom.us/j/1"
    assert parse_url("http://zoom.us/j/1").problem.startswith("är inte en https://-adress")
    assert parse_url("teams.microsoft.com").problem.startswith("är inte en https://-adress")
    assert parse_url("https://").problem.startswith("är inte en https://-adress")
    assert parse_url("https://a.se/x y").problem == "är inte en giltig länk: den innehåller mellanslag."
    assert parse_url(None) == Reading()


@pytest.mark.parametrize(
    ("value", "ok"),
    [("maria.holmgren@example.org", True), ("mailto:per@kommun.se", True), ("per@kommun", False),
     ("per kommun.se", False), ("a@b@c.se", False), ("per@kommun..se", False), (12, False)],
)
def test_email_shape(value: object, ok: bool) -> None:
    """An address needs one @ and a domain with a dot; mailto: is dropped."""
    reading = parse_email(value)  # type: ignore[arg-type]
    assert reading.ok is ok
    assert (reading.value is not None) is ok


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), ("  a\nb  ", "a\nb"), (3, "3"), (3.0, "3"), (3.5, "3,5"), (True, "SANT"),
     (date(2021, 3, 15), "2021-03-15"), (datetime(2021, 3, 15), "2021-03-15"),
     (datetime(2021, 3, 15, 9, 5), "2021-03-15 09.05"), (time(9, 30), "09.30")],
)
def test_cell_text(value: object, text: str) -> None:
    """Every cell type has a text form; inner line breaks are kept."""
    assert cell_text(value) == text  # type: ignore[arg-type]


def test_show_value_is_one_quoted_line() -> None:
    """Messages quote a value on one line and cut long text."""
    assert show_value("a\nb") == '"a b"'
    assert show_value("x" * 100) == '"' + "x" * 57 + '…"'


@given(cell_values)
def test_parsers_never_raise(value: object) -> None:
    """Every parser returns a Reading, whatever the cell holds."""
    for parse in (parse_whole_number, parse_year, parse_yes_no, parse_level, parse_date,
                  parse_time, parse_url, parse_email):
        reading = parse(value)  # type: ignore[operator]
        assert reading.ok or reading.value is None
    assert isinstance(match_category(value, DEFAULT_CATEGORIES), Reading)  # type: ignore[arg-type]
    assert isinstance(show_value(value), str)  # type: ignore[arg-type]
