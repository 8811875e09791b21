"""The Klart column: free Swedish (or English) time expressions read into a Deadline."""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .. import swedish
from ..models import CellValue, Deadline, DeadlineKind
from .dates import date_parts, month_number, serial_to_date
from .values import cell_text, is_blank

__all__ = ["deadline_from_cell", "parse_klart"]

K = DeadlineKind

# A year after a month or season: "2021", ", 2021", or the short "-21" / "'21".
_YS = r"(?:\s*,?\s*(?P<y>\d{4})|\s*['-]\s*(?P<yy>\d{2}))?"
# A four-digit year only (quarters, halves, weeks).
_Y4 = r"(?:\s*,?\s*(?:år\s*)?(?P<y>\d{4}))?"
_WORD = r"[^\W\d_]+"


@dataclass(frozen=True, slots=True)
class _Span:
    """What a rule found: kind, normalised display, dates, and the year the text itself names."""

    kind: DeadlineKind
    display: str
    start: date | None = None
    end: date | None = None
    named_year: int | None = None


_Rule = Callable[[str, int | None], _Span | None]


def _normalise(text: str) -> str:
    text = text.casefold().replace("–", "-").replace("—", "-").replace("’", "'")
    return " ".join(text.split()).strip(" .,;:!")


def _years(m: re.Match[str], default: int | None) -> tuple[int | None, int | None]:
    """(year to use, year the text names) from a match's y / yy groups."""
    groups = m.groupdict()
    if groups.get("y"):
        return int(groups["y"]), int(groups["y"])
    if groups.get("yy"):
        return 2000 + int(groups["yy"]), 2000 + int(groups["yy"])
    return default, None


def _with_year(display: str, year: int | None) -> str:
    return f"{display} {year}" if year is not None else display


def _month_name(month: int) -> str:
    return swedish.MONTHS[month - 1]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(
    kind: DeadlineKind,
    display: str,
    year: int | None,
    named: int | None,
    first: tuple[int, int],
    last: tuple[int, int],
) -> _Span:
    """A span inside one year from (month, day) to (month, day); no dates when no year."""
    if year is None:
        return _Span(kind, display, named_year=named)
    return _Span(kind, display, date(year, *first), date(year, *last), named)


# ---------------------------------------------------------------------------------------------
# Words: done, on demand, continuous, recurring, relative
# ---------------------------------------------------------------------------------------------

_DONE = re.compile(
    r"klart?|klara|genomför(?:t|d|da)|utför(?:t|d|da)|avklara(?:t|d)|färdig(?:t|a)?|ja|x|✓|✔|done"
)
_ON_DEMAND = re.compile(r"(?:vid|efter) behov|när behov (?:finns|uppstår)")
_CONTINUOUS = re.compile(
    r"(?:under )?hela (?:året|verksamhetsåret|(?P<y>\d{4}))"
    r"|(?:kontinuerlig|kontinuerligt|löpande|fortlöpande|pågående|fortgående|ständigt)"
    r"(?: under (?:hela )?(?:året|verksamhetsåret|(?P<y2>\d{4})))?"
)
_RECURRING = re.compile(
    r"(?:(?:efter|vid|inför|före|på|under) )?varje (?:styrelsemöte|möte|årsmöte|användarträff)"
    r"|stående punkt(?: på dagordningen)?|årligen|varje år|en gång (?:per|om|i) året"
    r"|månadsvis|varje månad|kvartalsvis|varje kvartal|veckovis|varje vecka"
)
_RELATIVE = re.compile(
    r"(?:(?:senast )?(?:inför|före|innan|till)|efter|vid|på|i samband med) (?:nästa )?"
    r"(?:årsmötet?|årsstämman?|användarträff(?:en)?|konstituerande(?:t)? (?:styrelse)?mötet?"
    r"|nästa styrelsemöte|styrelsemötet)(?: (?P<y>\d{4}))?"
)


