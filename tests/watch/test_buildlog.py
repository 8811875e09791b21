"""Tests for the watcher's log line about a build: numbers in agreeing forms, removed reports."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from docautomation.watch import buildlog
from docautomation.watch.status import BuildRecord
from tests.support.watching import FakeOutcome


def _logged(caplog: pytest.LogCaptureFixture, outcome: FakeOutcome) -> list[str]:
    log = logging.getLogger("docautomation.watch.test")
    record = BuildRecord(
        "Register 2021.xlsx", "2021-01-10T12:00:00+00:00", outcome.exit_code,
        written=len(outcome.written), unchanged=len(outcome.unchanged),
    )  # fmt: skip
    with caplog.at_level(logging.INFO, logger=log.name):
        buildlog.log_outcome(log, record, outcome, 0.25)
    return [r.getMessage() for r in caplog.records]


def test_one_document_is_said_in_the_singular(caplog: pytest.LogCaptureFixture) -> None:
    """1 dokument skrivet, 1 oförändrat; 2 dokument skrivna, 0 oförändrade."""
    doc = Path("a.docx")
    (line,) = _logged(caplog, FakeOutcome(written=(doc,), unchanged=(doc,)))
    assert "klart (kod 0): 1 dokument skrivet, 1 oförändrat, 0 fel, 0 varningar;" in line
    caplog.clear()
    (line,) = _logged(caplog, FakeOutcome(written=(doc, doc)))
    assert ": 2 dokument skrivna, 0 oförändrade," in line


def test_each_removed_valideringsrapport_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The watcher's log names a stale Valideringsrapport the build removed."""
    stale = Path("ut", "Valideringsrapport Register 2021.xlsx")
    lines = _logged(caplog, FakeOutcome(removed_reports=(stale,)))
    assert lines[1] == (
        f"Register 2021.xlsx: tog bort {stale} (gällde en äldre version av registret)."
    )


def test_outputs_moved_to_inaktuella_and_one_left_open_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """IT reading the watcher's log sees each obsolete output moved (and its name there), and
    one left in place because it is open."""
    kallelser = Path("ut", "2021", "Kallelser")
    gone = Path("ut", "2021", "Inaktuella", "Kallelser")
    outcome = FakeOutcome(
        moved=((kallelser / "2021-05-18 Styrelsemöte.ics", gone / "2021-05-18 Styrelsemöte (2).ics"),),
        obsolete_held=(kallelser / "2021-05-18 Styrelsemöte.docx",),
    )  # fmt: skip
    lines = _logged(caplog, outcome)
    assert lines[1:] == [
        "Register 2021.xlsx: 2021-05-18 Styrelsemöte.ics är inaktuell och flyttades till mappen "
        "Inaktuella som 2021-05-18 Styrelsemöte (2).ics.",
        "Register 2021.xlsx: 2021-05-18 Styrelsemöte.docx är inaktuell men öppen; den flyttas "
        "till Inaktuella när den har stängts och registret byggs igen.",
    ]
    assert [r.levelno for r in caplog.records][1:] == [logging.INFO, logging.WARNING]
