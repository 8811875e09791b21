"""Tests for the command line: exit codes, one-line errors, JSON shapes, and the build's report."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from docautomation import __version__
from docautomation.cli.main import cli
from tests.conftest import EXAMPLE_REGISTER
from tests.support.hostile import amplifying_workbook, immutable

SPEC_RANK_FIELDS = {"rank", "id", "title", "category", "category_name", "category_source", "reason"}


def _invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _break_register(source: Path, target: Path) -> Path:
    """A copy of the example with one error: a wish without a Rubrik."""
    wb = openpyxl.load_workbook(source)
    wb["Önskemål"]["B2"] = None
    wb.save(target)
    return target


def test_validate_json_on_the_example_is_clean(runner: CliRunner, example_register: Path) -> None:
    """The shipped example validates with no problems: an empty JSON array and exit 0."""
    code, out, _ = _invoke(runner, "validate", str(example_register), "--json")
    assert code == 0
    assert json.loads(out) == []


def test_validate_reports_errors_with_sheet_and_cell(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """An error is printed under its sheet with its cell, and validate exits 1."""
    broken = _break_register(example_register, workdir / "broken.xlsx")
    code, out, _ = _invoke(runner, "validate", str(broken))
    assert code == 1
    assert "Önskemål:" in out and "Önskemål!B2" in out
    assert out.strip().splitlines()[-1].startswith("1 fel")
    code, out, _ = _invoke(runner, "validate", str(broken), "--json")
    problems = json.loads(out)
    assert {"severity": "error", "sheet": "Önskemål", "cell": "B2"}.items() <= problems[0].items()


def test_rank_json_has_the_spec_fields(runner: CliRunner, example_register: Path) -> None:
    """rank --json prints every documented field; ranks run 1..n; closed wishes are not ranked."""
    code, out, _ = _invoke(runner, "rank", str(example_register), "--json")
    assert code == 0
    ranked = json.loads(out)
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(set(r) >= SPEC_RANK_FIELDS for r in ranked)
    assert len(ranked) == 23  # 30 wishes, 4 delivered and 3 rejected are listed apart
    first = ranked[0]
    assert (first["category"], first["category_source"]) == (1, "rule")
    assert first["category_name"] == "Lagstiftning" and "Lagkrav" in first["reason"]
    board = next(r for r in ranked if r["id"] == "ÖNS-026")
    assert (board["category"], board["category_source"]) == (6, "board")


def test_rank_table_is_readable(runner: CliRunner, example_register: Path) -> None:
    """The terminal table shows rank, ID and the delivered wishes listed apart."""
    code, out, _ = _invoke(runner, "rank", str(example_register))
    assert code == 0
    assert "ÖNS-021" in out and "Levererade (rangordnas inte):" in out


def test_build_writes_then_keeps_unchanged(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """build writes every document; a second build rewrites nothing (files untouched)."""
    code, out, _ = _invoke(runner, "build", "--date", "2021-01-10")
    assert code == 0, out
    plan = workdir / "outbox" / "2021" / "Verksamhetsplan 2021.docx"
    assert plan.is_file()
    notices = workdir / "outbox" / "2021" / "Kallelser"
    assert len(list(notices.glob("*.docx"))) == 8
    # each kallelse has its calendar file under the same name
    assert {p.stem for p in notices.glob("*.docx")} == {p.stem for p in notices.glob("*.ics")}
    stamp = plan.stat().st_mtime_ns
    code, out, _ = _invoke(runner, "build", "--date", "2021-01-10")
    assert code == 0 and "Oförändrat  28 dokument (skrevs inte om)." in out and "Skrev" not in out
    assert plan.stat().st_mtime_ns == stamp


def test_build_with_errors_writes_the_report_and_no_documents(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """A register with errors exits 1, writes the Valideringsrapport and no documents."""
    _break_register(example_register, example_register)
    code, out, _ = _invoke(runner, "build")
    assert code == 1
    assert (workdir / "outbox" / "2021" / "Valideringsrapport.xlsx").is_file()
    assert not (workdir / "outbox" / "2021" / "Verksamhetsplan 2021.docx").exists()
    assert "Önskemål!B2" in out


def test_a_build_names_the_valideringsrapport_it_removes(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """Fixing the errors removes last build's Valideringsrapport, and the build says so."""
    original = example_register.read_bytes()
    _break_register(example_register, example_register)
    assert _invoke(runner, "build")[0] == 1
    example_register.write_bytes(original)
    code, out, _ = _invoke(runner, "build")
    assert code == 0 and not (workdir / "outbox" / "2021" / "Valideringsrapport.xlsx").exists()
    removed = [line.strip() for line in out.splitlines() if "Tog bort" in line]
    assert removed == [
        f"Tog bort    {Path('2021', 'Valideringsrapport.xlsx')} "
        "(gällde en äldre version av registret)"
    ]


