"""Interpretation: the raw register's cells → the typed Register, with a problem per unreadable value.

Pure and total: any cell value gives a Register plus problems, never an exception. Rules that
compare rows or fields (duplicate IDs, Slut after Start, kallelse windows, unknown Ansvarig …)
and missing sheets or columns are the validation stage's; here each cell is read on its own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from .klart import deadline_from_cell
from .models import (
    Activity,
    ActivityGroup,
    ActivityStatus,
    Association,
    Category,
    CellRef,
    CellValue,
    CommentBlock,
    Contact,
    Meeting,
    MeetingType,
    Problem,
    RawRegister,
    RawRow,
    RawSheet,
    Register,
    Role,
    Wish,
    WishStatus,
    error,
    warning,
)
from .values import (
    Reading,
    cell_text,
    is_blank,
    match_category,
    match_choice,
    normalise,
    parse_choice,
    parse_date,
    parse_email,
    parse_level,
    parse_time,
    parse_url,
    parse_whole_number,
    parse_year,
    parse_yes_no,
    show_value,
)

__all__ = ["DEFAULT_CATEGORIES", "FORENING_FIELDS", "comment_blocks", "interpret", "split_items"]

T = TypeVar("T")

# The 2021 plan's priority order (SPEC §2 Prioritering), used when the register sets none.
DEFAULT_CATEGORIES: tuple[Category, ...] = tuple(
    Category(number, name)
    for number, name in enumerate(
        (
            "Lagstiftning",
            "Myndighetsrapportering",
            "Utvecklingsinsatser som prioriteras högt av medlemmarna",
            "Enkla åtgärder (låg insats)",
            "Effektivare arbetssätt (processer)",
            "Avvaktar (utifrån resurser och externa faktorer)",
            "Lågt prioriterat (liten effekt utifrån insats)",
            "Ej aktuellt/prioriterat",
        ),
        start=1,
    )
)

FORENING_FIELDS = (
    "Föreningens namn",
    "Verksamhetsår",
    "Vision",
    "Syfte",
    "Verksamhet enligt stadgarna",
    "Leverantör",
    "Gräns för högt prioriterat",
    "Kallelse årsmöte tidigast",
    "Kallelse årsmöte senast",
    "Kallelse styrelsemöte senast",
)
# Fält → (Association attribute, largest sensible value).
_NUMBER_FIELDS = {
    "Gräns för högt prioriterat": ("high_priority_threshold", 10_000),
    "Kallelse årsmöte tidigast": ("agm_notice_earliest_weeks", 52),
    "Kallelse årsmöte senast": ("agm_notice_latest_weeks", 52),
    "Kallelse styrelsemöte senast": ("board_notice_days", 365),
}
_FORMULA = "formeln saknar beräknat värde: öppna och spara filen i Excel."

_MARKER = re.compile(r"\s*[-–•*]\s*")
_ITEM_PREFIX = re.compile(r"\s*(?:[-–•*]\s*|(?:§\s*)?\d{1,2}[.)]\s+)")


# ---------------------------------------------------------------------------------------------
# Enumerations: canonical labels plus the natural variants a board writes
# ---------------------------------------------------------------------------------------------

_ROLES = {r.value: r for r in Role}
_ROLE_ALIASES = {"ordf": Role.ORDFORANDE, "ordf.": Role.ORDFORANDE, "vice ordf": Role.VICE_ORDFORANDE,
                 "vice ordf.": Role.VICE_ORDFORANDE, "v. ordförande": Role.VICE_ORDFORANDE}
_MEETING_TYPES = {t.value: t for t in MeetingType}
_MEETING_ALIASES = {
    "konstituerande": MeetingType.KONSTITUERANDE,
    "konstituerande möte": MeetingType.KONSTITUERANDE,
    "årsstämma": MeetingType.ARSMOTE,
    "extra årsstämma": MeetingType.EXTRA_ARSMOTE,
    "extrainsatt årsmöte": MeetingType.EXTRA_ARSMOTE,
    "användarträffen": MeetingType.ANVANDARTRAFF,
}
_WISH_STATUSES = {s.value: s for s in WishStatus}
_WISH_ALIASES = {"skickat": WishStatus.SKICKAD, "accepterat": WishStatus.ACCEPTERAD,
                 "pågående": WishStatus.PAGAR, "levererat": WishStatus.LEVERERAD,
                 "avvisat": WishStatus.AVVISAD}
_SENT_TO = re.compile(r"skicka(?:d|t|de)\s+till\s+\S.*")
_ACTIVITY_STATUSES = {s.value: s for s in ActivityStatus}
_ACTIVITY_ALIASES = {"planerat": ActivityStatus.PLANERAD, "pågående": ActivityStatus.PAGAR,
                     "klart": ActivityStatus.KLAR, "genomförd": ActivityStatus.KLAR,
                     "genomfört": ActivityStatus.KLAR, "inställt": ActivityStatus.INSTALLD}


def _role(value: CellValue) -> Reading[Role]:
    return parse_choice(value, _ROLES, _ROLE_ALIASES)


def _meeting_type(value: CellValue) -> Reading[MeetingType]:
    return parse_choice(value, _MEETING_TYPES, _MEETING_ALIASES)


def _wish_status(value: CellValue) -> Reading[WishStatus]:
    # "Skickad till Prosona" (or to any named supplier) is Skickad.
    if isinstance(value, str) and _SENT_TO.fullmatch(normalise(value)):
        return Reading(WishStatus.SKICKAD)
    return parse_choice(value, _WISH_STATUSES, _WISH_ALIASES)


def _activity_status(value: CellValue) -> Reading[ActivityStatus]:
    return parse_choice(value, _ACTIVITY_STATUSES, _ACTIVITY_ALIASES)


# ---------------------------------------------------------------------------------------------
# Reading one row
# ---------------------------------------------------------------------------------------------


class _Row:
    """One raw row being read; every cell that cannot be read adds an error to `problems`."""

    __slots__ = ("problems", "raw")

    def __init__(self, raw: RawRow, problems: list[Problem]) -> None:
        self.raw = raw
        self.problems = problems

    def value(self, column: str) -> CellValue:
        cell = self.raw.cells.get(column)
        return None if cell is None or cell.uncomputed_formula else cell.value

    def text(self, column: str) -> str:
        return cell_text(self.value(column))

    def blank(self, columns: Iterable[str]) -> bool:
        return all(is_blank(self.value(c)) for c in columns)

    def error(self, column: str, message: str) -> None:
        cell = self.raw.cells.get(column)
        if cell is not None and not cell.uncomputed_formula:  # a formula is reported already
            self.problems.append(error(cell.ref, message))

    def required(self, column: str, hint: str, label: str | None = None) -> bool:
        """Whether the cell has a value; reports "<label> saknas: <hint>" when it has not."""
        if not is_blank(self.value(column)):
            return True
        self.error(column, f"{label or column} saknas: {hint}")
        return False

    def read(
        self,
        column: str,
        parse: Callable[[CellValue], Reading[T]],
        *,
        label: str | None = None,
        required: str = "",
    ) -> T | None:
        """The cell parsed, or None; reports the value that cannot be read (or a missing one)."""
        value = self.value(column)
        if required and not self.required(column, required, label):
            return None
        reading = parse(value)
        if reading.problem:
            self.error(column, f"{label or column} {show_value(value)} {reading.problem}")
        return reading.value

    def cells(self) -> dict[str, CellRef]:
        return {column: cell.ref for column, cell in self.raw.cells.items()}


def _rows(sheet: RawSheet | None, problems: list[Problem], columns: tuple[str, ...]) -> list[_Row]:
    """The sheet's rows that have a value in one of `columns` (others hold only ignored cells)."""
    rows = (_Row(raw, problems) for raw in (sheet.rows if sheet else ()))
    return [row for row in rows if not row.blank(columns) or _has_formula(row.raw)]


