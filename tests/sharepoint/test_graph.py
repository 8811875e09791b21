"""GraphDriveClient and its transport against the stand-in: real requests, real TLS."""

from __future__ import annotations

import email.utils
import time
import unicodedata
from pathlib import Path

import pytest

from docautomation.errors import AuthError, SyncError
from docautomation.sharepoint.drive import (
    ETagMismatchError,
    LockedError,
    NameRefusedError,
    NameTakenError,
)
from docautomation.sharepoint.graph import site_address
from docautomation.sharepoint.transport import (
    RetryPolicy,
    parse_retry_after,
)
from docautomation.sharepoint.upload import FRAGMENT_UNIT
from tests.sharepoint.conftest import CLIENT_ID, REGISTER_BYTES, REGISTER_PATH, Tenant
from tests.sharepoint.graphclient import OUT, Clock, make_client, write

# -- resolution -------------------------------------------------------------------------------


def test_site_address_accepts_the_forms_admins_paste() -> None:
    """host:/path, a full https URL (encoded or not) and a bare host all resolve."""
    assert site_address("kommun.sharepoint.com:/sites/Castor Ö") == (
        "/sites/kommun.sharepoint.com:/sites/Castor%20%C3%96"
    )
    assert site_address("https://kommun.sharepoint.com/sites/Castor%20%C3%96/") == (
        "/sites/kommun.sharepoint.com:/sites/Castor%20%C3%96"
    )
    assert site_address("kommun.sharepoint.com") == "/sites/kommun.sharepoint.com"


def test_library_is_found_by_url_segment_across_pages(tenant: Tenant) -> None:
    """ "Delade dokument" (the URL segment) finds the drive even on the second page of drives."""
    tenant.fake.page_size = 1
    client = make_client(tenant, library="Delade dokument")
    client.resolve()
    assert client.drive_id == tenant.drive_id


def test_unknown_library_lists_the_libraries_that_exist(tenant: Tenant) -> None:
    """A wrong library name says which libraries the site has."""
    with pytest.raises(SyncError, match='Biblioteket "Dokumnet" finns inte.*Arkiv, Dokument'):
        make_client(tenant, library="Dokumnet").resolve()


def test_unknown_site_is_a_clear_404(tenant: Tenant) -> None:
    """A site path that does not exist names the setting to fix."""
    with pytest.raises(SyncError, match="Kontrollera sharepoint.site"):
        make_client(tenant, site="contoso.sharepoint.com:/sites/saknas").resolve()


def test_missing_site_grant_names_sites_selected(tenant: Tenant) -> None:
    """Sites.Selected without a grant on the site: 403 explains what IT must grant."""
    tenant.fake.grants.clear()
    with pytest.raises(SyncError) as info:
        make_client(tenant).resolve()
    message = str(info.value)
    assert "403 accessDenied" in message and "Sites.Selected" in message and '"write"' in message
    assert CLIENT_ID in message


def test_register_is_followed_by_id_after_rename_and_move(tenant: Tenant) -> None:
    """The register is resolved by path once; renames and moves are followed by item id."""
    client = make_client(tenant)
    first = client.register()
    item = tenant.register()
    tenant.fake.rename(item, "Register 2021 (styrelsen).xlsx")
    tenant.fake.move(item, "Arkiv/2021")
    moved = client.register()
    assert moved.item_id == first.item_id and moved.name == "Register 2021 (styrelsen).xlsx"
    assert moved.location == "Arkiv/2021" and moved.ctag == first.ctag
    assert len(tenant.fake.graph_calls("GET", "root:/Styrelsen")) == 1


def test_deleted_register_is_a_clear_error(tenant: Tenant) -> None:
    """When the id and the path are both gone, the error says so and names the setting."""
    client = make_client(tenant)
    client.register()
    tenant.fake.delete(tenant.register())
    with pytest.raises(SyncError, match='Registret "Styrelsen/Register 2021.xlsx" finns inte'):
        client.register()


# -- download ---------------------------------------------------------------------------------


