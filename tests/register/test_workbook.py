"""Tests for register.read_register: the general reading rules on real .xlsx files."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import time
import zipfile
from datetime import datetime
from datetime import time as clock
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docautomation.config import Limits
from docautomation.errors import UnreadableFileError
from docautomation.models import CellRef, RawRegister, RawSheet
from docautomation.register.workbook import SHEETS, clean_text, normalise_header, read_register
from tests.support.registers import (
    rewrite_member,
    set_cached_values,
    workbook_bytes,
    write_workbook,
)

WISH_HEADER = ["ID", "Rubrik", "Antal kommuner", "Beskrivning"]


def _read(path: Path) -> RawRegister:
    return read_register(path.read_bytes(), path.name)


def _sheet(path: Path, canonical: str) -> RawSheet:
    return _read(path).sheets[canonical]


def _rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _values(sheet: RawSheet, column: str) -> list[object]:
    return [row.value(column) for row in sheet.rows]


# -- sheets -----------------------------------------------------------------------------------


def test_sheets_are_found_by_name_ignoring_case_and_spaces(tmp_path: Path) -> None:
    """' önskemål ' and 'MÖTEN' are the Önskemål and Möten sheets; names as written are kept."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {" önskemål ": [WISH_HEADER, ["W1", "Första"]], "MÖTEN": [["Datum", "Start", "Mötestyp"]]},
    )
    raw = _read(path)
    assert set(raw.sheets) == {"Önskemål", "Möten"}
    wishes = raw.sheets["Önskemål"]
    assert (wishes.name, wishes.canonical) == (" önskemål ", "Önskemål")
    assert wishes.rows[0].ref("ID") == CellRef(" önskemål ", "A2")


def test_sheet_and_header_names_without_diacritics_are_tolerated(tmp_path: Path) -> None:
    """'Onskemal' with 'Aterkoppling' and 'Leverantorens arende' reads as Önskemål."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {
            "Onskemal": [
                ["ID", "Rubrik", "Aterkoppling", "Leverantorens arende"],
                ["W1", "R", "Bra", "P-1"],
            ]
        },
    )
    sheet = _sheet(path, "Önskemål")
    assert sheet.columns == {
        "ID": "A",
        "Rubrik": "B",
        "Återkoppling": "C",
        "Leverantörens ärende": "D",
    }
    assert sheet.rows[0].value("Leverantörens ärende") == "P-1"


def test_sheet_names_list_every_sheet_in_tab_order(tmp_path: Path) -> None:
    """sheet_names lists all sheets as written, recognised or not, in tab order."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {
            "Instruktioner": [["Läs mig"]],
            "Möten": [["Datum", "Start"]],
            "Förening": [["Fält", "Värde"]],
        },
    )
    raw = _read(path)
    assert raw.sheet_names == ("Instruktioner", "Möten", "Förening")
    assert set(raw.sheets) == {"Möten", "Förening"}


def test_sha256_and_source_name_describe_the_bytes(tmp_path: Path) -> None:
    """RawRegister carries the SHA-256 of exactly the bytes read and the source name."""
    path = write_workbook(tmp_path / "Register 2021.xlsx", {"Möten": [["Datum", "Start"]]})
    raw = _read(path)
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert raw.source_name == "Register 2021.xlsx"


def test_forening_is_read_as_a_two_column_sheet(tmp_path: Path) -> None:
    """Förening reads like any sheet: Fält and Värde per row, values with their types."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {
            "Förening": [
                ["Fält", "Värde"],
                ["Föreningens namn", "Användarföreningen Castor"],
                ["Verksamhetsår", 2021],
            ]
        },
    )
    sheet = _sheet(path, "Förening")
    assert [(r.value("Fält"), r.value("Värde")) for r in sheet.rows] == [
        ("Föreningens namn", "Användarföreningen Castor"),
        ("Verksamhetsår", 2021),
    ]
    assert sheet.rows[1].ref("Värde") == CellRef("Förening", "B3")


# -- header row and columns -------------------------------------------------------------------


def test_header_on_row_three_under_title_rows(tmp_path: Path) -> None:
    """A merged title and a blank row above the headers: the header is row 3, data from row 4."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [[], WISH_HEADER, ["W1", "Första", 3]]},
        titles={"Önskemål": ["Önskemål 2021 – Användarföreningen Castor"]},
        merges={"Önskemål": ["A1:D1"]},
    )
    sheet = _sheet(path, "Önskemål")
    assert sheet.header_row == 3
    assert [row.number for row in sheet.rows] == [4]
    assert sheet.rows[0].ref("Antal kommuner") == CellRef("Önskemål", "C4")