def _words(t: str, year: int | None) -> _Span | None:
    if _DONE.fullmatch(t):
        return _Span(K.DONE, "klart")
    if _ON_DEMAND.fullmatch(t):
        return _Span(K.ON_DEMAND, "vid behov")
    if m := _CONTINUOUS.fullmatch(t):
        named = int(m["y"] or m["y2"]) if (m["y"] or m["y2"]) else None
        used = named if named is not None else year
        return _span(K.CONTINUOUS, "kontinuerligt", used, named, (1, 1), (12, 31))
    if _RECURRING.fullmatch(t):
        return _Span(K.RECURRING, t)
    if m := _RELATIVE.fullmatch(t):
        return _Span(K.RELATIVE, t, named_year=int(m["y"]) if m["y"] else None)
    return None


# ---------------------------------------------------------------------------------------------
# Periods: date, month part, month, season, quarter, half, week, year
# ---------------------------------------------------------------------------------------------


def _date(t: str, year: int | None) -> _Span | None:
    parts = date_parts(t)
    if parts is None:
        return None
    day, month, written = parts
    used = written if written is not None else year
    if used is None:
        when = date(2000, month, day)  # a leap year, only to check the day exists
        return _Span(K.DATE, f"{day} {_month_name(when.month)}")
    when = date(used, month, day)
    return _Span(K.DATE, swedish.text_date(when), when, when, written)


_MONTH_PART = re.compile(rf"(?:i )?(?P<part>början|mitten|slutet) (?:av|på) (?P<m>{_WORD})\.?{_YS}")
_PARTS = {"början": (1, 10), "mitten": (11, 20), "slutet": (21, 31)}


def _month_part(t: str, year: int | None) -> _Span | None:
    m = _MONTH_PART.fullmatch(t)
    month = month_number(m["m"]) if m else None
    if m is None or month is None:
        return None
    used, named = _years(m, year)
    display = _with_year(f"{m['part']} av {_month_name(month)}", used)
    if used is None:
        return _Span(K.MONTH_PART, display)
    first, last = _PARTS[m["part"]]
    end = min(date(used, month, 1) + timedelta(days=last - 1), _month_end(used, month))
    return _Span(K.MONTH_PART, display, date(used, month, first), end, named)


_MONTH = re.compile(rf"(?:i |under )?(?P<m>{_WORD})\.?(?:\s*[-/]\s*(?P<m2>{_WORD})\.?)?{_YS}")


def _month(t: str, year: int | None) -> _Span | None:
    m = _MONTH.fullmatch(t)
    first = month_number(m["m"]) if m else None
    last = month_number(m["m2"]) if m and m["m2"] else first
    if m is None or first is None or last is None or last < first:
        return None
    used, named = _years(m, year)
    names = _month_name(first) + (f"–{_month_name(last)}" if last != first else "")
    display = _with_year(names, used)
    if used is None:
        return _Span(K.MONTH, display)
    return _Span(K.MONTH, display, date(used, first, 1), _month_end(used, last), named)


_SEASON = re.compile(
    r"(?:under |i )?(?P<s>våren|vår|sommaren|sommar|hösten|höst|vintern|vinter"
    r"|vårterminen|vårtermin|vt|höstterminen|hösttermin|ht)"
    rf"(?:{_YS}(?:\s*/\s*(?P<y2>\d{{4}}|\d{{2}}))?)?"
)
# (display word, first (month, day), last (month, day)); vinter runs into the next year.
_SEASONS = {
    "vår": ("våren", (3, 1), (5, 31)),
    "sommar": ("sommaren", (6, 1), (8, 31)),
    "höst": ("hösten", (9, 1), (11, 30)),
    "vinter": ("vintern", (12, 1), (2, 28)),
    "vårtermin": ("vårterminen", (1, 1), (6, 30)),
    "hösttermin": ("höstterminen", (8, 15), (12, 31)),
}
_SEASON_KEYS = {
    "våren": "vår",
    "sommaren": "sommar",
    "hösten": "höst",
    "vintern": "vinter",
    "vårterminen": "vårtermin",
    "vt": "vårtermin",
    "höstterminen": "hösttermin",
    "ht": "hösttermin",
}


