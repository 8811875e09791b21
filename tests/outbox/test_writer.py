"""Tests for docautomation.outbox: atomic writes, the manifest, edited and locked outputs, the lock."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docautomation import fileio
from docautomation.documents.docxzip import write_package
from docautomation.documents.properties import Provenance, stamp
from docautomation.errors import OutboxError
from docautomation.models import DocumentJob
from docautomation.outbox import writer as outbox
from docautomation.outbox.lock import OutboxLock
from docautomation.outbox.writer import (
    DivertReason,
    load_manifest,
    write_outputs,
)
from tests.support.rendering import parts

PLAN = "2021/Verksamhetsplan 2021.docx"
PLAN_NEW = "2021/Verksamhetsplan 2021 (ny version).docx"
PLAN_NEW2 = "2021/Verksamhetsplan 2021 (ny version 2).docx"


class Counter:
    """Counts render calls per path."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def job(self, path: str, key: str, data: bytes | None = None) -> DocumentJob:
        payload = data if data is not None else f"{path}|{key}".encode()

        def render() -> bytes:
            self.calls.append(path)
            return payload

        return DocumentJob(path=path, key=key, render=render)


def build(root: Path, *jobs: DocumentJob) -> outbox.WriteReport:
    return write_outputs(root, list(jobs), source="register.xlsx", source_sha256="ab" * 32)


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".partial")]


def test_first_build_writes_files_and_records_them_in_the_manifest(tmp_path: Path) -> None:
    """Each written file gets a manifest entry with key, hash, size, mtime, source and time."""
    counter = Counter()
    report = build(tmp_path, counter.job(PLAN, "k1"), counter.job("2021/Möten 2021.ics", "m1"))
    assert report.written == (tmp_path / PLAN, tmp_path / "2021/Möten 2021.ics")
    assert report.unchanged == () and report.diverted == () and report.rendered_count == 2
    doc = json.loads((tmp_path / ".docautomation/manifest.json").read_text(encoding="utf-8"))
    entry = doc["files"][PLAN]
    stat = (tmp_path / PLAN).stat()
    assert entry["key"] == "k1"
    assert entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns
    assert entry["source"] == "register.xlsx" and entry["source_sha256"] == "ab" * 32
    assert entry["written_at"].endswith("+00:00")
    assert load_manifest(tmp_path)[PLAN].sha256 == entry["sha256"]
    assert len(entry["sha256"]) == 64 and leftovers(tmp_path) == []


def test_unchanged_key_is_neither_rendered_nor_rewritten(tmp_path: Path) -> None:
    """A rebuild with the same keys renders nothing and leaves every file's mtime alone."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1"))
    manifest_mtime = (tmp_path / ".docautomation/manifest.json").stat().st_mtime_ns
    mtime = (tmp_path / PLAN).stat().st_mtime_ns
    counter.calls.clear()
    report = build(tmp_path, counter.job(PLAN, "k1"))
    assert counter.calls == [] and report.rendered_count == 0
    assert report.unchanged == (tmp_path / PLAN,) and report.written == ()
    assert (tmp_path / PLAN).stat().st_mtime_ns == mtime
    assert (tmp_path / ".docautomation/manifest.json").stat().st_mtime_ns == manifest_mtime


def test_new_key_with_identical_bytes_does_not_touch_the_file(tmp_path: Path) -> None:
    """When a changed key renders the same bytes, the file is not rewritten; the key is noted."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"same"))
    mtime = (tmp_path / PLAN).stat().st_mtime_ns
    report = build(tmp_path, counter.job(PLAN, "k2", b"same"))
    assert report.rendered_count == 1 and report.written == ()
    assert (tmp_path / PLAN).stat().st_mtime_ns == mtime
    assert load_manifest(tmp_path)[PLAN].key == "k2"


def test_new_bytes_replace_our_own_unedited_file(tmp_path: Path) -> None:
    """A file still holding what we wrote is replaced by the new version under its own name."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"one"))
    report = build(tmp_path, counter.job(PLAN, "k2", b"two"))
    assert report.written == (tmp_path / PLAN,) and report.diverted == ()
    assert (tmp_path / PLAN).read_bytes() == b"two"


def test_touched_but_unchanged_file_counts_as_ours(tmp_path: Path) -> None:
    """A new mtime with the same bytes is not an edit: the hash decides, the manifest catches up."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"one"))
    os.utime(tmp_path / PLAN, ns=(1_000_000_000, 1_000_000_000))
    report = build(tmp_path, counter.job(PLAN, "k1", b"one"))
    assert report.rendered_count == 0
    assert load_manifest(tmp_path)[PLAN].mtime_ns == 1_000_000_000