def test_columns_in_any_order_and_extra_columns_ignored(tmp_path: Path) -> None:
    """Shuffled columns map to their letters; an unknown column is not in the row's cells."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [["Anteckning", "Rubrik", "Status", "ID"], ["privat", "R", "Ny", "W1"]]},
    )
    sheet = _sheet(path, "Önskemål")
    assert sheet.columns == {"Rubrik": "B", "Status": "C", "ID": "D"}
    assert {k: c.value for k, c in sheet.rows[0].cells.items()} == {
        "Rubrik": "R",
        "Status": "Ny",
        "ID": "W1",
    }


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("  aktivitet / ÅTGÄRD ", "Aktivitet/åtgärd"),
        ("Verksamhetsområde*", "Verksamhetsområde"),
        ("Ansvarig:", "Ansvarig"),
        ("KLART *", "Klart"),
    ],
)
def test_header_matching_ignores_case_spaces_slash_and_markers(
    tmp_path: Path, written: str, canonical: str
) -> None:
    """Case, surrounding spaces, spaces around '/', and a trailing '*' or ':' are ignored."""
    columns = ["Verksamhetsområde", "Aktivitet/åtgärd", "Ansvarig", "Klart"]
    header = [written if c == canonical else c for c in columns]
    path = write_workbook(tmp_path / "r.xlsx", {"Aktiviteter": [header, ["A", "B", "C", "D"]]})
    sheet = _sheet(path, "Aktiviteter")
    assert sheet.missing == ()
    assert sheet.rows[0].value(canonical) == "ABCD"[columns.index(canonical)]


def test_header_with_a_line_break_matches(tmp_path: Path) -> None:
    """'Antal\\nkommuner' (Alt+Enter in a narrow header) is the Antal kommuner column."""
    path = write_workbook(
        tmp_path / "r.xlsx", {"Önskemål": [["ID", "Rubrik", "Antal\nkommuner"], ["W1", "R", 4]]}
    )
    assert _values(_sheet(path, "Önskemål"), "Antal kommuner") == [4]


def test_normalise_header_examples() -> None:
    """normalise_header folds case, inner and outer spaces, '/' spacing and trailing * or :."""
    assert normalise_header(" Aktivitet /  Åtgärd *") == "aktivitet/åtgärd"
    assert normalise_header("Antal\u00a0 kommuner:") == "antal kommuner"


def test_missing_required_columns_are_listed(tmp_path: Path) -> None:
    """A header row without Start and Mötestyp lists exactly those as missing."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Möten": [["Datum", "Plats", "Slut"], [datetime(2021, 3, 2), "Kumla", None]]},
    )
    sheet = _sheet(path, "Möten")
    assert (sheet.header_row, sheet.missing) == (1, ("Start", "Mötestyp"))
    assert sheet.columns == {"Datum": "A", "Plats": "B", "Slut": "C"}


def test_no_header_in_the_first_ten_rows(tmp_path: Path) -> None:
    """Headers on row 11 are not found: header_row 0, every required column missing, no rows."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Kontakter": [[f"rad {i}"] for i in range(10)] + [["Namn", "Roll"], ["Eva", "Kassör"]]},
    )
    sheet = _sheet(path, "Kontakter")
    assert (sheet.header_row, sheet.missing, sheet.rows, dict(sheet.columns)) == (
        0,
        ("Namn", "Roll"),
        (),
        {},
    )


def test_a_single_known_word_is_not_a_header(tmp_path: Path) -> None:
    """A title row holding only 'Status' does not beat the real header row below it."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [["Status"], WISH_HEADER, ["W1", "R"]]},
    )
    assert _sheet(path, "Önskemål").header_row == 2


