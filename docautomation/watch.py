"""The inbox watcher (SPEC §6): file events are hints; a rescan of the inbox decides what to build.

Excel never rewrites a workbook in place: it writes a temp file and renames it over the register,
so the real name often shows up only as a move destination, and a copy can be read half-written.
Every event therefore only marks the inbox dirty; after a quiet spell the inbox is rescanned and
each register whose (size, mtime, inode) moved on is checked for stability, read into memory (the
board's file is never held open), checked to be a whole workbook and compared with the ledger by
raw hash and by data fingerprint before anything is built.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from . import status as state
from .config import Settings
from .errors import ConfigError, DocAutomationError
from .models import Problem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
BAD_FILE_GRACE = 10.0  # a file still not a whole workbook after this long unchanged is reported
_MAX_DEBOUNCE = 5.0  # events that never stop still get a rescan this often (watchdog #997)
_RETRY_CAP = 4.0  # longest wait between re-reads of a file that is not whole yet
_TICK = 0.25  # longest sleep of the loop: how quickly stop_event is noticed
_OBSERVER_CHECK = 1.0
_OBSERVER_BACKOFF_CAP = 60.0
_OBSERVER_HEALTHY = 30.0  # an observer alive this long resets the restart backoff
_STALE_EXCEL_TEMP = 300.0
_MAX_LOGGED_PROBLEMS = 20
_EXCEL_TEMP = re.compile(r"^[0-9A-Fa-f]{8}$")

StatKey = tuple[int, int, int]


class Outcome(Protocol):
    """What the watcher needs from a build's result (pipeline.BuildOutcome has it)."""

    @property
    def exit_code(self) -> int: ...
    @property
    def problems(self) -> Sequence[Problem]: ...
    @property
    def written(self) -> Sequence[Path]: ...
    @property
    def unchanged(self) -> Sequence[Path]: ...
    @property
    def diverted(self) -> Sequence[tuple[Any, ...]]: ...  # (intended, written beside it, …)
    @property
    def message(self) -> str: ...


BuildFn = Callable[[Path, bytes], Outcome]
FingerprintFn = Callable[[bytes], str]


def is_register_name(name: str) -> bool:
    """True for a file to build: *.xlsx/*.xlsm, not an owner, lock, temp or hidden file."""
    return not name.startswith(("~$", ".")) and name.lower().endswith(WORKBOOK_SUFFIXES)


