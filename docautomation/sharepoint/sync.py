"""Plan: what to download and upload, decided from our own state, never from server hashes.

SharePoint rewrites Office files it stores, so a server hash never equals ours. A document is
uploaded when its local hash differs from the hash we recorded at our last upload; it replaces
the SharePoint copy only while that copy still carries the eTag our upload got back. Otherwise a
person edited it, and the new version goes beside it as "<stem> (ny version)<suffix>".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..fileio import MAX_NEW_VERSIONS
from ..swedish import count
from .drive import RemoteFile, RemoteRegister
from .names import join_path, name_key, path_problem, sibling_name
from .state import OutputState, RegisterState, SyncState

Echo = Callable[[str], None]


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
    # The copy there is our app's, but not the version our state records (an answer lost
    # in an earlier run, or a state file deleted): it may already be this document.
    check_first: bool = False


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
        return Upload(rel, local.path, local.sha256, target, current.etag, reason, True)
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
        lines.append(f"Oförändrat: {count(len(sync_plan.unchanged), 'dokument')}")
    if sync_plan.is_empty and not sync_plan.waiting:
        lines.append("Inget att hämta eller ladda upp.")
    return lines
