"""A local TLS stand-in for Entra ID sign-in and Microsoft Graph drives, with fault injection.

One ThreadingHTTPServer on 127.0.0.1 serves two host names: 127.0.0.1 for the identity
endpoints msal uses and for Graph (/v1.0/…), and localhost for pre-authenticated download
(/_dl/…) and upload-session (/_up/…) URLs, so requests really drops Authorization on the
302 as it does against Microsoft. State lives in memory; faults are scripted per test.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import io
import json
import re
import secrets
import socket
import ssl
import threading
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import jwt
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes

FRAGMENT_UNIT = 327_680
SIMPLE_LIMIT = 4 * 1024 * 1024
_FORBIDDEN = set('"*:<>?/\\|')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Item:
    id: str
    name: str
    drive: str
    parent: str | None
    folder: bool = False
    data: bytes = b""
    etag_n: int = 1
    ctag_n: int = 1
    guid: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    modified_by: dict[str, Any] = field(default_factory=dict)
    locked: bool = False
    uploads: int = 0  # content writes through Graph: each one is a version in the library
    changed: int = 0  # the change number of its last change, for delta queries

    @property
    def etag(self) -> str:
        return f'"{{{self.guid}}},{self.etag_n}"'

    @property
    def ctag(self) -> str:
        return f'"c:{{{self.guid}}},{self.ctag_n}"'


@dataclass
class App:
    client_id: str
    secret: str | None = None
    certs: list[x509.Certificate] = field(default_factory=list)


@dataclass
class Token:
    client_id: str
    expires_at: float
    user: str = ""


@dataclass
class UploadSession:
    drive: str
    segments: list[str]
    behaviour: str
    if_match: str | None
    client_id: str
    received: bytearray = field(default_factory=bytearray)
    total: int | None = None
    bad_fragment: bool = False
    finished: bool = False


@dataclass
class Fault:
    action: str
    path: re.Pattern[str]
    method: str | None
    host: str | None
    times: int
    args: dict[str, Any]


@dataclass(frozen=True)
class Logged:
    method: str
    host: str
    path: str
    query: str
    authorized: bool
    status: int
    length: int


class FakeGraph:
    """The stand-in; use as a context manager or call start()/stop()."""

    def __init__(self, folder: Path) -> None:
        self.tenant = "7d3c9a1e-5f0b-4c2a-9e8d-0a1b2c3d4e5f"
        self._ca = trustme.CA()
        self.ca_path = folder / "fake-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_path))
        self._ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(self._ctx)
        self.lock = threading.RLock()
        self.apps: dict[str, App] = {}
        self.grants: dict[tuple[str, str], str] = {}
        self.sites: dict[str, dict[str, str]] = {}
        self.drives: dict[str, dict[str, str]] = {}
        self.items: dict[str, Item] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.sessions: dict[str, UploadSession] = {}
        self.downloads: dict[str, bytes] = {}
        self.faults: list[Fault] = []
        self.change_no = 0  # rises with every change to an item; delta tokens are these numbers
        self.tombstones: dict[str, int] = {}  # item id → change number it left (deleted, moved)
        self.requests: list[Logged] = []
        self.clock_offset = 0.0
        self.token_lifetime = 3599
        self.device_pending = 0
        self.page_size = 200
        self.enrichment = b""
        self.demote_properties = False  # rewrite docProps/customXml of stored Office files
        # What a fragment sent to an upload session that has already committed gets: None
        # (the session is gone: 404), 416 (range already received) or 409 (name taken).
        self.finished_session_answer: int | None = None
        self.strict_simple_limit = True
        self.download_auth_seen = False
        self.upload_auth_seen = False
        self._server: _Server | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        self._server = _Server(self, self._ctx)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def authority_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def graph_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/v1.0"

    def now(self) -> float:
        return time.time() + self.clock_offset

    # -- setup and inspection --------------------------------------------------------------

    def add_app(
        self, client_id: str, *, secret: str | None = None, certificate_pem: bytes | None = None
    ) -> App:
        app = App(client_id, secret)
        if certificate_pem:
            app.certs.append(x509.load_pem_x509_certificate(certificate_pem))
        self.apps[client_id] = app
        return app

    def add_site(self, host: str, path: str) -> str:
        site_id = f"{host},{uuid.uuid4()},{uuid.uuid4()}"
        self.sites[site_id] = {"host": host, "path": path, "name": path.rsplit("/", 1)[-1]}
        return site_id

    def add_drive(self, site_id: str, name: str, url_segment: str) -> str:
        drive_id = "b!" + base64.urlsafe_b64encode(secrets.token_bytes(24)).decode().rstrip("=")
        root = Item(self._new_id(), "root", drive_id, None, folder=True)
        self.items[root.id] = root
        self.drives[drive_id] = {
            "site": site_id,
            "name": name,
            "segment": url_segment,
            "root": root.id,
        }
        return drive_id

    def grant(self, client_id: str, site_id: str, role: str) -> None:
        self.grants[(client_id, site_id)] = role

    def put_file(self, drive: str, path: str, data: bytes, *, user: str = "Anna Andersson") -> Item:
        with self.lock:
            parent = self._ensure_folders(drive, _split(path)[:-1])
            item = Item(
                self._new_id(),
                _split(path)[-1],
                drive,
                parent.id,
                data=data,
                modified_by=_user(user),
            )
            self.items[item.id] = item
            self._touch(item)
            return item

    def find(self, drive: str, path: str) -> Item | None:
        with self.lock:
            return self._walk(drive, _split(path))

    def children_of(self, drive: str, path: str) -> dict[str, Item]:
        with self.lock:
            folder = self._walk(drive, _split(path))
            if folder is None:
                return {}
            return {i.name: i for i in self.items.values() if i.parent == folder.id}

    def edit_by_user(self, item: Item, data: bytes | None = None, user: str = "Bo Berg") -> None:
        """A co-author saves: eTag always bumps, cTag only when the content changed."""
        with self.lock:
            item.etag_n += 1
            if data is not None:
                item.data = data
                item.ctag_n += 1
            item.modified_by = _user(user)
            self._touch(item)

    def rename(self, item: Item, name: str) -> None:
        with self.lock:
            item.name = name
            item.etag_n += 1
            self._touch(item)

    def move(self, item: Item, folder: str) -> None:
        with self.lock:
            self.change_no += 1
            self.tombstones[item.id] = self.change_no  # gone from where it was
            item.parent = self._ensure_folders(item.drive, _split(folder)).id
            item.etag_n += 1
            self._touch(item)

    def delete(self, item: Item) -> None:
        with self.lock:
            self.items.pop(item.id, None)
            self.change_no += 1
            self.tombstones[item.id] = self.change_no

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens.values():
                token.expires_at = 0

    def add_fault(
        self,
        action: str,
        *,
        path: str = ".*",
        method: str | None = None,
        host: str | None = None,
        times: int = 1,
        **args: Any,
    ) -> None:
        with self.lock:
            self.faults.append(Fault(action, re.compile(path), method, host, times, args))

    def throttle(
        self,
        path: str,
        *,
        status: int = 429,
        retry_after: str | None = "1",
        times: int = 1,
        method: str | None = None,
    ) -> None:
        self.add_fault(
            "throttle",
            path=path,
            status=status,
            retry_after=retry_after,
            times=times,
            method=method,
        )

    def token_error(
        self,
        status: int,
        error: str,
        code: int | None = None,
        *,
        retry_after: str | None = None,
        times: int = 1,
    ) -> None:
        self.add_fault(
            "token_error",
            path=r"/oauth2/v2\.0/token$",
            method="POST",
            times=times,
            status=status,
            error=error,
            code=code,
            retry_after=retry_after,
        )

    def graph_calls(self, method: str | None = None, path: str = "") -> list[Logged]:
        return [
            r
            for r in self.requests
            if r.path.startswith("/v1.0")
            and (method is None or r.method == method)
            and path in unquote(r.path)
        ]

    # -- request handling ------------------------------------------------------------------

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        host = (h.headers.get("Host") or "").rsplit(":", 1)[0]
        split = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        fault = self._take_fault(h.command, host, split.path)
        if fault and fault.action == "drop_request":
            h.rfile.read(min(length, int(fault.args["after_bytes"])))
            self._log(h, host, split, 0, length)
            _drop(h)
            return
        body = h.rfile.read(length) if length else b""
        with self.lock:
            reply = self._fault_reply(fault) if fault else None
            if reply is None:
                try:
                    reply = self._route(
                        h.command, host, split.path, parse_qs(split.query), h.headers, body
                    )
                except UnicodeDecodeError:
                    reply = _error(400, "invalidRequest", "Path is not valid UTF-8.")
        self._log(h, host, split, reply.status, length)
        if fault and fault.action == "lose_answer":  # stored, but the answer never leaves
            _drop(h)
            return
        if fault and fault.action == "delay":  # stored; answers after the client gave up
            time.sleep(float(fault.args["seconds"]))
        cut = int(fault.args["after_bytes"]) if fault and fault.action == "drop_response" else None
        self._send(h, reply, cut)

    def _send(self, h: BaseHTTPRequestHandler, reply: Reply, cut: int | None) -> None:
        h.send_response_only(reply.status)
        headers = {
            "Content-Type": "application/json",
            "request-id": str(uuid.uuid4()),
            "Date": email.utils.formatdate(self.now(), usegmt=True),
            "Content-Length": str(len(reply.body)),
            **reply.headers,
        }
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        if cut is None:
            h.wfile.write(reply.body)
            return
        h.wfile.write(reply.body[:cut])
        h.wfile.flush()
        _drop(h)

    def _log(self, h: BaseHTTPRequestHandler, host: str, split: Any, status: int, n: int) -> None:
        with self.lock:
            self.requests.append(
                Logged(
                    h.command,
                    host,
                    split.path,
                    split.query,
                    "Authorization" in h.headers,
                    status,
                    n,
                )
            )

    def _take_fault(self, method: str, host: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (
                    fault.times > 0
                    and fault.path.search(unquote(path))
                    and (fault.method in (None, method))
                    and fault.host in (None, host)
                ):
                    if fault.args.get("skip", 0) > 0:  # let the first `skip` matches through
                        fault.args["skip"] -= 1
                        continue
                    fault.times -= 1
                    return fault
        return None

    def _fault_reply(self, fault: Fault) -> Reply | None:
        args = fault.args
        if fault.action == "throttle":
            headers = {"Retry-After": args["retry_after"]} if args["retry_after"] else {}
            code = "activityLimitReached" if args["status"] == 429 else "serviceNotAvailable"
            return _error(
                args["status"], code, "Throttled", inner="throttledRequest", headers=headers
            )
        if fault.action == "status":
            return _error(
                args["status"],
                args.get("code", "generalException"),
                "Injected",
                inner=args.get("inner"),
            )
        if fault.action == "token_error":
            body: dict[str, Any] = {
                "error": args["error"],
                "error_description": f"AADSTS{args['code']}: injected",
            }
            if args["code"]:
                body["error_codes"] = [args["code"]]
            headers = {"Retry-After": args["retry_after"]} if args["retry_after"] else {}
            return Reply(args["status"], json.dumps(body).encode(), headers)
        return None  # drop_response, lose_answer, delay: the request is carried out

    def _route(
        self,
        method: str,
        host: str,
        path: str,
        query: dict[str, list[str]],
        headers: Any,
        body: bytes,
    ) -> Reply:
        if host == "localhost":
            return self._preauthenticated(method, path, headers, body)
        if path.startswith("/v1.0/"):
            return self._graph(method, path[len("/v1.0") :], query, headers, body)
        return self._identity(method, path, body)

    # -- identity --------------------------------------------------------------------------

    def _identity(self, method: str, path: str, body: bytes) -> Reply:
        m = re.fullmatch(
            r"/([^/]+)/(v2\.0/\.well-known/openid-configuration|oauth2/v2\.0/token|"
            r"oauth2/v2\.0/devicecode)",
            path,
        )
        if not m:
            return _error(404, "notFound", path)
        tenant, endpoint = m.groups()
        if tenant != self.tenant:
            return _oauth(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        base = f"{self.authority_url}/{tenant}"
        if endpoint.startswith("v2.0"):
            return _json(
                200,
                {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                },
            )
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if endpoint.endswith("devicecode"):
            return self._device_start(form)
        return self._token(form, f"{base}/oauth2/v2.0/token")

    def _token(self, form: dict[str, str], endpoint: str) -> Reply:
        grant = form.get("grant_type", "")
        app = self.apps.get(form.get("client_id", ""))
        if app is None:
            return _oauth(400, "unauthorized_client", 700016, "Application not found in tenant.")
        if grant == _DEVICE_GRANT:
            return self._device_poll(app, form)
        if grant == "refresh_token":
            user = self.refresh_tokens.pop(form.get("refresh_token", ""), "")
            if not user:
                return _oauth(400, "invalid_grant", 700082, "The refresh token has expired.")
            return self._issue(app, user=user)
        if grant != "client_credentials":
            return _oauth(400, "unsupported_grant_type", 70003, grant)
        if not form.get("scope", "").endswith("/.default"):
            return _oauth(400, "invalid_scope", 70011, "The provided scope is not valid.")
        if "client_secret" in form:
            if form["client_secret"] != app.secret:
                return _oauth(401, "invalid_client", 7000215, "Invalid client secret provided.")
            return self._issue(app)
        problem = self._check_assertion(app, form.get("client_assertion", ""), endpoint)
        return problem or self._issue(app)

    def _check_assertion(self, app: App, assertion: str, endpoint: str) -> Reply | None:
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return _oauth(401, "invalid_client", 700027, "Malformed client assertion.")
        key: Any = None
        for cert in app.certs:
            if header.get("x5t#S256", "").rstrip("=") == _b64(
                cert.fingerprint(hashes.SHA256())
            ) or header.get("x5t", "").rstrip("=") == _b64(cert.fingerprint(hashes.SHA1())):
                key = cert.public_key()
        if key is None:
            return _oauth(
                401, "invalid_client", 700027, "Key was not found (certificate not registered)."
            )
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=["PS256", "RS256"],
                audience=endpoint,
                issuer=app.client_id,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            return _oauth(401, "invalid_client", 700027, f"Assertion failed validation: {exc}")
        now = self.now()
        if claims.get("sub") != app.client_id or not (
            float(claims.get("nbf", claims["iat"])) - 300 <= now <= float(claims["exp"]) + 300
        ):
            return _oauth(
                401,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range.",
            )
        return None

    def _issue(self, app: App, user: str = "") -> Reply:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = Token(app.client_id, self.now() + self.token_lifetime, user)
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "ext_expires_in": self.token_lifetime,
            "access_token": token,
        }
        if user:
            refresh = secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = user
            oid = str(uuid.uuid5(uuid.NAMESPACE_DNS, user))
            claims = {
                "iss": f"{self.authority_url}/{self.tenant}/v2.0",
                "sub": oid,
                "oid": oid,
                "aud": app.client_id,
                "tid": self.tenant,
                "preferred_username": user,
                "iat": int(self.now()),
                "exp": int(self.now()) + 3600,
            }
            body.update(
                refresh_token=refresh,
                scope="https://graph.microsoft.com/.default",
                id_token=".".join(
                    [
                        _b64(json.dumps({"alg": "none"}).encode()),
                        _b64(json.dumps(claims).encode()),
                        "",
                    ]
                ),
                client_info=_b64(json.dumps({"uid": oid, "utid": self.tenant}).encode()),
            )
        return _json(200, body)

    def _device_start(self, form: dict[str, str]) -> Reply:
        code = secrets.token_urlsafe(16)
        self.refresh_tokens["device:" + code] = form.get("client_id", "")
        return _json(
            200,
            {
                "device_code": code,
                "user_code": "ABCD-1234",
                "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": 900,
                "interval": 0,
                "message": "Gå till https://microsoft.com/devicelogin och ange ABCD-1234.",
            },
        )

    def _device_poll(self, app: App, form: dict[str, str]) -> Reply:
        if self.refresh_tokens.get("device:" + form.get("device_code", "")) != app.client_id:
            return _oauth(400, "expired_token", 70020, "The device code has expired.")
        if self.device_pending > 0:
            self.device_pending -= 1
            return _oauth(400, "authorization_pending", 70016, "Pending.")
        del self.refresh_tokens["device:" + form["device_code"]]
        return self._issue(app, user="anna@kommun.example")

    # -- Graph -----------------------------------------------------------------------------

    def _graph(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes
    ) -> Reply:
        auth = headers.get("Authorization", "")
        token = self.tokens.get(auth.removeprefix("Bearer "))
        if token is None or token.expires_at <= self.now():
            return _error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
                headers={
                    "WWW-Authenticate": 'Bearer realm="", client_id='
                    '"00000003-0000-0000-c000-000000000000"'
                },
            )
        select = set(query.get("$select", [""])[0].split(",")) - {""}
        m = re.fullmatch(r"/sites/([^/:,]+):/(.*?):?", path)
        if m:
            return self._site_by_path(
                token, unquote(m.group(1)), "/" + "/".join(_split(m.group(2)))
            )
        m = re.fullmatch(r"/sites/([^/]+)/drives", path)
        if m:
            return self._drives(token, unquote(m.group(1)), path, query)
        m = re.fullmatch(
            r"/drives/([^/]+)/root(?::/(.+?))?(?::/(content|createUploadSession|"
            r"children))?:?",
            path,
        )
        if m:
            drive, raw, op = m.groups()
            return self._by_path(
                token, method, drive, _split(raw or ""), op, query, headers, body, select
            )
        m = re.fullmatch(r"/drives/([^/]+)/root/children", path)
        if m:
            return self._by_path(
                token, method, m.group(1), [], "children", query, headers, body, select
            )
        m = re.fullmatch(r"/drives/([^/]+)/(?:items/([^/]+)|root)/delta", path)
        if m:
            return self._delta(token, m.group(1), m.group(2), path, query)
        m = re.fullmatch(r"/drives/([^/]+)/items/([^/]+)(?:/(content|children))?", path)
        if m:
            return self._by_id(token, method, m.group(1), m.group(2), m.group(3), query, select)
        return _error(400, "invalidRequest", f"Unsupported path {path}")

    def _allowed(self, token: Token, site_id: str, write: bool) -> bool:
        role = self.grants.get((token.client_id, site_id), "")
        return role in ("write", "owner", "fullcontrol") or (role == "read" and not write)

    def _denied(self) -> Reply:
        return _error(
            403, "accessDenied", "Either scp or roles claim need to be present in the token."
        )

    def _site_by_path(self, token: Token, host: str, path: str) -> Reply:
        for site_id, site in self.sites.items():
            if site["host"] == host and site["path"].casefold() == path.casefold():
                if not self._allowed(token, site_id, write=False):
                    return self._denied()
                return _json(
                    200,
                    {
                        "id": site_id,
                        "name": site["name"],
                        "webUrl": f"https://{host}{site['path']}",
                    },
                )
        return _error(404, "itemNotFound", "Requested site could not be found")

    def _drives(self, token: Token, site_id: str, path: str, query: dict[str, list[str]]) -> Reply:
        if site_id not in self.sites:
            return _error(404, "itemNotFound", "Site not found")
        if not self._allowed(token, site_id, write=False):
            return self._denied()
        site = self.sites[site_id]
        drives = [
            {
                "id": d,
                "name": info["name"],
                "driveType": "documentLibrary",
                "webUrl": f"https://{site['host']}{site['path']}/{quote(info['segment'])}",
            }
            for d, info in self.drives.items()
            if info["site"] == site_id
        ]
        return self._page(drives, "/v1.0" + path, query)

    def _page(self, values: list[dict[str, Any]], path: str, query: dict[str, list[str]]) -> Reply:
        start = int(query.get("$skiptoken", ["0"])[0])
        body: dict[str, Any] = {"value": values[start : start + self.page_size]}
        if start + self.page_size < len(values):
            rest = {k: v[0] for k, v in query.items() if k != "$skiptoken"}
            rest["$skiptoken"] = str(start + self.page_size)
            body["@odata.nextLink"] = f"https://127.0.0.1:{self.port}{path}?{urlencode(rest)}"
        return _json(200, body)

    def _by_path(
        self,
        token: Token,
        method: str,
        drive: str,
        segments: list[str],
        op: str | None,
        query: dict[str, list[str]],
        headers: Any,
        body: bytes,
        select: set[str],
    ) -> Reply:
        info = self.drives.get(drive)
        if info is None:
            return _error(404, "itemNotFound", "Drive not found")
        write = method != "GET"
        if not self._allowed(token, info["site"], write):
            return self._denied()
        if write:
            problem = self._name_problem(info["name"], segments)
            if problem:
                return problem
        if op == "content" and method == "PUT":
            behaviour = query.get("@microsoft.graph.conflictBehavior", ["replace"])[0]
            return self._write(
                drive,
                segments,
                body,
                behaviour,
                headers.get("If-Match"),
                token.client_id,
                limit=True,
            )
        if op == "createUploadSession" and method == "POST":
            return self._create_session(drive, segments, body, headers.get("If-Match"), token)
        item = self._walk(drive, segments)
        if item is None:
            return _error(404, "itemNotFound", "The resource could not be found.")
        return self._read(item, op, query, select)

    def _by_id(
        self,
        token: Token,
        method: str,
        drive: str,
        item_id: str,
        op: str | None,
        query: dict[str, list[str]],
        select: set[str],
    ) -> Reply:
        info = self.drives.get(drive)
        item = self.items.get(item_id)
        if info is None or item is None or item.drive != drive:
            return _error(404, "itemNotFound", "The resource could not be found.")
        if not self._allowed(token, info["site"], write=method != "GET"):
            return self._denied()
        return self._read(item, op, query, select)

    def _read(
        self, item: Item, op: str | None, query: dict[str, list[str]], select: set[str]
    ) -> Reply:
        if op == "content":
            ticket = secrets.token_urlsafe(12)
            self.downloads[ticket] = item.data
            return Reply(302, b"", {"Location": f"https://localhost:{self.port}/_dl/{ticket}"})
        if op == "children":
            kids = sorted(
                (i for i in self.items.values() if i.parent == item.id), key=lambda i: i.name
            )
            return self._page(
                [self._item_json(i, select) for i in kids],
                f"/v1.0/drives/{item.drive}/items/{item.id}/children",
                query,
            )
        return _json(200, self._item_json(item, select))

    def _name_problem(self, library: str, segments: list[str]) -> Reply | None:
        for name in segments:
            if (
                set(name) & _FORBIDDEN
                or name != name.strip(" ")
                or _RESERVED.match(name)
                or name.startswith("~$")
            ):
                return _error(400, "invalidRequest", "Invalid name", inner="invalidPath")
        if len("/".join([library, *segments])) >= 400:
            return _error(400, "invalidRequest", "Path too long", inner="pathIsTooLong")
        return None

    def _write(
        self,
        drive: str,
        segments: list[str],
        data: bytes,
        behaviour: str,
        if_match: str | None,
        client_id: str,
        *,
        limit: bool,
    ) -> Reply:
        if limit and self.strict_simple_limit and len(data) > SIMPLE_LIMIT:
            return _error(413, "maxFileSizeExceeded", "Use an upload session above 4 MiB.")
        existing = self._walk(drive, segments)
        if if_match and (existing is None or if_match not in (existing.etag, existing.ctag)):
            return _error(
                412, "resourceModified", "ETag does not match.", inner="entityTagDoesNotMatch"
            )
        if existing is not None and behaviour == "fail":
            return _error(409, "nameAlreadyExists", "The specified item name already exists.")
        if existing is not None and existing.locked:
            return _error(
                423,
                "notAllowed",
                "The resource you are attempting to access is locked",
                inner="resourceLocked",
            )
        if segments[-1].lower().endswith((".docx", ".xlsx")):
            # SharePoint rewrites Office files it stores
            data = _demote(data) if self.demote_properties else data
            data = data + self.enrichment
        by = {
            "application": {"id": client_id, "displayName": "docautomation"},
            "user": {"displayName": "SharePoint App"},
        }
        if existing is not None:
            existing.data, existing.modified_by = data, by
            existing.etag_n += 1
            existing.ctag_n += 1
            existing.uploads += 1
            self._touch(existing)
            return _json(200, self._item_json(existing, set()))
        parent = self._ensure_folders(drive, segments[:-1])
        item = Item(
            self._new_id(), segments[-1], drive, parent.id, data=data, modified_by=by, uploads=1
        )
        self.items[item.id] = item
        self._touch(item)
        return _json(201, self._item_json(item, set()))

    def _create_session(
        self, drive: str, segments: list[str], body: bytes, if_match: str | None, token: Token
    ) -> Reply:
        behaviour = (
            json.loads(body or b"{}")
            .get("item", {})
            .get("@microsoft.graph.conflictBehavior", "fail")
        )
        existing = self._walk(drive, segments)
        if if_match and (existing is None or if_match not in (existing.etag, existing.ctag)):
            return _error(412, "resourceModified", "ETag does not match.")
        if existing is not None and behaviour == "fail":
            return _error(409, "nameAlreadyExists", "The specified item name already exists.")
        sid = secrets.token_urlsafe(12)
        self.sessions[sid] = UploadSession(drive, segments, behaviour, if_match, token.client_id)
        return _json(
            200,
            {
                "uploadUrl": f"https://localhost:{self.port}/_up/{sid}",
                "expirationDateTime": _iso(self.now() + 3600),
                "nextExpectedRanges": ["0-"],
            },
        )

    def _preauthenticated(self, method: str, path: str, headers: Any, body: bytes) -> Reply:
        if path.startswith("/_dl/"):
            self.download_auth_seen |= "Authorization" in headers
            data = self.downloads.get(path[len("/_dl/") :])
            if data is None:
                return _error(401, "unauthenticated", "Download URL expired.")
            return Reply(200, data, {"Content-Type": "application/octet-stream"})
        session = self.sessions.get(path[len("/_up/") :])
        if session is None:
            return _error(
                404, "itemNotFound", "Upload session not found.", inner="uploadSessionNotFound"
            )
        if method == "DELETE":
            del self.sessions[path[len("/_up/") :]]
            return Reply(204)
        if method == "GET":
            ranges = [] if session.finished else [f"{len(session.received)}-"]
            return _json(200, {"nextExpectedRanges": ranges})
        if "Authorization" in headers:
            self.upload_auth_seen = True
            return _error(401, "unauthenticated", "No Authorization header on upload URLs.")
        return self._fragment(path[len("/_up/") :], session, headers, body)

    def _fragment(self, sid: str, session: UploadSession, headers: Any, body: bytes) -> Reply:
        m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", headers.get("Content-Range", ""))
        if not m:
            return _error(400, "invalidRequest", "Bad Content-Range")
        start, end, total = map(int, m.groups())
        if session.finished:
            if self.finished_session_answer == 409:
                return _error(409, "nameAlreadyExists", "The specified item name already exists.")
            return _error(416, "invalidRange", "Already received", inner="fragmentOverlap")
        if end - start + 1 != len(body) or (session.total not in (None, total)):
            return _error(400, "invalidRequest", "Length mismatch", inner="fragmentLengthMismatch")
        session.total = total
        if start != len(session.received):
            inner = "fragmentOverlap" if start < len(session.received) else "fragmentOutOfOrder"
            return _error(416, "invalidRange", "Unexpected range", inner=inner)
        if end + 1 < total and len(body) % FRAGMENT_UNIT:
            session.bad_fragment = True
        session.received += body
        if len(session.received) < total:
            return _json(
                202,
                {
                    "expirationDateTime": _iso(self.now() + 3600),
                    "nextExpectedRanges": [f"{len(session.received)}-"],
                },
            )
        if self.finished_session_answer is None:
            del self.sessions[sid]
        session.finished = True
        if session.bad_fragment:
            return _error(500, "generalException", "Fragment sizes were not multiples of 320 KiB.")
        return self._write(
            session.drive,
            session.segments,
            bytes(session.received),
            session.behaviour,
            session.if_match,
            session.client_id,
            limit=False,
        )

    # -- delta -----------------------------------------------------------------------------

    def _delta(
        self, token: Token, drive: str, item_id: str | None, path: str, query: dict[str, list[str]]
    ) -> Reply:
        """Changes under a folder since a token: SharePoint's shape (no cTag, no parent path)."""
        info = self.drives.get(drive)
        scope = self.items.get(item_id or (info or {}).get("root", ""))
        if info is None or scope is None or scope.drive != drive:
            return _error(404, "itemNotFound", "The resource could not be found.")
        if not self._allowed(token, info["site"], write=False):
            return self._denied()
        link = f"https://127.0.0.1:{self.port}/v1.0{path}"
        since = query.get("token", ["0"])[0]
        if since == "latest":
            return _json(200, {"value": [], "@odata.deltaLink": f"{link}?token={self.change_no}"})
        changes = [(i.changed, self._delta_json(i)) for i in self.items.values()]
        changes = [c for c in changes if c[0] > int(since) and self._under(c[1]["id"], scope)]
        changes += [
            (n, {"id": i, "deleted": {"state": "deleted"}})
            for i, n in self.tombstones.items()
            if n > int(since)
        ]
        changes.sort(key=lambda c: c[0])
        skip = int(query.get("skip", ["0"])[0])
        body: dict[str, Any] = {"value": [c[1] for c in changes[skip : skip + self.page_size]]}
        if skip + self.page_size < len(changes):
            body["@odata.nextLink"] = f"{link}?token={since}&skip={skip + self.page_size}"
        else:
            body["@odata.deltaLink"] = f"{link}?token={self.change_no}"
        return _json(200, body)

    def _delta_json(self, item: Item) -> dict[str, Any]:
        data = self._item_json(item, set())
        data.pop("cTag", None)
        data["parentReference"].pop("path", None)
        return data

    def _under(self, item_id: str, scope: Item) -> bool:
        node = self.items.get(item_id)
        while node is not None:
            if node.id == scope.id:
                return True
            node = self.items.get(node.parent or "")
        return False

    # -- tree helpers ----------------------------------------------------------------------

    def _touch(self, item: Item) -> None:
        self.change_no += 1
        item.changed = self.change_no

    def _new_id(self) -> str:
        return base64.b32encode(secrets.token_bytes(21)).decode()[:34]

    def _walk(self, drive: str, segments: list[str]) -> Item | None:
        info = self.drives.get(drive)
        if info is None:
            return None
        item: Item | None = self.items[info["root"]]
        for name in segments:
            key = _key(name)
            parent = item.id if item is not None else ""
            item = next(
                (i for i in self.items.values() if i.parent == parent and _key(i.name) == key),
                None,
            )
            if item is None:
                return None
        return item

    def _ensure_folders(self, drive: str, segments: list[str]) -> Item:
        item = self.items[self.drives[drive]["root"]]
        for name in segments:
            found = next(
                (
                    i
                    for i in self.items.values()
                    if i.parent == item.id and _key(i.name) == _key(name)
                ),
                None,
            )
            if found is None:
                found = Item(self._new_id(), name, drive, item.id, folder=True)
                self.items[found.id] = found
                self._touch(found)
            item = found
        return item

    def _path_of(self, item: Item) -> str:
        names: list[str] = []
        node: Item | None = self.items.get(item.parent or "")
        while node is not None and node.parent is not None:
            names.append(node.name)
            node = self.items.get(node.parent)
        return "/".join(reversed(names))

    def _item_json(self, item: Item, select: set[str]) -> dict[str, Any]:
        parent_path = self._path_of(item)
        data: dict[str, Any] = {
            "id": item.id,
            "name": item.name,
            "eTag": item.etag,
            "size": len(item.data),
            "lastModifiedDateTime": _iso(self.now()),
            "lastModifiedBy": item.modified_by,
            "parentReference": {
                "driveId": item.drive,
                "id": item.parent,
                "path": f"/drives/{item.drive}/root:"
                + (f"/{quote(parent_path)}" if parent_path else ""),
            },
        }
        if item.folder:
            data["folder"] = {
                "childCount": sum(1 for i in self.items.values() if i.parent == item.id)
            }
        else:
            data["cTag"] = item.ctag
            data["file"] = {
                "mimeType": "application/octet-stream",
                "hashes": {"sha256Hash": hashlib.sha256(item.data).hexdigest()},
            }
        return {k: v for k, v in data.items() if not select or k in select}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeGraph, ctx: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.ctx = ctx

    def get_request(self) -> tuple[Any, Any]:
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls
        # Handshake in the handler thread, so a slow client never blocks the accept loop.
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # dropped connections are part of the tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    wbufsize = -1  # headers and body leave in one write; handle_one_request flushes
    server: _Server

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        self.server.fake.handle(self)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch


def _drop(h: BaseHTTPRequestHandler) -> None:
    h.close_connection = True
    with contextlib.suppress(OSError):
        h.request.shutdown(socket.SHUT_RDWR)


_DEMOTION_PARTS = {
    "customXml/item1.xml": b"<p:properties>SharePoint</p:properties>",
    "customXml/itemProps1.xml": b"<ds:datastoreItem/>",
}


def _demote(data: bytes) -> bytes:
    """What SharePoint's property demotion does to a stored package: new document properties,
    a customXml part related from the main part, other content types; the document is kept."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return data
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in _DEMOTION_PARTS:
                continue
            body = source.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/customXml/itemProps1.xml" ContentType='
                    b'"application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/>'
                    b"</Types>",
                )
            elif info.filename.endswith("document.xml.rels"):
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSp1" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/customXml" '
                    b'Target="../customXml/item1.xml"/></Relationships>',
                )
            elif info.filename == "docProps/core.xml":
                body = body.replace(b"</cp:coreProperties>", b"<!--sp--></cp:coreProperties>")
            target.writestr(info.filename, body)
        for name, body in _DEMOTION_PARTS.items():
            target.writestr(name, body)
    return out.getvalue()


def _split(path: str) -> list[str]:
    return [unquote(s, errors="strict") for s in path.split("/") if s]


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _user(name: str) -> dict[str, Any]:
    return {"user": {"displayName": name, "email": f"{name.split()[0].lower()}@kommun.example"}}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _json(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body).encode())


def _error(
    status: int,
    code: str,
    message: str,
    *,
    inner: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "innerError": {"date": _iso(time.time()), "request-id": str(uuid.uuid4())},
    }
    if inner:
        error["innerError"]["code"] = inner
    return Reply(status, json.dumps({"error": error}).encode(), dict(headers or {}))


def _oauth(status: int, error: str, code: int, text: str) -> Reply:
    return _json(
        status,
        {"error": error, "error_description": f"AADSTS{code}: {text}", "error_codes": [code]},
    )


Callback = Callable[[FakeGraph], None]