def _season(t: str, year: int | None) -> _Span | None:
    m = _SEASON.fullmatch(t)
    if m is None:
        return None
    key = _SEASON_KEYS.get(m["s"], m["s"])
    word, first, last = _SEASONS[key]
    used, named = _years(m, year)
    if m["y2"] and (used is None or int(m["y2"]) % 100 != (used + 1) % 100 or key != "vinter"):
        return None
    if key != "vinter":
        return _span(K.SEASON, _with_year(word, used), used, named, first, last)
    # "Vinter 2021" is read as the winter that starts in December 2021 (the part of it that
    # lies in a calendar-year plan); the display says so: "vintern 2021/2022".
    if used is None:
        return _Span(K.SEASON, word)
    return _Span(
        K.SEASON, f"{word} {used}/{used + 1}", date(used, 12, 1), _month_end(used + 1, 2), named
    )


_ORDINALS = {
    "första": 1,
    "1:a": 1,
    "andra": 2,
    "2:a": 2,
    "tredje": 3,
    "3:e": 3,
    "fjärde": 4,
    "4:e": 4,
}
_QUARTER = re.compile(
    r"(?:under )?(?:(?:q|k|kv|kvartal)\s*\.?\s*(?P<n>[1-4])"
    rf"|(?P<o>första|andra|tredje|fjärde|1:a|2:a|3:e|4:e) kvartalet){_Y4}"
)
_QUARTER_FIRST = re.compile(r"(?P<y>\d{4})\s*,?\s*-?\s*(?:q|k|kv)\s*(?P<n>[1-4])")


def _quarter(t: str, year: int | None) -> _Span | None:
    m = _QUARTER.fullmatch(t) or _QUARTER_FIRST.fullmatch(t)
    if m is None:
        return None
    number = int(m["n"]) if m["n"] else _ORDINALS[m.groupdict()["o"]]
    used, named = _years(m, year)
    display = _with_year(f"kvartal {number}", used)
    if used is None:
        return _Span(K.QUARTER, display)
    first = 3 * number - 2
    return _Span(K.QUARTER, display, date(used, first, 1), _month_end(used, first + 2), named)


_HALF = re.compile(
    rf"(?:under )?(?:(?:h|halvår|halvåret)\s*\.?\s*(?P<n>[12])|(?P<o>första|andra|1:a|2:a) "
    rf"halvåret){_Y4}"
)
_HALF_OF = re.compile(r"(?:under )?(?P<o>första|andra) halvan av (?:året|(?P<y>\d{4}))")


def _half(t: str, year: int | None) -> _Span | None:
    m = _HALF.fullmatch(t) or _HALF_OF.fullmatch(t)
    if m is None:
        return None
    number = int(m["n"]) if m.groupdict().get("n") else _ORDINALS[m["o"]]
    used, named = _years(m, year)
    display = _with_year("första halvåret" if number == 1 else "andra halvåret", used)
    first, last = ((1, 1), (6, 30)) if number == 1 else ((7, 1), (12, 31))
    return _span(K.HALF, display, used, named, first, last)


_WEEK = re.compile(rf"(?:under )?(?:vecka|v\.?|week|w)\s*(?P<n>\d{{1,2}}){_Y4}")


def _week(t: str, year: int | None) -> _Span | None:
    m = _WEEK.fullmatch(t)
    if m is None or not 1 <= int(m["n"]) <= 53:
        return None
    number = int(m["n"])
    used, named = _years(m, year)
    if used is None:
        return _Span(K.WEEK, f"vecka {number}")
    start = date.fromisocalendar(used, number, 1)  # ValueError for week 53 in a 52-week year
    return _Span(K.WEEK, f"vecka {number}, {used}", start, start + timedelta(days=6), named)


