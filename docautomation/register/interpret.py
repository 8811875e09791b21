"""Interpretation: the raw register's cells → the typed Register, with a problem per unreadable value.

Pure and total: any cell value gives a Register plus problems, never an exception. Rules that
compare rows or fields (duplicate IDs, Slut after Start, kallelse windows, unknown Ansvarig …)
and missing sheets or columns are the validation stage's; here each cell is read on its own.
Förening and Prioritering are read by register.association; register.rows turns cells into problems.
"""

from __future__ import annotations

import re
from functools import partial

from ..models import (
    Activity,
    ActivityGroup,
    ActivityStatus,
    Category,
    CellValue,
    Contact,
    Meeting,
    MeetingType,
    Problem,
    RawRegister,
    RawSheet,
    Register,
    Role,
    Wish,
    WishStatus,
)
from .association import DEFAULT_CATEGORIES, FORENING_FIELDS, read_association, read_categories
from .dates import parse_date, parse_time
from .klart import deadline_from_cell
from .rows import RowReader, formula_problems, read_rows
from .values import (
    Reading,
    comment_blocks,
    match_category,
    normalise,
    parse_choice,
    parse_email,
    parse_level,
    parse_url,
    parse_whole_number,
    parse_yes_no,
    split_items,
)
from .workbook import COLUMNS

__all__ = ["DEFAULT_CATEGORIES", "FORENING_FIELDS", "interpret"]


# ---------------------------------------------------------------------------------------------
# Enumerations: canonical labels plus the natural variants a board writes
# ---------------------------------------------------------------------------------------------

_ROLES = {r.value: r for r in Role}
_ROLE_ALIASES = {
    "ordf": Role.ORDFORANDE,
    "ordf.": Role.ORDFORANDE,
    "vice ordf": Role.VICE_ORDFORANDE,
    "vice ordf.": Role.VICE_ORDFORANDE,
    "v. ordförande": Role.VICE_ORDFORANDE,
}
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
_WISH_ALIASES = {
    "skickat": WishStatus.SKICKAD,
    "accepterat": WishStatus.ACCEPTERAD,
    "pågående": WishStatus.PAGAR,
    "levererat": WishStatus.LEVERERAD,
    "avvisat": WishStatus.AVVISAD,
}
_SENT_TO = re.compile(r"skicka(?:d|t|de)\s+till\s+\S.*")
_ACTIVITY_STATUSES = {s.value: s for s in ActivityStatus}
_ACTIVITY_ALIASES = {
    "planerat": ActivityStatus.PLANERAD,
    "ej påbörjad": ActivityStatus.PLANERAD,  # the Verksamhetsberättelse's word for it
    "ej påbörjat": ActivityStatus.PLANERAD,
    "pågående": ActivityStatus.PAGAR,
    "klart": ActivityStatus.KLAR,
    "genomförd": ActivityStatus.KLAR,
    "genomfört": ActivityStatus.KLAR,
    "inställt": ActivityStatus.INSTALLD,
}


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
# Kontakter, Aktiviteter, Önskemål, Möten
# ---------------------------------------------------------------------------------------------


def _contacts(sheet: RawSheet | None, problems: list[Problem]) -> tuple[Contact, ...]:
    contacts = []
    for row in read_rows(sheet, problems, COLUMNS["Kontakter"]):
        row.required("Namn", "skriv kontaktens namn.")
        role = row.read("Roll", _role, required="välj en roll, t.ex. Ordförande eller Ledamot.")
        contacts.append(
            Contact(
                name=row.text("Namn"),
                role=role,
                role_text=row.text("Roll"),
                municipality=row.text("Kommun"),
                email=row.read("E-post", parse_email) or "",
                row=row.raw.number,
                cells=row.cells(),
            )
        )
    return tuple(contacts)


_ACTIVITY_DETAILS = ("Ansvarig", "Klart", "Kommentar", "Status", "Uppföljning")