def test_edited_output_is_kept_and_new_version_written_beside_it(tmp_path: Path) -> None:
    """Someone's edit survives; the new version goes to "… (ny version).docx" and is reported."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"generated"))
    (tmp_path / PLAN).write_bytes(b"edited by the secretary")
    report = build(tmp_path, counter.job(PLAN, "k2", b"new version"))
    assert (tmp_path / PLAN).read_bytes() == b"edited by the secretary"
    assert (tmp_path / PLAN_NEW).read_bytes() == b"new version"
    assert report.diverted == ((tmp_path / PLAN, tmp_path / PLAN_NEW, DivertReason.EDITED),)
    assert report.diverted[0].reason == "redigerad"
    assert report.written == (tmp_path / PLAN_NEW,)
    assert load_manifest(tmp_path)[PLAN_NEW].intended == PLAN


def test_edited_output_with_unchanged_key_is_left_alone(tmp_path: Path) -> None:
    """With nothing new to offer, an edited output is neither re-rendered nor copied beside."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1"))
    (tmp_path / PLAN).write_bytes(b"edited")
    counter.calls.clear()
    report = build(tmp_path, counter.job(PLAN, "k1"))
    assert counter.calls == [] and report.written == ()
    assert not (tmp_path / PLAN_NEW).exists()


def test_diverted_version_is_reused_and_then_updated_in_place(tmp_path: Path) -> None:
    """A later build finds its "(ny version)": same key → no render; new key → that file updated."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"))
    (tmp_path / PLAN).write_bytes(b"edited")
    build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    counter.calls.clear()
    assert build(tmp_path, counter.job(PLAN, "k2", b"v2")).rendered_count == 0
    report = build(tmp_path, counter.job(PLAN, "k3", b"v3"))
    assert report.diverted == ((tmp_path / PLAN, tmp_path / PLAN_NEW, DivertReason.EDITED),)
    assert (tmp_path / PLAN_NEW).read_bytes() == b"v3" and not (tmp_path / PLAN_NEW2).exists()
    assert (tmp_path / PLAN).read_bytes() == b"edited"


def test_edited_new_version_gets_a_numbered_sibling(tmp_path: Path) -> None:
    """When "(ny version)" was edited too, the next version is "(ny version 2)"."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"))
    (tmp_path / PLAN).write_bytes(b"edited 1")
    build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    (tmp_path / PLAN_NEW).write_bytes(b"edited 2")
    report = build(tmp_path, counter.job(PLAN, "k3", b"v3"))
    assert report.written == (tmp_path / PLAN_NEW2,)
    assert (tmp_path / PLAN).read_bytes() == b"edited 1"
    assert (tmp_path / PLAN_NEW).read_bytes() == b"edited 2"
    assert (tmp_path / PLAN_NEW2).read_bytes() == b"v3"


def test_file_we_never_wrote_is_kept_unless_it_already_holds_our_bytes(tmp_path: Path) -> None:
    """Without a manifest entry an existing file is someone's: kept; equal bytes are adopted."""
    counter = Counter()
    (tmp_path / "2021").mkdir()
    (tmp_path / PLAN).write_bytes(b"hand-made plan")
    (tmp_path / "2021/Möten 2021.ics").write_bytes(b"ics")
    mtime = (tmp_path / "2021/Möten 2021.ics").stat().st_mtime_ns
    report = build(
        tmp_path, counter.job(PLAN, "k1", b"v1"), counter.job("2021/Möten 2021.ics", "m", b"ics")
    )
    assert (tmp_path / PLAN).read_bytes() == b"hand-made plan"
    assert report.diverted[0].written == tmp_path / PLAN_NEW
    assert report.unchanged == (tmp_path / "2021/Möten 2021.ics",)
    assert (tmp_path / "2021/Möten 2021.ics").stat().st_mtime_ns == mtime
    assert load_manifest(tmp_path)["2021/Möten 2021.ics"].key == "m"


