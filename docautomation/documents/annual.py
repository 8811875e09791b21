"""The Verksamhetsberättelse's variables: the board, the meetings held, the plan followed up, wishes.

Verksamhetsberättelse.docx
    year · association.name · report.date / .date_iso (the day this version was written)
    board, auditors, nominating: lists of {name, role, municipality}
    meetings.summary ("Styrelsen har under året haft 5 protokollförda sammanträden.")
        / .counts (list: "5 styrelsemöten", "1 årsmöte" …) / .held: list of {date, type, place}
    activities.intro / .counts: list of {status, count}
        / .groups: list of {area, activities: list of {action, responsible, klart, status,
            follow_up: list of {text, item (bool: a list line)}}}
    wishes.figures: list of {label, count} / .delivered: list of {id, title, supplier_ref}
    signatures.place_line ("Sollentuna den ____") / .rows: list of [{line, name, role}, …] (pairs)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from ..models import Activity, ActivityStatus, Meeting, MeetingType, Register, WishStatus
from ..register.values import comment_blocks
from .board import AUDIT_ROLES, BOARD_ROLES, NOMINATING_ROLES, SIGNING_ROLES, people, person
from .contexts import activity_groups, normalise
from .formatting import counted, iso_date, text_date

BOARD_MEETINGS = (MeetingType.STYRELSEMOTE, MeetingType.KONSTITUERANDE)
SIGNATURE_LINE = "_" * 30
_BLANK = "_" * 12

# Each status in words, in the order the counts are shown (empty Status: not begun).
_STATUS_WORDS = {
    ActivityStatus.KLAR: "Genomförd",
    ActivityStatus.PAGAR: "Pågår",
    ActivityStatus.INSTALLD: "Inställd",
    ActivityStatus.PLANERAD: "Ej påbörjad",
}
# Singular and plural of each meeting type in running text.
_TYPE_NOUNS = {
    MeetingType.STYRELSEMOTE: ("styrelsemöte", "styrelsemöten"),
    MeetingType.KONSTITUERANDE: ("konstituerande styrelsemöte", "konstituerande styrelsemöten"),
    MeetingType.ARSMOTE: ("årsmöte", "årsmöten"),
    MeetingType.EXTRA_ARSMOTE: ("extra årsmöte", "extra årsmöten"),
    MeetingType.ANVANDARTRAFF: ("användarträff", "användarträffar"),
    MeetingType.WORKSHOP: ("workshop", "workshoppar"),
    MeetingType.ANNAT: ("annat möte", "andra möten"),
}


@dataclass(frozen=True, slots=True)
class AnnualVersion:
    """A version of the Verksamhetsberättelse: what it says apart from its date, and its date."""

    body: Mapping[str, Any]
    day: date

    @property
    def key(self) -> str:
        """A hash of the content apart from the date: equal keys, the same version."""
        blob = json.dumps(self.body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def dated(self, day: date) -> AnnualVersion:
        """The same content as the version written on `day`."""
        return AnnualVersion(self.body, day)

    def context(self) -> dict[str, Any]:
        """Variables of Verksamhetsberättelse.docx."""
        report = {"date": text_date(self.day), "date_iso": iso_date(self.day)}
        return {**self.body, "report": report}


def annual_version(register: Register, day: date) -> AnnualVersion:
    """The Verksamhetsberättelse as written on `day` (the meetings held by then)."""
    a = register.association
    body: dict[str, Any] = normalise(
        {
            "year": str(a.year or ""),
            "association": {"name": a.name},
            "board": [person(c) for c in people(register, BOARD_ROLES)],
            "auditors": [person(c) for c in people(register, AUDIT_ROLES)],
            "nominating": [person(c) for c in people(register, NOMINATING_ROLES)],
            "meetings": _meetings(held(register, day)),
            "activities": _activities(register),
            "wishes": _wishes(register),
            "signatures": _signatures(register),
        }
    )
    return AnnualVersion(body, day)


def annual_context(register: Register, day: date) -> dict[str, Any]:
    """Variables of Verksamhetsberättelse.docx for the version written on `day`."""
    return annual_version(register, day).context()


def held(register: Register, day: date) -> list[Meeting]:
    """The Verksamhetsår's meetings held up to and including `day`, in date and time order."""
    year = register.association.year
    meetings = [
        m
        for m in register.meetings
        if m.date is not None and m.type is not None and m.date.year == year and m.date <= day
    ]
    return sorted(meetings, key=lambda m: (m.date, m.start or time.min))


