"""The outbox: atomic writes, and never overwriting a person's work.

Every file written is recorded in `<outbox>/.docautomation/manifest.json` (job key, hash, size,
mtime and the register it came from). A later build uses that record to

* skip a job whose key is unchanged and whose file still holds what we wrote (no render, no write);
* leave a file alone when its bytes already equal the new ones (the file is not touched);
* refuse to overwrite a file that someone edited after it was generated, or that Word holds open,
  and write the new version beside it as "<name> (ny version).docx" instead.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from ..errors import OutboxError
from ..fileio import (
    MAX_NEW_VERSIONS,
    STATE_DIR,
    is_partial,
    new_version_name,
    partial_target,
    sha256_file,
)
from ..models import DocumentJob
from .content import Digests, holds, same_on_disk
from .manifest import (
    ManifestEntry,
    commit_staged,
    load_manifest,
    save_manifest,
    write_atomically,
)
from .staging import Staged, discard_all, render_staged

log = logging.getLogger(__name__)

_DRIVE = re.compile(r"^[A-Za-z]:")
_NEW_VERSION = re.compile(r" \(ny version( \d+)?\)(\.[^./]*)?$")
_WORD_SUFFIXES = {".doc", ".docx", ".docm", ".dot", ".dotx", ".dotm", ".rtf", ".odt"}


class DivertReason(enum.StrEnum):
    """Why a new version was written beside the intended file instead of over it."""

    EDITED = "redigerad"
    LOCKED = "låst"


class Diversion(NamedTuple):
    """A new version written beside `intended` (which was kept) as `written`."""

    intended: Path
    written: Path
    reason: DivertReason


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What `write_outputs` did. `written` includes files written beside an edited/locked one."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    diverted: tuple[Diversion, ...]
    rendered_count: int


def write_outputs(
    outbox: Path,
    jobs: Sequence[DocumentJob],
    *,
    source: str,
    source_sha256: str,
    progress: Callable[[int], None] | None = None,
) -> WriteReport:
    """Render the jobs that changed and write them into the outbox without losing anyone's work.

    Call it while holding OutboxLock. Every changed job is rendered before any file takes its
    name (they are staged in hidden temporary files meanwhile, see outbox.staging), so a failing
    render leaves the outbox as it was.

    Args:
        outbox: the outbox folder (created when missing).
        jobs: the documents to produce; `job.path` is relative, "/"-separated, unique.
        source: the register's file name, recorded in the manifest.
        source_sha256: the register's hash, recorded in the manifest.
        progress: called with 1 after each rendered document (for a progress bar).

    Returns:
        What was written, left unchanged and diverted, and how many jobs were rendered.

    Raises:
        OutboxError: a job path leaves the outbox, or a file cannot be written.
    """
    rels = _checked_paths(jobs)
    before = load_manifest(outbox)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    writer = _Writer(Path(outbox), dict(before), source, source_sha256, now)
    unchanged: list[Path] = []
    pending: list[tuple[DocumentJob, str]] = []
    for job, rel in zip(jobs, rels, strict=True):
        if writer.is_current(rel, job.key):
            unchanged.append(writer.root / rel)
        else:
            pending.append((job, rel))
    staged = render_staged(
        writer.root,
        [job for job, _ in pending],
        [rel for _, rel in pending],
        writer.entries,
        progress or _no_progress,
    )
    try:
        placements = _place_all(writer, [(rel, job.key) for job, rel in pending], staged)
    finally:
        discard_all(item for item in staged if item.temp not in writer.committed)
        if writer.entries != before:
            save_manifest(writer.root, writer.entries)
    _sweep_partials(writer.root, rels)
    written: list[Path] = []
    diverted: list[Diversion] = []
    for (_, rel), placed in zip(pending, placements, strict=True):
        if placed.written is None:
            unchanged.append(placed.path)
            continue
        written.append(placed.written)
        if placed.reason is not None:
            diverted.append(Diversion(writer.root / rel, placed.written, placed.reason))
    return WriteReport(tuple(written), tuple(unchanged), tuple(diverted), len(pending))


def safe_relative_path(name: str) -> PurePosixPath:
    """`name` as a relative path inside the outbox, or OutboxError when it could leave it."""
    parts = PurePosixPath(name).parts
    bad = (
        not name
        or "\\" in name
        or ":" in name
        or _DRIVE.match(name) is not None
        or name.startswith("/")
        or not parts
        or any(p in ("", ".", "..") or p != p.strip(" .") for p in parts)
        or parts[0].casefold() == STATE_DIR
    )
    if bad:
        raise OutboxError(f'Utdatafilens namn "{name}" pekar utanför utkorgen och skrivs inte.')
    return PurePosixPath(*parts)


# ---------------------------------------------------------------------------------------------
# Deciding: is a job's file current, and where may new bytes go?
# ---------------------------------------------------------------------------------------------


class _State(enum.Enum):
    MISSING = "missing"
    OURS = "ours"  # holds exactly what the manifest says we wrote
    FOREIGN = "foreign"  # edited after we wrote it, or never written by us


@dataclass(frozen=True, slots=True)
class _Placed:
    path: Path  # the file that now holds the job's bytes
    written: Path | None  # set when this build wrote it
    reason: DivertReason | None = None


@dataclass(slots=True)
class _Writer:
    """One write_outputs call's view of the outbox and its (changing) manifest entries."""

    root: Path
    entries: dict[str, ManifestEntry]
    source: str
    source_sha256: str
    written_at: str
    committed: set[Path] = field(default_factory=set)  # staged files moved into place

    def state(self, rel: str, *, verify: bool = False) -> _State:
        """Compare a file with its entry: size and mtime first, the hash only when needed.

        Equal size and mtime make a file ours, unless `verify`: a file about to be replaced
        is hashed too, since an edit can keep both (a sync client or a restore puts the mtime
        back), and overwriting it would lose someone's work.

        A symbolic link at the name counts as missing: in a shared outbox it is someone
        aiming the write elsewhere, and the atomic write replaces the link itself.
        """
        entry = self.entries.get(rel)
        path = self.root / rel
        try:
            st = path.lstat()
        except FileNotFoundError:
            return _State.MISSING
        if stat.S_ISLNK(st.st_mode):
            return _State.MISSING
        if entry is None or st.st_size != entry.size:
            return _State.FOREIGN
        if st.st_mtime_ns == entry.mtime_ns and not verify:
            return _State.OURS
        if sha256_file(path) != entry.sha256:
            return _State.FOREIGN
        self.entries[rel] = replace(entry, mtime_ns=st.st_mtime_ns)  # touched, not changed
        return _State.OURS

    def is_current(self, rel: str, key: str) -> bool:
        """True when the job needs no render: its current version is already in the outbox."""
        state = self.state(rel)
        entry = self.entries.get(rel)
        if entry is not None and entry.key == key and state is not _State.MISSING:
            # Ours and current, or current but since edited by someone: nothing new to offer.
            return True
        if state is _State.FOREIGN or (
            state is _State.OURS and _is_open_in_office(self.root / rel)
        ):
            return any(
                self.entries[s].key == key and self.state(s) is _State.OURS
                for s in _recorded_siblings(rel, self.entries)
            )
        return False

    def place(self, rel: str, key: str, staged: Staged) -> _Placed:
        """Write the staged bytes at `rel` when that is safe, else beside it."""
        state = self.state(rel, verify=True)
        digest = staged.digest
        if state is _State.FOREIGN:
            kept = self._adopt_if_same(rel, key, digest, len(staged.data))
            return kept or self._divert(rel, key, staged, DivertReason.EDITED)
        if state is _State.OURS and holds(self.entries[rel], digest):
            # Same content (a .docx keeps the properties of the build that wrote it).
            self.entries[rel] = replace(self.entries[rel], key=key)
            return _Placed(self.root / rel, None)
        if state is _State.OURS and _is_open_in_office(self.root / rel):
            return self._divert(rel, key, staged, DivertReason.LOCKED)
        try:
            self._write(self.root / rel, staged)
        except PermissionError:
            return self._divert(rel, key, staged, DivertReason.LOCKED)
        self._record(rel, key, digest)
        return _Placed(self.root / rel, self.root / rel)

    def _write(self, path: Path, staged: Staged) -> None:
        """Move the staged file onto `path` (its folder's), or write the bytes when it was
        not staged or is spent (a refused move removes it)."""
        if staged.temp is None or staged.temp in self.committed:
            write_atomically(path, staged.data)
            return
        self.committed.add(staged.temp)
        commit_staged(staged.temp, path)

    def _divert(self, rel: str, key: str, staged: Staged, reason: DivertReason) -> _Placed:
        """Write beside `rel`: the first "(ny version N)" name that is free or still ours."""
        digest = staged.digest
        for sibling in _sibling_names(rel):
            path = self.root / sibling
            state = self.state(sibling, verify=True)
            if state is _State.FOREIGN:
                kept = self._adopt_if_same(sibling, key, digest, len(staged.data), intended=rel)
                if kept:
                    return kept
                continue  # someone edited this one too
            if state is _State.OURS:
                if holds(self.entries[sibling], digest):
                    self.entries[sibling] = replace(self.entries[sibling], key=key)
                    return _Placed(path, None)
                if _is_open_in_office(path):
                    continue
            try:
                self._write(path, staged)
            except PermissionError:
                continue
            self._record(sibling, key, digest, intended=rel)
            return _Placed(path, path, reason)
        raise OutboxError(
            f'"{rel}" är ändrad eller öppen, och inget av de {MAX_NEW_VERSIONS} namnen '
            '"… (ny version N)" bredvid den är ledigt. Stäng eller flytta de gamla versionerna.'
        )

    def _adopt_if_same(
        self, rel: str, key: str, digest: Digests, size: int, *, intended: str = ""
    ) -> _Placed | None:
        """A file we did not write that already holds our content is taken as ours, untouched."""
        found = same_on_disk(self.root / rel, digest, size)
        if found is None:
            return None
        self._record(rel, key, digest._replace(sha256=found), intended=intended)
        return _Placed(self.root / rel, None)

    def _record(self, rel: str, key: str, digest: Digests, *, intended: str = "") -> None:
        st = (self.root / rel).stat()
        self.entries[rel] = ManifestEntry(
            key, digest.sha256, st.st_size, st.st_mtime_ns, self.source, self.source_sha256,
            self.written_at, intended, digest.content if digest.stamped else "",
        )  # fmt: skip


