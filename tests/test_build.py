"""End-to-end tests of docautomation.pipeline on the shipped example register."""

from __future__ import annotations

import gc
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import icalendar
import openpyxl
import pytest
from docx import Document

from docautomation.build import build
from docautomation.config import Settings
from docautomation.outbox.pdf import soffice_path
from docautomation.outbox.pdfcheck import read_pdf_pages
from tests.support.registers import pivot_register, to_strict, workbook_bytes

DAY = date(2021, 1, 10)


def _edit(register: Path, sheet: str, cell: str, value: object) -> None:
    """Change one cell of a register file (the board saving a change)."""
    wb = openpyxl.load_workbook(register)
    wb[sheet][cell] = value
    wb.save(register)


def _digests(root: Path) -> dict[str, str]:
    """Hash of every output file under root, state folder excluded."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".docautomation" not in p.parts
    }


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_boards_workbook_is_never_modified(settings: Settings, example_register: Path) -> None:
    """Building reads the register only: its bytes and mtime are the same afterwards."""
    before = (example_register.read_bytes(), example_register.stat().st_mtime_ns)
    assert build(None, settings, today=DAY).exit_code == 0
    assert (example_register.read_bytes(), example_register.stat().st_mtime_ns) == before


def test_a_build_gives_its_objects_back_to_the_collector(
    settings: Settings, example_register: Path
) -> None:
    """A build sets its long-lived objects aside from the garbage collector while it runs; a
    watcher builds for months, so they are collectable again when the build returns."""
    summary = build([example_register], settings, today=date(2021, 1, 10))
    assert summary.outcomes[0].exit_code == 0 and summary.outcomes[0].written
    assert gc.get_freeze_count() == 0


def test_same_register_and_date_give_byte_identical_documents(
    settings: Settings, example_register: Path, tmp_path: Path
) -> None:
    """Two builds into two fresh outboxes produce the same bytes for every document."""
    other = Settings(inbox=settings.inbox, outbox=tmp_path / "other", templates=settings.templates)
    assert build(None, settings, today=DAY).exit_code == 0
    assert build(None, other, today=DAY).exit_code == 0
    first, second = _digests(settings.outbox), _digests(other.outbox)
    assert first == second and len(first) == 28


def test_errors_leave_the_last_good_documents(settings: Settings, example_register: Path) -> None:
    """After a good build, a register with errors changes no document and writes the report."""
    build(None, settings, today=DAY)
    good = _digests(settings.outbox)
    _edit(example_register, "Möten", "A2", "den trettionde februari")
    summary = build(None, settings, today=DAY)
    assert summary.exit_code == 1
    after = _digests(settings.outbox)
    assert {k: v for k, v in after.items() if "Valideringsrapport" not in k} == good
    assert "2021/Valideringsrapport.xlsx" in after
    _edit(example_register, "Möten", "A2", date(2021, 1, 26))
    assert build(None, settings, today=DAY).exit_code == 0
    assert "2021/Valideringsrapport.xlsx" not in _digests(settings.outbox)


def test_one_changed_meeting_rewrites_only_its_files(
    settings: Settings, example_register: Path
) -> None:
    """Moving one meeting's start time rewrites its kallelse, .ics and protokoll draft and
    Möten 2021.ics only (its agenda, and so the later § numbers, stay as they were)."""
    build(None, settings, today=DAY)
    before = _digests(settings.outbox)
    _edit(example_register, "Möten", "B3", time(9, 0))  # the second meeting (2021-02-23)
    outcome = build(None, settings, today=DAY).outcomes[0]
    changed = {k for k, v in _digests(settings.outbox).items() if before.get(k) != v}
    assert changed == {
        "2021/Kallelser/2021-02-23 Styrelsemöte.docx",
        "2021/Kallelser/2021-02-23 Styrelsemöte.ics",
        "2021/Protokoll/2021-02-23 Styrelsemöte.docx",
        "2021/Möten 2021.ics",
    }
    assert {p.relative_to(settings.outbox).as_posix() for p in outcome.written} == changed
    assert "kl. 9.00–15.00" in _text(
        settings.outbox / "2021/Kallelser/2021-02-23 Styrelsemöte.docx"
    )


def test_report_lists_changes_since_the_previous_report(
    settings: Settings, example_register: Path
) -> None:
    """A wish's new status appears under 'Ändrad status' in the next report, dated that day."""
    build(None, settings, today=DAY)
    report = settings.outbox / "2021" / "Önskemål till Prosona 2021.docx"
    assert "ingen tidigare rapport" in _text(report)
    wb = openpyxl.load_workbook(example_register)
    ws = wb["Önskemål"]
    row = next(r for r in range(2, ws.max_row + 1) if ws[f"A{r}"].value == "ÖNS-008")
    ws[f"L{row}"] = "Skickad till Prosona"
    wb.save(example_register)
    assert build(None, settings, today=date(2021, 2, 1)).exit_code == 0
    text = _text(report)
    assert "Ändrad status" in text and "ÖNS-008" in text.split("Ändrad status", 1)[1]
    assert "1 februari 2021" in text