def test_corrupt_manifest_keeps_existing_files(tmp_path: Path) -> None:
    """An unreadable manifest never leads to overwriting: existing files are treated as someone's."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"))
    (tmp_path / ".docautomation/manifest.json").write_text("{not json", encoding="utf-8")
    report = build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    assert (tmp_path / PLAN).read_bytes() == b"v1"
    assert report.diverted[0].written == tmp_path / PLAN_NEW


def test_output_locked_on_replace_is_diverted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PermissionError on os.replace (Word holds the file on Windows) → new version beside it."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"))
    real_replace = os.replace

    def locked_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == tmp_path / PLAN:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(fileio, "_REPLACE_RETRY_DELAYS", (0.0,))
    monkeypatch.setattr("docautomation.fileio.os.replace", locked_replace)
    report = build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    assert report.diverted == ((tmp_path / PLAN, tmp_path / PLAN_NEW, DivertReason.LOCKED),)
    assert (tmp_path / PLAN).read_bytes() == b"v1" and (tmp_path / PLAN_NEW).read_bytes() == b"v2"
    assert leftovers(tmp_path) == []


def test_word_owner_file_diverts_and_release_lets_the_original_update(tmp_path: Path) -> None:
    """A "~$" owner file marks the output as open in Word; once closed, the next build updates it."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"))
    owner = tmp_path / "2021/~$rksamhetsplan 2021.docx"  # Word cuts two characters of long names
    owner.write_bytes(b"\x05Anna")
    report = build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    assert report.diverted == ((tmp_path / PLAN, tmp_path / PLAN_NEW, DivertReason.LOCKED),)
    assert (tmp_path / PLAN).read_bytes() == b"v1"
    counter.calls.clear()
    assert build(tmp_path, counter.job(PLAN, "k2", b"v2")).rendered_count == 0  # still open
    owner.unlink()
    report = build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    assert report.written == (tmp_path / PLAN,) and (tmp_path / PLAN).read_bytes() == b"v2"


def test_short_word_names_and_libreoffice_locks_are_recognised(tmp_path: Path) -> None:
    """Owner-file names follow Word's rule for short stems; LibreOffice's .~lock.…# counts too."""
    assert not outbox._is_open_in_office(tmp_path / "Plan.docx")
    (tmp_path / "~$Plan.docx").touch()
    assert outbox._is_open_in_office(tmp_path / "Plan.docx")
    (tmp_path / "~$ötesplan.docx").touch()  # 7-character stem: Word drops one character
    assert outbox._is_open_in_office(tmp_path / "Mötesplan.docx") is False
    assert outbox._is_open_in_office(tmp_path / "Mötespl.docx") is False
    (tmp_path / "~$ötespl.docx").touch()
    assert outbox._is_open_in_office(tmp_path / "Mötespl.docx")
    (tmp_path / ".~lock.Möten 2021.ics#").touch()
    assert outbox._is_open_in_office(tmp_path / "Möten 2021.ics")


