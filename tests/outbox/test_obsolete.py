"""Tests for docautomation.outbox.obsolete: the outbox follows the register through a year."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

import icalendar
import openpyxl
import pytest
import vobject
from docx import Document
from openpyxl.worksheet.worksheet import Worksheet

from docautomation.build import build
from docautomation.config import Settings
from docautomation.models import BuildOutcome
from docautomation.outbox import obsolete
from docautomation.outbox.manifest import load_manifest
from docautomation.outbox.writer import office_lock_files

KALLELSER = "2021/Kallelser"
GONE = "2021/Inaktuella"
# The example's meetings as "<date> <type>" (rows 2–9 of Möten), all with an ID.
MEETINGS = [
    "2021-01-26 Styrelsemöte", "2021-02-23 Styrelsemöte", "2021-03-25 Årsmöte",
    "2021-03-25 Konstituerande styrelsemöte", "2021-05-18 Styrelsemöte",
    "2021-08-31 Styrelsemöte", "2021-10-13 Användarträff", "2021-11-30 Styrelsemöte",
]  # fmt: skip
CALENDAR = "2021/Möten 2021.ics"


def _edit(register: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    """The board saving a change to the register."""
    wb = openpyxl.load_workbook(register)
    change(wb)
    wb.save(register)


def _cells(sheet: str, **values: object) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws: Worksheet = wb[sheet]
        for ref, value in values.items():
            ws[ref] = value

    return change


def _build(settings: Settings, day: date) -> BuildOutcome:
    outcome = build(None, settings, today=day).outcomes[0]
    assert outcome.exit_code == 0, outcome.message
    return outcome


def _files(root: Path, under: str) -> set[str]:
    """Files below outbox/<under>, relative to it ("Kallelser/x.docx")."""
    folder = root / under
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _current(root: Path) -> set[str]:
    return {rel for rel in _files(root, "2021") if not rel.startswith("Inaktuella/")}


def _kallelser(*stems: str) -> set[str]:
    """Each meeting's files below the year: its kallelse, .ics and protokoll draft."""
    files = {f"Kallelser/{stem}{suffix}" for stem in stems for suffix in (".docx", ".ics")}
    return files | {f"Protokoll/{stem}.docx" for stem in stems}


def _moved(outcome: BuildOutcome, root: Path) -> set[tuple[str, str]]:
    return {
        (a.relative_to(root).as_posix(), b.relative_to(root).as_posix()) for a, b in outcome.moved
    }


def _events(root: Path) -> dict[tuple[str, str], tuple[int, str, date]]:
    """Möten 2021.ics by (start date, SUMMARY): SEQUENCE, STATUS, DTSTAMP's day (icalendar)."""
    calendar = icalendar.Calendar.from_ical((root / CALENDAR).read_bytes())
    return {
        (e.decoded("DTSTART").date().isoformat(), str(e["SUMMARY"])):
            (int(e["SEQUENCE"]), str(e["STATUS"]), e.decoded("DTSTAMP").date())
        for e in calendar.walk("VEVENT")
    }  # fmt: skip


def _events_by_vobject(root: Path) -> dict[tuple[str, str], tuple[int, str, date]]:
    """The same, read by vobject, a parser independent of icalendar."""
    calendar = vobject.readOne((root / CALENDAR).read_text(encoding="utf-8"))
    return {
        (e.dtstart.value.date().isoformat(), str(e.summary.value)):
            (int(e.sequence.value), str(e.status.value), e.dtstamp.value.date())
        for e in calendar.vevent_list
    }  # fmt: skip


def _board(day: str) -> tuple[str, str]:
    return day, "Styrelsemöte – Användarföreningen Castor"


def _cancelled(day: str) -> tuple[str, str]:
    return day, "INSTÄLLT: Styrelsemöte – Användarföreningen Castor"