def _has_formula(raw: RawRow) -> bool:
    return any(cell.uncomputed_formula for cell in raw.cells.values())


def _formula_problems(raw: RawRegister) -> list[Problem]:
    return [
        error(cell.ref, f"{column}: {_FORMULA}")
        for sheet in raw.sheets.values()
        for row in sheet.rows
        for column, cell in row.cells.items()
        if cell.uncomputed_formula
    ]


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------


def split_items(text: str) -> tuple[str, ...]:
    """One item per non-empty line, with list markers (- – • *) and numbers (1. 2) §3) removed."""
    items = []
    for line in text.splitlines():
        prefix = _ITEM_PREFIX.match(line)
        item = (line[prefix.end() :] if prefix else line).strip()
        if item:
            items.append(item)
    return tuple(items)


def comment_blocks(text: str) -> tuple[CommentBlock, ...]:
    """A Kommentar's lines: lines starting with - – • * are list items (marker removed)."""
    blocks = []
    for line in text.splitlines():
        marker = _MARKER.match(line)
        item = line[marker.end() :] if marker else line
        if item.strip():
            blocks.append(CommentBlock(item.strip(), marker is not None))
    return tuple(blocks)


# ---------------------------------------------------------------------------------------------
# Förening and Prioritering
# ---------------------------------------------------------------------------------------------


