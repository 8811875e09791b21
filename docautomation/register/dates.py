"""Dates and times in cells: Swedish and English month names, date and time text, Excel serials."""

from __future__ import annotations

import calendar
import functools
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from .. import swedish
from ..models import CellValue
from .values import Reading, is_blank, normalise

__all__ = ["date_parts", "month_number", "parse_date", "parse_time", "serial_to_date"]


# Month and weekday names as CLDR writes them (Swedish and English, full and abbreviated; a test
# compares them with babel's), without the abbreviations' ".". Fixed here: loading locale
# data for them took a tenth of a small build's start-up.
MONTH_NAMES = (
    swedish.MONTHS,
    ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"),
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
)  # fmt: skip
WEEKDAY_NAMES = (swedish.WEEKDAYS, ("mån", "tis", "ons", "tors", "fre", "lör", "sön"))


def _month_table() -> Mapping[str, int]:
    table = {name: number for names in MONTH_NAMES for number, name in enumerate(names, 1)}
    extras = {"febr": 2, "mar": 3, "sept": 9, "okt": 10, "dec": 12, "maj": 5, "may": 5}
    table.update(extras)
    return MappingProxyType(table)


_MONTHS = _month_table()
_WEEKDAYS = "|".join(
    sorted({name for names in WEEKDAY_NAMES for name in names}, key=len, reverse=True)
)
# "måndag 15 mars 2021", "mån 15/3 2021", "Tis. 9 februari 2021", "den 15 mars 2021"
_DATE_PREFIX = re.compile(rf"(?:(?:{_WEEKDAYS})(?:en)?\.?\s*,?\s*)?(?:den\s+)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NUMERIC = re.compile(r"(\d{1,2})\s*([/.])\s*(\d{1,2})(?:(?:\s+|\s*[/.,-]\s*)(\d{4}))?")
_HYPHENED = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_NAMED = re.compile(r"(\d{1,2})(?::?e|:a)?\.?\s*([^\W\d_]+)\.?(?:\s*,?\s*(\d{4}))?")
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIALS = (32874, 73051)  # 1990-01-01 .. 2100-01-01: a bare number in that range is a date


def month_number(word: str) -> int | None:
    """1–12 for a Swedish or English month name, full or abbreviated, any case, "." or not."""
    return _MONTHS.get(normalise(word).rstrip("."))


@functools.lru_cache(maxsize=4096)  # many rows share a date; the patterns cost 0.1 ms a text
def date_parts(text: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) for a date written as ISO or Swedish text, else None.

    Accepts 2021-03-15, 15/3 2021, 15/3/2021, 15/3-2021, 15.3.2021, 15-3-2021, 15 mars 2021,
    den 15 mars 2021, måndag (or mån) 15 mars 2021, and the same without the year. Two-digit years
    are refused (they are ambiguous). The parts are not checked as a calendar date.
    """
    key = normalise(text).rstrip(".")
    prefix = _DATE_PREFIX.match(key)
    key = key[prefix.end() :] if prefix else key
    if m := _ISO.fullmatch(key):
        return int(m[3]), int(m[2]), int(m[1])
    for pattern in (_NUMERIC, _HYPHENED):
        if m := pattern.fullmatch(key):
            year = m.groups()[-1]
            return (
                int(m[1]),
                int(m[3] if pattern is _NUMERIC else m[2]),
                int(year) if year else None,
            )
    if (m := _NAMED.fullmatch(key)) and (month := month_number(m[2])) is not None:
        return int(m[1]), month, int(m[3]) if m[3] else None
    return None


def serial_to_date(number: float) -> date | None:
    """An Excel day number (a date cell without date format) as a date, when plausible."""
    if not math.isfinite(number) or not _SERIALS[0] <= number < _SERIALS[1]:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(number))


_DATE_HINT = "(skriv t.ex. 2021-03-15 eller 15 mars 2021)."


def _plausible(day: date) -> Reading[date]:
    # Years outside 1900–2199 are typing errors, and would break date arithmetic downstream.
    return (
        Reading(day)
        if 1900 <= day.year <= 2199
        else Reading(None, f"är inte ett giltigt datum {_DATE_HINT}")
    )


def parse_date(value: CellValue) -> Reading[date]:
    """A date: an Excel date, ISO text, or Swedish text with the year written out."""
    if is_blank(value):
        return Reading()
    if isinstance(value, datetime):
        return _plausible(value.date())
    if isinstance(value, date):
        return _plausible(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = serial_to_date(value)
        return Reading(day) if day else Reading(None, f"är inte ett datum {_DATE_HINT}")
    parts = date_parts(value) if isinstance(value, str) else None
    if parts is None:
        return Reading(None, f"är inte ett datum {_DATE_HINT}")
    day_, month, year = parts
    if year is None:
        return Reading(None, f"saknar år {_DATE_HINT}")
    try:
        return _plausible(date(year, month, day_))
    except ValueError:
        return Reading(None, _impossible(day_, month, year))


def _impossible(day: int, month: int, year: int) -> str:
    """Why day/month/year is no date: "31/2 2021" → "februari 2021 har bara 28 dagar"."""
    if not 1 <= month <= 12:
        return f"är inte ett giltigt datum: det finns ingen månad {month} {_DATE_HINT}"
    if day >= 1 and 1 <= year <= 9999:
        name = swedish.MONTHS[month - 1]
        days = calendar.monthrange(year, month)[1]
        return f"är inte ett giltigt datum: {name} {year} har bara {days} dagar."
    return f"är inte ett giltigt datum {_DATE_HINT}"


_TIME = re.compile(r"(?:kl(?:ockan)?\.?\s*)?(\d{1,2})(?:\s*[.:,]\s*(\d{2}))?(?::(\d{2}))?")
_TIME_HINT = "är inte en tid (skriv t.ex. 13.00)."
# "13.00-15.00" or "kl. 9–11" in one cell: both times where one belongs.
_CLOCK = r"\d{1,2}(?:[.:,]\d{2})?"
_TIME_SPAN = re.compile(rf"(?:kl(?:ockan)?\.?\s*)?{_CLOCK}\s*[-–—]\s*{_CLOCK}")
_SPAN_HINT = "är två tider: skriv starttiden i Start och sluttiden i Slut (t.ex. 13.00 och 15.00)."
# "13" typed into a time-formatted cell is 13 days to Excel (shown as 00.00), which reads back
# as 13 January 1900 at midnight; the board meant the hour, as in a General-formatted cell.
_TYPED_HOURS = {datetime(1900, 1, day): time(day) for day in range(1, 24)}


def _minute_time(total_seconds: float) -> time:
    minutes = min(round(total_seconds / 60), 24 * 60 - 1)
    return time(minutes // 60, minutes % 60)


def parse_time(value: CellValue) -> Reading[time]:
    """A time of day, rounded to the minute: an Excel time, 13.00, 13:00, 13,00, kl. 13.00, 13.

    A number below 1 is Excel's fraction of a day (0.5 is 12.00); a whole number 0–23 is an
    hour, as the board types "13" into a General-formatted cell (or a time-formatted one).
    """
    if value is None or is_blank(value):
        return Reading()
    if isinstance(value, datetime):
        if value in _TYPED_HOURS:
            return Reading(_TYPED_HOURS[value])
        value = value.time()
    if isinstance(value, time):
        return Reading(_minute_time(value.hour * 3600 + value.minute * 60 + value.second))
    if isinstance(value, bool | date):
        return Reading(None, _TIME_HINT)
    if isinstance(value, int | float):
        if isinstance(value, int) and 0 <= value <= 23:
            return Reading(time(value))
        if math.isfinite(value) and 0 <= value < 1:
            return Reading(_minute_time(value * 86400))
        return Reading(None, _TIME_HINT)
    m = _TIME.fullmatch(normalise(value))
    if not m or int(m[1]) > 23 or int(m[2] or 0) > 59 or int(m[3] or 0) > 59:
        return Reading(None, _SPAN_HINT if _TIME_SPAN.fullmatch(normalise(value)) else _TIME_HINT)
    return Reading(time(int(m[1]), int(m[2] or 0)))
