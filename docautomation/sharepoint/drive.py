"""The DriveClient interface between the sync plan and Microsoft Graph: records, protocol, errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import SyncError


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file under the output folder as SharePoint reports it."""

    path: str  # relative to the output folder, "/"-separated, as SharePoint spells it
    item_id: str
    etag: str
    modified_by_us: bool = False  # last written by this app (no person has edited it since)


@dataclass(frozen=True, slots=True)
class RemoteRegister:
    """The register workbook's metadata (one cheap GET per run)."""

    item_id: str
    name: str
    ctag: str
    etag: str
    size: int
    location: str = ""  # folder path inside the library, for "moved to" messages


class GraphError(SyncError):
    """Raised for a Graph answer the caller did not expect; carries status and error codes."""

    def __init__(
        self, message: str, *, status: int = 0, code: str = "", inner: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.inner = inner


class ETagMismatchError(GraphError):
    """Raised on 412: the file changed in SharePoint since our last upload."""


class LockedError(GraphError):
    """Raised on 423: the file is open for editing (locked) in SharePoint."""


class NameTakenError(GraphError):
    """Raised on 409: a file of that name already exists where we create one."""


class UnconfirmedUploadError(GraphError):
    """Raised when the answer to an upload session's last fragment was lost and the session is
    gone: SharePoint may have stored the file (see whether the copy there is ours)."""


class NameRefusedError(GraphError):
    """Raised when SharePoint refuses a name or path (invalid characters, reserved, too long)."""


class DriveClient(Protocol):
    """What the sync needs from a document library; GraphDriveClient implements it."""

    def register(self) -> RemoteRegister:
        """Metadata of the register, found by its remembered item id (or its path once)."""
        ...

    def download(self, item_id: str, dest: Path) -> int:
        """Download an item atomically to `dest`; returns the byte count."""
        ...

    def list_outputs(self) -> dict[str, RemoteFile]:
        """Every file under the output folder, keyed by its path relative to that folder."""
        ...

    def upload(self, source: Path, path: str, *, if_match: str | None) -> RemoteFile:
        """Upload `source` to `path` under the output folder.

        `if_match` None creates the file (NameTakenError if it exists); an eTag replaces the
        file only while it still carries that eTag (ETagMismatchError otherwise). A copy
        found to be what we sent (an earlier write whose answer was lost) counts as uploaded.
        """
        ...

    def holds(self, source: Path, path: str) -> RemoteFile | None:
        """The file at `path` under the output folder when it is `source`'s document, else None."""
        ...
