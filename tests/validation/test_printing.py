"""Tests for docautomation.validation.printing: row heights, width, pages, the header."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docautomation.models import Problem, Severity
from docautomation.outbox.pdf import convert, soffice_path
from docautomation.validation.report import write_validation_report
from tests.support.validation import planted_rows, write_workbook

_TEXT = (
    "Kallelsedatum ligger efter mötets datum; önskemålet saknar kategori och antal kommuner. "
    "Skriv ett datum som 2021-03-15 eller 15 mars 2021 i Myndighetsrapportering och Ansvarig"
)


def _problems(count: int) -> list[Problem]:
    """Messages from one word to several lines long, some with a line break of their own."""
    rng = random.Random(14)
    words = _TEXT.split()
    problems = []
    for number in range(count):
        text = " ".join(rng.choice(words) for _ in range(rng.choice((1, 8, 20, 45, 80))))
        if number % 7 == 3:
            text += "\nAndra raden: " + " ".join(rng.choice(words) for _ in range(12))
        severity = Severity.ERROR if number % 3 else Severity.WARNING
        problems.append(
            Problem(severity, "Önskemål", f"B{number + 2}", f"<{number}> {text} <slut>")
        )
    return problems


def _report(tmp_path: Path, problems: list[Problem]) -> Path:
    data = write_workbook(tmp_path / "Register 2021.xlsx", planted_rows()).read_bytes()
    return write_validation_report(data, problems, tmp_path / "ut" / "Valideringsrapport.xlsx")


def test_rows_are_as_high_as_their_wrapped_message(tmp_path: Path) -> None:
    """A one-line message keeps one line's height; a long or broken one gets a line per line."""
    short = Problem(Severity.ERROR, "Möten", "A2", "Datum saknas.")
    long = Problem(Severity.WARNING, "Möten", "A3", "ord " * 100)  # 400 characters
    broken = Problem(Severity.WARNING, "Möten", "A4", "ett\ntvå\ntre")
    sheet = load_workbook(_report(tmp_path, [short, long, broken])).worksheets[0]
    heights = [sheet.row_dimensions[row].height for row in (2, 3, 4)]
    assert heights[0] == 15 and heights[2] == 45
    assert 60 <= heights[1] <= 90  # 400 characters on a line of about 90


def test_the_fel_sheet_fits_the_page_width_with_the_header_on_every_page(tmp_path: Path) -> None:
    """A4 landscape, one page wide and as many long as needed, header row repeated."""
    sheet = load_workbook(_report(tmp_path, _problems(3))).worksheets[0]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "landscape",
        9,  # A4
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert 60 <= widths[3] <= 100 and sum(widths) <= 140
    assert sheet["A1"].font.b and sheet["A1"].font.name == "Calibri"  # the register's font


@pytest.mark.office
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_libreoffice_prints_every_message_whole_under_a_header_on_every_page(
    tmp_path: Path,
) -> None:
    """Printed, no message is cut off by its row, and each page shows the four columns under
    the header; a row too low for its text would lose the end of it on paper."""
    problems = _problems(60)
    report = _report(tmp_path, problems)
    workbook = load_workbook(report)
    for name in workbook.sheetnames[1:]:
        del workbook[name]  # the register's own sheets print after Fel; only Fel is checked
    workbook.save(tmp_path / "Fel.xlsx")
    (pdf,) = convert([tmp_path / "Fel.xlsx"], tmp_path / "pdf", "pdf")
    pages = _pdf_pages(pdf)
    assert len(pages) > 2
    for page in pages:
        first = next(line for line in page.splitlines() if line.strip())
        assert first.split() == ["Allvarlighet", "Blad", "Cell", "Meddelande"]
    # Compared without white space: the PDF breaks lines (and "2021-03-15" at its hyphens).
    printed = "".join("".join(pages).split())
    assert [p.message for p in problems if "".join(p.message.split()) not in printed] == []


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]
