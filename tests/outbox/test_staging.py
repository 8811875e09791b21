"""Tests for outbox.staging: documents staged in hidden files while the others still render."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from docautomation.errors import TemplateError
from docautomation.fileio import is_partial, partial_target
from docautomation.models import DocumentJob
from docautomation.outbox.manifest import ManifestEntry
from docautomation.outbox.staging import Staged, discard_all, render_staged

REPO = Path(__file__).resolve().parents[2]


def job(rel: str, data: bytes) -> DocumentJob:
    return DocumentJob(rel, f"k-{rel}", lambda: data)


def failing() -> bytes:
    raise TemplateError('Mallen "Kallelse.docx" har ett fel.')


def stage(
    root: Path, jobs: list[DocumentJob], entries: dict[str, ManifestEntry] | None = None
) -> list[Staged]:
    done: list[int] = []
    staged = render_staged(root, jobs, [j.path for j in jobs], entries or {}, done.append)
    assert sum(done) == len(jobs)
    return staged


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_each_document_waits_in_a_hidden_file_beside_its_target(tmp_path: Path) -> None:
    """Staged bytes sit in a ".<name>.<random>.partial" file in the target's folder, readable
    like any document; the target itself does not exist until the writer places it."""
    jobs = [job(f"2021/Kallelser/{n:02d}.docx", f"kallelse {n}".encode()) for n in range(40)]
    staged = stage(tmp_path, jobs)
    mask = os.umask(0)
    os.umask(mask)
    for item, one in zip(staged, jobs, strict=True):
        assert item.temp is not None and item.temp.parent == (tmp_path / one.path).parent
        assert is_partial(item.temp.name) and partial_target(item.temp.name) == Path(one.path).name
        assert item.temp.read_bytes() == item.data == one.render()
        assert item.digest.sha256 == hashlib.sha256(item.data).hexdigest()
        if os.name == "posix":  # eight threads stage at once: none may see another's umask
            assert item.temp.stat().st_mode & 0o777 == 0o666 & ~mask
    assert not any((tmp_path / one.path).exists() for one in jobs)
    discard_all(staged)
    assert files(tmp_path) == []


def test_a_failing_render_leaves_no_staged_file(tmp_path: Path) -> None:
    """The documents staged before a template error are removed: the outbox is as it was."""
    good = [job(f"2021/Protokoll/{n:02d}.docx", b"protokoll") for n in range(12)]
    broken = DocumentJob("2021/Kallelser/fel.docx", "k", failing)
    (tmp_path / "2021").mkdir()
    (tmp_path / "2021/Verksamhetsplan 2021.docx").write_bytes(b"som den var")
    with pytest.raises(TemplateError, match="Kallelse.docx"):
        stage(tmp_path, [*good, broken])
    assert files(tmp_path) == [tmp_path / "2021/Verksamhetsplan 2021.docx"]


def test_content_the_outbox_already_holds_is_not_staged(tmp_path: Path) -> None:
    """A job whose bytes equal what the manifest says was written last is left to the writer,
    which usually writes nothing: no temporary file for it."""
    data = b"samma som sist"
    sha = hashlib.sha256(data).hexdigest()
    entry = ManifestEntry("old", sha, len(data), 0, "r.xlsx", "ab" * 32, "", "", "")
    same, other = job("2021/Möten 2021.ics", data), job("2021/Ny.ics", b"ny")
    staged = stage(tmp_path, [same, other], {same.path: entry})
    assert staged[0].temp is None and staged[0].data == data
    assert staged[1].temp is not None and staged[1].temp.exists()
    discard_all(staged)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="workers fork only on Linux")
def test_a_large_build_is_staged_as_the_forked_workers_return_it(tmp_path: Path) -> None:
    """With two rendering workers, every document is staged once, with its own bytes, in job
    order (run in a fresh process: pytest's threads keep a process from forking)."""
    code = f"""
        from pathlib import Path
        from docautomation.outbox.forked import MIN_WEIGHT
        from docautomation.outbox.staging import render_staged
        from tests.outbox.test_forked import jobs
        work = jobs(40, MIN_WEIGHT // 10)
        staged = render_staged(Path({str(tmp_path)!r}), work, [j.path for j in work], {{}}, lambda _n: None)
        print(all(s.temp.read_bytes() == s.data for s in staged))
        print([s.data.split(b" fr")[0].decode() for s in staged] == [f"dokument {{n}}" for n in range(40)])
        print(len({{s.temp for s in staged}}))
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "40"]
