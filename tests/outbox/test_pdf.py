"""Tests for PDF conversion through LibreOffice: batches, the profile, current and checked PDFs."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from docautomation.documents.jobs import document_jobs
from docautomation.errors import ConfigError, DocAutomationError, OutboxError
from docautomation.models import Register
from docautomation.outbox import pdf, pdfcheck
from tests.support.rendering import hostile_register, make_ranking, make_register

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
needs_office = pytest.mark.skipif(
    pdf.soffice_path() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) eller pdftotext saknas",
)


def test_missing_libreoffice_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without soffice the message says LibreOffice is missing and how to install it."""
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    with pytest.raises(ConfigError, match=r"LibreOffice \(soffice\) saknas: installera"):
        pdf.convert_to_pdf([tmp_path / "a.docx"], tmp_path)
    with pytest.raises(ConfigError, match=r"LibreOffice \(soffice\) saknas: installera"):
        pdf.require_pdf_tools()


def test_missing_pdftotext_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDFs need pdftotext too (to check them); without it the message says how to get it."""
    monkeypatch.setattr(pdf, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="pdftotext saknas: installera Poppler"):
        pdf.require_pdf_tools()


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


def _fake_soffice(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """soffice replaced by a stand-in that writes "%PDF <document path>" per document."""
    calls: list[list[str]] = []

    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        outdir = Path(command[command.index("--outdir") + 1])
        for name in command[command.index("--outdir") + 2 :]:
            (outdir / f"{Path(name).stem}.pdf").write_text(f"%PDF {name}", encoding="utf-8")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(pdf, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(subprocess, "run", fake_run)
    return calls


def test_one_soffice_process_with_a_private_profile_removed_afterwards(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """All documents go to one soffice call with its own profile in the system's temp folder,
    which is gone when the conversion returns."""
    calls = _fake_soffice(monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    docs = [tmp_path / "Verksamhetsplan 2021.docx", tmp_path / "2021-02-09 Styrelsemöte.docx"]
    result = pdf.convert_to_pdf(docs, tmp_path / "out")
    assert result == [
        tmp_path / "out" / "Verksamhetsplan 2021.pdf",
        tmp_path / "out" / "2021-02-09 Styrelsemöte.pdf",
    ]
    assert len(calls) == 1
    profile = calls[0][1].removeprefix("-env:UserInstallation=")
    assert profile.startswith((tmp_path / "temp").as_uri() + "/docautomation-lo-")
    assert calls[0][calls[0].index("--convert-to") + 1] == "pdf"
    assert list((tmp_path / "temp").iterdir()) == []


def test_documents_sharing_a_name_each_get_their_own_pdf(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A kallelse and a protokoll of the same day: two runs, two PDFs, in the order asked for."""
    calls = _fake_soffice(monkeypatch)
    docs = [tmp_path / "Kallelser" / "x.docx", tmp_path / "Protokoll" / "x.docx"]
    result = pdf.convert_to_pdf(docs, tmp_path / "out")
    assert len(calls) == 2 and len(set(result)) == 2
    assert [p.read_text(encoding="utf-8") for p in result] == [f"%PDF {d}" for d in docs]
    assert len({c[1] for c in calls}) == 1  # one profile serves both runs


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


# ---------------------------------------------------------------------------------------------
# pdf_copies: which documents are converted, and what is kept


