"""The outbox's build lock: builds of one outbox never interleave, and it never leads outside."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

from filelock import FileLock, Timeout

from ..errors import OutboxBusyError, OutboxError
from ..fileio import STATE_DIR, prepare_lock_file, remove_scratch, swedish_reason

LOCK_NAME = "build.lock"


class OutboxLock:
    """Hold `<outbox>/.docautomation/build.lock` so builds of one outbox never interleave.

    Not re-entrant across instances: take it once around a whole build. Waits for a running
    build; with `timeout` (seconds) gives up with OutboxBusyError. An outbox that cannot hold
    the lock (read-only, the lock file made immutable, the state folder a link elsewhere)
    is one OutboxError: the build of that register stops there, the others still run.
    """

    def __init__(self, outbox: Path, *, timeout: float | None = None) -> None:
        self._outbox = Path(outbox)
        self._timeout = timeout
        self._path = self._outbox / STATE_DIR / LOCK_NAME
        self._lock = FileLock(self._path, timeout=-1 if timeout is None else timeout)

    def __enter__(self) -> Self:
        try:
            prepare_lock_file(self._path)
            self._lock.acquire()
        except Timeout as exc:
            raise OutboxBusyError(
                f"Utkorgen {self._outbox} används av en annan körning av docautomation "
                f"(väntade {self._timeout:g} s). Försök igen när den är klar."
            ) from exc
        except OSError as exc:
            raise OutboxError(
                f"Utkorgen {self._outbox} kan inte användas: {swedish_reason(exc)}. Kontrollera "
                "sökvägen (--out eller outbox i docautomation.toml) och att kontot som kör "
                f"docautomation får skriva där, också i {STATE_DIR}/{LOCK_NAME}."
            ) from exc
        remove_scratch(self._outbox / STATE_DIR)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._lock.release()