def _text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture(name="register")
def _register(settings: Settings, example_register: Path) -> Path:
    """The example with two meetings (18 May, 30 November) that have no ID."""
    _edit(example_register, _cells("Möten", J6=None, J9=None))
    return example_register


def test_a_year_of_changes(settings: Settings, register: Path) -> None:
    """Move without and with an ID, delete, change a time, rename the supplier: after each
    build only the current documents are in place, the obsolete ones are in Inaktuella/ under
    their path, and Möten 2021.ics says which events changed (SEQUENCE, STATUS, DTSTAMP)."""
    root = settings.outbox
    first = _build(settings, date(2021, 1, 10))
    base = {"Verksamhetsplan 2021.docx", "Möten 2021.ics", "Önskemål till Prosona 2021.docx",
            "Verksamhetsberättelse 2021.docx"}  # fmt: skip
    assert _current(root) == base | _kallelser(*MEETINGS) and first.moved == ()
    assert set(_events(root).values()) == {(0, "CONFIRMED", date(2021, 1, 10))}

    # February: the secretary wrote in the 18 May kallelse; then that meeting (no ID) moves.
    may = root / KALLELSER / "2021-05-18 Styrelsemöte.docx"
    doc = Document(str(may))
    doc.add_paragraph("Sekreterarens anteckning")
    doc.save(str(may))
    _edit(register, _cells("Möten", A6=date(2021, 5, 25), H6=date(2021, 5, 18)))
    outcome = _build(settings, date(2021, 2, 1))
    assert _moved(outcome, root) == {
        (f"2021/{rel}", f"{GONE}/{rel}") for rel in _kallelser("2021-05-18 Styrelsemöte")
    }
    meetings = [m.replace("2021-05-18", "2021-05-25") for m in MEETINGS]
    assert _current(root) == base | _kallelser(*meetings)
    assert _files(root, GONE) == _kallelser("2021-05-18 Styrelsemöte")
    assert "Sekreterarens anteckning" in _text(
        root / GONE / "Kallelser/2021-05-18 Styrelsemöte.docx"
    )
    events = _events(root)
    assert events[_cancelled("2021-05-18")] == (1, "CANCELLED", date(2021, 2, 1))
    assert events[_board("2021-05-25")] == (0, "CONFIRMED", date(2021, 2, 1))
    assert events[_board("2021-01-26")] == (0, "CONFIRMED", date(2021, 1, 10))  # not touched

    # March: a meeting with an ID moves: the same event, one SEQUENCE up.
    _edit(register, _cells("Möten", A7=date(2021, 9, 7), H7=date(2021, 8, 31)))
    outcome = _build(settings, date(2021, 3, 1))
    meetings = [m.replace("2021-08-31", "2021-09-07") for m in meetings]
    assert _current(root) == base | _kallelser(*meetings)
    assert _files(root, GONE) == _kallelser("2021-05-18 Styrelsemöte", "2021-08-31 Styrelsemöte")
    events = _events(root)
    assert events[_board("2021-09-07")] == (1, "CONFIRMED", date(2021, 3, 1))
    assert _board("2021-08-31") not in events and _cancelled("2021-08-31") not in events

    # April: the 30 November meeting (no ID) is deleted.
    _edit(register, lambda wb: wb["Möten"].delete_rows(9))
    outcome = _build(settings, date(2021, 4, 1))
    meetings.remove("2021-11-30 Styrelsemöte")
    assert _current(root) == base | _kallelser(*meetings)
    assert len(outcome.moved) == 3 and _files(root, GONE) == _kallelser(
        "2021-05-18 Styrelsemöte", "2021-08-31 Styrelsemöte", "2021-11-30 Styrelsemöte"
    )
    assert _events(root)[_cancelled("2021-11-30")] == (1, "CANCELLED", date(2021, 4, 1))

    # May: the Användarträff starts later: rewritten in place, nothing moves.
    _edit(register, _cells("Möten", B8=time(10, 0)))
    outcome = _build(settings, date(2021, 5, 3))
    assert outcome.moved == () and _current(root) == base | _kallelser(*meetings)
    fair = (1, "CONFIRMED", date(2021, 5, 3))
    assert _events(root)[("2021-10-13", "Användarträff – Användarföreningen Castor")] == fair

    # June: the supplier is renamed: last report to Inaktuella/, the new one in its place.
    _edit(register, _cells("Förening", B7="Prosona AB"))
    _edit(register, _cells("Aktiviteter", C13="Prosona AB"))  # who answers for an activity
    outcome = _build(settings, date(2021, 6, 1))
    assert _moved(outcome, root) == {
        ("2021/Önskemål till Prosona 2021.docx", f"{GONE}/Önskemål till Prosona 2021.docx")
    }
    renamed = base - {"Önskemål till Prosona 2021.docx"} | {"Önskemål till Prosona AB 2021.docx"}
    assert _current(root) == renamed | _kallelser(*meetings)

    # The year's calendar as a second, independent parser reads it.
    assert _events_by_vobject(root) == _events(root)
    assert sorted(status for _, status, _ in _events(root).values()).count("CANCELLED") == 2

    # An unchanged rebuild reads nothing new, moves nothing and touches no file.
    before = _tree(root)
    again = _build(settings, date(2021, 7, 1))
    assert again.written == () and again.moved == () and _tree(root) == before
    assert not any(rel.startswith(GONE) for rel in load_manifest(root))


