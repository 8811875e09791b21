"""run_sync end to end: real msal and requests against the stand-in, a fake or the real build."""

from __future__ import annotations

import shutil
import threading
import types
from pathlib import Path
from typing import Any

import filelock
import pytest

from docautomation.config import Settings
from docautomation.errors import AlreadyRunningError, ConfigError, SyncError
from docautomation.sharepoint import parse_every, run_sync
from docautomation.sharepoint.state import SyncPaths
from tests.sharepoint.conftest import REGISTER_BYTES, Tenant

PLAN = "2021/Verksamhetsplan 2021.docx"
BESLUT = "2021/Beslut #3 – 50% Åtgärd.docx"


class FakeBuild:
    """Builds like the pipeline would: two documents derived from the register's bytes."""

    def __init__(self) -> None:
        self.calls: list[Path] = []

    def __call__(self, path: Path, settings: Settings) -> Any:
        self.calls.append(path)
        data = path.read_bytes()
        for rel, prefix in ((PLAN, b"plan:"), (BESLUT, b"beslut:")):
            target = settings.outbox / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != prefix + data:
                target.write_bytes(prefix + data)
        return types.SimpleNamespace(exit_code=0, message=f"Byggde {path.name}.")


def sync(settings: Settings, build: FakeBuild | None = None, **kw: Any) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = run_sync(
        settings, build=build or FakeBuild(), echo=lines.append, sleep=lambda _s: None, **kw
    )
    return code, lines


def synced(tenant: Tenant, build: FakeBuild | None = None) -> Settings:
    """Settings after the run that downloads, builds and uploads the first time."""
    settings = tenant.settings()
    sync(settings, build)
    return settings


def test_first_run_looks_twice_then_downloads_builds_and_uploads(tenant: Tenant) -> None:
    """A new cTag is looked at again after stable_wait; holding still, the register lands in
    the inbox, is built once, and the outputs are mirrored into the output folder, all in one
    run."""
    settings, build = tenant.settings(stable_wait=2.5), FakeBuild()
    waits: list[float] = []
    lines: list[str] = []
    code = run_sync(settings, build=build, echo=lines.append, sleep=waits.append)
    assert code == 0 and build.calls == [settings.inbox / "Register 2021.xlsx"]
    looks = [
        r
        for r in tenant.fake.graph_calls("GET")
        if r.path.endswith((tenant.register().id, "Register%202021.xlsx"))
    ]
    assert waits == [2.5] and len(looks) == 2
    assert (settings.inbox / "Register 2021.xlsx").read_bytes() == REGISTER_BYTES
    assert lines[0].startswith("Hämtade Register 2021.xlsx (nytt, 23 byte)")
    assert lines[1:] == [
        "Byggde Register 2021.xlsx.",
        f"Laddade upp {BESLUT} (ny).",
        f"Laddade upp {PLAN} (ny).",
    ]
    assert tenant.output(PLAN).data == b"plan:" + REGISTER_BYTES
    assert tenant.output(BESLUT).data == b"beslut:" + REGISTER_BYTES
    assert not tenant.fake.download_auth_seen


def test_stable_wait_zero_takes_a_change_at_first_sight(tenant: Tenant) -> None:
    """sharepoint.stable_wait = 0: no second look, no wait; the run still builds."""
    settings, build = tenant.settings(stable_wait=0), FakeBuild()
    waits: list[float] = []
    assert run_sync(settings, build=build, echo=lambda _l: None, sleep=waits.append) == 0
    assert waits == [] and len(build.calls) == 1


def test_unchanged_library_costs_two_requests_after_sign_in(tenant: Tenant) -> None:
    """Nothing changed: one GET of the register by id and one delta query of the output
    folder; no download, no listing, no upload, no build. (The run after the one that created
    the output folder finds it and reads it whole once.)"""
    settings, build = synced(tenant), FakeBuild()
    sync(settings, build)
    for _ in range(2):
        before = len(tenant.fake.requests)
        code, lines = sync(settings, build)
        calls = [
            (r.method, r.path.rsplit("/", 1)[-1])
            for r in tenant.fake.requests[before:]
            if r.path.startswith(("/v1.0", "/_"))
        ]
        assert (
            code == 0
            and build.calls == []
            and calls
            == [
                ("GET", tenant.register().id),
                ("GET", "delta"),
            ]
        )
        assert lines == ["SharePoint: inget nytt att hämta eller ladda upp."]


