"""Sign-in with the real msal against the stand-in: certificate, secret, device code, errors."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from docautomation.config import SharePointSettings
from docautomation.errors import AuthError, ConfigError, SyncError
from docautomation.sharepoint.auth import (
    TokenProvider,
    auth_error,
    certificate_expiry_warning,
    graph_scope,
    is_microsoft_authority,
    load_certificate,
)
from docautomation.sharepoint.transport import make_session
from tests.sharepoint.conftest import CERT_PASSWORD, SECRET, Tenant, make_client_cert


def provider(
    tenant: Tenant,
    auth: str = "secret",
    *,
    cache: Path | None = None,
    prompt: list[str] | None = None,
    **changes: object,
) -> TokenProvider:
    sp = tenant.settings(auth, **changes).sharepoint
    session = make_session(sp.ca_bundle, sp.timeout)
    return TokenProvider(
        sp, session, cache_path=cache, prompt=(prompt.append if prompt is not None else print)
    )


def token_posts(tenant: Tenant) -> int:
    return sum(1 for r in tenant.fake.requests if r.path.endswith("/oauth2/v2.0/token"))


def test_client_secret_signs_in(tenant: Tenant) -> None:
    """The secret from the environment gets a token from the token endpoint."""
    token = provider(tenant).token()
    assert token in tenant.fake.tokens and token_posts(tenant) == 1


def test_certificate_pem_signs_in_with_a_verified_assertion(tenant: Tenant) -> None:
    """A PEM key + certificate: msal signs a JWT the stand-in verifies against the public key."""
    assert provider(tenant, "certificate").token() in tenant.fake.tokens


def test_pfx_with_password_signs_in(tenant: Tenant) -> None:
    """A PFX is converted with cryptography; its password comes from the settings (env)."""
    pfx = tenant.root / "client.pfx"
    pfx.write_bytes(tenant.cert.pfx)
    token = provider(
        tenant, "certificate", certificate_path=str(pfx), certificate_password=CERT_PASSWORD
    ).token()
    assert token in tenant.fake.tokens


def test_pfx_with_wrong_password_names_the_variable_not_the_password(tenant: Tenant) -> None:
    """A wrong password says which environment variable to fix and never echoes it."""
    pfx = tenant.root / "client.pfx"
    pfx.write_bytes(tenant.cert.pfx)
    with pytest.raises(AuthError) as info:
        provider(
            tenant, "certificate", certificate_path=str(pfx), certificate_password="fel-lösen"
        ).token()
    assert "DOCAUTOMATION_CERT_PASSWORD är fel" in str(info.value)
    assert "fel-lösen" not in str(info.value)


def test_missing_certificate_file_is_reported(tenant: Tenant) -> None:
    """A certificate path that does not exist is named in the error."""
    with pytest.raises(AuthError, match="saknas.pem kan inte läsas"):
        provider(tenant, "certificate", certificate_path=str(tenant.root / "saknas.pem")).token()


def test_wrong_secret_gives_aadsts7000215_without_the_secret(tenant: Tenant) -> None:
    """invalid_client AADSTS7000215 becomes a precise Swedish message; the secret is not in it."""
    with pytest.raises(AuthError) as info:
        provider(tenant, client_secret="fel-hemlighet-42").token()
    message = str(info.value)
    assert "klienthemligheten är fel (AADSTS7000215, invalid client secret)" in message
    assert "fel-hemlighet-42" not in message and info.value.exit_code == 2


def test_missing_secret_names_the_environment_variable(tenant: Tenant) -> None:
    """auth = secret without DOCAUTOMATION_CLIENT_SECRET says where the secret goes."""
    with pytest.raises(AuthError, match="DOCAUTOMATION_CLIENT_SECRET"):
        provider(tenant, client_secret="").token()


def test_unregistered_certificate_gives_aadsts700027(tenant: Tenant) -> None:
    """A certificate IT never uploaded to the app registration is named as such."""
    other = make_client_cert()
    pem = tenant.root / "other.pem"
    pem.write_bytes(other.key_pem + other.cert_pem)
    with pytest.raises(AuthError, match=r"certifikatet godtogs inte \(AADSTS700027"):
        provider(tenant, "certificate", certificate_path=str(pem)).token()


def test_clock_skew_gives_aadsts700024_with_a_clock_hint(tenant: Tenant) -> None:
    """An assertion outside the server's time window points at the computer's clock."""
    tenant.fake.clock_offset = 3600
    with pytest.raises(AuthError, match="klocka går troligen fel"):
        provider(tenant, "certificate").token()


def test_unknown_tenant_is_reported_as_such(tenant: Tenant) -> None:
    """msal's discovery failure for an unknown tenant becomes AADSTS90002 guidance."""
    with pytest.raises(AuthError, match="tenanten finns inte .*sharepoint.tenant_id"):
        provider(tenant, tenant_id="okand-tenant").token()


def test_token_endpoint_503_fails_softly_and_a_new_run_succeeds(tenant: Tenant) -> None:
    """A 5xx from the token endpoint is a transient SyncError (exit 1), not a sign-in error."""
    tenant.fake.token_error(503, "temporarily_unavailable", retry_after="1")
    with pytest.raises(SyncError) as info:
        provider(tenant).token()
    assert not isinstance(info.value, AuthError) and "försöker igen" in str(info.value)
    assert provider(tenant).token() in tenant.fake.tokens  # a new run has a fresh msal app


