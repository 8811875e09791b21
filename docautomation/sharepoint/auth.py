"""Sign-in with msal (the only module importing it): certificate, client secret or device code."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msal  # type: ignore[import-untyped]
import requests

from ..config import CERT_PASSWORD_ENV, SECRET_ENV, SharePointSettings
from ..errors import AuthError, ConfigError, SyncError
from ..fileio import write_atomically
from ..swedish import count

log = logging.getLogger(__name__)

AUTH_MODES = ("certificate", "secret", "device")
_MICROSOFT_HOSTS = frozenset(getattr(msal.authority, "WELL_KNOWN_AUTHORITY_HOSTS", ())) | {
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
}

# AADSTS code → what to tell the operator (Swedish, with the English name of the error).
_AADSTS: dict[int, str] = {
    7000215: "klienthemligheten är fel (AADSTS7000215, invalid client secret). Kontrollera att "
    f"{SECRET_ENV} innehåller hemlighetens värde, inte dess id",
    7000222: "klienthemligheten har gått ut (AADSTS7000222, expired client secret). Be IT skapa "
    f"en ny hemlighet och uppdatera {SECRET_ENV}",
    700027: "certifikatet godtogs inte (AADSTS700027, certificate not registered or signature "
    "mismatch). Be IT ladda upp certifikatets publika del (.cer/.pem) under appregistreringens "
    '"Certifikat och hemligheter"',
    700024: "klientintyget ligger utanför sitt giltighetsfönster (AADSTS700024, assertion not "
    "within its valid time range). Datorns klocka går troligen fel; synkronisera den",
    700016: "appen finns inte i den här tenanten (AADSTS700016, application not found). "
    "Kontrollera sharepoint.client_id och sharepoint.tenant_id",
    90002: "tenanten finns inte (AADSTS90002, invalid tenant). Kontrollera sharepoint.tenant_id",
    900023: "tenant-id har fel format (AADSTS900023, invalid tenant). Kontrollera "
    "sharepoint.tenant_id",
    70011: "behörigheten (scope) godtogs inte (AADSTS70011, invalid scope). Kontrollera "
    "sharepoint.graph_url",
    700082: "inloggningen har gått ut efter 90 dagar utan användning (AADSTS700082, refresh "
    "token expired). Kör synkroniseringen för hand och logga in igen",
    50076: "inloggningen kräver MFA (AADSTS50076). Kör synkroniseringen för hand och logga in igen",
    53003: "inloggningen stoppades av en policy för villkorsstyrd åtkomst (AADSTS53003, "
    "conditional access). Be IT tillåta appen eller använd certifikat",
    65001: "appen saknar administratörsmedgivande (AADSTS65001, consent required). Be IT ge "
    "medgivande till behörigheterna",
}
_ERRORS: dict[str, str] = {
    "authorization_declined": "inloggningen med enhetskod avbröts av användaren",
    "expired_token": "koden för enhetsinloggning gick ut innan någon loggade in; försök igen",
    "invalid_client": "appen kunde inte autentisera sig (invalid client); kontrollera hemlighet "
    "eller certifikat",
}


@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate and its unencrypted private key, in memory only."""

    private_key_pem: str
    certificate_pem: str
    not_after: datetime
    thumbprint_sha1: str


def authority(settings: SharePointSettings) -> str:
    """authority_url + "/" + tenant, e.g. https://login.microsoftonline.com/<tenant>."""
    return settings.authority_url.rstrip("/") + "/" + settings.tenant_id.strip()


def graph_scope(settings: SharePointSettings) -> str:
    """The ".default" scope of the Graph resource the graph URL points at (sovereign clouds too)."""
    parts = urlsplit(settings.graph_url)
    return f"{parts.scheme}://{parts.netloc}/.default"


def is_microsoft_authority(url: str) -> bool:
    """True when msal may ask Microsoft's instance discovery about this authority host."""
    return (urlsplit(url).hostname or "").lower() in _MICROSOFT_HOSTS


