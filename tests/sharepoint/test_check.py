"""sync --check: each missing piece is named precisely, and nothing is changed anywhere."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography import x509

from docautomation.sharepoint import check
from tests.sharepoint.conftest import CLIENT_ID, Tenant, make_client_cert


def snapshot(tenant: Tenant) -> tuple[int, int]:
    return len(tenant.fake.items), len(tenant.fake.sessions)


def test_all_good_reports_each_step_and_writes_nothing(tenant: Tenant) -> None:
    """Every step says ok with what it found; no file appears anywhere."""
    settings = tenant.settings("certificate")
    before = snapshot(tenant)
    lines: list[str] = []
    assert check(settings, echo=lines.append) == []
    assert lines[0].startswith(f"Certifikat: ok ({settings.sharepoint.certificate_path}, giltigt")
    assert lines[1:] == [
        f"Inloggning: ok (certificate, appen {CLIENT_ID})",
        "Webbplats: ok (contoso.sharepoint.com:/sites/castor)",
        "Bibliotek: ok (Dokument)",
        "Registerfil: ok (Styrelsen/Register 2021.xlsx: Register 2021.xlsx, 23 byte)",
        (
            "Utmapp: ok (Dokument från docautomation finns inte ännu och skapas vid första "
            "uppladdningen)"
        ),
        "Skrivbehörighet: ok",
        "Klocka: ok",
    ]
    assert snapshot(tenant) == before and not settings.outbox.exists()


def test_a_failed_step_is_named_and_the_steps_that_need_it_are_not_checked(
    tenant: Tenant,
) -> None:
    """A wrong library: site ok, library with the reason, the rest "inte kontrollerad"."""
    lines: list[str] = []
    (problem,) = check(tenant.settings(library="Dokumnet"), echo=lines.append)
    assert [line.split(":")[0] for line in lines] == [
        "Inloggning",
        "Webbplats",
        "Bibliotek",
        "Registerfil",
        "Utmapp",
        "Skrivbehörighet",
        "Klocka",
    ]
    assert lines[2] == f"Bibliotek: {problem}" and "Bibliotek som finns: Arkiv, Dokument" in problem
    assert lines[3:6] == [
        f"{step}: inte kontrollerad (bibliotek gick inte)"
        for step in ("Registerfil", "Utmapp", "Skrivbehörighet")
    ]


def test_wrong_secret_is_the_only_problem_reported(tenant: Tenant) -> None:
    """A failed sign-in stops the check with the AADSTS explanation."""
    problems = check(tenant.settings(client_secret="fel"))
    assert len(problems) == 1 and "AADSTS7000215" in problems[0]


def test_missing_grant_says_which_permission_to_ask_for(tenant: Tenant) -> None:
    """No site grant: the problem names Sites.Selected, the role and the app."""
    tenant.fake.grants.clear()
    (problem,) = check(tenant.settings())
    assert "Sites.Selected" in problem and '"write"' in problem and CLIENT_ID in problem


def test_read_only_grant_fails_only_the_write_check(tenant: Tenant) -> None:
    """With a read grant the register is found and the output folder check names the role."""
    tenant.fake.grant(CLIENT_ID, tenant.site_id, "read")
    lines: list[str] = []
    (problem,) = check(tenant.settings(), echo=lines.append)
    assert "har inte skrivbehörighet" in problem
    assert lines[3:6] == [
        "Registerfil: ok (Styrelsen/Register 2021.xlsx: Register 2021.xlsx, 23 byte)",
        (
            "Utmapp: ok (Dokument från docautomation finns inte ännu och skapas vid första "
            "uppladdningen)"
        ),
        f"Skrivbehörighet: {problem}",
    ]


def test_wrong_register_path_is_named(tenant: Tenant) -> None:
    """A register path that does not exist names the setting; the output folder and write
    access are still checked."""
    lines: list[str] = []
    (problem,) = check(tenant.settings(register_path="Styrelsen/Registr.xlsx"), echo=lines.append)
    assert lines[3] == f"Registerfil: {problem}" and lines[5] == "Skrivbehörighet: ok"
    assert 'Registret "Styrelsen/Registr.xlsx" finns inte' in problem
    assert "sharepoint.register_path" in problem


def test_missing_configuration_is_listed_before_any_network_call(tenant: Tenant) -> None:
    """Empty tenant and client ids: one ConfigError line, no request made."""
    problems = check(tenant.settings(tenant_id="", client_id=""))
    assert problems == [
        (
            "SharePoint-synkroniseringen saknar inställningar: sharepoint.tenant_id, "
            "sharepoint.client_id (se docs/sharepoint.md)."
        )
    ]
    assert tenant.fake.requests == []


def test_expiring_certificate_is_a_problem(tenant: Tenant, tmp_path: Path) -> None:
    """A certificate expiring within 30 days is reported with its date and thumbprint."""
    soon = make_client_cert(days=5)
    pem = tmp_path / "soon.pem"
    pem.write_bytes(soon.key_pem + soon.cert_pem)
    tenant.fake.apps[CLIENT_ID].certs.append(x509.load_pem_x509_certificate(soon.cert_pem))
    problems = check(tenant.settings("certificate", certificate_path=str(pem)))
    assert len(problems) == 1 and "går ut" in problems[0]


def test_clock_skew_against_sharepoint_is_reported(tenant: Tenant) -> None:
    """A server Date far from the local clock is flagged (certificate sign-in would fail)."""
    tenant.fake.clock_offset = -900  # the server's clock; the assertion window is checked too
    problems = check(tenant.settings())
    assert len(problems) == 1 and re.search(r"klocka går \+90[01] s fel .* UTC\)", problems[0])
