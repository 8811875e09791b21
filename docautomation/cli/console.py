"""Console text for the CLI: problem lists, the ranking table, build summaries, logging set-up."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from ..models import SHEET_ORDER, Problem, Ranking
from ..swedish import count
from ..text import printable

PROGRESS_THRESHOLD = 20  # documents; fewer finish before a bar would be readable
_LEVEL_NAMES = {"DEBUG": "FELSÖKNING", "WARNING": "VARNING", "ERROR": "FEL", "CRITICAL": "KRITISKT"}


def configure_logging(verbose: int, quiet: bool, *, service: bool = False) -> None:
    """Log to stderr: warnings by default, info with -v, debug with -vv, errors only with -q.

    Long-running commands (watch, sync --every) log at info by default (`service`): IT reads
    their log to see each build, so it must not take a flag to get it.
    """
    levels = (logging.INFO if service else logging.WARNING, logging.INFO, logging.DEBUG)
    level = logging.ERROR if quiet else levels[min(verbose, 2)]
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(_SwedishFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


class _SwedishFormatter(logging.Formatter):
    """Log lines with the level in Swedish ("VARNING"), like the message after it."""

    def format(self, record: logging.LogRecord) -> str:
        # A copy: other handlers (a test's log capture) see the record as it was logged.
        swedish = logging.makeLogRecord(record.__dict__)
        swedish.levelname = _LEVEL_NAMES.get(record.levelname, record.levelname)
        return super().format(swedish)


def problem_line(problem: Problem) -> str:
    """One problem as the board reads it: 'Fel  Önskemål!F12: …'.

    A message may quote a cell; a control character in it (an escape sequence) would act on
    the terminal instead of showing, so the line passes the one rule for output text.
    """
    kind = "Fel     " if problem.is_error else "Varning "
    where = f"{problem.sheet}!{problem.cell}" if problem.cell else problem.sheet
    return printable(f"{kind}{where}: {problem.message}" if where else f"{kind}{problem.message}")


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """Problems grouped by sheet (in register order), errors first, then a summary line."""
    lines: list[str] = []
    for sheet in _sheets_in_order(problems):
        group = [p for p in problems if p.sheet == sheet]
        lines.append(f"{sheet or 'Arbetsboken'}:")
        lines += ["  " + problem_line(p) for p in sorted(group, key=lambda p: not p.is_error)]
    lines.append(summary_line(problems))
    return lines


def summary_line(problems: Sequence[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "Inga problem hittades."
    return f"{count(errors, 'fel')} och {count(warnings, 'varning')}."


def _sheets_in_order(problems: Iterable[Problem]) -> list[str]:
    sheets = {p.sheet for p in problems}
    known = [s for s in SHEET_ORDER if s in sheets]
    return known + sorted(sheets - set(known))


def ranking_table(ranking: Ranking, width: int | None = None) -> str:
    """The ranked wishes as a plain-text table that fits the terminal."""
    width = width or shutil.get_terminal_size((120, 20)).columns
    header = f"{'Plats':>5}  {'ID':<10} {'Kat':>3} {'Kommuner':>8}  Rubrik / motivering"
    lines = [header, "-" * min(width, len(header) + 40)]
    text_width = max(30, width - 34)
    for item in ranking.ranked:
        cat = str(item.category) if item.category is not None else "–"
        first = f"{item.rank:>5}  {item.wish.id:<10} {cat:>3} {item.wish.municipalities or 0:>8}  "
        lines.append(first + _clip(item.wish.title, text_width))
        for part in textwrap.wrap(item.reason, text_width):
            lines.append(" " * 34 + part)
    for label, wishes in (("Levererade", ranking.delivered), ("Avvisade", ranking.rejected)):
        if wishes:
            lines.append("")
            lines.append(f"{label} (rangordnas inte):")
            lines += [f"       {w.id:<10} {_clip(w.title, text_width)}" for w in wishes]
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def build_lines(summary: Any, outbox: Path) -> list[str]:
    """What a build did, register by register: problems, written, unchanged, kept beside."""
    if not summary.outcomes:
        return [summary.message]
    lines: list[str] = []
    for outcome in summary.outcomes:
        if outcome.exit_code == 3:  # unreadable: its one line names the file already
            lines.append(_message_line(outcome))
            continue
        lines.append(f"{outcome.source.name}:")
        if outcome.problems:
            lines += ["  " + line for line in problem_lines(outcome.problems)]
        lines += [f"  Skrev       {relative(p, outbox)}" for p in outcome.written]
        for intended, beside, reason in outcome.diverted:
            lines.append(
                f"  Behöll      {relative(intended, outbox)} ({reason}); "
                f"ny version: {relative(beside, outbox)}"
            )
        if outcome.unchanged:
            lines.append(
                f"  Oförändrat  {count(len(outcome.unchanged), 'dokument')} (skrevs inte om)."
            )
        lines += [f"  PDF         {relative(p, outbox)}" for p in outcome.pdfs]
        lines += _retired_lines(outcome, outbox)
        if outcome.report is not None:
            lines.append(f"  Valideringsrapport: {relative(outcome.report, outbox)}")
        lines += [
            f"  Tog bort    {relative(p, outbox)} (gällde en äldre version av registret)"
            for p in outcome.removed_reports
        ]
        if outcome.message:
            lines.append(_message_line(outcome))
    return lines


def _retired_lines(outcome: Any, outbox: Path) -> list[str]:
    """Obsolete outputs moved to Inaktuella/, and those left in place because they are open."""
    lines = [
        f"  Flyttade    {relative(old, outbox)} till {relative(new, outbox)} (inaktuell)"
        for old, new in outcome.moved
    ]
    lines += [
        f"  Kvar        {relative(p, outbox)} är inaktuell men öppen; "
        "den flyttas till Inaktuella när den har stängts och registret byggs igen."
        for p in outcome.obsolete_held
    ]
    return lines


def _message_line(outcome: Any) -> str:
    """The outcome's message once, prefixed with the file name unless it already starts so."""
    name = outcome.source.name
    text = outcome.message if outcome.message.startswith(name) else f"{name}: {outcome.message}"
    return f"Fel: {text}" if outcome.exit_code else text


@contextlib.contextmanager
def progress_bar(total: int, label: str = "Skriver dokument") -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal when many documents are written; silent otherwise."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        yield lambda _n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
