"""GraphDriveClient: the register and the output folder in one SharePoint library, over Graph."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

import requests

from ..config import SharePointSettings
from ..errors import FileHeldError, SyncError
from ..fileio import write_atomically
from .delta import OutputFolder, files
from .drive import (
    ETagMismatchError,
    GraphError,
    NameRefusedError,
    NameTakenError,
    RemoteFile,
    RemoteRegister,
    UnconfirmedUploadError,
)
from .names import encode_path, join_path, name_key, path_problem, split_path
from .ownwrite import same_document
from .state import FolderIndex
from .transport import ConnectionLostError, GraphTransport
from .upload import DEFAULT_FRAGMENT, Uploader

log = logging.getLogger(__name__)

_ITEM_SELECT = "id,name,eTag,cTag,size,file,folder,parentReference,lastModifiedBy"
_MAX_DOWNLOAD_ATTEMPTS = 3
_MAX_PAGES = 1000  # 200 items a page: far beyond a board's output folder
_DEMOTION_SLACK = 1 << 20


class GraphDriveClient:
    """Implements DriveClient for the configured site, library, register and output folder.

    Site and drive are resolved once; the register is then read by item id, so a rename or a
    move inside the library does not lose it. The resolved ids and the output folder's index
    are attributes for the state file.
    """

    def __init__(
        self,
        transport: GraphTransport,
        settings: SharePointSettings,
        *,
        site_id: str = "",
        drive_id: str = "",
        register_id: str = "",
        outputs_index: FolderIndex | None = None,
        fragment_size: int = DEFAULT_FRAGMENT,
    ) -> None:
        self._t = transport
        self._sp = settings
        self.site_id = site_id
        self.drive_id = drive_id
        self.register_id = register_id
        self.outputs_index = outputs_index or FolderIndex()
        self._uploads = Uploader(transport, settings, fragment_size)

    # -- resolution ------------------------------------------------------------------------

    def resolve(self) -> None:
        """Find the site and the library's drive (once; remembered ids are trusted)."""
        if not self.drive_id:
            self.resolve_library()

    def resolve_site(self) -> None:
        """Find the site by its host and path."""
        response = self._t.call(
            "GET",
            site_address(self._sp.site),
            expect=(200, 404),
            what=f'webbplatsen "{self._sp.site}"',
        )
        if response.status_code == 404:
            raise SyncError(
                f'Webbplatsen "{self._sp.site}" finns inte (404). Kontrollera sharepoint.site, '
                't.ex. "kommun.sharepoint.com:/sites/castor".'
            )
        self.site_id = str(response.json()["id"])

    def resolve_library(self) -> None:
        """Find the library's drive on the site (the site first, when not known yet)."""
        if not self.site_id:
            self.resolve_site()
        drives = list(
            self._pages(
                f"/sites/{self.site_id}/drives",
                "$select=id,name,webUrl",
                what=f'biblioteken på "{self._sp.site}"',
            )
        )
        drive = pick_library(drives, self._sp.library)
        if drive is None:
            names = ", ".join(sorted(str(d.get("name", "")) for d in drives)) or "inga"
            raise SyncError(
                f'Biblioteket "{self._sp.library}" finns inte på webbplatsen "{self._sp.site}". '
                f"Bibliotek som finns: {names}. Kontrollera sharepoint.library."
            )
        self.drive_id = str(drive["id"])

    def register(self) -> RemoteRegister:
        """The register's metadata, by remembered item id, else by its configured path."""
        self.resolve()
        if self.register_id:
            response = self._t.call(
                "GET",
                f"/drives/{self.drive_id}/items/{self.register_id}",
                params={"$select": _ITEM_SELECT},
                expect=(200, 404),
                what="registret",
            )
            if response.status_code == 200:
                return _register_from(response.json())
            log.info("Registret finns inte längre under sitt id; söker på sökvägen igen.")
        item = self._item_at(self._sp.register_path, select=_ITEM_SELECT, what="registret")
        if item is None or "file" not in item:
            raise SyncError(
                f'Registret "{self._sp.register_path}" finns inte i biblioteket '
                f'"{self._sp.library}" på "{self._sp.site}" (det kan ha raderats eller flyttats '
                "till ett annat bibliotek). Kontrollera sharepoint.register_path."
            )
        self.register_id = str(item["id"])
        return _register_from(item)

    def output_folder_exists(self) -> bool:
        """True when the output folder exists (it is created by the first upload otherwise)."""
        self.resolve()
        return (
            self._item_at(self._sp.output_folder, select="id,folder", what="utmappen") is not None
        )

    # -- download --------------------------------------------------------------------------

    def download(self, item_id: str, dest: Path) -> int:
        """Download an item to `dest` atomically (temporary file, then os.replace); bytes written."""
        self.resolve()
        for attempt in range(1, _MAX_DOWNLOAD_ATTEMPTS + 1):
            response = self._t.call(
                "GET",
                f"/drives/{self.drive_id}/items/{item_id}/content",
                expect=(200, 302),
                allow_redirects=False,
                stream=True,
                what=f"hämtningen av {dest.name}",
            )
            if response.status_code == 302:
                # The pre-authenticated URL lives on another host and must not get our token.
                location = response.headers["Location"]
                response.close()
                response = self._t.call(
                    "GET", location, auth=False, stream=True, what=f"hämtningen av {dest.name}"
                )
            try:
                return _stream_to(response, dest)
            except (
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                _IncompleteError,
            ) as exc:
                log.info("Hämtningen av %s avbröts (%s), försök %d.", dest.name, exc, attempt)
            except OSError as exc:  # after the requests errors: those are OSErrors too
                raise SyncError(
                    f"{dest.name} kan inte skrivas till {dest.parent}: {exc.strerror or exc}."
                ) from exc
        raise ConnectionLostError(
            f"Hämtningen av {dest.name} avbröts {_MAX_DOWNLOAD_ATTEMPTS} gånger; "
            "försöker igen vid nästa körning."
        )

    # -- outputs ---------------------------------------------------------------------------

    def list_outputs(self) -> dict[str, RemoteFile]:
        """Every file under the output folder (recursively), keyed by its relative path.

        Asks only for the changes since the last run (`outputs_index`, updated here).
        """
        self.resolve()
        folder = OutputFolder(self._t, self.drive_id, self._sp.output_folder, self._by_us)
        self.outputs_index = folder.refresh(self.outputs_index)
        return files(self.outputs_index)

    def upload(self, source: Path, path: str, *, if_match: str | None) -> RemoteFile:
        """Upload `source` to `path` under the output folder (see DriveClient.upload)."""
        self.resolve()
        remote = join_path(self._sp.output_folder, path)
        problem = path_problem(remote, library=self._sp.library)
        if problem:
            raise NameRefusedError(f"{path}: {problem}.")
        try:
            item = self._uploads.upload(self.drive_id, source, remote, path, if_match)
        except (ETagMismatchError, NameTakenError, UnconfirmedUploadError) as exc:
            item = self._settle(source, remote, path, exc)
        return RemoteFile(path, str(item["id"]), str(item.get("eTag", "")), modified_by_us=True)

    def holds(self, source: Path, path: str) -> RemoteFile | None:
        """The file at `path` under the output folder when it is `source`'s document, else None."""
        self.resolve()
        remote = join_path(self._sp.output_folder, path)
        current = self._item_at(remote, select=_ITEM_SELECT, what=path)
        if current is None or not self._holds(current, source):
            return None
        return RemoteFile(path, str(current["id"]), str(current.get("eTag", "")), True)

    def _settle(self, source: Path, remote: str, path: str, exc: GraphError) -> Any:
        """After a 409, 412 or a lost last answer: is what SharePoint has our earlier write?

        The same document there is ours, stored by a request whose answer never came: done.
        A copy our app wrote last (nobody changed it since) is replaced under its current
        eTag. Anything else is a person's change, and `exc` goes up to put ours beside it.
        """
        current = self._item_at(remote, select=_ITEM_SELECT, what=path)
        if current is None:
            if isinstance(exc, NameTakenError):
                raise exc
            log.info("%s finns inte i SharePoint; laddar upp den på nytt.", path)
            return self._uploads.upload(self.drive_id, source, remote, path, None)
        if self._holds(current, source):
            log.info("%s finns redan i SharePoint från vår egen uppladdning.", path)
            return current
        if not self._by_us(current):
            raise exc
        log.info("%s skrevs senast av docautomation; ersätter med ny eTag.", path)
        return self._uploads.upload(self.drive_id, source, remote, path, str(current["eTag"]))

    def _holds(self, item: dict[str, Any], source: Path) -> bool:
        sent = source.read_bytes()
        # Property demotion adds kilobytes, not megabytes: a far larger file is not ours.
        if "file" not in item or int(item.get("size", 0)) > 2 * len(sent) + _DEMOTION_SLACK:
            return False
        with tempfile.TemporaryDirectory(prefix="docautomation-") as folder:
            copy = Path(folder) / "stored"
            self.download(str(item["id"]), copy)
            return same_document(sent, copy.read_bytes())

    def probe_write(self) -> None:
        """Check write access to the output folder without creating a file (see Uploader.probe)."""
        self.resolve()
        self._uploads.probe(self.drive_id, self._sp.output_folder)

    # -- internals -------------------------------------------------------------------------

    def _item_at(self, path: str, *, select: str, what: str) -> Any | None:
        encoded = encode_path(path)
        url = (
            f"/drives/{self.drive_id}/root:/{encoded}"
            if encoded
            else f"/drives/{self.drive_id}/root"
        )
        response = self._t.call(
            "GET", url, params={"$select": select}, expect=(200, 404), what=what
        )
        return response.json() if response.status_code == 200 else None

    def _pages(self, url: str, query: str, *, what: str) -> Iterator[dict[str, Any]]:
        next_url: str | None = f"{url}?{query}"
        for _ in range(_MAX_PAGES):
            if not next_url:
                return
            response = self._t.call("GET", next_url, expect=(200, 404), what=what)
            if response.status_code == 404:
                raise SyncError(f"{what} finns inte (404).")
            page = response.json()
            yield from page.get("value", [])
            next_url = page.get("@odata.nextLink")  # a full URL, used verbatim
        raise SyncError(f"{what}: fler än {_MAX_PAGES} sidor; avbryter.")

    def _by_us(self, item: dict[str, Any]) -> bool:
        app = (item.get("lastModifiedBy") or {}).get("application") or {}
        return self._sp.auth != "device" and app.get("id") == self._sp.client_id


