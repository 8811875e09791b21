"""Turns the register and ranking into the plain, normalised variables each Word template sees.

Every value is a string (already formatted in Swedish), a bool, or a list/dict of those, so
templates cannot reach Python objects and a document's key can hash exactly what it shows.
Each document gets only the data it uses: a kallelse does not change when the vision does.

Which variables each template gets is what these functions return; `docautomation templates
fields` lists them with the example's values and the Swedish descriptions in fields.py (a test
keeps the two in step); the Verksamhetsberättelse's and protokoll's come from annual.py
and minutes.py. Every template's header may use association.name.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..models import (
    Activity,
    ActivityGroup,
    Category,
    CommentBlock,
    Meeting,
    MeetingType,
    RankedWish,
    Ranking,
    Register,
    ReportChanges,
    Role,
    Wish,
    WishStatus,
)
from ..register.agenda import effective_agenda, effective_recipients, notice_date
from ..text import printable
from .charts import StatusChart
from .formatting import iso_date, long_date, text_date, time_range

# The template files in the templates folder; their names are part of the contract with the
# secretary (and of `docautomation init`), so they never change.
PLAN_TEMPLATE = "Verksamhetsplan.docx"
NOTICE_TEMPLATE = "Kallelse.docx"
REPORT_TEMPLATE = "Önskemål till leverantör.docx"
ANNUAL_TEMPLATE = "Verksamhetsberättelse.docx"
MINUTES_TEMPLATE = "Protokoll.docx"
TEMPLATE_NAMES = (
    PLAN_TEMPLATE,
    NOTICE_TEMPLATE,
    REPORT_TEMPLATE,
    ANNUAL_TEMPLATE,
    MINUTES_TEMPLATE,
)

_LIST_MARKER = re.compile(r"^\s*[-–•*]\s*")
_PROGRAM_TYPES = (MeetingType.ANVANDARTRAFF, MeetingType.WORKSHOP, MeetingType.ANNAT)


def normalise(value: Any) -> Any:
    """Make context data safe for Word: every string through the one rule (text.printable).

    Strings are cleaned; dicts, lists and tuples are cleaned recursively (tuples become lists);
    None becomes ""; bools and numbers are kept.
    """
    if isinstance(value, str):
        return printable(value)
    # Cheap checks before the Mapping one (an abstract class, slow to ask): a report's
    # variables hold some 150,000 values.
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if type(value) is dict or isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------------
# Verksamhetsplan
# ---------------------------------------------------------------------------------------------


def plan_context(register: Register) -> dict[str, Any]:
    """Variables of Verksamhetsplan.docx."""
    a = register.association
    context: dict[str, Any] = normalise(
        {
            "year": str(a.year or ""),
            "association": {
                "name": a.name,
                "vision": a.vision,
                "purpose": a.purpose,
                "tasks": [t for t in (_LIST_MARKER.sub("", line).strip() for line in a.tasks) if t],
            },
            "categories": [_category(c) for c in register.categories],
            "groups": [_group(g) for g in activity_groups(register) if g.activities],
        }
    )
    return context


def _category(category: Category) -> dict[str, str]:
    label = f"{category.name} – {category.description}" if category.description else category.name
    return {
        "number": str(category.number),
        "name": category.name,
        "description": category.description,
        "label": label,
    }


def activity_groups(register: Register) -> tuple[ActivityGroup, ...]:
    """The activities by area as in the plan (from the activities alone when no groups are given)."""
    if register.groups or not register.activities:
        return register.groups
    groups: list[ActivityGroup] = []  # no groups given: consecutive activities of one area
    for activity in register.activities:
        if groups and groups[-1].area == activity.area:
            groups[-1] = ActivityGroup(activity.area, (*groups[-1].activities, activity))
        else:
            groups.append(ActivityGroup(activity.area, (activity,)))
    return tuple(groups)


def _group(group: ActivityGroup) -> dict[str, Any]:
    return {"area": group.area, "activities": [_activity(a) for a in group.activities]}


def _activity(activity: Activity) -> dict[str, Any]:
    return {
        "action": activity.action,
        "responsible": activity.responsible,
        "klart": activity.deadline.text,  # the board's own words, as written
        "status": activity.status.value if activity.status else "",
        "comment": [{"text": b.text, "item": b.is_list_item} for b in _comment_blocks(activity)],
    }


def _comment_blocks(activity: Activity) -> tuple[CommentBlock, ...]:
    if activity.comment_blocks or not activity.comment.strip():
        return activity.comment_blocks
    return tuple(
        CommentBlock(_LIST_MARKER.sub("", line).strip(), bool(_LIST_MARKER.match(line)))
        for line in activity.comment.splitlines()
        if line.strip()
    )


# ---------------------------------------------------------------------------------------------
# Kallelse
# ---------------------------------------------------------------------------------------------


def notice_context(register: Register, meeting: Meeting) -> dict[str, Any]:
    """Variables of Kallelse.docx for one meeting (its date and type must be known)."""
    assert meeting.date is not None and meeting.type is not None
    agenda = effective_agenda(meeting)
    sent = sending_date(register, meeting)
    context: dict[str, Any] = normalise(
        {
            "association": {"name": register.association.name},
            "meeting": {
                "type": _type_label(meeting.type),
                "title": f"Kallelse till {_type_label(meeting.type).lower()}",
                "date": long_date(meeting.date),
                "date_iso": iso_date(meeting.date),
                "time": time_range(meeting.start, meeting.end) if meeting.start else "",
                "place": meeting.place.strip(),
                "link": meeting.link.strip(),
                "recipients": effective_recipients(meeting),
                "notice_date": long_date(sent) if sent else "",
                "agenda": list(agenda),
                "agenda_heading": "Program" if meeting.type in _PROGRAM_TYPES else "Dagordning",
                "no_agenda": "Programmet meddelas senare.",
                "id": meeting.id,
            },
            "caller": _caller(register),
        }
    )
    return context


def _type_label(meeting_type: MeetingType) -> str:
    return "Möte" if meeting_type is MeetingType.ANNAT else meeting_type.value


def sending_date(register: Register, meeting: Meeting) -> date | None:
    """When the meeting's kallelse is sent (a konstituerande möte: with its årsmöte's)."""
    sent = notice_date(meeting, register.association)
    if sent is None and meeting.type is MeetingType.KONSTITUERANDE:
        # Called together with the årsmöte held the same day, when there is one.
        agm = next(
            (
                m
                for m in register.meetings
                if m.date == meeting.date
                and m.type in (MeetingType.ARSMOTE, MeetingType.EXTRA_ARSMOTE)
            ),
            None,
        )
        sent = notice_date(agm, register.association) if agm else None
        if sent is None and meeting.date is not None:
            # Held on a day of its own: called like any board meeting (the kallelse needs a date).
            sent = meeting.date - timedelta(days=register.association.board_notice_days)
    return sent


def _caller(register: Register) -> dict[str, str]:
    chair = next(
        (c for c in register.contacts if c.role is Role.ORDFORANDE and c.name.strip()), None
    )
    if chair is None:
        return {"name": "Styrelsen", "title": register.association.name}
    return {"name": chair.name.strip(), "title": f"Ordförande, {register.association.name}"}


# ---------------------------------------------------------------------------------------------
# Report to the supplier
# ---------------------------------------------------------------------------------------------


def report_context(
    register: Register,
    ranking: Ranking,
    report_date: date,
    changes: ReportChanges | None,
    chart: StatusChart | None = None,
) -> dict[str, Any]:
    """Variables of "Önskemål till leverantör.docx"; `chart` is the one report_chart gives."""
    a = register.association
    day_text = functools.cache(text_date)  # thousands of wishes share a few hundred dates
    pilots = [f"{r.wish.id} {r.wish.title}" for r in ranking.ranked if r.wish.pilot]
    context: dict[str, Any] = normalise(
        {
            "association": {"name": a.name},
            "supplier": a.supplier,
            "report": {
                "date": text_date(report_date),
                "date_iso": iso_date(report_date),
                "pilot": ", ".join(pilots),
                "ranked_count": str(len(ranking.ranked)),
                "delivered_count": str(len(ranking.delivered)),
                "rejected_count": str(len(ranking.rejected)),
            },
            "summary": _summary(register.categories, ranking.ranked),
            "changes": _changes(changes),
            "ranked": [_ranked(r, day_text) for r in ranking.ranked],
            "delivered": [_closed(w) for w in ranking.delivered],
            "rejected": [_closed(w) for w in ranking.rejected],
        }
    )
    # Word XML, not text: the template's tag becomes the chart's drawing (charts.py).
    context["summary_chart"] = chart.drawing() if chart else ""
    return context


def _summary(categories: Sequence[Category], ranked: Sequence[RankedWish]) -> list[dict[str, str]]:
    return [
        {"category": label, "count": str(counts.total())}
        for label, counts in summary_counts(categories, ranked)
    ]


def summary_counts(
    categories: Sequence[Category], ranked: Sequence[RankedWish]
) -> list[tuple[str, Counter[WishStatus]]]:
    """The report's summary rows: each category's label and its active wishes per status.

    Every category of the register in its order (also those without wishes), then categories
    the register does not list, then the wishes not assessed. The table and the chart both
    show these rows, so they cannot disagree.
    """
    by_category: dict[int | None, Counter[WishStatus]] = {}
    for r in ranked:
        by_category.setdefault(r.category, Counter())[r.wish.status] += 1
    rows = [(f"{c.number} {c.name}", by_category.pop(c.number, Counter())) for c in categories]
    unassessed = by_category.pop(None, Counter())
    rows += [(f"{n} (okänd kategori)", k) for n, k in sorted(by_category.items()) if n is not None]
    if unassessed:
        rows.append(("Ej bedömd", unassessed))
    return [(normalise(label), counts) for label, counts in rows]


def report_chart(register: Register, ranking: Ranking) -> StatusChart | None:
    """The report's chart of its summary rows; None when there are no active wishes."""
    return StatusChart.of(summary_counts(register.categories, ranking.ranked))


