"""SPEC §8 benchmark: build speed, memory, a plain docxtpl script beside it, the watcher's latency.

    python benchmarks/bench.py [--quick]

Writes synthetic registers into a temporary folder (the shipped example and registers of
1,000 / 10,000 / 20,000 wishes; --quick: the example and 1,000), measures every build in a fresh
process (benchmarks/measure.py), then whole commands side by side: the whole `docautomation
build` process against the whole plain script's process (benchmarks/plain.py) rendering the
same Word documents, alternately, for the example and the 10,000-wish register. Prints
Markdown tables for the README's "Speed" section, the machine, and SPEC §8's targets checked.
The full run takes about ten minutes on two quiet cores.

This process stays small (it imports neither openpyxl nor the pipeline): a child's peak RSS
as the kernel reports it can include the parent's at the moment it was started.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from processes import Usage, run_measured
from report import Case, Commands, Measured, Run, SideBySide, checks, markdown

from docautomation.config import SHIPPED_TEMPLATES

HERE = Path(__file__).resolve().parent
MEASURE, REGISTERS, PLAIN = HERE / "measure.py", HERE / "registers.py", HERE / "plain.py"
TODAY = "2021-03-01"
SIZES, QUICK_SIZES = (1_000, 10_000, 20_000), (1_000,)
SIDE_BY_SIDE = ("Exempel (2021)", "10,000 önskemål")  # --quick: the example and 1,000
SIDE_BY_SIDE_ROUNDS = 5  # wall times on a shared machine vary; the median of five holds still
REGISTER_NAME = "Register 2021.xlsx"
Log = Callable[[str], None]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SPEC §8 benchmark (see the module docstring).")
    parser.add_argument("--quick", action="store_true", help="only the example and 1,000 wishes")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {text}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="docautomation-bench-") as tmp:
        work = Path(tmp)
        templates = work / "templates"
        shutil.copytree(SHIPPED_TEMPLATES, templates)
        log("writing the registers …")
        cases = make_cases(work / "registers", QUICK_SIZES if args.quick else SIZES)
        documents = {case.name: word_documents(case, templates, work) for case in cases}
        results = [measure_case(case, templates, work, documents[case.name], log) for case in cases]
        wanted = (*SIDE_BY_SIDE[:1], "1,000 önskemål") if args.quick else SIDE_BY_SIDE
        side = [
            measure_side_by_side(case, templates, work, documents[case.name], log)
            for case in cases
            if case.name in wanted
        ]
        log("whole commands and the watcher …")
        commands = measure_commands(cases[0], templates, work, polling=not args.quick)
    log("done")
    command_line = "python benchmarks/bench.py" + " --quick" * args.quick
    print(markdown(results, side, commands, command_line))
    print("\nSPEC §8:\n" + "\n".join(checks(results, side, commands)))
    return 0


# ---------------------------------------------------------------------------------------------
# Registers
# ---------------------------------------------------------------------------------------------


def make_cases(folder: Path, sizes: Sequence[int]) -> list[Case]:
    """Write the example and the synthetic registers (in a child: see the module docstring)."""
    args = [str(REGISTERS), str(folder), *(str(size) for size in sizes)]
    done = subprocess.run([sys.executable, *args], capture_output=True, env=_clean_env(),
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"registers.py failed:\n{done.stderr.decode(errors='replace')}")
    cases = []
    for c in json.loads(done.stdout.decode("utf-8")):
        paths = (Path(c["path"]), Path(c["changed"]))
        cases.append(Case(c["name"], *paths, tuple(c["sizes"]), c["moved"], c["repeat"], c["warm"]))
    return cases


def word_documents(case: Case, templates: Path, work: Path) -> Path:
    """The Word documents a build of the case writes, with their variables, as a JSON file for
    the plain script (measure.py documents)."""
    target = work / f"documents-{case.path.stem}.json"
    _child(["documents", str(case.path), str(templates), TODAY, str(target)])
    return target


# ---------------------------------------------------------------------------------------------
# Builds, each in a fresh process
# ---------------------------------------------------------------------------------------------


def measure_case(case: Case, templates: Path, work: Path, documents: Path, log: Log) -> Measured:
    """Full builds (fresh outboxes, fresh and warm processes), unchanged rebuilds, moved
    meetings (alternately moved and moved back) and the plain docxtpl script."""
    log(f"{case.name} …")
    m = Measured(case)
    inbox = work / f"inbox-{case.path.stem}"
    inbox.mkdir()
    register = inbox / REGISTER_NAME
    outbox = work / f"outbox-{case.path.stem}"
    for n in range(case.repeat):
        _copy_atomically(case.path, register)
        m.full.append(_build(register, outbox / f"cold-{n}", templates))
        m.unchanged.append(_build(register, outbox / f"cold-{n}", templates))
    for n in range(case.warm):
        m.warm.append(_build(register, outbox / f"warm-{n}", templates, warm=True))
    for n in range(case.warm):
        _copy_atomically(case.changed if n % 2 == 0 else case.path, register)
        m.changed.append(_build(register, outbox / "cold-0", templates))
    for n in range(case.warm):
        plain_out = work / f"plain-{case.path.stem}-{n}"
        m.plain.append(_child(["plain", str(documents), str(plain_out), str(templates)]))
    log(f"  full {m.full[0].seconds:.2f} s, warm {m.warm[0].seconds:.2f} s, unchanged "
        f"{m.unchanged[0].seconds * 1000:.0f} ms, one meeting {m.changed[0].seconds:.2f} s, "
        f"plain docxtpl {m.plain[0].seconds:.2f} s")  # fmt: skip
    return m


def _build(register: Path, outbox: Path, templates: Path, *, warm: bool = False) -> Run:
    flags = ["--warm"] if warm else []
    run = _child(["build", str(register), str(outbox), str(templates), TODAY, *flags])
    if run.result["exit_code"] != 0:
        raise RuntimeError(f"{register.name}: the build failed: {run.result}")
    return run


def _child(args: Sequence[str]) -> Run:
    """Run `python measure.py args…` and return the JSON it printed and its wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(MEASURE), *args], capture_output=True,
                          env=_clean_env(), check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"measure.py {args[0]} failed:\n{done.stderr.decode(errors='replace')}")
    return Run(json.loads(done.stdout.decode("utf-8")), time.perf_counter() - started)


