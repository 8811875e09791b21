"""The inbox watcher: file events are hints; a rescan of the inbox decides what to build.

Excel never rewrites a workbook in place: it writes a temp file and renames it over the register,
so the real name often shows up only as a move destination, and a copy can be read half-written.
Every event therefore only marks the inbox dirty; after a quiet spell the inbox is rescanned and
each register whose (size, mtime, inode) moved on is checked for stability, read into memory (the
board's file is never held open), checked to be a whole workbook and compared with the ledger by
raw hash and by data fingerprint before anything is built.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..config import Settings
from ..errors import ConfigError
from ..register.files import is_other_spreadsheet, is_register_name
from . import status as state
from .intake import BAD_FILE_GRACE, BuildFn, FingerprintFn, Intake, build_hooks

_MAX_DEBOUNCE = 5.0  # events that never stop still get a rescan this often (watchdog #997)
_INBOX_RETRY = 4.0  # an unreadable inbox folder is tried again this often
_TICK = 0.25  # longest sleep of the loop: how quickly stop_event is noticed
_OBSERVER_CHECK = 1.0
_OBSERVER_BACKOFF_CAP = 60.0
_OBSERVER_HEALTHY = 30.0  # an observer alive this long resets the restart backoff
_STALE_EXCEL_TEMP = 300.0
_EXCEL_TEMP = re.compile(r"^[0-9A-Fa-f]{8}$")


def install_signal_handlers(stop_event: threading.Event) -> Callable[[], None]:
    """Make SIGINT and SIGTERM (and Ctrl+Break on Windows) set `stop_event`.

    A second signal while stopping raises KeyboardInterrupt, so a stuck build can still be left.
    Handlers can only be installed from the main thread; elsewhere this does nothing.

    Returns:
        A function that restores the previous handlers.
    """

    def handler(_signum: int, _frame: FrameType | None) -> None:
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
        build: builds one register from the bytes read; defaults to build.build_file.
        fingerprint: hash of a register's data; defaults to the register's fingerprint.
        polling: poll every settings.watch.poll_interval seconds instead of file events.
        stop_event: set it (or send SIGINT/SIGTERM via install_signal_handlers) to stop.
        log: where builds and trouble are logged; defaults to this module's logger.
        bad_file_grace: seconds a file must stay unchanged before it is reported as unreadable.

    Raises:
        ConfigError: the inbox does not exist, or is the outbox; the templates folder the
            pipeline would build from does not exist; PDFs are on and LibreOffice or
            pdftotext is missing.
        AlreadyRunningError: another watcher serves this outbox.
    """
    inbox, outbox = settings.inbox, settings.outbox
    if not inbox.is_dir():
        raise ConfigError(f"Inkorgen {inbox} finns inte (docautomation init skapar den).")
    if outbox.exists() and inbox.resolve() == outbox.resolve():
        raise ConfigError(f"Inkorgen och utkorgen är samma mapp ({inbox}); välj två olika.")
    if build is None and not settings.templates.is_dir():
        # Fail at start, where a service manager shows it, not at every save.
        raise ConfigError(
            f"Mallmappen {settings.templates.absolute()} finns inte; sätt templates i "
            "docautomation.toml (eller DOCAUTOMATION_TEMPLATES), eller kör docautomation init."
        )
    if build is None and settings.pdf:
        from ..outbox.pdf import require_pdf_tools

        require_pdf_tools()
    logger = log or logging.getLogger(__name__)
    with state.hold_instance_lock(outbox) as instance:
        interval = settings.watch.poll_interval
        how = f"läser av mappen var {interval:g} s" if polling else "händelser"
        logger.info("Bevakar %s (%s); dokumenten skrivs till %s.", inbox, how, outbox)
        hooks = build_hooks(settings, build=build, fingerprint=fingerprint)
        intake = Intake(settings, hooks, logger, grace=bad_file_grace)
        _Watcher(settings, instance, intake, polling, stop_event or threading.Event(), logger).run()
        logger.info("Bevakningen av %s är stoppad.", inbox)


# ---------------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------------


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


class _Watcher:
    """One watcher run: the observer, the rescan loop and what it remembers between rescans."""

    def __init__(
        self,
        settings: Settings,
        instance: state.Instance,
        intake: Intake,
        polling: bool,
        stop: threading.Event,
        log: logging.Logger,
    ) -> None:
        self._settings, self._instance, self._intake = settings, instance, intake
        self._inbox, self._outbox = settings.inbox, settings.outbox
        self._polling, self._stop, self._log = polling, stop, log
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
        if paths is None:
            paths = []
        else:
            due = self._intake.present({path.name for path in paths})
            if due is not None:
                self._schedule(due)
        for path in paths:
            if self._stop.is_set():
                break
            try:
                due = self._intake.consider(path)
                if due is not None:
                    self._schedule(due)
            except Exception:  # noqa: BLE001 - one bad file must not stop the rest
                self._log.exception(
                    "Oväntat fel när %s kontrollerades; bevakningen fortsätter.", path.name
                )
        self._last_rescan = state.now_iso()
        self._write_status(running=True)

    def _candidates(self, now: float) -> list[Path] | None:
        """The registers in the inbox, or None when the inbox cannot be listed."""
        try:
            entries = sorted(os.scandir(self._inbox), key=lambda e: e.name)
        except OSError as exc:
            if not self._inbox_failing:
                self._log.warning(
                    "Kan inte läsa inkorgen %s (%s); försöker igen.", self._inbox, exc
                )
            self._inbox_failing = True
            self._schedule(now + _INBOX_RETRY)
            return None
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
                elif is_other_spreadsheet(entry.name):
                    self._warn_other_format(entry)
        return paths

    def _warn_other_format(self, entry: os.DirEntry[str]) -> None:
        mark = (entry.name, entry.stat().st_mtime_ns)
        if mark in self._warned:
            return
        self._warned.add(mark)
        self._log.warning(
            "%s i inkorgen byggs inte: bara .xlsx och .xlsm läses. Är det registret, öppna det "
            'i Excel och välj Arkiv › Spara som › "Excel-arbetsbok (*.xlsx)".',
            entry.name,
        )

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

    def _write_status(self, *, running: bool) -> None:
        try:
            state.write_status(
                self._outbox,
                self._instance,
                inbox=self._inbox,
                polling=self._polling,
                running=running,
                last_rescan=self._last_rescan,
                builds=self._intake.builds,
            )
        except OSError as exc:
            self._log.warning("Kan inte skriva %s: %s", self._outbox / state.STATUS_NAME, exc)