def site_address(site: str) -> str:
    """Graph path of a site given as "host:/sites/x", "https://host/sites/x" or "host"."""
    text = site.strip()
    if text.lower().startswith("https://"):
        parts = urlsplit(text)
        host, path = parts.hostname or "", unquote(parts.path)
    else:
        host, _, path = text.partition(":")
    host = host.strip("/")
    if not host:
        raise SyncError(
            f'sharepoint.site "{site}" saknar värdnamn (t.ex. "kommun.sharepoint.com:/sites/castor").'
        )
    encoded = encode_path(path)
    return f"/sites/{host}:/{encoded}" if encoded else f"/sites/{host}"


def pick_library(drives: list[dict[str, Any]], library: str) -> dict[str, Any] | None:
    """The drive whose display name or URL segment is `library` (case-insensitive, NFC)."""
    wanted = name_key(library.strip("/"))
    for drive in drives:
        segments = split_path(unquote(urlsplit(str(drive.get("webUrl", ""))).path))
        if name_key(str(drive.get("name", ""))) == wanted or (
            segments and name_key(segments[-1]) == wanted
        ):
            return drive
    return None


def _register_from(item: dict[str, Any]) -> RemoteRegister:
    parent = str((item.get("parentReference") or {}).get("path", ""))
    location = parent.split("root:", 1)[1].lstrip("/") if "root:" in parent else ""
    return RemoteRegister(
        item_id=str(item["id"]),
        name=str(item["name"]),
        ctag=str(item.get("cTag", "")),
        etag=str(item.get("eTag", "")),
        size=int(item.get("size", 0)),
        location=unquote(location),
    )


class _IncompleteError(Exception):
    """The body ended before Content-Length bytes arrived."""


def _stream_to(response: requests.Response, dest: Path) -> int:
    expected = response.headers.get("Content-Length")
    written = 0

    def copy(handle: BinaryIO) -> None:
        nonlocal written
        for block in response.iter_content(chunk_size=1 << 16):
            handle.write(block)
            written += len(block)
        if expected is not None and int(expected) != written:
            raise _IncompleteError(f"{written} av {expected} byte")

    try:
        write_atomically(dest, copy)
        return written
    except FileHeldError as exc:
        raise SyncError(
            f"{dest} kan inte ersättas ({exc.strerror}); filen är troligen öppen i Excel. "
            "Stäng den; synkroniseringen försöker igen vid nästa körning."
        ) from exc
    finally:
        response.close()
