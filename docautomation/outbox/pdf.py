"""PDF copies of Word documents through LibreOffice headless, each checked for lost text."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, DocAutomationError, OutboxError
from ..fileio import (
    SCRATCH_PREFIX,
    STATE_DIR,
    new_version_name,
    read_json,
    remove_partials,
    sha256_file,
    swedish_reason,
    write_json,
)
from .manifest import write_atomically
from .pdfcheck import lost_text, require_pdftotext

_INSTALL_HINT = (
    "LibreOffice (soffice) saknas: installera LibreOffice (https://www.libreoffice.org, eller "
    "paketet libreoffice på Linux) och se till att soffice finns i PATH."
)
_WINDOWS_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
_MAC_CANDIDATE = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
_RECORD_NAME = "pdf.json"
_RECORD_VERSION = 1
_PROFILE_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)


def soffice_path() -> str | None:
    """The LibreOffice executable: soffice/libreoffice on PATH, else the usual install places."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = _WINDOWS_CANDIDATES if sys.platform == "win32" else (_MAC_CANDIDATE,)
    return next((c for c in candidates if Path(c).is_file()), None)


def require_pdf_tools() -> None:
    """Raise ConfigError with an install hint when LibreOffice or pdftotext is missing."""
    if soffice_path() is None:
        raise ConfigError(_INSTALL_HINT)
    require_pdftotext()


@dataclass(frozen=True, slots=True)
class LostText:
    """A document whose PDF did not show all its text, and the first text it missed."""

    document: Path
    text: str


@dataclass(frozen=True, slots=True)
class PdfResult:
    """What pdf_copies did: the PDFs written, and the documents whose PDF lost text."""

    written: tuple[Path, ...] = ()
    lost: tuple[LostText, ...] = ()

    def lost_message(self, outbox: Path) -> str:
        """One Swedish sentence naming each document whose PDF lost text ("" for none)."""
        if not self.lost:
            return ""
        names = [f'"{_key(outbox, lost.document)}"' for lost in self.lost]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"
        first = " ".join(self.lost[0].text.split())
        example = first if len(first) <= 60 else first[:59] + "…"
        one = len(names) == 1
        return (
            f"{'PDF:en' if one else 'PDF:erna'} av {listed} tappade text "
            f'(saknas: "{example}") och sparades inte; nästa bygge konverterar '
            f"{'den' if one else 'dem'} igen."
        )


def pdf_copies(outbox: Path, documents: Sequence[Path]) -> PdfResult:
    """Write a PDF beside each Word document whose PDF is missing or made from other bytes.

    The documents are converted as copies (a document edited meanwhile cannot slip into a PDF
    recorded as current), in one LibreOffice run per set of distinct names, and each PDF is
    checked against its copy's text. A PDF that lost text is not kept, so the next build
    converts that document again; a kept one is recorded as made from the document's bytes
    and moved into place atomically. A PDF held open (a PDF reader on Windows refuses the
    replace) is kept, and the new one goes beside it as "<name> (ny version).pdf", as for a
    Word document open in Word.

    Raises:
        ConfigError: LibreOffice or pdftotext is not installed.
        DocAutomationError: LibreOffice or pdftotext failed.
        OutboxError: the PDF and its "(ny version)" are both held open, or the disk refuses.
    """
    made = _load_record(outbox)
    stale = _not_current(outbox, documents, made)
    if not stale:
        return PdfResult()
    scratch = outbox / STATE_DIR
    scratch.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    lost: list[LostText] = []
    with tempfile.TemporaryDirectory(dir=scratch, prefix=SCRATCH_PREFIX) as tmp:
        copies = [Path(tmp, "in", str(n), document.name) for n, document in enumerate(stale)]
        for copy, (data, _) in zip(copies, stale.values(), strict=True):
            copy.parent.mkdir(parents=True)
            copy.write_bytes(data)
        pdfs = convert_to_pdf(copies, Path(tmp, "out"))
        for (document, (_, digest)), copy, pdf in zip(stale.items(), copies, pdfs, strict=True):
            missing = lost_text(copy, pdf)
            if missing is not None:
                lost.append(LostText(document, missing))
                continue
            written.append(_put(pdf.read_bytes(), pdf_path(document)))
            if written[-1] == pdf_path(document):
                made[_key(outbox, document)] = digest
    _save_record(outbox, made)
    return PdfResult(tuple(written), tuple(lost))


def _not_current(
    outbox: Path, documents: Sequence[Path], made: dict[str, str]
) -> dict[Path, tuple[bytes, str]]:
    """The Word documents whose PDF is missing or was made from other bytes: bytes, digest."""
    stale = {}
    for document in documents:
        if document.suffix == ".docx" and document.is_file():
            data = document.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            pdf = pdf_path(document)  # a link at its name is no PDF: the write replaces it
            current = pdf.is_file() and not pdf.is_symlink()
            if not (current and made.get(_key(outbox, document)) == digest):
                stale[document] = (data, digest)
    return stale


def pdf_path(document: Path) -> Path:
    """Where the PDF of `document` goes: beside it, same name, suffix .pdf."""
    return document.with_suffix(".pdf")


def outdated_pdfs(outbox: Path, documents: Sequence[Path]) -> tuple[Path, ...]:
    """The PDFs beside `documents` that were not made from the document as it is now.

    For a build with PDFs off: the PDF beside a rewritten document shows old content.
    A PDF this tool has no record of (made by hand, or before it kept records) counts as
    outdated only when it is older than its document.
    """
    made = _load_record(outbox)
    outdated = []
    for document in documents:
        pdf = pdf_path(document)
        if document.suffix != ".docx" or not (pdf.is_file() and document.is_file()):
            continue
        recorded = made.get(_key(outbox, document))
        if recorded is None:
            if pdf.stat().st_mtime_ns < document.stat().st_mtime_ns:
                outdated.append(pdf)
        elif recorded != sha256_file(document):
            outdated.append(pdf)
    return tuple(outdated)


