"""`docautomation explain`: where a generated document came from, and whether it changed since."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..documents import properties as props
from ..errors import UnreadableFileError
from ..fileio import STATE_DIR, sha256_file
from .history import kept_versions
from .manifest import MANIFEST_NAME, load_manifest

# The properties are named in Swedish already; the content hash is only used, not shown.
_SHOWN = tuple(name for name in props.OURS if name != props.CONTENT_SHA256)


@dataclass(frozen=True, slots=True)
class Explanation:
    """What explain found: lines to print, and whether the document is docautomation's."""

    lines: tuple[str, ...]
    ours: bool


def explain(path: Path, *, outbox: Path | None = None, inbox: Path | None = None) -> Explanation:
    """Explain the .docx at `path`: its properties, and whether it changed since it was made.

    The outbox's manifest knows the bytes docautomation wrote, when the file lies in an outbox;
    elsewhere the document's own content hash is compared with its content now.

    Args:
        path: the document.
        outbox: where to look for the kept register when `path` lies in no outbox.
        inbox: where the register is compared with the version the document was made from.

    Raises:
        UnreadableFileError: the file is missing, unreadable or not a Word document.
    """
    data = _read(path)
    found = props.read_properties(data)
    if found is None or not props.is_word(data):
        raise UnreadableFileError(path, "filen är inget Word-dokument (.docx).")
    if not props.is_ours(found):
        foreign = (
            f"{path.name} är inte skapat av docautomation: det saknar uppgifterna om register "
            "och mall som docautomation skriver in i sina dokument."
        )
        return Explanation((foreign,), ours=False)
    home = _outbox_of(path)
    lines = [
        f"{path.name} skapades av docautomation.",
        *(f"  {name + ':':<23} {found[name]}" for name in _SHOWN if name in found),
        _changed(data, found, home),
        *_register(found, home[0] if home else outbox, inbox),
    ]
    return Explanation(tuple(lines), ours=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableFileError(path, "filen finns inte.") from exc
    except IsADirectoryError as exc:
        raise UnreadableFileError(path, "det är en mapp, inte ett Word-dokument.") from exc
    except OSError as exc:
        raise UnreadableFileError(path, f"filen kan inte läsas ({exc.strerror}).") from exc


def _outbox_of(path: Path) -> tuple[Path, str] | None:
    """The outbox holding `path` (a folder with a manifest) and the file's name in it."""
    resolved = path.resolve()
    for folder in resolved.parents:
        if (folder / STATE_DIR / MANIFEST_NAME).is_file():
            return folder, resolved.relative_to(folder).as_posix()
    return None


def _changed(data: bytes, found: Mapping[str, str], home: tuple[Path, str] | None) -> str:
    content_same = props.actual_content(data) == found[props.CONTENT_SHA256]
    entry = load_manifest(home[0]).get(home[1]) if home else None
    if entry is not None:
        if hashlib.sha256(data).hexdigest() == entry.sha256:
            return "Ändrat efter att det skapades: nej (filen är som docautomation skrev den)."
        if content_same:
            return (
                "Ändrat efter att det skapades: innehållet nej, men dokumentets egenskaper har "
                "ändrats sedan docautomation skrev filen."
            )
        return "Ändrat efter att det skapades: ja (filen är inte längre den docautomation skrev)."
    if content_same:
        return "Ändrat efter att det skapades: nej (innehållet stämmer med dokumentets egen hash)."
    return (
        "Ändrat efter att det skapades: ja (innehållet stämmer inte med dokumentets egen hash; "
        "det har ändrats eller sparats om)."
    )


def _register(found: Mapping[str, str], outbox: Path | None, inbox: Path | None) -> list[str]:
    """Where the register version is kept and whether it still matches; the inbox's register."""
    sha256 = found[props.REGISTER_SHA256]
    lines = [_kept(sha256, outbox)]
    current = inbox / found[props.REGISTER] if inbox and found[props.REGISTER] else None
    if current is not None and current.is_file():
        same = _sha256(current) == sha256
        lines.append(
            f"Registret i inkorgen ({_shown(current)}) "
            + ("är samma version." if same else "har ändrats sedan dokumentet skapades.")
        )
    return lines


def _kept(sha256: str, outbox: Path | None) -> str:
    if outbox is None or not (outbox / STATE_DIR).is_dir():
        return "Registerversionen kan inte letas upp: dokumentet ligger inte i en utkorg."
    candidates = kept_versions(outbox, sha256)
    for kept in candidates:
        if _sha256(kept) == sha256:
            return f"Registerversionen finns sparad i {_shown(kept)} och stämmer med hashen."
    if candidates:
        return (
            f"Registerversionen finns sparad i {_shown(candidates[0])} men stämmer inte längre med "
            "hashen: filen har ändrats."
        )
    return f"Registerversionen finns inte sparad i utkorgen {_shown(outbox)}."


def _sha256(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def _shown(path: Path) -> str:
    """A path as the user typed it: relative to the current folder when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