def _copy_atomically(source: Path, target: Path) -> None:
    temp = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, temp)
    os.replace(temp, target)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DOCAUTOMATION_")}


# ---------------------------------------------------------------------------------------------
# Whole commands side by side: `docautomation build` and the plain script
# ---------------------------------------------------------------------------------------------


def measure_side_by_side(
    case: Case, templates: Path, work: Path, documents: Path, log: Log
) -> SideBySide:
    """The whole `docautomation build` command and the whole plain script (benchmarks/plain.py),
    alternately, each into a fresh folder, SIDE_BY_SIDE_ROUNDS times."""
    log(f"{case.name}: whole commands side by side …")
    folder = work / f"side-{case.path.stem}"
    folder.mkdir()
    shutil.copytree(templates, folder / "templates")  # ./templates is the default
    build: list[Usage] = []
    plain: list[Usage] = []
    for n in range(SIDE_BY_SIDE_ROUNDS):
        out = folder / f"outbox-{n}"
        command = [*_cli(), "--no-config", "build", str(case.path), "--out", str(out)]
        build.append(run_measured([*command, "--date", TODAY], folder, _clean_env()))
        script = [sys.executable, str(PLAIN), str(case.path), str(documents), str(templates)]
        plain.append(run_measured([*script, str(folder / f"plain-{n}")], folder, _clean_env()))
    count = len(json.loads(documents.read_text(encoding="utf-8")))
    side = SideBySide(case, count, build, plain)
    log(f"  build {build[0].wall:.2f} s, plain script {plain[0].wall:.2f} s: "
        f"{side.ratio():.1f}× faster")  # fmt: skip
    return side


# ---------------------------------------------------------------------------------------------
# Whole commands: `docautomation build` and `docautomation watch`
# ---------------------------------------------------------------------------------------------