def test_download_follows_the_302_without_sending_the_token(tenant: Tenant, tmp_path: Path) -> None:
    """The pre-authenticated URL on another host gets no Authorization header."""
    client = make_client(tenant)
    dest = tmp_path / "inbox" / "Register 2021.xlsx"
    dest.parent.mkdir()
    assert client.download(client.register().item_id, dest) == len(REGISTER_BYTES)
    assert dest.read_bytes() == REGISTER_BYTES
    assert not tenant.fake.download_auth_seen
    assert [p.name for p in dest.parent.iterdir()] == ["Register 2021.xlsx"]


def test_dropped_download_is_retried_and_never_half_written(tenant: Tenant, tmp_path: Path) -> None:
    """A body cut short (ChunkedEncodingError) leaves no file; the retry completes it."""
    tenant.fake.add_fault("drop_response", path="^/_dl/", after_bytes=5)
    client = make_client(tenant)
    dest = tmp_path / "inbox" / "Register 2021.xlsx"
    dest.parent.mkdir()
    client.download(client.register().item_id, dest)
    assert dest.read_bytes() == REGISTER_BYTES and sorted(dest.parent.iterdir()) == [dest]
    assert [r.status for r in tenant.fake.requests if r.path.startswith("/_dl/")] == [200, 200]


# -- retries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2", "2.5", None, "http-date"])
def test_throttling_waits_as_told_then_succeeds(tenant: Tenant, value: str | None) -> None:
    """429 with Retry-After as seconds, a float, an HTTP date or absent: waited, then success."""
    header = email.utils.formatdate(time.time() + 3, usegmt=True) if value == "http-date" else value
    tenant.fake.throttle(r"/sites/", retry_after=header, times=2)
    clock = Clock()
    make_client(tenant, clock=clock).resolve()
    assert len(clock.waits) == 2
    if value in ("2", "2.5"):
        assert clock.waits == [float(value)] * 2
    elif value == "http-date":
        assert all(1.0 <= w <= 3.0 for w in clock.waits)


def test_503_with_retry_after_is_honoured(tenant: Tenant) -> None:
    """SharePoint's 503 carries Retry-After too."""
    tenant.fake.throttle(r"/drives$", status=503, retry_after="7")
    clock = Clock()
    make_client(tenant, clock=clock).resolve()
    assert clock.waits == [7.0]


def test_throttling_beyond_the_wait_budget_stops_cleanly(tenant: Tenant) -> None:
    """A Retry-After that would exceed the total wait cap ends the run with a clear message."""
    tenant.fake.throttle(r"/sites/", retry_after="120", times=5)
    clock = Clock()
    with pytest.raises(SyncError, match="vänta 120 s.*vid nästa körning"):
        make_client(tenant, clock=clock, policy=RetryPolicy(max_total_wait=200)).resolve()
    assert clock.waits == [120.0]


def test_expired_token_is_refreshed_exactly_once(tenant: Tenant) -> None:
    """401 InvalidAuthenticationToken: drop the cached token, get a new one, retry once."""
    client = make_client(tenant)
    client.resolve()
    tenant.fake.expire_tokens()
    client.register()
    assert sum(1 for r in tenant.fake.requests if r.path.endswith("/token")) == 2
    assert [r.status for r in tenant.fake.graph_calls("GET", "root:/Styrelsen")] == [401, 200]


def test_401_after_a_refresh_is_an_auth_error(tenant: Tenant) -> None:
    """A token Graph keeps refusing is reported as a sign-in problem (exit code 2)."""
    client = make_client(tenant)
    client.resolve()
    tenant.fake.token_lifetime = -10  # every token is born expired
    tenant.fake.expire_tokens()
    with pytest.raises(AuthError, match="godtog inte åtkomsttoken"):
        client.register()


def test_dropped_connection_on_a_read_is_retried(tenant: Tenant) -> None:
    """A reset while reading metadata is resent after a short backoff."""
    tenant.fake.add_fault("drop_response", path=r"/sites/contoso", after_bytes=3)
    clock = Clock()
    make_client(tenant, clock=clock).resolve()
    assert len(clock.waits) == 1


