"""The watcher's state files: instance lock, ledger, status.json and the `status` text."""

from __future__ import annotations

import json
import os
import socket
import threading
from datetime import datetime
from pathlib import Path

import pytest

from docautomation.errors import AlreadyRunningError, ConfigError
from docautomation.swedish import local_moment
from docautomation.watch import status


def _entry(**changes: object) -> status.LedgerEntry:
    fields: dict[str, object] = {
        "size": 10,
        "mtime_ns": 5,
        "inode": 7,
        "sha256": "ab",
        "fingerprint": "fp",
        "exit_code": 0,
        "built_at": "2024-05-01T10:00:00+02:00",
    }
    fields.update(changes)
    return status.LedgerEntry(**fields)  # type: ignore[arg-type]


def test_instance_lock_records_the_holder_and_refuses_a_second(tmp_path: Path) -> None:
    """While held, watch.pid.json names pid and host, and a second holder gets AlreadyRunningError."""
    with status.hold_instance_lock(tmp_path) as me:
        assert me.pid == os.getpid() and me.host == socket.gethostname()
        assert status.read_instance(tmp_path) == me
        assert status.is_running(tmp_path)
        errors: list[BaseException] = []

        def second() -> None:
            try:
                with status.hold_instance_lock(tmp_path, wait=0.05):
                    pass
            except AlreadyRunningError as exc:
                errors.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
        assert len(errors) == 1 and me.describe() in str(errors[0])
        assert str(tmp_path) in str(errors[0])
    assert status.read_instance(tmp_path) is None
    assert not status.is_running(tmp_path)
    with status.hold_instance_lock(tmp_path):
        pass  # free again


def test_is_running_is_false_for_an_outbox_never_watched(tmp_path: Path) -> None:
    """No lock file means no watcher, and probing does not create the state folder."""
    assert not status.is_running(tmp_path)
    assert not (tmp_path / status.STATE_DIR).exists()


def test_ledger_round_trip_drops_crashed_builds(tmp_path: Path) -> None:
    """Saved entries load back equal; an entry whose build crashed (exit None) is dropped for a retry."""
    ledger = {
        "a.xlsx": _entry(),
        "b.xlsx": _entry(exit_code=None),
        "c.xlsx": _entry(fingerprint=None),
    }
    status.save_ledger(tmp_path, ledger)
    loaded = status.load_ledger(tmp_path)
    assert loaded == {"a.xlsx": ledger["a.xlsx"], "c.xlsx": ledger["c.xlsx"]}
    assert loaded["a.xlsx"].key == (10, 5, 7)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"files": {"a.xlsx": {"size": 1}}}'])
def test_unreadable_ledger_starts_empty(tmp_path: Path, content: str) -> None:
    """A damaged ledger costs a rebuild, never a crash."""
    path = tmp_path / status.STATE_DIR / status.LEDGER_NAME
    path.parent.mkdir()
    path.write_text(content, encoding="utf-8")
    assert status.load_ledger(tmp_path) == {}


def _write(tmp_path: Path, instance: status.Instance, builds: dict[str, dict[str, object]]) -> None:
    status.write_status(
        tmp_path,
        instance,
        inbox=tmp_path / "inbox",
        polling=False,
        running=True,
        last_rescan="2024-05-01T10:00:05+02:00",
        builds=builds,
    )


def _record(**changes: object) -> status.BuildRecord:
    fields: dict[str, object] = {
        "file": "Register 2021.xlsx",
        "finished": "2024-05-01T10:00:04+02:00",
        "exit_code": 0,
        "written": 5,
        "unchanged": 2,
        "diverted": 0,
        "errors": 0,
        "warnings": 1,
        "message": "",
        "seconds_after_save": 0.8,
    }
    fields.update(changes)
    return status.BuildRecord(**fields)  # type: ignore[arg-type]


def test_status_json_holds_heartbeat_and_builds_and_running_is_checked_live(tmp_path: Path) -> None:
    """status.json keeps each register's last build; read_status trusts the lock, not the file."""
    instance = status.Instance(pid=4242, host="styrelsedatorn", since="2024-05-01T09:00:00+02:00")
    _write(tmp_path, instance, {"Register 2021.xlsx": _record().as_json()})
    raw = json.loads((tmp_path / status.STATUS_NAME).read_text(encoding="utf-8"))
    assert raw["watcher"]["running"] is True and raw["watcher"]["pid"] == 4242
    assert raw["registers"]["Register 2021.xlsx"]["problems"] == 1
    assert not list(tmp_path.glob(".*.partial"))
    read = status.read_status(tmp_path)
    assert read["watcher"]["running"] is False  # no lock held: a stale "running" is not believed
    assert read["watcher"]["last_rescan"] == "2024-05-01T10:00:05+02:00"
    assert read["registers"]["Register 2021.xlsx"]["written"] == 5
    with status.hold_instance_lock(tmp_path):
        assert status.read_status(tmp_path)["watcher"]["running"] is True
    assert {k: {**v, "by": "bevakningen"} for k, v in status.previous_builds(tmp_path).items()} == (
        read["registers"]
    )


