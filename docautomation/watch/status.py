"""The watcher's state in <outbox>/.docautomation: instance lock, build ledger and status.json."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..errors import EXIT_MEANINGS, AlreadyRunningError, ConfigError
from ..fileio import STATE_DIR, prepare_lock_file, read_json, swedish_reason, write_json
from ..outbox.results import read_results
from ..swedish import count, local_moment

LOCK_NAME = "watch.lock"
PID_NAME = "watch.pid.json"
LEDGER_NAME = "watch-ledger.json"
STATUS_NAME = "status.json"
_FORMAT_VERSION = 1
_LOG = logging.getLogger(__name__)


def now_iso() -> str:
    """The local time with its UTC offset, to the second (what status.json and the ledger hold)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# Single instance
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instance:
    """Who runs the watcher of an outbox: written to watch.pid.json while the lock is held."""

    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return f"pid {self.pid} på {self.host} sedan {self.since}"


@contextlib.contextmanager
def hold_instance_lock(outbox: Path, *, wait: float = 0.2) -> Iterator[Instance]:
    """Hold the outbox's watcher lock for the life of the block (one watcher per outbox).

    Args:
        outbox: the outbox the watcher writes to.
        wait: seconds to wait for the lock; a short wait rides over `docautomation status`
            probing the lock at the same instant.

    Raises:
        AlreadyRunningError: another process holds the lock; the message names it.
        ConfigError: the outbox's state folder cannot be created or written (permissions).
    """
    state = outbox / STATE_DIR
    lock = FileLock(state / LOCK_NAME, timeout=wait)
    try:
        prepare_lock_file(state / LOCK_NAME)
        lock.acquire()
    except Timeout as exc:
        other = read_instance(outbox)
        who = other.describe() if other else "en annan process"
        raise AlreadyRunningError(
            f"docautomation watch körs redan för {outbox} ({who}); stoppa den först."
        ) from exc
    except OSError as exc:
        raise _unwritable(outbox, exc) from exc
    instance = Instance(pid=os.getpid(), host=socket.gethostname(), since=now_iso())
    try:
        try:
            write_json(state / PID_NAME, asdict(instance))
        except OSError as exc:
            raise _unwritable(outbox, exc) from exc
        yield instance
    finally:
        with contextlib.suppress(OSError):
            (state / PID_NAME).unlink()
        lock.release()


def _unwritable(outbox: Path, exc: OSError) -> ConfigError:
    return ConfigError(
        f"Kan inte skriva i utkorgen {outbox} ({swedish_reason(exc)}); kontrollera att kontot "
        "som kör docautomation får skapa filer och mappar där."
    )


def read_instance(outbox: Path) -> Instance | None:
    """The watcher recorded in watch.pid.json, or None when there is none or it is unreadable."""
    data = read_json(outbox / STATE_DIR / PID_NAME)
    try:
        return Instance(pid=int(data["pid"]), host=str(data["host"]), since=str(data["since"]))
    except (KeyError, TypeError, ValueError):
        return None


def is_running(outbox: Path) -> bool:
    """True when a watcher holds the outbox's lock (probed without disturbing it for long)."""
    path = outbox / STATE_DIR / LOCK_NAME
    if not path.exists():
        return False
    probe = FileLock(path, timeout=0)
    try:
        probe.acquire()
    except Timeout:
        return True
    except OSError:
        return False
    probe.release()
    return False


# ---------------------------------------------------------------------------------------------
# Ledger: what the watcher last handled, per register file
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The last snapshot of one register the watcher dealt with.

    (size, mtime_ns, inode) say whether the file must be looked at again; sha256 whether its bytes
    are new; fingerprint whether its data is. exit_code is the last build's, or None when the build
    crashed (such entries are dropped on load, so a restart retries them). checked_ns is the wall
    time the bytes were read: with a coarse mtime (FAT keeps 2 s) a read soon after the mtime may
    have missed a later save that left the key as it was.
    """

    size: int
    mtime_ns: int
    inode: int
    sha256: str
    fingerprint: str | None
    exit_code: int | None
    built_at: str
    checked_ns: int = 0

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.size, self.mtime_ns, self.inode)


def load_ledger(outbox: Path) -> dict[str, LedgerEntry]:
    """The ledger of <outbox>/.docautomation/watch-ledger.json; empty when missing or unreadable."""
    path = outbox / STATE_DIR / LEDGER_NAME
    files = read_json(path).get("files", {})
    names = {f.name for f in fields(LedgerEntry)}
    ledger: dict[str, LedgerEntry] = {}
    for name, raw in files.items() if isinstance(files, dict) else ():
        try:
            entry = LedgerEntry(**{k: v for k, v in raw.items() if k in names})
        except TypeError:
            _LOG.warning("Hoppar över en oläslig rad för %s i %s.", name, path)
            continue
        if entry.exit_code is not None:
            ledger[str(name)] = entry
    return ledger


def save_ledger(outbox: Path, ledger: Mapping[str, LedgerEntry]) -> None:
    """Write the ledger atomically."""
    data = {"version": _FORMAT_VERSION, "files": {n: asdict(e) for n, e in sorted(ledger.items())}}
    write_json(outbox / STATE_DIR / LEDGER_NAME, data)


# ---------------------------------------------------------------------------------------------
# status.json: heartbeat and the last build of each register
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuildRecord:
    """What one build of one register gave, as the watcher logs it and status.json keeps it."""

    file: str
    finished: str
    exit_code: int | None  # None: the build crashed
    written: int = 0
    unchanged: int = 0
    diverted: int = 0
    errors: int = 0
    warnings: int = 0
    message: str = ""
    seconds_after_save: float | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["file"]
        data["problems"] = self.errors + self.warnings
        return data


def write_status(
    outbox: Path,
    instance: Instance,
    *,
    inbox: Path,
    polling: bool,
    running: bool,
    last_rescan: str | None,
    builds: Mapping[str, Mapping[str, Any]],
) -> None:
    """Write <outbox>/status.json atomically: heartbeat and every register's last build."""
    data = {
        "version": _FORMAT_VERSION,
        "watcher": {
            **asdict(instance),
            "inbox": str(inbox),
            "polling": polling,
            "running": running,
            "last_rescan": last_rescan,
            "updated": now_iso(),
        },
        "registers": {name: dict(rec) for name, rec in sorted(builds.items())},
    }
    write_json(outbox / STATUS_NAME, data)