def test_explicit_ca_bundle_wins_over_requests_ca_bundle(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE in the environment cannot silently replace sharepoint.ca_bundle."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tenant.root / "no-such-bundle.pem"))
    make_client(tenant).resolve()


def test_retry_after_parsing() -> None:
    """Seconds, fractions and HTTP dates are understood; garbage and absence give None."""
    assert parse_retry_after("2") == 2.0 and parse_retry_after("2.5") == 2.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


# -- upload -----------------------------------------------------------------------------------


def test_special_characters_reach_sharepoint_unchanged(tenant: Tenant, tmp_path: Path) -> None:
    """# % – space å ä ö in a name, and an NFD Ö stored as NFC."""
    client = make_client(tenant)
    name = "2021/Beslut #3 – 50% Åtgärd.docx"
    client.upload(write(tmp_path, "a.docx", b"a"), name, if_match=None)
    client.upload(
        write(tmp_path, "b.docx", b"b"),
        unicodedata.normalize("NFD", "2021/Östra.docx"),
        if_match=None,
    )
    assert sorted(tenant.fake.children_of(tenant.drive_id, OUT + "2021")) == [
        "Beslut #3 – 50% Åtgärd.docx",
        "Östra.docx",
    ]
    assert tenant.output(name).data == b"a"


def test_replace_uses_if_match_and_refuses_a_person_edit(tenant: Tenant, tmp_path: Path) -> None:
    """Our eTag replaces; after someone edits, the same eTag gets 412 (ETagMismatchError)."""
    client = make_client(tenant)
    source = write(tmp_path, "p.docx", b"v1")
    first = client.upload(source, "Plan.docx", if_match=None)
    second = client.upload(write(tmp_path, "p.docx", b"v2"), "Plan.docx", if_match=first.etag)
    assert second.etag != first.etag and tenant.output("Plan.docx").data == b"v2"
    tenant.fake.edit_by_user(tenant.output("Plan.docx"), b"edited")
    with pytest.raises(ETagMismatchError):
        client.upload(source, "Plan.docx", if_match=second.etag)
    assert tenant.output("Plan.docx").data == b"edited"


def test_412_on_our_own_last_write_is_retried_with_the_new_etag(
    tenant: Tenant, tmp_path: Path
) -> None:
    """A stale eTag whose current version our app wrote (a lost answer) is safe to replace."""
    client = make_client(tenant)
    first = client.upload(write(tmp_path, "p.docx", b"v1"), "Plan.docx", if_match=None)
    client.upload(write(tmp_path, "p.docx", b"v2"), "Plan.docx", if_match=first.etag)
    client.upload(write(tmp_path, "p.docx", b"v3"), "Plan.docx", if_match=first.etag)
    assert tenant.output("Plan.docx").data == b"v3"


def test_create_only_refuses_a_file_a_person_put_there(tenant: Tenant, tmp_path: Path) -> None:
    """if_match=None never overwrites someone else's file: 409 nameAlreadyExists."""
    tenant.fake.put_file(tenant.drive_id, OUT + "Plan.docx", b"Annas plan")
    client = make_client(tenant)
    with pytest.raises(NameTakenError):
        client.upload(write(tmp_path, "p.docx", b"v2"), "Plan.docx", if_match=None)
    assert tenant.output("Plan.docx").data == b"Annas plan"


def test_create_over_our_own_older_copy_replaces_it(tenant: Tenant, tmp_path: Path) -> None:
    """A 409 on a copy our app wrote last (other content, a state file lost) is replaced
    under its current eTag: nobody's edit is in it."""
    client = make_client(tenant)
    client.upload(write(tmp_path, "p.docx", b"v1"), "Plan.docx", if_match=None)
    client.upload(write(tmp_path, "p.docx", b"v2"), "Plan.docx", if_match=None)
    assert tenant.output("Plan.docx").data == b"v2" and tenant.output("Plan.docx").uploads == 2


def test_locked_file_raises_locked(tenant: Tenant, tmp_path: Path) -> None:
    """423 resourceLocked (open in Word) is LockedError."""
    client = make_client(tenant)
    first = client.upload(write(tmp_path, "p.docx", b"v1"), "Plan.docx", if_match=None)
    tenant.output("Plan.docx").locked = True
    with pytest.raises(LockedError, match="låst"):
        client.upload(write(tmp_path, "p.docx", b"v2"), "Plan.docx", if_match=first.etag)


def test_read_only_grant_names_the_missing_write_role(tenant: Tenant, tmp_path: Path) -> None:
    """A read grant lets the register through but a write says which role is missing."""
    tenant.fake.grant(CLIENT_ID, tenant.site_id, "read")
    client = make_client(tenant)
    client.register()
    with pytest.raises(
        SyncError, match='har inte skrivbehörighet.*Sites.Selected med rollen "write"'
    ):
        client.upload(write(tmp_path, "p.docx", b"v1"), "Plan.docx", if_match=None)


def test_refused_names_never_reach_the_server(tenant: Tenant, tmp_path: Path) -> None:
    """CON.docx, a:b.docx and an over-long path are refused before any PUT."""
    client = make_client(tenant)
    source = write(tmp_path, "x.docx", b"x")
    for name in ("CON.docx", "a:b.docx", " x.docx", "x" * 400 + ".docx"):
        with pytest.raises(NameRefusedError):
            client.upload(source, name, if_match=None)
    assert tenant.fake.graph_calls("PUT") == []


def test_large_file_resumes_after_a_dropped_fragment(tenant: Tenant, tmp_path: Path) -> None:
    """Above 4 MiB: an upload session in 320 KiB multiples; a fragment cut mid-body is resumed
    from nextExpectedRanges, and the upload URL never gets the bearer token."""
    data = bytes(range(256)) * (5 * 4096 + 100)  # ~5.1 MiB
    tenant.fake.add_fault("drop_request", path="^/_up/", method="PUT", after_bytes=1000, skip=1)
    client = make_client(tenant, fragment=4 * FRAGMENT_UNIT)
    client.upload(write(tmp_path, "big.docx", data), "Stor.docx", if_match=None)
    assert tenant.output("Stor.docx").data == data
    assert not tenant.fake.upload_auth_seen and not tenant.fake.sessions
    statuses = [(r.method, r.status) for r in tenant.fake.requests if r.path.startswith("/_up/")]
    assert ("GET", 200) in statuses and statuses.count(("PUT", 0)) == 1


def test_large_file_replace_honours_if_match(tenant: Tenant, tmp_path: Path) -> None:
    """createUploadSession with a stale eTag is refused like the simple PUT."""
    client = make_client(tenant, fragment=8 * FRAGMENT_UNIT)
    big = write(tmp_path, "big.docx", b"x" * (SIMPLE := 4 * 1024 * 1024 + 1))
    first = client.upload(big, "Stor.docx", if_match=None)
    assert len(tenant.output("Stor.docx").data) == SIMPLE
    tenant.fake.edit_by_user(tenant.output("Stor.docx"), b"edited")
    with pytest.raises(ETagMismatchError):
        client.upload(big, "Stor.docx", if_match=first.etag)


def test_probe_write_leaves_nothing_behind(tenant: Tenant) -> None:
    """The write check opens and cancels an upload session: no file, no session remains."""
    client = make_client(tenant)
    client.probe_write()
    assert tenant.fake.children_of(tenant.drive_id, OUT) == {} and not tenant.fake.sessions
    assert tenant.fake.find(tenant.drive_id, REGISTER_PATH) is not None


@pytest.mark.parametrize(
    ("status", "code"), [(416, "invalidRange"), (404, "itemNotFound"), (503, "serviceNotAvailable")]
)
def test_upload_session_recovers_from_range_expiry_and_5xx(
    tenant: Tenant, tmp_path: Path, status: int, code: str
) -> None:
    """416 re-reads the position, 404 (session gone) starts a new session, 503 resends."""
    data = b"0123456789abcdef" * (300 * 1024)  # 4.7 MiB
    tenant.fake.add_fault("status", path="^/_up/", method="PUT", skip=1, status=status, code=code)
    client = make_client(tenant, fragment=4 * FRAGMENT_UNIT)
    client.upload(write(tmp_path, "big.docx", data), "Stor.docx", if_match=None)
    assert tenant.output("Stor.docx").data == data
    assert len(tenant.fake.sessions) == (1 if status == 404 else 0)  # the 404'd one is abandoned
    sessions = tenant.fake.graph_calls("POST", "createUploadSession")
    assert len(sessions) == (2 if status == 404 else 1)
