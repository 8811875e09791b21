"""The outbox's state folder and manifest (what was written where, from what), and atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..errors import OutboxError

log = logging.getLogger(__name__)

STATE_DIR = ".docautomation"
MANIFEST_NAME = "manifest.json"
_MANIFEST_VERSION = 1
# Windows: an antivirus scanner or the search indexer can hold a fresh file for a moment;
# Word holds it for as long as the document is open. Retry briefly, then treat it as locked.
_REPLACE_RETRY_DELAYS = (0.05, 0.15)


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
        log.warning("Ignoring unreadable manifest %s: %s", path, exc)
        return {}


def save_manifest(root: Path, entries: Mapping[str, ManifestEntry]) -> None:
    """Write the manifest atomically (sorted, so the same entries give the same bytes)."""
    doc = {
        "version": _MANIFEST_VERSION,
        "files": {rel: asdict(entries[rel]) for rel in sorted(entries)},
    }
    data = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    try:
        write_atomically(root / STATE_DIR / MANIFEST_NAME, data)
    except PermissionError as exc:
        raise OutboxError(f"Kunde inte spara {STATE_DIR}/{MANIFEST_NAME}: filen är låst.") from exc


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that no reader ever sees half a file.

    The bytes go to a hidden temp file in the same folder (".<name>.partial"), are flushed and
    fsync'ed, and os.replace moves them onto `target` (retried briefly while the target is held).
    On failure the temp file is removed and `target` is as it was.

    Raises:
        PermissionError: the target stayed locked (Word holds it open on Windows).
        OutboxError: any other failure (disk full, the folder refuses new files).
    """
    temp = target.with_name(f".{target.name}.partial")
    replacing = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replacing = True
        _replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # the folder may not exist: keep the real error
            temp.unlink(missing_ok=True)
        # Only a refused replace means someone holds the file; a folder that refuses the temp
        # file refuses every "(ny version)" name too, so that is an error, not a lock.
        locked = replacing and isinstance(exc, PermissionError)
        if isinstance(exc, OSError) and not locked:
            raise OutboxError(f'Kunde inte skriva "{target}": {exc.strerror or exc}.') from exc
        raise


def _replace(temp: Path, target: Path) -> None:
    for delay in (*_REPLACE_RETRY_DELAYS, None):
        try:
            os.replace(temp, target)
            return
        except PermissionError:
            if delay is None:
                raise
            time.sleep(delay)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
