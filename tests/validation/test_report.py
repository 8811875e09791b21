"""Tests for the Valideringsrapport: fills, comments, the Fel sheet's links, safe writing."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from docautomation.errors import UnreadableFileError
from docautomation.models import Problem, Severity
from docautomation.validation.report import (
    ERROR_FILL,
    WARNING_FILL,
    remove_stale_report,
    remove_stale_reports,
    report_path,
    write_validation_report,
)
from tests.conftest import EXAMPLE_REGISTER
from tests.support.hostile import amplifying_workbook
from tests.support.validation import PLANTED, planted_rows, write_workbook

E, W = Severity.ERROR, Severity.WARNING


def _register(tmp_path: Path) -> Path:
    """The planted register plus a merged range, a board comment and a sheet named with a '."""
    path = write_workbook(tmp_path / "Register 2021.xlsx", planted_rows())
    workbook = load_workbook(path)
    workbook["Möten"].merge_cells("E3:F3")
    from openpyxl.comments import Comment

    workbook["Önskemål"]["B2"].comment = Comment("Styrelsens egen anteckning", "Maria")
    workbook.create_sheet("Bob's anteckningar")["A1"] = "fri text"
    workbook.save(path)
    return path


PROBLEMS = (
    Problem(E, "Önskemål", "A6", 'ID "ÖNS-2" finns redan i Önskemål!A3.'),
    Problem(W, "Önskemål", "O2", "Fler än ett aktivt önskemål har Pilot = Ja."),
    Problem(W, "Önskemål", "B2", "Rubriken är lång."),
    Problem(E, "Möten", "C7", "Slut 13.00 är inte efter Start 15.00."),
    Problem(W, "Möten", "C7", "En andra sak i samma cell."),
    Problem(W, "Möten", "F3", "Inne i ett sammanfogat område."),
    Problem(E, "Möten", "", "Kolumnen X saknas."),
    Problem(E, "Prioritering", "", 'Bladet "Prioritering" saknas.'),
    Problem(W, "Bob's anteckningar", "A1", "=SUM(A1) är text, ingen formel."),
)


@pytest.fixture(name="report")
def _report(tmp_path: Path) -> tuple[Path, Path, bytes]:
    source = _register(tmp_path)
    data = source.read_bytes()
    target = report_path(tmp_path / "outbox", 2021, source.name)
    written = write_validation_report(data, PROBLEMS, target)
    return source, written, data


def _rgb(cell: object) -> str:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else ""  # type: ignore[attr-defined]


def test_report_paths_follow_the_spec(tmp_path: Path) -> None:
    """With a year: outbox/<år>/Valideringsrapport.xlsx; without: named after the file."""
    expected = tmp_path / "2021" / "Valideringsrapport.xlsx"
    assert report_path(tmp_path, 2021, "Register.xlsx") == expected
    assert (
        report_path(tmp_path, None, "Register 2021.xlsm")
        == tmp_path / "Valideringsrapport Register 2021.xlsx"
    )
    assert report_path(tmp_path, None, 'a#b%c"d.xlsx').name == "Valideringsrapport a_b_c_d.xlsx"


def test_problem_cells_are_filled_red_or_yellow(report: tuple[Path, Path, bytes]) -> None:
    """Errors fill their cell light red, warnings yellow; a cell with both is red."""
    workbook = load_workbook(report[1])
    assert _rgb(workbook["Önskemål"]["A6"]) == ERROR_FILL
    assert _rgb(workbook["Önskemål"]["O2"]) == WARNING_FILL
    assert _rgb(workbook["Möten"]["C7"]) == ERROR_FILL
    assert _rgb(workbook["Önskemål"]["A5"]) == ""  # untouched cells keep no fill


def test_a_cell_with_several_problems_gets_one_comment_with_all(
    report: tuple[Path, Path, bytes],
) -> None:
    """Two problems in one cell: one comment holding both messages, labelled."""
    comment = load_workbook(report[1])["Möten"]["C7"].comment
    assert comment is not None and comment.author == "docautomation"
    assert comment.text == (
        "Fel: Slut 13.00 är inte efter Start 15.00.\n\nVarning: En andra sak i samma cell."
    )