def install_signal_handlers(stop_event: threading.Event) -> Callable[[], None]:
    """Make SIGINT and SIGTERM (and Ctrl+Break on Windows) set `stop_event`.

    A second signal while stopping raises KeyboardInterrupt, so a stuck build can still be left.
    Handlers can only be installed from the main thread; elsewhere this does nothing.

    Returns:
        A function that restores the previous handlers.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop_event.is_set():
            raise KeyboardInterrupt
        stop_event.set()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGINT", "SIGTERM", "SIGBREAK"):  # SIGBREAK exists on Windows only
            signum = getattr(signal, name, None)
            if signum is not None:
                with contextlib.suppress(OSError, ValueError):
                    previous[signum] = signal.signal(signum, handler)

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old)

    return restore


def watch(
    settings: Settings,
    *,
    build: BuildFn | None = None,
    fingerprint: FingerprintFn | None = None,
    polling: bool = False,
    stop_event: threading.Event | None = None,
    log: logging.Logger | None = None,
    bad_file_grace: float = BAD_FILE_GRACE,
) -> None:
    """Build every register in the inbox that changed, now and whenever it is saved, until stopped.

    Args:
        settings: inbox, outbox, limits and the watcher's timings.
        build: builds one register from the bytes read; defaults to pipeline.build_file.
        fingerprint: hash of a register's data; defaults to pipeline.register_fingerprint.
        polling: poll every settings.watch.poll_interval seconds instead of file events.
        stop_event: set it (or send SIGINT/SIGTERM via install_signal_handlers) to stop.
        log: where builds and trouble are logged; defaults to this module's logger.
        bad_file_grace: seconds a file must stay unchanged before it is reported as unreadable.

    Raises:
        ConfigError: the inbox does not exist, or is the outbox.
        AlreadyRunningError: another watcher serves this outbox.
    """
    inbox, outbox = settings.inbox, settings.outbox
    if not inbox.is_dir():
        raise ConfigError(f"Inkorgen {inbox} finns inte (docautomation init skapar den).")
    if outbox.exists() and inbox.resolve() == outbox.resolve():
        raise ConfigError(f"Inkorgen och utkorgen är samma mapp ({inbox}); välj två olika.")
    logger = log or logging.getLogger(__name__)
    with state.hold_instance_lock(outbox) as instance:
        interval = settings.watch.poll_interval
        how = f"läser av mappen var {interval:g} s" if polling else "händelser"
        logger.info("Bevakar %s (%s); dokumenten skrivs till %s.", inbox, how, outbox)
        hooks = _Hooks(
            build=build or _pipeline_build(settings),
            fingerprint=fingerprint or _pipeline_fingerprint(settings),
            probe=_filecheck_probe(settings),
        )
        _Watcher(
            settings,
            instance,
            hooks,
            polling,
            stop_event or threading.Event(),
            logger,
            bad_file_grace,
        ).run()
        logger.info("Bevakningen av %s är stoppad.", inbox)


# ---------------------------------------------------------------------------------------------
# The pipeline, imported lazily so `docautomation watch --help` and the tests stay light
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Hooks:
    build: BuildFn
    fingerprint: FingerprintFn
    probe: Callable[[bytes, str], str | None]  # None when whole, else why not


def _pipeline_build(settings: Settings) -> BuildFn:
    def build(path: Path, data: bytes) -> Outcome:
        from . import pipeline

        return pipeline.build_file(path, settings, data=data)

    return build


def _pipeline_fingerprint(settings: Settings) -> FingerprintFn:
    def fingerprint(data: bytes) -> str:
        from . import pipeline

        return pipeline.register_fingerprint(data, settings)

    return fingerprint


def _filecheck_probe(settings: Settings) -> Callable[[bytes, str], str | None]:
    def probe(data: bytes, name: str) -> str | None:
        from . import filecheck

        return filecheck.probe_workbook_bytes(data, name, settings.limits)

    return probe


# ---------------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Pending:
    """A register seen with a new stat key that is not yet dealt with."""

    key: StatKey
    since: float  # monotonic time the key was first seen
    failures: int = 0
    retry_at: float = 0.0
    warned: bool = False


class _Hints(FileSystemEventHandler):
    """Turns every watchdog event into "the inbox may have changed" (except our own reads)."""

    def __init__(self, notify: Callable[[], None], log: logging.Logger) -> None:
        self._notify = notify
        self._log = log

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in (EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE):
            return  # our own read of the register would otherwise wake us again
        # The register's name is often only the destination of a move (Excel's save).
        self._log.debug("Händelse %s: %s %s", event.event_type, event.src_path, event.dest_path)
        self._notify()


def _make_observer(polling: bool, interval: float) -> BaseObserver:
    return PollingObserver(timeout=interval) if polling else Observer()


def _key(st: os.stat_result) -> StatKey:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class _Watcher:
    """One watcher run: the observer, the rescan loop and what it remembers between rescans."""

    def __init__(
        self,
        settings: Settings,
        instance: state.Instance,
        hooks: _Hooks,
        polling: bool,
        stop: threading.Event,
        log: logging.Logger,
        bad_file_grace: float,
    ) -> None:
        self._settings, self._instance, self._hooks = settings, instance, hooks
        self._inbox, self._outbox = settings.inbox, settings.outbox
        self._polling, self._stop, self._log, self._grace = polling, stop, log, bad_file_grace
        self._gap = settings.watch.stable_gap
        self._ledger = state.load_ledger(self._outbox)
        self._builds: dict[str, dict[str, Any]] = state.previous_builds(self._outbox)
        self._pending: dict[str, _Pending] = {}
        self._warned: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._hint_first: float | None = None
        self._hint_last: float | None = None
        self._retry_at: float | None = None
        self._periodic_at = 0.0
        self._last_rescan: str | None = None
        self._inbox_failing = False
        self._handler = _Hints(self._notify, log)
        self._observer: BaseObserver | None = None
        self._observer_started = 0.0
        self._observer_backoff = 0.0
        self._observer_retry_at = 0.0
        self._observer_check_at = 0.0

    def run(self) -> None:
        now = time.monotonic()
        self._start_observer(now)  # before the catch-up rescan, so no save falls between them
        self._periodic_at = now  # the start-up catch-up
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                self._supervise(now)
                if now >= self._next_due():
                    self._rescan()
                else:
                    self._wake.wait(min(self._next_due() - now, _TICK))
                    self._wake.clear()
        finally:
            self._stop_observer()
            self._write_status(running=False)

    # -- timing ---------------------------------------------------------------------------

    def _notify(self) -> None:
        now = time.monotonic()
        with self._lock:
            self._hint_first = now if self._hint_first is None else self._hint_first
            self._hint_last = now
        self._wake.set()

    def _next_due(self) -> float:
        with self._lock:
            first, last = self._hint_first, self._hint_last
        due = [self._periodic_at]
        if first is not None and last is not None:
            due.append(min(last + self._settings.watch.debounce, first + _MAX_DEBOUNCE))
        if self._retry_at is not None:
            due.append(self._retry_at)
        return min(due)

    def _schedule(self, when: float) -> None:
        self._retry_at = when if self._retry_at is None else min(self._retry_at, when)

    # -- observer supervision -------------------------------------------------------------

    def _start_observer(self, now: float) -> None:
        try:
            observer = _make_observer(self._polling, self._settings.watch.poll_interval)
            observer.schedule(self._handler, str(self._inbox), recursive=False)
            observer.start()
        except Exception as exc:  # noqa: BLE001 - never end the watcher; rescans go on
            self._back_off_observer(now)
            self._log.warning(
                "Kan inte bevaka %s (%s); försöker igen om %g s.",
                self._inbox,
                exc,
                self._observer_backoff,
            )
            return
        self._observer, self._observer_started = observer, now

    def _back_off_observer(self, now: float) -> None:
        self._observer_backoff = min(max(1.0, self._observer_backoff * 2), _OBSERVER_BACKOFF_CAP)
        self._observer_retry_at = now + self._observer_backoff

    def _observer_alive(self) -> bool:
        observer = self._observer
        if observer is None or not observer.is_alive():
            return False
        emitters = list(observer.emitters)
        return bool(emitters) and all(e.is_alive() for e in emitters)

    def _supervise(self, now: float) -> None:
        if now < self._observer_check_at:
            return
        self._observer_check_at = now + _OBSERVER_CHECK
        if self._observer_alive():
            if now - self._observer_started > _OBSERVER_HEALTHY:
                self._observer_backoff = 0.0
            return
        if now < self._observer_retry_at:
            return
        if self._observer is not None:
            self._log.warning("Bevakningen av %s har stannat; startar en ny.", self._inbox)
            self._back_off_observer(now)
        self._stop_observer()
        self._start_observer(now)
        self._notify()  # events may have been lost while it was down

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is None:
            return
        try:
            observer.stop()
            observer.join(timeout=2.0)
        except Exception as exc:  # noqa: BLE001 - a dead one may fail to stop; dropped anyway
            self._log.debug("Kunde inte stoppa bevakningen snyggt: %s", exc)

    # -- rescan ---------------------------------------------------------------------------

    def _rescan(self) -> None:
        now = time.monotonic()
        with self._lock:
            self._hint_first = self._hint_last = None
        self._retry_at = None
        self._periodic_at = now + self._settings.watch.rescan_interval
        paths = self._candidates(now)
        for path in paths:
            if self._stop.is_set():
                break
            try:
                self._consider(path)
            except Exception:  # noqa: BLE001 - one bad file must not stop the rest
                self._log.exception(
                    "Oväntat fel när %s kontrollerades; bevakningen fortsätter.", path.name
                )
        self._last_rescan = state.now_iso()
        self._write_status(running=True)

    def _candidates(self, now: float) -> list[Path]:
        try:
            entries = sorted(os.scandir(self._inbox), key=lambda e: e.name)
        except OSError as exc:
            if not self._inbox_failing:
                self._log.warning(
                    "Kan inte läsa inkorgen %s (%s); försöker igen.", self._inbox, exc
                )
            self._inbox_failing = True
            self._schedule(now + _RETRY_CAP)
            return []
        if self._inbox_failing:
            self._log.info("Inkorgen %s går att läsa igen.", self._inbox)
            self._inbox_failing = False
        paths = []
        for entry in entries:
            with contextlib.suppress(OSError):
                if is_register_name(entry.name) and entry.is_file():
                    paths.append(Path(entry.path))
                elif _EXCEL_TEMP.match(entry.name):
                    self._warn_stale_temp(entry)
        return paths

    def _warn_stale_temp(self, entry: os.DirEntry[str]) -> None:
        st = entry.stat()
        if (
            time.time() - st.st_mtime < _STALE_EXCEL_TEMP
            or (entry.name, st.st_mtime_ns) in self._warned
        ):
            return
        self._warned.add((entry.name, st.st_mtime_ns))
        self._log.warning(
            "%s i inkorgen ser ut som en Excel-sparning som inte blev klar; de senaste "
            "ändringarna kan finnas i den. Öppna den i Excel och spara den som registret.",
            entry.name,
        )

    def _consider(self, path: Path) -> None:
        name, now = path.name, time.monotonic()
        try:
            key = _key(path.stat())
        except FileNotFoundError:  # mid-save (renamed away) or removed: the next event tells
            self._pending.pop(name, None)
            return
        entry = self._ledger.get(name)
        if entry is not None and entry.key == key:
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
            with path.open("rb") as fh:  # hold the board's file for the read only
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
            self._remember(name, _moved_on(entry, pending.key))
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
            self._remember(name, replace(_moved_on(entry, pending.key), sha256=sha))
            return
        self._build(path, data, pending.key, sha, fingerprint)

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
            self._build(path, data, pending.key, hashlib.sha256(data).hexdigest(), None)
            return
        record = _crash_record(path.name, pending.key, exit_code=3, message=f"{path.name}: {why}")
        self._log.error("%s: %s", path.name, why)
        self._finish(path.name, pending.key, "", None, record)

    def _fingerprint(self, data: bytes, name: str) -> str | None:
        try:
            return self._hooks.fingerprint(data)
        except Exception as exc:  # noqa: BLE001 - without one the register is just built
            self._log.debug("Inget fingeravtryck för %s (%s).", name, exc)
            return None

    # -- build ----------------------------------------------------------------------------

    def _build(self, path: Path, data: bytes, key: StatKey, sha: str, fp: str | None) -> None:
        name, started = path.name, time.monotonic()
        self._log.info("Bygger %s …", name)
        try:
            outcome = self._hooks.build(path, data)
        except DocAutomationError as exc:
            record = _crash_record(name, key, exit_code=exc.exit_code, message=str(exc))
            self._log.error("%s: %s", name, exc)
        except Exception:  # noqa: BLE001 - a bug in a stage: log it, keep watching
            self._log.exception("Bygget av %s kraschade; bevakningen fortsätter.", name)
            record = _crash_record(name, key, exit_code=None, message="bygget kraschade")
        else:
            record = _record(name, key, outcome)
            _log_outcome(self._log, record, outcome, time.monotonic() - started)
        self._finish(name, key, sha, fp, record)

    def _finish(
        self, name: str, key: StatKey, sha: str, fp: str | None, record: state.BuildRecord
    ) -> None:
        size, mtime_ns, inode = key
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
            ),
        )
        self._builds[name] = record.as_json()
        self._write_status(running=True)

    def _remember(self, name: str, entry: state.LedgerEntry) -> None:
        self._pending.pop(name, None)
        self._ledger[name] = entry
        try:
            state.save_ledger(self._outbox, self._ledger)
        except OSError as exc:
            self._log.warning("Kan inte spara bevakningens logg i %s: %s", self._outbox, exc)

    def _write_status(self, *, running: bool) -> None:
        try:
            state.write_status(
                self._outbox,
                self._instance,
                inbox=self._inbox,
                polling=self._polling,
                running=running,
                last_rescan=self._last_rescan,
                builds=self._builds,
            )
        except OSError as exc:
            self._log.warning("Kan inte skriva %s: %s", self._outbox / state.STATUS_NAME, exc)


def _backoff(failures: int) -> float:
    return float(min(0.5 * 2 ** max(failures - 1, 0), _RETRY_CAP))


def _moved_on(entry: state.LedgerEntry, key: StatKey) -> state.LedgerEntry:
    return replace(entry, size=key[0], mtime_ns=key[1], inode=key[2])


def _seconds_after_save(key: StatKey) -> float:
    return round(max(0.0, time.time() - key[1] / 1e9), 3)


def _record(name: str, key: StatKey, outcome: Outcome) -> state.BuildRecord:
    errors = sum(1 for p in outcome.problems if p.is_error)
    return state.BuildRecord(
        file=name,
        finished=state.now_iso(),
        exit_code=outcome.exit_code,
        written=len(outcome.written),
        unchanged=len(outcome.unchanged),
        diverted=len(outcome.diverted),
        errors=errors,
        warnings=len(outcome.problems) - errors,
        message=outcome.message,
        seconds_after_save=_seconds_after_save(key),
    )


def _crash_record(
    name: str, key: StatKey, *, exit_code: int | None, message: str
) -> state.BuildRecord:
    return state.BuildRecord(
        file=name,
        finished=state.now_iso(),
        exit_code=exit_code,
        written=0,
        unchanged=0,
        diverted=0,
        errors=0,
        warnings=0,
        message=message,
        seconds_after_save=_seconds_after_save(key),
    )


_RESULT = {
    0: "klart",
    1: "registret har fel, inga nya dokument",
    2: "inställnings- eller mallfel",
    3: "filen går inte att läsa",
}


def _log_outcome(
    log: logging.Logger, rec: state.BuildRecord, outcome: Outcome, took: float
) -> None:
    level = logging.INFO if rec.exit_code == 0 else logging.WARNING
    log.log(
        level,
        "%s: %s (kod %s): %d dokument skrivna, %d oförändrade, %d fel, %d varningar; "
        "bygget tog %.2f s, klart %.2f s efter sparningen.%s",
        rec.file,
        _RESULT.get(rec.exit_code or 0, "fel"),
        rec.exit_code,
        rec.written,
        rec.unchanged,
        rec.errors,
        rec.warnings,
        took,
        rec.seconds_after_save or 0.0,
        f" {rec.message}" if rec.message else "",
    )
    for problem in list(outcome.problems)[:_MAX_LOGGED_PROBLEMS]:
        where = "!".join(part for part in (problem.sheet, problem.cell) if part)
        log.log(
            logging.WARNING if problem.is_error else logging.INFO,
            "%s: %s%s",
            rec.file,
            f"{where}: " if where else "",
            problem.message,
        )
    if len(outcome.problems) > _MAX_LOGGED_PROBLEMS:
        log.warning(
            "%s: … och %d problem till (se Valideringsrapport).",
            rec.file,
            len(outcome.problems) - _MAX_LOGGED_PROBLEMS,
        )
    for intended, beside, *_ in outcome.diverted:
        log.warning(
            "%s: %s har ändrats eller är öppen; den nya versionen skrevs till %s.",
            rec.file,
            Path(intended).name,
            Path(beside).name,
        )