def test_failing_render_leaves_old_files_and_no_temp_file(tmp_path: Path) -> None:
    """A render error writes nothing at all: the old file stays, no partial file appears."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"), counter.job("2021/a.ics", "a1", b"a1"))
    manifest = (tmp_path / ".docautomation/manifest.json").read_bytes()

    def broken() -> bytes:
        raise RuntimeError("template exploded")

    with pytest.raises(RuntimeError):
        build(tmp_path, counter.job("2021/a.ics", "a2", b"a2"), DocumentJob(PLAN, "k2", broken))
    assert (tmp_path / PLAN).read_bytes() == b"v1"
    assert (tmp_path / "2021/a.ics").read_bytes() == b"a1"
    assert (tmp_path / ".docautomation/manifest.json").read_bytes() == manifest
    assert leftovers(tmp_path) == []


def test_failing_write_keeps_old_file_and_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk error mid-write raises OutboxError; the old file is intact and no temp file remains."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"))

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("docautomation.fileio.os.fsync", full_disk)
    with pytest.raises(OutboxError, match="disken är full"):
        build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    assert (tmp_path / PLAN).read_bytes() == b"v1"
    assert leftovers(tmp_path) == []


def test_partial_file_is_never_visible_under_the_final_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While bytes are being written, the final name still holds the complete old version."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"old complete"))
    seen: list[bytes] = []
    real_fsync = os.fsync

    def spying_fsync(fd: int) -> None:
        seen.append((tmp_path / PLAN).read_bytes())
        real_fsync(fd)

    monkeypatch.setattr("docautomation.fileio.os.fsync", spying_fsync)
    build(tmp_path, counter.job(PLAN, "k2", b"new complete" * 1000))
    assert seen[0] == b"old complete"
    assert (tmp_path / PLAN).read_bytes() == b"new complete" * 1000


@pytest.mark.parametrize(
    "name",
    [
        "../evil.docx",
        "2021/../../evil.docx",
        "/etc/evil",
        "C:/evil.docx",
        "c:evil.docx",
        "2021\\evil.docx",
        "",
        ".docautomation/manifest.json",
        "2021/a.docx ",
        "2021/a.",
    ],
)
def test_path_escaping_the_outbox_is_refused(tmp_path: Path, name: str) -> None:
    """Names that could leave the outbox (or reach its state folder) raise and write nothing."""
    with pytest.raises(OutboxError, match="utanför utkorgen"):
        build(tmp_path / "out", Counter().job(name, "k"))
    assert not (tmp_path / "evil.docx").exists() and not (tmp_path / "out").exists()


def test_two_jobs_for_the_same_file_are_refused(tmp_path: Path) -> None:
    """Paths differing only in case would collide on Windows and are refused up front."""
    counter = Counter()
    with pytest.raises(OutboxError, match="samma fil"):
        build(tmp_path, counter.job("2021/a.ics", "1"), counter.job("2021/A.ics", "2"))
    assert counter.calls == []


def test_concurrent_builds_are_serialised_by_the_lock(tmp_path: Path) -> None:
    """Two threads building the same outbox never overlap inside OutboxLock."""
    spans: list[tuple[float, float]] = []

    def one_build(tag: str) -> None:
        with OutboxLock(tmp_path):
            start = time.monotonic()
            build(tmp_path, Counter().job(f"2021/{tag}.ics", tag))
            time.sleep(0.1)
            spans.append((start, time.monotonic()))

    workers = [threading.Thread(target=one_build, args=(t,)) for t in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=10)
    (_, first_end), (second_start, _) = sorted(spans)
    assert first_end <= second_start
    assert set(load_manifest(tmp_path)) == {"2021/a.ics", "2021/b.ics"}


Step = tuple[str, int]  # ("build", content version), ("edit", file) or ("lock", file/unlock)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("build"), st.integers(0, 3)),
            st.tuples(st.just("edit"), st.integers(0, 3)),
            st.tuples(st.just("lock"), st.integers(0, 3)),
        ),
        max_size=12,
    )
)
def test_no_edit_is_ever_lost(steps: list[Step]) -> None:
    """Whatever the order of builds, edits and Word locks, every edited file keeps its edit."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        edits: dict[Path, bytes] = {}  # the latest edit of each file
        for n, (kind, arg) in enumerate(steps):
            files = sorted(p for p in root.glob("2021/*.docx") if not p.name.startswith("~$"))
            if kind == "build":
                build(root, Counter().job(PLAN, f"k{arg}", f"version {arg}".encode()))
                assert (root / PLAN).exists()
            elif kind == "edit" and files:
                target = files[arg % len(files)]
                edits[target] = f"edit {n} of {target.name}".encode()
                target.write_bytes(edits[target])
            elif kind == "lock" and files and arg % 2 == 0:
                opened = files[arg % len(files)]
                (opened.parent / ("~$" + opened.name[2:])).write_bytes(b"owner")
            elif kind == "lock":  # Word closed every document
                for owner in root.glob("2021/~$*"):
                    owner.unlink()
            assert all(path.read_bytes() == edit for path, edit in edits.items())


def test_folder_refusing_new_files_is_an_error_not_a_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PermissionError while creating the temp file raises OutboxError instead of diverting."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"v1"))

    def refusing_mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir")))

    monkeypatch.setattr("docautomation.fileio.tempfile.mkstemp", refusing_mkstemp)
    with pytest.raises(OutboxError, match="behörighet saknas"):
        build(tmp_path, counter.job(PLAN, "k2", b"v2"))
    assert (tmp_path / PLAN).read_bytes() == b"v1" and not (tmp_path / PLAN_NEW).exists()


