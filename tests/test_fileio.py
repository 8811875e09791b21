"""Tests for fileio: write_new (never over an existing file) and links in a shared outbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docautomation.fileio import STATE_DIR, LinkedFolderError, write_atomically, write_new


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


def test_an_outbox_that_is_itself_a_link_is_written_through(tmp_path: Path) -> None:
    """Links above the outbox (the outbox itself a link to a synced folder) are the owner's
    choice: writes follow them."""
    real = tmp_path / "synced" / "outbox"
    (real / STATE_DIR).mkdir(parents=True)
    outbox = tmp_path / "outbox"
    outbox.symlink_to(real, target_is_directory=True)
    write_atomically(outbox / "2021" / "Kallelser" / "a.ics", b"ics")
    assert (real / "2021" / "Kallelser" / "a.ics").read_bytes() == b"ics"


def test_a_link_to_another_outbox_inside_the_outbox_is_refused(tmp_path: Path) -> None:
    """A year folder linked to some other outbox (which has a state folder of its own) is
    still a link inside this outbox: refused, nothing written there."""
    other = tmp_path / "other"
    (other / STATE_DIR).mkdir(parents=True)
    outbox = tmp_path / "outbox"
    (outbox / STATE_DIR).mkdir(parents=True)
    (outbox / "2021").symlink_to(other, target_is_directory=True)
    with pytest.raises(LinkedFolderError, match='mappen "2021" i utkorgen är en länk'):
        write_atomically(outbox / "2021" / "Verksamhetsplan 2021.docx", b"docx")
    assert sorted(p.name for p in other.iterdir()) == [STATE_DIR]


def test_outside_any_outbox_folders_are_simply_made(tmp_path: Path) -> None:
    """The inbox, a template folder: no state folder above, no link check, folders made."""
    write_atomically(tmp_path / "inbox" / "sub" / "Register 2022.xlsx", b"xlsx")
    assert (tmp_path / "inbox" / "sub" / "Register 2022.xlsx").read_bytes() == b"xlsx"
