"""Tests for PDF conversion through LibreOffice, and that LibreOffice accepts every document."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from docautomation.documents.jobs import document_jobs
from docautomation.errors import ConfigError, DocAutomationError
from docautomation.models import Register
from docautomation.outbox import pdf
from tests.support.rendering import HOSTILE, hostile_register, make_ranking, make_register

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
needs_office = pytest.mark.skipif(pdf.soffice_path() is None, reason="LibreOffice (soffice) saknas")


def test_missing_libreoffice_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without soffice the message says LibreOffice is missing and how to install it."""
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    with pytest.raises(ConfigError, match=r"LibreOffice \(soffice\) saknas: installera"):
        pdf.convert_to_pdf([tmp_path / "a.docx"], tmp_path)


def test_soffice_path_finds_nothing_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing on PATH and no usual install place, there is no soffice."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "_MAC_CANDIDATE", "/nonexistent/soffice")
    monkeypatch.setattr(pdf, "_WINDOWS_CANDIDATES", ())
    assert pdf.soffice_path() is None


def test_empty_batch_needs_no_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Converting nothing returns nothing, even where LibreOffice is missing."""
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    assert pdf.convert_to_pdf([], tmp_path) == []


def test_same_stems_go_in_separate_batches() -> None:
    """Two documents that would give the same PDF name are never converted in one run."""
    paths = [Path("a/x.docx"), Path("b/x.docx"), Path("a/y.docx"), Path("c/x.docx")]
    assert pdf._batches(paths) == [
        [Path("a/x.docx"), Path("a/y.docx")],
        [Path("b/x.docx")],
        [Path("c/x.docx")],
    ]


def test_one_soffice_process_per_batch_with_a_private_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """All documents go to one soffice call with its own -env:UserInstallation profile."""
    calls: list[list[str]] = []

    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        for name in command[command.index("--outdir") + 2 :]:
            (tmp_path / "out" / (Path(name).stem + ".pdf")).write_bytes(b"%PDF-1.7")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(pdf, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(subprocess, "run", fake_run)
    docs = [tmp_path / "Verksamhetsplan 2021.docx", tmp_path / "2021-02-09 Styrelsemöte.docx"]
    result = pdf.convert_to_pdf(docs, tmp_path / "out")
    assert result == [
        tmp_path / "out" / "Verksamhetsplan 2021.pdf",
        tmp_path / "out" / "2021-02-09 Styrelsemöte.pdf",
    ]
    assert len(calls) == 1
    assert calls[0][1].startswith("-env:UserInstallation=file://")
    assert calls[0][calls[0].index("--convert-to") + 1] == "pdf"


def test_failed_conversion_names_the_documents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """When soffice produces no file, the error names the document."""
    monkeypatch.setattr(pdf, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(
        subprocess, "run", lambda command, **_: subprocess.CompletedProcess(command, 0, "", "")
    )
    with pytest.raises(DocAutomationError, match="kunde inte konvertera: trasig.docx"):
        pdf.convert_to_pdf([tmp_path / "trasig.docx"], tmp_path / "out")


def _write_documents(register: Register, folder: Path) -> list[Path]:
    written = []
    jobs = document_jobs(
        register, make_ranking(register), templates_dir=SHIPPED, today=date(2021, 3, 15)
    )
    for job in jobs:
        path = folder / job.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(job.render())
        written.append(path)
    return written


def _pdf_text(pdfs: list[Path], docs: list[Path], tmp_path: Path) -> dict[str, str]:
    if shutil.which("pdftotext"):
        return {
            p.stem: subprocess.run(
                ["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True
            ).stdout
            for p in pdfs
        }
    texts = pdf.convert(docs, tmp_path / "txt", "txt:Text")  # no poppler: LibreOffice's text
    return {p.stem: p.read_text(encoding="utf-8", errors="replace") for p in texts}


@pytest.mark.office
@needs_office
def test_libreoffice_converts_every_document(tmp_path: Path) -> None:
    """LibreOffice makes a PDF holding the text of every document (normal and hostile register)."""
    normal = _write_documents(make_register(), tmp_path / "normal")
    hostile = _write_documents(hostile_register(), tmp_path / "hostile")
    renamed = []
    for path in hostile:  # one batch: give the hostile copies their own names
        renamed.append(path.with_name("Fientlig " + path.name))
        path.rename(renamed[-1])
    docs = normal + renamed
    pdfs = pdf.convert_to_pdf(docs, tmp_path / "pdf")
    assert len(pdfs) == 20
    for path in pdfs:
        assert path.read_bytes().startswith(b"%PDF")
    text = {stem: " ".join(t.split()) for stem, t in _pdf_text(pdfs, docs, tmp_path).items()}
    assert "Verksamhetsplan för verksamhetsåret 2021" in text["Verksamhetsplan 2021"]
    assert "Stödja förvaltning" in text["Verksamhetsplan 2021"]
    assert "Sida 1 av" in text["Verksamhetsplan 2021"]
    assert "Datum: tisdag 9 februari 2021" in text["2021-02-09 Styrelsemöte"]
    assert "Tid: kl. 13.00–15.00" in text["2021-02-09 Styrelsemöte"]
    assert "Programmet meddelas senare." in text["2021-11-16 Workshop"]
    assert "Rangordnade önskemål" in text["Önskemål till Prosona 2021"]
    hostile_plan = text["Fientlig Verksamhetsplan 2021"]
    for value in ("Tom & Jerry", "1 < 2 > 0", "{{ x }}", "{% if %}", "{_{ y }_}"):
        assert value in hostile_plan
    assert HOSTILE[0] in text["Fientlig 2021-02-09 Styrelsemöte"]


def _fake_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    def convert(paths: list[Path], outdir: Path, *, timeout: float | None = None) -> list[Path]:
        outdir.mkdir(parents=True, exist_ok=True)
        for path in paths:
            (outdir / f"{path.stem}.pdf").write_bytes(b"%PDF-1.7 " + path.read_bytes())
        return [outdir / f"{path.stem}.pdf" for path in paths]

    monkeypatch.setattr(pdf, "convert_to_pdf", convert)


def test_pdf_open_in_a_reader_gets_the_new_version_beside_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A PDF held open (Windows refuses the replace) is kept; the new one goes beside it as
    "(ny version).pdf" instead of a PermissionError traceback; both held is one clear error."""
    import os
    import time

    from docautomation.errors import OutboxError

    _fake_conversion(monkeypatch)
    folder = tmp_path / "2021"
    folder.mkdir()
    old_pdf = folder / "Verksamhetsplan 2021.pdf"
    old_pdf.write_bytes(b"%PDF gammal")
    past = time.time() - 60
    os.utime(old_pdf, (past, past))
    docx = folder / "Verksamhetsplan 2021.docx"
    docx.write_bytes(b"ny plan")
    real_replace = os.replace
    held = {old_pdf}

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) in held:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    written = pdf.pdf_copies([docx], tmp_path / ".docautomation")
    beside = folder / "Verksamhetsplan 2021 (ny version).pdf"
    assert written == (beside,)
    assert beside.read_bytes() == b"%PDF-1.7 ny plan" and old_pdf.read_bytes() == b"%PDF gammal"
    held.add(beside)
    with pytest.raises(OutboxError, match="båda öppna"):
        pdf.pdf_copies([docx], tmp_path / ".docautomation")