def test_two_registers_for_one_year_build_nothing(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """A conflict copy for the same year is an error naming both files; nothing is built."""
    shutil.copyfile(example_register, workdir / "inbox" / "Register 2021 (konflikt).xlsx")
    code, _, err = _invoke(runner, "build")
    assert code == 1
    assert "Register 2021.xlsx" in err and "Register 2021 (konflikt).xlsx" in err
    assert not (workdir / "outbox" / "2021").exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("tom.xlsx", b"", "tom"),
        ("gammal.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
        ("lista.csv", "ID;Rubrik\nÖNS-1;Test\n".encode(), "CSV"),
        ("trasig.xlsx", b"PK\x03\x04 not really a zip", "trasig"),
    ],
)
def test_bad_files_exit_3_with_one_line(
    runner: CliRunner, workdir: Path, name: str, content: bytes, words: str
) -> None:
    """Unreadable files give exit 3 and exactly one line naming the file, no traceback."""
    path = workdir / name
    path.write_bytes(content)
    for command in ("validate", "build"):
        code, out, err = _invoke(runner, command, str(path))
        assert code == 3, (command, out, err)
        lines = (out + err).strip().splitlines()
        assert len(lines) == 1, lines
        assert name in (out + err) and "Traceback" not in (out + err)
        assert words.casefold() in (out + err).casefold()


def test_missing_file_exits_3(runner: CliRunner, workdir: Path) -> None:
    """A register path that does not exist is an unreadable file (exit 3), one line."""
    code, out, err = _invoke(runner, "validate", str(workdir / "finns-inte.xlsx"))
    assert code == 3 and len((out + err).strip().splitlines()) == 1


def test_bad_config_exits_2(runner: CliRunner, workdir: Path, example_register: Path) -> None:
    """An unknown key in the config file is a configuration error: exit 2, one line."""
    (workdir / "docautomation.toml").write_text('outbx = "x"\n', encoding="utf-8")
    code, _, err = _invoke(runner, "validate", str(example_register))
    assert code == 2
    assert "Menade du outbox?" in err and len(err.strip().splitlines()) == 1


def test_bad_date_is_a_usage_error(runner: CliRunner, example_register: Path) -> None:
    """--date that is not YYYY-MM-DD is refused by the CLI with exit 2."""
    result = runner.invoke(cli, ["build", "--date", "10/1 2021"])
    assert result.exit_code == 2 and "ÅÅÅÅ-MM-DD" in result.output


def test_init_then_validate_the_empty_register(runner: CliRunner, workdir: Path) -> None:
    """init sets up a folder whose empty register validates with errors, not a crash."""
    code, out, _ = _invoke(runner, "init", str(workdir / "ny"))
    assert code == 0 and "docautomation.toml" in out
    code, out, _ = _invoke(runner, "validate", str(workdir / "ny" / "inbox" / "Register.xlsx"))
    assert code == 1 and "Föreningens namn" in out


def test_templates_check_passes_for_the_shipped_templates(runner: CliRunner, workdir: Path) -> None:
    """templates check renders every shipped template against the example without problems."""
    code, out, err = _invoke(runner, "templates", "check")
    assert code == 0, err
    assert "i ordning" in out


# Words that are English and not Swedish: any of them in what the CLI prints is a lapse.
ENGLISH = re.compile(
    r"\b(Usage|Options|Commands|Arguments|Error|Show|message|exit|Missing|argument|option|"
    r"Invalid|value|such|the|and|for|with|not|default|file|folder|directory|Print|Build|Check|"
    r"Rank|Watch|Set|Pull|Run|Repeat|Verify|Fix|Also|every|register\(s\)|Try|help|Got|"
    r"unexpected|extra|Did|you|mean|requires|is|are|was|valid|integer|float|range|does|exist|"
    r"OPTIONS|COMMAND|ARGS|TEXT|INTEGER|FLOAT|PATH|FILE|DIRECTORY)\b"
)
COMMANDS = (
    ["init"], ["validate"], ["rank"], ["build"], ["templates"], ["templates", "check"],
    ["watch"], ["status"], ["sync"], ["import"], ["new-year"], ["explain"],
)  # fmt: skip


def _swedish_only(text: str) -> list[str]:
    """English words in `text`, flags, examples and file names aside."""
    prose = re.sub(
        r"--?[\w-]+|docautomation\b[^\n]*#|\S+\.(xlsx|docx|toml)\b|\"[^\"]*\"", " ", text
    )
    prose = re.sub(r"^\s+docautomation .*$", " ", prose, flags=re.M)  # example command lines
    return ENGLISH.findall(prose)


