"""plan() and apply(): decisions from our own state, conflicts beside, locks deferred."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docautomation.sharepoint.apply import apply
from docautomation.sharepoint.drive import RemoteFile, RemoteRegister
from docautomation.sharepoint.state import OutputState, RegisterState, SyncState
from docautomation.sharepoint.sync import (
    Conflict,
    Download,
    LocalFile,
    Upload,
    describe,
    plan,
)
from tests.sharepoint.fakedrive import FakeDriveClient

REL = "2021/Verksamhetsplan 2021.docx"


def local_file(tmp_path: Path, rel: str, data: bytes) -> LocalFile:
    path = tmp_path / "outbox" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return LocalFile(path, hashlib.sha256(data).hexdigest())


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_new_document_is_created_without_if_match(tmp_path: Path) -> None:
    """A file we never uploaded and that SharePoint lacks is created (conflictBehavior fail)."""
    result = plan({REL: local_file(tmp_path, REL, b"v1")}, {}, SyncState())
    assert result.uploads == (Upload(REL, tmp_path / "outbox" / REL, sha(b"v1"), REL, None, "ny"),)
    assert not result.is_empty


def test_unchanged_document_is_left_alone(tmp_path: Path) -> None:
    """Same local hash as at our last upload and the same eTag remotely: nothing to do."""
    state = SyncState(outputs={REL: OutputState(REL, "ID1", '"e1"', sha(b"v1"))})
    remote = {REL: RemoteFile(REL, "ID1", '"e1"')}
    result = plan({REL: local_file(tmp_path, REL, b"v1")}, remote, state)
    assert result.unchanged == (REL,) and result.is_empty


def test_changed_document_replaces_only_our_version(tmp_path: Path) -> None:
    """A new local hash with the remote eTag still ours uploads with If-Match on that eTag."""
    state = SyncState(outputs={REL: OutputState(REL, "ID1", '"e1"', sha(b"v1"))})
    remote = {REL: RemoteFile(REL, "ID1", '"e1"')}
    (upload,) = plan({REL: local_file(tmp_path, REL, b"v2")}, remote, state).uploads
    assert (upload.target, upload.if_match, upload.reason) == (REL, '"e1"', "ändrad")


def test_document_edited_in_sharepoint_becomes_a_conflict(tmp_path: Path) -> None:
    """Local change plus a foreign eTag remotely: the new version goes beside it."""
    state = SyncState(outputs={REL: OutputState(REL, "ID1", '"e1"', sha(b"v1"))})
    remote = {REL: RemoteFile(REL, "ID1", '"e2-person"')}
    result = plan({REL: local_file(tmp_path, REL, b"v2")}, remote, state)
    assert result.conflicts == (
        Conflict(
            REL,
            tmp_path / "outbox" / REL,
            sha(b"v2"),
            REL,
            "2021/Verksamhetsplan 2021 (ny version).docx",
            1,
        ),
    )
    assert (
        "Konflikt: 2021/Verksamhetsplan 2021.docx har ändrats i SharePoint" in describe(result)[0]
    )


def test_conflict_skips_sibling_names_already_taken(tmp_path: Path) -> None:
    """An existing "(ny version)" file (any case) makes the next one "(ny version 2)"."""
    remote = {
        REL: RemoteFile(REL, "ID1", '"p"'),
        "2021/verksamhetsplan 2021 (NY VERSION).docx": RemoteFile("x", "ID2", '"p"'),
    }
    (conflict,) = plan({REL: local_file(tmp_path, REL, b"v2")}, remote, SyncState()).conflicts
    assert conflict.target == "2021/Verksamhetsplan 2021 (ny version 2).docx"


def test_person_edit_of_an_unchanged_output_is_kept(tmp_path: Path) -> None:
    """When our version did not change, a person's edit in SharePoint is simply left there."""
    state = SyncState(outputs={REL: OutputState(REL, "ID1", '"e1"', sha(b"v1"))})
    remote = {REL: RemoteFile(REL, "ID1", '"e9"')}
    assert plan({REL: local_file(tmp_path, REL, b"v1")}, remote, state).unchanged == (REL,)


def test_output_deleted_in_sharepoint_is_uploaded_again(tmp_path: Path) -> None:
    """A missing remote copy of an unchanged output is recreated."""
    state = SyncState(outputs={REL: OutputState(REL, "ID1", '"e1"', sha(b"v1"))})
    (upload,) = plan({REL: local_file(tmp_path, REL, b"v1")}, {}, state).uploads
    assert (upload.if_match, upload.reason) == (None, "saknas i SharePoint")


