"""Tests for the cell-value parsers: every accepted form, every refusal, and no exceptions."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given

from docautomation.models import Category, CellValue, CommentBlock, Level
from docautomation.register.association import DEFAULT_CATEGORIES
from docautomation.register.values import (
    Reading,
    cell_text,
    comment_blocks,
    match_category,
    match_choice,
    parse_email,
    parse_level,
    parse_url,
    parse_whole_number,
    parse_year,
    parse_yes_no,
    show_value,
    split_items,
)
from tests.support.cells import any_cell_value

cell_values = any_cell_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (3.0, 3),
        ("3", 3),
        ("3.0", 3),
        ("3,0", 3),
        (" 12 ", 12),
        ("1 000", 1000),
        (0, 0),
        ("-2", -2),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_whole_number_accepts(value: object, expected: int | None) -> None:
    """Whole numbers arrive as int, float or text and all read as the same int."""
    assert parse_whole_number(value) == Reading(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [3.5, "3,5", "tre", True, date(2021, 1, 1), time(3), float("nan"), float("inf"), "3.5.1"],
)
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
    [
        ("Ja", True),
        ("ja", True),
        ("JA", True),
        (" ja ", True),
        ("x", True),
        ("X", True),
        ("✓", True),
        ("✔", True),
        (True, True),
        ("Nej", False),
        ("NEJ", False),
        (False, False),
        (None, None),
        ("", None),
    ],
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
    [
        ("Låg", Level.LAG),
        ("låg", Level.LAG),
        (" MEDEL ", Level.MEDEL),
        ("hög", Level.HOG),
        ("HÖG", Level.HOG),
        (None, None),
    ],
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
    [
        ("Ordförande", ("Ordförande", None)),
        (" ordförande ", ("Ordförande", None)),
        ("VICE  ORDFÖRANDE", ("Vice ordförande", None)),
        ("Ordförand", (None, "Ordförande")),
        ("Kasör", (None, "Kassör")),
        ("Trädgårdsmästare", (None, None)),
    ],
)
def test_match_choice(text: str, expected: tuple[str | None, str | None]) -> None:
    """Case- and space-insensitive match, else a difflib suggestion, else nothing."""
    roles = ("Ordförande", "Vice ordförande", "Kassör", "Sekreterare", "Ledamot")
    assert match_choice(text, roles) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (8.0, 8),
        ("3", 3),
        ("Lagstiftning", 1),
        ("lagstiftning", 1),
        ("Enkla", 4),
        ("myndighet", 2),
        ("  enkla åtgärder (låg insats) ", 4),
        ("Ej", 8),
        ("4. Enkla åtgärder", 4),
        ("Avvakt", 6),
        (None, None),
        ("", None),
    ],
)
def test_category_accepts(value: object, expected: int | None) -> None:
    """A number of the order, a name, or the start of exactly one name (any case)."""
    assert match_category(value, DEFAULT_CATEGORIES) == Reading(expected)  # type: ignore[arg-type]


def test_category_number_outside_the_order() -> None:
    """A number not in the order names the allowed range."""
    assert match_category(9, DEFAULT_CATEGORIES).problem == (
        "finns inte i prioriteringsordningen: ange ett nummer 1–8 eller ett kategorinamn."
    )


def test_category_ambiguous_start_names_every_fit() -> None:
    """A start that fits several names is refused, naming them with their numbers."""
    assert match_category("E", DEFAULT_CATEGORIES).problem == (
        'passar flera kategorier: "Enkla åtgärder (låg insats)" (4), "Effektivare arbetssätt '
        '(processer)" (5) och "Ej aktuellt/prioriterat" (8). Skriv mer av namnet eller ange numret.'
    )


@pytest.mark.parametrize(
    ("value", "name", "number"),
    [
        ("Lagstiftnig", "Lagstiftning", 1),
        ("Myndihetsrapportering", "Myndighetsrapportering", 2),
        ("Enkel åtgärd", "Enkla åtgärder (låg insats)", 4),
    ],
)
def test_category_near_miss_suggests(value: str, name: str, number: int) -> None:
    """A misspelt name is refused with "Menade du" and the category's number."""
    assert match_category(value, DEFAULT_CATEGORIES).problem == (
        f'finns inte i prioriteringsordningen. Menade du "{name}" ({number})?'
    )


