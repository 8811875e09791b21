"""Tests for the lost-text check: a document's paragraphs and cells against a PDF's text."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from docautomation.documents.jobs import document_jobs
from docautomation.errors import DocAutomationError
from docautomation.outbox import pdf
from docautomation.outbox.pdfcheck import PdfText, document_texts, lost_text, read_pdf_pages
from tests.support.rendering import make_ranking, make_register

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext saknas")
needs_office = pytest.mark.skipif(
    pdf.soffice_path() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) eller pdftotext saknas",
)

FOOTER = "Sida 3 av 9"
HEADER = "Användarföreningen Castor"


def test_a_text_over_line_breaks_and_a_hyphenated_line_end_is_shown() -> None:
    """Line breaks, extra spaces and a word broken with a hyphen do not matter; order does."""
    pages = PdfText(["Medlemmarnas   önskemål om för-\nbättringar, rang-\nordnade.\n"])
    assert pages.shows("Medlemmarnas önskemål om förbättringar, rangordnade.")
    assert pages.shows("önskemål\tom förbättringar")
    assert not pages.shows("förbättringar om önskemål")
    assert not pages.shows("Medlemmarnas önskemål om förbättringar, rangordnade. Borta.")


def test_compatibility_forms_capitals_and_empty_texts() -> None:
    """A ligature in the PDF reads as its letters, a heading printed in capitals as its text;
    a paragraph of spaces needs nothing."""
    pages = PdfText(["Det \ufb01nns ett \ufb02öde\nVERKSAMHETSPLAN FÖR ÅR 2021\n"])
    assert pages.shows("Det finns ett flöde")
    assert pages.shows("Verksamhetsplan för år 2021")
    assert pages.shows("  \t ")


def test_a_table_row_broken_across_pages_is_shown() -> None:
    """pdftotext gives a table column by column; a cell's text ends the page's part of its
    column and goes on after the footer, the next page's header and the repeated heading."""
    page_one = "Styrelsearbete\nBevaka och lämna förslag\npå prioritering för\nOrdförande och"
    page_two = f"{HEADER}\nVerksamhetsområde\nAktivitet/åtgärd\nlämnade önskemål."
    pages = PdfText([page_one + "\n" + FOOTER, page_two + "\nKassör\n"])
    assert pages.shows("Bevaka och lämna förslag på prioritering för lämnade önskemål.")
    assert pages.shows("Ordförande och Kassör")


def test_a_piece_that_starts_after_a_list_number_may_go_on_overleaf() -> None:
    """The first piece may start inside a line (after "3."), the rest starts a line."""
    pages = PdfText(["Dagordning\n3. Val av mötes-\n" + FOOTER, HEADER + "\nsekreterare\n"])
    assert pages.shows("Val av mötessekreterare")


def test_a_text_longer_than_a_page_runs_over_three_pages() -> None:
    """Whole lines fill the middle page, between its header and footer."""
    pages = PdfText(
        [
            "Rubrik\nBeskrivning: första delen\n" + FOOTER,
            f"{HEADER}\nandra delen hela sidan\nfortsätter här\n{FOOTER}",
            f"{HEADER}\ntredje delen.\nNästa stycke",
        ]
    )
    assert pages.shows("första delen andra delen hela sidan fortsätter här tredje delen.")
    assert not pages.shows("första delen tredje delen.")


def test_pieces_must_meet_at_a_line_end_and_a_line_start() -> None:
    """A prefix found mid-line on one page and a suffix mid-line on the next is not the text:
    a row LibreOffice dropped is not pieced together from other rows' words."""
    pages = PdfText(
        [
            "ÖNS-025 Mörkt tema i gränssnittet\nAvvisas i nuläget och",
            "PRS-2021-0214 Export av tidrapporter\n",
        ]
    )
    assert not pages.shows("ÖNS-027 Export av tidrapporter")
    assert not pages.shows("Mörkt tema Export av tidrapporter")
    assert pages.shows("Avvisas i nuläget och PRS-2021-0214 Export")


def test_a_long_repetitive_paragraph_over_pages_is_found_quickly() -> None:
    """Text that repeats itself offers many ways to cut it; the search stays linear-ish."""
    sentence = "Lång text med å, ä, ö & <tecken> "
    lines = [sentence * 2 for _ in range(120)]
    raw_pages = ["\n".join(lines[i : i + 40]) + "\n" + FOOTER for i in range(0, 120, 40)]
    pages = PdfText(raw_pages)
    assert pages.shows(sentence * 240)
    assert not pages.shows(sentence * 240 + "slut")