def test_format_status_names_the_watcher_and_each_register(tmp_path: Path) -> None:
    """The status text says whether it runs, when it last looked, and each register's result."""
    instance = status.Instance(pid=4242, host="styrelsedatorn", since="2024-05-01T09:00:00+02:00")
    builds = {
        "Register 2021.xlsx": _record().as_json(),
        "Register 2022.xlsx": _record(
            file="Register 2022.xlsx",
            exit_code=1,
            written=0,
            errors=3,
            message="Se Valideringsrapport.xlsx",
        ).as_json(),
        "trasig.xlsx": _record(file="trasig.xlsx", exit_code=None, written=0).as_json(),
        "Register 2023.xlsx": _record(file="Register 2023.xlsx", written=1, unchanged=0).as_json(),
    }
    _write(tmp_path, instance, builds)
    with status.hold_instance_lock(tmp_path) as me:
        text = status.format_status(status.read_status(tmp_path))
    lines = text.splitlines()
    assert lines[0] == f"Utkorg: {tmp_path}"
    assert lines[1].startswith("Bevakning: körs (pid") and str(me.pid) in lines[1]
    when = local_moment(datetime.fromisoformat("2024-05-01T10:00:04+02:00"))
    assert f"Senaste genomsökning av inkorgen: {when[:-1]}" in text  # the local time, in words
    assert (
        f"Register 2021.xlsx: klart {when} (bevakningen); 7 dokument (5 skrivna), 0 fel, 1 varning"
    ) in text
    assert (
        "Register 2022.xlsx: registret har fel" in text and "  Se Valideringsrapport.xlsx" in text
    )
    assert "trasig.xlsx: kraschade" in text
    assert "Register 2023.xlsx: klart" in text and "; 1 dokument (1 skrivet), 0 fel" in text


def test_format_status_of_an_outbox_without_a_watcher(tmp_path: Path) -> None:
    """An outbox never watched gives a short, clear answer instead of an error."""
    text = status.format_status(status.read_status(tmp_path))
    assert "Bevakning: körs inte" in text
    assert "Inget register har byggts till den här utkorgen ännu." in text
    assert "finns inte" not in text


def test_format_status_says_when_the_outbox_does_not_exist(tmp_path: Path) -> None:
    """Run from the wrong folder, `status` says the outbox is missing rather than only that no
    watcher runs (which reads as if the service had died); nothing is created."""
    missing = tmp_path / "outbox"
    text = status.format_status(status.read_status(missing))
    assert text.splitlines()[0] == (
        f"Utkorg: {missing} (mappen finns inte: kör kommandot i arbetsmappen eller ange --out)"
    )
    assert not missing.exists()


def test_outbox_that_cannot_be_written_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outbox the service account cannot write is one clear line (exit 2), not a traceback."""
    blocked = tmp_path / "utkorg"
    blocked.write_text("en fil, ingen mapp")
    with (
        pytest.raises(ConfigError, match="Kan inte skriva i utkorgen") as info,
        status.hold_instance_lock(blocked),
    ):
        pass
    assert info.value.exit_code == 2

    def refuse(path: Path, data: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(status, "write_json", refuse)
    with pytest.raises(ConfigError, match="behörighet saknas"), status.hold_instance_lock(tmp_path):
        pass
    monkeypatch.undo()
    with status.hold_instance_lock(tmp_path):
        pass  # the lock was released on the way out


def test_status_json_held_open_on_windows_is_retried_then_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replace refused for a moment (a reader on Windows) is retried; one refused for good
    raises without leaving a ".status.json.partial" beside the documents."""
    real_replace = os.replace
    refusals = [2]

    def held(src: str | Path, dst: str | Path) -> None:
        if refusals[0] > 0:
            refusals[0] -= 1
            raise PermissionError(13, "The process cannot access the file", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", held)
    status.write_json(tmp_path / status.STATUS_NAME, {"a": 1})
    assert json.loads((tmp_path / status.STATUS_NAME).read_text(encoding="utf-8")) == {"a": 1}
    refusals[0] = 99
    with pytest.raises(PermissionError):
        status.write_json(tmp_path / status.STATUS_NAME, {"a": 2})
    assert sorted(p.name for p in tmp_path.iterdir()) == [status.STATUS_NAME]
