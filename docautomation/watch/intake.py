"""Intake of one register file for the watcher: stable, read privately, whole, new, then built.

The watcher calls `Intake.consider` for every candidate in the inbox on each rescan; it answers
when to look again. A file is built only when its (size, mtime, inode) held still for the
stability gap, the bytes read did not change under the read, they form a whole workbook, and
they are new by raw SHA-256 and by the register's data fingerprint (Excel re-saves change bytes
but not data). A file that stays no whole workbook for `grace` seconds is reported through the
build (which answers with exit code 3), never silently dropped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import EXIT_MEANINGS, DocAutomationError
from ..register.files import open_shared
from . import buildlog
from . import status as state
from .buildlog import Outcome, StatKey

BAD_FILE_GRACE = 10.0  # a file still not a whole workbook after this long unchanged is reported
GONE_AFTER = 2.0  # a register absent from the inbox this long has left it (not a save's rename)
_RETRY_CAP = 4.0  # longest wait between re-reads of a file that is not whole yet
_COARSE_MTIME_NS = 2_500_000_000  # FAT keeps mtimes to 2 s: a read this long after saw every save

BuildFn = Callable[[Path, bytes], Outcome]
FingerprintFn = Callable[[bytes], str]


@dataclass(frozen=True, slots=True)
class Hooks:
    """The pipeline functions the intake calls (tests pass fakes for build and fingerprint)."""

    build: BuildFn
    fingerprint: FingerprintFn
    probe: Callable[[bytes, str], str | None]  # None when whole, else why not


def build_hooks(
    settings: Settings, *, build: BuildFn | None = None, fingerprint: FingerprintFn | None = None
) -> Hooks:
    """build.build_file, the register's fingerprint and the file check's probe, unless given."""
    return Hooks(
        build=build or _build_hook(settings),
        fingerprint=fingerprint or _fingerprint_hook(settings),
        probe=_file_probe(settings),
    )


def _build_hook(settings: Settings) -> BuildFn:
    def build(path: Path, data: bytes) -> Outcome:
        from .. import build

        return build.build_file(path, settings, data=data)

    return build


def _fingerprint_hook(settings: Settings) -> FingerprintFn:
    def fingerprint(data: bytes) -> str:
        from ..register.fingerprint import register_fingerprint

        return register_fingerprint(data, settings.limits)

    return fingerprint


def _file_probe(settings: Settings) -> Callable[[bytes, str], str | None]:
    def probe(data: bytes, name: str) -> str | None:
        from ..register import files

        return files.probe_workbook_bytes(data, name, settings.limits)

    return probe


@dataclass(slots=True)
class _Pending:
    """A register seen with a new stat key that is not yet dealt with."""

    key: StatKey
    since: float  # monotonic time the key was first seen
    failures: int = 0
    retry_at: float = 0.0
    warned: bool = False
    read_ns: int = 0  # wall time of the last read of its bytes


def _key(st: os.stat_result) -> StatKey:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class Intake:
    """What the watcher knows about each register between rescans, and the decision to build."""

    def __init__(
        self,
        settings: Settings,
        hooks: Hooks,
        log: logging.Logger,
        *,
        grace: float = BAD_FILE_GRACE,
    ) -> None:
        self._settings, self._hooks, self._log, self._grace = settings, hooks, log, grace
        self._gap = settings.watch.stable_gap
        self._outbox = settings.outbox
        self._ledger = state.load_ledger(self._outbox)
        self._pending: dict[str, _Pending] = {}
        self._missing: dict[str, float] = {}  # name → monotonic time it was first found absent
        self._due: float | None = None
        self.builds: dict[str, dict[str, Any]] = state.previous_builds(self._outbox)  # status.json

    def consider(self, path: Path) -> float | None:
        """Look at one register file; build it if it is stable, whole and new.

        Returns:
            The monotonic time at which to look at it again, or None when it is dealt with.
        """
        self._due = None
        self._consider(path)
        return self._due

    def _schedule(self, when: float) -> None:
        self._due = when if self._due is None else min(self._due, when)

    def present(self, names: set[str]) -> float | None:
        """Tell which registers the inbox holds now; forget those that have left it.

        A name absent for GONE_AFTER seconds (longer than a save's rename) leaves the ledger and
        status.json. A departure can unblock the registers that were refused because another
        file claimed their year (a sync client's conflict copy), so they are looked at again.

        Returns:
            The monotonic time at which to call again (an absence is still being timed), or None.
        """
        now, self._due = time.monotonic(), None
        for name in names:
            self._missing.pop(name, None)
        for name in (self._ledger.keys() | self.builds.keys()) - names:
            self._missing.setdefault(name, now)
        gone = [n for n, since in self._missing.items() if now - since >= GONE_AFTER]
        for name in gone:
            self._log.info("%s finns inte längre i inkorgen.", name)
            del self._missing[name]
            self._pending.pop(name, None)
            self._ledger.pop(name, None)
            self.builds.pop(name, None)
        if gone:
            self._recheck_refused(except_name="")
            self._save_ledger()
        for since in self._missing.values():
            self._schedule(since + GONE_AFTER)
        return self._due

    def _refused(self, name: str) -> bool:
        """Refused without an error of its own: another register claimed the same year."""
        entry, record = self._ledger.get(name), self.builds.get(name)
        return (
            entry is not None
            and entry.exit_code == 1
            and isinstance(record, dict)
            and record.get("errors") == 0
        )

    def _recheck_refused(self, *, except_name: str) -> None:
        """Forget what was recorded for refused registers, so the next rescan builds them."""
        refused = [n for n in self._ledger if n != except_name and self._refused(n)]
        for name in refused:
            self._log.info("%s byggs om: en annan fil för samma år kan vara borta.", name)
            del self._ledger[name]
        if refused:
            self._schedule(time.monotonic() + self._gap)

    def _consider(self, path: Path) -> None:
        name, now = path.name, time.monotonic()
        try:
            key = _key(path.stat())
        except FileNotFoundError:  # mid-save (renamed away) or removed: the next event tells
            self._pending.pop(name, None)
            return
        entry = self._ledger.get(name)
        if entry is not None and entry.key == key and _settled(entry):
            self._pending.pop(name, None)
            return
        pending = self._pending.get(name)
        if pending is None or pending.key != key:
            self._pending[name] = _Pending(key, since=now)
            self._schedule(now + self._gap)
            return
        ready_at = max(pending.since + self._gap, pending.retry_at)
        if now < ready_at:
            self._schedule(ready_at)
            return
        data = self._read(path, pending, now)
        if data is not None:
            self._handle(path, data, pending, now)

    def _read(self, path: Path, pending: _Pending, now: float) -> bytes | None:
        """The file's bytes, read at once and closed; None (and a retry) when that failed."""
        limit = int(self._settings.limits.max_file_mb * 1024 * 1024)
        pending.read_ns = time.time_ns()  # what is decided below holds for saves before this
        if pending.key[0] > limit:
            self._not_whole(
                path,
                pending,
                now,
                data=None,
                why=f"filen är för stor ({pending.key[0] / 1e6:.0f} MB; "
                f"gränsen är {self._settings.limits.max_file_mb:g} MB)",
            )
            return None
        try:
            with open_shared(path) as fh:  # hold the board's file for the read only
                data = fh.read(limit + 1)
            after = _key(path.stat())
        except OSError as exc:  # locked, vanished, an offline cloud placeholder…: retry
            self._unreadable_now(path, pending, now, exc)
            return None
        if after != pending.key or len(data) != pending.key[0]:
            self._pending[path.name] = _Pending(after, since=now)  # changed while read: wait again
            self._schedule(now + self._gap)
            return None
        return data

    def _unreadable_now(self, path: Path, pending: _Pending, now: float, exc: OSError) -> None:
        pending.failures += 1
        pending.retry_at = now + _backoff(pending.failures)
        self._schedule(pending.retry_at)
        if now - pending.since >= self._grace and not pending.warned:
            pending.warned = True  # never give up silently, but say it once
            self._log.warning(
                "Kan inte läsa %s sedan %g s (%s); försöker igen.", path.name, self._grace, exc
            )
        else:
            self._log.debug("Kan inte läsa %s just nu (%s).", path.name, exc)

    def _handle(self, path: Path, data: bytes, pending: _Pending, now: float) -> None:
        name = path.name
        sha = hashlib.sha256(data).hexdigest()
        entry = self._ledger.get(name)
        if entry is not None and entry.sha256 == sha:
            self._log.debug("%s har samma innehåll som förra gången; inget att göra.", name)
            self._remember(name, _moved_on(entry, pending))
            return
        why = self._hooks.probe(data, name)
        if why is not None:
            self._not_whole(path, pending, now, data=data, why=why)
            return
        fingerprint = self._fingerprint(data, name)
        if (
            entry is not None
            and fingerprint is not None
            and entry.fingerprint == fingerprint
            and entry.exit_code in (0, 1)
        ):
            self._log.info("%s sparades om utan ändrade uppgifter; inget att bygga.", name)
            self._remember(name, replace(_moved_on(entry, pending), sha256=sha))
            return
        self._build(path, data, pending, sha, fingerprint)

    def _not_whole(
        self, path: Path, pending: _Pending, now: float, *, data: bytes | None, why: str
    ) -> None:
        """A file that is no whole workbook: maybe still being written, so wait; then report it."""
        if now - pending.since < self._grace:
            pending.failures += 1
            pending.retry_at = now + _backoff(pending.failures)
            self._schedule(pending.retry_at)
            self._log.debug("%s är inte läsbar än (%s); försöker igen.", path.name, why)
            return
        self._log.warning(
            "%s har inte ändrats på %g s och går fortfarande inte att läsa.",
            path.name,
            self._grace,
        )
        if data is not None:
            self._build(path, data, pending, hashlib.sha256(data).hexdigest(), None)
            return
        record = buildlog.failed_record(path.name, pending.key, 3, f"{path.name}: {why}")
        self._log.error("%s: %s", path.name, why)
        self._finish(path.name, pending, "", None, record)

    def _fingerprint(self, data: bytes, name: str) -> str | None:
        try:
            return self._hooks.fingerprint(data)
        except Exception as exc:  # noqa: BLE001 - without one the register is just built
            self._log.debug("Inget fingeravtryck för %s (%s).", name, exc)
            return None

    # -- build ----------------------------------------------------------------------------

    def _build(self, path: Path, data: bytes, pending: _Pending, sha: str, fp: str | None) -> None:
        name, key, started = path.name, pending.key, time.monotonic()
        self._log.info("Bygger %s …", name)
        try:
            outcome = self._hooks.build(path, data)
        except DocAutomationError as exc:
            record = buildlog.failed_record(name, key, exc.exit_code, str(exc))
            self._log.error(
                "%s: %s (kod %s): 0 dokument skrivna; bygget tog %.2f s. %s",
                name,
                EXIT_MEANINGS.get(exc.exit_code, "fel"),
                exc.exit_code,
                time.monotonic() - started,
                exc,
            )
        except Exception:  # noqa: BLE001 - a bug in a stage: log it, keep watching
            self._log.exception("Bygget av %s kraschade; bevakningen fortsätter.", name)
            record = buildlog.failed_record(name, key, None, "bygget kraschade")
        else:
            record = buildlog.build_record(name, key, outcome)
            buildlog.log_outcome(self._log, record, outcome, time.monotonic() - started)
        self._finish(name, pending, sha, fp, record)

    def _finish(
        self, name: str, pending: _Pending, sha: str, fp: str | None, record: state.BuildRecord
    ) -> None:
        size, mtime_ns, inode = pending.key
        self.builds[name] = record.as_json()
        if not self._refused_record(record):
            self._recheck_refused(except_name=name)  # its year may be free now
        self._remember(
            name,
            state.LedgerEntry(
                size,
                mtime_ns,
                inode,
                sha256=sha,
                fingerprint=fp,
                exit_code=record.exit_code,
                built_at=record.finished,
                checked_ns=pending.read_ns,
            ),
        )

    @staticmethod
    def _refused_record(record: state.BuildRecord) -> bool:
        return record.exit_code == 1 and record.errors == 0

    def _remember(self, name: str, entry: state.LedgerEntry) -> None:
        self._pending.pop(name, None)
        self._ledger[name] = entry
        self._save_ledger()
        if not _settled(entry):  # look once more when no save can hide behind the mtime
            wait = (entry.mtime_ns + _COARSE_MTIME_NS - time.time_ns()) / 1e9
            self._schedule(time.monotonic() + max(wait, self._gap))

    def _save_ledger(self) -> None:
        try:
            state.save_ledger(self._outbox, self._ledger)
        except OSError as exc:
            self._log.warning("Kan inte spara bevakningens logg i %s: %s", self._outbox, exc)


def _backoff(failures: int) -> float:
    return float(min(0.5 * 2 ** max(failures - 1, 0), _RETRY_CAP))


def _moved_on(entry: state.LedgerEntry, pending: _Pending) -> state.LedgerEntry:
    size, mtime_ns, inode = pending.key
    return replace(entry, size=size, mtime_ns=mtime_ns, inode=inode, checked_ns=pending.read_ns)


def _settled(entry: state.LedgerEntry) -> bool:
    """True when an unchanged (size, mtime, inode) proves unchanged bytes.

    A fine-grained mtime always changes with a save. A whole-second one (FAT, ext3, some
    shares) does not within its granule, so it proves nothing until the bytes were read
    well after it.
    """
    if entry.mtime_ns % 1_000_000_000:
        return True
    return entry.checked_ns - entry.mtime_ns >= _COARSE_MTIME_NS
