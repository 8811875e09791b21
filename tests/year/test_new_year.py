"""Tests for `new-year`: next year's register carries exactly what is still open, and only that."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from docautomation.build import validate_file
from docautomation.cli.main import cli
from docautomation.config import Settings
from docautomation.year.new_year import choose_source, roll_over

AKTIVITETER = ("Verksamhetsområde", "Aktivitet/åtgärd", "Ansvarig", "Klart", "Kommentar")


def _sheet(path: Path, name: str) -> list[dict[str, Any]]:
    """A sheet's rows read back with openpyxl, header → value (None for an empty cell)."""
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def _followed_up(register: Path) -> Path:
    """The example after a year's work: Status set on some activities, an Uppföljning column
    and the board's own Anteckning column, and the first row of Styrelsearbete done."""
    wb = openpyxl.load_workbook(register)
    ws = wb["Aktiviteter"]
    for row in range(2, ws.max_row + 1):  # only the statuses planted below (not the example's)
        ws[f"F{row}"] = ws[f"G{row}"] = None
    ws["G1"], ws["H1"] = "Uppföljning", "Anteckning"
    ws["F2"], ws["G2"] = "Klar", "Alla möten hölls på distans."  # Styrelsearbete's first row
    ws["F7"] = " inställd "  # Ekonomi's only activity, typed loosely
    ws["F9"], ws["G9"], ws["H9"] = "Pågår", "Halvvägs", "behåll mig"
    ws["F10"] = "Planerad"
    wb.save(register)
    return register


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_next_years_register_carries_what_is_open(
    settings: Settings, example_register: Path
) -> None:
    """Förening with the next year; Prioritering and Kontakter as they are; activities not Klar
    or Inställd with Status and Uppföljning emptied (the board's own column kept); open wishes
    unchanged; Möten empty. The old register is not touched and the new one validates."""
    source = _followed_up(example_register)
    before = _digest(source)
    result = roll_over(source, settings)
    assert result.target == settings.inbox / "Register 2022.xlsx" and result.year == 2022
    assert _digest(source) == before

    new, old = result.target, source
    forening = {r["Fält"]: r["Värde"] for r in _sheet(new, "Förening")}
    expected = {r["Fält"]: r["Värde"] for r in _sheet(old, "Förening")} | {"Verksamhetsår": 2022}
    assert forening == expected
    for name in ("Prioritering", "Kontakter"):
        assert _sheet(new, name) == _sheet(old, name)
    assert _sheet(new, "Möten") == []

    activities = _sheet(new, "Aktiviteter")
    kept = [
        r
        for r in _sheet(old, "Aktiviteter")
        if r["Status"] is None or r["Status"] in ("Pågår", "Planerad")
    ]
    assert [tuple(r[c] for c in AKTIVITETER) for r in activities] == [
        (("Styrelsearbete" if i == 0 else r["Verksamhetsområde"]), *(r[c] for c in AKTIVITETER[1:]))
        for i, r in enumerate(kept)
    ]
    assert len(activities) == 16  # 18 rows (17 activities and one group row) less two
    assert all(r["Status"] is None and r["Uppföljning"] is None for r in activities)
    assert [r["Anteckning"] for r in activities if r["Anteckning"]] == ["behåll mig"]

    open_wishes = [
        r for r in _sheet(old, "Önskemål") if r["Status"] not in ("Levererad", "Avvisad")
    ]
    assert _sheet(new, "Önskemål") == open_wishes and len(open_wishes) == 23

    report = validate_file(new, settings)
    assert not report.errors, report.errors
    assert any("gäller 2021" in p.message for p in report.warnings)  # Klart "Mar 2021" etc.
    assert result.counts is not None and result.counts["Aktiviteter"] == (16, 18)


def test_a_source_with_errors_is_refused(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """A register with errors is not rolled over: exit 1, its errors listed, nothing written."""
    wb = openpyxl.load_workbook(example_register)
    wb["Önskemål"]["B2"] = None  # a wish without a Rubrik
    wb.save(example_register)
    result = runner.invoke(cli, ["new-year"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Önskemål!B2" in result.stderr and "Rätta felen" in result.stderr
    assert sorted(p.name for p in (workdir / "inbox").iterdir()) == ["Register 2021.xlsx"]


def test_an_existing_next_year_is_never_overwritten(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """Register 2022.xlsx exists: exit 2 naming it, and it keeps its bytes."""
    existing = workdir / "inbox" / "Register 2022.xlsx"
    existing.write_bytes(b"styrelsens egna")
    result = runner.invoke(cli, ["new-year", "--year", "2021"], catch_exceptions=False)
    assert result.exit_code == 2 and "Register 2022.xlsx" in result.stderr
    assert existing.read_bytes() == b"styrelsens egna"


def test_next_years_register_under_another_name_stops_it(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """The inbox already holds 2022 as "Castor 2022.xlsx": exit 2 naming it, nothing written."""
    first = runner.invoke(cli, ["new-year"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    (workdir / "inbox" / "Register 2022.xlsx").rename(workdir / "inbox" / "Castor 2022.xlsx")
    again = runner.invoke(cli, ["new-year", str(example_register)], catch_exceptions=False)
    assert again.exit_code == 2 and "Castor 2022.xlsx" in again.stderr
    assert sorted(p.name for p in (workdir / "inbox").iterdir()) == [
        "Castor 2022.xlsx",
        "Register 2021.xlsx",
    ]


def test_the_command_reports_what_it_carried(runner: CliRunner, example_register: Path) -> None:
    """The summary names the new file, the rows kept per sheet and the warnings to clear."""
    _followed_up(example_register)
    result = runner.invoke(cli, ["new-year"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith('Skrev "inbox/Register 2022.xlsx" för verksamhetsår 2022')
    assert (
        "  Aktiviteter: 16 av 18 (klara och inställda togs bort; Status och Uppföljning är tömda)."
        in lines
    )
    assert "  Önskemål: 23 av 30 (levererade och avvisade togs bort)." in lines
    assert lines[-1].startswith("Det nya registret har") and "varningar" in lines[-1]


def test_the_source_is_chosen_by_path_year_or_latest_year(
    settings: Settings, example_register: Path
) -> None:
    """REGISTER wins; --year picks the inbox's register for that year; neither: the latest."""
    assert choose_source(example_register, None, settings) == example_register
    assert choose_source(None, 2021, settings) == example_register
    newer = roll_over(example_register, settings).target
    assert choose_source(None, None, settings) == newer
    assert roll_over(newer, settings).target == settings.inbox / "Register 2023.xlsx"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--year", "2019"], "inget register för 2019"),
        (["Register 2021.xlsx", "--year", "2021"], "inte båda"),
    ],
)
def test_a_source_that_cannot_be_chosen_is_exit_2(
    runner: CliRunner, example_register: Path, args: list[str], says: str
) -> None:
    """No register for the year, or both a path and a year: one line, exit 2."""
    result = runner.invoke(cli, ["new-year", *args], catch_exceptions=False)
    assert result.exit_code == 2 and says in result.stderr
    assert result.stderr.count("\n") == 1
