"""Swedish public holidays and the three eves, computed by the rules in force since 2005.

The `holidays` package knows every country's history, and importing it loads every country
(about a fifth of a second, most of a small build's start-up). Sweden's rules have been the
same since 2005, when Nationaldagen replaced Annandag pingst; those years are computed here
(the tests compare them with `holidays` year by year), older years still ask the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

FIRST_YEAR = 2005  # Nationaldagen a holiday, Annandag pingst no longer one


def days_off(years: Iterable[int]) -> Mapping[date, str]:
    """Helgdagar plus midsommarafton, julafton and nyårsafton of `years`, by date; two on one
    day are joined with "och". Sundays are not listed for being Sundays."""
    wanted = set(years)
    found: dict[date, list[str]] = {}
    for year in sorted(y for y in wanted if y >= FIRST_YEAR):
        for day, name in _year(year):
            found.setdefault(day, []).append(name)
    older = {y for y in wanted if y < FIRST_YEAR}
    days = {day: " och ".join(names) for day, names in found.items()}
    return {**days, **_from_package(older)} if older else days


def _year(year: int) -> list[tuple[date, str]]:
    easter = _easter(year)
    return [
        (date(year, 1, 1), "Nyårsdagen"),
        (date(year, 1, 6), "Trettondedag jul"),
        (easter - timedelta(days=2), "Långfredagen"),
        (easter, "Påskdagen"),
        (easter + timedelta(days=1), "Annandag påsk"),
        (date(year, 5, 1), "Första maj"),
        (easter + timedelta(days=39), "Kristi himmelsfärdsdag"),
        (date(year, 6, 6), "Nationaldagen"),  # before Pingstdagen when both fall on 6 June
        (easter + timedelta(days=49), "Pingstdagen"),
        (_weekday_from(date(year, 6, 19), 4), "Midsommarafton"),  # the Friday of 19–25 June
        (_weekday_from(date(year, 6, 20), 5), "Midsommardagen"),  # the Saturday of 20–26 June
        (_weekday_from(date(year, 10, 31), 5), "Alla helgons dag"),  # the Saturday of 31/10–6/11
        (date(year, 12, 24), "Julafton"),
        (date(year, 12, 25), "Juldagen"),
        (date(year, 12, 26), "Annandag jul"),
        (date(year, 12, 31), "Nyårsafton"),
    ]


def _weekday_from(first: date, weekday: int) -> date:
    """The first day on or after `first` that falls on `weekday` (Monday 0)."""
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def _easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the Meeus/Jones/Butcher computus)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _from_package(years: set[int]) -> Mapping[date, str]:
    """Older years from the `holidays` package (from 1953, when its Swedish rules begin)."""
    years = {year for year in years if year >= 1953}
    if not years:
        return {}
    from holidays.countries.sweden import Sweden

    wanted = ("public", "de_facto")  # from holidays 0.88 the three eves are "de_facto"
    categories = tuple(c for c in wanted if c in Sweden.supported_categories)
    days = Sweden(years=years, language="sv", categories=categories, include_sundays=False)
    named = {
        day: [n for n in str(name).split("; ") if n.casefold() not in ("söndag", "sunday")]
        for day, name in days.items()
    }
    return {day: " och ".join(names) for day, names in named.items() if names}