def _changes(changes: ReportChanges | None) -> dict[str, Any]:
    if changes is None:
        return {
            "previous": False,
            "intro": "",
            "new": [],
            "status": [],
            "category": [],
            "removed": [],
        }
    when = f" ({text_date(changes.previous_date)})" if changes.previous_date else ""
    return {
        "previous": True,
        "intro": f"Jämfört med förra rapporten{when}.",
        "new": list(changes.new_wishes),
        "status": [
            f"{label}: {old.value} → {new.value}" for label, old, new in changes.status_changed
        ],
        "category": [
            f"{label}: {_category_change(old, new)}" for label, old, new in changes.category_changed
        ],
        "removed": list(changes.removed),
    }


def _category_change(before: int | None, after: int | None) -> str:
    """ "kategori 3 → 5", or with "ej bedömd" for a wish without a category."""
    if before is not None and after is not None:
        return f"kategori {before} → {after}"
    return f"{_category_text(before)} → {_category_text(after)}"


def _category_text(number: int | None) -> str:
    return "ej bedömd" if number is None else f"kategori {number}"


def _ranked(ranked: RankedWish, day_text: Callable[[date], str]) -> dict[str, Any]:
    wish = ranked.wish
    return {
        "rank": str(ranked.rank),
        "id": wish.id,
        "title": wish.title,
        "category": f"{ranked.category} {ranked.category_name}" if ranked.category else "Ej bedömd",
        "municipalities": "" if wish.municipalities is None else str(wish.municipalities),
        "effort": wish.effort.label if wish.effort else "",
        "effect": wish.effect.label if wish.effect else "",
        "status": wish.status.value,
        "supplier_ref": wish.supplier_ref,
        "pilot": bool(wish.pilot),
        "description": wish.description or "–",
        "submitted": _submitted(wish, day_text),
        "reason": ranked.reason,
        "feedback": wish.feedback or "–",
    }


def _submitted(wish: Wish, day_text: Callable[[date], str]) -> str:
    parts = [wish.submitted_by.strip(), day_text(wish.submitted) if wish.submitted else ""]
    return ", ".join(p for p in parts if p) or "–"


def _closed(wish: Wish) -> dict[str, str]:
    return {
        "id": wish.id,
        "title": wish.title,
        "status": wish.status.value,
        "supplier_ref": wish.supplier_ref,
        "feedback": wish.feedback,
    }
