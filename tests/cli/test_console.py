"""Tests for the CLI's console text: the log's level names and the build summary's forms."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from docautomation.cli.console import build_lines, configure_logging, problem_line
from docautomation.models import BuildOutcome, BuildSummary, Problem, Severity


def test_log_lines_name_their_level_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    """IT reads "VARNING" and "FEL" in the watcher's log, like the Swedish message after it."""
    configure_logging(0, False, service=True)
    log = logging.getLogger("docautomation.test")
    log.info("Bygger %s …", "Register 2021.xlsx")
    log.warning("Kan inte läsa inkorgen.")
    log.error("Bygget kraschade.")
    err = capsys.readouterr().err
    assert " INFO docautomation.test: Bygger Register 2021.xlsx …" in err
    assert " VARNING docautomation.test: Kan inte läsa inkorgen." in err
    assert " FEL docautomation.test: Bygget kraschade." in err
    assert "WARNING" not in err and "ERROR" not in err


def test_the_build_summary_agrees_with_one_unchanged_document(tmp_path: Path) -> None:
    """One document left alone is "1 dokument", and every removed report is named."""
    outbox = tmp_path / "ut"
    stale = outbox / "2021" / "Valideringsrapport.xlsx"
    outcome = BuildOutcome(
        source=tmp_path / "Register 2021.xlsx", year=2021,
        unchanged=(outbox / "2021" / "Verksamhetsplan 2021.docx",), removed_reports=(stale,),
    )  # fmt: skip
    assert build_lines(BuildSummary(outcomes=(outcome,)), outbox) == [
        "Register 2021.xlsx:",
        "  Oförändrat  1 dokument (skrevs inte om).",
        f"  Tog bort    {Path('2021', 'Valideringsrapport.xlsx')} "
        "(gällde en äldre version av registret)",
    ]


def test_a_problem_line_never_carries_a_terminal_control_sequence() -> None:
    """A message quoting a cell with ESC (a colour or cursor sequence) prints it inert."""
    problem = Problem(Severity.ERROR, "Önskemål", "F12", 'Kategori "\x1b[2J\x07X" finns inte.')
    assert problem_line(problem) == 'Fel     Önskemål!F12: Kategori "[2JX" finns inte.'
