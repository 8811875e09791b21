"""Tests for Swedish dates and times and for safe file names."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docautomation.documents.formatting import (
    MAX_NAME,
    iso_date,
    long_date,
    safe_filename,
    text_date,
    text_time,
    time_range,
)

REFUSED = '\\/:*?"<>|#%'


def test_long_date_has_swedish_weekday_and_month() -> None:
    """Running text dates read "tisdag 9 februari 2021"."""
    assert long_date(date(2021, 2, 9)) == "tisdag 9 februari 2021"
    assert long_date(date(2021, 3, 15)) == "måndag 15 mars 2021"


def test_text_date_without_weekday() -> None:
    """A date in running text without weekday: "15 mars 2021"."""
    assert text_date(date(2021, 3, 15)) == "15 mars 2021"
    assert text_date(date(2021, 12, 1)) == "1 december 2021"


def test_iso_date_for_tables_and_file_names() -> None:
    """Tables and file names use ISO dates."""
    assert iso_date(date(2021, 3, 5)) == "2021-03-05"


def test_times_have_no_leading_zero_in_text_but_four_digits_in_tables() -> None:
    """9.30 in running text, 09.30 in tables."""
    assert text_time(time(9, 30)) == "9.30"
    assert text_time(time(13, 0)) == "13.00"


def test_time_range_uses_en_dash_and_kl() -> None:
    """A span reads "kl. 9.30–11.00" with an en dash; without an end only the start."""
    assert time_range(time(9, 30), time(11)) == "kl. 9.30\u201311.00"
    assert time_range(time(13)) == "kl. 13.00"


@pytest.mark.parametrize("char", list(REFUSED))
def test_safe_filename_replaces_each_refused_character(char: str) -> None:
    """Every character Windows or SharePoint refuses is replaced."""
    assert safe_filename(f"Pro{char}sona") == "Pro_sona"


def test_safe_filename_replaces_leading_and_trailing_dots_and_spaces() -> None:
    """Leading and trailing dots and spaces are replaced; inner ones are kept."""
    assert safe_filename(" .Prosona AB. ") == "__Prosona AB__"
    assert safe_filename("..") == "__"


def test_safe_filename_keeps_an_acceptable_name() -> None:
    """A normal Swedish name is left as it is."""
    assert safe_filename("Prosona Åkerö AB") == "Prosona Åkerö AB"


def test_safe_filename_handles_windows_device_names_and_empty() -> None:
    """CON, NUL, COM1 … cannot be file names on Windows; an empty name gets a placeholder."""
    assert safe_filename("CON") == "CON_"
    assert safe_filename("nul.txt") == "nul_.txt"
    assert safe_filename("") == "_"


def test_safe_filename_normalises_to_nfc() -> None:
    """A decomposed "å" (as macOS may give it) becomes the composed one."""
    assert safe_filename("Pa\u030ar") == "P\u00e5r"


@given(st.text(max_size=40))
def test_safe_filename_never_leaves_its_folder(name: str) -> None:
    """Whatever the input, the result is one non-empty name without refused characters."""
    result = safe_filename(name)
    assert result
    assert not any(c in result for c in REFUSED)
    assert not any(ord(c) < 32 for c in result)
    assert result[0] not in ". " and result[-1] not in ". "
    assert safe_filename(result) == result


def test_a_very_long_name_is_cut_to_fit_a_file_system() -> None:
    """A Leverantör of thousands of characters gives a name of MAX_NAME, still safe at its end."""
    assert safe_filename("x" * 40_000) == "x" * MAX_NAME
    cut = safe_filename("Prosona" + " " * (MAX_NAME - 7) + "AB")
    assert len(cut) == MAX_NAME and cut.startswith("Prosona") and not cut.endswith(" ")