def test_an_edited_document_is_kept_and_the_new_version_goes_beside_it(
    settings: Settings, example_register: Path
) -> None:
    """The secretary's edit of the plan survives a rebuild; the new plan is '(ny version)'."""
    build(None, settings, today=DAY)
    plan = settings.outbox / "2021" / "Verksamhetsplan 2021.docx"
    doc = Document(str(plan))
    doc.add_paragraph("Sekreterarens egen rad")
    doc.save(str(plan))
    edited = plan.read_bytes()
    _edit(example_register, "Förening", "B4", "En ny vision")
    outcome = build(None, settings, today=DAY).outcomes[0]
    assert plan.read_bytes() == edited
    beside = plan.with_name("Verksamhetsplan 2021 (ny version).docx")
    assert "En ny vision" in _text(beside)
    assert [(i.name, b.name, r) for i, b, r in outcome.diverted] == [
        (plan.name, beside.name, "redigerad")
    ]


def test_progress_is_reported_per_rendered_document(
    settings: Settings, example_register: Path
) -> None:
    """The progress callback sees the total and one step per rendered document."""
    seen: list[tuple[str, int]] = []

    import contextlib

    @contextlib.contextmanager
    def progress(total: int):  # type: ignore[no-untyped-def]
        seen.append(("total", total))
        yield lambda n: seen.append(("step", n))

    build(None, settings, today=DAY, progress=progress)
    assert seen[0] == ("total", 28)
    assert sum(n for kind, n in seen if kind == "step") == 28


@pytest.mark.office
@pytest.mark.skipif(
    soffice_path() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or pdftotext is not installed",
)
def test_pdf_copies_are_written_beside_the_documents(
    settings: Settings, example_register: Path
) -> None:
    """--pdf writes a checked PDF beside every Word document; an unchanged build converts
    nothing; a rewritten document gets its new PDF in the same build, and only it."""
    outcome = build(None, settings, today=DAY, pdf=True).outcomes[0]
    assert outcome.exit_code == 0
    docs = sorted(settings.outbox.rglob("*.docx"))
    assert sorted(p.with_suffix(".docx") for p in outcome.pdfs) == docs
    assert all(p.read_bytes().startswith(b"%PDF") for p in outcome.pdfs)
    assert build(None, settings, today=DAY, pdf=True).outcomes[0].pdfs == ()
    _edit(example_register, "Möten", "B3", time(9, 0))  # the second meeting (2021-02-23)
    moved = build(None, settings, today=DAY, pdf=True).outcomes[0]
    notice = settings.outbox / "2021" / "Kallelser" / "2021-02-23 Styrelsemöte.pdf"
    draft = settings.outbox / "2021" / "Protokoll" / "2021-02-23 Styrelsemöte.pdf"
    assert (moved.exit_code, moved.pdfs) == (0, (notice, draft))
    assert "kl. 9.00–15.00" in " ".join(read_pdf_pages(notice)[0].split())


