"""Tests for docautomation.scaffold and the layout it writes: init's register and the example."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from docautomation.outbox.pdf import convert, soffice_path
from docautomation.register.layout import DATE_FORMAT, TIME_FORMAT
from docautomation.register.scaffold import SHEETS, example_content, init_folder, write_register

EXAMPLE_REGISTER = Path(__file__).resolve().parents[2] / "inbox" / "Register 2021.xlsx"
DROPDOWN_COLUMNS = {
    "Önskemål": (
        "Kategori",
        "Lagkrav",
        "Myndighetsrapportering",
        "Pilot",
        "Insats",
        "Effekt",
        "Status",
    ),
    "Möten": ("Mötestyp",),
    "Kontakter": ("Roll",),
    "Aktiviteter": ("Status",),
}


def _dropdowns(ws: Worksheet) -> dict[str, str]:
    """Map header → list formula for every list validation on the sheet."""
    headers = {cell.column_letter: cell.value for cell in ws[1]}
    found = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue  # an input message alone
        for rng in dv.sqref.ranges:
            letter = rng.coord.split(":")[0].rstrip("0123456789")
            found[headers[letter]] = dv.formula1
    return found


def test_init_creates_a_complete_working_folder(tmp_path: Path) -> None:
    """init writes the config file, the three folders, the templates and an empty register."""
    created = init_folder(tmp_path / "Castor")
    root = tmp_path / "Castor"
    assert (root / "docautomation.toml") in created
    assert {p.name for p in (root / "templates").glob("*.docx")} == {
        p.name for p in Path(__file__).resolve().parents[2].joinpath("templates").glob("*.docx")
    }
    assert (root / "outbox").is_dir()
    assert (root / "inbox" / "Register.xlsx").is_file()


def test_init_never_overwrites(tmp_path: Path) -> None:
    """A second init changes nothing the board may have edited."""
    init_folder(tmp_path)
    register = tmp_path / "inbox" / "Register.xlsx"
    register.write_bytes(b"the board's own file")
    assert init_folder(tmp_path) == []
    assert register.read_bytes() == b"the board's own file"


def test_init_adds_the_new_templates_to_an_older_working_folder(tmp_path: Path) -> None:
    """A folder set up before the Verksamhetsberättelse and Protokoll templates existed gets
    them from init; the secretary's own copies of the others stay."""
    init_folder(tmp_path)
    templates = tmp_path / "templates"
    for name in ("Verksamhetsberättelse.docx", "Protokoll.docx"):
        (templates / name).unlink()
    (templates / "Kallelse.docx").write_bytes(b"the secretary's own template")
    created = init_folder(tmp_path)
    assert sorted(p.name for p in created) == ["Protokoll.docx", "Verksamhetsberättelse.docx"]
    assert (templates / "Kallelse.docx").read_bytes() == b"the secretary's own template"


def test_empty_register_has_every_sheet_header_and_dropdown(tmp_path: Path) -> None:
    """The empty register has every sheet and header, dropdowns, frozen headers, widths."""
    wb = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx"))
    assert wb.sheetnames == ["Instruktioner", *SHEETS]
    for name, columns in SHEETS.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == [col.header for col in columns]
        assert ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[c.column_letter].width >= 6 for c in ws[1])
    for sheet, headers in DROPDOWN_COLUMNS.items():
        lists = _dropdowns(wb[sheet])
        for header in headers:
            assert header in lists, f"{sheet}.{header} has no dropdown"
    assert _dropdowns(wb["Önskemål"])["Lagkrav"] == '"Ja,Nej"'
    assert "Styrelsemöte" in _dropdowns(wb["Möten"])["Mötestyp"]
    assert _dropdowns(wb["Önskemål"])["Kategori"].startswith("=Prioritering!")


def test_empty_register_names_every_forening_field(tmp_path: Path) -> None:
    """Förening lists every Fält of the Förening sheet so the board only fills in values."""
    ws = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx"))["Förening"]
    fields = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert fields[:2] == ["Föreningens namn", "Verksamhetsår"]
    assert "Kallelse styrelsemöte senast" in fields


