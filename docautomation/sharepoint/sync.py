"""Plan, then apply: what to download and upload, decided from our own state, never server hashes.

SharePoint rewrites Office files it stores, so a server hash never equals ours. A document is
uploaded when its local hash differs from the hash we recorded at our last upload; it replaces
the SharePoint copy only while that copy still carries the eTag our upload got back. Otherwise a
person edited it, and the new version goes beside it as "<stem> (ny version)<suffix>".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SyncError
from ..fileio import MAX_NEW_VERSIONS, sha256_file
from .drive import (
    DriveClient,
    ETagMismatchError,
    LockedError,
    NameRefusedError,
    NameTakenError,
    RemoteFile,
    RemoteRegister,
)
from .names import join_path, name_key, path_problem, sibling_name
from .state import OutputState, RegisterState, SyncState

log = logging.getLogger(__name__)

Echo = Callable[[str], None]
LOCKED_WARN_AFTER = 5


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A generated file in the outbox and the hash of its content."""

    path: Path
    sha256: str


@dataclass(frozen=True, slots=True)
class Download:
    """Fetch the register into the inbox."""

    item_id: str
    name: str
    ctag: str
    dest: Path
    reason: str


@dataclass(frozen=True, slots=True)
class RegisterWait:
    """The register's content changed since the last poll; fetched once it stays the same."""

    name: str
    ctag: str


@dataclass(frozen=True, slots=True)
class Upload:
    """Create or replace a document under the output folder."""

    relpath: str
    source: Path
    sha256: str
    target: str  # remote path under the output folder
    if_match: str | None  # None creates; an eTag replaces only that version
    reason: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """Someone changed the SharePoint copy since our upload: the new version goes beside it."""

    relpath: str
    source: Path
    sha256: str
    existing: str  # remote path left untouched
    target: str  # first free "(ny version)" name
    attempt: int  # sibling_name() index of `target`


