"""Tests for the CLI's console text."""

from __future__ import annotations

from docautomation.cli.console import problem_line
from docautomation.models import Problem, Severity


def test_a_problem_line_never_carries_a_terminal_control_sequence() -> None:
    """A message quoting a cell with ESC (a colour or cursor sequence) prints it inert."""
    problem = Problem(Severity.ERROR, "Önskemål", "F12", 'Kategori "\x1b[2J\x07X" finns inte.')
    assert problem_line(problem) == 'Fel     Önskemål!F12: Kategori "[2JX" finns inte.'