def test_empty_register_offers_ort_and_running_numbers(tmp_path: Path) -> None:
    """Ort and Löpande paragrafnumrering are rows to fill in; the latter has a Ja/Nej list."""
    wb = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx"))
    ws = wb["Förening"]
    rows = {row[0].value: row[1].coordinate for row in ws.iter_rows(min_row=2, max_col=2)}
    assert {"Ort", "Löpande paragrafnumrering"} <= set(rows)
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists == {rows["Löpande paragrafnumrering"]: '"Ja,Nej"'}
    explained = {r[1]: r[2] for r in wb["Instruktioner"].iter_rows(min_row=5, values_only=True)}
    assert "§ 1" in explained["Fält: Löpande paragrafnumrering"]
    assert "underskrifterna" in explained["Fält: Ort"]
    assert "verksamhetsberättelsen" in explained["Uppföljning"]


def test_instructions_explain_every_column_in_swedish(tmp_path: Path) -> None:
    """The Instruktioner sheet has one explained line per column of every sheet."""
    ws = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx"))["Instruktioner"]
    lines = {
        (r[0], r[1].replace(" (krävs)", "")) for r in ws.iter_rows(min_row=5, values_only=True)
    }
    for sheet, columns in SHEETS.items():
        for col in columns:
            assert (sheet, col.header) in lines


def test_shipped_example_matches_its_source_data(tmp_path: Path) -> None:
    """The committed example register holds exactly the rows of examples/register-2021.json."""
    rebuilt = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx", example_content()))
    shipped = openpyxl.load_workbook(EXAMPLE_REGISTER)
    assert shipped.sheetnames == rebuilt.sheetnames
    for name in SHEETS:
        assert list(shipped[name].values) == list(rebuilt[name].values), name


@pytest.mark.parametrize(
    ("sheet", "count"), [("Aktiviteter", 18), ("Önskemål", 30), ("Möten", 8), ("Kontakter", 12)]
)
def test_example_has_the_2021_plan_and_sample_rows(sheet: str, count: int) -> None:
    """17 activities plus the 'Stödja förvaltning' group row, 30 wishes, 8 meetings, 12 contacts."""
    assert len(example_content()[sheet]) == count


def test_layout_matches_what_the_reader_expects() -> None:
    """The written headers are exactly the reader's columns, sheet by sheet, in the register's order."""
    from docautomation.register.workbook import SHEETS as READER_SHEETS

    assert {s.name: s.columns for s in READER_SHEETS} == {
        name: tuple(col.header for col in columns) for name, columns in SHEETS.items()
    }


def test_init_where_a_file_is_in_the_way_is_a_config_error(tmp_path: Path) -> None:
    """init into a path below a file says so in one line instead of a traceback."""
    from docautomation.errors import ConfigError

    (tmp_path / "fil").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="Kan inte sätta upp"):
        init_folder(tmp_path / "fil" / "Castor")


# Excel refuses to open a workbook whose validation titles or messages are longer than this.
TITLE_MAX, MESSAGE_MAX = 32, 255
HINTED = {
    "Aktiviteter": ("Ansvarig", "Klart"),
    "Möten": ("Datum", "Start", "Slut", "Kallelsedatum", "Mottagare"),
}


def _validations(ws: Worksheet) -> dict[str, DataValidation]:
    """Map header → the data validation covering its column from row 2 on."""
    headers = {cell.column_letter: cell.value for cell in ws[1]}
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            first, last = rng.coord.split(":")
            assert first.endswith("2") and last.endswith("500"), rng.coord
            for index in range(rng.min_col, rng.max_col + 1):
                found[headers[get_column_letter(index)]] = dv
    return found


def test_every_dropdown_warns_in_swedish_but_lets_the_board_keep_its_value(
    tmp_path: Path,
) -> None:
    """Excel questions a value outside the list (a warning, not a stop) and says what is expected."""
    wb = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx"))
    for sheet, headers in DROPDOWN_COLUMNS.items():
        validations = _validations(wb[sheet])
        for header in headers:
            dv = validations[header]
            assert (dv.type, dv.errorStyle, dv.showErrorMessage) == ("list", "warning", True)
            assert dv.errorTitle == "Värdet finns inte i listan"
            assert dv.error.startswith(f"{header} väntas vara ")
            assert dv.error.endswith("men du kan behålla det.")
    lagkrav = _validations(wb["Önskemål"])["Lagkrav"].error
    assert "väntas vara Ja eller Nej." in lagkrav
    assert "nummer" in _validations(wb["Önskemål"])["Kategori"].error  # "2" is a category too


