"""Tests for `import`: plans typed by people, the seed, the round trip, and what is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from docautomation.build import build, validate_file
from docautomation.cli.main import cli
from docautomation.config import Settings
from docautomation.errors import UnreadableFileError
from docautomation.models import DEFAULT_CATEGORIES
from docautomation.outbox.pdf import convert, soffice_path
from docautomation.register.scaffold import SHEETS, example_content, write_register
from docautomation.year.plan_import import TABLE_COLUMNS, import_plan
from tests.support.wordplans import add_table, heading, list_item, merge_down, seed_plan

FIELDS = ("Föreningens namn", "Verksamhetsår", "Vision", "Syfte", "Verksamhet enligt stadgarna")


def _sheet(path: Path, name: str) -> list[dict[str, Any]]:
    """A sheet's rows read back with openpyxl, header → value ("" for an empty cell)."""
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    return [
        {h: ("" if v is None else v) for h, v in zip(headers, row, strict=True)} for row in rows[1:]
    ]


def _forening(path: Path) -> dict[str, Any]:
    return {row["Fält"]: row["Värde"] for row in _sheet(path, "Förening")}


def _example_forening() -> dict[str, Any]:
    return {row["Fält"]: row["Värde"] for row in example_content()["Förening"]}


def _resolved(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Activity rows with the area on every row of its group (group-only rows dropped)."""
    area, found = "", []
    for row in rows:
        area = row["Verksamhetsområde"] or area
        if row["Aktivitet/åtgärd"]:
            found.append((area, *(row[c] for c in TABLE_COLUMNS[1:])))
    return found


# -- the seed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [{}, {"how": "bold", "typed": "- "}, {"merged": True, "typed": "• "}],
    ids=["styles-and-word-lists", "bold-headings-typed-dashes", "merged-areas-typed-bullets"],
)
def test_the_seed_typed_in_word_imports_to_its_17_activities(
    settings: Settings, tmp_path: Path, variant: dict[str, Any]
) -> None:
    """The 2021 plan as a person types it gives a register that validates without errors, its
    17 activity rows and the Aktiviteter sheet exactly as the shipped example holds them."""
    plan = seed_plan(tmp_path / "Verksamhetsplan 2021.docx", **variant)
    result = import_plan(plan, settings)
    assert result.target == settings.inbox / "Register 2021.xlsx"
    report = validate_file(result.target, settings)
    assert not report.errors, report.errors
    assert len(report.register.activities) == 17
    expected = [
        {c: row.get(c, "") for c in TABLE_COLUMNS} for row in example_content()["Aktiviteter"]
    ]
    got = [{c: row[c] for c in TABLE_COLUMNS} for row in _sheet(result.target, "Aktiviteter")]
    assert got == expected
    forening = _forening(result.target)
    assert {f: forening[f] for f in FIELDS} == {f: _example_forening()[f] for f in FIELDS}
    names = [row["Kategori"] for row in _sheet(result.target, "Prioritering")]
    assert names == [c.name for c in DEFAULT_CATEGORIES]
    assert result.missing == ()


def test_the_written_register_has_inits_layout(settings: Settings, tmp_path: Path) -> None:
    """Instruktioner first, every sheet with init's headers and dropdowns, defaults left blank."""
    target = import_plan(seed_plan(tmp_path / "plan.docx"), settings).target
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Instruktioner", *SHEETS]
    for name, columns in SHEETS.items():
        assert [c.value for c in wb[name][1]] == [c.header for c in columns]
    assert wb["Aktiviteter"].data_validations.dataValidation  # the Status dropdown
    assert _forening(target)["Leverantör"] == ""  # the plan does not say: the default applies


# -- the round trip ---------------------------------------------------------------------------


def test_a_plan_built_by_docautomation_imports_back_cell_for_cell(
    settings: Settings, example_register: Path, tmp_path: Path
) -> None:
    """The example's plan, built, imports back to the same Förening and Aktiviteter for what
    the plan shows: the five fields, the five columns, each area on every row of its group."""
    assert build(None, settings, today=date(2021, 1, 10)).exit_code == 0
    plan = settings.outbox / "2021" / "Verksamhetsplan 2021.docx"
    fresh = Settings(inbox=tmp_path / "ny", outbox=tmp_path / "ut", templates=settings.templates)
    target = import_plan(plan, fresh).target
    forening = _forening(target)
    assert {f: forening[f] for f in FIELDS} == {f: _example_forening()[f] for f in FIELDS}
    example_rows = [
        {c: r.get(c, "") for c in TABLE_COLUMNS} for r in example_content()["Aktiviteter"]
    ]
    assert _resolved(_sheet(target, "Aktiviteter")) == _resolved(example_rows)
    categories = [(r["Kategori"], r["Beskrivning"]) for r in _sheet(target, "Prioritering")]
    assert categories == [
        (r["Kategori"], r["Beskrivning"]) for r in example_content()["Prioritering"]
    ]
    assert not validate_file(target, fresh).errors


# -- plans typed by people --------------------------------------------------------------------


def _typed_plan(path: Path) -> Path:
    """A 2022 plan typed freely: name first, mixed headings, a contact table first, the activity
    table's headers in another order and case, merged and once-written areas, lists in cells."""
    doc = docx.Document()
    doc.add_paragraph("Användarföreningen Castor")
    heading(doc, "Verksamhetsplan 2022", "title")
    heading(doc, "Vår vision", "bold")
    doc.add_paragraph("Castor för alla.")
    heading(doc, "Föreningens syfte", "style")
    doc.add_paragraph("Att samla medlemmarna.")
    doc.add_paragraph("Och att påverka & <utveckla> {{ systemet }}.")
    heading(doc, "Prioriteringsordning", "bold")
    doc.add_paragraph("Vi prioriterar så här:")
    for number, name in enumerate(("Lagstiftning", "Myndighetsrapportering", "Övrigt"), start=1):
        list_item(doc, name, typed=f"{number}. ")
    heading(doc, "Styrelsen", "style")
    add_table(doc, [["Namn", "Roll", "E-post"], ["Anna Berg", "Ordförande", "anna@example.se"]])
    heading(doc, "Aktiviteter", "style")
    table = add_table(
        doc,
        [
            ["Ansvarig", "AKTIVITET / ÅTGÄRD", "verksamhetsområde", "Klart:", "Kommentarer"],
            ["Ordförande", "Styrelsemöten\nhos kommunerna", "Styrelsearbete", "Löpande", ""],
            ["Styrelsen", "Ny vision", "", "Nov 2022", ""],
            ["Kassör", "Budget", "", "Mar 2022", ""],
            ["Styrelsen", "Nyhetsbrev", "Kommunikation", "Kvartal 2 2022", ""],
            ["", "Enkät", "", "Hösten 2022", ""],
        ],
    )
    merge_down(table, 2, 1, 3)  # the area merged down its group
    merge_down(table, 0, 4, 5)  # one Ansvarig merged over two activities: it is each one's
    list_item(table.cell(4, 4), "Via webben")
    list_item(table.cell(4, 4), "Via e-post", typed="• ")
    table.cell(4, 4)._tc.remove(table.cell(4, 4).paragraphs[0]._p)
    list_item(table.cell(5, 4), "Till alla kommuner", typed="– ")
    table.cell(5, 4)._tc.remove(table.cell(5, 4).paragraphs[0]._p)
    doc.save(str(path))
    return path


def test_a_freely_typed_plan_is_read_as_written(settings: Settings, tmp_path: Path) -> None:
    """Headers in any order and case, a contact table before, merged and blank areas, lists in
    cells and other text exactly: the register holds the plan's rows and validates."""
    result = import_plan(_typed_plan(tmp_path / "Plan.docx"), settings)
    assert result.target.name == "Register 2022.xlsx"
    got = [tuple(row[c] for c in TABLE_COLUMNS) for row in _sheet(result.target, "Aktiviteter")]
    assert got == [
        ("Styrelsearbete", "Styrelsemöten\nhos kommunerna", "Ordförande", "Löpande", ""),
        ("", "Ny vision", "Styrelsen", "Nov 2022", ""),
        ("", "Budget", "Kassör", "Mar 2022", ""),
        (
            "Kommunikation",
            "Nyhetsbrev",
            "Styrelsen",
            "Kvartal 2 2022",
            "- Via webben\n- Via e-post",
        ),
        ("", "Enkät", "Styrelsen", "Hösten 2022", "- Till alla kommuner"),
    ]
    forening = _forening(result.target)
    assert forening["Föreningens namn"] == "Användarföreningen Castor"
    assert forening["Verksamhetsår"] == 2022
    assert forening["Vision"] == "Castor för alla."
    assert (
        forening["Syfte"] == "Att samla medlemmarna.\nOch att påverka & <utveckla> {{ systemet }}."
    )
    assert forening["Verksamhet enligt stadgarna"] == ""
    prioritering = [(r["Nr"], r["Kategori"]) for r in _sheet(result.target, "Prioritering")]
    assert prioritering == [(1, "Lagstiftning"), (2, "Myndighetsrapportering"), (3, "Övrigt")]
    assert result.missing == (
        'Ingen rubrik med ordet "stadgar" hittades: Verksamhet enligt stadgarna är tom.',
    )
    assert "Aktiviteter: 5 aktiviteter i 2 verksamhetsområden" in result.found
    assert not validate_file(result.target, settings).errors


def test_a_table_title_row_and_a_group_row_across_the_table(
    settings: Settings, tmp_path: Path
) -> None:
    """A title row above the header row is passed over; an area merged across the whole row
    starts a group and is not copied into the other columns."""
    doc = docx.Document()
    heading(doc, "Verksamhetsplan för verksamhetsåret 2023", "style")
    doc.add_paragraph("Användarföreningen Castor")
    table = add_table(
        doc,
        [
            ["Aktiviteter 2023", "", "", "", ""],
            ["Verksamhetsområde", "Aktivitet", "Ansvarig", "Klart", "Kommentar"],
            ["Stödja förvaltning", "", "", "", ""],
            ["", "Bevaka uppdateringar", "Styrelsen", "Kontinuerligt", ""],
        ],
    )
    table.cell(0, 0).merge(table.cell(0, 4))
    table.cell(2, 0).merge(table.cell(2, 4))
    doc.save(str(tmp_path / "plan.docx"))
    result = import_plan(tmp_path / "plan.docx", settings)
    got = [tuple(row[c] for c in TABLE_COLUMNS) for row in _sheet(result.target, "Aktiviteter")]
    assert got == [
        ("Stödja förvaltning", "", "", "", ""),
        ("", "Bevaka uppdateringar", "Styrelsen", "Kontinuerligt", ""),
    ]
    assert _forening(result.target)["Föreningens namn"] == "Användarföreningen Castor"


def test_a_plan_without_an_activity_table_says_so(settings: Settings, tmp_path: Path) -> None:
    """No table naming Verksamhetsområde: the register is written with an empty Aktiviteter, and
    the user is told what was not found (name, table, priority order)."""
    doc = docx.Document()
    heading(doc, "Verksamhetsplan 2021", "title")
    heading(doc, "Vision", "style")
    doc.add_paragraph("Castor för alla.")
    add_table(doc, [["Namn", "Roll"], ["Anna Berg", "Ordförande"]])
    doc.save(str(tmp_path / "plan.docx"))
    result = import_plan(tmp_path / "plan.docx", settings)
    assert _sheet(result.target, "Aktiviteter") == []
    assert (
        "Ingen tabell med rubriken Verksamhetsområde hittades: Aktiviteter är tom."
        in result.missing
    )
    assert any("Föreningens namn hittades inte" in line for line in result.missing)
    assert any("standardordningen" in line for line in result.missing)
    names = [r["Kategori"] for r in _sheet(result.target, "Prioritering")]
    assert names == [c.name for c in DEFAULT_CATEGORIES]


# -- the command ------------------------------------------------------------------------------


def _invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_import_prints_what_it_found_and_wrote(runner: CliRunner, workdir: Path) -> None:
    """The command lists what the plan gave and what it did not, then the register written."""
    _typed_plan(workdir / "Plan.docx")
    code, out, _ = _invoke(runner, "import", "Plan.docx")
    assert code == 0
    assert "Hittade: Föreningens namn: Användarföreningen Castor" in out
    assert 'Saknas:  Ingen rubrik med ordet "stadgar"' in out
    assert out.strip().endswith('Skrev "inbox/Register 2022.xlsx".')


def test_a_doc_file_is_one_line_exit_3_and_nothing_written(
    runner: CliRunner, workdir: Path
) -> None:
    """An old .doc plan: one Swedish line on stderr, exit 3, the inbox untouched."""
    plan = workdir / "Plan.doc"
    plan.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le")
    )
    code, out, err = _invoke(runner, "import", str(plan))
    assert (code, out) == (3, "")
    assert err.count("\n") == 1 and ".doc" in err and err.startswith("Fel: Plan.doc:")
    assert list((workdir / "inbox").iterdir()) == []