def _checked_paths(jobs: Sequence[DocumentJob]) -> list[str]:
    rels = [str(safe_relative_path(job.path)) for job in jobs]
    seen: dict[str, str] = {}
    for rel in rels:
        # Windows and macOS folders ignore case: two names differing only in case collide.
        folded = rel.casefold()
        if folded in seen:
            raise OutboxError(
                f'Två dokument ska skrivas till samma fil: "{seen[folded]}" och "{rel}".'
            )
        seen[folded] = rel
    return rels


def _sweep_partials(root: Path, rels: Sequence[str]) -> None:
    """Remove the temporary files a killed build left for these jobs' names.

    write_atomically removes its temp file on every failure it sees, but not when the process
    is killed; Windows shows dot files, so the secretary would see them. Only temp files of
    the jobs' own names and their "(ny version)" names are removed: under the outbox lock no
    other build writes those.
    """
    names: dict[Path, set[str]] = {}
    for rel in rels:
        path = root / rel
        names.setdefault(path.parent, set()).add(path.name.casefold())
    for folder, own in names.items():
        try:
            temps = [e.name for e in os.scandir(folder) if is_partial(e.name)]
        except OSError:
            continue
        for temp in temps:
            name = partial_target(temp)
            version = _NEW_VERSION.search(name)
            if version is not None:
                name = name[: version.start()] + (version.group(2) or "")
            if name.casefold() in own:
                with contextlib.suppress(OSError):
                    (folder / temp).unlink()