def test_the_row_matching_most_headers_wins(tmp_path: Path) -> None:
    """Of two candidate rows, the one matching more known headers is the header row."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [["ID", "Rubrik"], [*WISH_HEADER, "Status", "Insats"], ["W1", "R"]]},
    )
    sheet = _sheet(path, "Önskemål")
    assert sheet.header_row == 2 and "Insats" in sheet.columns


def test_every_canonical_column_is_recognised(tmp_path: Path) -> None:
    """A header row written with the exact column names maps every column of every sheet."""
    sheets = {spec.name: [list(spec.columns)] for spec in SHEETS}
    raw = _read(write_workbook(tmp_path / "r.xlsx", sheets))
    for spec in SHEETS:
        assert tuple(raw.sheets[spec.name].columns) == spec.columns
        assert raw.sheets[spec.name].missing == ()


# -- rows -------------------------------------------------------------------------------------


def test_empty_rows_are_skipped_and_row_numbers_are_real(tmp_path: Path) -> None:
    """Blank rows and rows with text only in an unknown column are skipped; numbers stay real."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {
            "Önskemål": [
                [*WISH_HEADER, "Anteckning"],
                ["W1", "R1"],
                [],
                [None, "  ", None, None, "bara en anteckning"],
                ["W2", "R2"],
            ]
        },
    )
    sheet = _sheet(path, "Önskemål")
    assert [row.number for row in sheet.rows] == [2, 5]
    assert sheet.rows[1].ref("Rubrik") == CellRef("Önskemål", "B5")


def test_every_recognised_column_is_in_every_row(tmp_path: Path) -> None:
    """A row with only ID filled still has a RawCell (value None) for each recognised column."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1"]]})
    row = _sheet(path, "Önskemål").rows[0]
    assert set(row.cells) == {"ID", "Rubrik", "Antal kommuner", "Beskrivning"}
    assert row.cells["Beskrivning"].value is None
    assert row.ref("Beskrivning") == CellRef("Önskemål", "D2")


def test_thousands_of_trailing_formatted_rows_are_not_rows(tmp_path: Path) -> None:
    """5,000 styled but empty rows after the data add no rows."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [WISH_HEADER, ["W1", "R1"], ["W2", "R2"]]},
        trailing_formatted_rows={"Önskemål": 5000},
    )
    assert b'r="5003"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert [row.number for row in _sheet(path, "Önskemål").rows] == [2, 3]


def test_a_far_away_formatted_cell_costs_nothing(tmp_path: Path) -> None:
    """One styled cell at XFD1048576 does not make the reader walk a million rows."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1"]]})
    rewrite_member(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
        ),
    )
    started = time.perf_counter()
    assert [row.number for row in _sheet(path, "Önskemål").rows] == [2]
    assert time.perf_counter() - started < 5


def test_hidden_rows_are_read(tmp_path: Path) -> None:
    """A hidden row is read like a visible one."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [WISH_HEADER, ["W1", "R1"], ["W2", "dold"]]},
        hidden_rows={"Önskemål": [3]},
    )
    assert _values(_sheet(path, "Önskemål"), "Rubrik") == ["R1", "dold"]


# -- merged cells -----------------------------------------------------------------------------


def test_vertical_merge_gives_every_covered_row_the_top_left_value(tmp_path: Path) -> None:
    """Verksamhetsområde merged over A2:A4 is the same area on each of those activity rows."""
    header = ["Verksamhetsområde", "Aktivitet/åtgärd", "Ansvarig", "Klart"]
    rows = [
        header,
        ["Styrelsearbete", "Möten", "Ordförande", "Löpande"],
        [None, "Protokoll", "Sekreterare", "Löpande"],
        [None, "Budget", "Kassör", "Mars 2021"],
    ]
    path = write_workbook(
        tmp_path / "r.xlsx", {"Aktiviteter": rows}, merges={"Aktiviteter": ["A2:A4"]}
    )
    sheet = _sheet(path, "Aktiviteter")
    assert _values(sheet, "Verksamhetsområde") == ["Styrelsearbete"] * 3
    assert sheet.rows[2].ref("Verksamhetsområde") == CellRef("Aktiviteter", "A4")