def _move_may_meeting(register: Path) -> None:
    _edit(register, _cells("Möten", A6=date(2021, 5, 25), H6=date(2021, 5, 18)))


def test_a_document_open_in_word_is_moved_by_a_later_build(
    settings: Settings, register: Path
) -> None:
    """An obsolete kallelse Word holds open stays (the build says so) and its .ics goes; once
    Word has closed it, the next build moves it, although the register did not change."""
    root = settings.outbox
    _build(settings, date(2021, 1, 10))
    may = root / KALLELSER / "2021-05-18 Styrelsemöte.docx"
    owner = office_lock_files(may)[0]
    owner.write_bytes(b"Kalle")
    _move_may_meeting(register)
    outcome = _build(settings, date(2021, 2, 1))
    assert outcome.obsolete_held == (may,)
    assert _files(root, GONE) == _kallelser("2021-05-18 Styrelsemöte") - {
        "Kallelser/2021-05-18 Styrelsemöte.docx"
    }
    assert may.is_file()
    assert _build(settings, date(2021, 2, 2)).moved == () and may.is_file()  # still open
    owner.unlink()
    later = _build(settings, date(2021, 2, 3))
    assert _moved(later, root) == {
        (
            f"{KALLELSER}/2021-05-18 Styrelsemöte.docx",
            f"{GONE}/Kallelser/2021-05-18 Styrelsemöte.docx",
        )
    }
    assert later.obsolete_held == () and not may.exists()


