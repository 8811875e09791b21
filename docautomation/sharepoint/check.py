"""sync --check: each step the sync needs, with "ok" or the reason, changing nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..config import Settings, SharePointSettings
from ..errors import ConfigError, SyncError
from .auth import TokenProvider, certificate_expiry_warning, load_certificate
from .graph import GraphDriveClient
from .runner import permission_hint, validate_settings
from .state import SyncPaths
from .sync import Echo
from .transport import GraphTransport, RetryPolicy, make_session

MAX_CLOCK_SKEW = 300.0  # seconds; certificate assertions are refused beyond a few minutes

Step = tuple[str, Callable[[], str]]  # (name, check returning a detail or "")


def check(settings: Settings, *, echo: Echo | None = None) -> list[str]:
    """Check everything the sync needs; returns the problems (empty when all is well).

    Each step goes to `echo` as "<step>: ok" (with a detail) or "<step>: <reason>"; a step
    that needs an earlier one that failed is "inte kontrollerad". Nothing is written: no state,
    no token cache, no file in SharePoint (write access is tested by opening an upload session
    and cancelling it).
    """
    say = echo or (lambda _line: None)
    sp = settings.sharepoint
    try:
        validate_settings(sp)
    except ConfigError as exc:
        say(f"Inställningar: {exc}")
        return [str(exc)]
    with make_session(sp.ca_bundle, sp.timeout) as session:
        tokens = TokenProvider(
            sp,
            session,
            cache_path=SyncPaths(settings.outbox).token_cache,
            persist=False,
            prompt=None,  # --check never starts an interactive sign-in
        )
        transport = GraphTransport(
            session,
            sp.graph_url,
            tokens,
            permission_hint=permission_hint(sp),
            policy=RetryPolicy(attempts=3, max_total_wait=60.0),
        )
        steps = _Steps(sp, tokens, GraphDriveClient(transport, sp))
        # An expiring certificate still signs in: its step blocks nothing.
        problems = _run([], _certificate_step(settings), say)
        problems += _run(steps.chain(), steps.after(), say)
        problems += _check_clock(transport.server_date, say)
    return problems


class _Steps:
    """The network steps; each returns a detail for its "ok" line or raises the reason."""

    def __init__(
        self, sp: SharePointSettings, tokens: TokenProvider, client: GraphDriveClient
    ) -> None:
        self._sp, self._tokens, self._client = sp, tokens, client

    def chain(self) -> list[Step]:
        """Sign-in, site, library: each needs the one before."""
        return [("Inloggning", self.sign_in), ("Webbplats", self.site), ("Bibliotek", self.library)]

    def after(self) -> list[Step]:
        """Register file, output folder, write access: each needs only the library."""
        return [
            ("Registerfil", self.register),
            ("Utmapp", self.folder),
            ("Skrivbehörighet", self.write),
        ]

    def sign_in(self) -> str:
        self._tokens.token()
        return f"{self._sp.auth}, appen {self._sp.client_id}"

    def site(self) -> str:
        self._client.resolve_site()
        return self._sp.site

    def library(self) -> str:
        self._client.resolve_library()
        return self._sp.library

    def register(self) -> str:
        found = self._client.register()
        return f"{self._sp.register_path}: {found.name}, {found.size} byte"

    def folder(self) -> str:
        name = self._sp.output_folder or "bibliotekets rot"
        if self._client.output_folder_exists():
            return name
        return f"{name} finns inte ännu och skapas vid första uppladdningen"

    def write(self) -> str:
        self._client.probe_write()
        return ""


def _run(chain: list[Step], after: list[Step], say: Echo) -> list[str]:
    """Run `chain` in order (each needs the one before), then `after` (each needs the chain)."""
    problems: list[str] = []
    blocked = ""
    for index, (name, step) in enumerate([*chain, *after]):
        if blocked:
            say(f"{name}: inte kontrollerad ({blocked} gick inte)")
            continue
        try:
            detail = step()
        except (ConfigError, SyncError) as exc:
            say(f"{name}: {exc}")
            problems.append(str(exc))
            if index < len(chain):
                blocked = name.lower()
            continue
        say(f"{name}: ok ({detail})" if detail else f"{name}: ok")
    return problems


def _certificate_step(settings: Settings) -> list[Step]:
    sp = settings.sharepoint
    if sp.auth != "certificate":
        return []

    def certificate() -> str:
        cert = load_certificate(Path(sp.certificate_path), sp.certificate_password)
        warning = certificate_expiry_warning(cert)
        if warning:
            raise ConfigError(warning)
        return (
            f"{sp.certificate_path}, giltigt till {cert.not_after.date().isoformat()}, "
            f"tumavtryck {cert.thumbprint_sha1}"
        )

    return [("Certifikat", certificate)]


def _check_clock(server_date: float | None, say: Echo) -> list[str]:
    if server_date is None:
        return []
    skew = time.time() - server_date
    if abs(skew) <= MAX_CLOCK_SKEW:
        say("Klocka: ok")
        return []
    server = datetime.fromtimestamp(server_date, UTC).strftime("%Y-%m-%d %H:%M:%S")
    problem = (
        f"Datorns klocka går {skew:+.0f} s fel jämfört med SharePoint ({server} UTC); "
        "certifikatinloggning nekas när felet är mer än några minuter. Synkronisera klockan."
    )
    say(f"Klocka: {problem}")
    return [problem]
