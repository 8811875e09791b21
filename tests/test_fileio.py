"""Tests for fileio's write_new: a new file written whole, never over one that exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docautomation.fileio import write_new


def test_write_new_writes_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The bytes arrive under the name (its folder made); nothing else stays beside it."""
    target = tmp_path / "sub" / "Register 2022.xlsx"
    write_new(target, b"data")
    assert target.read_bytes() == b"data"
    assert os.listdir(target.parent) == [target.name]


def test_write_new_never_replaces_an_existing_file(tmp_path: Path) -> None:
    """A file of that name keeps its bytes; the refusal leaves no temporary file behind."""
    target = tmp_path / "Register 2022.xlsx"
    target.write_bytes(b"styrelsens egna")
    with pytest.raises(FileExistsError):
        write_new(target, b"nytt")
    assert target.read_bytes() == b"styrelsens egna"
    assert os.listdir(tmp_path) == [target.name]


def test_without_hard_links_an_existing_file_is_still_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system without links (FAT, some shares) the name is checked before the rename."""

    def no_links(_src: object, _dst: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "Register 2022.xlsx"
    write_new(target, b"nytt")
    assert target.read_bytes() == b"nytt"
    with pytest.raises(FileExistsError):
        write_new(target, b"igen")
    assert target.read_bytes() == b"nytt" and os.listdir(tmp_path) == [target.name]
