"""The sync's memory: ids, eTags, cTags and hashes in <outbox>/.docautomation/sharepoint/state.json."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import SyncError
from ..fileio import STATE_DIR, write_json

log = logging.getLogger(__name__)

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class SyncPaths:
    """Where the sync keeps its files inside the outbox's state folder."""

    outbox: Path

    @property
    def folder(self) -> Path:
        """<outbox>/.docautomation/sharepoint"""
        return self.outbox / STATE_DIR / "sharepoint"

    @property
    def state(self) -> Path:
        """The JSON state file (no tokens, no secrets)."""
        return self.folder / "state.json"

    @property
    def token_cache(self) -> Path:
        """msal's token cache (owner-only permissions)."""
        return self.folder / "token-cache.json"

    @property
    def lock(self) -> Path:
        """Lock file: one sync per outbox at a time."""
        return self.folder / "sync.lock"


@dataclass(frozen=True, slots=True)
class RegisterState:
    """What we know about the register in SharePoint and its local copy."""

    item_id: str = ""
    name: str = ""
    ctag: str = ""  # content tag of the version we downloaded
    pending_ctag: str = ""  # a newer cTag seen once; downloaded when the next poll sees it again
    local_name: str = ""  # file name in the inbox
    sha256: str = ""  # hash of the bytes we downloaded
    built_ctag: str = ""  # content tag of the version last built
    built_inputs: str = ""  # digest of the templates, tool and limits that build used


@dataclass(frozen=True, slots=True)
class OutputState:
    """One generated document as we last uploaded it."""

    target: str  # remote path under the output folder ("… (ny version).docx" after a conflict)
    item_id: str
    etag: str  # eTag SharePoint returned for our upload
    sha256: str  # local content hash of what we uploaded (never the server's hash)
    deferred: int = 0  # consecutive runs the file was locked (423)


@dataclass(frozen=True, slots=True)
class RemoteEntry:
    """A file or folder under the output folder, as the delta query last reported it."""

    name: str
    parent: str  # item id of the folder holding it
    etag: str = ""
    by_us: bool = False  # last written by this app
    folder: bool = False


@dataclass(frozen=True, slots=True)
class FolderIndex:
    """The output folder's contents by item id, and the delta link that brings them up to date."""

    folder_id: str = ""
    delta_link: str = ""  # empty: enumerate the folder from scratch
    items: Mapping[str, RemoteEntry] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SyncState:
    """Everything the sync remembers between runs."""

    source: str = ""  # site|library|register_path the ids below belong to
    target: str = ""  # output folder the outputs below belong to
    site_id: str = ""
    drive_id: str = ""
    register: RegisterState = RegisterState()
    outputs: Mapping[str, OutputState] = field(default_factory=dict)
    remote: FolderIndex = FolderIndex()

    def with_register(self, **changes: str) -> SyncState:
        """A copy with some register fields changed."""
        return replace(self, register=replace(self.register, **changes))

    def with_output(self, relpath: str, record: OutputState) -> SyncState:
        """A copy with one output record set."""
        return replace(self, outputs={**self.outputs, relpath: record})


def source_key(site: str, library: str, register_path: str) -> str:
    """The configuration the remembered ids belong to; a change means resolving again."""
    return f"{site}|{library}|{register_path}"


def load_state(path: Path, *, source: str, target: str) -> SyncState:
    """Read the state file; ids for another configuration are dropped, a broken file is ignored."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = _from_dict(data)
    except FileNotFoundError:
        return SyncState(source=source, target=target)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("SharePoint-tillståndet %s kunde inte läsas (%s); börjar om.", path, exc)
        return SyncState(source=source, target=target)
    if state.source != source:
        state = replace(
            state,
            source=source,
            site_id="",
            drive_id="",
            register=RegisterState(),
            remote=FolderIndex(),
        )
    if state.target != target:
        state = replace(state, target=target, outputs={}, remote=FolderIndex())
    return state


def save_state(path: Path, state: SyncState) -> None:
    """Write the state file atomically (temporary file in the same folder, then replace)."""
    data = {"version": STATE_VERSION, **asdict(state)}
    data["outputs"] = {k: asdict(v) for k, v in sorted(state.outputs.items())}
    try:
        write_json(path, data)
    except OSError as exc:
        raise SyncError(f"Kan inte skriva {path}: {exc.strerror or exc}") from exc


def _from_dict(data: Mapping[str, Any]) -> SyncState:
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"okänd version {data.get('version')!r}")
    outputs = {str(k): OutputState(**v) for k, v in dict(data.get("outputs", {})).items()}
    remote = dict(data.get("remote", {}))
    items = {str(k): RemoteEntry(**v) for k, v in dict(remote.pop("items", {})).items()}
    return SyncState(
        source=str(data.get("source", "")),
        target=str(data.get("target", "")),
        site_id=str(data.get("site_id", "")),
        drive_id=str(data.get("drive_id", "")),
        register=RegisterState(**dict(data.get("register", {}))),
        outputs=outputs,
        remote=FolderIndex(**remote, items=items),
    )
