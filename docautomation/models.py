"""Frozen records shared by the pipeline stages: raw sheets, the typed register, problems, ranking."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

# The register's sheets in the order the board reads them (and problems are listed in).
SHEET_ORDER = ("Förening", "Prioritering", "Kontakter", "Aktiviteter", "Önskemål", "Möten")

# A second name for the type: Meeting has a field called `date` that would shadow it.
Day = date

# -- what openpyxl can hand us for one cell (after merged-cell fill and line-break clean-up) --
CellValue = str | int | float | bool | datetime | date | time | None


def _cells() -> dict[str, CellRef]:
    return {}


# ---------------------------------------------------------------------------------------------
# Cells and problems
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class CellRef:
    """A cell as Excel names it: sheet name as written in the workbook, and e.g. "F12"."""

    sheet: str
    cell: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


class Severity(enum.Enum):
    """How bad a problem is: errors stop documents, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the register, with a Swedish message for the board.

    `cell` is "" when the problem concerns a whole sheet (e.g. a missing sheet or column).
    """

    severity: Severity
    sheet: str
    cell: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


def error(ref: CellRef | None, message: str, *, sheet: str = "") -> Problem:
    """Build an error problem at `ref` (or for a whole sheet when ref is None)."""
    return Problem(Severity.ERROR, ref.sheet if ref else sheet, ref.cell if ref else "", message)


def warning(ref: CellRef | None, message: str, *, sheet: str = "") -> Problem:
    """Build a warning problem at `ref` (or for a whole sheet when ref is None)."""
    return Problem(Severity.WARNING, ref.sheet if ref else sheet, ref.cell if ref else "", message)


# ---------------------------------------------------------------------------------------------
# Raw register: what the reader found, cell by cell, before interpretation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawCell:
    """One cell's value as read, where it came from, and whether it is an uncomputed formula."""

    value: CellValue
    ref: CellRef
    uncomputed_formula: bool = False


@dataclass(frozen=True, slots=True)
class RawRow:
    """One non-empty data row; `cells` maps the canonical column name to its cell.

    Every column the sheet has is present (value None when the cell is empty), so a RawRow
    can always answer `ref(column)` for a column that exists in the sheet.
    """

    number: int
    cells: Mapping[str, RawCell]

    def value(self, column: str) -> CellValue:
        cell = self.cells.get(column)
        return cell.value if cell else None

    def ref(self, column: str) -> CellRef | None:
        cell = self.cells.get(column)
        return cell.ref if cell else None


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One sheet: its name as written, where its header row is, its columns and its rows.

    `columns` maps canonical column name → column letter for every recognised header;
    `missing` lists required columns that were not found; `header_row` is 0 when no header
    row was recognised at all.
    """

    name: str
    canonical: str
    header_row: int
    columns: Mapping[str, str]
    missing: tuple[str, ...]
    rows: tuple[RawRow, ...]
    unknown: tuple[tuple[str, str], ...] = ()  # header-row texts no column matched: (text, cell)


@dataclass(frozen=True, slots=True)
class RawRegister:
    """All recognised sheets of one workbook, keyed by canonical sheet name (e.g. "Önskemål")."""

    source_name: str
    sha256: str
    sheets: Mapping[str, RawSheet]
    sheet_names: tuple[str, ...] = ()  # every sheet in the workbook, as written, in tab order


# ---------------------------------------------------------------------------------------------
# Typed register: the interpreted records that ranking and rendering use
# ---------------------------------------------------------------------------------------------


class Level(enum.IntEnum):
    """Insats and Effekt: Låg < Medel < Hög."""

    LAG = 1
    MEDEL = 2
    HOG = 3

    @property
    def label(self) -> str:
        return {1: "Låg", 2: "Medel", 3: "Hög"}[self.value]


class WishStatus(enum.Enum):
    """Önskemål status; `value` is the canonical Swedish word."""

    NY = "Ny"
    SKICKAD = "Skickad"
    ACCEPTERAD = "Accepterad"
    PAGAR = "Pågår"
    LEVERERAD = "Levererad"
    AVVISAD = "Avvisad"

    @property
    def is_closed(self) -> bool:
        return self in (WishStatus.LEVERERAD, WishStatus.AVVISAD)


class MeetingType(enum.Enum):
    """Mötestyp; `value` is the canonical Swedish name."""

    STYRELSEMOTE = "Styrelsemöte"
    KONSTITUERANDE = "Konstituerande styrelsemöte"
    ARSMOTE = "Årsmöte"
    EXTRA_ARSMOTE = "Extra årsmöte"
    ANVANDARTRAFF = "Användarträff"
    WORKSHOP = "Workshop"
    ANNAT = "Annat"


class Role(enum.Enum):
    """Roll in Kontakter; `value` is the canonical Swedish name."""

    ORDFORANDE = "Ordförande"
    VICE_ORDFORANDE = "Vice ordförande"
    KASSOR = "Kassör"
    SEKRETERARE = "Sekreterare"
    LEDAMOT = "Ledamot"
    SUPPLEANT = "Suppleant"
    REVISOR = "Revisor"
    REVISORSSUPPLEANT = "Revisorssuppleant"
    VALBEREDNING = "Valberedning"
    KONTAKTPERSON = "Kontaktperson"


class ActivityStatus(enum.Enum):
    """Status of an activity (optional column)."""

    PLANERAD = "Planerad"
    PAGAR = "Pågår"
    KLAR = "Klar"
    INSTALLD = "Inställd"


class DeadlineKind(enum.Enum):
    """What kind of time a Klart text names."""

    DATE = "date"
    MONTH = "month"
    MONTH_PART = "month_part"
    SEASON = "season"
    QUARTER = "quarter"
    HALF = "half"
    WEEK = "week"
    YEAR = "year"
    DEADLINE = "deadline"  # "senast 31/3", "före 1 maj"
    RELATIVE = "relative"  # "inför årsmötet"
    RECURRING = "recurring"  # "efter varje styrelsemöte"
    CONTINUOUS = "continuous"  # "kontinuerligt", "löpande"
    ON_DEMAND = "on_demand"  # "vid behov"
    DONE = "done"  # "klart", "genomfört"
    UNKNOWN = "unknown"  # not understood (or empty)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A Klart text read into structure; `text` is exactly what the board wrote."""

    kind: DeadlineKind
    text: str
    display: str
    start: date | None = None
    end: date | None = None
    due: date | None = None
    year: int | None = None  # the year the text names, when it names one