class TokenProvider:
    """Access tokens for Graph from msal; the msal app is built lazily and kept for the run.

    Args:
        settings: the [sharepoint] settings (credentials come from the environment).
        session: HTTP session msal uses (timeouts, CA bundle).
        cache_path: msal token cache file; None keeps tokens in memory only.
        persist: write the cache back to `cache_path` when it changed (False for --check).
        prompt: receives the device-code instructions for a person to follow; None means
            nobody is there to sign in (a device-code login must already be cached).
    """

    def __init__(
        self,
        settings: SharePointSettings,
        session: requests.Session,
        *,
        cache_path: Path | None,
        persist: bool = True,
        prompt: Callable[[str], None] | None = None,
    ) -> None:
        self._settings = settings
        self._session = session
        self._cache_path = cache_path
        self._persist = persist and cache_path is not None
        self._prompt = prompt
        self._cache = msal.SerializableTokenCache()
        self._app: Any = None
        self._force_refresh = False
        self._load_cache()

    def token(self) -> str:
        """A valid access token (from the cache when msal still trusts it)."""
        app = self._application()
        try:
            result = self._acquire(app)
        except (requests.RequestException, msal.exceptions.MsalServiceError) as exc:
            raise SyncError(
                f"Inloggningstjänsten {urlsplit(self._settings.authority_url).netloc} svarade "
                f"inte ({type(exc).__name__}); försöker igen vid nästa körning."
            ) from None
        self._save_cache()
        if "access_token" not in result:
            raise auth_error(result, self._settings)
        return str(result["access_token"])

    def invalidate(self) -> None:
        """Forget the cached access token so the next token() asks the identity platform."""
        if self._app is None:
            return
        if self._settings.auth == "device":
            self._force_refresh = True
        else:
            self._app.remove_tokens_for_client()

    def _acquire(self, app: Any) -> dict[str, Any]:
        scopes = [graph_scope(self._settings)]
        if self._settings.auth != "device":
            return dict(app.acquire_token_for_client(scopes=scopes))
        accounts = app.get_accounts()
        if accounts:
            force, self._force_refresh = self._force_refresh, False
            silent = app.acquire_token_silent(scopes, account=accounts[0], force_refresh=force)
            if silent and "access_token" in silent:
                return dict(silent)
        if self._prompt is None:
            raise AuthError(
                "Ingen sparad inloggning med enhetskod: kör 'docautomation sync --once' en gång "
                "i ett terminalfönster och logga in."
            )
        flow = app.initiate_device_flow(scopes=scopes)
        if "user_code" not in flow:
            return dict(flow)
        self._prompt(str(flow["message"]))
        return dict(app.acquire_token_by_device_flow(flow))

    def _application(self) -> Any:
        if self._app is None:
            self._app = self._build()
        return self._app

    def _build(self) -> Any:
        sp = self._settings
        options: dict[str, Any] = {
            "authority": authority(sp),
            "token_cache": self._cache,
            "http_client": self._session,
            "timeout": sp.timeout,
        }
        if not is_microsoft_authority(sp.authority_url):
            options["instance_discovery"] = False  # msal would ask login.microsoftonline.com
        try:
            if sp.auth == "device":
                return msal.PublicClientApplication(sp.client_id, **options)
            return msal.ConfidentialClientApplication(
                sp.client_id, client_credential=self._credential(), **options
            )
        except requests.RequestException as exc:
            raise SyncError(
                f"Kan inte nå inloggningstjänsten {urlsplit(sp.authority_url).netloc} "
                f"({type(exc).__name__}); försöker igen vid nästa körning."
            ) from None
        except ValueError as exc:
            raise AuthError(_authority_message(str(exc), sp)) from None

    def _credential(self) -> str | dict[str, str]:
        sp = self._settings
        if sp.auth == "secret":
            if not sp.client_secret:
                raise AuthError(
                    f"Ingen klienthemlighet: sätt miljövariabeln {SECRET_ENV} "
                    "(hemligheten får inte stå i konfigurationsfilen)."
                )
            return sp.client_secret
        cert = load_certificate(Path(sp.certificate_path), sp.certificate_password)
        return {"private_key": cert.private_key_pem, "public_certificate": cert.certificate_pem}

    def _load_cache(self) -> None:
        if self._cache_path is None or not self._cache_path.is_file():
            return
        try:
            self._cache.deserialize(self._cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning(
                "Tokencachen %s kunde inte läsas (%s); loggar in på nytt.",
                self._cache_path,
                type(exc).__name__,
            )

    def _save_cache(self) -> None:
        if not self._persist or not self._cache.has_state_changed or self._cache_path is None:
            return
        data = self._cache.serialize().encode("utf-8")
        try:
            write_atomically(self._cache_path, data, mode=0o600, prepare=restrict_to_owner)
        except OSError as exc:
            raise SyncError(f"Kan inte skriva {self._cache_path}: {exc.strerror or exc}") from exc
        self._cache.has_state_changed = False


def load_certificate(path: Path, password: str) -> Certificate:
    """Read a PEM (key + certificate) or PFX/P12 file; the key is kept unencrypted in memory only.

    Raises:
        ConfigError: no certificate path configured.
        AuthError: unreadable file, wrong password, or no key/certificate inside.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not str(path) or str(path) == ".":
        raise ConfigError("sharepoint.certificate_path saknas (sökväg till en PEM- eller PFX-fil).")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuthError(f"Certifikatfilen {path} kan inte läsas: {exc.strerror or exc}.") from None
    secret = password.encode("utf-8") if password else None
    try:
        if path.suffix.lower() in (".pfx", ".p12"):
            key, cert, _ = pkcs12.load_key_and_certificates(data, secret)
        else:
            key = _load_pem_key(data, secret)
            cert = x509.load_pem_x509_certificate(data)
    except (ValueError, TypeError) as exc:
        raise AuthError(_certificate_message(path, str(exc), bool(password))) from None
    if key is None or cert is None:
        raise AuthError(f"Certifikatfilen {path} saknar privat nyckel eller certifikat.")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return Certificate(
        private_key_pem=key_pem.decode("ascii"),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        not_after=cert.not_valid_after_utc,
        thumbprint_sha1=cert.fingerprint(hashes.SHA1()).hex().upper(),
    )


def _load_pem_key(data: bytes, secret: bytes | None) -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(data, secret)
    except TypeError as exc:
        if secret is None or "not encrypted" not in str(exc):
            raise
        return serialization.load_pem_private_key(data, None)  # a password set but not needed


def certificate_expiry_warning(cert: Certificate, *, days: int = 30) -> str | None:
    """A Swedish warning when the certificate has expired or expires within `days`."""
    left = (cert.not_after - datetime.now(UTC)).days
    when = cert.not_after.date().isoformat()
    if left < 0:
        return (
            f"Certifikatet (tumavtryck {cert.thumbprint_sha1}) gick ut {when}; be IT om ett nytt."
        )
    if left <= days:
        return (
            f"Certifikatet (tumavtryck {cert.thumbprint_sha1}) går ut {when} "
            f"(om {count(left, 'dag')})."
        )
    return None


def auth_error(result: dict[str, Any], settings: SharePointSettings) -> AuthError:
    """Turn an msal error result into an AuthError with a precise message and no secrets."""
    codes = [int(c) for c in result.get("error_codes") or [] if str(c).isdigit()]
    description = str(result.get("error_description", ""))
    codes += [int(c) for c in re.findall(r"AADSTS(\d+)", description)]
    error = str(result.get("error", "okänt fel"))
    detail = next((_AADSTS[c] for c in codes if c in _AADSTS), None) or _ERRORS.get(error)
    if detail is None:
        first = description.splitlines()[0] if description else ""
        detail = f"{error}: {first}".rstrip(": ")
    who = f"appen {settings.client_id} i tenant {settings.tenant_id}"
    return AuthError(redact(f"Inloggningen misslyckades för {who}: {detail}.", settings))


def redact(text: str, settings: SharePointSettings) -> str:
    """Remove the client secret and certificate password from a text, should one appear."""
    for secret in (settings.client_secret, settings.certificate_password):
        if secret:
            text = text.replace(secret, "***")
    return text


def _on_windows() -> bool:
    return sys.platform == "win32"


def restrict_to_owner(path: Path) -> None:
    """Best effort on Windows: drop inherited ACL entries and grant only the current user.

    On POSIX the file is already 0600 (write_atomically); Windows ignores POSIX modes. Called on
    the temporary file before it is renamed into place, so the cache is never readable by
    others under its real name; a failure is logged as a warning, never silently.
    """
    if not _on_windows():
        return
    user = os.environ.get("USERNAME", "")
    if not user:
        log.warning("Kan inte begränsa åtkomsten till %s: USERNAME är inte satt.", path)
        return
    domain = os.environ.get("USERDOMAIN", "")
    account = f"{domain}\\{user}" if domain else user
    try:
        done = subprocess.run(
            ["icacls", str(path), "/inheritance:r", "/grant:r", f"{account}:F"],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("Kan inte begränsa åtkomsten till %s (icacls: %s).", path, exc)
        return
    if done.returncode != 0:
        detail = (done.stderr or done.stdout or "").strip().splitlines()
        log.warning(
            "Kan inte begränsa åtkomsten till %s (icacls kod %d%s); andra konton kan läsa den.",
            path,
            done.returncode,
            f": {detail[0]}" if detail else "",
        )


def _certificate_message(path: Path, error: str, has_password: bool) -> str:
    lowered = error.lower()
    if "password" in lowered or "decrypt" in lowered or "encrypted" in lowered:
        if has_password:
            return f"Certifikatfilen {path} kunde inte öppnas: lösenordet i {CERT_PASSWORD_ENV} är fel."
        return (
            f"Certifikatfilen {path} är lösenordsskyddad: sätt miljövariabeln {CERT_PASSWORD_ENV}."
        )
    return (
        f"Certifikatfilen {path} kunde inte läsas som PEM (nyckel + certifikat) eller PFX: "
        f"{error.splitlines()[0] if error else 'okänt format'}."
    )


def _authority_message(error: str, settings: SharePointSettings) -> str:
    codes = [int(c) for c in re.findall(r"AADSTS(\d+)", error)]
    if 90002 in codes or "invalid_tenant" in error or "Unable to get authority" in error:
        detail = _AADSTS[90002]
    else:
        detail = redact(error.splitlines()[0] if error else "okänt fel", settings)
    return f"Inloggningen misslyckades för tenant {settings.tenant_id} ({authority(settings)}): {detail}."