def test_columns_that_need_a_hint_show_it_when_selected(tmp_path: Path) -> None:
    """Ansvarig, Klart, the meeting's dates and times and Mottagare explain themselves in Excel."""
    wb = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx"))
    for sheet, headers in {**HINTED, **DROPDOWN_COLUMNS}.items():
        validations = _validations(wb[sheet])
        for header in headers:
            dv = validations[header]
            column = next(c for c in SHEETS[sheet] if c.header == header)
            assert (dv.showInputMessage, dv.promptTitle, dv.prompt) == (True, header, column.help)
    assert "t.ex. 13.00" in _validations(wb["Möten"])["Start"].prompt
    hinted_only = _validations(wb["Möten"])["Mottagare"]
    assert hinted_only.type is None and not hinted_only.showErrorMessage  # any value, no question


def test_validation_texts_fit_excels_limits(tmp_path: Path) -> None:
    """Every validation's titles and messages are short enough for Excel to open the file."""
    wb = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx"))
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.errorTitle or "") <= TITLE_MAX and len(dv.promptTitle or "") <= TITLE_MAX
            assert len(dv.error or "") <= MESSAGE_MAX and len(dv.prompt or "") <= MESSAGE_MAX


def test_dates_and_times_are_formatted_as_swedish(tmp_path: Path) -> None:
    """Date columns show 2021-02-09 and time columns 13.00, for the rows written and those to come."""
    wb = openpyxl.load_workbook(write_register(tmp_path / "r.xlsx", example_content()))
    formats = {
        ("Önskemål", "E"): DATE_FORMAT,
        ("Möten", "A"): DATE_FORMAT,
        ("Möten", "B"): TIME_FORMAT,
        ("Möten", "C"): TIME_FORMAT,
        ("Möten", "H"): DATE_FORMAT,
    }
    for (sheet, letter), number_format in formats.items():
        ws = wb[sheet]
        assert ws.column_dimensions[letter].number_format == number_format
        filled = [c for c in ws[letter][1:] if c.value not in (None, "")]
        assert filled and all(c.number_format == number_format for c in filled)
    assert (DATE_FORMAT, TIME_FORMAT) == ("yyyy-mm-dd", r"hh\.mm")


def test_an_hour_typed_into_the_formatted_start_column_reads_as_that_hour(tmp_path: Path) -> None:
    """Excel keeps "13" typed into a time-formatted cell as 13 days; the meeting starts at 13.00."""
    from docautomation.register.workbook import read_register
    from docautomation.validation.rules import validate

    path = write_register(tmp_path / "r.xlsx", example_content())
    wb = openpyxl.load_workbook(path)
    wb["Möten"]["B2"] = 13
    wb["Möten"]["B2"].number_format = TIME_FORMAT
    wb.save(path)
    report = validate(read_register(path.read_bytes(), path.name))
    assert report.register.meetings[0].start == time(13, 0)


@pytest.mark.office
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_keeps_the_warnings_hints_and_formats(tmp_path: Path) -> None:
    """LibreOffice opens the register, keeps every validation, and shows 2021-02-09 and 13.00."""
    path = write_register(tmp_path / "Register.xlsx", example_content())
    (saved,) = convert([path], tmp_path / "lo", "xlsx:Calc MS Excel 2007 XML")
    wb = openpyxl.load_workbook(saved)
    for sheet, headers in DROPDOWN_COLUMNS.items():
        for header in headers:
            dv = _validations(wb[sheet])[header]
            assert (dv.errorStyle, dv.showErrorMessage, dv.errorTitle) == (
                "warning",
                True,
                "Värdet finns inte i listan",
            )
    for sheet, headers in HINTED.items():
        assert all(_validations(wb[sheet])[h].showInputMessage for h in headers)
    (html,) = convert([path], tmp_path / "html", "html:HTML (StarCalc)")
    shown = re.findall(r'sdnum="[^"]*"><font[^>]*>([^<]*)', html.read_text(encoding="utf-8"))
    meetings = example_content()["Möten"]
    assert {f"{m['Start']:%H.%M}" for m in meetings} <= set(shown)
    assert {f"{m['Datum']:%Y-%m-%d}" for m in meetings} <= set(shown)
