"""Tests for explaining a document: its properties, whether it changed, its kept register."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from docautomation import __version__
from docautomation.build import build
from docautomation.config import Settings
from docautomation.documents.package import Package
from docautomation.errors import UnreadableFileError
from docautomation.outbox.provenance import explain
from tests.support.rendering import parts

DAY = date(2021, 1, 10)
PLAN = "2021/Verksamhetsplan 2021.docx"


@pytest.fixture(name="built")
def _built(settings: Settings, example_register: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example built into the outbox; the current folder is the working folder."""
    monkeypatch.chdir(settings.outbox.parent)
    assert build(None, settings, today=DAY).exit_code == 0
    return settings.outbox / PLAN


def _lines(path: Path, settings: Settings) -> list[str]:
    found = explain(path, outbox=settings.outbox, inbox=settings.inbox)
    assert found.ours
    return list(found.lines)


def _edit(path: Path) -> None:
    """The secretary's edit in Word (python-docx saves the whole package again)."""
    doc = Document(str(path))
    doc.add_paragraph("Tillagt av sekreteraren")
    doc.save(str(path))


def test_a_current_document_names_its_origin(
    built: Path, settings: Settings, example_register: Path
) -> None:
    """Register, its hash, template, version and date; unchanged; the kept register matches."""
    lines = _lines(built, settings)
    sha = hashlib.sha256(example_register.read_bytes()).hexdigest()
    template_sha = hashlib.sha256((settings.templates / "Verksamhetsplan.docx").read_bytes())
    assert lines[0] == "Verksamhetsplan 2021.docx skapades av docautomation."
    assert [line.split(":", 1)[1].strip() for line in lines[1:7]] == [
        "Register 2021.xlsx",
        sha,
        "Verksamhetsplan.docx",
        template_sha.hexdigest(),
        __version__,
        "2021-01-10",
    ]
    assert lines[7] == "Ändrat efter att det skapades: nej (filen är som docautomation skrev den)."
    kept = next(settings.outbox.glob(f".docautomation/versions/2021/*_{sha[:12]}.xlsx"))
    assert lines[8] == (
        f"Registerversionen finns sparad i outbox/.docautomation/versions/2021/{kept.name} "
        "och stämmer med hashen."
    )
    assert lines[9] == "Registret i inkorgen (inbox/Register 2021.xlsx) är samma version."


def test_an_edited_document_says_so(built: Path, settings: Settings) -> None:
    """After an edit the manifest no longer matches: changed after it was generated."""
    _edit(built)
    assert _lines(built, settings)[7] == (
        "Ändrat efter att det skapades: ja (filen är inte längre den docautomation skrev)."
    )


def test_a_copy_outside_the_outbox_is_checked_against_its_own_hash(
    built: Path, settings: Settings, tmp_path: Path
) -> None:
    """A copy (say, downloaded elsewhere) is judged by its content hash; then after an edit."""
    copy = tmp_path / "elsewhere" / "Plan.docx"
    copy.parent.mkdir()
    shutil.copyfile(built, copy)
    lines = _lines(copy, settings)
    assert lines[7] == (
        "Ändrat efter att det skapades: nej (innehållet stämmer med dokumentets egen hash)."
    )
    assert "och stämmer med hashen." in lines[8]  # found in the configured outbox
    _edit(copy)
    assert _lines(copy, settings)[7].startswith("Ändrat efter att det skapades: ja (innehållet")
    assert _lines(copy, Settings(inbox=tmp_path, outbox=tmp_path / "none"))[8] == (
        "Registerversionen kan inte letas upp: dokumentet ligger inte i en utkorg."
    )


def test_changed_properties_alone_are_told_apart(built: Path, settings: Settings) -> None:
    """Someone changed a property in Word's dialog: the content itself is unchanged."""
    custom = parts(built.read_bytes())["docProps/custom.xml"].replace(
        b"Register 2021.xlsx", b"Annat register.xlsx"
    )
    built.write_bytes(Package.open(built.read_bytes()).rewrite({"docProps/custom.xml": custom}))
    lines = _lines(built, settings)
    assert lines[1].endswith("Annat register.xlsx")
    assert lines[7] == (
        "Ändrat efter att det skapades: innehållet nej, men dokumentets egenskaper har ändrats "
        "sedan docautomation skrev filen."
    )


def test_a_changed_register_and_a_tampered_kept_copy(
    built: Path, settings: Settings, example_register: Path
) -> None:
    """The inbox's register saved again, the kept copy altered: both are said."""
    sha = hashlib.sha256(example_register.read_bytes()).hexdigest()
    kept = next(settings.outbox.glob(f".docautomation/versions/2021/*_{sha[:12]}.xlsx"))
    kept.write_bytes(kept.read_bytes() + b"\0")
    example_register.write_bytes(example_register.read_bytes() + b"\0")
    lines = _lines(built, settings)
    assert lines[8].endswith("men stämmer inte längre med hashen: filen har ändrats.")
    assert lines[9] == (
        "Registret i inkorgen (inbox/Register 2021.xlsx) har ändrats sedan dokumentet skapades."
    )
    kept.unlink()
    assert _lines(built, settings)[8] == "Registerversionen finns inte sparad i utkorgen outbox."


def test_a_word_file_not_made_by_docautomation(settings: Settings) -> None:
    """A template (a Word file without our properties) gets one line, and is not ours."""
    found = explain(settings.templates / "Kallelse.docx")
    assert not found.ours
    (line,) = found.lines
    assert line == (
        "Kallelse.docx är inte skapat av docautomation: det saknar uppgifterna om register och "
        "mall som docautomation skriver in i sina dokument."
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("Register.xlsx", None, "filen är inget Word-dokument (.docx)."),  # a zip, not Word
        ("anteckning.docx", b"bara text", "filen är inget Word-dokument (.docx)."),
        ("saknas.docx", b"", "filen finns inte."),
    ],
)
def test_what_is_no_word_document_is_one_swedish_line(
    tmp_path: Path, example_register: Path, name: str, content: bytes | None, reason: str
) -> None:
    """A workbook, a text file named .docx, a missing file: UnreadableFileError, file named."""
    path = tmp_path / name
    if content is None:
        shutil.copyfile(example_register, path)
    elif content:
        path.write_bytes(content)
    with pytest.raises(UnreadableFileError) as caught:
        explain(path)
    assert str(caught.value) == f"{name}: {reason}"
