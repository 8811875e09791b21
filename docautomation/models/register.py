"""The typed register: the interpreted records that ranking and the documents use."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from .cells import CellRef, Day

# ---------------------------------------------------------------------------------------------
# Typed register: the interpreted records that ranking and rendering use
# ---------------------------------------------------------------------------------------------


def _cells() -> dict[str, CellRef]:
    return {}


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
