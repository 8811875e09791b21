"""A whole process measured from outside: wall time, CPU time and peak memory of its process tree."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from report import Usage

SAMPLE_EVERY = 0.05  # seconds between looks at the process tree's memory


def run_measured(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Usage:
    """Run `command` to its end and say what it took.

    Wall time is from start to exit. CPU time is user + system of the process and the
    children it waited for (a build's render workers). Peak memory is the larger of the
    process's peak resident set and the most its whole tree held at once, sampled every
    50 ms as the sum of each process's proportional set size (shared pages counted once);
    the sampling needs Linux's /proc, the resident set a POSIX system.

    Raises:
        RuntimeError: the command failed (its stderr is in the message).
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=subprocess.DEVNULL,
                                stderr=errors)  # fmt: skip
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        code, cpu, rss_mb = _wait(proc)
        wall = time.perf_counter() - started
        sampler.stop()
        if code != 0:
            errors.seek(0)
            text = errors.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(command)} failed ({code}):\n{text}")
    peaks = [p for p in (rss_mb, sampler.peak_mb) if p is not None]
    return Usage(wall, cpu, max(peaks) if peaks else None)


def _wait(proc: subprocess.Popen[bytes]) -> tuple[int, float | None, float | None]:
    """Exit code, CPU seconds and peak RSS in MB (None where the platform does not say)."""
    if not hasattr(os, "wait4"):  # Windows
        return proc.wait(), None, None
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    scale = 2**20 if os.uname().sysname == "Darwin" else 1024  # bytes on macOS, else KiB
    return proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / scale


class _TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb: float | None = None
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(SAMPLE_EVERY):
            total = _tree_pss_kb(self.pid)
            if total is not None:
                self.peak_mb = max(self.peak_mb or 0.0, total / 1024)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def _tree_pss_kb(pid: int) -> int | None:
    """Summed Pss (kB) of `pid` and its descendants; None without /proc's smaps_rollup."""
    total, found, pending = 0, False, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    found = True
                    break
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, ValueError):  # gone meanwhile, or no /proc
            continue
        pending += [int(child) for child in children]
    return total if found else None
