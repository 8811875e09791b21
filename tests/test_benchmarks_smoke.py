"""Smoke test of benchmarks/: its registers are valid, one tiny run works, its report renders.

No timing is asserted: speed is measured by `python benchmarks/bench.py`, not by tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest

from docautomation import build as pipeline
from docautomation.config import SHIPPED_TEMPLATES, Settings
from docautomation.register.scaffold import example_content, write_register

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
DAY = date(2021, 3, 1)


@pytest.fixture(name="bench")
def _bench(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    """benchmarks/'s modules, imported as bench.py imports them (its folder on sys.path)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import bench  # type: ignore[import-not-found]
    import measure  # type: ignore[import-not-found]
    import processes  # type: ignore[import-not-found]
    import registers  # type: ignore[import-not-found]
    import report  # type: ignore[import-not-found]

    modules = (bench, measure, processes, registers, report)
    return {module.__name__: module for module in modules}


def test_large_register_is_valid_and_proportional(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    """A synthetic register of N wishes has N/5 activities and N/20 meetings, unique IDs,
    meetings on working days, and validates with no problem at all."""
    path = bench["registers"].large_register(tmp_path / "Register 2021.xlsx", 120)
    reg = pipeline.validate_file(path, Settings(templates=SHIPPED_TEMPLATES))
    assert reg.problems == ()
    register = reg.register
    assert (len(register.wishes), len(register.activities), len(register.meetings)) == (120, 24, 6)
    assert len({w.id for w in register.wishes}) == 120
    assert len({m.id for m in register.meetings}) == 6
    assert all(m.date is not None and m.date.weekday() < 5 for m in register.meetings)


def test_moving_a_meeting_changes_only_the_first_meetings_times(
    bench: dict[str, ModuleType],
) -> None:
    """with_meeting_moved changes Start and Slut of the first meeting and nothing else."""
    registers = bench["registers"]
    content = registers.large_content(40)
    moved = registers.with_meeting_moved(content)
    assert moved["Önskemål"] == content["Önskemål"] and moved["Möten"][1:] == content["Möten"][1:]
    first, before = moved["Möten"][0], content["Möten"][0]
    assert {k for k in first if first[k] != before[k]} == {"Start", "Slut"}
    start = datetime.combine(DAY, first["Start"]) - datetime.combine(DAY, before["Start"])
    assert start.seconds == 30 * 60


def test_one_tiny_build_and_plain_run(bench: dict[str, ModuleType], tmp_path: Path) -> None:
    """measure.py's build and plain docxtpl measurements run on a tiny register and report
    stages, written files and documents; the plain script renders what the build writes."""
    measure = bench["measure"]
    reg = bench["registers"].large_register(tmp_path / "inbox" / "Register 2021.xlsx", 20)
    full = measure.measure_build(reg, tmp_path / "out", SHIPPED_TEMPLATES, DAY)
    assert full["exit_code"] == 0 and full["problems"] == 0
    assert {"read", "validate", "rank", "render", "write"} <= set(full["timings"])
    assert "2021/Verksamhetsplan 2021.docx" in full["written"]
    again = measure.measure_build(reg, tmp_path / "out", SHIPPED_TEMPLATES, DAY, warm=True)
    assert again["written"] == [] and again["unchanged"] == len(full["written"])
    documents = measure.word_documents(reg, SHIPPED_TEMPLATES, DAY)
    written = sorted(p for p in full["written"] if p.endswith(".docx"))
    assert sorted(d["name"] for d in documents) == written
    # plan, one kallelse, report, Verksamhetsberättelse, one protokoll
    assert len(documents) == 1 + 1 + 1 + 1 + 1
    listed = tmp_path / "documents.json"
    listed.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    plain = measure.measure_plain(listed, tmp_path / "plain", SHIPPED_TEMPLATES)
    assert plain["documents"] == 5
    out = tmp_path / "plain"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.docx")) == written


def test_the_plain_script_as_a_whole_process(bench: dict[str, ModuleType], tmp_path: Path) -> None:
    """plain.py reads the workbook with openpyxl and renders every listed document; measured
    from outside, the run has a wall time, CPU time and (on Linux) its tree's peak memory."""
    reg = bench["registers"].large_register(tmp_path / "Register 2021.xlsx", 20)
    listed = tmp_path / "documents.json"
    documents = bench["measure"].word_documents(reg, SHIPPED_TEMPLATES, DAY)
    listed.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    command = [sys.executable, str(BENCHMARKS / "plain.py"), str(reg), str(listed)]
    usage = bench["processes"].run_measured(
        [*command, str(SHIPPED_TEMPLATES), str(tmp_path / "out")], tmp_path, dict(os.environ)
    )
    out = tmp_path / "out"
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.docx"))
    assert made == sorted(d["name"] for d in documents)
    assert usage.wall > 0
    if sys.platform.startswith("linux"):
        assert usage.cpu and 20 < (usage.peak_mb or 0) < 1000
    with pytest.raises(RuntimeError, match="plain.py"):
        bench["processes"].run_measured([*command, "/nonexistent", "x"], tmp_path, os.environ)


def test_cases_are_written_in_a_child_and_described_as_json(tmp_path: Path) -> None:
    """registers.py writes the example (and each size) with a moved-meeting twin, as JSON."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "registers.py"), str(tmp_path), "40"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    cases = json.loads(done.stdout)
    assert [c["name"] for c in cases] == ["Exempel (2021)", "40 önskemål"]
    assert cases[1]["sizes"] == [40, 8, 2]
    assert all(Path(c["path"]).is_file() and Path(c["changed"]).is_file() for c in cases)


def test_measure_script_prints_json_with_the_peak_memory(tmp_path: Path) -> None:
    """`python benchmarks/measure.py build …` prints one JSON object, with a peak RSS on Linux."""
    reg = write_register(tmp_path / "inbox" / "Register 2021.xlsx", example_content())
    args = ["build", str(reg), str(tmp_path / "out"), str(SHIPPED_TEMPLATES), DAY.isoformat()]
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "measure.py"), *args],
        capture_output=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    assert result["exit_code"] == 0 and result["written"]
    if sys.platform.startswith("linux"):
        assert 20 < result["peak_mb"] < 1000


def test_excel_save_replaces_the_register_and_leaves_no_temp_file(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    """The watcher benchmark's Excel-style save ends with the new bytes under the old name."""
    target = tmp_path / "Register 2021.xlsx"
    target.write_bytes(b"old")
    bench["bench"].excel_save(target, b"new")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_report_renders_the_tables_and_the_checks(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    """The Markdown has one row per register in every table, and every target check is ✓ or ✗."""
    report = bench["report"]
    case = report.Case("Exempel (2021)", tmp_path / "a.xlsx", tmp_path / "b.xlsx", (30, 18, 8),
                       "2021/Kallelser/2021-01-26 Styrelsemöte", 1, 1)  # fmt: skip

    def run(seconds: float, **extra: object) -> object:
        result = {"seconds": seconds, "timings": {"read": seconds / 4}, "peak_mb": 64.0, **extra}
        return report.Run(result, seconds)

    measured = report.Measured(
        case,
        full=[run(0.4)],
        warm=[run(0.1)],
        unchanged=[run(0.003)],
        changed=[run(0.3, written=case.expected_rewrites())],
        plain=[run(0.25, documents=10)],
    )
    commands = report.Commands([0.8, 0.7], [0.3], {"watch": [0.6, 0.7]})
    side = report.SideBySide(
        case, 10, [report.Usage(0.5, 0.4, 60.0)], [report.Usage(0.6, 0.5, 70.0)]
    )
    text = report.markdown([measured], [side], commands, "python benchmarks/bench.py --quick")
    assert text.count("| Exempel (2021)") == 4 and "Machine:" in text
    assert "| Exempel (2021) | 10 | 0.50 s (0.50–0.50) | 0.60 s (0.60–0.60) | 1.2× |" in text
    assert "4: its kallelse, .ics and protokoll, Möten 2021.ics" in text
    lines = report.checks([measured], [side], commands)
    assert lines and all(line[0] in "✓✗" for line in lines)
    assert all(line.startswith("✓") for line in lines)
