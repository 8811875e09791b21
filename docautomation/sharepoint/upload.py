"""Uploads to a drive: a plain PUT up to 4 MiB, a resumable upload session above, If-Match on both."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import requests

from ..config import SharePointSettings
from ..errors import SyncError
from .drive import (
    ETagMismatchError,
    GraphError,
    LockedError,
    NameRefusedError,
    NameTakenError,
    UnconfirmedUploadError,
)
from .names import encode_path, join_path
from .transport import ConnectionLostError, GraphTransport, error_codes

log = logging.getLogger(__name__)

SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024  # larger files go through an upload session
FRAGMENT_UNIT = 327_680  # 320 KiB: every fragment but the last must be a multiple of it
DEFAULT_FRAGMENT = 16 * FRAGMENT_UNIT  # 5 MiB
WRITE_STATUSES = (400, 403, 409, 412, 423)
_MAX_FRAGMENT_FAILURES = 5


class Uploader:
    """Writes files by path into a drive; maps 409/412/423/403/400 to the sync's errors.

    `if_match` None creates the file (conflictBehavior fail); an eTag replaces only that
    version, so a document someone edited since is never overwritten.
    """

    def __init__(
        self, transport: GraphTransport, settings: SharePointSettings, fragment_size: int
    ) -> None:
        if fragment_size <= 0 or fragment_size % FRAGMENT_UNIT:
            raise ValueError("fragment_size must be a positive multiple of 327,680 bytes")
        self._t = transport
        self._sp = settings
        self._fragment = fragment_size

    def upload(
        self, drive_id: str, source: Path, remote: str, path: str, if_match: str | None
    ) -> Any:
        """Upload `source` to `remote` (library path); `path` names it in messages."""
        if source.stat().st_size <= SIMPLE_UPLOAD_LIMIT:
            return self._put_small(drive_id, source, remote, path, if_match)
        for _ in range(2):  # a session that expires mid-way is restarted once
            url = self._create_session(drive_id, remote, path, if_match)
            item = self._send_fragments(url, source, path)
            if item is not None:
                return item
            log.info("Uppladdningssessionen för %s försvann; börjar om.", path)
        raise SyncError(
            f"Uppladdningen av {path} avbröts två gånger; försöker igen vid nästa körning."
        )

    def probe(self, drive_id: str, folder: str) -> None:
        """Check write access to `folder` without creating a file.

        Opens an upload session (a file appears only when a session completes) and deletes it.
        """
        probe = join_path(folder, "docautomation-behörighetskontroll.tmp")
        response = self._t.call(
            "POST",
            f"/drives/{drive_id}/root:/{encode_path(probe)}:/createUploadSession",
            json={"item": {"@microsoft.graph.conflictBehavior": "fail"}},
            expect=(200, *WRITE_STATUSES),
            what="skrivtestet i utmappen",
        )
        if response.status_code != 200:
            raise self.write_error(response, folder or "bibliotekets rot")
        self._t.call(
            "DELETE",
            response.json()["uploadUrl"],
            auth=False,
            expect=(200, 204, 404),
            what="skrivtestet i utmappen",
        )

    def _put_small(
        self, drive_id: str, source: Path, remote: str, path: str, if_match: str | None
    ) -> Any:
        headers = {"Content-Type": "application/octet-stream"}
        params = {}
        if if_match:
            headers["If-Match"] = if_match
        else:
            params["@microsoft.graph.conflictBehavior"] = "fail"
        response = self._t.call(
            "PUT",
            f"/drives/{drive_id}/root:/{encode_path(remote)}:/content",
            data=source.read_bytes(),
            headers=headers,
            params=params,
            expect=(200, 201, *WRITE_STATUSES),
            what=f"uppladdningen av {path}",
        )
        if response.status_code not in (200, 201):
            raise self.write_error(response, path)
        return response.json()

    def _create_session(self, drive_id: str, remote: str, path: str, if_match: str | None) -> str:
        behaviour = "replace" if if_match else "fail"
        response = self._t.call(
            "POST",
            f"/drives/{drive_id}/root:/{encode_path(remote)}:/createUploadSession",
            json={"item": {"@microsoft.graph.conflictBehavior": behaviour}},
            headers={"If-Match": if_match} if if_match else {},
            expect=(200, *WRITE_STATUSES),
            what=f"uppladdningen av {path}",
        )
        if response.status_code != 200:
            raise self.write_error(response, path)
        return str(response.json()["uploadUrl"])

    def _send_fragments(self, url: str, source: Path, path: str) -> Any | None:
        """Send the file in fragments; resume from nextExpectedRanges; None if the session is gone.

        Raises:
            UnconfirmedUploadError: the last fragment was sent but its answer was lost, and the
                session has since answered 404, 409 or 416 or vanished: the file may be stored.
        """
        size, offset, failures = source.stat().st_size, 0, 0
        last_sent = False  # the final fragment went out at least once
        # Bounded even against a server that never advances: every fragment once, plus retries.
        budget = size // self._fragment + 2 + 2 * _MAX_FRAGMENT_FAILURES
        with source.open("rb") as fh:
            for _ in range(budget):
                fh.seek(offset)
                chunk = fh.read(self._fragment)
                response = self._send_fragment(url, chunk, offset, size, path)
                if response is not None:
                    status = response.status_code
                    if status in (200, 201):
                        return response.json()
                    if status == 202:
                        offset = _next_offset(response.json(), offset + len(chunk))
                        continue
                    if last_sent and status in (404, 409, 416):
                        raise self._unconfirmed(path, status)
                    if status == 404:
                        return None
                    if status != 416:
                        raise self.write_error(response, path)
                last_sent = last_sent or offset + len(chunk) == size
                failures += 1
                if failures > _MAX_FRAGMENT_FAILURES:
                    raise ConnectionLostError(
                        f"Uppladdningen av {path} avbröts {failures} gånger; "
                        "försöker igen vid nästa körning."
                    )
                resumed = self._session_offset(url, path)
                if resumed is None and last_sent:
                    raise self._unconfirmed(path, 404)
                if resumed is None:
                    return None
                log.info("Uppladdningen av %s återupptas från byte %d.", path, resumed)
                offset = resumed
        raise SyncError(
            f"Uppladdningen av {path} kom inte framåt; försöker igen vid nästa körning."
        )

    def _send_fragment(
        self, url: str, chunk: bytes, offset: int, size: int, path: str
    ) -> requests.Response | None:
        """PUT one fragment (no Authorization: the URL is pre-authenticated); None if dropped."""
        headers = {"Content-Range": f"bytes {offset}-{offset + len(chunk) - 1}/{size}"}
        try:
            return self._t.call(
                "PUT",
                url,
                auth=False,
                retry_connection=False,
                data=chunk,
                headers=headers,
                expect=(200, 201, 202, 404, 416, *WRITE_STATUSES),
                what=f"uppladdningen av {path}",
            )
        except ConnectionLostError:
            log.info("Anslutningen bröts under uppladdningen av %s (byte %d).", path, offset)
            return None

    def _session_offset(self, url: str, path: str) -> int | None:
        response = self._t.call(
            "GET", url, auth=False, expect=(200, 404), what=f"uppladdningen av {path}"
        )
        return None if response.status_code == 404 else _next_offset(response.json(), 0)

    @staticmethod
    def _unconfirmed(path: str, status: int) -> UnconfirmedUploadError:
        log.info("Svaret på sista delen av %s kom inte fram (sedan %d).", path, status)
        return UnconfirmedUploadError(
            f"Uppladdningen av {path} blev klar men svaret kom inte fram.", status=status
        )

    def write_error(self, response: requests.Response, path: str) -> GraphError:
        code, inner, _ = error_codes(response)
        status = response.status_code
        kwargs: dict[str, Any] = {"status": status, "code": code, "inner": inner}
        if status == 412:
            return ETagMismatchError(
                f"{path} har ändrats i SharePoint sedan vår senaste uppladdning.", **kwargs
            )
        if status == 409:
            return NameTakenError(f"{path} finns redan i SharePoint.", **kwargs)
        if status == 423:
            return LockedError(f"{path} är låst i SharePoint (öppen för redigering).", **kwargs)
        if status == 403:
            return GraphError(
                f"SharePoint nekade skrivning till {path} (403 {code or 'accessDenied'}): appen "
                f"{self._sp.client_id} har inte skrivbehörighet. Be IT ge appen Sites.Selected "
                f'med rollen "write" på webbplatsen "{self._sp.site}" (se docs/sharepoint.md).',
                **kwargs,
            )
        return NameRefusedError(
            f"SharePoint godtog inte namnet eller sökvägen {path} (400 "
            f"{'/'.join((code, *inner))}).",
            **kwargs,
        )


def _next_offset(body: dict[str, Any], default: int) -> int:
    ranges = body.get("nextExpectedRanges") or []
    if not ranges:
        return default
    return int(str(ranges[0]).split("-", 1)[0])