def test_remote_file_last_written_by_us_is_replaced_after_lost_state(tmp_path: Path) -> None:
    """Without a state record, a copy SharePoint says our app wrote last is ours to replace."""
    remote = {REL.upper(): RemoteFile(REL.upper(), "ID1", '"e5"', modified_by_us=True)}
    (upload,) = plan({REL: local_file(tmp_path, REL, b"v1")}, remote, SyncState()).uploads
    assert upload.if_match == '"e5"' and upload.check_first


@pytest.mark.parametrize(("stored", "puts"), [(b"v1", 0), (b"v0", 1)])
def test_our_unrecorded_copy_is_checked_before_uploading(
    tmp_path: Path, stored: bytes, puts: int
) -> None:
    """The same document already there (an earlier answer lost) is recorded, not sent again;
    another one of ours is replaced."""
    client = FakeDriveClient(enrichment=b"+meta")
    client.upload(local_file(tmp_path / "old", REL, stored).path, REL, if_match=None)
    lf = local_file(tmp_path, REL, b"v1")
    lines: list[str] = []
    result = apply(
        plan({REL: lf}, client.list_outputs(), SyncState()),
        client,
        state=SyncState(),
        echo=lines.append,
    )
    assert len([c for c in client.calls if c.startswith("upload")]) == 1 + puts
    assert result.state.outputs[REL].etag == client.files[REL].etag
    assert (result.adopted, result.uploaded) == (((REL,), ()) if not puts else ((), (REL,)))
    assert lines == (
        [f"{REL} finns redan i SharePoint (vår tidigare uppladdning)."]
        if not puts
        else [f"Laddade upp {REL} (ny)."]
    )


def test_foreign_file_with_our_name_is_never_overwritten(tmp_path: Path) -> None:
    """A file someone else put there (not in our state, not ours) is a conflict."""
    remote = {REL: RemoteFile(REL, "ID1", '"e5"', modified_by_us=False)}
    assert plan({REL: local_file(tmp_path, REL, b"v1")}, remote, SyncState()).conflicts


def test_refused_names_are_reported_not_uploaded(tmp_path: Path) -> None:
    """A local name SharePoint refuses never reaches an upload."""
    result = plan(
        {"2021/a:b.docx": local_file(tmp_path, "2021/a_b.docx", b"x")},
        {},
        SyncState(),
        output_folder="Ut",
    )
    assert not result.uploads and result.refused[0].relpath == "2021/a:b.docx"
    assert "tecken som SharePoint inte tillåter" in result.refused[0].reason


REG = RemoteRegister("R1", "Register.xlsx", '"c:{R},2"', '"{R},3"', 10)


@pytest.mark.parametrize(
    ("known", "on_disk", "expected"),
    [
        (RegisterState(), False, "wait"),
        (RegisterState(item_id="R1", pending_ctag='"c:{R},2"'), False, "download"),
        (
            RegisterState(
                item_id="R1", ctag='"c:{R},1"', pending_ctag='"c:{R},1"', local_name="Register.xlsx"
            ),
            True,
            "wait",
        ),
        (RegisterState(item_id="R1", ctag='"c:{R},2"', local_name="Register.xlsx"), True, "none"),
        (
            RegisterState(item_id="R1", ctag='"c:{R},2"', local_name="Register.xlsx"),
            False,
            "download",
        ),
        (RegisterState(item_id="R1", ctag='"c:{R},2"', local_name="Old.xlsx"), True, "download"),
    ],
)
def test_register_is_downloaded_once_its_ctag_is_stable(
    tmp_path: Path, known: RegisterState, on_disk: bool, expected: str
) -> None:
    """A new cTag waits one poll; the same cTag twice downloads; a missing copy downloads now."""
    result = plan(
        {}, {}, SyncState(register=known), register=REG, inbox=tmp_path, register_on_disk=on_disk
    )
    kind = "download" if result.downloads else "wait" if result.waiting else "none"
    assert kind == expected
    if result.downloads:
        assert result.downloads[0].dest == tmp_path / "Register.xlsx"


def test_dry_run_prints_and_calls_nothing(tmp_path: Path) -> None:
    """apply(dry_run=True) only describes the plan and returns 1 for pending changes."""
    client = FakeDriveClient()
    lines: list[str] = []
    sync_plan = plan(
        {REL: local_file(tmp_path, REL, b"v1")},
        {},
        SyncState(),
        register=REG,
        inbox=tmp_path,
        register_on_disk=False,
    )
    sync_plan = type(sync_plan)(
        downloads=(Download("R1", "Register.xlsx", "c", tmp_path / "R", "nytt"),),
        uploads=sync_plan.uploads,
    )
    result = apply(sync_plan, client, state=SyncState(), dry_run=True, echo=lines.append)
    assert lines == ["Hämta: Register.xlsx (nytt)", f"Ladda upp: {REL} (ny)"]
    assert result.exit_code == 1 and client.calls == []