def _docx(tmp_path: Path, body: str) -> Path:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    path = tmp_path / "dokument.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(
            "word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
        )
    return path


def _field(kind: str) -> str:
    return f"<w:r><w:fldChar w:fldCharType='{kind}'/></w:r>"


def test_document_texts_reads_paragraphs_and_cells_as_printed(tmp_path: Path) -> None:
    """Body paragraphs and every cell paragraph; tabs and breaks are spaces, a non-breaking
    hyphen a hyphen; hidden and deleted text and what fields show (worked out anew by the
    office suite) are not expected; a text box's paragraphs are texts of their own."""
    body = (
        "<w:p><w:r><w:t>Rubrik</w:t></w:r></w:p>"
        "<w:p/><w:p><w:r><w:t xml:space='preserve'>  </w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Datum:</w:t><w:tab/><w:t>9</w:t><w:br/><w:t>mars</w:t></w:r>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>dold</w:t></w:r>"
        "<w:r><w:rPr><w:vanish w:val='0'/></w:rPr><w:t> synlig</w:t></w:r>"
        "<w:del><w:r><w:delText>struken</w:delText></w:r></w:del>"
        "<w:r><w:t>e</w:t><w:noBreakHyphen/><w:t>post</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>Sida </w:t></w:r>{_field('begin')}"
        f"<w:r><w:instrText> PAGE </w:instrText></w:r>{_field('separate')}"
        f"<w:r><w:t>1</w:t></w:r>{_field('end')}<w:r><w:t> av </w:t></w:r>"
        "<w:fldSimple w:instr=' NUMPAGES '><w:r><w:t>9</w:t></w:r></w:fldSimple></w:p>"
        f"<w:p>{_field('begin')}<w:r><w:instrText>TOC</w:instrText></w:r>{_field('separate')}"
        "<w:r><w:t>Innehåll, rad 1</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>Innehåll, rad 2</w:t></w:r>{_field('end')}<w:r><w:t>Efter</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>ÖNS-001</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>andra stycket</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>Före</w:t></w:r><w:r><w:drawing><w:txbxContent>"
        "<w:p><w:r><w:t>I rutan</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r>"
        "<w:r><w:t> efter</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    assert list(document_texts(_docx(tmp_path, body))) == [
        "Rubrik",
        "Datum: 9 mars synlige-post",
        "Sida  av ",
        "Efter",
        "ÖNS-001",
        "andra stycket",
        "Före efter",
        "I rutan",
    ]


def test_a_file_that_is_no_word_document_is_named(tmp_path: Path) -> None:
    """A broken document is one Swedish line naming it, not a traceback."""
    broken = tmp_path / "trasig.docx"
    broken.write_bytes(b"inte en zip")
    with pytest.raises(DocAutomationError, match="trasig.docx kunde inte läsas som Word-dokument"):
        list(document_texts(broken))


@needs_pdftotext
def test_a_file_that_is_no_pdf_is_named(tmp_path: Path) -> None:
    """pdftotext's refusal becomes one Swedish line naming the PDF."""
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"inte en pdf")
    with pytest.raises(DocAutomationError, match="pdftotext kunde inte läsa trasig.pdf"):
        read_pdf_pages(broken)


@pytest.mark.office
@needs_office
def test_a_pdf_missing_text_is_caught(tmp_path: Path) -> None:
    """A real PDF checked against another document's text (another meeting's kallelse) is
    missing that text: the first paragraph it lacks is named; against its own it is whole."""
    register = make_register()
    jobs = document_jobs(
        register, make_ranking(register), templates_dir=SHIPPED, today=date(2021, 3, 15)
    )
    notices = [job for job in jobs if "Kallelser" in str(job.path)][:2]
    docs = []
    for job in notices:
        docs.append(tmp_path / Path(job.path).name)
        docs[-1].write_bytes(job.render())
    made = pdf.convert_to_pdf(docs, tmp_path / "pdf")
    assert lost_text(docs[0], made[0]) is None
    missing = lost_text(docs[1], made[0])
    assert missing is not None and missing.startswith("Datum:")