def test_pdfs_on_in_the_settings_reach_every_build_and_lost_text_fails_it(
    settings: Settings, example_register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pdf = true` (settings.pdf) makes build and the watcher's build_file write PDFs, like
    --pdf; a PDF that lost text makes the build exit 1 naming the document."""
    from docautomation.build import build_file
    from docautomation.outbox import pdf

    asked: list[int] = []

    def pdf_copies(outbox: Path, documents: Sequence[Path]) -> pdf.PdfResult:
        asked.append(len(documents))
        return pdf.PdfResult(lost=(pdf.LostText(outbox / "2021" / "Plan.docx", "ÖNS-027"),))

    monkeypatch.setattr(pdf, "pdf_copies", pdf_copies)
    monkeypatch.setattr(pdf, "require_pdf_tools", lambda: None)
    assert build(None, settings, today=DAY).outcomes[0].exit_code == 0
    assert asked == []
    on = replace(settings, pdf=True)
    for outcome in (build(None, on, today=DAY).outcomes[0], build_file(example_register, on)):
        assert outcome.exit_code == 1
        assert outcome.message == (
            'PDF:en av "2021/Plan.docx" tappade text (saknas: "ÖNS-027") och sparades inte; '
            "nästa bygge konverterar den igen."
        )
    assert asked == [28, 28]


def test_build_file_refuses_a_conflict_copy_for_the_same_year(
    settings: Settings, example_register: Path
) -> None:
    """The watcher builds one file at a time; a conflict copy beside it still builds nothing."""
    from docautomation.build import build_file

    copy = example_register.with_name("Register 2021 (DESKTOP-ABC).xlsx")
    copy.write_bytes(example_register.read_bytes())
    outcome = build_file(copy, settings, today=DAY)
    assert outcome.exit_code == 1
    assert example_register.name in outcome.message and copy.name in outcome.message
    assert not (settings.outbox / "2021").exists()
    copy.unlink()
    assert build_file(example_register, settings, today=DAY).exit_code == 0


def test_a_clean_build_removes_the_report_of_a_year_that_could_not_be_read(
    settings: Settings, example_register: Path
) -> None:
    """The Valideringsrapport written beside the outbox (no readable year) goes once it is fixed."""
    _edit(example_register, "Förening", "B3", "tjugotjugoett")
    assert build(None, settings, today=DAY).exit_code == 1
    stray = settings.outbox / "Valideringsrapport Register 2021.xlsx"
    assert stray.is_file()
    _edit(example_register, "Förening", "B3", 2021)
    outcome = build(None, settings, today=DAY).outcomes[0]
    assert outcome.exit_code == 0 and outcome.removed_reports == (stray,)
    assert not stray.exists()


def test_every_stale_report_removed_is_in_the_outcome(
    settings: Settings, example_register: Path
) -> None:
    """The report of an unreadable year goes as soon as the year reads, also while the register
    still has problems; the year's own report goes with the last warning; each is named."""
    stray = settings.outbox / "Valideringsrapport Register 2021.xlsx"
    own = settings.outbox / "2021" / "Valideringsrapport.xlsx"
    _edit(example_register, "Förening", "B3", "tjugotjugoett")
    assert build(None, settings, today=DAY).outcomes[0].removed_reports == ()
    _edit(example_register, "Förening", "B3", 2021)
    _edit(example_register, "Önskemål", "O3", "Ja")  # a second pilot: a warning
    warned = build(None, settings, today=DAY).outcomes[0]
    assert (warned.exit_code, warned.report, warned.removed_reports) == (0, own, (stray,))
    assert own.is_file() and not stray.exists()
    _edit(example_register, "Önskemål", "O3", None)
    clean = build(None, settings, today=DAY).outcomes[0]
    assert (clean.report, clean.removed_reports) == (None, (own,))
    assert not own.exists()
    assert build(None, settings, today=DAY).outcomes[0].removed_reports == ()


def test_report_changes_and_date_follow_a_sequence_of_builds(
    settings: Settings, example_register: Path
) -> None:
    """Change → same again (another day, with and without the build record) → change back:
    each report version is dated the day it was written and compared with the one before,
    and an unchanged report is byte-identical."""
    report = settings.outbox / "2021" / "Önskemål till Prosona 2021.docx"
    ledger = settings.outbox / ".docautomation" / "builds.json"
    original = example_register.read_bytes()
    build(None, settings, today=date(2021, 1, 10))
    wb = openpyxl.load_workbook(example_register)
    ws = wb["Önskemål"]
    row = next(r for r in range(2, ws.max_row + 1) if ws[f"A{r}"].value == "ÖNS-008")
    ws[f"L{row}"] = "Skickad till Prosona"
    wb.save(example_register)
    build(None, settings, today=date(2021, 2, 1))
    second = report.read_bytes()
    assert "1 februari 2021" in _text(report) and "10 januari 2021" in _text(report)
    build(None, settings, today=date(2021, 3, 1))
    ledger.unlink()  # no shortcut: the full build must reproduce the same report too
    build(None, settings, today=date(2021, 4, 1))
    assert report.read_bytes() == second
    example_register.write_bytes(original)
    build(None, settings, today=date(2021, 5, 3))
    text = _text(report)
    assert "3 maj 2021" in text and "1 februari 2021" in text and "10 januari" not in text
    assert "ÖNS-008" in text.split("Ändrad status", 1)[1]
    back = report.read_bytes()
    ledger.unlink()
    build(None, settings, today=date(2021, 6, 1))
    assert report.read_bytes() == back


def test_a_build_that_read_an_older_version_does_not_overwrite_a_newer_one(
    settings: Settings, example_register: Path
) -> None:
    """Bytes read before the board saved again are not built once the lock is ours."""
    from docautomation.build import build_file

    old = example_register.read_bytes()
    _edit(example_register, "Förening", "B4", "En nyare vision")
    outcome = build_file(example_register, settings, today=DAY, data=old)
    assert outcome.exit_code == 0 and outcome.written == () and "sparades igen" in outcome.message
    assert not (settings.outbox / "2021").exists()


def test_an_edited_protokoll_is_kept_and_the_new_draft_goes_beside_it(
    settings: Settings, example_register: Path
) -> None:
    """The secretary writes in a protokoll draft; the board then changes that meeting: the
    written protokoll stays as it is and the new draft is "(ny version)" beside it."""
    build(None, settings, today=DAY)
    draft = settings.outbox / "2021" / "Protokoll" / "2021-01-26 Styrelsemöte.docx"
    document = Document(str(draft))
    document.add_paragraph("Beslut: att godkänna den ekonomiska rapporten.")
    document.save(str(draft))
    written = draft.read_bytes()
    _edit(example_register, "Möten", "C2", time(16, 30))  # the same meeting ends later
    outcome = build(None, settings, today=DAY).outcomes[0]
    beside = draft.with_name("2021-01-26 Styrelsemöte (ny version).docx")
    assert draft.read_bytes() == written
    assert (draft, beside) in {(i, w) for i, w, _ in outcome.diverted}
    assert "kl. 13.00–16.30" in _text(beside) and "ekonomiska rapporten" not in _text(beside)
    assert build(None, settings, today=DAY).outcomes[0].written == ()


def test_the_verksamhetsberattelse_is_dated_the_day_its_content_changed(
    settings: Settings, example_register: Path
) -> None:
    """Another day with the same meetings held reproduces it byte for byte (also without the
    build record); a meeting held since makes a new version dated that day."""
    annual = settings.outbox / "2021" / "Verksamhetsberättelse 2021.docx"
    build(None, settings, today=date(2021, 1, 10))
    first = annual.read_bytes()
    assert "10 januari 2021" in _text(annual)
    build(None, settings, today=date(2021, 1, 20))
    (settings.outbox / ".docautomation" / "builds.json").unlink()
    build(None, settings, today=date(2021, 1, 25))
    assert annual.read_bytes() == first
    build(None, settings, today=date(2021, 1, 26))  # the first styrelsemöte is held
    text = _text(annual)
    assert "26 januari 2021" in text and "1 protokollfört sammanträde" in text


@pytest.mark.office
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_years_other_documents(
    settings: Settings, example_register: Path
) -> None:
    """The example's Verksamhetsberättelse and protokoll drafts become PDFs holding their text."""
    import shutil
    import subprocess

    build(None, settings, today=date(2022, 1, 15), pdf=True)
    year = settings.outbox / "2021"
    pdfs = {
        "annual": year / "Verksamhetsberättelse 2021.pdf",
        "board": year / "Protokoll" / "2021-11-30 Styrelsemöte.pdf",
        "agm": year / "Protokoll" / "2021-03-25 Årsmöte.pdf",
    }
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs.values())
    if shutil.which("pdftotext") is None:
        return  # the build's own check compared the text already
    text = {
        name: " ".join(
            subprocess.run(
                ["pdftotext", str(p), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
        for name, p in pdfs.items()
    }
    for expected in (
        "Verksamhetsberättelse för verksamhetsåret 2021",
        "Styrelsen har under året haft 6 protokollförda sammanträden.",
        "5 styrelsemöten",
        "Ej påbörjad",
        "Sollentuna den",
        "Maria Holmgren Ordförande",
    ):
        assert expected in text["annual"]
    # Löpande paragrafnumrering: the year's last board meeting continues the numbers.
    assert "Protokoll fört vid styrelsemöte i Användarföreningen Castor" in text["board"]
    assert "§ 56 Mötets öppnande Maria Holmgren förklarade mötet öppnat." in text["board"]
    assert "☐ Henrik Åberg, suppleant" in text["board"]
    assert "Enligt bilagd röstlängd" in text["agm"]
    assert "Mötessekreterare Justeras" in text["agm"]


# Excel writes a control character in a cell as an escape; the reader decodes it.
CONTROL_ESCAPES = ("_x0001_", "_xFFFE_", "_x001B_")
_UNWRITABLE_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xef\xbf[\xbe\xbf]")


@pytest.mark.parametrize("escape", CONTROL_ESCAPES)
def test_control_characters_in_the_register_never_reach_a_document_or_calendar(
    settings: Settings, example_register: Path, escape: str
) -> None:
    """Leverantör, Plats, Distanslänk and Dagordning with a control character still build:
    the character is gone from every .docx (file name and title included) and every .ics."""
    wb = openpyxl.load_workbook(example_register)
    wb["Förening"]["B7"] = f"Pro{escape}sona"
    meetings = wb["Möten"]
    meetings["E2"] = f"Rum{escape} 1"
    meetings["F2"] = f"https://teams.example/{escape}castor"
    meetings["G2"] = f"Mötets{escape} öppnande\nÖvriga frågor"
    wb.save(example_register)

    summary = build(None, settings, today=DAY)

    assert summary.exit_code == 0, summary.outcomes
    year = settings.outbox / "2021"
    report = year / "Önskemål till Prosona 2021.docx"
    assert Document(str(report)).core_properties.title == "Önskemål till Prosona 2021"
    notice = year / "Kallelser" / "2021-01-26 Styrelsemöte"
    assert "Rum 1" in _text(notice.with_suffix(".docx"))
    outputs = [p for p in settings.outbox.rglob("*") if p.suffix in (".docx", ".ics")]
    assert len(outputs) >= 19  # plan, report, kallelser and calendars at least
    for path in outputs:
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                assert not any(
                    _UNWRITABLE_BYTES.search(package.read(n))
                    for n in package.namelist()
                    if n.endswith((".xml", ".rels"))  # the chart's embedded workbook is binary
                )
        else:
            assert not _UNWRITABLE_BYTES.search(path.read_bytes()), path.name
    event = icalendar.Calendar.from_ical(notice.with_suffix(".ics").read_bytes()).walk("VEVENT")[0]
    assert str(event["LOCATION"]).startswith("Rum 1")
    assert str(event["URL"]) == "https://teams.example/castor"
    assert "1. Mötets öppnande" in str(event["DESCRIPTION"])


# ---------------------------------------------------------------------------------------------
# A shared outbox: links planted by others are never followed out of it
# ---------------------------------------------------------------------------------------------

VICTIM_BYTES = b"someone else's file, which no build may change\n"


@pytest.fixture(name="victim")
def _victim(tmp_path: Path) -> Path:
    """A file outside the outbox that the service account could write."""
    path = tmp_path / "elsewhere" / "victim.txt"
    path.parent.mkdir()
    path.write_bytes(VICTIM_BYTES)
    return path


def _untouched(victim: Path) -> bool:
    folder = victim.parent
    return victim.read_bytes() == VICTIM_BYTES and [p.name for p in folder.iterdir()] == [
        victim.name
    ]


@pytest.mark.parametrize(
    "planted",
    [
        "2021/.Verksamhetsplan 2021.docx.partial",  # the old fixed temporary name
        "2021/Verksamhetsplan 2021.docx",
        "2021/Kallelser/2021-01-26 Styrelsemöte.ics",
        ".docautomation/build.lock",
        ".docautomation/manifest.json",
    ],
)
def test_a_link_planted_where_a_file_goes_is_replaced_and_its_target_untouched(
    settings: Settings, example_register: Path, victim: Path, planted: str
) -> None:
    """A symbolic link at a document's, temporary file's, lock's or state file's name never
    leads a write out of the outbox: the victim keeps its bytes and the name ends up a file."""
    link = settings.outbox / planted
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)

    summary = build(None, settings, today=DAY)

    assert summary.exit_code == 0, summary.outcomes
    assert _untouched(victim)
    # write_atomically's temporary names are random now: a link at the old fixed name is inert
    assert planted.endswith(".partial") or not link.is_symlink()
    plan = settings.outbox / "2021" / "Verksamhetsplan 2021.docx"
    assert plan.is_file() and not plan.is_symlink()
    assert "Verksamhetsplan" in _text(plan)


def test_a_link_at_a_built_document_is_replaced_on_the_next_build(
    settings: Settings, example_register: Path, victim: Path
) -> None:
    """A link swapped in for a document after a build is noticed (the build record does not
    take it for the document) and replaced; the victim is untouched."""
    assert build(None, settings, today=DAY).exit_code == 0
    plan = settings.outbox / "2021" / "Verksamhetsplan 2021.docx"
    plan.unlink()
    plan.symlink_to(victim)

    assert build(None, settings, today=DAY).exit_code == 0

    assert _untouched(victim)
    assert not plan.is_symlink() and "Verksamhetsplan" in _text(plan)


def test_a_link_at_the_valideringsrapport_is_replaced(
    settings: Settings, example_register: Path, victim: Path
) -> None:
    """A register with errors writes its report over a planted link, not through it."""
    _edit(example_register, "Önskemål", "B2", None)  # a wish without a Rubrik: an error
    report = settings.outbox / "2021" / "Valideringsrapport.xlsx"
    report.parent.mkdir(parents=True)
    report.symlink_to(victim)

    assert build(None, settings, today=DAY).exit_code == 1

    assert _untouched(victim)
    assert not report.is_symlink() and openpyxl.load_workbook(report).sheetnames[0] == "Fel"


@pytest.mark.parametrize("folder", ["2021", "2021/Kallelser", ".docautomation"])
def test_a_folder_in_the_outbox_that_is_a_link_is_refused(
    settings: Settings, example_register: Path, victim: Path, folder: str
) -> None:
    """A year, Kallelser or state folder that is a link elsewhere: nothing is written through
    it, and the build says so in one Swedish line (exit 1)."""
    link = settings.outbox / folder
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim.parent, target_is_directory=True)

    summary = build(None, settings, today=DAY)

    assert summary.exit_code == 1
    assert _untouched(victim)
    [outcome] = summary.outcomes
    assert "är en länk till en annan plats" in outcome.message, outcome.message


def test_a_register_with_a_very_long_name_does_not_stop_the_others(
    settings: Settings, example_register: Path
) -> None:
    """A 245-character register name without a year (its report is named after the file)
    gets a report under a shortened name; the other register is still built."""
    long_name = settings.inbox / f"{'Styrelsens register ' * 12}{'x' * 5}.xlsx"
    assert len(long_name.stem) == 245
    wb = openpyxl.load_workbook(example_register)
    wb["Förening"]["B3"] = None  # no Verksamhetsår: the report goes beside the years
    wb.save(long_name)

    summary = build(None, settings, today=DAY)

    by_name = {outcome.source.name: outcome for outcome in summary.outcomes}
    assert by_name[example_register.name].exit_code == 0
    assert (settings.outbox / "2021" / "Verksamhetsplan 2021.docx").is_file()
    broken = by_name[long_name.name]
    assert broken.exit_code == 1 and broken.report is not None and broken.report.is_file()
    assert broken.report.name.startswith("Valideringsrapport Styrelsens register")
    assert len(broken.report.name.encode()) <= 130


@pytest.mark.office
@pytest.mark.skipif(
    soffice_path() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or pdftotext is not installed",
)
def test_a_link_swapped_in_for_a_pdf_is_replaced_by_the_next_build(
    settings: Settings, example_register: Path, victim: Path
) -> None:
    """A PDF made earlier, then replaced by a link: the link is no PDF, the next build writes
    the PDF over the link and the victim keeps its bytes."""
    assert build(None, settings, today=DAY, pdf=True).exit_code == 0
    pdf = settings.outbox / "2021" / "Verksamhetsplan 2021.pdf"
    pdf.unlink()
    pdf.symlink_to(victim)

    outcome = build(None, settings, today=DAY, pdf=True).outcomes[0]

    assert outcome.pdfs == (pdf,)
    assert _untouched(victim)
    assert not pdf.is_symlink() and pdf.read_bytes().startswith(b"%PDF")


def test_a_strict_register_builds_the_same_documents(
    settings: Settings, example_register: Path, tmp_path: Path
) -> None:
    """The example saved as Strict Open XML builds the original's documents: the same parts
    byte for byte, all but the properties that name the register file they came from."""
    inbox = tmp_path / "strict"
    inbox.mkdir()
    (inbox / example_register.name).write_bytes(to_strict(example_register.read_bytes()))
    strict = Settings(inbox=inbox, outbox=tmp_path / "strict-out", templates=settings.templates)
    assert build(None, settings, today=DAY).exit_code == 0
    assert build(None, strict, today=DAY).exit_code == 0
    first, second = _contents(settings.outbox), _contents(strict.outbox)
    assert first == second and len(first) == 28


def _contents(root: Path) -> dict[str, object]:
    """Each output's bytes; for a .docx, those of every part but the document properties."""
    found: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or ".docautomation" in path.parts:
            continue
        if path.suffix != ".docx":
            found[str(path.relative_to(root))] = path.read_bytes()
            continue
        with zipfile.ZipFile(path) as docx:
            parts = {n: docx.read(n) for n in docx.namelist() if not n.startswith("docProps/")}
        found[str(path.relative_to(root))] = parts
    return found


@pytest.mark.parametrize(
    "workbook",
    [pivot_register, lambda: to_strict(workbook_bytes({"Önskemål": [["ID", "Rubrik"], ["W1"]]}))],
    ids=["pivot tables", "strict"],
)
def test_a_workbook_openpyxl_cannot_copy_gets_a_report_of_its_problems(
    settings: Settings, workbook: Callable[[], bytes]
) -> None:
    """Pivot tables openpyxl cannot load, Strict it loads without sheets: the register is read,
    its problems listed in Swedish, and the Valideringsrapport holds the Fel sheet alone."""
    (settings.inbox / "Register.xlsx").write_bytes(workbook())
    outcome = build(None, settings, today=DAY).outcomes[0]
    assert outcome.exit_code == 1
    assert any('Bladet "Förening" saknas' in p.message for p in outcome.problems)
    assert outcome.report is not None
    report = openpyxl.load_workbook(outcome.report)
    assert report.sheetnames == ["Fel"] and report["Fel"].max_row == len(outcome.problems) + 1


def test_a_clean_build_imports_no_openpyxl_holidays_or_babel(
    settings: Settings, example_register: Path
) -> None:
    """Start-up: openpyxl only writes a Valideringsrapport, the current year's holidays are
    computed and the Swedish names are fixed, so a clean build of the example loads none of
    them (together about a third of a second of a small build's start-up)."""
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from docautomation.build import build\n"
        "from docautomation.config import Settings\n"
        f"s = Settings(inbox=Path({str(settings.inbox)!r}), outbox=Path({str(settings.outbox)!r}),"
        f" templates=Path({str(settings.templates)!r}))\n"
        "assert build(None, s, today=date(2021, 1, 10)).exit_code == 0\n"
        "print(sorted(m for m in ('openpyxl', 'holidays', 'babel') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