def measure_commands(case: Case, templates: Path, work: Path, *, polling: bool) -> Commands:
    """The build command's wall time (5 runs each) and the watcher's latency (5 saves)."""
    folder = work / "commands"
    (folder / "inbox").mkdir(parents=True)
    shutil.copytree(templates, folder / "templates")  # ./templates is the default
    register = folder / "inbox" / REGISTER_NAME
    shutil.copyfile(case.path, register)
    outbox = folder / "outbox"
    command = [*_cli(), "--no-config", "build", str(register), "--out", str(outbox)]
    build, rebuild = [], []
    for _ in range(5):
        shutil.rmtree(outbox, ignore_errors=True)
        build.append(_timed_command([*command, "--date", TODAY], folder))
        rebuild.append(_timed_command([*command, "--date", TODAY], folder))
    watch = {"watch": measure_watch(case, templates, work / "watch", polling=False)}
    if polling:
        watch["watch --polling"] = measure_watch(case, templates, work / "poll", polling=True)
    return Commands(build, rebuild, watch)


def _cli() -> list[str]:
    """The installed `docautomation` command, or `python -m docautomation` without one."""
    name = "docautomation.exe" if os.name == "nt" else "docautomation"
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", "docautomation"]


def _timed_command(command: Sequence[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=_clean_env(), capture_output=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr.decode(errors='replace')}")
    return wall


def measure_watch(
    case: Case, templates: Path, folder: Path, *, polling: bool, saves: int = 5
) -> list[float]:
    """Seconds from the end of an Excel-style save of the register to its documents being in
    the outbox, over `saves` saves that move the first meeting and move it back."""
    inbox, outbox = folder / "inbox", folder / "outbox"
    inbox.mkdir(parents=True)
    shutil.copytree(templates, folder / "templates")
    register = inbox / REGISTER_NAME
    shutil.copyfile(case.path, register)
    (inbox / f"~${REGISTER_NAME}").write_bytes(b"\x05board" + b" " * 159)  # Excel's owner file
    versions = [case.changed.read_bytes(), case.path.read_bytes()]
    target = f"{case.moved}.docx"
    command = [*_cli(), "--no-config", "watch", "--inbox", str(inbox), "--out", str(outbox)]
    with _running([*command, *(["--polling"] if polling else [])], folder):
        _wait_for(outbox, target, versions[1], timeout=120)  # the start-up build
        latencies = []
        for n in range(saves):
            time.sleep(1.0)  # let the watcher settle after the previous build
            saved = excel_save(register, versions[n % 2])
            latencies.append(_wait_for(outbox, target, versions[n % 2], timeout=60) - saved)
    return latencies


def excel_save(target: Path, data: bytes) -> float:
    """Save like Excel (Microsoft KB 814068; watch_excel notes §1.1): write the workbook to a
    temp file with a random 8-hex-digit name in the same folder, delete the original, rename
    the temp file to the register's name. Returns the moment the save ended."""
    temp = target.with_name(secrets.token_hex(4).upper())
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    target.unlink()
    os.rename(temp, target)
    return time.perf_counter()


def _wait_for(outbox: Path, rel: str, data: bytes, timeout: float) -> float:
    """Poll the outbox manifest until `rel` was written from `data`; returns when it was seen.

    The manifest is saved after every document of a build is in place, so this is the moment
    the documents are there (polled every 5 ms).
    """
    sha = hashlib.sha256(data).hexdigest()
    manifest = outbox / ".docautomation" / "manifest.json"
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            entry = json.loads(manifest.read_text(encoding="utf-8"))["files"].get(rel)
            if entry and entry["source_sha256"] == sha:
                return time.perf_counter()
        time.sleep(0.005)
    raise RuntimeError(f"the watcher did not write {rel} within {timeout:g} s")


@contextlib.contextmanager
def _running(command: Sequence[str], cwd: Path) -> Iterator[None]:
    with open(cwd / "watch.log", "wb") as log:
        proc = subprocess.Popen(command, cwd=cwd, env=_clean_env(), stdout=log, stderr=log)
        try:
            yield
        finally:
            proc.terminate()  # SIGTERM: the watcher stops cleanly (on Windows: ends it)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    raise SystemExit(main())