def test_a_board_comment_is_kept_below_the_message(report: tuple[Path, Path, bytes]) -> None:
    """An existing note on a problem cell is kept after the problem's message."""
    text = load_workbook(report[1])["Önskemål"]["B2"].comment.text
    assert text.startswith("Varning: Rubriken är lång.")
    assert "Styrelsens egen anteckning" in text


def test_a_problem_in_a_merged_range_marks_its_top_left_cell(
    report: tuple[Path, Path, bytes],
) -> None:
    """F3 lies in the merged E3:F3: the fill, comment and link go to E3."""
    workbook = load_workbook(report[1])
    assert _rgb(workbook["Möten"]["E3"]) == WARNING_FILL
    assert "sammanfogat" in workbook["Möten"]["E3"].comment.text
    links = {c.value: c.hyperlink for c in workbook.worksheets[0]["C"] if c.hyperlink}
    assert links["F3"].location == "'Möten'!$E$3"


def test_the_fel_sheet_lists_every_problem_first_with_links(
    report: tuple[Path, Path, bytes],
) -> None:
    """Fel is the first and active sheet; each problem is a row; cells link to their place."""
    workbook = load_workbook(report[1])
    sheet = workbook.worksheets[0]
    assert sheet.title == "Fel" and workbook.active.title == "Fel"
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows[0] == ("Allvarlighet", "Blad", "Cell", "Meddelande")
    assert rows[1:] == [
        ({E: "Fel", W: "Varning"}[p.severity], p.sheet, p.cell or None, p.message) for p in PROBLEMS
    ]
    locations = [sheet.cell(row=i, column=3).hyperlink for i in range(2, len(PROBLEMS) + 2)]
    assert [link.location if link else None for link in locations] == [
        "'Önskemål'!$A$6",
        "'Önskemål'!$O$2",
        "'Önskemål'!$B$2",
        "'Möten'!$C$7",
        "'Möten'!$C$7",
        "'Möten'!$E$3",
        None,
        None,
        "'Bob''s anteckningar'!$A$1",
    ]
    assert all(link.target is None for link in locations if link)  # internal, not external
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width > 60
    assert [ws.views.sheetView[0].tabSelected for ws in workbook.worksheets].count(True) == 1


def test_a_message_starting_with_equals_stays_text(report: tuple[Path, Path, bytes]) -> None:
    """Text that looks like a formula is written as text in the Fel sheet."""
    cell = load_workbook(report[1]).worksheets[0]["D10"]
    assert cell.value == "=SUM(A1) är text, ingen formel." and cell.data_type == "s"


def test_the_register_itself_is_never_modified(report: tuple[Path, Path, bytes]) -> None:
    """The board's file keeps its bytes; the report is a separate file in the outbox."""
    source, written, data = report
    assert source.read_bytes() == data
    assert written != source and written.parent.name == "2021"
    assert "Fel" not in load_workbook(source).sheetnames


def test_a_register_with_a_fel_sheet_gets_a_free_name(tmp_path: Path) -> None:
    """If the register already has a sheet "Fel", the list goes to "Fel (2)", still first."""
    workbook = Workbook()
    workbook.active.title = "Fel"
    workbook.save(tmp_path / "r.xlsx")
    written = write_validation_report(
        (tmp_path / "r.xlsx").read_bytes(), PROBLEMS[:1], tmp_path / "out.xlsx"
    )
    assert load_workbook(written).sheetnames == ["Fel (2)", "Fel"]


