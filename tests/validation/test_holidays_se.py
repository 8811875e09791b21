"""Tests for validation.holidays_se: the computed Swedish days off agree with `holidays`."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from holidays.countries.sweden import Sweden

from docautomation.validation.holidays_se import FIRST_YEAR, days_off


def _package(year: int) -> dict[date, str]:
    days = Sweden(
        years=year, language="sv", categories=("public", "de_facto"), include_sundays=False
    )
    return {day: str(name).replace("; ", " och ") for day, name in days.items()}


def test_every_computed_year_agrees_with_the_holidays_package() -> None:
    """2005–2100 (as far as the package goes), names, dates and shared days alike."""
    for year in range(FIRST_YEAR, 2101):
        assert days_off([year]) == _package(year), year


def test_shared_days_and_older_rules() -> None:
    """Two holidays on one day are joined; before 2005 the package's older rules apply."""
    assert days_off([2008])[date(2008, 5, 1)] == "Första maj och Kristi himmelsfärdsdag"
    assert days_off([2049])[date(2049, 6, 6)] == "Nationaldagen och Pingstdagen"
    older = days_off([1990])
    assert older[date(1990, 6, 4)] == "Annandag pingst" and date(1990, 6, 6) not in older


def test_a_current_year_does_not_import_the_holidays_package() -> None:
    """Importing `holidays` loads every country: a fifth of a second of start-up."""
    code = (
        "import sys\n"
        "from docautomation.validation.meetings import swedish_days_off\n"
        "assert swedish_days_off({2021})\n"
        "print('holidays' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