def test_horizontal_merge_fills_the_covered_columns(tmp_path: Path) -> None:
    """Rubrik merged across B2:C2 also gives Antal kommuner (C2) the top-left text."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [WISH_HEADER, ["W1", "Sammanfogad", None]]},
        merges={"Önskemål": ["B2:C2"]},
    )
    row = _sheet(path, "Önskemål").rows[0]
    assert (row.value("Rubrik"), row.value("Antal kommuner")) == ("Sammanfogad", "Sammanfogad")


def test_rows_a_tall_merge_only_reaches_into_are_empty(tmp_path: Path) -> None:
    """A merge A2:A5 whose rows 3–5 hold nothing else adds no rows of its own."""
    header = ["Verksamhetsområde", "Aktivitet/åtgärd", "Ansvarig", "Klart"]
    rows = [header, ["Styrelsearbete", "Möten", "Ordförande", "Löpande"], [], [], []]
    path = write_workbook(
        tmp_path / "r.xlsx", {"Aktiviteter": rows}, merges={"Aktiviteter": ["A2:A5"]}
    )
    assert [row.number for row in _sheet(path, "Aktiviteter").rows] == [2]


def test_merged_header_cell_names_its_column(tmp_path: Path) -> None:
    """A header merged down over two rows (A1:A2) still names column A on header row 2."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [["ID", "Önskemålet"], [None, "Rubrik", "Beskrivning"], ["W1", "R", "B"]]},
        merges={"Önskemål": ["A1:A2"]},
    )
    sheet = _sheet(path, "Önskemål")
    assert sheet.header_row == 2 and sheet.columns["ID"] == "A"
    assert _values(sheet, "ID") == ["W1"]


def test_huge_merged_range_is_refused_before_openpyxl_expands_it(tmp_path: Path) -> None:
    """A merge covering a whole sheet is refused in well under a second, not expanded."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [WISH_HEADER, ["W1", "R1"]]},
        merges={"Önskemål": ["E5:F6"]},
    )
    rewrite_member(
        path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"E5:F6", b"A1:XFD1048576")
    )
    started = time.perf_counter()
    with pytest.raises(UnreadableFileError, match="Sammanfogade celler"):
        _read(path)
    assert time.perf_counter() - started < 1.0


def test_zip_bomb_handed_straight_to_the_reader_is_refused(tmp_path: Path) -> None:
    """Bytes that skipped filecheck still obey the zip-bomb limits: nothing is decompressed."""
    sheet = b"<worksheet><sheetData>" + b" " * (64 * 2**20) + b"</sheetData></worksheet>"
    data = workbook_bytes({"Önskemål": [WISH_HEADER]})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    members["xl/worksheets/sheet1.xml"] = sheet
    started = time.perf_counter()
    with pytest.raises(UnreadableFileError, match="zip-bomb"):
        read_register(_rezip(members), "r.xlsx")
    assert time.perf_counter() - started < 1.0


def test_configured_limits_apply_to_the_reader(tmp_path: Path) -> None:
    """read_register(limits=…) uses the configured part limit, not the default."""
    data = workbook_bytes({"Önskemål": [WISH_HEADER]})
    assert read_register(data, "r.xlsx", limits=Limits(max_parts=100)).sheets
    with pytest.raises(UnreadableFileError, match="fler än gränsen 3"):
        read_register(data, "r.xlsx", limits=Limits(max_parts=3))


# -- formulas ---------------------------------------------------------------------------------


def test_formula_without_saved_result_is_flagged(tmp_path: Path) -> None:
    """openpyxl-written formulas have no result: value None and uncomputed_formula True."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1", "=2+3"]]})
    cell = _sheet(path, "Önskemål").rows[0].cells["Antal kommuner"]
    assert (cell.value, cell.uncomputed_formula) == (None, True)
    assert cell.ref == CellRef("Önskemål", "C2")


