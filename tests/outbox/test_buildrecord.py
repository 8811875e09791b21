"""Rebuilds: an unchanged register skips everything, anything that matters makes it look again."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import docx
import pytest

from docautomation import build as pipeline
from docautomation.config import Settings
from docautomation.outbox import buildrecord as lastbuild
from docautomation.outbox.manifest import STATE_DIR
from docautomation.register import workbook as register
from docautomation.register.scaffold import example_content, write_register

DAY = date(2021, 3, 1)
Content = dict[str, list[dict[str, Any]]]


def _write(path: Path, change: Callable[[Content], None] | None = None) -> Path:
    content = example_content()
    if change is not None:
        change(content)
    return write_register(path, content)


def _move_first_meeting(content: Content) -> None:
    content["Möten"][0]["Start"] = time(14, 0)


def _saturday_meeting(content: Content) -> None:
    content["Möten"][4]["Datum"] = datetime(2021, 5, 22)  # a Saturday: a warning


def _duplicate_wish_id(content: Content) -> None:
    content["Önskemål"][1]["ID"] = content["Önskemål"][0]["ID"]  # an error


def _no_year(content: Content) -> None:
    for row in content["Förening"]:
        if row["Fält"] == "Verksamhetsår":
            row["Värde"] = "nästa år"  # an error


@pytest.fixture(name="reads")
def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the register reads the pipeline makes (names of the files read)."""
    calls: list[str] = []
    real = register.read_register

    def counting(data: bytes, name: str, **kwargs: Any) -> Any:
        calls.append(name)
        return real(data, name, **kwargs)

    monkeypatch.setattr(register, "read_register", counting)
    return calls


@pytest.fixture(name="reg")
def _reg(settings: Settings) -> Path:
    return _write(settings.inbox / "Register 2021.xlsx")


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _rels(paths: tuple[Path, ...], root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in paths}


def _build(reg: Path, settings: Settings, day: date = DAY) -> pipeline.BuildOutcome:
    outcome = pipeline.build([reg], settings, today=day).outcomes[0]
    assert outcome.exit_code == 0, outcome.message
    return outcome


