"""The output folder through Graph's delta query: changes by id, pages, 410 and a lost folder."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

from docautomation.config import Settings
from docautomation.sharepoint import run_sync
from docautomation.sharepoint.graph import GraphDriveClient
from tests.sharepoint.conftest import REGISTER_BYTES, Tenant
from tests.sharepoint.graphclient import OUT, make_client, write

NAMES = ["2021/A.docx", "2021/B.docx", "2021/Kallelser/K1.docx", "2021/Kallelser/K2.ics", "C.pdf"]


def uploaded_library(tenant: Tenant, tmp_path: Path) -> GraphDriveClient:
    """Five files under the output folder, read once (over pages of two)."""
    tenant.fake.page_size = 2
    client = make_client(tenant)
    for name in NAMES:
        client.upload(write(tmp_path, name, name.encode()), name, if_match=None)
    assert sorted(client.list_outputs()) == sorted(NAMES)
    return client


def fresh_listing(tenant: Tenant) -> dict[str, tuple[str, bool]]:
    """What a client without any remembered index sees (a full enumeration)."""
    return {p: (f.etag, f.modified_by_us) for p, f in make_client(tenant).list_outputs().items()}


def test_changes_arrive_by_id_and_match_a_full_enumeration(tenant: Tenant, tmp_path: Path) -> None:
    """A person edits, deletes, renames and moves files: the next delta query applies each,
    and the result is what a fresh enumeration shows."""
    client = uploaded_library(tenant, tmp_path)
    fake = tenant.fake
    fake.edit_by_user(tenant.output("2021/A.docx"), b"Annas version")
    fake.delete(tenant.output("2021/B.docx"))
    fake.rename(tenant.output("C.pdf"), "C gammal.pdf")
    fake.move(tenant.output("2021/Kallelser/K2.ics"), OUT + "2021")
    before = len(fake.requests)
    listing = client.list_outputs()
    # five changes (a move is a removal and an arrival), two a page; no listing of folders
    assert [r.path.rsplit("/", 1)[-1] for r in fake.requests[before:]] == ["delta"] * 3
    assert sorted(listing) == [
        "2021/A.docx",
        "2021/K2.ics",
        "2021/Kallelser/K1.docx",
        "C gammal.pdf",
    ]
    assert not listing["2021/A.docx"].modified_by_us and listing["2021/K2.ics"].modified_by_us
    assert {p: (f.etag, f.modified_by_us) for p, f in listing.items()} == fresh_listing(tenant)


def test_a_gone_delta_link_reads_the_folder_again(tenant: Tenant, tmp_path: Path) -> None:
    """410 resyncRequired: the link is dropped and the folder enumerated from scratch."""
    client = uploaded_library(tenant, tmp_path)
    tenant.fake.edit_by_user(tenant.output("2021/A.docx"), b"Annas version")
    tenant.fake.add_fault("status", path="/delta$", status=410, code="resyncRequired")
    listing = client.list_outputs()
    assert {p: (f.etag, f.modified_by_us) for p, f in listing.items()} == fresh_listing(tenant)
    assert 410 in [r.status for r in tenant.fake.graph_calls("GET", "/delta")]


def test_a_deleted_output_folder_is_looked_up_by_path_again(tenant: Tenant, tmp_path: Path) -> None:
    """The folder removed (404 on its id): nothing is listed; a new folder at the configured
    path is found on the next listing."""
    client = uploaded_library(tenant, tmp_path)
    tenant.fake.delete(tenant.fake.find(tenant.drive_id, OUT.rstrip("/")))
    assert client.list_outputs() == {}
    client.upload(write(tmp_path, "new.docx", b"ny"), "2021/Ny.docx", if_match=None)
    assert sorted(client.list_outputs()) == ["2021/Ny.docx"]


def test_an_output_deleted_in_sharepoint_is_uploaded_again(tenant: Tenant) -> None:
    """The delta query reports the deletion; the next run puts our copy back."""

    def build(path: Path, settings: Settings) -> Any:
        target = settings.outbox / "2021" / "Plan.docx"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"plan:" + path.read_bytes())
        return types.SimpleNamespace(exit_code=0, message="Byggde.")

    settings = tenant.settings()
    for _ in range(2):  # the second run reads the folder the first one created
        run_sync(settings, build=build, sleep=lambda _s: None)
    tenant.fake.delete(tenant.output("2021/Plan.docx"))
    lines: list[str] = []
    assert run_sync(settings, build=build, echo=lines.append, sleep=lambda _s: None) == 0
    assert lines == ["Laddade upp 2021/Plan.docx (saknas i SharePoint)."]
    assert tenant.output("2021/Plan.docx").data == b"plan:" + REGISTER_BYTES
