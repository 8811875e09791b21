"""PDF copies of Word documents through LibreOffice headless, one soffice process per batch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError, DocAutomationError, OutboxError

_INSTALL_HINT = (
    "LibreOffice (soffice) saknas: installera LibreOffice (https://www.libreoffice.org, eller "
    "paketet libreoffice på Linux) och se till att soffice finns i PATH."
)
_WINDOWS_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
_MAC_CANDIDATE = "/Applications/LibreOffice.app/Contents/MacOS/soffice"


def soffice_path() -> str | None:
    """The LibreOffice executable: soffice/libreoffice on PATH, else the usual install places."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = _WINDOWS_CANDIDATES if sys.platform == "win32" else (_MAC_CANDIDATE,)
    return next((c for c in candidates if Path(c).is_file()), None)


def require_soffice() -> None:
    """Raise ConfigError with an install hint when LibreOffice is not installed (for --pdf)."""
    if soffice_path() is None:
        raise ConfigError(_INSTALL_HINT)


def pdf_copies(documents: Sequence[Path], scratch: Path) -> tuple[Path, ...]:
    """Write a PDF beside each Word document whose PDF is missing or older than it.

    Converted in one LibreOffice run per folder, into a private folder under `scratch`,
    then moved into place atomically so a reader never sees half a PDF. A PDF held open (a PDF
    reader on Windows refuses the replace) is kept, and the new one goes beside it as
    "<name> (ny version).pdf", as for a Word document open in Word.

    Raises:
        OutboxError: the PDF and its "(ny version)" are both held open, or the disk refuses.
    """
    stale = [p for p in documents if p.suffix == ".docx" and _pdf_is_stale(p)]
    written: list[Path] = []
    scratch.mkdir(parents=True, exist_ok=True)
    for folder in sorted({p.parent for p in stale}):
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            for pdf in convert_to_pdf([p for p in stale if p.parent == folder], Path(tmp)):
                written.append(_put(pdf.read_bytes(), folder / pdf.name))
    return tuple(written)


def _put(data: bytes, target: Path) -> Path:
    """Write the PDF at `target`, or beside it when `target` is held open; the path written."""
    from .manifest import write_atomically

    try:
        write_atomically(target, data)
        return target
    except PermissionError:
        beside = target.with_name(f"{target.stem} (ny version){target.suffix}")
    try:
        write_atomically(beside, data)
    except PermissionError as exc:
        raise OutboxError(
            f'"{target.name}" och "{beside.name}" i {target.parent} är båda öppna; stäng dem, '
            "så skrivs PDF:en vid nästa bygge."
        ) from exc
    return beside


def _pdf_is_stale(docx: Path) -> bool:
    pdf = docx.with_suffix(".pdf")
    return not pdf.exists() or pdf.stat().st_mtime_ns < docx.stat().st_mtime_ns


def convert_to_pdf(
    paths: Sequence[Path], outdir: Path, *, timeout: float | None = None
) -> list[Path]:
    """PDF copies of `paths` in `outdir` (same stem), made by one soffice process; see convert."""
    return convert(paths, outdir, "pdf", timeout=timeout)


def convert(
    paths: Sequence[Path], outdir: Path, fmt: str, *, timeout: float | None = None
) -> list[Path]:
    """Convert documents with one LibreOffice process per batch; returns the new files in order.

    A private, throw-away LibreOffice profile is used, so parallel runs and a desktop
    LibreOffice the user has open do not clash. Documents whose names would produce the same
    output file go in separate batches.

    Args:
        paths: the documents (.docx) to convert.
        outdir: where the converted files go (created if needed); same stem, new suffix.
        fmt: LibreOffice's --convert-to target, e.g. "pdf" or "txt:Text".
        timeout: seconds for each soffice run; default 120 s plus 30 s per document.

    Raises:
        ConfigError: LibreOffice is not installed.
        DocAutomationError: LibreOffice failed or produced no file for some document.
    """
    if not paths:
        return []
    soffice = soffice_path()
    if soffice is None:
        raise ConfigError(_INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    suffix = "." + fmt.split(":")[0]
    for batch in _batches(paths):
        _run(soffice, batch, outdir, fmt, timeout or 120 + 30 * len(batch))
    results = [outdir / (p.stem + suffix) for p in paths]
    missing = [p.name for p, r in zip(paths, results, strict=True) if not r.is_file()]
    if missing:
        raise DocAutomationError(f"LibreOffice kunde inte konvertera: {', '.join(missing)}.")
    return results


def _batches(paths: Sequence[Path]) -> list[list[Path]]:
    """Split so no batch holds two documents with the same stem (their outputs would collide)."""
    batches: list[list[Path]] = []
    for path in paths:
        batch = next((b for b in batches if all(p.stem != path.stem for p in b)), None)
        if batch is None:
            batches.append(batch := [])
        batch.append(path)
    return batches


def _run(soffice: str, batch: list[Path], outdir: Path, fmt: str, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="docautomation-lo-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
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


def _environment() -> dict[str, str]:
    # No display is needed (or wanted) for a headless conversion.
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    return env