def test_an_existing_register_is_never_overwritten(runner: CliRunner, workdir: Path) -> None:
    """Register 2022.xlsx exists: exit 2 naming it, its bytes unchanged."""
    _typed_plan(workdir / "Plan.docx")
    existing = workdir / "inbox" / "Register 2022.xlsx"
    existing.write_bytes(b"styrelsens egna")
    code, _, err = _invoke(runner, "import", "Plan.docx")
    assert code == 2 and "Register 2022.xlsx" in err and "Inget skrevs" in err
    assert existing.read_bytes() == b"styrelsens egna"
    assert sorted(p.name for p in (workdir / "inbox").iterdir()) == ["Register 2022.xlsx"]


def test_a_register_for_the_year_under_another_name_stops_the_import(
    runner: CliRunner, workdir: Path
) -> None:
    """The inbox already has the year's register under another name: exit 2 naming that file."""
    content = example_content()
    content["Förening"] = [
        {**row, "Värde": 2022} if row["Fält"] == "Verksamhetsår" else row
        for row in content["Förening"]
    ]
    write_register(workdir / "inbox" / "Castor 2022.xlsx", content)
    _typed_plan(workdir / "Plan.docx")
    code, _, err = _invoke(runner, "import", "Plan.docx")
    assert code == 2 and "Castor 2022.xlsx" in err
    assert sorted(p.name for p in (workdir / "inbox").iterdir()) == ["Castor 2022.xlsx"]


