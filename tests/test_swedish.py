"""Tests for docautomation.swedish, and that every log line the package writes is Swedish."""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date, get_day_names, get_month_names

from docautomation import swedish
from docautomation.swedish import count

PACKAGE = Path(__file__).resolve().parents[1] / "docautomation"
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
# English words that have no Swedish namesake: one in a log message is a lapse.
ENGLISH = re.compile(
    r"\b(Ignoring|ignoring|unreadable|Could|could|not|save|saved|the|failed|cannot|unable|"
    r"invalid|missing|found|file|folder|error|while|with|from|after|before|retry|skipping|"
    r"Skipping|Starting|Stopping|Building|built|written|unchanged|waiting|done)\b"
)


@pytest.mark.parametrize(
    ("number", "noun", "plural", "expected"),
    [
        (1, "vecka", None, "1 vecka"),
        (2, "vecka", None, "2 veckor"),
        (1, "dag", None, "1 dag"),
        (7, "dag", None, "7 dagar"),
        (1, "dokument skrivet", "dokument skrivna", "1 dokument skrivet"),
        (0, "dokument skrivet", "dokument skrivna", "0 dokument skrivna"),
        (1, "oförändrat", "oförändrade", "1 oförändrat"),
    ],
)
def test_count_agrees_with_its_number(
    number: int, noun: str, plural: str | None, expected: str
) -> None:
    """The noun, or a noun with its participle, takes the form its number asks for."""
    assert count(number, noun, plural) == expected


def _log_messages() -> list[tuple[str, int, str]]:
    """Every message given to a logger call in the package: (file, line, text)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in LOG_METHODS
                and isinstance(node.func.value, ast.Name | ast.Attribute)
                and "log" in ast.unparse(node.func.value).casefold()
            ):
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((path.name, node.lineno, arg.value))
    return found


def test_every_log_message_is_swedish() -> None:
    """IT reads the watcher's and the sync's logs: their messages are Swedish too."""
    messages = _log_messages()
    assert len(messages) > 50  # the scan finds the package's log calls
    english = [(f, n, m) for f, n, m in messages if ENGLISH.search(m)]
    assert english == []


def test_month_and_weekday_names_are_cldrs() -> None:
    """The fixed names match babel's Swedish locale data (Monday first)."""
    assert tuple(get_month_names("wide", locale="sv").values()) == swedish.MONTHS
    days = get_day_names("wide", locale="sv")
    assert tuple(days[n] for n in range(7)) == swedish.WEEKDAYS


def test_dates_are_written_as_babel_writes_them() -> None:
    """Every day of a leap year and a few far ones: "9 februari 2021", "tisdag 9 februari 2021"."""
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]
    for day in [*days, date(1, 1, 1), date(999, 12, 31), date(9999, 12, 31)]:
        assert swedish.text_date(day) == format_date(day, "d MMMM y", locale="sv_SE")
        assert swedish.long_date(day) == format_date(day, "EEEE d MMMM y", locale="sv_SE")
