"""sync --check: verify sign-in, site, library, register and write access, changing nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, SyncError
from .auth import TokenProvider, certificate_expiry_warning, load_certificate
from .graph import GraphDriveClient
from .runner import permission_hint, validate_settings
from .state import SyncPaths
from .sync import Echo
from .transport import GraphTransport, RetryPolicy, make_session

MAX_CLOCK_SKEW = 300.0  # seconds; certificate assertions are refused beyond a few minutes


def check(settings: Settings, *, echo: Echo | None = None) -> list[str]:
    """Check everything the sync needs; returns the problems (empty when all is well).

    Nothing is written: no state, no token cache, no file in SharePoint (write access is tested
    by opening an upload session and cancelling it). Each step that passes is reported to `echo`.
    """
    say = echo or (lambda _line: None)
    sp = settings.sharepoint
    try:
        validate_settings(sp)
        problems = _check_certificate(settings, say)
    except (ConfigError, SyncError) as exc:
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
        client = GraphDriveClient(transport, sp)
        try:
            tokens.token()
            say(f"Inloggning ({sp.auth}) för appen {sp.client_id}: ok")
            client.resolve()
            say(f'Webbplats "{sp.site}" och bibliotek "{sp.library}": ok')
            register = client.register()
            say(f'Register "{sp.register_path}": ok ({register.name}, {register.size} byte)')
        except SyncError as exc:
            return [*problems, str(exc)]
        problems += _check_output_folder(client, settings, say)
        problems += _check_clock(transport.server_date)
    return problems


def _check_certificate(settings: Settings, say: Echo) -> list[str]:
    sp = settings.sharepoint
    if sp.auth != "certificate":
        return []
    cert = load_certificate(Path(sp.certificate_path), sp.certificate_password)
    warning = certificate_expiry_warning(cert)
    if warning:
        return [warning]
    say(
        f"Certifikat {sp.certificate_path}: giltigt till {cert.not_after.date().isoformat()} "
        f"(tumavtryck {cert.thumbprint_sha1})"
    )
    return []


def _check_output_folder(client: GraphDriveClient, settings: Settings, say: Echo) -> list[str]:
    folder = settings.sharepoint.output_folder or "bibliotekets rot"
    try:
        exists = client.output_folder_exists()
        client.probe_write()
    except SyncError as exc:
        return [str(exc)]
    note = "" if exists else " (mappen finns inte ännu och skapas vid första uppladdningen)"
    say(f'Utmapp "{folder}": skrivbehörighet ok{note}')
    return []


def _check_clock(server_date: float | None) -> list[str]:
    if server_date is None:
        return []
    skew = time.time() - server_date
    if abs(skew) <= MAX_CLOCK_SKEW:
        return []
    server = datetime.fromtimestamp(server_date, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return [
        (
            f"Datorns klocka går {skew:+.0f} s fel jämfört med SharePoint ({server} UTC); "
            "certifikatinloggning nekas när felet är mer än några minuter. Synkronisera klockan."
        )
    ]