def test_category_unknown_and_wrong_type() -> None:
    """Unrelated text and non-text values are refused."""
    assert (
        "finns inte i prioriteringsordningen" in match_category("Zebra", DEFAULT_CATEGORIES).problem
    )
    assert match_category(True, DEFAULT_CATEGORIES).problem
    assert match_category(date(2021, 1, 1), DEFAULT_CATEGORIES).problem


def test_category_uses_a_custom_order() -> None:
    """Matching follows the order given, not the default one."""
    order = (Category(1, "Lag"), Category(2, "Övrigt"))
    assert match_category("öv", order).value == 2
    assert match_category(3, order).problem.endswith("ange ett nummer 1–2 eller ett kategorinamn.")


def test_url() -> None:
    """Only https:// addresses with a host are accepted for Distanslänk."""
    link = "https://teams.microsoft.com/l/meetup-join/abc"
    assert parse_url(f" {link} ") == Reading(link)
    assert parse_url("HTTPS://zoom.us/j/1").value == "HTTPS://zoom.us/j/1"
    assert parse_url("http://zoom.us/j/1").problem.startswith("är inte en https://-adress")
    assert parse_url("teams.microsoft.com").problem.startswith("är inte en https://-adress")
    assert parse_url("https://").problem.startswith("är inte en https://-adress")
    assert (
        parse_url("https://a.se/x y").problem
        == "är inte en giltig länk: den innehåller mellanslag."
    )
    assert parse_url(None) == Reading()


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("maria.holmgren@example.org", True),
        ("mailto:per@kommun.se", True),
        ("per@kommun", False),
        ("per kommun.se", False),
        ("a@b@c.se", False),
        ("per@kommun..se", False),
        (12, False),
    ],
)
def test_email_shape(value: object, ok: bool) -> None:
    """An address needs one @ and a domain with a dot; mailto: is dropped."""
    reading = parse_email(value)  # type: ignore[arg-type]
    assert reading.ok is ok
    assert (reading.value is not None) is ok


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  a\nb  ", "a\nb"),
        (3, "3"),
        (3.0, "3"),
        (3.5, "3,5"),
        (True, "SANT"),
        (date(2021, 3, 15), "2021-03-15"),
        (datetime(2021, 3, 15), "2021-03-15"),
        (datetime(2021, 3, 15, 9, 5), "2021-03-15 09.05"),
        (time(9, 30), "09.30"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    """Every cell type has a text form; inner line breaks are kept."""
    assert cell_text(value) == text  # type: ignore[arg-type]


def test_split_items_strips_markers_and_numbers_only() -> None:
    """Items lose "-", "–", "•", "*", "1." and "2)" but keep times and inner dashes."""
    text = "1. Mötets öppnande\n2) Val\n - Rapport – utkast\n\n• Budget\n*Stjärna\n09.30 Kaffe\n§ 3. Ärenden"
    assert split_items(text) == (
        "Mötets öppnande",
        "Val",
        "Rapport – utkast",
        "Budget",
        "Stjärna",
        "09.30 Kaffe",
        "Ärenden",
    )


def test_comment_blocks_mark_list_lines() -> None:
    """Lines starting with a marker are list items; other lines stay text; blank lines go."""
    assert comment_blocks("Inledning\n\n- ett\n  – två\n•tre\n-\nSlut") == (
        CommentBlock("Inledning", False),
        CommentBlock("ett", True),
        CommentBlock("två", True),
        CommentBlock("tre", True),
        CommentBlock("Slut", False),
    )


def test_show_value_is_one_quoted_line() -> None:
    """Messages quote a value on one line and cut long text."""
    assert show_value("a\nb") == '"a b"'
    assert show_value("x" * 100) == '"' + "x" * 57 + '…"'


@given(cell_values)
def test_parsers_never_raise(value: CellValue) -> None:
    """Every parser returns a Reading, whatever the cell holds."""
    for parse in (
        parse_whole_number,
        parse_year,
        parse_yes_no,
        parse_level,
        parse_url,
        parse_email,
    ):
        reading = parse(value)
        assert reading.ok or reading.value is None
    assert isinstance(match_category(value, DEFAULT_CATEGORIES), Reading)
    assert isinstance(show_value(value), str)