def previous_builds(outbox: Path) -> dict[str, dict[str, Any]]:
    """The per-register section of an existing status.json, so a restarted watcher keeps it."""
    registers = read_json(outbox / STATUS_NAME).get("registers")
    return (
        {str(k): v for k, v in registers.items() if isinstance(v, dict)}
        if isinstance(registers, dict)
        else {}
    )


def read_status(outbox: Path) -> dict[str, Any]:
    """The outbox's status: the watcher (`running` checked against the live lock) and each
    register's last build, whoever made it.

    Returns:
        `watcher` from <outbox>/status.json, where running is True only if a watcher holds the
        outbox's lock right now (and then pid/host/since name it); `registers`, each register's
        last build from the outbox's results, or the watcher's record when that is newer (a
        build that crashed leaves no result).
    """
    data = read_json(outbox / STATUS_NAME)
    watcher = data.get("watcher")
    watcher = watcher if isinstance(watcher, dict) else {}
    running = is_running(outbox)
    holder = read_instance(outbox) if running else None  # the live holder beats a stale file
    registers: dict[str, Any] = {k: dict(v) for k, v in read_results(outbox).items()}
    for name, rec in previous_builds(outbox).items():
        registers[name] = _newest(registers.get(name), {**rec, "by": "bevakningen"})
    return {
        "outbox": str(outbox),
        "outbox_exists": outbox.is_dir(),
        "watcher": {**watcher, **(asdict(holder) if holder else {}), "running": running},
        "registers": registers,
    }


def _newest(result: Mapping[str, Any] | None, watched: Mapping[str, Any]) -> dict[str, Any]:
    """The later of a register's recorded result and the watcher's record of it.

    The watcher records a build just after the build recorded its result (a result that did
    not change is not recorded again): within a few seconds they are one build, and each adds
    what only it knows (the watcher the time since the save, the result the documents).
    """
    if result is None:
        return dict(watched)
    gap = (_moment(watched.get("finished")) - _moment(result.get("finished"))).total_seconds()
    older, newer = (result, watched) if gap >= 0 else (watched, result)
    if abs(gap) <= _SAME_BUILD:
        return {**older, **newer}  # one build: each record adds what the other lacks
    return dict(newer)


def _moment(stamp: object) -> datetime:
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_SAME_BUILD = 5.0  # seconds
_NAMED_DOCUMENTS = 12  # listed by name; the rest are counted


def format_status(status: Mapping[str, Any]) -> str:
    """Lines for `docautomation status`: the watcher, then each register's last build."""
    watcher = status.get("watcher", {})
    lines = [f"Utkorg: {status.get('outbox', '?')}"]
    if status.get("outbox_exists") is False:  # `status` run from the wrong folder, or a typo
        lines[0] += " (mappen finns inte: kör kommandot i arbetsmappen eller ange --out)"
    if watcher.get("running"):
        lines.append(
            f"Bevakning: körs (pid {watcher.get('pid')} på {watcher.get('host')}, "
            f"sedan {_when(watcher.get('since'))})"
        )
    else:
        lines.append("Bevakning: körs inte")
    if watcher.get("last_rescan"):
        lines.append(f"Senaste genomsökning av inkorgen: {_when(watcher['last_rescan'])}")
    registers = status.get("registers", {})
    if not registers:
        lines.append("Inget register har byggts till den här utkorgen ännu.")
    for name, rec in sorted(registers.items()):
        lines += _format_register(name, rec)
    return "\n".join(lines)


def _format_register(name: str, rec: Mapping[str, Any]) -> list[str]:
    code = rec.get("exit_code")
    result = EXIT_MEANINGS.get(code, "kraschade") if isinstance(code, int) else "kraschade"
    by = f" ({rec['by']})" if rec.get("by") else ""
    documents = [str(d) for d in rec.get("documents", [])]
    written = int(rec.get("written", 0))
    total = int(rec.get("document_count", written + int(rec.get("unchanged", 0))))
    lines = [
        f"{name}: {result} {_when(rec.get('finished'))}{by}; "
        f"{count(total, 'dokument')} ({count(written, 'skrivet', 'skrivna')}), "
        f"{count(int(rec.get('errors', 0)), 'fel')}, "
        f"{count(int(rec.get('warnings', 0)), 'varning')}"
    ]
    if rec.get("message") and code != 0:
        lines.append(f"  {rec['message']}")
    lines += [f"  {doc}" for doc in documents[:_NAMED_DOCUMENTS]]
    if total > _NAMED_DOCUMENTS:
        lines.append(f"  … och {count(total - _NAMED_DOCUMENTS, 'dokument')} till")
    if rec.get("report"):
        lines.append(f"  Valideringsrapport: {rec['report']}")
    return lines


def _when(stamp: object) -> str:
    """An ISO time from the state files as the secretary reads it, in local time."""
    try:
        return local_moment(datetime.fromisoformat(str(stamp)))
    except ValueError:
        return "okänd tid"