@dataclass(frozen=True, slots=True)
class Association:
    """The Förening sheet."""

    name: str
    year: int | None
    vision: str = ""
    purpose: str = ""
    tasks: tuple[str, ...] = ()
    supplier: str = "Prosona"
    high_priority_threshold: int = 15
    agm_notice_earliest_weeks: int = 6
    agm_notice_latest_weeks: int = 2
    board_notice_days: int = 7
    place: str = ""  # Ort: the town above the signatures
    running_numbers: bool = False  # Löpande paragrafnumrering through the year's board meetings
    cells: Mapping[str, CellRef] = field(
        default_factory=_cells, compare=False
    )  # Fält → its Värde cell


@dataclass(frozen=True, slots=True)
class Category:
    """One level of the priority order (Prioritering sheet, or the 2021 default)."""

    number: int
    name: str
    description: str = ""


# The 2021 plan's priority order, used when the register sets none.
DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category(1, "Lagstiftning"),
    Category(2, "Myndighetsrapportering"),
    Category(3, "Utvecklingsinsatser som prioriteras högt av medlemmarna"),
    Category(4, "Enkla åtgärder (låg insats)"),
    Category(5, "Effektivare arbetssätt (processer)"),
    Category(6, "Avvaktar (utifrån resurser och externa faktorer)"),
    Category(7, "Lågt prioriterat (liten effekt utifrån insats)"),
    Category(8, "Ej aktuellt/prioriterat"),
)


@dataclass(frozen=True, slots=True)
class Contact:
    """One row of Kontakter."""

    name: str
    role: Role | None
    role_text: str
    municipality: str = ""
    email: str = ""
    row: int = 0
    cells: Mapping[str, CellRef] = field(default_factory=_cells, compare=False)


@dataclass(frozen=True, slots=True)
class CommentBlock:
    """A line of an activity's Kommentar or Uppföljning: plain text or a list item (no marker)."""

    text: str
    is_list_item: bool


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity row of Aktiviteter, with its area resolved by the continuation rule."""

    area: str
    action: str
    responsible: str
    deadline: Deadline
    comment: str = ""
    comment_blocks: tuple[CommentBlock, ...] = ()
    status: ActivityStatus | None = None
    follow_up: str = ""  # Uppföljning: what was done
    follow_up_blocks: tuple[CommentBlock, ...] = ()
    row: int = 0
    cells: Mapping[str, CellRef] = field(default_factory=_cells, compare=False)


@dataclass(frozen=True, slots=True)
class ActivityGroup:
    """Consecutive activities under one Verksamhetsområde, in register order."""

    area: str
    activities: tuple[Activity, ...]


@dataclass(frozen=True, slots=True)
class Wish:
    """One row of Önskemål; None means the cell was empty (or could not be read)."""

    id: str
    title: str
    description: str = ""
    submitted_by: str = ""
    submitted: date | None = None
    category: int | None = None  # the board's Kategori, resolved to a number of the order
    legal: bool | None = None  # Lagkrav
    authority_reporting: bool | None = None  # Myndighetsrapportering
    municipalities: int | None = None  # Antal kommuner
    effort: Level | None = None  # Insats
    effect: Level | None = None  # Effekt
    status: WishStatus = WishStatus.NY
    status_text: str = ""
    supplier_ref: str = ""  # Leverantörens ärende
    feedback: str = ""  # Återkoppling
    pilot: bool | None = None
    row: int = 0
    cells: Mapping[str, CellRef] = field(default_factory=_cells, compare=False)


@dataclass(frozen=True, slots=True)
class Meeting:
    """One row of Möten. `agenda` is as written (one item per line); empty means standard."""

    date: Day | None
    start: time | None
    type: MeetingType | None
    type_text: str = ""
    end: time | None = None
    place: str = ""
    link: str = ""
    agenda: tuple[str, ...] = ()
    notice_date: Day | None = None  # Kallelsedatum as written (None when empty)
    recipients: str = ""  # Mottagare as written ("" → the default for the type)
    id: str = ""
    row: int = 0
    cells: Mapping[str, CellRef] = field(default_factory=_cells, compare=False)


@dataclass(frozen=True, slots=True)
class Register:
    """The whole register, interpreted: what ranking and rendering work from."""

    source_name: str
    association: Association
    categories: tuple[Category, ...]
    contacts: tuple[Contact, ...] = ()
    activities: tuple[Activity, ...] = ()
    groups: tuple[ActivityGroup, ...] = ()
    wishes: tuple[Wish, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    categories_customised: bool = False  # True when a Prioritering sheet set the order


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
