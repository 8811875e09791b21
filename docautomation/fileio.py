"""File policies every stage shares: atomic writes, hashes, JSON state, the "(ny version)" name."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from .errors import FileHeldError

log = logging.getLogger(__name__)

# The folder inside the outbox that holds the tool's own state (manifest, build record, locks).
STATE_DIR = ".docautomation"
# Temporary files are hidden (a leading dot) and end in this, so sweeps and the sync skip them.
PARTIAL_SUFFIX = ".partial"
# Windows: an antivirus scanner or the search indexer can hold a fresh file for a moment;
# Word holds it for as long as the document is open. Retry briefly, then report it as held.
_REPLACE_RETRY_DELAYS = (0.05, 0.15)

# How many "(ny version N)" names are tried beside one kept file before giving up: more than
# that many unread new versions means something is wrong that a person must look at.
MAX_NEW_VERSIONS = 20

Content = bytes | Callable[[BinaryIO], None]


def write_atomically(
    target: Path,
    content: Content,
    *,
    mode: int | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> None:
    """Write `content` to `target` so that no reader ever sees half a file.

    The bytes go to a new hidden temporary file in the same folder, created exclusively under
    a random name (so a link someone planted in a shared folder is never followed or reused),
    are flushed and fsync'ed, and os.replace moves them onto `target`, retried briefly while
    the target is held. On any failure the temporary file is removed and `target` is as it was.

    Args:
        content: the bytes, or a function that writes them to the open file (for streams).
        mode: the file's permission bits (POSIX); by default those of a new file.
        prepare: called on the temporary file before it takes `target`'s name (a Windows ACL
            set there moves with the rename, so the file is never readable under its real name).

    Raises:
        FileHeldError: the replace stayed refused (Word holds `target` open on Windows).
        OSError: any other failure (disk full, the folder refuses new files).
    """
    temp = _written_temp(target, content, mode)
    try:
        if prepare is not None:
            prepare(temp)
        _replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise


def write_new(target: Path, content: bytes) -> None:
    """Write `target` whole like write_atomically, but never over a file of that name.

    The finished temporary file is hard-linked to `target`, which fails if the name is taken,
    even by a file that appeared a moment ago. Where the file system has no hard links (FAT,
    some network shares) an existence check just before the rename has to do.

    Raises:
        FileExistsError: `target` exists; nothing was written.
        OSError: any other failure (disk full, the folder refuses new files).
    """
    temp = _written_temp(target, content, None)
    try:
        try:
            os.link(temp, target)
        except FileExistsError:
            raise  # the name is taken: that is the answer, not a missing feature
        except OSError:  # no hard links on this file system
            if target.exists():
                raise FileExistsError(errno.EEXIST, "Filen finns redan", str(target)) from None
            os.replace(temp, target)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)


def _written_temp(target: Path, content: Content, mode: int | None) -> Path:
    """A new hidden temporary file beside `target` holding `content`, flushed to disk."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX, dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                content(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        else:  # mkstemp makes 0600; a document in a shared outbox should read like any other file
            os.chmod(temp, 0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    return temp


def is_partial(name: str) -> bool:
    """True for a temporary file write_atomically makes (left behind only by a killed process)."""
    return name.startswith(".") and name.endswith(PARTIAL_SUFFIX)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace(temp: Path, target: Path) -> None:
    for delay in (*_REPLACE_RETRY_DELAYS, None):
        try:
            os.replace(temp, target)
            return
        except PermissionError as exc:
            if delay is None:
                raise FileHeldError(exc.errno, exc.strerror, str(target)) from exc
            time.sleep(delay)


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, data: Mapping[str, Any], *, compact: bool = False) -> None:
    """Write a state file atomically: UTF-8 JSON with sorted keys (stable, diff-friendly)."""
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 1}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, **layout) + "\n"
    write_atomically(path, text.encode("utf-8"))


def read_json(path: Path) -> dict[str, Any]:
    """A state file's JSON object; {} when it is missing, unreadable or not an object.

    Losing a state file is always safe (the next build redoes the work it spared), so a damaged
    one is logged and treated as absent rather than stopping a build.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("Kan inte läsa %s (%s); börjar om från tomt.", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def new_version_name(name: str, attempt: int = 1) -> str:
    """The name a new version gets beside a kept one: "<stem> (ny version[ N])<suffix>"."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    label = "ny version" if attempt <= 1 else f"ny version {attempt}"
    return f"{stem} ({label}){'.' + suffix if suffix else ''}"