def _activities(
    sheet: RawSheet | None, year: int | None, problems: list[Problem]
) -> tuple[tuple[Activity, ...], tuple[ActivityGroup, ...]]:
    """Activities in sheet order, and their groups by the area-continuation rule."""
    groups: list[tuple[str, list[Activity]]] = []
    for row in read_rows(
        sheet, problems, ("Verksamhetsområde", "Aktivitet/åtgärd", *_ACTIVITY_DETAILS)
    ):
        area = row.text("Verksamhetsområde")
        if area and (not groups or groups[-1][0] != area):
            groups.append((area, []))  # a merged area cell repeats its name: same group
        if not row.text("Aktivitet/åtgärd"):
            if not row.blank(_ACTIVITY_DETAILS):
                row.error(
                    "Aktivitet/åtgärd",
                    "Aktivitet/åtgärd saknas men raden har andra "
                    "uppgifter: skriv aktiviteten eller töm raden.",
                )
            continue
        if not groups:
            row.required(
                "Verksamhetsområde",
                "skriv området (en tom cell fortsätter området "
                "ovanför, men här finns inget ovanför).",
            )
            groups.append(("", []))
        groups[-1][1].append(_activity(row, groups[-1][0], year))
    activities = tuple(a for _, group in groups for a in group)
    return activities, tuple(ActivityGroup(area, tuple(group)) for area, group in groups)


def _activity(row: RowReader, area: str, year: int | None) -> Activity:
    comment, follow_up = row.text("Kommentar"), row.text("Uppföljning")
    return Activity(
        area=area,
        action=row.text("Aktivitet/åtgärd"),
        responsible=row.text("Ansvarig"),
        deadline=deadline_from_cell(row.value("Klart"), year),
        comment=comment,
        comment_blocks=comment_blocks(comment),
        status=row.read("Status", _activity_status),
        follow_up=follow_up,
        follow_up_blocks=comment_blocks(follow_up),
        row=row.raw.number,
        cells=row.cells(),
    )


def _wishes(
    sheet: RawSheet | None, categories: tuple[Category, ...], problems: list[Problem]
) -> tuple[Wish, ...]:
    wishes = []
    for row in read_rows(sheet, problems, COLUMNS["Önskemål"]):
        row.required("ID", "varje önskemål behöver ett unikt ID, t.ex. ÖNS-012.")
        row.required("Rubrik", "skriv en kort rubrik för önskemålet.")
        wishes.append(
            Wish(
                id=row.text("ID"),
                title=row.text("Rubrik"),
                description=row.text("Beskrivning"),
                submitted_by=row.text("Inlämnat av"),
                submitted=row.read("Inlämnat", parse_date),
                category=row.read("Kategori", partial(match_category, categories=categories)),
                legal=row.read("Lagkrav", parse_yes_no),
                authority_reporting=row.read("Myndighetsrapportering", parse_yes_no),
                municipalities=row.read("Antal kommuner", partial(parse_whole_number, minimum=0)),
                effort=row.read("Insats", parse_level),
                effect=row.read("Effekt", parse_level),
                status=row.read("Status", _wish_status) or WishStatus.NY,
                status_text=row.text("Status"),
                supplier_ref=row.text("Leverantörens ärende"),
                feedback=row.text("Återkoppling"),
                pilot=row.read("Pilot", parse_yes_no),
                row=row.raw.number,
                cells=row.cells(),
            )
        )
    return tuple(wishes)


def _meetings(sheet: RawSheet | None, problems: list[Problem]) -> tuple[Meeting, ...]:
    meetings = []
    for row in read_rows(sheet, problems, COLUMNS["Möten"]):
        meetings.append(
            Meeting(
                date=row.read(
                    "Datum", parse_date, required="skriv mötets datum, t.ex. 2021-03-15."
                ),
                start=row.read("Start", parse_time, required="skriv mötets starttid, t.ex. 13.00."),
                type=row.read(
                    "Mötestyp",
                    _meeting_type,
                    required="välj t.ex. Styrelsemöte, Årsmöte eller Användarträff.",
                ),
                type_text=row.text("Mötestyp"),
                end=row.read("Slut", parse_time),
                place=row.text("Plats"),
                link=_link(row),
                agenda=split_items(row.text("Dagordning")),
                notice_date=row.read("Kallelsedatum", parse_date),
                recipients=row.text("Mottagare"),
                id=row.text("ID"),
                row=row.raw.number,
                cells=row.cells(),
            )
        )
    return tuple(meetings)


def _link(row: RowReader) -> str:
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
    problems = formula_problems(raw)
    sheets = raw.sheets
    association = read_association(sheets.get("Förening"), problems)
    categories, customised = read_categories(sheets.get("Prioritering"), problems)
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