_YEAR = re.compile(r"(?:under |år |under år |i |året |under året )?(?P<y>\d{4})")
_THIS_YEAR = re.compile(r"under året|i år|under verksamhetsåret|innevarande år")


def _year(t: str, year: int | None) -> _Span | None:
    if m := _YEAR.fullmatch(t):
        named = int(m["y"])
        return _span(K.YEAR, f"under {named}", named, named, (1, 1), (12, 31))
    if _THIS_YEAR.fullmatch(t):
        return _span(
            K.YEAR,
            _with_year("under", year) if year else "under året",
            year,
            None,
            (1, 1),
            (12, 31),
        )
    return None


_PERIODS: tuple[_Rule, ...] = (_date, _month_part, _season, _quarter, _half, _week, _month, _year)

# ---------------------------------------------------------------------------------------------
# Deadlines: "senast 31/3", "före 1 maj", "senast vecka 12"
# ---------------------------------------------------------------------------------------------

_DEADLINE = re.compile(r"(?P<kw>senast|före|innan|till och med|t\.\s?o\.\s?m\.?|tom) (?P<rest>.+)")


def _deadline(t: str, year: int | None) -> _Span | None:
    m = _DEADLINE.fullmatch(t)
    if m is None:
        return None
    inner = _first(_PERIODS, m["rest"], year)
    if inner is None:
        return None
    before = m["kw"] in ("före", "innan")
    word = m["kw"] if m["kw"] in ("senast", "före", "innan") else "till och med"
    what = inner.display.removeprefix("under ") if inner.kind is K.YEAR else inner.display
    # "före 1 maj" is due the day before; "senast 31/3" and "t.o.m." on the day itself.
    due = (inner.start - timedelta(days=1)) if before and inner.start else inner.end
    return _Span(K.DEADLINE, f"{word} {what}", None, due, inner.named_year)


def _first(rules: tuple[_Rule, ...], t: str, year: int | None) -> _Span | None:
    for rule in rules:
        try:
            found = rule(t, year)
        except (ValueError, OverflowError):  # an impossible date such as 31/4 or week 53
            found = None
        if found is not None:
            return found
    return None


_RULES: tuple[_Rule, ...] = (_words, _deadline, *_PERIODS)


@functools.lru_cache(maxsize=4096)  # a plan repeats its few Klart texts on many rows
def parse_klart(text: str, year: int | None) -> Deadline:
    """Read a Klart text into a Deadline; never raises.

    Args:
        text: the cell text exactly as written (kept as `Deadline.text`).
        year: the Verksamhetsår, used when the text names no year ("vecka 12", "15/3").

    Returns:
        A Deadline whose `display` is normalised Swedish ("april 2021", "hösten 2021",
        "kontinuerligt"); `year` is the year the text itself names (None when it names none);
        `due` is the end of the period, or the deadline day. Unrecognised text gives kind
        UNKNOWN with the text as display.
    """
    key = _normalise(text)
    found = _first(_RULES, key, year) if key else None
    if found is None:
        return Deadline(K.UNKNOWN, text, text.strip())
    due = None if found.kind is K.CONTINUOUS else found.end
    return Deadline(found.kind, text, found.display, found.start, found.end, due, found.named_year)


def deadline_from_cell(value: CellValue, year: int | None) -> Deadline:
    """The Deadline of a Klart cell of any type: text, an Excel date, a year number, or empty."""
    if isinstance(value, str):
        return parse_klart(value, year)
    if is_blank(value):
        return Deadline(K.UNKNOWN, "", "")
    when: date | None = None
    if isinstance(value, datetime):
        when = value.date()
    elif isinstance(value, date):
        when = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = serial_to_date(value)
    if when is None:
        return parse_klart(cell_text(value), year)
    found = parse_klart(when.isoformat(), year)
    return replace(found, text=when.isoformat())
