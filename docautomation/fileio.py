"""File policies every stage shares: atomic writes, hashes, JSON state, the "(ny version)" name."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from .errors import FileHeldError

log = logging.getLogger(__name__)

# The folder inside the outbox that holds the tool's own state (manifest, build record, locks).
STATE_DIR = ".docautomation"
# The Valideringsrapport's name: a file the build writes and never reads as a register, also
# when the outbox is the inbox (build --out pointed there).
REPORT_NAME = "Valideringsrapport"
# Temporary files are hidden (a leading dot) and end in this, so sweeps and the sync skip them.
PARTIAL_SUFFIX = ".partial"
# A build's private folders inside the state folder (PDF conversions): the next build under
# the outbox lock removes those a killed build left.
SCRATCH_PREFIX = ".scratch-"
# Windows: an antivirus scanner or the search indexer can hold a fresh file for a moment;
# Word holds it for as long as the document is open. Retry briefly, then report it as held.
_REPLACE_RETRY_DELAYS = (0.05, 0.15)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once, at import: reading the umask means setting it for a moment, and a file another
# thread created in that moment would be writable by everyone.
_UMASK = _read_umask()

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
    the target is held; a link at `target` is replaced, never followed. The folders on the way
    are made by make_folder, so a write never leaves the outbox through a linked folder. On
    any failure the temporary file is removed and `target` is as it was.

    Args:
        content: the bytes, or a function that writes them to the open file (for streams).
        mode: the file's permission bits (POSIX); by default those of a new file.
        prepare: called on the temporary file before it takes `target`'s name (a Windows ACL
            set there moves with the rename, so the file is never readable under its real name).

    Raises:
        FileHeldError: the replace stayed refused (Word holds `target` open on Windows).
        OSError: any other failure (disk full, the folder refuses new files).
    """
    temp = stage_file(target, content, mode)
    if prepare is not None:
        try:
            prepare(temp)
        except BaseException:
            discard_staged(temp)
            raise
    commit_staged(temp, target)


def stage_file(target: Path, content: Content, mode: int | None = None) -> Path:
    """write_atomically's first half: a new hidden temporary file beside `target` holding
    `content`, flushed to disk (see write_atomically). Hand it to commit_staged, or to
    discard_staged when it is not wanted after all.

    Staging is the slow half (creating the file and fsync wait for the disk), so a build
    stages documents while others still render and commits them all once every render
    succeeded: no reader sees a document before the whole build's documents exist.
    """
    make_folder(target.parent)
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
        # mkstemp makes 0600; a document in a shared outbox should read like any other file.
        os.chmod(temp, 0o666 & ~_UMASK if mode is None else mode)
    except BaseException:
        discard_staged(temp)
        raise
    return temp


def commit_staged(temp: Path, target: Path) -> None:
    """write_atomically's second half: move a staged file onto `target` (in its folder),
    retried briefly while the target is held; on failure the staged file is removed.

    Raises:
        FileHeldError: the replace stayed refused (Word holds `target` open on Windows).
        OSError: any other failure.
    """
    try:
        _replace(temp, target)
    except BaseException:
        discard_staged(temp)
        raise


def discard_staged(temp: Path) -> None:
    """Remove a staged file that will not be committed (it may already be gone)."""
    with contextlib.suppress(OSError):
        temp.unlink(missing_ok=True)


def write_new(target: Path, content: bytes) -> None:
    """Write `target` whole like write_atomically, but never over a file of that name.

    The finished temporary file is hard-linked to `target`, which fails if the name is taken,
    even by a file that appeared a moment ago. Where the file system has no hard links (FAT,
    some network shares) an existence check just before the rename has to do.

    Raises:
        FileExistsError: `target` exists; nothing was written.
        OSError: any other failure (disk full, the folder refuses new files).
    """
    temp = stage_file(target, content)
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


