"""Exactly once: an upload whose answer was lost is recognised as our own write, not a conflict."""

from __future__ import annotations

import math
import types
from pathlib import Path
from typing import Any

import pytest

from docautomation.config import Settings
from docautomation.sharepoint import run_sync
from docautomation.sharepoint.drive import ETagMismatchError
from docautomation.sharepoint.ownwrite import same_document
from docautomation.sharepoint.state import SyncPaths
from docautomation.sharepoint.upload import FRAGMENT_UNIT
from tests.sharepoint.conftest import Tenant
from tests.sharepoint.docxfiles import docx_text, make_docx
from tests.sharepoint.graphclient import OUT, make_client, write

PLAN = "2021/Verksamhetsplan 2021.docx"
BIG = 6_600_000  # the size of a large Valideringsrapport: two 5 MiB fragments
# (action, its arguments, settings changes): the connection drops after SharePoint stored the
# file, the answer is cut after its headers, or it comes after the client's read timeout.
LOST_ANSWERS = [
    ("lose_answer", {}, {}),
    ("drop_response", {"after_bytes": 0}, {}),
    ("delay", {"seconds": 1.0}, {"timeout": 0.4}),
]
LOST_IDS = ["connection-dropped", "answer-cut", "read-timeout"]


class DocxBuild:
    """Builds one real Word document from the register's bytes, `padding` bytes larger."""

    def __init__(self, padding: int = 0) -> None:
        self.padding = padding

    def __call__(self, path: Path, settings: Settings) -> Any:
        target = settings.outbox / PLAN
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(make_docx(f"Plan från {path.read_bytes()!r}", padding=self.padding))
        return types.SimpleNamespace(exit_code=0, message=f"Byggde {path.name}.")


def sync_twice(settings: Settings, build: DocxBuild) -> tuple[int, list[str]]:
    """Two runs: the register is downloaded once its change is stable, built and uploaded."""
    lines: list[str] = []
    for _ in range(2):
        code = run_sync(settings, build=build, echo=lines.append, sleep=lambda _s: None)
    return code, lines


def output_names(tenant: Tenant) -> list[str]:
    return sorted(tenant.fake.children_of(tenant.drive_id, OUT + "2021"))


# -- what counts as the same document -----------------------------------------------------------


def test_property_demotion_keeps_the_document_the_same() -> None:
    """SharePoint's rewrite (docProps, customXml, content types) is the same document; a changed
    word/ part, an added word/ part or other bytes are not."""
    from tests.sharepoint.fakegraph import _demote

    sent = make_docx("Verksamhetsplan")
    stored = _demote(sent)
    assert stored != sent and len(stored) != len(sent)
    assert same_document(sent, stored) and same_document(sent, sent + b"<metadata/>")
    assert not same_document(sent, _demote(make_docx("Verksamhetsplan, ändrad")))
    assert not same_document(make_docx("x", padding=10), _demote(make_docx("x")))
    assert same_document(b"BEGIN:VCALENDAR", b"BEGIN:VCALENDAR")
    assert not same_document(b"BEGIN:VCALENDAR", b"BEGIN:VCALENDAR ")
    assert not same_document(b"not a package", sent)


# -- the client: simple uploads and upload sessions --------------------------------------------


@pytest.mark.parametrize(("action", "args", "changes"), LOST_ANSWERS, ids=LOST_IDS)
def test_lost_answer_to_a_create_is_our_own_write(
    tenant: Tenant, tmp_path: Path, action: str, args: dict[str, Any], changes: dict[str, Any]
) -> None:
    """The PUT is resent and gets 409; the copy there is ours: one version, its eTag returned."""
    tenant.fake.demote_properties = True
    tenant.fake.add_fault(action, path="Plan.docx:/content", method="PUT", **args)
    client = make_client(tenant, **changes)
    result = client.upload(write(tmp_path, "p.docx", make_docx("v1")), "Plan.docx", if_match=None)
    stored = tenant.output("Plan.docx")
    assert stored.uploads == 1 and result.etag == stored.etag and result.item_id == stored.id
    assert [r.status for r in tenant.fake.graph_calls("PUT")] == [201, 409]