def _fake_conversion(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Conversion copies the document's bytes after "%PDF "; a document holding "TAPPAR" comes
    out of it missing that word. Returns the names converted, call after call."""
    converted: list[str] = []

    def convert(paths: list[Path], outdir: Path, *, timeout: float | None = None) -> list[Path]:
        outdir.mkdir(parents=True, exist_ok=True)
        for path in paths:
            converted.append(path.name)
            (outdir / f"{path.stem}.pdf").write_bytes(b"%PDF " + path.read_bytes())
        return [outdir / f"{path.stem}.pdf" for path in paths]

    def lost_text(docx: Path, made: Path) -> str | None:
        return "TAPPAR" if b"TAPPAR" in docx.read_bytes() else None

    monkeypatch.setattr(pdf, "convert_to_pdf", convert)
    monkeypatch.setattr(pdf, "lost_text", lost_text)
    return converted


def _documents(outbox: Path, **texts: str) -> list[Path]:
    paths = []
    for name, text in texts.items():
        paths.append(outbox / "2021" / f"{name}.docx")
        paths[-1].parent.mkdir(parents=True, exist_ok=True)
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def test_a_current_pdf_is_not_made_again_and_a_rewritten_document_gets_a_new_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PDFs follow the documents' bytes, not their times: unchanged → left alone; rewritten
    (even within the same second) → converted again at once."""
    converted = _fake_conversion(monkeypatch)
    plan, notice = _documents(tmp_path, Plan="plan v1", Kallelse="kallelse v1")
    first = pdf.pdf_copies(tmp_path, [plan, notice])
    assert first == pdf.PdfResult(written=(plan.with_suffix(".pdf"), notice.with_suffix(".pdf")))
    assert pdf.pdf_copies(tmp_path, [plan, notice]) == pdf.PdfResult()
    stamp = plan.stat().st_mtime_ns
    plan.write_text("plan v2", encoding="utf-8")
    os.utime(plan, ns=(stamp, stamp))  # a clock too coarse to tell the versions apart
    assert pdf.pdf_copies(tmp_path, [plan, notice]).written == (plan.with_suffix(".pdf"),)
    assert plan.with_suffix(".pdf").read_bytes() == b"%PDF plan v2"
    assert converted == ["Plan.docx", "Kallelse.docx", "Plan.docx"]
    plan.with_suffix(".pdf").unlink()  # a PDF someone removed is made again
    assert pdf.pdf_copies(tmp_path, [plan, notice]).written == (plan.with_suffix(".pdf"),)


def test_a_pdf_that_lost_text_is_not_kept_and_is_made_again_next_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The checked-out PDF never reaches the outbox; the others do; the next run tries again."""
    converted = _fake_conversion(monkeypatch)
    report, plan = _documents(tmp_path, Rapport="TAPPAR rader", Plan="plan")
    old = report.with_suffix(".pdf")
    old.write_bytes(b"%PDF last week")
    result = pdf.pdf_copies(tmp_path, [report, plan])
    assert result.lost == (pdf.LostText(report, "TAPPAR"),)
    assert result.written == (plan.with_suffix(".pdf"),)
    assert old.read_bytes() == b"%PDF last week"
    assert pdf.pdf_copies(tmp_path, [report, plan]).lost == (pdf.LostText(report, "TAPPAR"),)
    assert converted == ["Rapport.docx", "Plan.docx", "Rapport.docx"]
    assert sorted(p.name for p in (tmp_path / ".docautomation").iterdir()) == ["pdf.json"]


def test_an_unreadable_record_only_costs_a_conversion(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A damaged pdf.json makes every PDF count as not current: converted again, never lost."""
    converted = _fake_conversion(monkeypatch)
    (plan,) = _documents(tmp_path, Plan="plan")
    pdf.pdf_copies(tmp_path, [plan])
    (tmp_path / ".docautomation" / "pdf.json").write_text("{trasig", encoding="utf-8")
    assert pdf.pdf_copies(tmp_path, [plan]).written == (plan.with_suffix(".pdf"),)
    assert converted == ["Plan.docx", "Plan.docx"]


def test_outdated_pdfs_are_those_not_made_from_the_document_as_it_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """For the build with PDFs off: a recorded PDF is outdated when its document's bytes
    changed; one without a record (made by hand) when it is older than its document."""
    _fake_conversion(monkeypatch)
    same, rewritten, by_hand, newer_by_hand, no_pdf = _documents(
        tmp_path, Same="a", Rewritten="b", ByHand="c", NewerByHand="d", NoPdf="e"
    )
    pdf.pdf_copies(tmp_path, [same, rewritten])
    rewritten.write_text("b2", encoding="utf-8")
    past = time.time() - 60
    by_hand.with_suffix(".pdf").write_bytes(b"%PDF")
    os.utime(by_hand.with_suffix(".pdf"), (past, past))
    newer_by_hand.with_suffix(".pdf").write_bytes(b"%PDF")
    os.utime(newer_by_hand, (past, past))
    documents = [same, rewritten, by_hand, newer_by_hand, no_pdf]
    assert pdf.outdated_pdfs(tmp_path, documents) == (
        rewritten.with_suffix(".pdf"),
        by_hand.with_suffix(".pdf"),
    )


def test_pdf_open_in_a_reader_gets_the_new_version_beside_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A PDF held open (Windows refuses the replace) is kept; the new one goes beside it as
    "(ny version).pdf" instead of a PermissionError traceback; both held is one clear error."""
    _fake_conversion(monkeypatch)
    (docx,) = _documents(tmp_path, Verksamhetsplan="ny plan")
    old_pdf = docx.with_suffix(".pdf")
    old_pdf.write_bytes(b"%PDF gammal")
    real_replace = os.replace
    held = {old_pdf}

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) in held:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    written = pdf.pdf_copies(tmp_path, [docx]).written
    beside = docx.with_name("Verksamhetsplan (ny version).pdf")
    assert written == (beside,)
    assert beside.read_bytes() == b"%PDF ny plan" and old_pdf.read_bytes() == b"%PDF gammal"
    held.add(beside)
    with pytest.raises(OutboxError, match="båda öppna"):
        pdf.pdf_copies(tmp_path, [docx])


# ---------------------------------------------------------------------------------------------
# With LibreOffice


def _write_documents(register: Register, folder: Path) -> list[Path]:
    written = []
    jobs = document_jobs(
        register, make_ranking(register), templates_dir=SHIPPED, today=date(2021, 3, 15)
    )
    for job in jobs:
        path = folder / job.path
        if path.parent.name == "Protokoll":  # converted in one batch beside its kallelse
            path = path.with_name(f"Protokoll {path.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(job.render())
        written.append(path)
    return written


@pytest.mark.office
@needs_office
def test_libreoffice_converts_every_document_completely(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every document of the representative and the hostile register comes out of LibreOffice
    with all its text (ampersands, brackets, template-like text, emoji, a very long paragraph),
    its page footer filled in, and no LibreOffice profile left in the temp folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    normal = _write_documents(make_register(), tmp_path / "normal")
    hostile = _write_documents(hostile_register(), tmp_path / "hostile")
    for number, path in enumerate(hostile):  # their own names: one LibreOffice run for all
        hostile[number] = path.rename(path.with_name(f"Fientlig {path.name}"))
    docs = normal + hostile
    pdfs = pdf.convert_to_pdf(docs, tmp_path / "pdf")
    assert len(pdfs) == len(set(pdfs)) == len(docs)
    assert list((tmp_path / "temp").iterdir()) == []
    for doc, made in zip(docs, pdfs, strict=True):
        assert made.read_bytes().startswith(b"%PDF")
        assert pdfcheck.lost_text(doc, made) is None, doc
    plan = " ".join(pdfcheck.read_pdf_pages(pdfs[0])[0].split())
    assert "Verksamhetsplan för verksamhetsåret 2021" in plan and "Sida 1 av" in plan
