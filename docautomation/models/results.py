"""What the stages produce: the ranking, the validation report, document jobs, build outcomes."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .cells import Problem
from .register import Register, Wish, WishStatus

# ---------------------------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------------------------


class CategorySource(enum.Enum):
    """Where a wish's category came from."""

    BOARD = "board"
    RULE = "rule"


@dataclass(frozen=True, slots=True)
class RankedWish:
    """A wish in the ranked list, with its category and the Swedish reason for its place."""

    rank: int
    wish: Wish
    category: int | None
    category_name: str | None
    category_source: CategorySource | None
    reason: str

    def as_json(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "id": self.wish.id,
            "title": self.wish.title,
            "category": self.category,
            "category_name": self.category_name,
            "category_source": self.category_source.value if self.category_source else None,
            "reason": self.reason,
            "municipalities": self.wish.municipalities or 0,
            "status": self.wish.status.value,
        }


@dataclass(frozen=True, slots=True)
class Ranking:
    """The ranked active wishes, best first, and the delivered/rejected ones listed apart."""

    ranked: tuple[RankedWish, ...]
    delivered: tuple[Wish, ...] = ()
    rejected: tuple[Wish, ...] = ()


# ---------------------------------------------------------------------------------------------
# Validation report
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    """All problems found in a register, plus the typed register they were found in."""

    register: Register
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentJob:
    """One output to produce: where it goes, a key of everything it is made from, how to make it.

    `path` is relative to the outbox, with "/" separators (e.g. "2021/Kallelser/2021-02-09
    Styrelsemöte.docx"). `key` changes whenever the content `render()` returns could change
    (register data, template, --date where used, tool version; not the provenance stamped into a
    .docx), so an unchanged key skips rendering. `template`, `template_sha256`: its Word template.
    """

    path: str
    key: str
    render: Callable[[], bytes] = field(compare=False)
    template: str = ""
    template_sha256: str = ""
    # A rough size of the rendering work (the length of the document's variables as JSON), so
    # rendering in several processes can start with the largest documents.
    weight: int = field(default=0, compare=False)
    # Makes what every job of its template shares (the compiled template), so processes forked
    # to render inherit it instead of each making it again.
    prepare: Callable[[], object] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ReportChanges:
    """What changed in the önskemål since the previous report to the supplier.

    Wishes are named by their label ("ÖNS-031 Kartvy med avlopp"); a change carries the value
    before and after (a WishStatus, or a category number with None for unassessed). The
    documents stage words them. `previous_date` is the date of the report compared with (None
    if unknown). Pass None instead of a ReportChanges when there is no earlier report at all.
    """

    previous_date: date | None = None
    new_wishes: tuple[str, ...] = ()
    status_changed: tuple[tuple[str, WishStatus, WishStatus], ...] = ()
    category_changed: tuple[tuple[str, int | None, int | None], ...] = ()
    removed: tuple[str, ...] = ()  # wishes no longer in the register (not shown by templates yet)


# ---------------------------------------------------------------------------------------------
# Builds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What one register's build did (read by the CLI, the watcher and the sync)."""

    source: Path
    year: int | None = None
    exit_code: int = 0
    problems: tuple[Problem, ...] = ()
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    diverted: tuple[tuple[Path, Path, str], ...] = ()  # (intended, written beside it, reason)
    report: Path | None = None  # the Valideringsrapport, when one was written
    pdfs: tuple[Path, ...] = ()
    message: str = ""
    removed_reports: tuple[Path, ...] = ()  # Valideringsrapports of an older version, removed
    moved: tuple[tuple[Path, Path], ...] = ()  # (obsolete output, where it went in Inaktuella/)
    obsolete_held: tuple[Path, ...] = ()  # obsolete, but open: a later build moves it


@dataclass(frozen=True, slots=True)
class BuildSummary:
    """All registers' outcomes; the highest exit code wins."""

    outcomes: tuple[BuildOutcome, ...] = ()
    message: str = ""

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.outcomes), default=0)