def test_writing_is_atomic_and_replaces_the_old_report(tmp_path: Path) -> None:
    """A second report replaces the first; no temporary file is left behind."""
    data = write_workbook(tmp_path / "r.xlsx", planted_rows()).read_bytes()
    target = tmp_path / "out" / "Valideringsrapport.xlsx"
    write_validation_report(data, PROBLEMS, target)
    write_validation_report(data, PROBLEMS[:1], target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["Valideringsrapport.xlsx"]
    assert load_workbook(target).worksheets[0].max_row == 2


def test_a_locked_report_gets_a_new_version_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When Excel holds the old report (Windows refuses the replace), the new one goes beside."""
    data = write_workbook(tmp_path / "r.xlsx", planted_rows()).read_bytes()
    target = tmp_path / "Valideringsrapport.xlsx"
    target.write_bytes(b"old")
    real_replace = os.replace

    def locked(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            raise PermissionError(13, "locked", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    written = write_validation_report(data, PROBLEMS, target)
    assert written.name == "Valideringsrapport (ny version).xlsx"
    assert target.read_bytes() == b"old" and load_workbook(written).sheetnames[0] == "Fel"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Valideringsrapport (ny version).xlsx",
        "Valideringsrapport.xlsx",
        "r.xlsx",
    ]


def test_bytes_that_are_no_workbook_raise_unreadable(tmp_path: Path) -> None:
    """Corrupt data is reported as an UnreadableFileError, not a traceback from openpyxl."""
    with pytest.raises(UnreadableFileError):
        write_validation_report(b"not a zip", PROBLEMS, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_remove_stale_report_removes_it_and_its_new_version(tmp_path: Path) -> None:
    """A clean build removes the old report and its "(ny version)"; absent files are fine."""
    target = tmp_path / "2021" / "Valideringsrapport.xlsx"
    assert remove_stale_report(target) == ()
    target.parent.mkdir()
    target.write_bytes(b"x")
    beside = target.with_name("Valideringsrapport (ny version).xlsx")
    beside.write_bytes(b"y")
    assert remove_stale_report(target) == (target, beside)
    assert list(target.parent.iterdir()) == []


def test_stale_reports_are_the_unknown_years_and_once_clean_the_years_own(tmp_path: Path) -> None:
    """The report beside the outbox goes as soon as the year reads; the year's own goes with
    the register's last problem; an unreadable year removes nothing."""
    own, beside = report_path(tmp_path, 2021, "R.xlsx"), report_path(tmp_path, None, "R.xlsx")

    def plant() -> None:
        for path in (own, beside):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"rapport")

    plant()
    assert remove_stale_reports(tmp_path, None, "R.xlsx", PROBLEMS) == ()
    assert remove_stale_reports(tmp_path, 2021, "R.xlsx", PROBLEMS) == (beside,)
    assert own.exists() and not beside.exists()
    plant()
    assert remove_stale_reports(tmp_path, 2021, "R.xlsx", ()) == (own, beside)
    assert not own.exists() and not beside.exists()


def test_the_planted_register_report_marks_every_problem(tmp_path: Path) -> None:
    """Through reader, validation and report: each planted problem's cell is filled and linked."""
    from docautomation.register.workbook import read_register
    from docautomation.validation.rules import validate

    source = write_workbook(tmp_path / "fel.xlsx", planted_rows())
    data = source.read_bytes()
    report = validate(read_register(data, source.name))
    written = write_validation_report(data, report.problems, tmp_path / "rapport.xlsx")
    workbook = load_workbook(written)
    for severity, sheet, cell in PLANTED:
        assert _rgb(workbook[sheet][cell]) == (ERROR_FILL if severity == "error" else WARNING_FILL)
        assert workbook[sheet][cell].comment is not None
    assert workbook.worksheets[0].max_row == len(report.problems) + 1
    assert source.read_bytes() == data


@pytest.mark.office
def test_libreoffice_opens_the_report_with_resolved_links(tmp_path: Path) -> None:
    """LibreOffice Calc loads the report, keeps the comments and resolves every internal link."""
    import re
    import shutil
    import subprocess
    import zipfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    data = _register(tmp_path).read_bytes()
    report = write_validation_report(data, PROBLEMS, tmp_path / "Valideringsrapport.xlsx")
    profile = (tmp_path / "profile").as_uri()  # its own profile: other soffice runs may be live
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path / "ods"),
            str(report),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with zipfile.ZipFile(tmp_path / "ods" / "Valideringsrapport.ods") as ods:
        content = ods.read("content.xml").decode("utf-8")
    links = re.findall(r'xlink:href="#([^"]*)"', content)
    assert len(links) == 7 and all(re.fullmatch(r"&apos;.+&apos;\.\$[A-Z]+\$\d+", x) for x in links)
    assert re.findall(r'table:table table:name="([^"]*)"', content)[0] == "Fel"
    assert "En andra sak i samma cell." in content  # the comment on Möten!C7


