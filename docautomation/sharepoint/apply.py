"""apply(): carry out a sync plan step by step, saving the state after each finished step."""

from __future__ import annotations

import logging
from collections.abc import Callable
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
)
from .names import sibling_name
from .state import OutputState, SyncState
from .sync import Download, Echo, RegisterWait, SyncPlan, Upload, describe

log = logging.getLogger(__name__)

LOCKED_WARN_AFTER = 5


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What apply() did; `state` is the updated sync state."""

    state: SyncState
    exit_code: int = 0
    downloaded: tuple[Path, ...] = ()
    uploaded: tuple[str, ...] = ()
    adopted: tuple[str, ...] = ()  # already in SharePoint from our earlier write: recorded
    diverted: tuple[tuple[str, str], ...] = ()  # (existing, written beside it)
    deferred: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


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
        self.adopted: list[str] = []
        self.diverted: list[tuple[str, str]] = []
        self.deferred: list[str] = []
        self.failed: list[str] = []

    def result(self) -> ApplyResult:
        return ApplyResult(
            self.state,
            1 if self.failed else 0,
            tuple(self.downloaded),
            tuple(self.uploaded),
            tuple(self.adopted),
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
        if item.check_first and self._adopt(item):
            return
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

    def _adopt(self, item: Upload) -> bool:
        stored = self.client.holds(item.source, item.target)
        if stored is None:
            return False
        self.echo(f"{item.target} finns redan i SharePoint (vår tidigare uppladdning).")
        self.adopted.append(item.target)
        self.commit(
            self.state.with_output(
                item.relpath, OutputState(item.target, stored.item_id, stored.etag, item.sha256)
            )
        )
        return True

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