def _sibling_names(rel: str) -> Iterator[str]:
    path = PurePosixPath(rel)
    for n in range(1, MAX_NEW_VERSIONS + 1):
        yield str(path.with_name(new_version_name(path.name, n)))


def _recorded_siblings(rel: str, entries: Mapping[str, ManifestEntry]) -> Iterator[str]:
    for sibling in _sibling_names(rel):
        if sibling not in entries:
            return
        yield sibling


def office_lock_files(path: Path) -> tuple[Path, Path]:
    """Where Office's owner file ("~$…") and LibreOffice's lock file for `path` would be."""
    name = path.name
    owner = name
    if path.suffix.lower() in _WORD_SUFFIXES:
        # Word drops the first two characters of stems of 8+ characters, one of a 7-character stem.
        stem_length = len(path.stem)
        owner = name[2:] if stem_length >= 8 else name[1:] if stem_length == 7 else name
    return path.parent / f"~${owner}", path.parent / f".~lock.{name}#"


def _is_open_in_office(path: Path) -> bool:
    """True when an Office owner file or a LibreOffice lock file sits beside `path`."""
    return any(lock.exists() for lock in office_lock_files(path))


def _place_all(
    writer: _Writer, targets: Sequence[tuple[str, str]], staged: Sequence[Staged]
) -> list[_Placed]:
    """Place every staged job, in job order; when one fails, the others are still placed (and
    recorded), then the first error is raised."""
    placed: list[_Placed] = []
    failure: OutboxError | None = None
    for (rel, key), item in zip(targets, staged, strict=True):
        try:
            placed.append(writer.place(rel, key, item))
        except OutboxError as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
    return placed


def _no_progress(_done: int) -> None:
    return None