def test_report_and_its_new_version_both_locked_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel holding both the report and its "(ny version)" gives an OutboxError naming both,
    not a PermissionError traceback; nothing is half-written or left behind."""
    from docautomation.errors import OutboxError

    data = write_workbook(tmp_path / "r.xlsx", planted_rows()).read_bytes()
    target = tmp_path / "Valideringsrapport.xlsx"
    target.write_bytes(b"old")

    def locked(src: str | Path, dst: str | Path) -> None:
        raise PermissionError(13, "locked", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutboxError, match=r"Valideringsrapport \(ny version\).xlsx.*båda öppna"):
        write_validation_report(data, PROBLEMS, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Valideringsrapport.xlsx", "r.xlsx"]
    assert target.read_bytes() == b"old"


def test_a_folder_that_refuses_the_report_is_an_outbox_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk or share that refuses the write (no space, no rights) is an OutboxError, not OSError."""
    from docautomation.errors import OutboxError

    data = write_workbook(tmp_path / "r.xlsx", planted_rows()).read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    target = tmp_path / "2021" / "Valideringsrapport.xlsx"
    with pytest.raises(OutboxError, match="Kunde inte skriva.*disken är full"):
        write_validation_report(data, PROBLEMS, target)
    assert list(target.parent.iterdir()) == []


def test_one_message_for_every_cell_of_a_merged_range_is_said_once(tmp_path: Path) -> None:
    """Klart merged over D3:D4 is warned at D3 and D4: the comment on D3 holds it once."""
    source = _register(tmp_path)
    workbook = load_workbook(source)
    workbook["Möten"].merge_cells("H3:H4")
    workbook.save(source)
    same = "Kallelsedatum 2021-03-20 är senare än 7 dagar före mötet."
    problems = (
        Problem(W, "Möten", "H3", same),
        Problem(W, "Möten", "H4", same),
        Problem(E, "Möten", "H4", "Något annat."),
    )
    written = write_validation_report(
        source.read_bytes(), problems, report_path(tmp_path / "ut", 2021, source.name)
    )
    comment = load_workbook(written)["Möten"]["H3"].comment
    assert comment.text == f"Varning: {same}\n\nFel: Något annat."


def test_control_characters_quoted_in_a_message_are_left_out_of_the_report(
    tmp_path: Path,
) -> None:
    """A message quoting a cell with U+FFFE or ESC (which XLSX text cannot hold) is written
    without them, in the comment and on the Fel sheet."""
    source = _register(tmp_path)
    problem = Problem(E, "Önskemål", "B2", 'Kategori "Lag\ufffekrav\x1b" finns inte.')
    target = report_path(tmp_path / "outbox", 2021, source.name)
    written = write_validation_report(source.read_bytes(), (problem,), target)
    workbook = load_workbook(written)
    assert workbook["Fel"]["D2"].value == 'Kategori "Lagkrav" finns inte.'
    assert workbook["Önskemål"]["B2"].comment.text.startswith('Fel: Kategori "Lagkrav" finns')


_OPENED: list[str] = []
_WATCHING = threading.Event()


def _record_opens(event: str, args: tuple[object, ...]) -> None:
    if _WATCHING.is_set() and event == "open" and isinstance(args[0], str | bytes | Path):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_record_opens)  # audit hooks cannot be removed; it records only when asked


def test_the_report_is_written_without_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl spools each sheet to a temp file; the report keeps them in memory, so nothing
    is left in the temp folder when a build fails or is killed while writing it."""
    source = amplifying_workbook(
        EXAMPLE_REGISTER, tmp_path / "Register 2021.xlsx", references=200, string_bytes=10_000
    )
    problem = Problem(E, "Önskemål", "F40", "Kategori finns inte.")
    target = report_path(tmp_path / "outbox", 2021, source.name)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    _OPENED.clear()
    _WATCHING.set()
    try:
        written = write_validation_report(source.read_bytes(), (problem,), target)
    finally:
        _WATCHING.clear()
    assert [path for path in _OPENED if path.startswith(str(temp))] == []
    wishes = load_workbook(written)["Önskemål"]
    assert wishes.cell(wishes.max_row, 6).value == source_text(source)


def source_text(source: Path) -> str:
    """The one shared string of an amplifying workbook."""
    with zipfile.ZipFile(source) as package:
        xml = package.read("xl/sharedStrings.xml").decode()
    return xml.split("<t>", 1)[1].split("</t>", 1)[0]