@pytest.mark.parametrize("args", [[], *COMMANDS], ids=lambda a: " ".join(a) or "docautomation")
def test_every_command_has_swedish_help(runner: CliRunner, args: list[str]) -> None:
    """Every command and subcommand explains itself in --help, in Swedish."""
    result = runner.invoke(cli, [*args, "--help"])
    assert result.exit_code == 0 and "Användning:" in result.output, result.output
    assert _swedish_only(result.output) == [], result.output


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--nosuch"],
        ["bild"],
        ["build", "--date"],
        ["build", "--date", "igår"],
        ["watch", "--debounce", "snabbt"],
        ["rank"],
        ["templates", "kolla"],
        ["sync", "--once", "--every", "15m"],
    ],
    ids=" ".join,
)
def test_usage_errors_are_swedish(runner: CliRunner, args: list[str]) -> None:
    """A mistyped command, flag or value gets click's usage error in Swedish, exit 2."""
    result = runner.invoke(cli, ["--no-config", *args])
    assert result.exit_code == 2, result.output
    assert "Fel:" in result.output and _swedish_only(result.output) == [], result.output


def test_rank_refuses_a_register_with_errors(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """A misspelt Kategori would move a wish silently: rank lists the error and exits 1."""
    wb = openpyxl.load_workbook(example_register)
    wb["Önskemål"]["F2"] = "Lagstiftnig"
    wb.save(example_register)
    code, out, err = _invoke(runner, "rank", str(example_register), "--json")
    assert code == 1 and out == ""
    assert "Önskemål!F2" in err and "Lagstiftning" in err


def test_an_unreadable_register_in_a_build_is_one_line(runner: CliRunner, workdir: Path) -> None:
    """build on a CSV prints one line naming the file once, and exits 3."""
    path = workdir / "inbox" / "Register.csv"
    path.write_text("ID;Rubrik\n", encoding="utf-8")
    code, out, err = _invoke(runner, "build", str(path))
    lines = (out + err).strip().splitlines()
    assert code == 3 and len(lines) == 1
    assert lines[0].startswith("Fel: Register.csv:") and lines[0].count("Register.csv") == 1


def test_build_without_an_inbox_is_a_configuration_error(runner: CliRunner, workdir: Path) -> None:
    """A scheduled build run from the wrong folder must not exit 0 having done nothing."""
    (workdir / "inbox").rmdir()
    code, _, err = _invoke(runner, "build")
    assert code == 2 and "Inkorgen" in err and len(err.strip().splitlines()) == 1


def test_an_outbox_under_a_file_is_one_clear_line(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """--out pointing below a file gives exit 1 and one line, not a traceback."""
    (workdir / "afile").write_text("x", encoding="utf-8")
    code, out, err = _invoke(runner, "build", "--out", str(workdir / "afile" / "ut"))
    assert code == 1 and "kan inte användas" in err
    assert "Traceback" not in out + err


def test_sync_once_and_every_together_is_a_usage_error(runner: CliRunner) -> None:
    """--once means one run: asking for a loop as well is refused in Swedish with exit 2."""
    code, _out, err = _invoke(runner, "--no-config", "sync", "--once", "--every", "15m")
    assert code == 2 and "antingen --once eller --every" in err


def test_status_after_a_manual_build_names_the_register_its_documents_and_local_times(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """A build by hand is the register's last build in `status`: result, who, documents."""
    assert _invoke(runner, "build", "--date", "2021-01-10")[0] == 0
    code, out, _ = _invoke(runner, "status")
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith(f"{example_register.name}:"))
    assert " klart " in line and "(manuellt)" in line and "0 fel" in line
    assert re.search(r"(måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag) \d{1,2} \w+", line)
    assert "  2021/Verksamhetsplan 2021.docx" in out
    assert "+00:00" not in out and "T" not in line.split("klart")[1].split("(")[0]


def test_explain_names_the_origin_and_notices_an_edit(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """The example's plan: register, hash, template, version, date, unchanged; then edited."""
    assert _invoke(runner, "build", "--date", "2021-01-10")[0] == 0
    plan = "outbox/2021/Verksamhetsplan 2021.docx"
    code, out, err = _invoke(runner, "explain", plan)
    assert (code, err) == (0, "")
    sha = hashlib.sha256(example_register.read_bytes()).hexdigest()
    for expected in ("Register 2021.xlsx", sha, "Verksamhetsplan.docx", __version__, "2021-01-10"):
        assert expected in out
    assert "Ändrat efter att det skapades: nej" in out
    doc = Document(str(workdir / plan))
    doc.add_paragraph("Ändrat i Word")
    doc.save(str(workdir / plan))
    code, out, _ = _invoke(runner, "explain", plan)
    assert code == 0 and "Ändrat efter att det skapades: ja" in out


def test_explain_on_other_files_is_one_line(runner: CliRunner, example_register: Path) -> None:
    """A Word file not made by docautomation: one line, exit 1; no Word file: one error, exit 3."""
    code, out, _ = _invoke(runner, "explain", "templates/Kallelse.docx")
    assert code == 1 and out.count("\n") == 1 and "inte skapat av docautomation" in out
    code, out, err = _invoke(runner, "explain", str(example_register))
    assert (code, out) == (3, "")
    assert err == "Fel: Register 2021.xlsx: filen är inget Word-dokument (.docx).\n"


def _disk_usage(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # a temp file removed while we look
            total += path.lstat().st_size
    return total


def test_an_amplifying_workbook_is_refused_in_a_minute_with_little_temp_disk(
    workdir: Path, tmp_path: Path
) -> None:
    """A 0.3 MB workbook whose cells expand to 12 GB (one 1 MB shared string in 12,000 cells):
    `build` ends within 60 s with exit 3 and one Swedish line, the temp folder never holds
    500 MB and is empty afterwards."""
    amplifying_workbook(EXAMPLE_REGISTER, workdir / "inbox" / "Register 2021.xlsx")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "docautomation", "--no-config", "build"]
    started = time.monotonic()
    with subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        peak = 0
        while process.poll() is None and time.monotonic() - started < 60:
            peak = max(peak, _disk_usage(scratch))
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        _, err = process.communicate()
    assert process.returncode == 3, err.decode()
    lines = err.decode().splitlines()
    assert len(lines) == 1 and "packas upp till" in lines[0] and "Traceback" not in lines[0]
    assert peak < 500 * 1024 * 1024
    assert list(scratch.iterdir()) == []


def test_build_out_in_the_inbox_never_reads_its_own_report_as_a_register(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """With --out pointed at the inbox, the Valideringsrapport written there (for a register
    without a year) is not taken for a second register by the next build."""
    wb = openpyxl.load_workbook(example_register)
    wb["Förening"]["B3"] = None
    wb.save(example_register)
    for _ in range(2):
        code, _, err = _invoke(runner, "build", "--out", "inbox")
        assert code == 1
        assert err.count("Fel:") == 1, err
    names = sorted(p.name for p in (workdir / "inbox").iterdir() if p.suffix == ".xlsx")
    assert names == ["Register 2021.xlsx", "Valideringsrapport Register 2021.xlsx"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.timeout(20)
def test_validate_on_a_named_pipe_is_one_line_and_exit_3(runner: CliRunner, workdir: Path) -> None:
    """`validate` given a pipe does not wait for a writer: one Swedish line, exit 3."""
    pipe = workdir / "inbox" / "Register 2021.xlsx"
    os.mkfifo(pipe)
    code, _, err = _invoke(runner, "validate", str(pipe))
    assert code == 3
    expected = (
        "Fel: Register 2021.xlsx: Det här är ingen vanlig fil (utan en namngiven pipe, en enhet "
        "eller liknande) och den läses inte. Ange registrets .xlsx-fil."
    )
    assert err.strip().splitlines() == [expected]


def test_an_immutable_lock_file_is_one_swedish_line_and_exit_1(
    runner: CliRunner, example_register: Path, workdir: Path
) -> None:
    """An outbox whose lock file cannot be opened: exit 1 and one Swedish line on stderr."""
    lock = workdir / "outbox" / ".docautomation" / "build.lock"
    lock.parent.mkdir()
    lock.touch()
    with immutable(lock):
        code, _, err = _invoke(runner, "build")
    assert code == 1
    [line] = err.strip().splitlines()
    assert line.startswith("Fel: Register 2021.xlsx: Utkorgen ") and "kan inte användas" in line


def test_build_says_what_it_moved_to_inaktuella(runner: CliRunner, example_register: Path) -> None:
    """A deleted meeting's kallelse, .ics and protokoll draft are each named as moved."""
    assert _invoke(runner, "build", "--date", "2021-01-10")[0] == 0
    wb = openpyxl.load_workbook(example_register)
    wb["Möten"].delete_rows(9)  # the 30 November meeting
    wb.save(example_register)
    code, out, _ = _invoke(runner, "build", "--date", "2021-02-01")
    assert code == 0, out
    stem = "2021-11-30 Styrelsemöte"
    moved = [line for line in out.splitlines() if line.startswith("  Flyttade")]
    assert moved == [
        f"  Flyttade    2021/{rel} till 2021/Inaktuella/{rel} (inaktuell)"
        for rel in (f"Kallelser/{stem}.docx", f"Kallelser/{stem}.ics", f"Protokoll/{stem}.docx")
    ]
