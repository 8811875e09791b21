"""FakeDriveClient: an in-memory DriveClient for the plan/apply tests (no HTTP)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from docautomation.sharepoint.drive import (
    ETagMismatchError,
    LockedError,
    NameTakenError,
    RemoteFile,
    RemoteRegister,
)
from docautomation.sharepoint.names import name_key


@dataclass
class Stored:
    data: bytes
    etag: str
    item_id: str
    by_us: bool = True
    locked: bool = False


@dataclass
class FakeDriveClient:
    """Files under the output folder by relative path; counts every call."""

    files: dict[str, Stored] = field(default_factory=dict)
    register_item: RemoteRegister | None = None
    register_data: bytes = b""
    enrichment: bytes = b""
    calls: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def register(self) -> RemoteRegister:
        self.calls.append("register")
        assert self.register_item is not None
        return self.register_item

    def download(self, item_id: str, dest: Path) -> int:
        self.calls.append(f"download {item_id}")
        dest.write_bytes(self.register_data)
        return len(self.register_data)

    def list_outputs(self) -> dict[str, RemoteFile]:
        self.calls.append("list")
        return {p: RemoteFile(p, s.item_id, s.etag, s.by_us) for p, s in self.files.items()}

    def upload(self, source: Path, path: str, *, if_match: str | None) -> RemoteFile:
        self.calls.append(f"upload {path} {if_match}")
        key = self._find(path)
        current = self.files.get(key) if key else None
        if if_match is None and current is not None:
            raise NameTakenError(f"{path} finns redan", status=409)
        if if_match is not None and (current is None or current.etag != if_match):
            raise ETagMismatchError(f"{path} ändrad", status=412)
        if current is not None and current.locked:
            raise LockedError(f"{path} låst", status=423)
        n = next(self._ids)
        stored = Stored(
            source.read_bytes() + self.enrichment,
            f'"{{E}},{n}"',
            current.item_id if current else f"ID{n}",
        )
        self.files[key or path] = stored
        return RemoteFile(key or path, stored.item_id, stored.etag, True)

    def holds(self, source: Path, path: str) -> RemoteFile | None:
        self.calls.append(f"holds {path}")
        key = self._find(path)
        stored = self.files.get(key) if key else None
        if stored is None or stored.data != source.read_bytes() + self.enrichment:
            return None
        return RemoteFile(key or path, stored.item_id, stored.etag, stored.by_us)

    def edit(self, path: str, data: bytes = b"edited by a person") -> None:
        """A person saves the file in SharePoint: new eTag, no longer ours."""
        stored = self.files[path]
        stored.data, stored.by_us = data, False
        stored.etag = f'"{{P}},{next(self._ids)}"'

    def _find(self, path: str) -> str | None:
        return next((p for p in self.files if name_key(p) == name_key(path)), None)
