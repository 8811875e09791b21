"""Every shipped document comes out of LibreOffice whole, even where every table breaks pages."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.table import Table

from docautomation.build import build
from docautomation.config import Settings
from docautomation.outbox import pdf
from docautomation.outbox.pdfcheck import lost_text, normalise, read_pdf_pages
from docautomation.register.scaffold import example_content, write_register

pytestmark = [
    pytest.mark.office,
    pytest.mark.skipif(
        pdf.soffice_path() is None or shutil.which("pdftotext") is None,
        reason="LibreOffice (soffice) eller pdftotext saknas",
    ),
]

COPIES = 8  # of the example's 30 wishes: 32 delivered and 24 rejected, each table over a page
EXTRA_CATEGORIES = 40  # the summary table of categories then runs past the first page


def _large_content() -> dict[str, list[dict[str, Any]]]:
    """The example register with its wishes and activities repeated under their own IDs and
    names (every text unique), and more categories than a page holds."""
    content = example_content()
    base = content["Önskemål"]
    content["Önskemål"] = [
        {
            **wish,
            "ID": f"ÖNS-{copy * len(base) + number:03}",
            "Rubrik": f"{wish['Rubrik']} ({copy})" if copy else wish["Rubrik"],
            "Återkoppling": f"{wish['Återkoppling']} ({copy})" if copy else wish["Återkoppling"],
            "Pilot": wish["Pilot"] if not copy else "",
        }
        for copy in range(COPIES)
        for number, wish in enumerate(base, start=1)
    ]
    content["Aktiviteter"] = [
        {
            **row,
            "Verksamhetsområde": f"{row['Verksamhetsområde']} ({copy})"
            if copy and row["Verksamhetsområde"]
            else row["Verksamhetsområde"],
            "Aktivitet/åtgärd": f"{row['Aktivitet/åtgärd']} ({copy})"
            if copy
            else row["Aktivitet/åtgärd"],
        }
        for copy in range(3)
        for row in content["Aktiviteter"]
    ]
    first = len(content["Prioritering"]) + 1
    content["Prioritering"] = content["Prioritering"] + [
        {"Nr": nr, "Kategori": f"Område {nr} för framtida önskemål", "Beskrivning": ""}
        for nr in range(first, first + EXTRA_CATEGORIES)
    ]
    return content


def _first_page(pages: list[str], text: str) -> int:
    wanted = normalise(text)
    return next(n for n, page in enumerate(pages) if wanted in normalise(page))


def _pages_of_each_table(document: Path, pages: list[str]) -> list[tuple[int, int]]:
    """For each table: the page of its first data row and of its last, each found by its
    longest cell among those no other row repeats (the activity, the wish's title)."""
    spans = []
    for table in _data_tables(document):
        rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
        counts = Counter(text for row in rows for text in set(row))
        first, last = (
            max((t for t in row if counts[t] == 1), key=len) for row in (rows[0], rows[-1])
        )
        spans.append((_first_page(pages, first), _first_page(pages, last)))
    return spans


def _data_tables(document: Path) -> Iterator[Table]:
    """The document's tables with rows of data: a layout table (the report's summary beside its
    chart) stands for the tables it holds."""
    for table in docx.Document(str(document)).tables:
        held = [inner for cell in table.rows[0].cells for inner in cell.tables]
        yield from held or [table]


def _build_with_pdfs(workdir: Path, content: dict[str, list[dict[str, Any]]]) -> list[Path]:
    """Build `content` with PDFs on; the build must succeed. Returns the Word documents."""
    settings = Settings(
        inbox=workdir / "inbox", outbox=workdir / "outbox", templates=workdir / "templates"
    )
    write_register(settings.inbox / "Register 2021.xlsx", content)
    outcome = build(None, settings, today=date(2021, 3, 15), pdf=True).outcomes[0]
    assert (outcome.exit_code, outcome.message) == (0, "")
    documents = sorted(settings.outbox.rglob("*.docx"))
    assert sorted(p.with_suffix(".docx") for p in outcome.pdfs) == documents
    for document in documents:
        assert lost_text(document, document.with_suffix(".pdf")) is None, document.name
    return documents


def test_the_example_converts_completely(workdir: Path) -> None:
    """The example's report ends with its rejected wishes near a page end: all three rows are
    in the PDF (a row kept from breaking under a repeated heading lost two of them)."""
    documents = _build_with_pdfs(workdir, example_content())
    report = next(d for d in documents if d.name.startswith("Önskemål"))
    text = normalise("".join(read_pdf_pages(report.with_suffix(".pdf"))))
    assert all(normalise(i) in text for i in ("ÖNS-025", "ÖNS-027", "ÖNS-028"))


def test_every_document_of_a_large_register_converts_completely(workdir: Path) -> None:
    """A register whose every list table breaks across pages (the plan's activities; the
    report's summary, ranked, delivered and rejected wishes) gets a PDF of every document
    holding every paragraph and table cell, and the build exits 0."""
    documents = _build_with_pdfs(workdir, _large_content())
    spans = [
        (document.name, span)
        for document in documents
        if document.name.startswith(("Verksamhetsplan", "Önskemål"))
        for span in _pages_of_each_table(document, read_pdf_pages(document.with_suffix(".pdf")))
    ]
    assert len(spans) == 5
    for name, (first, last) in spans:
        assert first < last, f"{name}: a table that does not break pages"
