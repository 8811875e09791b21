"""The register side of a sync run: wait until a change in SharePoint settles, and build when needed.

A register saved in SharePoint is looked at again after a short wait (sharepoint.stable_wait)
and taken in the same run once two looks agree, instead of on the next scheduled run. A build
runs when the downloaded register is new, or when what else shapes the documents (templates,
this tool, its limits) changed since the last build: the same inputs digest the outbox's build
record uses, so a template change alone reaches the library too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import DocAutomationError
from ..outbox.buildrecord import inputs_digest
from ..swedish import count
from .drive import DriveClient, RemoteRegister
from .state import RegisterState, SyncState
from .sync import Echo
from .transport import Sleep

BuildFn = Callable[[Path, Settings], Any]  # returns an object with exit_code and message
RECHECKS = 3  # looks after the first one before a still-changing register waits for next run


def settled(
    client: DriveClient, first: RemoteRegister, known: RegisterState, wait: float, sleep: Sleep
) -> tuple[RemoteRegister, bool]:
    """The register's latest metadata, and whether a new cTag held still across two looks.

    A cTag already seen (downloaded, or seen once by an earlier run) needs no second look. With
    `wait` 0 a change is taken at first sight.
    """
    same_file = first.item_id == known.item_id
    if not first.ctag or (same_file and first.ctag in (known.ctag, known.pending_ctag)):
        return first, False
    if wait <= 0:
        return first, True
    latest = first
    for _ in range(RECHECKS):
        sleep(wait)
        again = client.register()
        if (again.item_id, again.ctag) == (latest.item_id, latest.ctag):
            return again, True
        latest = again
    return latest, False


def remember(
    register: RemoteRegister, site_id: str, drive_id: str, state: SyncState, echo: Echo
) -> SyncState:
    """The state with the resolved ids; a replaced register file starts from scratch."""
    _note_move(register, state, echo)
    state = replace(state, site_id=site_id, drive_id=drive_id)
    if register.item_id != state.register.item_id:  # first run, or the file was replaced
        fresh = replace(state.register, item_id=register.item_id, ctag="", built_ctag="")
        state = replace(state, register=fresh)
    return state.with_register(name=register.name)


def _note_move(register: RemoteRegister, state: SyncState, echo: Echo) -> None:
    known = state.register
    if known.item_id == register.item_id and known.name and known.name != register.name:
        where = f" i {register.location}" if register.location else ""
        echo(
            f"Registret heter nu {register.name}{where} i SharePoint (tidigare {known.name}); "
            "det följs via sitt id."
        )


def build_if_needed(
    settings: Settings,
    state: SyncState,
    build: BuildFn | None,
    echo: Echo,
    save: Callable[[SyncState], None],
) -> tuple[SyncState, int]:
    """Build the downloaded register when it or the other inputs changed since its last build."""
    known = state.register
    path = settings.inbox / known.local_name
    if not known.ctag or not path.is_file():
        return state, 0
    inputs = inputs_digest(settings.templates, settings.limits)
    if known.built_ctag == known.ctag and known.built_inputs == inputs:
        return state, 0
    if known.built_ctag == known.ctag and known.built_inputs:
        echo(f"Mallarna, programmet eller dess inställningar har ändrats; bygger om {path.name}.")
    try:
        outcome = (build or _build_file)(path, settings)
    except DocAutomationError as exc:
        echo(f"Fel: {exc}")
        return state, exc.exit_code
    echo(str(getattr(outcome, "message", "") or "") or _built_line(path, outcome))
    for removed in getattr(outcome, "removed_reports", ()) or ():
        echo(f"Tog bort {removed.name} (gällde en äldre version av registret).")
    state = state.with_register(built_ctag=known.ctag, built_inputs=inputs)
    save(state)
    return state, int(getattr(outcome, "exit_code", 0))


def _built_line(path: Path, outcome: Any) -> str:
    written = len(getattr(outcome, "written", ()) or ())
    unchanged = len(getattr(outcome, "unchanged", ()) or ())
    moved = len(getattr(outcome, "moved", ()) or ())
    retired = f", {count(moved, 'flyttat', 'flyttade')} till Inaktuella" if moved else ""
    return (
        f"Byggde {path.name}: {count(written, 'dokument skrivet', 'dokument skrivna')}, "
        f"{count(unchanged, 'oförändrat', 'oförändrade')}{retired}."
    )


def _build_file(path: Path, settings: Settings) -> Any:
    from .. import build  # lazily: the build pulls in openpyxl, docxtpl and friends

    return build.build_file(path, settings, by="synkroniseringen")