@pytest.mark.parametrize(("action", "args", "changes"), LOST_ANSWERS, ids=LOST_IDS)
def test_lost_answer_to_a_replace_is_our_own_write(
    tenant: Tenant, tmp_path: Path, action: str, args: dict[str, Any], changes: dict[str, Any]
) -> None:
    """The If-Match PUT is resent and gets 412 (our write moved the eTag): recognised, not
    sent a third time."""
    tenant.fake.demote_properties = True
    client = make_client(tenant, **changes)
    first = client.upload(write(tmp_path, "p.docx", make_docx("v1")), "Plan.docx", if_match=None)
    tenant.fake.add_fault(action, path="Plan.docx:/content", method="PUT", **args)
    client.upload(write(tmp_path, "p.docx", make_docx("v2")), "Plan.docx", if_match=first.etag)
    stored = tenant.output("Plan.docx")
    assert stored.uploads == 2 and docx_text(stored.data) == "v2"


@pytest.mark.parametrize("answer", [None, 416, 409], ids=["404", "416", "409"])
def test_lost_answer_to_the_last_fragment_is_our_own_write(
    tenant: Tenant, tmp_path: Path, answer: int | None
) -> None:
    """The session committed but its answer was lost; whether the session is then gone (404)
    or answers the resent fragment with 416 or 409, the file is stored once, one session."""
    tenant.fake.demote_properties = True
    tenant.fake.finished_session_answer = answer
    data = make_docx("stor", padding=BIG)
    fragment = 8 * FRAGMENT_UNIT
    last = math.ceil(len(data) / fragment) - 1
    tenant.fake.add_fault("lose_answer", path="^/_up/", method="PUT", skip=last)
    client = make_client(tenant, fragment=fragment)
    result = client.upload(write(tmp_path, "big.docx", data), "Stor.docx", if_match=None)
    stored = tenant.output("Stor.docx")
    assert stored.uploads == 1 and result.etag == stored.etag
    assert len(tenant.fake.graph_calls("POST", "createUploadSession")) == 1


def test_a_person_edit_found_after_a_lost_answer_is_still_a_conflict(
    tenant: Tenant, tmp_path: Path
) -> None:
    """A 412 whose copy a person saved (other content, not our app) is not taken for ours."""
    client = make_client(tenant)
    first = client.upload(write(tmp_path, "p.docx", make_docx("v1")), "Plan.docx", if_match=None)
    tenant.fake.edit_by_user(tenant.output("Plan.docx"), make_docx("Annas version"))
    with pytest.raises(ETagMismatchError):
        client.upload(write(tmp_path, "p.docx", make_docx("v2")), "Plan.docx", if_match=first.etag)
    assert docx_text(tenant.output("Plan.docx").data) == "Annas version"


# -- whole runs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "args", "changes"), LOST_ANSWERS, ids=LOST_IDS)
def test_sync_with_a_lost_answer_uploads_once_and_exits_zero(
    tenant: Tenant, action: str, args: dict[str, Any], changes: dict[str, Any]
) -> None:
    """One file in the library, no "(ny version)", exit 0."""
    tenant.fake.demote_properties = True
    tenant.fake.add_fault(action, path="Verksamhetsplan 2021.docx:/content", method="PUT", **args)
    code, lines = sync_twice(tenant.settings(**changes), DocxBuild())
    assert code == 0 and output_names(tenant) == ["Verksamhetsplan 2021.docx"]
    assert tenant.output(PLAN).uploads == 1
    assert not [line for line in lines if "ny version" in line]


def test_sync_with_a_lost_answer_on_the_last_fragment_uploads_once(tenant: Tenant) -> None:
    """A 6.6 MB document through an upload session: sent once, no duplicate, exit 0."""
    tenant.fake.demote_properties = True
    tenant.fake.add_fault("lose_answer", path="^/_up/", method="PUT", skip=1)
    code, lines = sync_twice(tenant.settings(), DocxBuild(padding=BIG))
    assert code == 0 and output_names(tenant) == ["Verksamhetsplan 2021.docx"]
    assert tenant.output(PLAN).uploads == 1
    assert len(tenant.fake.graph_calls("POST", "createUploadSession")) == 1
    assert not [line for line in lines if "ny version" in line]


def test_lost_state_file_does_not_upload_the_library_again(tenant: Tenant) -> None:
    """Without state.json the copies our app wrote are checked, found equal and recorded: no
    new version of any of them."""
    tenant.fake.demote_properties = True
    settings = tenant.settings()
    sync_twice(settings, DocxBuild())
    SyncPaths(settings.outbox).state.unlink()
    code, lines = sync_twice(settings, DocxBuild())
    assert code == 0 and tenant.output(PLAN).uploads == 1
    assert f"{PLAN} finns redan i SharePoint (vår tidigare uppladdning)." in lines