def _load_record(outbox: Path) -> dict[str, str]:
    """Which document bytes (SHA-256) each PDF was made from, by the document's relative path.

    Without the record every PDF is made again: slower, never wrong.
    """
    doc = read_json(outbox / STATE_DIR / _RECORD_NAME)
    made = doc.get("made_from") if doc.get("version") == _RECORD_VERSION else None
    return {str(k): str(v) for k, v in made.items()} if isinstance(made, dict) else {}


def _save_record(outbox: Path, made: dict[str, str]) -> None:
    # Documents that are gone (moved to Inaktuella/, say) are forgotten.
    kept = {rel: digest for rel, digest in made.items() if (outbox / rel).is_file()}
    path = outbox / STATE_DIR / _RECORD_NAME
    try:
        write_json(path, {"version": _RECORD_VERSION, "made_from": kept})
    except OSError as exc:
        raise OutboxError(
            f"Kunde inte spara {STATE_DIR}/{_RECORD_NAME}: {swedish_reason(exc)}."
        ) from exc


def _key(outbox: Path, document: Path) -> str:
    try:
        return document.relative_to(outbox).as_posix()
    except ValueError:
        return document.as_posix()


def _put(data: bytes, target: Path) -> Path:
    """Write the PDF at `target`, or beside it when `target` is held open; the path written."""
    remove_partials(target.parent, (target.name, new_version_name(target.name)))
    try:
        write_atomically(target, data)
        return target
    except PermissionError:
        beside = target.with_name(new_version_name(target.name))
    try:
        write_atomically(beside, data)
    except PermissionError as exc:
        raise OutboxError(
            f'"{target.name}" och "{beside.name}" i {target.parent} är båda öppna; stäng dem, '
            "så skrivs PDF:en vid nästa bygge."
        ) from exc
    return beside


def convert_to_pdf(
    paths: Sequence[Path], outdir: Path, *, timeout: float | None = None
) -> list[Path]:
    """PDF copies of `paths` under `outdir`; see convert."""
    return convert(paths, outdir, "pdf", timeout=timeout)


def convert(
    paths: Sequence[Path], outdir: Path, fmt: str, *, timeout: float | None = None
) -> list[Path]:
    """Convert documents under `outdir`, with as few soffice runs as their names allow.

    Each new file has its document's stem; documents that share a stem are converted in runs
    of their own, each run's files in a numbered folder under `outdir` (the first run's in
    `outdir` itself). One private LibreOffice profile serves every run: it lives in the
    system's temp folder, so a desktop LibreOffice the user has open does not clash, and is
    removed before this returns.

    Args:
        paths: the documents (.docx) to convert.
        outdir: where the new files go (created if needed).
        fmt: LibreOffice's --convert-to target, e.g. "pdf" or "doc:MS Word 97".
        timeout: seconds for each soffice run; default 120 s plus 30 s per document.

    Returns:
        The new files, in the order of `paths`.

    Raises:
        ConfigError: LibreOffice is not installed.
        DocAutomationError: LibreOffice failed or produced no file for some document.
    """
    if not paths:
        return []
    soffice = soffice_path()
    if soffice is None:
        raise ConfigError(_INSTALL_HINT)
    results: dict[Path, Path] = {}
    suffix = fmt.split(":")[0]
    profile = Path(tempfile.mkdtemp(prefix="docautomation-lo-"))
    try:
        for number, batch in enumerate(_batches(paths)):
            target = outdir / str(number) if number else outdir
            target.mkdir(parents=True, exist_ok=True)
            _run(soffice, profile, batch, target, fmt, timeout or 120 + 30 * len(batch))
            results.update((path, target / f"{path.stem}.{suffix}") for path in batch)
    finally:
        _remove(profile)
    missing = [p.name for p in paths if not results[p].is_file()]
    if missing:
        raise DocAutomationError(f"LibreOffice kunde inte konvertera: {', '.join(missing)}.")
    return [results[p] for p in paths]


def _batches(paths: Sequence[Path]) -> list[list[Path]]:
    """Split so no batch holds two documents with the same stem (their outputs would collide)."""
    batches: list[list[Path]] = []
    for path in paths:
        batch = next((b for b in batches if all(p.stem != path.stem for p in b)), None)
        if batch is None:
            batches.append(batch := [])
        batch.append(path)
    return batches


def _run(
    soffice: str, profile: Path, batch: list[Path], outdir: Path, fmt: str, timeout: float
) -> None:
    command = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        *[str(p) for p in batch],
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DocAutomationError(
            f"LibreOffice blev inte klar inom {timeout:.0f} s ({len(batch)} dokument)."
        ) from exc
    except OSError as exc:
        raise ConfigError(f"LibreOffice kunde inte startas ({soffice}): {exc}.") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DocAutomationError(
            f"LibreOffice avslutades med kod {done.returncode}"
            + (f": {detail[-1]}" if detail else ".")
        )


def _remove(profile: Path) -> None:
    """Remove the profile; on Windows LibreOffice's worker may hold it for a moment after exit."""
    for delay in _PROFILE_RETRY_DELAYS:
        try:
            shutil.rmtree(profile)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(delay)
    shutil.rmtree(profile, ignore_errors=True)


def _environment() -> dict[str, str]:
    # No display is needed (or wanted) for a headless conversion.
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    return env