def test_edited_register_is_built_once_in_the_run_that_sees_it(tenant: Tenant) -> None:
    """A co-author's save is seen, looked at again, downloaded and built once; the next run
    has nothing to do."""
    settings = synced(tenant)
    build = FakeBuild()
    tenant.fake.edit_by_user(tenant.register(), b"PK version 2")
    sync(settings, build)
    assert len(build.calls) == 1 and tenant.output(PLAN).data == b"plan:PK version 2"
    assert sync(settings, build) == (0, ["SharePoint: inget nytt att hämta eller ladda upp."])
    assert len(build.calls) == 1


def test_register_still_being_edited_waits_for_the_next_run(tenant: Tenant) -> None:
    """Every second look sees a newer cTag (autosave in progress): nothing is downloaded in
    that run; the next run finds the last version unchanged and builds it without waiting."""
    settings = synced(tenant)
    build = FakeBuild()
    saves = iter(range(10))

    def autosave(_seconds: float) -> None:
        tenant.fake.edit_by_user(tenant.register(), b"autosave %d" % next(saves))

    tenant.fake.edit_by_user(tenant.register(), b"first save")
    lines: list[str] = []
    assert run_sync(settings, build=build, echo=lines.append, sleep=autosave) == 0
    assert build.calls == [] and next(saves) == 3
    assert (settings.inbox / "Register 2021.xlsx").read_bytes() == REGISTER_BYTES
    assert lines == [
        (
            "Register 2021.xlsx har ändrats i SharePoint; hämtas vid nästa körning om "
            "ändringen är klar då."
        )
    ]
    waits: list[float] = []
    run_sync(settings, build=build, echo=lines.append, sleep=waits.append)
    assert waits == [] and tenant.output(PLAN).data == b"plan:autosave 2"


def test_metadata_only_change_downloads_nothing(tenant: Tenant) -> None:
    """A new eTag without a new cTag (a column value, a rename) is not a new register."""
    settings = synced(tenant)
    build = FakeBuild()
    tenant.fake.edit_by_user(tenant.register(), None)
    sync(settings, build)
    sync(settings, build)
    assert build.calls == [] and not tenant.fake.graph_calls("GET", "/content")[2:]


def test_renamed_register_replaces_its_old_inbox_copy(tenant: Tenant) -> None:
    """After a rename in SharePoint the inbox holds only the new name (no duplicate year)."""
    settings = synced(tenant)
    tenant.fake.rename(tenant.register(), "Register 2021 styrelsen.xlsx")
    code, lines = sync(settings)
    assert code == 0 and sorted(p.name for p in settings.inbox.iterdir()) == [
        "Register 2021 styrelsen.xlsx"
    ]
    assert lines[0] == (
        "Registret heter nu Register 2021 styrelsen.xlsx i Styrelsen i SharePoint "
        "(tidigare Register 2021.xlsx); det följs via sitt id."
    )
    assert "den gamla kopian Register 2021.xlsx togs bort ur inkorgen" in lines[2]


def test_document_edited_in_sharepoint_gets_the_new_version_beside_it(tenant: Tenant) -> None:
    """A person's edit is never overwritten: the new build goes to "(ny version)"."""
    settings = synced(tenant)
    tenant.fake.edit_by_user(tenant.output(PLAN), b"Annas kommentarer")
    tenant.fake.edit_by_user(tenant.register(), b"PK version 2")
    code, lines = sync(settings)
    beside = "2021/Verksamhetsplan 2021 (ny version).docx"
    assert code == 0 and tenant.output(PLAN).data == b"Annas kommentarer"
    assert tenant.output(beside).data == b"plan:PK version 2"
    assert (
        f"{PLAN} har ändrats i SharePoint sedan den senaste uppladdningen och skrivs inte "
        f'över; den nya versionen ligger bredvid som "{beside}".'
    ) in lines