def make_folder(folder: Path) -> None:
    """Create `folder` and its parents, refusing a symbolic link among the outbox's folders.

    The outbox is a shared folder: anyone who can write there could replace a year's folder
    (or the state folder) with a link, and aim the next write at any folder the service
    account can write. The outbox is recognised as the highest folder above `folder` that
    holds the state folder (every build creates it first); between it and `folder`, an
    existing link is refused. Links above the outbox are its owner's choice and are followed.

    Raises:
        LinkedFolderError: a folder inside the outbox is a link.
        OSError: as os.mkdir raises it.
    """
    path = os.path.abspath(folder)
    root = _outbox_root(path)
    if root is not None and root != path:
        for part in os.path.relpath(path, root).split(os.sep):
            root = os.path.join(root, part)
            if os.path.islink(root):
                raise _linked_folder(Path(root))
    if not os.path.isdir(path):
        os.makedirs(path, exist_ok=True)


# Outbox roots found, by folder: a write looks up its folder's root once per process. A root
# only ever adds checks, so a remembered one is safe even if its state folder went away.
_ROOTS: dict[str, str] = {}


def _outbox_root(path: str) -> str | None:
    """The highest folder above (or at) `path` holding the state folder, or None."""
    if path in _ROOTS:
        return _ROOTS[path]
    root, here = None, path
    while True:
        if os.path.lexists(os.path.join(here, STATE_DIR)):
            root = here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    if root is not None:  # a fresh outbox gets its state folder later: look again next time
        _ROOTS[path] = root
    return root


class LinkedFolderError(OSError):
    """A folder inside the outbox is a symbolic link; its strerror is the Swedish sentence."""


def _linked_folder(path: Path) -> LinkedFolderError:
    return LinkedFolderError(
        errno.ELOOP,
        f'mappen "{path.name}" i utkorgen är en länk till en annan plats, och docautomation '
        "skriver bara i utkorgen; ta bort länken (mappen skapas igen vid nästa bygge)",
        str(path),
    )


# What the board reads for the operating system's usual refusals (its own texts are English).
_REASONS = {
    errno.ENOENT: "mappen finns inte",
    errno.EACCES: "behörighet saknas (mappen eller filen är skrivskyddad eller låst)",
    errno.EPERM: "åtgärden är inte tillåten (filen är skrivskyddad eller låst)",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.ENAMETOOLONG: "namnet är för långt för filsystemet",
    errno.ENOTDIR: "en fil ligger där en mapp ska vara",
    errno.EISDIR: "en mapp ligger där en fil ska vara",
    errno.EIO: "läs- eller skrivfel på disken",
}


def swedish_reason(exc: OSError) -> str:
    """Why the operating system refused, in Swedish, without a final period."""
    if isinstance(exc, LinkedFolderError) and exc.strerror:
        return exc.strerror
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return f"filsystemet vägrar (felkod {errno.errorcode.get(exc.errno or 0, exc.errno)})"


def prepare_lock_file(path: Path) -> None:
    """Make the lock file's folder (see make_folder) and remove a link planted at its name.

    A lock file is the tool's own, so a symbolic link in its place can only be someone's
    attempt to have the lock opened (and truncated) through it: the link goes, never its target.
    """
    make_folder(path.parent)
    if path.is_symlink():
        path.unlink()


def remove_scratch(state: Path) -> None:
    """Remove the private folders (SCRATCH_PREFIX) a killed build left in the state folder.

    Call it holding the outbox lock: every build that makes such folders holds it too.
    """
    try:
        stale = [e.path for e in os.scandir(state) if e.name.startswith(SCRATCH_PREFIX)]
    except OSError:
        return
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def is_partial(name: str) -> bool:
    """True for a temporary file write_atomically makes (left behind only by a killed process)."""
    return name.startswith(".") and name.endswith(PARTIAL_SUFFIX)


def partial_target(name: str) -> str:
    """The name a temporary file ".<name>.<random>.partial" was written for."""
    return name[1 : -len(PARTIAL_SUFFIX)].rpartition(".")[0]


def remove_partials(folder: Path, names: Collection[str]) -> None:
    """Remove the temporary files a killed process left in `folder` for these file names.

    Call it where no other process writes these names (under the outbox lock): a temporary
    file of theirs is then never one being written.
    """
    wanted = {name.casefold() for name in names}
    try:
        temps = [e.name for e in os.scandir(folder) if is_partial(e.name)]
    except OSError:
        return
    for temp in temps:
        if partial_target(temp).casefold() in wanted:
            with contextlib.suppress(OSError):
                (folder / temp).unlink()


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
