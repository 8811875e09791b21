"""The benchmark's results: what was measured, the machine, the Markdown tables and SPEC §8's checks."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STAGES = ("read", "validate", "rank", "render", "write")


@dataclass(frozen=True, slots=True)
class Run:
    """One child process: the JSON it printed and its wall time."""

    result: dict[str, Any]
    wall: float

    @property
    def seconds(self) -> float:
        return float(self.result["seconds"])

    @property
    def peak_mb(self) -> float | None:
        return self.result.get("peak_mb")


@dataclass(frozen=True, slots=True)
class Case:
    """A register to measure: its files and what it holds."""

    name: str
    path: Path  # the register as generated
    changed: Path  # the same register with its first meeting moved
    sizes: tuple[int, int, int]  # wishes, activities, meetings
    moved: str  # the moved meeting's kallelse, relative to the outbox, without suffix
    repeat: int  # full builds in a fresh process (and unchanged rebuilds) to take the median of
    warm: int  # full builds in a warm process

    def expected_rewrites(self) -> list[str]:
        """What one moved meeting may rewrite: its kallelse, .ics, protokoll, Möten <år>.ics."""
        year = self.moved.split("/", 1)[0]
        draft = self.moved.replace("/Kallelser/", "/Protokoll/", 1)
        return sorted(
            [f"{self.moved}.docx", f"{self.moved}.ics", f"{draft}.docx", f"{year}/Möten {year}.ics"]
        )


@dataclass(slots=True)
class Measured:
    """Everything measured for one case."""

    case: Case
    full: list[Run] = field(default_factory=list)  # fresh process: first imports included
    warm: list[Run] = field(default_factory=list)  # every module already imported
    unchanged: list[Run] = field(default_factory=list)
    changed: list[Run] = field(default_factory=list)
    plain: list[Run] = field(default_factory=list)

    def rewritten(self) -> list[str]:
        return sorted(self.changed[0].result["written"])


@dataclass(frozen=True, slots=True)
class Usage:
    """A whole process measured from outside (processes.run_measured)."""

    wall: float  # seconds from start to exit
    cpu: float | None  # user + system seconds, its waited-for children included
    peak_mb: float | None  # peak memory of the process tree (see run_measured)


@dataclass(frozen=True, slots=True)
class SideBySide:
    """Whole `docautomation build` processes and whole plain-script processes, run alternately."""

    case: Case
    documents: int  # Word documents both write
    build: list[Usage]
    plain: list[Usage]

    def ratio(self) -> float:
        """How many times faster the build is than the plain script (medians of wall time)."""
        return _median_wall(self.plain) / _median_wall(self.build)


@dataclass(frozen=True, slots=True)
class Commands:
    """Wall times of whole commands on the example register."""

    build: list[float]  # `docautomation build`, empty outbox
    rebuild: list[float]  # `docautomation build`, unchanged register
    watch: dict[str, list[float]]  # "watch" / "watch --polling": save → documents


# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS and Python, as far as the platform tells."""
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return {
        "CPU": _cpu_model(),
        "Cores": f"{usable} usable of {cores}" if usable != cores else f"{cores}",
        "RAM": _ram(),
        "OS": platform.platform(terse=True),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Temporary folder (registers, outboxes)": tempfile.gettempdir(),
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    if sys.platform == "darwin":
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            command = ["sysctl", "-n", "machdep.cpu.brand_string"]
            return subprocess.run(
                command, capture_output=True, text=True, check=True
            ).stdout.strip()
    return platform.processor() or platform.machine() or "n/a"


def _ram() -> str:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        return f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GB"
    return "n/a"


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def markdown(
    results: Sequence[Measured], side: Sequence[SideBySide], commands: Commands, command_line: str
) -> str:
    """The README's tables: whole commands side by side, then in-process builds, stages, plain
    docxtpl in-process, the example's whole commands and the watcher; then the machine."""
    parts = [
        f"Measured with `{command_line}`.",
        (
            "**Whole commands, side by side** (the figures a user waits for): the whole "
            "`docautomation build` command (start-up, reading, validating, ranking, every "
            "document and calendar file, the outbox's records) against the whole process of a "
            "plain script (`benchmarks/plain.py`: imports openpyxl and docxtpl, reads the "
            "workbook with openpyxl, renders and saves the same Word documents one by one with "
            "docxtpl; the variables are handed to it, so its own row-to-variable code is not "
            "charged). Run alternately, fresh outboxes; wall time median (min–max) of "
            f"{max((len(s.build) for s in side), default=0)} runs each; CPU is user + system "
            "time, render workers included; memory is the peak of the whole process tree:"
        ),
        _side_by_side_table(side),
        (
            "**In-process builds**: medians of the runs, each in a fresh process that has "
            "imported the pipeline as the CLI does (its start-up is not counted). *Warm*: a "
            "process that has already imported everything a build uses, as a watcher has."
        ),
        _builds_table(results),
        (
            "Where an in-process full build's time goes (seconds, median run): *render* makes "
            "each document's variables and key, *write* renders the changed documents (a large "
            "build on two cores) and writes them, each file fsync'ed; *other* is mostly the "
            "first import of icalendar and docxtpl, the outbox lock and the build's records:"
        ),
        _stages_table(results),
        (
            "**In-process, docxtpl alone**: a plain loop that loads each template with docxtpl "
            "(`DocxTemplate`), renders it with the same variables (autoescape on) and saves it. "
            "Its clock starts after docxtpl is imported and the variables are loaded (no "
            "reading, validating or ranking), so it is set against the warm build, which also "
            "does those and writes the calendar files:"
        ),
        _plain_table(results),
        "The example register, whole commands (median of the runs, min–max):",
        _commands_table(commands),
        "Machine:\n\n" + "\n".join(f"- {k}: {v}" for k, v in machine().items()),
    ]
    return "\n\n".join(parts)


def _side_by_side_table(side: Sequence[SideBySide]) -> str:
    header = ("Register", "Word documents", "`docautomation build`", "Plain script",
              "Faster by", "CPU: build / plain", "Memory: build / plain")  # fmt: skip
    rows = []
    for s in side:
        walls = (_spread(_walls(s.build)), _spread(_walls(s.plain)))
        cpu, memory = (
            f"{_cpu(s.build)} / {_cpu(s.plain)}",
            f"{_memory(s.build)} / {_memory(s.plain)}",
        )
        rows.append((s.case.name, str(s.documents), *walls, f"{s.ratio():.1f}×", cpu, memory))
    return _table(header, ("---",) + ("---:",) * 6, rows)


def _walls(runs: Sequence[Usage]) -> list[float]:
    return [run.wall for run in runs]


def _median_wall(runs: Sequence[Usage]) -> float:
    return statistics.median(_walls(runs))


def _cpu(runs: Sequence[Usage]) -> str:
    cpus = [run.cpu for run in runs if run.cpu is not None]
    return f"{statistics.median(cpus):.2f} s" if cpus else "n/a"


def _memory(runs: Sequence[Usage]) -> str:
    peaks = [run.peak_mb for run in runs if run.peak_mb is not None]
    return f"{max(peaks):.0f} MB" if peaks else "n/a"


def _table(header: Sequence[str], align: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _builds_table(results: Sequence[Measured]) -> str:
    header = ("Register (önskemål / aktiviteter / möten)", "Full build", "Full build, warm",
              "Unchanged rebuild", "One meeting changed", "Files it rewrote",
              "Peak RSS (full build)")  # fmt: skip
    rows = [
        (
            f"{m.case.name} ({' / '.join(f'{n:,}' for n in m.case.sizes)})",
            _s(_median(m.full)),
            _s(_median(m.warm)),
            _ms(_median(m.unchanged)),
            _s(_median(m.changed)),
            _rewritten(m),
            _peak(m.full),
        )
        for m in results
    ]
    return _table(header, ("---", "---:", "---:", "---:", "---:", "---", "---:"), rows)


def _stages_table(results: Sequence[Measured]) -> str:
    rows = []
    for m in results:
        run = sorted(m.full, key=lambda r: r.seconds)[(len(m.full) - 1) // 2]
        timings = run.result["timings"]
        stages = [timings.get(stage, 0.0) for stage in STAGES]
        cells = [f"{t:.2f}" for t in (*stages, run.seconds - sum(stages), run.seconds)]
        rows.append((m.case.name, *cells))
    return _table(("Register", *STAGES, "other", "total"), ("---",) + ("---:",) * 7, rows)


def _plain_table(results: Sequence[Measured]) -> str:
    header = ("Register", "Word documents", "Plain docxtpl", "Full build, warm", "Faster by",
              "Unchanged rebuild", "Faster by")  # fmt: skip
    rows = []
    for m in results:
        plain, warm, same = _median(m.plain), _median(m.warm), _median(m.unchanged)
        documents = str(m.plain[0].result["documents"])
        rows.append((m.case.name, documents, _s(plain), _s(warm), f"{plain / warm:.1f}×",
                     _ms(same), f"{plain / same:,.0f}×"))  # fmt: skip
    return _table(header, ("---",) + ("---:",) * 6, rows)


def _commands_table(commands: Commands) -> str:
    rows = [
        ("`docautomation build`, empty outbox (start-up included)", _spread(commands.build)),
        ("`docautomation build` again, register unchanged", _spread(commands.rebuild)),
    ]
    for label, latencies in commands.watch.items():
        what = f"`docautomation {label}`: end of an Excel-style save → documents in the outbox"
        rows.append((f"{what} ({len(latencies)} saves)", _spread(latencies)))
    return _table(("What", "Time"), ("---", "---:"), rows)


def _rewritten(m: Measured) -> str:
    written = m.rewritten()
    if written == m.case.expected_rewrites():
        year = m.case.moved.split("/", 1)[0]
        return f"4: its kallelse, .ics and protokoll, Möten {year}.ics"
    return f"{len(written)}: " + ", ".join(Path(w).name for w in written)


def _median(runs: Sequence[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def _peak(runs: Sequence[Run]) -> str:
    peaks = [r.peak_mb for r in runs]
    return "n/a" if any(p is None for p in peaks) else f"{max(p or 0.0 for p in peaks):.0f} MB"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def _spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


# ---------------------------------------------------------------------------------------------
# SPEC §8
# ---------------------------------------------------------------------------------------------


def checks(
    results: Sequence[Measured], side: Sequence[SideBySide], commands: Commands
) -> list[str]:
    """SPEC §8's targets, one line each: ✓ or ✗, what, and the figure it was judged by."""
    example, by_size = results[0], {m.case.sizes[0]: m for m in results}
    # "In-process" leaves the start-up to the whole command's target; the pipeline imports its
    # stages lazily, so a fresh process's first build also pays ~0.3 s of imports (shown too).
    cold = f" (first build of a fresh process, imports included: {_median(example.full):.2f} s)"
    lines = [
        _check("example: full build ≤ 0.5 s in-process, warm", _median(example.warm), "≤", 0.5,
               "s" + cold),
        _check("example: whole `docautomation build` ≤ 1.5 s",
               statistics.median(commands.build), "≤", 1.5, "s"),
        _check("example: unchanged rebuild ≤ 0.1 s", _median(example.unchanged), "≤", 0.1, "s"),
    ]  # fmt: skip
    if "watch" in commands.watch:
        latency = statistics.median(commands.watch["watch"])
        lines.append(_check("watcher: save → documents ≤ 1.0 s", latency, "≤", 1.0, "s"))
    if "watch --polling" in commands.watch:
        latency = statistics.median(commands.watch["watch --polling"])
        lines.append(_check("watcher --polling: ≤ 1.0 s + one poll (1 s)", latency, "≤", 2.0, "s"))
    for m in results:
        mark = "✓" if m.rewritten() == m.case.expected_rewrites() else "✗"
        lines.append(f"{mark} {m.case.name}: one changed meeting rewrites only its kallelse, "
                     f"its .ics, its protokoll draft and the year's .ics")  # fmt: skip
    lines += _large_checks(by_size)
    lines += _side_by_side_checks(side)
    for m in results:
        plain = _median(m.plain)
        lines.append(_check(f"{m.case.name}: full build (warm) not slower than plain docxtpl",
                            _median(m.warm) / plain, "≤", 1.0, "× its time"))  # fmt: skip
        lines.append(_check(f"{m.case.name}: unchanged rebuild ≥ 10× faster than plain docxtpl",
                            plain / _median(m.unchanged), "≥", 10.0, "× faster"))  # fmt: skip
    return lines


def _side_by_side_checks(side: Sequence[SideBySide]) -> list[str]:
    """The raised targets: whole commands against the plain script, in the same run."""
    lines = []
    for s in side:
        what = f"{s.case.name}, whole commands"
        if s.case.sizes[0] < 1_000:
            lines.append(_check(f"{what}: `docautomation build` no slower than the plain script",
                                1 / s.ratio(), "≤", 1.0, "× its time"))  # fmt: skip
            continue
        lines.append(_check(f"{what}: `docautomation build` ≥ 4× faster than the plain script",
                            s.ratio(), "≥", 4.0, "× faster"))  # fmt: skip
        if s.case.sizes[0] >= 10_000:
            lines.append(_check(f"{what}: `docautomation build` ≤ 5 s",
                                _median_wall(s.build), "≤", 5.0, "s"))  # fmt: skip
            peaks = [run.peak_mb for run in s.build if run.peak_mb is not None]
            if peaks:
                lines.append(_check(f"{what}: `docautomation build` ≤ 300 MB", max(peaks), "≤",
                                    300.0, "MB"))  # fmt: skip
    return lines


def _large_checks(by_size: dict[int, Measured]) -> list[str]:
    lines = []
    if 10_000 in by_size:
        big = by_size[10_000]
        lines.append(_check("10,000 wishes: full build ≤ 15 s", _median(big.full), "≤", 15.0, "s"))
        peaks = [r.peak_mb for r in big.full]
        if all(p is not None for p in peaks):
            peak = max(p or 0.0 for p in peaks)
            lines.append(_check("10,000 wishes: peak RSS ≤ 500 MB", peak, "≤", 500.0, "MB"))
        lines.append(_check("10,000 wishes: unchanged rebuild ≤ 0.1 s in-process",
                            _median(big.unchanged), "≤", 0.1, "s"))  # fmt: skip
    if 10_000 in by_size and 20_000 in by_size:
        ratio = _median(by_size[20_000].full) / _median(by_size[10_000].full)
        lines.append(_check("20,000 wishes: at most ~2× the 10,000 time", ratio, "≤", 2.0, "×"))
    return lines


def _check(label: str, value: float, relation: str, limit: float, unit: str) -> str:
    ok = value <= limit if relation == "≤" else value >= limit
    shown = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    return f"{'✓' if ok else '✗'} {label}: {shown} {unit}"
