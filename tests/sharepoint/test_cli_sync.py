"""The CLI's sync command wired to run_sync and check, against the stand-in."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from docautomation.cli.main import cli
from tests.sharepoint.conftest import CLIENT_ID, HOST, REGISTER_PATH, SECRET, Tenant


@pytest.fixture
def workdir(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A docautomation.toml for the stand-in; returns the endpoint flags."""
    (tenant.root / "docautomation.toml").write_text(
        f'inbox = "inbox"\noutbox = "outbox"\n[sharepoint]\ntenant_id = "{tenant.fake.tenant}"\n'
        f'client_id = "{CLIENT_ID}"\nsite = "{HOST}:/sites/castor"\n'
        f'register_path = "{REGISTER_PATH}"\nauth = "secret"\n'
        f'ca_bundle = "{tenant.fake.ca_path.as_posix()}"\nstable_wait = 0.1\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tenant.root)
    monkeypatch.setenv("DOCAUTOMATION_CLIENT_SECRET", SECRET)
    return ["--authority-url", tenant.fake.authority_url, "--graph-url", tenant.fake.graph_url]


def test_check_dry_run_and_once_through_the_cli(tenant: Tenant, workdir: list[str]) -> None:
    """--check passes, --dry-run shows the download (exit 1: changes pending), --once fetches
    the register after its second look (stable_wait from the file) and builds it."""
    runner = CliRunner()
    check = runner.invoke(cli, ["sync", "--check", *workdir])
    steps = [line.split(": ", 1) for line in check.output.splitlines()[:-1]]
    assert check.exit_code == 0 and check.output.endswith("\nAllt i ordning.\n")
    assert [name for name, _ in steps] == [
        "Inloggning",
        "Webbplats",
        "Bibliotek",
        "Registerfil",
        "Utmapp",
        "Skrivbehörighet",
        "Klocka",
    ]
    assert all(result.startswith("ok") for _, result in steps)
    dry = runner.invoke(cli, ["sync", "--dry-run", *workdir])
    assert dry.exit_code == 1 and dry.output.endswith("\nHämta: Register 2021.xlsx (nytt)\n")
    once = runner.invoke(cli, ["sync", "--once", *workdir])
    assert "Hämtade Register 2021.xlsx" in once.output
    # The stand-in's register is not a real workbook: the build in the same run says so.
    assert once.exit_code == 3 and "Register 2021.xlsx: Filen är trasig" in once.output
    assert (tenant.root / "inbox" / "Register 2021.xlsx").is_file()


def test_check_failure_exits_non_zero_with_the_reason(
    tenant: Tenant, workdir: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong secret: the AADSTS explanation on stderr and a non-zero exit code."""
    monkeypatch.setenv("DOCAUTOMATION_CLIENT_SECRET", "fel-hemlighet-9Z")
    result = CliRunner().invoke(cli, ["sync", "--check", *workdir])
    assert result.exit_code == 2 and result.output.startswith("Inloggning: ")
    assert "AADSTS7000215" in result.output.splitlines()[0]
    assert "Webbplats: inte kontrollerad (inloggning gick inte)" in result.output
    assert result.output.endswith("Åtgärda det som inte är ok ovan.\n")
    assert "fel-hemlighet-9Z" not in result.output
