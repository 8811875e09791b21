"""The output folder, kept current with Graph's delta query: one request when nothing changed.

The first run enumerates the folder (every page) and keeps the delta link Graph hands back;
later runs ask that link only for what changed since. Items are tracked by id, because delta
answers carry no paths: a file's path is rebuilt from its parent chain up to the folder. A
link SharePoint no longer honours (410) or a folder that is gone (404) starts from scratch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SyncError
from .drive import RemoteFile
from .names import encode_path, name_key, split_path
from .state import FolderIndex, RemoteEntry
from .transport import GraphTransport

log = logging.getLogger(__name__)

_MAX_PAGES = 1000  # 200 items a page: far beyond a board's output folder
_MAX_DEPTH = 64  # a parent chain longer than this is broken (or a cycle), not a real path


class OutputFolder:
    """Brings a FolderIndex up to date for the folder at `path` in drive `drive_id`."""

    def __init__(
        self,
        transport: GraphTransport,
        drive_id: str,
        path: str,
        by_us: Callable[[dict[str, Any]], bool],
    ) -> None:
        self._t = transport
        self._drive = drive_id
        self._path = path
        self._by_us = by_us

    def refresh(self, index: FolderIndex) -> FolderIndex:
        """The index with every change since its delta link applied (from scratch without one)."""
        for _ in range(2):  # a second pass only after the folder or its link was dropped
            if not index.folder_id:
                folder_id = self._folder_id()
                if not folder_id:
                    return FolderIndex()  # created by the first upload
                index = FolderIndex(folder_id)
            refreshed = self._follow(index)
            if refreshed is not None:
                return refreshed
            index = FolderIndex()
        raise SyncError("Utmappen i SharePoint ändrades under läsningen; försöker igen senare.")

    def _folder_id(self) -> str:
        encoded = encode_path(self._path)
        url = f"/drives/{self._drive}/root:/{encoded}" if encoded else f"/drives/{self._drive}/root"
        response = self._t.call(
            "GET", url, params={"$select": "id,folder"}, expect=(200, 404), what="utmappen"
        )
        if response.status_code == 404:
            return ""
        item = response.json()
        if "folder" not in item:
            raise SyncError(f'"{self._path}" i SharePoint är en fil, inte en mapp (utmappen).')
        return str(item["id"])

    def _follow(self, index: FolderIndex) -> FolderIndex | None:
        """Apply every page; None when the folder is gone or the link must be dropped."""
        items = dict(index.items) if index.delta_link else {}
        url = index.delta_link or f"/drives/{self._drive}/items/{index.folder_id}/delta"
        for _ in range(_MAX_PAGES):
            response = self._t.call("GET", url, expect=(200, 404, 410), what="utmappen")
            if response.status_code == 410 and index.delta_link:
                log.info("SharePoint kräver en ny genomgång av utmappen (410).")
                return self._follow(FolderIndex(index.folder_id))
            if response.status_code != 200:
                log.info(
                    "Utmappen finns inte under sitt id (%d); söker den igen.", response.status_code
                )
                return None
            page = response.json()
            if not self._apply(page.get("value", []), index.folder_id, items):
                return None
            if page.get("@odata.deltaLink"):
                return FolderIndex(
                    index.folder_id, str(page["@odata.deltaLink"]), _pruned(items, index.folder_id)
                )
            url = str(page.get("@odata.nextLink") or "")
            if not url:
                raise SyncError("SharePoint avslutade ändringslistan för utmappen utan länk.")
        raise SyncError(f"Utmappen: fler än {_MAX_PAGES} sidor ändringar; avbryter.")

    def _apply(
        self, values: list[dict[str, Any]], root: str, items: dict[str, RemoteEntry]
    ) -> bool:
        """Apply one page to `items`; False when the folder itself was removed or renamed."""
        wanted = name_key(split_path(self._path)[-1]) if split_path(self._path) else ""
        for value in values:
            item_id = str(value.get("id", ""))
            if item_id == root:
                if "deleted" in value or (
                    wanted and name_key(str(value.get("name", ""))) != wanted
                ):
                    return False
                continue
            if "deleted" in value:
                items.pop(item_id, None)
                continue
            items[item_id] = RemoteEntry(
                name=str(value.get("name", "")),
                parent=str((value.get("parentReference") or {}).get("id", "")),
                etag=str(value.get("eTag", "")),
                by_us=self._by_us(value),
                folder="folder" in value,
            )
        return True


def files(index: FolderIndex) -> dict[str, RemoteFile]:
    """Every file in the index, keyed by its path relative to the folder."""
    found: dict[str, RemoteFile] = {}
    for item_id, entry in index.items.items():
        if entry.folder:
            continue
        path = _path(item_id, index.items, index.folder_id)
        if path:
            found[path] = RemoteFile(path, item_id, entry.etag, modified_by_us=entry.by_us)
    return found


def _pruned(items: Mapping[str, RemoteEntry], root: str) -> dict[str, RemoteEntry]:
    """Only what still hangs under the folder (a deleted folder's files are not all reported)."""
    return {k: v for k, v in items.items() if _path(k, items, root)}


def _path(item_id: str, items: Mapping[str, RemoteEntry], root: str) -> str:
    names: list[str] = []
    current = item_id
    for _ in range(_MAX_DEPTH):
        entry = items.get(current)
        if entry is None:
            return ""
        names.append(entry.name)
        if entry.parent == root:
            return "/".join(reversed(names))
        current = entry.parent
    return ""
