"""Interpreting the Förening and Prioritering sheets: the association's settings and priority order."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from ..models import (
    DEFAULT_CATEGORIES,
    Association,
    Category,
    CellValue,
    Problem,
    RawSheet,
    error,
    warning,
)
from .rows import RowReader, read_rows
from .values import (
    Reading,
    is_blank,
    match_choice,
    parse_whole_number,
    parse_year,
    parse_yes_no,
    show_value,
    split_items,
)

__all__ = ["DEFAULT_CATEGORIES", "FORENING_FIELDS", "read_association", "read_categories"]

FORENING_FIELDS = (
    "Föreningens namn",
    "Verksamhetsår",
    "Vision",
    "Syfte",
    "Verksamhet enligt stadgarna",
    "Leverantör",
    "Gräns för högt prioriterat",
    "Kallelse årsmöte tidigast",
    "Kallelse årsmöte senast",
    "Kallelse styrelsemöte senast",
    "Ort",
    "Löpande paragrafnumrering",
)
_DEFAULTS = Association(name="", year=None)
T = TypeVar("T")


def _field_rows(sheet: RawSheet, problems: list[Problem]) -> dict[str, RowReader]:
    """Förening's rows by canonical Fält; the first of duplicates wins, the rest are warned."""
    found: dict[str, RowReader] = {}
    for row in read_rows(sheet, problems, ("Fält", "Värde")):
        field, suggestion = match_choice(row.text("Fält").rstrip(":"), FORENING_FIELDS)
        ref = row.raw.ref("Fält")
        if ref is None:
            continue
        if field is None and suggestion is not None:
            message = f'Fält {show_value(row.value("Fält"))} är okänt. Menade du "{suggestion}"?'
            problems.append(warning(ref, message))
        elif field is not None and field in found:
            message = (
                f'Fältet "{field}" finns redan på rad {found[field].raw.number}; '
                "den här raden används inte."
            )
            problems.append(warning(ref, message))
        elif field is not None:
            found[field] = row
    return found


def read_association(sheet: RawSheet | None, problems: list[Problem]) -> Association:
    """The Förening sheet as an Association; unreadable values are reported and left at default.

    A missing sheet gives an empty association without problems (validation reports it), and
    so does a missing Verksamhetsår row (validation reports it with its year checks).
    """
    if sheet is None:
        return _DEFAULTS
    rows = _field_rows(sheet, problems)
    if "Föreningens namn" not in rows and not sheet.missing:
        message = (
            'Raden "Föreningens namn" saknas i bladet Förening. Lägg till en rad med '
            "Fält = Föreningens namn och namnet som Värde."
        )
        problems.append(error(None, message, sheet=sheet.name))
    if name_row := rows.get("Föreningens namn"):
        name_row.required("Värde", "skriv föreningens namn.", "Föreningens namn")
    year_row = rows.get("Verksamhetsår")
    year_hint = "skriv året planen gäller, t.ex. 2021."
    year = (
        year_row.read("Värde", parse_year, required=year_hint, label="Verksamhetsår")
        if year_row
        else None
    )

    def text(field: str) -> str:
        row = rows.get(field)
        return row.text("Värde") if row else ""

    def read(field: str, parse: Callable[[CellValue], Reading[T]]) -> T | None:
        row = rows.get(field)
        return row.read("Värde", parse, label=field) if row else None

    def number(field: str, largest: int, default: int) -> int:
        found = read(field, partial(parse_whole_number, minimum=0, maximum=largest))
        return default if found is None else found

    return Association(
        name=text("Föreningens namn"),
        year=year,
        vision=text("Vision"),
        purpose=text("Syfte"),
        tasks=split_items(text("Verksamhet enligt stadgarna")),
        supplier=text("Leverantör") or _DEFAULTS.supplier,
        high_priority_threshold=number(
            "Gräns för högt prioriterat", 10_000, _DEFAULTS.high_priority_threshold
        ),
        agm_notice_earliest_weeks=number(
            "Kallelse årsmöte tidigast", 52, _DEFAULTS.agm_notice_earliest_weeks
        ),
        agm_notice_latest_weeks=number(
            "Kallelse årsmöte senast", 52, _DEFAULTS.agm_notice_latest_weeks
        ),
        board_notice_days=number("Kallelse styrelsemöte senast", 365, _DEFAULTS.board_notice_days),
        place=read("Ort", parse_place) or "",
        running_numbers=read("Löpande paragrafnumrering", parse_yes_no) is True,
        cells={f: ref for f, row in rows.items() if (ref := row.raw.ref("Värde")) is not None},
    )


def parse_place(value: CellValue) -> Reading[str]:
    """Ort: a town's name on one line, written above the signatures as "<Ort> den ____"."""
    if is_blank(value):
        return Reading()
    if not isinstance(value, str):
        return Reading(None, "är inget ortnamn: skriv orten, t.ex. Sollentuna.")
    if "\n" in value.strip():
        return Reading(None, "ska stå på en rad: skriv bara orten, t.ex. Sollentuna.")
    return Reading(value.strip())


def read_categories(
    sheet: RawSheet | None, problems: list[Problem]
) -> tuple[tuple[Category, ...], bool]:
    """The Prioritering sheet's order and True, or the 2021 default and False.

    An absent sheet, or one without rows, gives the default. Nr must run 1..N without gaps or
    repeats: a repeat is an error (the first row wins), a gap an error at the number after it.
    """
    read: list[tuple[Category, RowReader]] = []
    for row in read_rows(sheet, problems, ("Nr", "Kategori", "Beskrivning")):
        parse = partial(parse_whole_number, minimum=1, maximum=99)
        number = row.read("Nr", parse, required="skriv kategorins nummer (1, 2, 3 …).")
        if row.required("Kategori", "skriv kategorins namn.") and number is not None:
            read.append((Category(number, row.text("Kategori"), row.text("Beskrivning")), row))
    if not read:
        return DEFAULT_CATEGORIES, False
    first: dict[int, tuple[Category, RowReader]] = {}
    for category, row in read:
        if category.number in first:
            row.error(
                "Nr",
                f"Nr {category.number} finns redan på rad {first[category.number][1].raw.number}: "
                "numrera kategorierna 1, 2, 3 … utan upprepningar.",
            )
        else:
            first[category.number] = (category, row)
    for number, (_, row) in sorted(first.items()):
        if number > 1 and number - 1 not in first:
            row.error(
                "Nr",
                f"Nr {number}: nummer {number - 1} saknas i prioriteringsordningen. "
                "Numrera kategorierna 1, 2, 3 … utan luckor.",
            )
    return tuple(first[n][0] for n in sorted(first)), True