def unchanged_between(register: Register, day: date) -> tuple[date | None, date | None]:
    """The days around `day` on which the same meetings count as held: [first, until).

    The Verksamhetsberättelse depends on the build's date only through the meetings held by
    then, so a recorded build stands for any day from the latest meeting on or before `day`
    up to (not including) the next meeting after it; None means no bound on that side.
    """
    dates = sorted({m.date for m in register.meetings if m.date is not None})
    first = max((d for d in dates if d <= day), default=None)
    until = min((d for d in dates if d > day), default=None)
    return first, until


def _meetings(meetings: Sequence[Meeting]) -> dict[str, Any]:
    board = sum(m.type in BOARD_MEETINGS for m in meetings)
    sittings = counted(board, "protokollfört sammanträde", "protokollförda sammanträden")
    summary = (
        f"Styrelsen har under året haft {sittings}."
        if board
        else "Styrelsen har under året inte haft något protokollfört sammanträde."
    )
    counts = []
    for kind, (one, many) in _TYPE_NOUNS.items():
        number = sum(m.type is kind for m in meetings)
        if number:
            counts.append(counted(number, one, many))
    return {
        "summary": summary,
        "counts": counts,
        "held": [_held(m) for m in meetings],
    }


def _held(meeting: Meeting) -> dict[str, str]:
    assert meeting.date is not None and meeting.type is not None
    place = meeting.place.strip() or ("På distans" if meeting.link.strip() else "")
    label = "Möte" if meeting.type is MeetingType.ANNAT else meeting.type.value
    return {"date": iso_date(meeting.date), "type": label, "place": place}


def _activities(register: Register) -> dict[str, Any]:
    groups = [g for g in activity_groups(register) if g.activities]
    activities = [a for g in groups for a in g.activities]
    counts = dict.fromkeys(_STATUS_WORDS.values(), 0)
    for activity in activities:
        counts[_status(activity)] += 1
    year = register.association.year
    total = counted(len(activities), "aktivitet", "aktiviteter")
    return {
        "intro": f"Verksamhetsplanen för {year} innehöll {total}. Så här har de genomförts:",
        "counts": [{"status": word, "count": str(n)} for word, n in counts.items()],
        "groups": [
            {"area": g.area, "activities": [_activity(a) for a in g.activities]} for g in groups
        ],
    }


def _status(activity: Activity) -> str:
    return _STATUS_WORDS[activity.status or ActivityStatus.PLANERAD]


def _activity(activity: Activity) -> dict[str, Any]:
    blocks = activity.follow_up_blocks or comment_blocks(activity.follow_up)
    return {
        "action": activity.action,
        "responsible": activity.responsible,
        "klart": activity.deadline.text,
        "status": _status(activity),
        "follow_up": [{"text": b.text, "item": b.is_list_item} for b in blocks],
    }


def _wishes(register: Register) -> dict[str, Any]:
    year = register.association.year
    wishes = register.wishes
    submitted = sum(w.submitted is not None and w.submitted.year == year for w in wishes)
    delivered = [w for w in wishes if w.status is WishStatus.LEVERERAD]
    rejected = sum(w.status is WishStatus.AVVISAD for w in wishes)
    figures = (
        (f"Inlämnade under {year}", submitted),
        ("Levererade", len(delivered)),
        ("Avvisade", rejected),
        ("Öppna (varken levererade eller avvisade)", len(wishes) - len(delivered) - rejected),
    )
    return {
        "figures": [{"label": label, "count": str(n)} for label, n in figures],
        "delivered": [
            {"id": w.id, "title": w.title, "supplier_ref": w.supplier_ref} for w in delivered
        ],
    }


def _signatures(register: Register) -> dict[str, Any]:
    place = register.association.place.strip() or _BLANK
    signers = [
        {"line": SIGNATURE_LINE, "name": c.name.strip(), "role": c.role.value if c.role else ""}
        for c in people(register, SIGNING_ROLES)
    ]
    if len(signers) % 2:
        signers.append({"line": "", "name": "", "role": ""})
    return {
        "place_line": f"{place} den {_BLANK}",
        "rows": [signers[i : i + 2] for i in range(0, len(signers), 2)],
    }
