"""Test helpers for the watcher: small registers, scripted Excel-style saves, a recording build."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook

from docautomation.config import Settings, WatchSettings
from docautomation.fileio import read_json
from docautomation.models import Problem, Severity
from docautomation.watch import status
from docautomation.watch.loop import watch

FAST = WatchSettings(debounce=0.1, stable_gap=0.1, poll_interval=0.2, rescan_interval=60.0)


def make_settings(root: Path, timings: WatchSettings = FAST) -> Settings:
    """Settings with inbox/ and outbox/ under root (created) and the given watcher timings."""
    for sub in ("inbox", "outbox"):
        (root / sub).mkdir(exist_ok=True)
    return Settings(
        inbox=root / "inbox", outbox=root / "outbox", templates=root / "templates", watch=timings
    )


def workbook_bytes(marker: str, *, rows: int = 20, saved_by: str = "Kalle") -> bytes:
    """A real small .xlsx whose A1 holds `marker`; `saved_by` changes only the file's metadata."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = marker
    for row in range(2, rows + 2):
        ws.cell(row=row, column=1, value=f"rad {row}")
        ws.cell(row=row, column=2, value=row * 3)
    wb.properties.lastModifiedBy = saved_by  # like Excel's save stamp: no cell changes
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def marker_of(data: bytes) -> str:
    """A1 of a workbook's first sheet, or "?" when the bytes are no workbook."""
    try:
        ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        return str(next(ws.iter_rows(max_row=1, max_col=1, values_only=True))[0])
    except Exception:  # noqa: BLE001 - any unreadable file is simply "?"
        return "?"


def cell_fingerprint(data: bytes) -> str:
    """A data-only hash of a workbook (what the register's fingerprint stands for)."""
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return hashlib.sha256(repr(list(ws.iter_rows(values_only=True))).encode()).hexdigest()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Scripted saves, in the order Excel and sync clients write files
# ---------------------------------------------------------------------------------------------


def excel_save(
    target: Path,
    data: bytes,
    *,
    chunks: int = 4,
    pause: float = 0.02,
    temp: str = "945FCEA7",
    backup: str = "01552136.tmp",
) -> None:
    """Excel for Windows: write temp XXXXXXXX in chunks, original → YYYYYYYY.tmp, temp → name."""
    temp_path, backup_path = target.with_name(temp), target.with_name(backup)
    with temp_path.open("wb") as fh:
        for part in _split(data, chunks):
            fh.write(part)
            fh.flush()
            time.sleep(pause)
    if target.exists():
        os.replace(target, backup_path)
    os.replace(temp_path, target)
    backup_path.unlink(missing_ok=True)


def slow_copy(
    target: Path, data: bytes, *, chunks: int = 6, pause: float = 0.05, stall: float = 0.0
) -> None:
    """An in-place chunked copy (cp, an SMB copy) that may stall half-way, leaving a torn zip."""
    with target.open("wb") as fh:
        for index, part in enumerate(_split(data, chunks)):
            fh.write(part)
            fh.flush()
            time.sleep(stall if index == chunks // 2 else pause)


def _split(data: bytes, chunks: int) -> list[bytes]:
    size = -(-len(data) // chunks)
    return [data[i : i + size] for i in range(0, len(data), size)]


@contextlib.contextmanager
def owner_file(register: Path) -> Iterator[Path]:
    """Excel's ~$ owner file beside an open workbook (165 bytes), removed on close."""
    path = register.with_name("~$" + register.name)
    path.write_bytes(bytes([5]) + b"kalle".ljust(54, b" ") + bytes(110))
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# A recording build and a running watcher
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeOutcome:
    """The parts of pipeline.BuildOutcome the watcher reads."""

    exit_code: int = 0
    problems: tuple[Problem, ...] = ()
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    diverted: tuple[tuple[Path, Path, str], ...] = ()
    message: str = ""
    removed_reports: tuple[Path, ...] = ()
    moved: tuple[tuple[Path, Path], ...] = ()
    obsolete_held: tuple[Path, ...] = ()


@dataclass
class FakeBuild:
    """Records every call as (file name, A1 marker, sha); "FEL…" markers give exit 1,
    unreadable bytes exit 3, "KRASCH" raises."""

    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(self, path: Path, data: bytes) -> FakeOutcome:
        marker = marker_of(data)
        self.calls.append((path.name, marker, sha(data)))
        if marker == "KRASCH":
            raise RuntimeError("simulated bug in a stage")
        if marker == "?":
            return FakeOutcome(exit_code=3, message=f"{path.name}: inte en arbetsbok")
        if marker.startswith("FEL"):
            problem = Problem(Severity.ERROR, "Blad", "A1", "Värdet är fel.")
            return FakeOutcome(exit_code=1, problems=(problem,))
        return FakeOutcome(written=(path.with_suffix(".docx"),))

    def markers(self) -> list[str]:
        return [marker for _, marker, _ in self.calls]


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Poll until predicate() is true; fail after `timeout` seconds (never a long fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.02)


def quiet_for(seconds: float) -> None:
    """Let the watcher settle (used only to show that something does NOT happen)."""
    time.sleep(seconds)


@dataclass
class Running:
    """A watcher running in a background thread."""

    settings: Settings
    stop: threading.Event
    thread: threading.Thread
    errors: list[BaseException]

    def rescans(self) -> str | None:
        data = read_json(self.settings.outbox / status.STATUS_NAME)
        watcher = data.get("watcher", {})
        return watcher.get("last_rescan") if isinstance(watcher, dict) else None

    def wait_ready(self) -> None:
        """Wait for the start-up rescan (the observer is started before it)."""
        wait_until(lambda: self.rescans() or self.errors, what="the start-up rescan")
        if self.errors:
            raise self.errors[0]


@contextlib.contextmanager
def running(settings: Settings, *, stop_within: float = 2.0, **kwargs: object) -> Iterator[Running]:
    """Run watch() in a thread; on exit set stop_event and require it to end within 2 s."""
    stop = threading.Event()
    errors: list[BaseException] = []
    kwargs.setdefault("log", logging.getLogger("docautomation.watch.loop"))

    def target() -> None:
        try:
            watch(settings, stop_event=stop, **kwargs)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="watcher", daemon=True)
    thread.start()
    try:
        yield Running(settings, stop, thread, errors)
    finally:
        started = time.monotonic()
        stop.set()
        thread.join(timeout=10)
        took = time.monotonic() - started
        assert not thread.is_alive(), "the watcher did not stop"
        assert took < stop_within, f"stopping took {took:.2f} s"
    if errors:
        raise errors[0]