def test_unchanged_register_is_not_read_and_no_file_is_touched(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """A rebuild of the same bytes reports every document unchanged without reading the register,
    and nothing in the outbox (state files included) is written."""
    first = _build(reg, settings)
    before = _tree(settings.outbox)
    again = _build(reg, settings)
    assert reads == [reg.name]
    assert again.written == () and set(again.unchanged) == set(first.written)
    assert _tree(settings.outbox) == before


def test_a_new_build_date_alone_changes_nothing(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """--date only dates a report whose content changed: another day before the next meeting
    is still a skipped rebuild."""
    _build(reg, settings, date(2021, 3, 1))
    before = _tree(settings.outbox)
    again = _build(reg, settings, date(2021, 3, 24))  # the årsmöte is on 25 March
    assert len(reads) == 1 and again.written == ()
    assert _tree(settings.outbox) == before


def test_a_build_date_past_a_meeting_rewrites_the_verksamhetsberattelse(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """The meetings held by the build's date are in the Verksamhetsberättelse: a date past the
    next meeting reads the register again and writes that document alone, dated that day."""
    _build(reg, settings, date(2021, 3, 1))
    again = _build(reg, settings, date(2021, 3, 25))
    annual = settings.outbox / "2021" / "Verksamhetsberättelse 2021.docx"
    assert len(reads) == 2 and again.written == (annual,)
    text = "\n".join(p.text for p in docx.Document(str(annual)).paragraphs)
    assert "25 mars 2021" in text and "1 årsmöte" in text
    assert _build(reg, settings, date(2021, 3, 26)).written == ()  # nothing new held


def test_warnings_are_shown_again_and_their_report_kept(
    settings: Settings, reads: list[str]
) -> None:
    """A skipped rebuild of a register with warnings still returns them, and the
    Valideringsrapport written the first time stays untouched."""
    reg = _write(settings.inbox / "Register 2021.xlsx", _saturday_meeting)
    first = _build(reg, settings)
    assert first.problems and first.report is not None and first.report.exists()
    before = _tree(settings.outbox)
    again = _build(reg, settings)
    assert len(reads) == 1
    assert again.problems == first.problems and again.report == first.report
    assert _tree(settings.outbox) == before


def test_a_changed_template_rebuilds_its_documents(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """Editing a template makes the register be read again and its documents be re-rendered."""
    _build(reg, settings)
    template = settings.templates / "Kallelse.docx"
    document = docx.Document(str(template))
    document.add_paragraph("Välkomna!")
    document.save(str(template))
    again = _build(reg, settings)
    assert len(reads) == 2
    written = _rels(again.written, settings.outbox)
    assert written and all(rel.startswith("2021/Kallelser/") for rel in written)
    assert {r for r in written if r.endswith(".docx")} == {
        p.relative_to(settings.outbox).as_posix()
        for p in (settings.outbox / "2021" / "Kallelser").glob("*.docx")
    }


def test_a_deleted_output_is_written_again(reg: Path, settings: Settings, reads: list[str]) -> None:
    """A document removed from the outbox is noticed and written again."""
    _build(reg, settings)
    plan = settings.outbox / "2021" / "Verksamhetsplan 2021.docx"
    plan.unlink()
    again = _build(reg, settings)
    assert len(reads) == 2 and again.written == (plan,) and plan.exists()


def test_an_edited_output_is_noticed_kept_and_then_skipped_again(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """An output someone edited makes the build look again (and keep the edit); the rebuild
    after that is skipped again."""
    _build(reg, settings)
    plan = settings.outbox / "2021" / "Verksamhetsplan 2021.docx"
    plan.write_bytes(plan.read_bytes() + b"edited")
    edited = plan.read_bytes()
    again = _build(reg, settings)
    assert len(reads) == 2 and plan in again.unchanged and plan.read_bytes() == edited
    third = _build(reg, settings)
    assert len(reads) == 2 and third.unchanged == again.unchanged


def test_a_touched_output_is_checked_again(reg: Path, settings: Settings, reads: list[str]) -> None:
    """An output whose mtime moved (same bytes) makes the build look again, and change nothing."""
    first = _build(reg, settings)
    plan = settings.outbox / "2021" / "Verksamhetsplan 2021.docx"
    os.utime(plan, ns=(plan.stat().st_atime_ns, plan.stat().st_mtime_ns + 10**9))
    again = _build(reg, settings)
    assert len(reads) == 2 and again.written == () and set(again.unchanged) == set(first.written)


def test_one_changed_meeting_rewrites_only_its_kallelse_and_calendars(
    reg: Path, settings: Settings
) -> None:
    """Moving one meeting re-renders that meeting's kallelse, .ics and protokoll draft and
    Möten <år>.ics only."""
    first = _build(reg, settings)
    before = _tree(settings.outbox)
    _write(reg, _move_first_meeting)
    again = _build(reg, settings)
    expected = {
        "2021/Kallelser/2021-01-26 Styrelsemöte.docx",
        "2021/Kallelser/2021-01-26 Styrelsemöte.ics",
        "2021/Protokoll/2021-01-26 Styrelsemöte.docx",
        "2021/Möten 2021.ics",
    }
    assert _rels(again.written, settings.outbox) == expected
    assert len(again.unchanged) == len(first.written) - 4
    after = _tree(settings.outbox)
    documents = {rel for rel in before if not rel.startswith(STATE_DIR)}
    assert {rel for rel in documents if after[rel] != before[rel]} == expected


def test_a_changed_register_is_read_and_built(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """New register bytes are always read and validated."""
    _build(reg, settings)
    _write(reg, _move_first_meeting)
    again = _build(reg, settings)
    assert len(reads) == 2 and again.written


def test_returning_to_good_bytes_after_errors_removes_the_stale_report(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """Good → erroneous → the same good bytes again: the errors' Valideringsrapport is stale,
    so the build runs (and removes it) instead of being skipped."""
    good = reg.read_bytes()
    _build(reg, settings)
    _write(reg, _duplicate_wish_id)
    assert pipeline.build([reg], settings, today=DAY).outcomes[0].exit_code == 1
    report = settings.outbox / "2021" / "Valideringsrapport.xlsx"
    assert report.exists()
    reg.write_bytes(good)
    again = _build(reg, settings)
    assert len(reads) == 3 and not report.exists() and again.written == ()


def test_a_conflict_copy_for_the_same_year_is_still_refused(reg: Path, settings: Settings) -> None:
    """A second register for the same year is refused even when the first one is unchanged."""
    _build(reg, settings)
    copy = _write(settings.inbox / "Register 2021 (konfliktkopia).xlsx", _move_first_meeting)
    outcomes = pipeline.build(None, settings, today=DAY).outcomes
    assert [o.exit_code for o in outcomes] == [1, 1]
    assert {o.source for o in outcomes} == {reg, copy}


def test_build_file_with_the_watchers_bytes_is_skipped_too(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """The watcher's build_file(data=…) takes the same shortcut."""
    pipeline.build_file(reg, settings, today=DAY, data=reg.read_bytes())
    again = pipeline.build_file(reg, settings, today=DAY, data=reg.read_bytes())
    assert len(reads) == 1 and again.exit_code == 0 and again.written == () and again.unchanged


def test_an_unreadable_record_means_a_full_build(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """A damaged builds.json costs one full build, never a wrong skip or a crash."""
    _build(reg, settings)
    (settings.outbox / STATE_DIR / lastbuild.LEDGER_NAME).write_text("{not json", "utf-8")
    again = _build(reg, settings)
    assert len(reads) == 2 and again.written == ()


def test_errors_are_never_skipped(settings: Settings, reads: list[str]) -> None:
    """A register with errors is read and reported on every build (nothing is recorded)."""
    reg = _write(settings.inbox / "Register.xlsx", _no_year)
    outcomes = [pipeline.build([reg], settings, today=DAY).outcomes[0] for _ in range(2)]
    assert [o.exit_code for o in outcomes] == [1, 1] and len(reads) == 2
    ledger = settings.outbox / STATE_DIR / lastbuild.LEDGER_NAME
    assert not ledger.exists() or json.loads(ledger.read_text("utf-8"))["registers"] == {}


def test_stricter_limits_check_the_unchanged_bytes_again(reg: Path, settings: Settings) -> None:
    """Bytes recorded under other size limits are checked again: too large now is exit code 3."""
    _build(reg, settings)
    strict = replace(settings, limits=replace(settings.limits, max_unpacked_mb=0.01))
    outcome = pipeline.build([reg], strict, today=DAY).outcomes[0]
    assert outcome.exit_code == 3 and outcome.message


def test_a_vanished_register_is_still_reported(reg: Path, settings: Settings) -> None:
    """A register that disappears after its last build gets filecheck's message and code 3."""
    _build(reg, settings)
    reg.unlink()
    outcome = pipeline.build([reg], settings, today=DAY).outcomes[0]
    assert outcome.exit_code == 3 and "finns inte" in outcome.message


def test_returning_to_good_bytes_after_an_unreadable_year_removes_that_report(
    reg: Path, settings: Settings, reads: list[str]
) -> None:
    """Good → no readable year → the same good bytes again: the Valideringsrapport written
    beside the year folders is stale, so the build runs and removes it instead of skipping."""
    good = reg.read_bytes()
    _build(reg, settings)
    _write(reg, _no_year)
    assert pipeline.build([reg], settings, today=DAY).outcomes[0].exit_code == 1
    report = settings.outbox / f"Valideringsrapport {reg.stem}.xlsx"
    assert report.exists()
    reg.write_bytes(good)
    _build(reg, settings)
    assert len(reads) == 3 and not report.exists()


def test_a_document_word_let_go_of_is_updated_by_the_next_rebuild(
    reg: Path, settings: Settings
) -> None:
    """A kallelse open in Word gets its new version beside it; once Word closes it, rebuilding
    the same register brings the kallelse itself up to date (no stale skip)."""
    _build(reg, settings)
    kallelse = settings.outbox / "2021" / "Kallelser" / "2021-01-26 Styrelsemöte.docx"
    owner = kallelse.with_name(f"~${kallelse.name[2:]}")
    owner.write_bytes(b"owner")
    _write(reg, _move_first_meeting)
    locked = _build(reg, settings)
    [(intended, beside, _)] = locked.diverted
    assert intended == kallelse and kallelse.read_bytes() != beside.read_bytes()
    owner.unlink()
    again = _build(reg, settings)
    assert kallelse.read_bytes() == beside.read_bytes() and kallelse in again.written


def test_a_document_locked_without_an_owner_file_is_tried_again(
    reg: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kallelse a program holds on Windows (the replace is refused, no "~$" file to watch)
    gets its new version beside it; rebuilding after the program let go updates it."""
    from docautomation import fileio

    _build(reg, settings)
    kallelse = settings.outbox / "2021" / "Kallelser" / "2021-01-26 Styrelsemöte.docx"
    real_replace = os.replace

    def held(src: Any, dst: Any) -> None:
        if Path(dst) == kallelse:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(fileio, "_REPLACE_RETRY_DELAYS", (0.0,))
    monkeypatch.setattr("docautomation.fileio.os.replace", held)
    _write(reg, _move_first_meeting)
    [(_, beside, _)] = _build(reg, settings).diverted
    monkeypatch.setattr("docautomation.fileio.os.replace", real_replace)
    again = _build(reg, settings)
    assert kallelse.read_bytes() == beside.read_bytes() and kallelse in again.written