def test_a_refused_move_is_tried_again_by_the_next_build(
    settings: Settings, register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to move a file that is open, without an owner file to see: it stays,
    and the next build (not spared by the build record) moves it."""
    root = settings.outbox
    _build(settings, date(2021, 1, 10))
    rename = obsolete.os.rename

    def refusing(src: str | Path, dst: str | Path) -> None:
        if Path(src).parent.name == "Kallelser" and str(src).endswith(".docx"):
            raise PermissionError(13, "Åtkomst nekad", str(src))
        rename(src, dst)

    monkeypatch.setattr(obsolete.os, "rename", refusing)
    _move_may_meeting(register)
    held = _build(settings, date(2021, 2, 1)).obsolete_held
    assert [p.name for p in held] == ["2021-05-18 Styrelsemöte.docx"]
    monkeypatch.setattr(obsolete.os, "rename", rename)
    assert len(_build(settings, date(2021, 2, 2)).moved) == 1
    assert _files(root, GONE) == _kallelser("2021-05-18 Styrelsemöte")


def test_a_name_taken_in_inaktuella_gets_a_number_and_the_pdf_goes_along(
    settings: Settings, register: Path
) -> None:
    """Someone's files already hold the plain and " (2)" names: the kallelse, its .ics and its
    PDF all go under " (3)", and nothing already there is touched."""
    root = settings.outbox
    _build(settings, date(2021, 1, 10))
    (root / KALLELSER / "2021-05-18 Styrelsemöte.pdf").write_bytes(b"%PDF-1.4 kallelse")
    taken = root / GONE / "Kallelser"
    taken.mkdir(parents=True)
    (taken / "2021-05-18 Styrelsemöte.docx").write_bytes(b"en tidigare")
    (taken / "2021-05-18 Styrelsemöte (2).ics").write_bytes(b"en annan")
    _move_may_meeting(register)
    outcome = _build(settings, date(2021, 2, 1))
    assert {b.name for _, b in outcome.moved if b.parent == taken} == {
        f"2021-05-18 Styrelsemöte (3){s}" for s in (".docx", ".ics", ".pdf")
    }
    assert (taken / "2021-05-18 Styrelsemöte.docx").read_bytes() == b"en tidigare"
    assert (taken / "2021-05-18 Styrelsemöte (2).ics").read_bytes() == b"en annan"
    assert (taken / "2021-05-18 Styrelsemöte (3).pdf").read_bytes() == b"%PDF-1.4 kallelse"
    assert not (root / KALLELSER / "2021-05-18 Styrelsemöte.pdf").exists()


def test_errors_and_conflict_copies_leave_the_outbox_as_it_is(
    settings: Settings, register: Path
) -> None:
    """A register with errors, or two registers for the year, moves nothing; the clean build
    after them moves the obsolete outputs (and removes the Valideringsrapport)."""
    root = settings.outbox
    _build(settings, date(2021, 1, 10))
    _move_may_meeting(register)
    _edit(register, _cells("Möten", A3="den trettionde februari"))
    broken = build(None, settings, today=date(2021, 2, 1)).outcomes[0]
    assert broken.exit_code == 1 and broken.moved == ()
    assert (
        not (root / GONE).exists() and (root / KALLELSER / "2021-05-18 Styrelsemöte.ics").is_file()
    )
    _edit(register, _cells("Möten", A3=date(2021, 2, 23)))
    copy = register.with_name("Register 2021 (konflikt).xlsx")
    shutil.copyfile(register, copy)
    assert build(None, settings, today=date(2021, 2, 1)).exit_code == 1
    assert not (root / GONE).exists()
    copy.unlink()
    report = root / "2021" / "Valideringsrapport.xlsx"
    assert report.is_file()
    clean = _build(settings, date(2021, 2, 1))
    assert clean.removed_reports == (report,) and not report.exists()
    assert _files(root, GONE) == _kallelser("2021-05-18 Styrelsemöte")


def test_a_new_version_beside_an_obsolete_output_goes_with_it(
    settings: Settings, register: Path
) -> None:
    """The secretary edited a kallelse, so a change went beside it as "(ny version)"; when the
    meeting then moves, both are obsolete and both move; a current output's new version stays."""
    root = settings.outbox
    _build(settings, date(2021, 1, 10))
    may = root / KALLELSER / "2021-05-18 Styrelsemöte.docx"
    plan = root / "2021" / "Verksamhetsplan 2021.docx"
    for edited in (may, plan):
        doc = Document(str(edited))
        doc.add_paragraph("Egen rad")
        doc.save(str(edited))
    _edit(register, _cells("Möten", B6=time(9, 0)))
    _edit(register, _cells("Förening", B4="En ny vision"))
    written = _build(settings, date(2021, 2, 1))
    assert len(written.diverted) == 2
    _move_may_meeting(register)
    _build(settings, date(2021, 3, 1))
    assert _files(root, GONE) == _kallelser("2021-05-18 Styrelsemöte") | {
        "Kallelser/2021-05-18 Styrelsemöte (ny version).docx"
    }
    assert (root / "2021" / "Verksamhetsplan 2021 (ny version).docx").is_file()


def test_outputs_of_other_years_and_files_we_did_not_write_stay(
    settings: Settings, register: Path
) -> None:
    """Only what the manifest says this year's builds wrote moves: a person's own file in
    Kallelser/ and another year's outputs are not ours to move."""
    root = settings.outbox
    _build(settings, date(2021, 1, 10))
    own = root / KALLELSER / "Anteckningar.docx"
    own.write_bytes(b"mina")
    older = root / "2020" / "Kallelser" / "2020-05-18 Styrelsemöte.docx"
    older.parent.mkdir(parents=True)
    older.write_bytes(b"fjol")
    _move_may_meeting(register)
    _build(settings, date(2021, 2, 1))
    assert own.read_bytes() == b"mina" and older.read_bytes() == b"fjol"
    assert _files(root, GONE) == _kallelser("2021-05-18 Styrelsemöte")


def test_a_linked_inaktuella_folder_is_not_followed(
    settings: Settings, register: Path, tmp_path: Path
) -> None:
    """Someone replaced Inaktuella/ with a link out of the outbox: nothing is moved through it."""
    root = settings.outbox
    _build(settings, date(2021, 1, 10))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / GONE).symlink_to(elsewhere, target_is_directory=True)
    _move_may_meeting(register)
    outcome = _build(settings, date(2021, 2, 1))
    assert outcome.moved == () and list(elsewhere.iterdir()) == []
    assert (root / KALLELSER / "2021-05-18 Styrelsemöte.docx").is_file()