def test_formula_with_saved_result_gives_the_result(tmp_path: Path) -> None:
    """A formula Excel computed reads as its cached value and is not flagged."""
    path = write_workbook(
        tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1", "=2+3", '=A2&"!"']]}
    )
    set_cached_values(path, "Önskemål", {"C2": "5"})
    set_cached_values(path, "Önskemål", {"D2": "W1!"}, kind="str")
    row = _sheet(path, "Önskemål").rows[0]
    assert (row.value("Antal kommuner"), row.cells["Antal kommuner"].uncomputed_formula) == (
        5,
        False,
    )
    assert (row.value("Beskrivning"), row.cells["Beskrivning"].uncomputed_formula) == ("W1!", False)


def test_formula_that_computed_empty_text_is_an_empty_cell(tmp_path: Path) -> None:
    """=IF(…;"";…) saved by Excel as an empty string is blank, not an uncomputed formula."""
    rows = [
        WISH_HEADER,
        ["W1", "R1", None, '=IF(A2="","",A2)'],
        [None, None, None, '=IF(A3="","",A3)'],
    ]
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": rows})
    rewrite_member(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<c r="D3"><f>', b'<c r="D3" t="str"><f>'),
    )
    set_cached_values(path, "Önskemål", {"D2": "W1"}, kind="str")
    sheet = _sheet(path, "Önskemål")
    assert [row.number for row in sheet.rows] == [2]
    assert sheet.rows[0].value("Beskrivning") == "W1"


def test_row_with_only_an_uncomputed_formula_is_kept(tmp_path: Path) -> None:
    """An uncomputed formula is content: its row is read so validation can name the cell."""
    path = write_workbook(
        tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1"], [None, None, "=1+1"]]}
    )
    rows = _sheet(path, "Önskemål").rows
    assert [row.number for row in rows] == [2, 3]
    assert rows[1].cells["Antal kommuner"].uncomputed_formula


def test_formula_cells_without_addresses_are_still_flagged(tmp_path: Path) -> None:
    """Cells written without r="…" (allowed by the format) fall back to a formula load."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1", "=1+1"]]})
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb' r="[A-Z]+2"', b"", xml))
    cell = _sheet(path, "Önskemål").rows[0].cells["Antal kommuner"]
    assert (cell.value, cell.uncomputed_formula) == (None, True)


def test_formulas_outside_cells_do_not_confuse_the_scan(tmp_path: Path) -> None:
    """An <xm:f> in the sheet's extension list is not taken for a cell formula."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1", 4]]})
    ext = (
        b'<extLst><ext uri="x"><x14:dataValidations xmlns:x14="x14" xmlns:xm="xm"><x14:dataValidation>'
        b"<x14:formula1><xm:f>Listor!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>C2</xm:sqref>"
        b"</x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>"
    )
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</worksheet>", ext))
    cell = _sheet(path, "Önskemål").rows[0].cells["Antal kommuner"]
    assert (cell.value, cell.uncomputed_formula) == (4, False)


# -- values -----------------------------------------------------------------------------------


def test_line_breaks_are_kept_and_excel_escapes_decoded(tmp_path: Path) -> None:
    """_x000D_ is decoded, CR LF and CR become LF, line breaks stay, the ends are trimmed."""
    text = "  Punkt 1_x000D_\nPunkt 2\r\nPunkt 3\rPunkt 4 \n"
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R", None, text]]})
    assert _values(_sheet(path, "Önskemål"), "Beskrivning") == [
        "Punkt 1\nPunkt 2\nPunkt 3\nPunkt 4"
    ]


