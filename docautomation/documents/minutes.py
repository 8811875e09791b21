"""A protokoll draft's variables per meeting, and the § numbers running through the year.

Protokoll.docx
    association.name · protocol.title ("Protokoll fört vid styrelsemöte i …")
    meeting.type / .date ("tisdag 9 februari 2021") / .date_iso / .time / .place / .link
    attendance.tick (bool: a board list to tick) / .people: list of {name, role}
        / .text ("Enligt bilagd röstlängd" when there is no list)
    items: list of {number ("§ 12"), title, sentence ("" → an empty "Beslut:" line)}
    signatures.recorder (under "Vid protokollet") / .approvers (list, under "Justeras")
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import time
from typing import Any

from ..models import Meeting, MeetingType, Register, Role
from ..register.agenda import effective_agenda
from .board import BOARD_ROLES, holder, people
from .contexts import normalise
from .formatting import iso_date, long_date, time_range

BOARD_MEETINGS = (MeetingType.STYRELSEMOTE, MeetingType.KONSTITUERANDE)
GENERAL_MEETINGS = (MeetingType.ARSMOTE, MeetingType.EXTRA_ARSMOTE)

_OPENING = re.compile(r"\böppnande\b|\bmötet öppnas\b", re.IGNORECASE)
_CLOSING = re.compile(r"\bavslutande\b|\bavslutning\b|\bmötet avslutas\b", re.IGNORECASE)
_AGENDA = re.compile(r"\bdagordning(en)?\b", re.IGNORECASE)
_APPROVED = re.compile(r"godkän", re.IGNORECASE)
_ADOPTED = re.compile(r"faststäl", re.IGNORECASE)


def paragraph_starts(meetings: Sequence[Meeting], running: bool) -> list[int]:
    """The first § number of each meeting's protokoll, in the order `meetings` are given.

    Each protokoll starts at § 1; with running numbers (Löpande paragrafnumrering) the board's
    meetings (styrelsemöten and konstituerande möten) continue each other's numbers in date
    and time order, so one meeting's agenda moves the numbers of every later one.
    """
    starts = [1] * len(meetings)
    if not running:
        return starts
    board = [i for i, m in enumerate(meetings) if m.type in BOARD_MEETINGS and m.date]
    board.sort(key=lambda i: (meetings[i].date, meetings[i].start or time.min, i))
    number = 1
    for i in board:
        starts[i] = number
        number += len(effective_agenda(meetings[i]))
    return starts


def minutes_context(register: Register, meeting: Meeting, first: int) -> dict[str, Any]:
    """Variables of Protokoll.docx for one meeting whose § numbers start at `first`."""
    assert meeting.date is not None and meeting.type is not None
    label = "Möte" if meeting.type is MeetingType.ANNAT else meeting.type.value
    name = register.association.name
    general = meeting.type in GENERAL_MEETINGS
    chair = holder(register, Role.ORDFORANDE)
    items = [
        {"number": f"§ {first + n}", "title": item, "sentence": _sentence(item, general, chair)}
        for n, item in enumerate(effective_agenda(meeting))
    ]
    context: dict[str, Any] = normalise(
        {
            "association": {"name": name},
            "protocol": {"title": f"Protokoll fört vid {label.lower()} i {name}"},
            "meeting": {
                "type": label,
                "date": long_date(meeting.date),
                "date_iso": iso_date(meeting.date),
                "time": time_range(meeting.start, meeting.end) if meeting.start else "",
                "place": meeting.place.strip(),
                "link": meeting.link.strip(),
            },
            "attendance": _attendance(register, meeting.type),
            "items": items,
            "signatures": _signatures(register, general),
        }
    )
    return context


def _attendance(register: Register, kind: MeetingType) -> dict[str, Any]:
    if kind in BOARD_MEETINGS:
        board = [
            {"name": c.name.strip(), "role": c.role.value.lower() if c.role else ""}
            for c in people(register, BOARD_ROLES)
        ]
        return {"tick": True, "people": board, "text": ""}
    # A general meeting's voters are established by its röstlängd; others keep a list.
    text = "Enligt bilagd röstlängd" if kind in GENERAL_MEETINGS else "Enligt bilagd närvarolista"
    return {"tick": False, "people": [], "text": text}


def _sentence(item: str, general: bool, chair: str) -> str:
    """The customary sentence for an agenda item, or "" where the protokoll records a decision.

    A general meeting elects its own chair, so its sentences name nobody.
    """
    opener = (
        "Mötet förklarades {}." if general else f"{chair or 'Ordföranden'} förklarade mötet {{}}."
    )
    if _OPENING.search(item):
        return opener.format("öppnat")
    if _CLOSING.search(item):
        return opener.format("avslutat")
    if _AGENDA.search(item) and _ADOPTED.search(item):
        return "Dagordningen fastställdes."
    if _AGENDA.search(item) and _APPROVED.search(item):
        return "Dagordningen godkändes."
    return ""


def _signatures(register: Register, general: bool) -> dict[str, Any]:
    if general:
        return {
            "recorder": "Mötessekreterare",
            "approvers": ["Mötesordförande", "Justerare", "Justerare"],
        }
    secretary = holder(register, Role.SEKRETERARE)
    chair = holder(register, Role.ORDFORANDE)
    return {
        "recorder": f"{secretary}, sekreterare" if secretary else "Sekreterare",
        "approvers": [f"{chair}, ordförande" if chair else "Ordförande", "Justerare"],
    }