def test_token_cache_is_private_reused_and_holds_no_secret(tenant: Tenant) -> None:
    """The cache file is 0600, has no client secret, and the next run needs no token POST."""
    cache = tenant.root / "outbox" / ".docautomation" / "sharepoint" / "token-cache.json"
    first = provider(tenant, cache=cache).token()
    assert SECRET not in cache.read_text(encoding="utf-8")
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    assert provider(tenant, cache=cache).token() == first and token_posts(tenant) == 1


def test_invalidate_fetches_a_new_token(tenant: Tenant) -> None:
    """After a 401 the cached token is dropped and msal asks the token endpoint again."""
    tokens = provider(tenant)
    first = tokens.token()
    tokens.invalidate()
    assert tokens.token() != first and token_posts(tenant) == 2


def test_device_code_prompts_polls_and_then_refreshes_silently(tenant: Tenant) -> None:
    """Device code: the message reaches the prompt, pending ×2, then success; the next run
    uses the persisted refresh token without a new device flow."""
    tenant.fake.device_pending = 2
    cache = tenant.root / "device-cache.json"
    prompts: list[str] = []
    assert provider(tenant, "device", cache=cache, prompt=prompts).token() in tenant.fake.tokens
    assert prompts == ["Gå till https://microsoft.com/devicelogin och ange ABCD-1234."]
    later = provider(tenant, "device", cache=cache, prompt=prompts)
    later.invalidate()  # nothing built yet: a no-op
    assert later.token() in tenant.fake.tokens and len(prompts) == 1
    later.invalidate()
    assert later.token() in tenant.fake.tokens and len(prompts) == 1  # refreshed, no prompt
    assert sum(1 for r in tenant.fake.requests if r.path.endswith("/devicecode")) == 1


def test_device_code_without_a_person_present_does_not_start_a_flow(tenant: Tenant) -> None:
    """No prompt (a scheduled run, --check) and no cached login: a clear error, no device flow."""
    sp = tenant.settings("device").sharepoint
    tokens = TokenProvider(sp, make_session(sp.ca_bundle, sp.timeout), cache_path=None)
    with pytest.raises(AuthError, match="Ingen sparad inloggning med enhetskod"):
        tokens.token()
    assert not any(r.path.endswith("/devicecode") for r in tenant.fake.requests)


def test_unknown_error_keeps_its_first_line_and_redacts_secrets() -> None:
    """An unmapped error shows its code and first line; a secret in it is replaced by ***."""
    sp = SharePointSettings(tenant_id="t", client_id="c", client_secret="topphemligt")
    error = auth_error(
        {"error": "server_error", "error_description": "Something topphemligt broke\nTrace ID: 1"},
        sp,
    )
    assert str(error) == (
        "Inloggningen misslyckades för appen c i tenant t: server_error: Something *** broke."
    )


def test_certificate_expiry_is_warned_in_advance(tmp_path: Path) -> None:
    """A certificate expiring within 30 days yields a warning with its thumbprint."""
    soon = make_client_cert(days=10)
    pem = tmp_path / "soon.pem"
    pem.write_bytes(soon.key_pem + soon.cert_pem)
    warning = certificate_expiry_warning(load_certificate(pem, ""))
    assert warning is not None and "går ut" in warning and "tumavtryck" in warning
    last_day = make_client_cert(days=2)  # a few seconds less than 2 days: 1 day left
    pem.write_bytes(last_day.key_pem + last_day.cert_pem)
    assert "(om 1 dag)." in (certificate_expiry_warning(load_certificate(pem, "")) or "")


def test_certificate_path_is_required(tmp_path: Path) -> None:
    """An empty certificate_path is a configuration error."""
    with pytest.raises(ConfigError, match="certificate_path"):
        load_certificate(Path(""), "")


def test_only_microsoft_hosts_get_instance_discovery() -> None:
    """Sovereign clouds count as Microsoft's; a stand-in or proxy host does not."""
    assert is_microsoft_authority("https://login.microsoftonline.us")
    assert not is_microsoft_authority("https://127.0.0.1:4443")


def test_scope_follows_the_graph_url() -> None:
    """The .default scope belongs to the Graph host configured (sovereign clouds)."""
    sp = SharePointSettings(graph_url="https://graph.microsoft.us/v1.0")
    assert graph_scope(sp) == "https://graph.microsoft.us/.default"
    assert graph_scope(replace(sp, graph_url="https://graph.microsoft.com/v1.0")) == (
        "https://graph.microsoft.com/.default"
    )


def test_windows_token_cache_acl_is_set_before_the_file_takes_its_name(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """On Windows icacls restricts the temporary file (the ACL moves with the rename), so the
    cache never sits readable under its real name; an icacls failure is a warning."""
    import subprocess

    from docautomation.sharepoint import auth

    cache = tenant.root / "outbox" / ".docautomation" / "sharepoint" / "token-cache.json"
    calls: list[list[str]] = []

    def icacls(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        target = Path(args[1])
        assert target.is_file() and target != cache and not cache.exists()
        calls.append(args)
        return subprocess.CompletedProcess(args, 5, "", "Access is denied.\n")

    monkeypatch.setattr(auth, "_on_windows", lambda: True)
    monkeypatch.setattr(auth.subprocess, "run", icacls)
    monkeypatch.setenv("USERNAME", "svc-castor")
    monkeypatch.setenv("USERDOMAIN", "KOMMUN")
    provider(tenant, cache=cache).token()
    assert cache.is_file() and len(calls) == 1
    assert calls[0][0] == "icacls" and calls[0][-1] == "KOMMUN\\svc-castor:F"
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("icacls kod 5: Access is denied." in m for m in warned)