def test_text_is_kept_exactly_between_its_ends(tmp_path: Path) -> None:
    """Inner spaces, &, <, >, quotes, emoji and template-like text are not touched."""
    text = "A  &  B <c> \"d\" 'e' 🎉 {{ x }} {% if %}"
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", text]]})
    assert _values(_sheet(path, "Önskemål"), "Rubrik") == [text]


def test_clean_text_rules() -> None:
    """An escaped underscore stays literal, escaped surrogate pairs rejoin, blank text is None."""
    assert clean_text("a_x005F_x000D_b") == "a_x000D_b"
    assert clean_text("_xD83C__xDF89_") == "🎉"
    assert clean_text(" \n\t ") is None


def test_values_keep_their_types(tmp_path: Path) -> None:
    """int, float, bool, dates (as datetime), times and [h]:mm durations arrive typed."""
    header = ["Datum", "Start", "Slut", "Mötestyp", "Plats", "ID"]
    row = [datetime(2021, 3, 2), clock(13, 0), 0.6875, "Styrelsemöte", 3.5, True]
    path = write_workbook(
        tmp_path / "r.xlsx", {"Möten": [header, row]}, formats={"Möten": {"C2": "[h]:mm"}}
    )
    got = _sheet(path, "Möten").rows[0]
    assert got.value("Datum") == datetime(2021, 3, 2)
    assert got.value("Start") == clock(13, 0)
    assert got.value("Slut") == clock(16, 30)
    assert (got.value("Plats"), got.value("ID")) == (3.5, True)


def test_duplicate_sheets_first_one_wins(tmp_path: Path) -> None:
    """Two sheets that both match Önskemål: the first in tab order is read."""
    path = write_workbook(
        tmp_path / "r.xlsx",
        {"Önskemål": [WISH_HEADER, ["W1", "först"]], "önskemål ": [WISH_HEADER, ["W2", "sedan"]]},
    )
    assert _values(_sheet(path, "Önskemål"), "Rubrik") == ["först"]


# -- broken content -----------------------------------------------------------------------------


def test_malformed_sheet_xml_is_unreadable(tmp_path: Path) -> None:
    """A sheet whose XML is cut short raises UnreadableFileError, not an openpyxl exception."""
    path = write_workbook(tmp_path / "r.xlsx", {"Önskemål": [WISH_HEADER, ["W1", "R1"]]})
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(UnreadableFileError, match="går inte att läsa"):
        _read(path)


def _template() -> tuple[dict[str, bytes], str]:
    data = workbook_bytes(
        {"Önskemål": [WISH_HEADER, ["W1", "R1", "=1+1", "x"]]}, merges={"Önskemål": ["C4:D5"]}
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    return members, members["xl/worksheets/sheet1.xml"].decode()


_MEMBERS, _SHEET_XML = _template()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_raise_only_unreadable(data: bytes) -> None:
    """Whatever bytes arrive, read_register either reads them or raises UnreadableFileError."""
    with contextlib.suppress(UnreadableFileError):
        read_register(data, "r.xlsx")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(min_value=0, max_value=len(_SHEET_XML)),
    length=st.integers(min_value=0, max_value=40),
    insert=st.text(alphabet="<>/=\"' abcfrtvAC0123456789:&;x_", max_size=40),
    member=st.sampled_from(
        [
            "xl/worksheets/sheet1.xml",
            "xl/workbook.xml",
            "xl/styles.xml",
            "[Content_Types].xml",
            "xl/_rels/workbook.xml.rels",
        ]
    ),
)
def test_mangled_workbook_xml_raises_only_unreadable(
    start: int, length: int, insert: str, member: str
) -> None:
    """Splicing junk into a real workbook's XML parts never escapes as another exception."""
    text = _MEMBERS[member].decode()
    at = start % (len(text) + 1)
    members = dict(_MEMBERS)
    members[member] = (text[:at] + insert + text[at + length :]).encode()
    data = _rezip(members)
    try:
        raw = read_register(data, "r.xlsx")
    except UnreadableFileError:
        return
    assert raw.sha256 == hashlib.sha256(data).hexdigest()