def test_a_plan_without_a_year_is_refused(runner: CliRunner, workdir: Path) -> None:
    """Without a year in the title (or the file name) there is no register name: exit 3."""
    doc = docx.Document()
    heading(doc, "Verksamhetsplan", "title")
    doc.save(str(workdir / "Plan.docx"))
    code, _, err = _invoke(runner, "import", "Plan.docx")
    assert code == 3 and "verksamhetsår" in err
    assert list((workdir / "inbox").iterdir()) == []


@pytest.mark.office
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_a_real_doc_saved_by_an_office_suite_is_refused(settings: Settings, tmp_path: Path) -> None:
    """The seed plan saved as Word 97-2003 (.doc) by LibreOffice: exit 3, saying to save as .docx."""
    plan = seed_plan(tmp_path / "Verksamhetsplan 2021.docx")
    (doc,) = convert([plan], tmp_path / "doc", "doc:MS Word 97")
    with pytest.raises(UnreadableFileError, match=r"\.doc.*Spara som") as caught:
        import_plan(doc, settings)
    assert caught.value.exit_code == 3
    assert list(settings.inbox.iterdir()) == []


def test_inits_empty_register_beside_the_import_is_pointed_out(
    settings: Settings, tmp_path: Path
) -> None:
    """After `init`, the inbox holds an empty Register.xlsx whose errors would stop every build."""
    write_register(settings.inbox / "Register.xlsx")
    result = import_plan(seed_plan(tmp_path / "plan.docx"), settings)
    hint = (
        'Inkorgen har också "Register.xlsx" utan verksamhetsår (från init?): ta bort det om det '
        "inte används, annars stoppar dess fel bygget."
    )
    assert result.notes == (hint,)