def _field_rows(sheet: RawSheet, problems: list[Problem]) -> dict[str, _Row]:
    """Förening's rows by canonical Fält; the first of duplicates wins, the rest are warned."""
    found: dict[str, _Row] = {}
    for row in _rows(sheet, problems, ("Fält", "Värde")):
        field, suggestion = match_choice(row.text("Fält").rstrip(":"), FORENING_FIELDS)
        ref = row.raw.ref("Fält")
        if field is None:
            if suggestion is not None and ref is not None:
                problems.append(warning(ref, f'Fält {show_value(row.value("Fält"))} är okänt. '
                                             f'Menade du "{suggestion}"?'))
        elif field in found:
            if ref is not None:
                problems.append(warning(ref, f'Fältet "{field}" finns redan på rad '
                                             f"{found[field].raw.number}; den här raden används inte."))
        else:
            found[field] = row
    return found


def _association(sheet: RawSheet | None, problems: list[Problem]) -> Association:
    if sheet is None:
        return Association(name="", year=None)
    rows = _field_rows(sheet, problems)
    # A missing Verksamhetsår row is reported by validation (with the year checks).
    if "Föreningens namn" not in rows and not sheet.missing:
        problems.append(error(None, 'Raden "Föreningens namn" saknas i bladet Förening. Lägg till '
                              "en rad med Fält = Föreningens namn och namnet som Värde.",
                              sheet=sheet.name))
    name_row, year_row = rows.get("Föreningens namn"), rows.get("Verksamhetsår")
    if name_row:
        name_row.required("Värde", "skriv föreningens namn.", "Föreningens namn")
    year = year_row.read("Värde", parse_year, label="Verksamhetsår",
                         required="skriv året planen gäller, t.ex. 2021.") if year_row else None
    numbers: dict[str, int] = {}
    for field, (attribute, largest) in _NUMBER_FIELDS.items():
        row = rows.get(field)
        parse = partial(parse_whole_number, minimum=0, maximum=largest)
        number = row.read("Värde", parse, label=field) if row else None
        if number is not None:
            numbers[attribute] = number

    def text(field: str) -> str:
        row = rows.get(field)
        return row.text("Värde") if row else ""

    cells = {f: ref for f, row in rows.items() if (ref := row.raw.ref("Värde")) is not None}
    association = Association(
        name=text("Föreningens namn"), year=year, vision=text("Vision"), purpose=text("Syfte"),
        tasks=split_items(text("Verksamhet enligt stadgarna")),
        supplier=text("Leverantör") or "Prosona", cells=cells,
    )
    return replace(association, **numbers)