def test_one_failed_write_among_many_keeps_the_others_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When one write fails, the rest are still written and in the manifest."""
    counter = Counter()
    jobs = [counter.job(f"2021/Kallelser/{i:02d}.docx", f"k{i}") for i in range(12)]
    real_replace = os.replace

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == "05.docx":
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr("docautomation.fileio.os.replace", failing_replace)
    with pytest.raises(OutboxError, match="05.docx"):
        build(tmp_path, *jobs)
    monkeypatch.setattr("docautomation.fileio.os.replace", real_replace)
    assert set(load_manifest(tmp_path)) == {j.path for j in jobs} - {"2021/Kallelser/05.docx"}
    counter.calls.clear()
    report = build(tmp_path, *jobs)
    assert counter.calls == ["2021/Kallelser/05.docx"] and report.diverted == ()
    assert leftovers(tmp_path) == []


def test_a_temp_file_left_by_a_killed_build_is_removed_by_the_next(tmp_path: Path) -> None:
    """A ".<name>.<random>.partial" left when a build was killed mid-write (Windows shows it) is
    cleared by the next build, even when that build writes nothing; other hidden files stay."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1"))
    stale = [tmp_path / "2021" / f".{Path(rel).name}.k3x_9a2b.partial" for rel in (PLAN, PLAN_NEW2)]
    for path in stale:
        path.write_bytes(b"half a docx")
    other = tmp_path / "2021" / ".status.json.q1w2e3r4.partial"
    other.write_bytes(b"{}")
    report = build(tmp_path, counter.job(PLAN, "k1"))
    assert report.written == () and not any(p.exists() for p in stale) and other.exists()


# ---------------------------------------------------------------------------------------------
# Documents stamped with their provenance: compared by content
# ---------------------------------------------------------------------------------------------


def _stamped(register: str, day: int, text: str = "") -> bytes:
    """A small Word document with `text`, stamped as built from `register` on 2021-01-`day`."""
    buffer = BytesIO()
    doc = Document()
    doc.add_paragraph(text)
    doc.save(buffer)
    # Byte-stable like the engine's output: fixed zip times, parts in order.
    plain = write_package(parts(buffer.getvalue()).items())
    return stamp(plain, Provenance(register, "ab" * 32, date(2021, 1, day)))


def test_a_new_key_with_the_same_content_leaves_the_document_alone(tmp_path: Path) -> None:
    """Other properties only (another register version, another day): the file keeps its own."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", _stamped("a.xlsx", 1, "Plan")))
    before = ((tmp_path / PLAN).read_bytes(), (tmp_path / PLAN).stat().st_mtime_ns)
    report = build(tmp_path, counter.job(PLAN, "k2", _stamped("b.xlsx", 2, "Plan")))
    assert report.written == () and report.unchanged == (tmp_path / PLAN,)
    assert ((tmp_path / PLAN).read_bytes(), (tmp_path / PLAN).stat().st_mtime_ns) == before
    assert load_manifest(tmp_path)[PLAN].key == "k2"
    report = build(tmp_path, counter.job(PLAN, "k3", _stamped("b.xlsx", 3, "Ny plan")))
    assert report.written == (tmp_path / PLAN,)


def test_a_lost_manifest_adopts_a_document_with_the_same_content(tmp_path: Path) -> None:
    """Without the record, a file holding the same content is taken as ours, not diverted."""
    build(tmp_path, Counter().job(PLAN, "k1", _stamped("a.xlsx", 1, "Plan")))
    before = (tmp_path / PLAN).read_bytes()
    (tmp_path / ".docautomation/manifest.json").unlink()
    report = build(tmp_path, Counter().job(PLAN, "k2", _stamped("b.xlsx", 2, "Plan")))
    assert report.written == () and report.diverted == ()
    assert (tmp_path / PLAN).read_bytes() == before
    assert load_manifest(tmp_path)[PLAN].sha256 == fileio.sha256_file(tmp_path / PLAN)
    (tmp_path / ".docautomation/manifest.json").unlink()
    report = build(tmp_path, Counter().job(PLAN, "k3", _stamped("b.xlsx", 2, "Annan plan")))
    assert [d.reason for d in report.diverted] == [DivertReason.EDITED]


def test_an_edit_that_keeps_size_and_mtime_is_still_kept(tmp_path: Path) -> None:
    """Size and mtime are not the only evidence: before overwriting, the file's hash is
    compared with the manifest's, so an edit of the same length with its mtime put back
    (a sync client, a restore, `touch -r`) is kept and the new version goes beside it."""
    counter = Counter()
    build(tmp_path, counter.job(PLAN, "k1", b"version 1"))
    plan = tmp_path / PLAN
    before = plan.stat()
    plan.write_bytes(b"EDITED! 1")
    os.utime(plan, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert plan.stat().st_size == before.st_size

    report = build(tmp_path, counter.job(PLAN, "k2", b"version 2"))

    assert plan.read_bytes() == b"EDITED! 1"
    assert (tmp_path / PLAN_NEW).read_bytes() == b"version 2"
    assert [(d.intended, d.reason) for d in report.diverted] == [(plan, DivertReason.EDITED)]