def test_locked_document_is_skipped_and_uploaded_on_a_later_run(tenant: Tenant) -> None:
    """423: the run goes on with the other files; the next run after unlocking uploads it."""
    settings = synced(tenant)
    tenant.output(PLAN).locked = True
    tenant.fake.edit_by_user(tenant.register(), b"PK version 2")
    code, lines = sync(settings)
    assert (
        code == 0
        and f"{PLAN} är låst i SharePoint (öppen för redigering); försöker igen vid nästa körning."
        in lines
    )
    assert tenant.output(BESLUT).data == b"beslut:PK version 2"
    tenant.output(PLAN).locked = False
    sync(settings)
    assert tenant.output(PLAN).data == b"plan:PK version 2"


def test_sharepoint_enrichment_causes_no_upload_loop(tenant: Tenant) -> None:
    """SharePoint rewriting our .docx (other size and hash) does not make us upload again."""
    tenant.fake.enrichment = b"<metadata/>"
    settings = synced(tenant)
    puts = len(tenant.fake.graph_calls("PUT"))
    sync(settings)
    sync(settings)
    assert puts == 2 and len(tenant.fake.graph_calls("PUT")) == 2


def test_dry_run_prints_the_plan_and_changes_nothing(tenant: Tenant) -> None:
    """--dry-run lists downloads, uploads and conflicts, writes no file and no state, exits 1."""
    settings = synced(tenant)
    state = SyncPaths(settings.outbox).state
    before_state = state.read_bytes()
    tenant.fake.edit_by_user(tenant.output(PLAN), b"Annas kommentarer")
    (settings.outbox / PLAN).write_bytes(b"plan: local change")
    (settings.outbox / "2021/Ny.docx").write_bytes(b"ny")
    (settings.inbox / "Register 2021.xlsx").unlink()
    before = len(tenant.fake.requests)
    code, lines = sync(settings, dry_run=True)
    assert code == 1
    assert lines == [
        "Hämta: Register 2021.xlsx (saknas i inkorgen)",
        "Ladda upp: 2021/Ny.docx (ny)",
        (
            f"Konflikt: {PLAN} har ändrats i SharePoint; den nya versionen läggs bredvid som "
            '"2021/Verksamhetsplan 2021 (ny version).docx"'
        ),
        "Oförändrat: 1 dokument",
    ]
    assert (
        state.read_bytes() == before_state and not (settings.inbox / "Register 2021.xlsx").exists()
    )
    assert {r.method for r in tenant.fake.requests[before:]} <= {"GET", "POST"}
    assert not [r for r in tenant.fake.requests[before:] if r.path.endswith("/content")]


def test_dry_run_on_a_fresh_folder_writes_nothing_locally(tenant: Tenant) -> None:
    """A first dry run resolves everything read-only and leaves no state folder behind."""
    settings = tenant.settings()
    code, lines = sync(settings, dry_run=True)
    assert code == 1 and not settings.outbox.exists() and not settings.inbox.exists()
    assert lines == ["Hämta: Register 2021.xlsx (nytt)"]


def test_missing_grant_stops_with_the_permission_to_ask_for(tenant: Tenant) -> None:
    """No Sites.Selected grant: SyncError (exit 1) naming the grant, nothing written."""
    tenant.fake.grants.clear()
    with pytest.raises(SyncError, match="Sites.Selected"):
        sync(tenant.settings())


def test_throttled_run_waits_and_completes(tenant: Tenant) -> None:
    """429 with Retry-After on the register read is waited out via the injected sleep."""
    settings = tenant.settings()
    waits: list[float] = []
    tenant.fake.throttle("root:/Styrelsen", retry_after="3", times=2)
    code = run_sync(settings, build=FakeBuild(), echo=lambda _l: None, sleep=waits.append)
    assert code == 0 and waits == [3.0, 3.0, settings.sharepoint.stable_wait]


def test_build_exit_code_is_returned_and_outputs_still_pushed(tenant: Tenant) -> None:
    """A register with errors returns 1, and the Valideringsrapport still reaches SharePoint."""
    settings = tenant.settings()

    def failing(path: Path, s: Settings) -> Any:
        report = s.outbox / "2021" / "Valideringsrapport.xlsx"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_bytes(b"rapport")
        return types.SimpleNamespace(exit_code=1, message="Register 2021.xlsx: 2 fel.")

    lines: list[str] = []
    assert run_sync(settings, build=failing, echo=lines.append, sleep=lambda _s: None) == 1
    assert "Register 2021.xlsx: 2 fel." in lines
    assert tenant.output("2021/Valideringsrapport.xlsx").data == b"rapport"