def _categories(sheet: RawSheet | None, problems: list[Problem]) -> tuple[tuple[Category, ...], bool]:
    """The Prioritering sheet's order (and True), or the 2021 default (and False)."""
    read: list[tuple[Category, _Row]] = []
    for row in _rows(sheet, problems, ("Nr", "Kategori", "Beskrivning")):
        number = row.read("Nr", partial(parse_whole_number, minimum=1, maximum=99),
                          required="skriv kategorins nummer (1, 2, 3 …).")
        if row.required("Kategori", "skriv kategorins namn.") and number is not None:
            read.append((Category(number, row.text("Kategori"), row.text("Beskrivning")), row))
    if not read:
        return DEFAULT_CATEGORIES, False
    first: dict[int, tuple[Category, _Row]] = {}
    for category, row in read:
        if category.number in first:
            row.error("Nr", f"Nr {category.number} finns redan på rad "
                            f"{first[category.number][1].raw.number}: numrera kategorierna 1, 2, 3 … "
                            "utan upprepningar.")
        else:
            first[category.number] = (category, row)
    for number, (_, row) in sorted(first.items()):
        if number > 1 and number - 1 not in first:
            row.error("Nr", f"Nr {number}: nummer {number - 1} saknas i prioriteringsordningen. "
                            "Numrera kategorierna 1, 2, 3 … utan luckor.")
    return tuple(first[n][0] for n in sorted(first)), True


# ---------------------------------------------------------------------------------------------
# Kontakter, Aktiviteter, Önskemål, Möten
# ---------------------------------------------------------------------------------------------

_CONTACT_COLUMNS = ("Namn", "Roll", "Kommun", "E-post")


def _contacts(sheet: RawSheet | None, problems: list[Problem]) -> tuple[Contact, ...]:
    contacts = []
    for row in _rows(sheet, problems, _CONTACT_COLUMNS):
        row.required("Namn", "skriv kontaktens namn.")
        role = row.read("Roll", _role, required="välj en roll, t.ex. Ordförande eller Ledamot.")
        contacts.append(Contact(
            name=row.text("Namn"), role=role, role_text=row.text("Roll"),
            municipality=row.text("Kommun"), email=row.read("E-post", parse_email) or "",
            row=row.raw.number, cells=row.cells(),
        ))
    return tuple(contacts)


_ACTIVITY_DETAILS = ("Ansvarig", "Klart", "Kommentar", "Status")


def _activities(
    sheet: RawSheet | None, year: int | None, problems: list[Problem]
) -> tuple[tuple[Activity, ...], tuple[ActivityGroup, ...]]:
    """Activities in sheet order, and their groups by the area-continuation rule (SPEC §2)."""
    groups: list[tuple[str, list[Activity]]] = []
    for row in _rows(sheet, problems, ("Verksamhetsområde", "Aktivitet/åtgärd", *_ACTIVITY_DETAILS)):
        area = row.text("Verksamhetsområde")
        if area and (not groups or groups[-1][0] != area):
            groups.append((area, []))  # a merged area cell repeats its name: same group
        if not row.text("Aktivitet/åtgärd"):
            if not row.blank(_ACTIVITY_DETAILS):
                row.error("Aktivitet/åtgärd", "Aktivitet/åtgärd saknas men raden har andra "
                                              "uppgifter: skriv aktiviteten eller töm raden.")
            continue
        if not groups:
            row.required("Verksamhetsområde", "skriv området (en tom cell fortsätter området "
                                              "ovanför, men här finns inget ovanför).")
            groups.append(("", []))
        groups[-1][1].append(_activity(row, groups[-1][0], year))
    activities = tuple(a for _, group in groups for a in group)
    return activities, tuple(ActivityGroup(area, tuple(group)) for area, group in groups)


def _activity(row: _Row, area: str, year: int | None) -> Activity:
    comment = row.text("Kommentar")
    return Activity(
        area=area, action=row.text("Aktivitet/åtgärd"), responsible=row.text("Ansvarig"),
        deadline=deadline_from_cell(row.value("Klart"), year), comment=comment,
        comment_blocks=comment_blocks(comment), status=row.read("Status", _activity_status),
        row=row.raw.number, cells=row.cells(),
    )


_WISH_COLUMNS = ("ID", "Rubrik", "Beskrivning", "Inlämnat av", "Inlämnat", "Kategori", "Lagkrav",
                 "Myndighetsrapportering", "Antal kommuner", "Insats", "Effekt", "Status",
                 "Leverantörens ärende", "Återkoppling", "Pilot")


