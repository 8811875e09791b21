"""Tests for the outbox's build lock: waiting, giving up, and outboxes that cannot hold it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docautomation.errors import OutboxBusyError, OutboxError
from docautomation.outbox.lock import LOCK_NAME, OutboxLock
from tests.support.hostile import immutable

VICTIM = b"not the tool's file\n"


def test_lock_held_by_another_process_times_out_with_a_clear_error(tmp_path: Path) -> None:
    """A build waiting longer than its timeout raises OutboxBusyError naming the outbox."""
    code = (
        "import sys, time; from pathlib import Path; from docautomation.outbox.lock import "
        "OutboxLock\nwith OutboxLock(Path(sys.argv[1])):\n"
        "    print('held', flush=True); time.sleep(30)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = pytest.raises(OutboxBusyError, match="används av en annan körning")
        with busy, OutboxLock(tmp_path, timeout=0.2):
            pass
    finally:
        holder.kill()
        holder.wait()
    with OutboxLock(tmp_path, timeout=5):  # the lock dies with its holder
        pass


def test_an_immutable_lock_file_is_one_swedish_outbox_error(tmp_path: Path) -> None:
    """A lock file nobody may open for writing: OutboxError (exit 1) in Swedish, no OS text."""
    lock = tmp_path / ".docautomation" / LOCK_NAME
    lock.parent.mkdir()
    lock.touch()
    with immutable(lock), pytest.raises(OutboxError) as caught, OutboxLock(tmp_path):
        pass
    message = str(caught.value)
    assert caught.value.exit_code == 1
    assert message.startswith(f"Utkorgen {tmp_path} kan inte användas: åtgärden är inte tillåten")
    assert "not permitted" not in message and "\n" not in message


def test_an_outbox_that_cannot_be_written_is_one_swedish_outbox_error(tmp_path: Path) -> None:
    """A read-only outbox (no state folder can be made in it): OutboxError in Swedish."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    with (
        immutable(outbox),
        pytest.raises(OutboxError, match="kan inte användas"),
        OutboxLock(outbox),
    ):
        pass


def test_a_link_planted_at_the_lock_file_is_replaced_not_followed(tmp_path: Path) -> None:
    """build.lock as a link to another file: the link goes, the file keeps its bytes."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    lock = tmp_path / "outbox" / ".docautomation" / LOCK_NAME
    lock.parent.mkdir(parents=True)
    lock.symlink_to(victim)
    with OutboxLock(tmp_path / "outbox"):
        assert not lock.is_symlink()
    assert victim.read_bytes() == VICTIM


def test_a_state_folder_that_is_a_link_elsewhere_is_refused(tmp_path: Path) -> None:
    """.docautomation as a link to another folder: nothing is created there."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / ".docautomation").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutboxError, match="är en länk till en annan plats"), OutboxLock(outbox):
        pass
    assert list(elsewhere.iterdir()) == []