@dataclass(frozen=True, slots=True)
class Refused:
    """A local file whose name SharePoint would refuse."""

    relpath: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """Everything one sync run would do, computed before anything is changed."""

    downloads: tuple[Download, ...] = ()
    waiting: tuple[RegisterWait, ...] = ()
    uploads: tuple[Upload, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    unchanged: tuple[str, ...] = ()
    refused: tuple[Refused, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing would be downloaded or uploaded."""
        return not (self.downloads or self.uploads or self.conflicts)


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What apply() did; `state` is the updated sync state."""

    state: SyncState
    exit_code: int = 0
    downloaded: tuple[Path, ...] = ()
    uploaded: tuple[str, ...] = ()
    diverted: tuple[tuple[str, str], ...] = ()  # (existing, written beside it)
    deferred: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def plan(
    local: Mapping[str, LocalFile],
    remote: Mapping[str, RemoteFile],
    state: SyncState,
    *,
    register: RemoteRegister | None = None,
    inbox: Path = Path("."),
    register_on_disk: bool = True,
    output_folder: str = "",
    library: str = "",
) -> SyncPlan:
    """Decide downloads and uploads from local hashes, the remote listing and our state.

    Args:
        local: generated files, keyed by path relative to the outbox ("2021/X.docx").
        remote: files under the output folder, keyed by relative path (SharePoint's spelling).
        state: what we remember (our uploads' hashes and eTags; the register's cTags).
        register: the register's current metadata; None plans no download.
        inbox: where the register is put.
        register_on_disk: whether our last downloaded copy is still in the inbox.
        output_folder, library: for SharePoint's path rules (names and the 400-character limit).
    """
    downloads, waiting = _plan_register(register, state.register, inbox, register_on_disk)
    by_key = {name_key(path): item for path, item in remote.items()}
    uploads: list[Upload] = []
    conflicts: list[Conflict] = []
    unchanged: list[str] = []
    refused: list[Refused] = []
    for rel in sorted(local):
        problem = path_problem(join_path(output_folder, rel), library=library)
        if problem:
            refused.append(Refused(rel, problem))
            continue
        step = _plan_output(rel, local[rel], state.outputs.get(rel), by_key)
        if isinstance(step, Upload):
            uploads.append(step)
        elif isinstance(step, Conflict):
            conflicts.append(step)
        else:
            unchanged.append(rel)
    return SyncPlan(
        downloads, waiting, tuple(uploads), tuple(conflicts), tuple(unchanged), tuple(refused)
    )


def _plan_register(
    remote: RemoteRegister | None, known: RegisterState, inbox: Path, on_disk: bool
) -> tuple[tuple[Download, ...], tuple[RegisterWait, ...]]:
    if remote is None or not remote.ctag:
        return (), ()
    dest = inbox / Path(remote.name).name
    if remote.ctag == known.ctag and remote.item_id == known.item_id:
        if on_disk and remote.name == known.local_name:
            return (), ()
        reason = "har bytt namn i SharePoint" if on_disk else "saknas i inkorgen"
        return (Download(remote.item_id, remote.name, remote.ctag, dest, reason),), ()
    if remote.ctag == known.pending_ctag:
        reason = "nytt" if not known.ctag else "ändrat i SharePoint"
        return (Download(remote.item_id, remote.name, remote.ctag, dest, reason),), ()
    # Autosave reaches Graph in steps; only a cTag seen on two polls in a row is a finished save.
    return (), (RegisterWait(remote.name, remote.ctag),)


def _plan_output(
    rel: str, local: LocalFile, known: OutputState | None, remote: Mapping[str, RemoteFile]
) -> Upload | Conflict | None:
    target = known.target if known else rel
    if known and target != rel and name_key(rel) not in remote:
        target = rel  # the person removed the edited copy: go back to the plain name
    current = remote.get(name_key(target))
    if known and known.sha256 == local.sha256 and target == known.target:
        if current is None:
            return Upload(rel, local.path, local.sha256, target, None, "saknas i SharePoint")
        return None  # ours and unchanged, or a person's edit of an unchanged output: keep it
    reason = "ändrad" if known else "ny"
    if current is None:
        return Upload(rel, local.path, local.sha256, target, None, reason)
    if known and target == known.target and current.etag == known.etag:
        return Upload(rel, local.path, local.sha256, target, known.etag, reason)
    if current.modified_by_us:
        return Upload(rel, local.path, local.sha256, target, current.etag, reason)
    attempt = next(
        (n for n in range(1, MAX_NEW_VERSIONS + 1) if name_key(sibling_name(rel, n)) not in remote),
        MAX_NEW_VERSIONS + 1,
    )
    return Conflict(rel, local.path, local.sha256, target, sibling_name(rel, attempt), attempt)


def describe(sync_plan: SyncPlan) -> list[str]:
    """The plan as Swedish lines for --dry-run."""
    lines = [f"Hämta: {d.name} ({d.reason})" for d in sync_plan.downloads]
    lines += [
        f"Väntar: {w.name} har ändrats i SharePoint; hämtas när ändringen är klar "
        "(samma version vid nästa körning)"
        for w in sync_plan.waiting
    ]
    lines += [f"Ladda upp: {u.target} ({u.reason})" for u in sync_plan.uploads]
    lines += [
        f"Konflikt: {c.existing} har ändrats i SharePoint; den nya versionen läggs "
        f'bredvid som "{c.target}"'
        for c in sync_plan.conflicts
    ]
    lines += [f"Godtas inte av SharePoint: {r.relpath}: {r.reason}" for r in sync_plan.refused]
    if sync_plan.unchanged:
        lines.append(f"Oförändrade: {len(sync_plan.unchanged)} dokument")
    if sync_plan.is_empty and not sync_plan.waiting:
        lines.append("Inget att hämta eller ladda upp.")
    return lines


def apply(
    sync_plan: SyncPlan,
    client: DriveClient,
    *,
    state: SyncState,
    dry_run: bool = False,
    echo: Echo = lambda _line: None,
    save: Callable[[SyncState], None] = lambda _state: None,
) -> ApplyResult:
    """Carry out a plan; with dry_run, only print it (exit code 1 when it is not empty).

    Each finished step is saved at once, so a run that stops half-way does not repeat it.
    Locked files (423) are skipped for the next run; a 412 or 409 puts the new version beside
    the edited one. Network, permission and throttling failures propagate as SyncError.
    """
    if dry_run:
        for line in describe(sync_plan):
            echo(line)
        return ApplyResult(state, 0 if sync_plan.is_empty else 1)
    run = _Run(client, state, echo, save)
    for wait in sync_plan.waiting:
        run.note_wait(wait)
    for download in sync_plan.downloads:
        run.download(download)
    for upload in sync_plan.uploads:
        run.upload(upload)
    for conflict in sync_plan.conflicts:
        run.divert(
            conflict.relpath, conflict.source, conflict.sha256, conflict.existing, conflict.attempt
        )
    for refusal in sync_plan.refused:
        run.refuse(refusal.relpath, refusal.reason)
    return run.result()


class _Run:
    """Mutable bookkeeping of one apply(); the state it carries is replaced, never mutated."""

    def __init__(
        self, client: DriveClient, state: SyncState, echo: Echo, save: Callable[[SyncState], None]
    ) -> None:
        self.client, self.state, self.echo, self._save = client, state, echo, save
        self.downloaded: list[Path] = []
        self.uploaded: list[str] = []
        self.diverted: list[tuple[str, str]] = []
        self.deferred: list[str] = []
        self.failed: list[str] = []

    def result(self) -> ApplyResult:
        return ApplyResult(
            self.state,
            1 if self.failed else 0,
            tuple(self.downloaded),
            tuple(self.uploaded),
            tuple(self.diverted),
            tuple(self.deferred),
            tuple(self.failed),
        )

    def commit(self, state: SyncState) -> None:
        self.state = state
        self._save(state)

    def note_wait(self, wait: RegisterWait) -> None:
        self.echo(
            f"{wait.name} har ändrats i SharePoint; hämtas vid nästa körning om "
            "ändringen är klar då."
        )
        self.commit(self.state.with_register(pending_ctag=wait.ctag))

    def download(self, item: Download) -> None:
        size = self.client.download(item.item_id, item.dest)
        self.echo(f"Hämtade {item.name} ({item.reason}, {size} byte) till {item.dest.parent}.")
        known = self.state.register
        if known.local_name and known.local_name != item.dest.name:
            self._drop_old_copy(item.dest.parent / known.local_name, known.sha256)
        self.downloaded.append(item.dest)
        self.commit(
            replace(
                self.state,
                register=replace(
                    known,
                    item_id=item.item_id,
                    name=item.name,
                    ctag=item.ctag,
                    pending_ctag="",
                    local_name=item.dest.name,
                    sha256=sha256_file(item.dest),
                ),
            )
        )

    def _drop_old_copy(self, old: Path, sha256: str) -> None:
        # Two copies of one register in the inbox would be two registers for the same year.
        if old.is_file() and sha256 and sha256_file(old) == sha256:
            old.unlink()
            self.echo(
                f"Registret har bytt namn i SharePoint; den gamla kopian {old.name} "
                "togs bort ur inkorgen."
            )
        elif old.is_file():
            self.echo(f"Varning: {old.name} i inkorgen har ändrats lokalt och lämnas kvar.")

    def upload(self, item: Upload) -> None:
        try:
            remote = self.client.upload(item.source, item.target, if_match=item.if_match)
        except (ETagMismatchError, NameTakenError):
            self.divert(item.relpath, item.source, item.sha256, item.target, 1)
            return
        except LockedError:
            self._defer(item.relpath, item.target)
            return
        except NameRefusedError as exc:
            self.refuse(item.relpath, str(exc))
            return
        self.echo(f"Laddade upp {item.target} ({item.reason}).")
        self.uploaded.append(item.target)
        self.commit(
            self.state.with_output(
                item.relpath, OutputState(item.target, remote.item_id, remote.etag, item.sha256)
            )
        )

    def divert(self, relpath: str, source: Path, sha256: str, existing: str, attempt: int) -> None:
        for n in range(attempt, MAX_NEW_VERSIONS + 1):
            name = sibling_name(relpath, n)
            try:
                remote = self.client.upload(source, name, if_match=None)
            except NameTakenError:
                continue
            except LockedError:
                self._defer(relpath, name)
                return
            self.echo(
                f"{existing} har ändrats i SharePoint sedan den senaste uppladdningen och "
                f'skrivs inte över; den nya versionen ligger bredvid som "{name}".'
            )
            log.warning("Konflikt: %s ändrad i SharePoint; ny version som %s.", existing, name)
            self.diverted.append((existing, name))
            self.commit(
                self.state.with_output(
                    relpath, OutputState(name, remote.item_id, remote.etag, sha256)
                )
            )
            return
        raise SyncError(
            f'Det finns redan {MAX_NEW_VERSIONS} "(ny version)"-kopior av {existing} '
            "i SharePoint; rensa bland dem."
        )

    def _defer(self, relpath: str, target: str) -> None:
        known = self.state.outputs.get(relpath)
        count = (known.deferred if known else 0) + 1
        if known:
            self.commit(self.state.with_output(relpath, replace(known, deferred=count)))
        note = f" (låst {count} körningar i rad)" if count >= LOCKED_WARN_AFTER else ""
        self.echo(
            f"{target} är låst i SharePoint (öppen för redigering){note}; "
            "försöker igen vid nästa körning."
        )
        self.deferred.append(target)

    def refuse(self, relpath: str, reason: str) -> None:
        self.echo(f"Fel: {relpath} laddades inte upp: {reason}")
        self.failed.append(relpath)
