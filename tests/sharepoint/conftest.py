"""Fixtures for the SharePoint tests: a started FakeGraph, a client certificate, settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from docautomation.config import Settings, SharePointSettings
from tests.sharepoint.fakegraph import FakeGraph

CLIENT_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
SECRET = "hemligt-värde~123"
CERT_PASSWORD = "lösen-ord"
HOST = "contoso.sharepoint.com"
REGISTER_PATH = "Styrelsen/Register 2021.xlsx"
REGISTER_BYTES = b"PK\x03\x04 register version 1"


@dataclass(frozen=True)
class ClientCert:
    key_pem: bytes
    cert_pem: bytes
    pfx: bytes


def make_client_cert(days: int = 365) -> ClientCert:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "docautomation")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pfx = pkcs12.serialize_key_and_certificates(
        b"docautomation",
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(CERT_PASSWORD.encode()),
    )
    return ClientCert(key_pem, cert.public_bytes(serialization.Encoding.PEM), pfx)


@pytest.fixture(scope="session")
def client_cert() -> ClientCert:
    return make_client_cert()


@dataclass
class Tenant:
    """A started FakeGraph with one site, two libraries, the register and a write grant."""

    fake: FakeGraph
    site_id: str
    drive_id: str
    root: Path
    cert: ClientCert

    def settings(self, auth: str = "secret", **changes: Any) -> Settings:
        pem = self.root / "client.pem"
        if not pem.exists():
            pem.write_bytes(self.cert.key_pem + self.cert.cert_pem)
        sp = SharePointSettings(
            tenant_id=self.fake.tenant,
            client_id=CLIENT_ID,
            site=f"{HOST}:/sites/castor",
            library="Dokument",
            register_path=REGISTER_PATH,
            auth=auth,
            certificate_path=str(pem),
            authority_url=self.fake.authority_url,
            graph_url=self.fake.graph_url,
            timeout=5.0,
            ca_bundle=str(self.fake.ca_path),
            client_secret=SECRET if auth == "secret" else "",
        )
        return Settings(
            inbox=self.root / "inbox",
            outbox=self.root / "outbox",
            templates=self.root / "templates",
            sharepoint=replace(sp, **changes),
        )

    def register(self) -> Any:
        return self.fake.find(self.drive_id, REGISTER_PATH)

    def output(self, relpath: str) -> Any:
        return self.fake.find(self.drive_id, "Dokument från docautomation/" + relpath)


@pytest.fixture
def tenant(tmp_path: Path, client_cert: ClientCert) -> Iterator[Tenant]:
    with FakeGraph(tmp_path) as fake:
        fake.add_app(CLIENT_ID, secret=SECRET, certificate_pem=client_cert.cert_pem)
        site = fake.add_site(HOST, "/sites/castor")
        fake.add_drive(site, "Arkiv", "Arkiv")
        drive = fake.add_drive(site, "Dokument", "Delade dokument")
        fake.put_file(drive, REGISTER_PATH, REGISTER_BYTES)
        fake.grant(CLIENT_ID, site, "write")
        yield Tenant(fake, site, drive, tmp_path, client_cert)