def test_with_pdfs_off_a_pdf_showing_an_older_version_goes_too(
    settings: Settings, register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PDFs made by a build with PDFs on; then builds without them: the PDF beside a rewritten
    document and the PDF of a deleted meeting's kallelse go to Inaktuella/, current ones stay,
    and the next build with PDFs makes the missing one again."""
    from docautomation.outbox import pdf

    def convert(paths: list[Path], outdir: Path, *, timeout: float | None = None) -> list[Path]:
        outdir.mkdir(parents=True, exist_ok=True)
        for path in paths:
            (outdir / f"{path.stem}.pdf").write_bytes(b"%PDF " + path.name.encode())
        return [outdir / f"{path.stem}.pdf" for path in paths]

    monkeypatch.setattr(pdf, "convert_to_pdf", convert)
    monkeypatch.setattr(pdf, "lost_text", lambda _docx, _pdf: None)
    monkeypatch.setattr(pdf, "require_pdf_tools", lambda: None)
    root = settings.outbox
    first = build(None, settings, today=date(2021, 1, 10), pdf=True).outcomes[0]
    assert len(first.pdfs) == len(list(root.rglob("*.docx"))) == 19
    # A new vision rewrites the plan; a build a month on, the berättelse (a meeting was held).
    _edit(register, _cells("Förening", B4="En ny vision"))
    outcome = _build(settings, date(2021, 2, 1))
    rewritten = {"Verksamhetsplan 2021.pdf", "Verksamhetsberättelse 2021.pdf"}
    assert _moved(outcome, root) == {(f"2021/{name}", f"{GONE}/{name}") for name in rewritten}
    assert (root / KALLELSER / "2021-01-26 Styrelsemöte.pdf").is_file()
    _edit(register, lambda wb: wb["Möten"].delete_rows(9))
    _build(settings, date(2021, 3, 1))
    assert _files(root, GONE) == rewritten | _kallelser("2021-11-30 Styrelsemöte") | {
        "Kallelser/2021-11-30 Styrelsemöte.pdf", "Protokoll/2021-11-30 Styrelsemöte.pdf"
    }  # fmt: skip
    again = build(None, settings, today=date(2021, 3, 1), pdf=True).outcomes[0]
    assert {p.relative_to(root / "2021").as_posix() for p in again.pdfs} == rewritten
