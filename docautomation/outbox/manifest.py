"""The outbox's manifest (what was written where, from what) and its atomic write of one file."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .. import fileio
from ..errors import FileHeldError, OutboxError
from ..fileio import STATE_DIR

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
_MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """What we last wrote at one relative path, and from what."""

    key: str
    sha256: str
    size: int
    mtime_ns: int
    source: str
    source_sha256: str
    written_at: str
    intended: str = ""  # for a "(ny version)" file: the relative path it stands beside
    content: str = ""  # a .docx's content hash, without the properties stamped into it


def load_manifest(outbox: Path) -> dict[str, ManifestEntry]:
    """The manifest's entries by relative path; empty when there is none or it is unreadable."""
    path = Path(outbox) / STATE_DIR / MANIFEST_NAME
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("version") != _MANIFEST_VERSION:
            raise ValueError(f"unknown manifest version {doc.get('version')!r}")
        names = {f.name for f in fields(ManifestEntry)}
        return {
            rel: ManifestEntry(**{k: v for k, v in raw.items() if k in names})
            for rel, raw in doc["files"].items()
        }
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        # Losing the record is safe: every existing file then counts as "not ours" and is kept.
        why = exc if isinstance(exc, OSError) else "innehållet går inte att tolka"
        log.warning(
            "Förteckningen över utkorgens filer (%s) går inte att läsa (%s); dokument som "
            "redan finns skrivs inte över.",
            path,
            why,
        )
        return {}


def save_manifest(root: Path, entries: Mapping[str, ManifestEntry]) -> None:
    """Write the manifest atomically (sorted, so the same entries give the same bytes)."""
    doc = {
        "version": _MANIFEST_VERSION,
        "files": {rel: asdict(entries[rel]) for rel in sorted(entries)},
    }
    # Compact: an indent sends json to its pure-Python encoder (slow for a thousand entries).
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    try:
        write_atomically(root / STATE_DIR / MANIFEST_NAME, data)
    except PermissionError as exc:
        raise OutboxError(f"Kunde inte spara {STATE_DIR}/{MANIFEST_NAME}: filen är låst.") from exc


def write_atomically(target: Path, data: bytes) -> None:
    """Write one outbox file atomically (see fileio.write_atomically), in the outbox's terms.

    Raises:
        FileHeldError: the target stayed locked (Word holds it open on Windows).
        OutboxError: any other failure (disk full, the folder refuses new files).
    """
    with _in_outbox_terms(target):
        fileio.write_atomically(target, data)


def commit_staged(temp: Path, target: Path) -> None:
    """Move a staged file onto `target` (see fileio.commit_staged), raising as write_atomically."""
    with _in_outbox_terms(target):
        fileio.commit_staged(temp, target)


@contextlib.contextmanager
def _in_outbox_terms(target: Path) -> Iterator[None]:
    try:
        yield
    except FileHeldError:
        raise  # the caller writes beside a held file; any other refusal is an error
    except OSError as exc:
        raise OutboxError(f'Kunde inte skriva "{target}": {fileio.swedish_reason(exc)}.') from exc
