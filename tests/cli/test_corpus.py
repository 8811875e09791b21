"""Real workbooks from other projects' test suites through validate and build (see the README)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from docautomation.cli.main import cli

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
WORKBOOKS = sorted(p for p in CORPUS.glob("*/*") if p.suffix in (".xlsx", ".xlsm"))
# Words of a library's English message; quoted cell values (which may be English) are removed
# before looking, so only our own text is judged.
_ENGLISH = re.compile(
    r"\b(the|is|not|could|cannot|unable|missing|argument|index|range|object|none|error|"
    r"invalid|unexpected|failed|file|workbook|sheet|exception|traceback)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|\'[^\']*\'')


def test_the_corpus_is_a_few_dozen_small_files() -> None:
    assert 30 <= len(WORKBOOKS) <= 60
    assert sum(p.stat().st_size for p in WORKBOOKS) < 3 * 1024 * 1024


def _lines(result_output: str, name: str) -> list[str]:
    # A file's own name (English, like "errors.xlsx") is no message of ours.
    return [line.replace(name, "") for line in result_output.splitlines() if line.strip()]


def _english(lines: list[str]) -> list[str]:
    return [line for line in lines if _ENGLISH.search(_QUOTED.sub("", line))]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("workbook", WORKBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_validate_and_build_end_in_swedish_without_a_traceback(
    workbook: Path, runner: CliRunner, workdir: Path
) -> None:
    """Exit 0, 1 (the register has errors) or 3 (unreadable), each problem on its own Swedish
    line; an exception escaping the command fails here (catch_exceptions=False)."""
    for args in (["validate", str(workbook)], ["build", str(workbook), "--date", "2021-01-10"]):
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code in (0, 1, 3), (args[0], result.output)
        errors = _lines(result.stderr, workbook.name)
        assert all(line.startswith("Fel: ") for line in errors), (args[0], errors)
        assert _english(errors + _lines(result.stdout, workbook.name)) == [], args[0]
    assert not (workdir / "outbox").exists() or not any(
        p.name.endswith(".partial") for p in (workdir / "outbox").rglob("*")
    )