def test_empty_plan_dry_run_exits_zero() -> None:
    """Nothing pending: the dry run says so and exits 0."""
    lines: list[str] = []
    result = apply(
        plan({}, {}, SyncState()),
        FakeDriveClient(),
        state=SyncState(),
        dry_run=True,
        echo=lines.append,
    )
    assert (result.exit_code, lines) == (0, ["Inget att hämta eller ladda upp."])


def test_412_during_apply_puts_the_new_version_beside(tmp_path: Path) -> None:
    """An edit between listing and upload (412) is kept; ours goes to "(ny version)"."""
    client = FakeDriveClient()
    lf = local_file(tmp_path, REL, b"v2")
    client.upload(local_file(tmp_path, "seed", b"v1").path, REL, if_match=None)
    state = SyncState(outputs={REL: OutputState(REL, "ID1", client.files[REL].etag, sha(b"v1"))})
    sync_plan = plan({REL: lf}, client.list_outputs(), state)
    client.edit(REL)
    lines: list[str] = []
    result = apply(sync_plan, client, state=state, echo=lines.append)
    beside = "2021/Verksamhetsplan 2021 (ny version).docx"
    assert client.files[REL].data == b"edited by a person"
    assert client.files[beside].data == b"v2"
    assert result.diverted == ((REL, beside),) and result.state.outputs[REL].target == beside
    assert lines == [
        (
            f"{REL} har ändrats i SharePoint sedan den senaste uppladdningen och skrivs "
            f'inte över; den nya versionen ligger bredvid som "{beside}".'
        )
    ]


def test_locked_document_is_deferred_and_retried_next_run(tmp_path: Path) -> None:
    """423: skipped with a message, state unchanged so the next plan uploads it again."""
    client = FakeDriveClient()
    client.upload(local_file(tmp_path, "seed", b"v1").path, REL, if_match=None)
    client.files[REL].locked = True
    state = SyncState(outputs={REL: OutputState(REL, "ID1", client.files[REL].etag, sha(b"v1"))})
    lf = local_file(tmp_path, REL, b"v2")
    lines: list[str] = []
    result = apply(
        plan({REL: lf}, client.list_outputs(), state), client, state=state, echo=lines.append
    )
    assert result.deferred == (REL,) and result.exit_code == 0
    assert lines == [
        (f"{REL} är låst i SharePoint (öppen för redigering); försöker igen vid nästa körning.")
    ]
    client.files[REL].locked = False
    again = apply(plan({REL: lf}, client.list_outputs(), result.state), client, state=result.state)
    assert again.uploaded == (REL,) and client.files[REL].data == b"v2"


def test_apply_saves_state_after_each_step(tmp_path: Path) -> None:
    """Every upload is saved at once, so an interrupted run does not repeat it."""
    saved: list[SyncState] = []
    files = {f"2021/{n}.docx": local_file(tmp_path, f"2021/{n}.docx", n.encode()) for n in "ab"}
    apply(plan(files, {}, SyncState()), FakeDriveClient(), state=SyncState(), save=saved.append)
    assert [sorted(s.outputs) for s in saved] == [["2021/a.docx"], ["2021/a.docx", "2021/b.docx"]]


_names = st.sampled_from(["2021/A.docx", "2021/B.docx", "2021/c.ics", "Rapport.xlsx"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.dictionaries(_names, st.binary(max_size=3), max_size=4),
    second=st.dictionaries(_names, st.binary(max_size=3), max_size=4),
    edited=st.sets(_names, max_size=2),
    enrich=st.booleans(),
)
def test_applying_a_plan_converges(
    tmp_path_factory: pytest.TempPathFactory,
    first: dict[str, bytes],
    second: dict[str, bytes],
    edited: set[str],
    enrich: bool,
) -> None:
    """Upload, let people edit, upload new outputs: planning again finds nothing to upload."""
    root = tmp_path_factory.mktemp("conv")
    client = FakeDriveClient(enrichment=b"+meta" if enrich else b"")
    state = SyncState()
    for round_no, outputs in enumerate((first, second)):
        local = {rel: local_file(root / str(round_no), rel, data) for rel, data in outputs.items()}
        state = apply(plan(local, client.list_outputs(), state), client, state=state).state
        for rel in edited & set(client.files) if round_no == 0 else ():
            client.edit(rel)
        final = local
    again = plan(final, client.list_outputs(), state)
    assert again.is_empty
    for rel in final:
        assert state.outputs[rel].sha256 == final[rel].sha256