def _wishes(
    sheet: RawSheet | None, categories: tuple[Category, ...], problems: list[Problem]
) -> tuple[Wish, ...]:
    wishes = []
    for row in _rows(sheet, problems, _WISH_COLUMNS):
        row.required("ID", "varje önskemål behöver ett unikt ID, t.ex. ÖNS-012.")
        row.required("Rubrik", "skriv en kort rubrik för önskemålet.")
        wishes.append(Wish(
            id=row.text("ID"), title=row.text("Rubrik"), description=row.text("Beskrivning"),
            submitted_by=row.text("Inlämnat av"), submitted=row.read("Inlämnat", parse_date),
            category=row.read("Kategori", partial(match_category, categories=categories)),
            legal=row.read("Lagkrav", parse_yes_no),
            authority_reporting=row.read("Myndighetsrapportering", parse_yes_no),
            municipalities=row.read("Antal kommuner", partial(parse_whole_number, minimum=0)),
            effort=row.read("Insats", parse_level), effect=row.read("Effekt", parse_level),
            status=row.read("Status", _wish_status) or WishStatus.NY, status_text=row.text("Status"),
            supplier_ref=row.text("Leverantörens ärende"), feedback=row.text("Återkoppling"),
            pilot=row.read("Pilot", parse_yes_no), row=row.raw.number, cells=row.cells(),
        ))
    return tuple(wishes)


_MEETING_COLUMNS = ("Datum", "Start", "Slut", "Mötestyp", "Plats", "Distanslänk", "Dagordning",
                    "Kallelsedatum", "Mottagare", "ID")


def _meetings(sheet: RawSheet | None, problems: list[Problem]) -> tuple[Meeting, ...]:
    meetings = []
    for row in _rows(sheet, problems, _MEETING_COLUMNS):
        meetings.append(Meeting(
            date=row.read("Datum", parse_date, required="skriv mötets datum, t.ex. 2021-03-15."),
            start=row.read("Start", parse_time, required="skriv mötets starttid, t.ex. 13.00."),
            type=row.read("Mötestyp", _meeting_type,
                          required="välj t.ex. Styrelsemöte, Årsmöte eller Användarträff."),
            type_text=row.text("Mötestyp"), end=row.read("Slut", parse_time),
            place=row.text("Plats"), link=_link(row), agenda=split_items(row.text("Dagordning")),
            notice_date=row.read("Kallelsedatum", parse_date), recipients=row.text("Mottagare"),
            id=row.text("ID"), row=row.raw.number, cells=row.cells(),
        ))
    return tuple(meetings)


def _link(row: _Row) -> str:
    # An unusable link is reported but kept as written, so the Plats-or-link rule still sees it.
    row.read("Distanslänk", parse_url)
    return row.text("Distanslänk")


# ---------------------------------------------------------------------------------------------
# The whole register
# ---------------------------------------------------------------------------------------------


def interpret(raw: RawRegister) -> tuple[Register, tuple[Problem, ...]]:
    """Turn the raw register into the typed Register, reporting every value that cannot be read.

    Args:
        raw: the reader's output; sheets are looked up by canonical name, and a missing sheet
            gives empty records (the validation stage reports it).

    Returns:
        The Register, and the problems found (Swedish messages without the "Sheet!Cell: "
        prefix), grouped by sheet; validation puts them in reading order. Never raises on
        any cell value.
    """
    problems = _formula_problems(raw)
    sheets: Mapping[str, RawSheet] = raw.sheets
    association = _association(sheets.get("Förening"), problems)
    categories, customised = _categories(sheets.get("Prioritering"), problems)
    activities, groups = _activities(sheets.get("Aktiviteter"), association.year, problems)
    register = Register(
        source_name=raw.source_name,
        association=association,
        categories=categories,
        contacts=_contacts(sheets.get("Kontakter"), problems),
        activities=activities,
        groups=groups,
        wishes=_wishes(sheets.get("Önskemål"), categories, problems),
        meetings=_meetings(sheets.get("Möten"), problems),
        categories_customised=customised,
    )
    return register, tuple(problems)