def test_every_loop_runs_until_stopped_and_survives_a_failed_cycle(tenant: Tenant) -> None:
    """--every: a failing cycle is reported and the loop goes on; stop_event ends it."""
    settings = tenant.settings()
    stop = threading.Event()
    lines: list[str] = []
    tenant.fake.add_fault("status", path="root:/Styrelsen", status=400, code="invalidRequest")

    def echo(line: str) -> None:
        lines.append(line)
        if line.startswith("Laddade upp"):
            stop.set()

    code = run_sync(
        settings, every=0.01, stop_event=stop, build=FakeBuild(), echo=echo, sleep=lambda _s: None
    )
    assert code == 0 and lines[0].startswith("Fel: SharePoint svarade 400 invalidRequest")
    assert any(line.startswith("Hämtade") for line in lines)


def test_second_sync_on_the_same_outbox_refuses_to_start(tenant: Tenant) -> None:
    """One sync per outbox: a held lock gives AlreadyRunningError naming the outbox."""
    settings = tenant.settings()
    paths = SyncPaths(settings.outbox)
    paths.folder.mkdir(parents=True)
    with filelock.FileLock(str(paths.lock)), pytest.raises(AlreadyRunningError, match="körs redan"):
        sync(settings)


def test_missing_settings_are_named(tenant: Tenant) -> None:
    """Empty site and register path: a ConfigError listing both keys."""
    with pytest.raises(ConfigError, match="sharepoint.site, sharepoint.register_path"):
        sync(tenant.settings(site="", register_path=""))


def test_pdfs_on_without_libreoffice_stops_the_sync_at_start(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `pdf = true` the sync's builds need LibreOffice; without it nothing is synced."""
    from dataclasses import replace

    from docautomation.outbox import pdf

    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    with pytest.raises(ConfigError, match=r"LibreOffice \(soffice\) saknas"):
        run_sync(replace(tenant.settings(), pdf=True), echo=lambda _line: None)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("1h", 3600), ("90", 90), ("1.5m", 90), (" 2H ", 7200)],
)
def test_parse_every(text: str, seconds: float) -> None:
    """Seconds, minutes and hours; a bare number is seconds."""
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "15x", "m", "-5s"])
def test_parse_every_refuses_nonsense(text: str) -> None:
    """Anything else is a ConfigError with an example."""
    with pytest.raises(ConfigError, match="30s, 15m eller 1h"):
        parse_every(text)


def test_real_pipeline_end_to_end(tenant: Tenant) -> None:
    """The shipped example register in SharePoint ends up as the real documents in the output
    folder, byte for byte what the local build wrote."""
    from docautomation.register.scaffold import SHIPPED_TEMPLATES, example_content, write_register

    source = write_register(tenant.root / "example.xlsx", example_content())
    tenant.register().data = source.read_bytes()
    settings = tenant.settings()
    shutil.copytree(SHIPPED_TEMPLATES, settings.templates)
    lines: list[str] = []
    assert run_sync(settings, echo=lines.append, sleep=lambda _s: None) == 0
    local = sorted(
        p.relative_to(settings.outbox).as_posix()
        for p in settings.outbox.rglob("*")
        if p.is_file() and ".docautomation" not in p.parts
    )
    assert PLAN in local and len(local) > 3
    for rel in local:
        assert tenant.output(rel).data == (settings.outbox / rel).read_bytes(), rel


def test_the_watchers_status_json_is_never_uploaded(tenant: Tenant) -> None:
    """outbox/status.json changes at every rescan and names host and paths: it stays local, so a
    watcher beside the sync does not add a SharePoint version every run."""
    settings = tenant.settings()
    settings.outbox.mkdir(parents=True, exist_ok=True)
    (settings.outbox / "status.json").write_text('{"watcher": {"host": "srv-castor"}}')
    code, lines = sync(settings)
    assert code == 0 and f"Laddade upp {PLAN} (ny)." in lines
    assert not any("status.json" in line for line in lines)
    (settings.outbox / "status.json").write_text('{"watcher": {"last_rescan": "senare"}}')
    code, lines = sync(settings)
    assert lines == ["SharePoint: inget nytt att hämta eller ladda upp."]
