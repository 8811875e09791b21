"""Tests for meeting conventions: standard dagordning, recipients and kallelse timing."""

from __future__ import annotations

from datetime import date, time

import pytest

from docautomation.models import Association, Meeting, MeetingType
from docautomation.register.agenda import (
    default_recipients,
    effective_agenda,
    effective_recipients,
    notice_date,
    notice_deadline,
    notice_window,
    standard_agenda,
)

T = MeetingType
CASTOR = Association(name="Användarföreningen Castor", year=2021)


def meeting(
    kind: MeetingType | None, day: date | None = date(2021, 3, 25), **kw: object
) -> Meeting:
    return Meeting(date=day, start=time(10), type=kind, **kw)  # type: ignore[arg-type]


def test_board_meeting_agenda_is_the_spec_list() -> None:
    """The styrelsemöte agenda is the association's list, verbatim and in order."""
    assert standard_agenda(T.STYRELSEMOTE) == (
        "Mötets öppnande",
        "Val av justerare",
        "Godkännande av dagordning",
        "Föregående protokoll",
        "Ekonomisk rapport",
        "Rapporter",
        "Ärenden",
        "Övriga frågor",
        "Nästa möte",
        "Mötets avslutande",
    )


def test_annual_meeting_has_every_statutory_item_in_order() -> None:
    """The årsmöte agenda has the statutory items, as Swedish agenda lines, in their order."""
    agenda = standard_agenda(T.ARSMOTE)
    expected_in_order = [
        "Mötets öppnande",
        "röstlängd",
        "behörig ordning",
        "ordförande för mötet",
        "sekreterare för mötet",
        "justerare",
        "verksamhetsberättelse",
        "Ekonomisk berättelse",
        "Revisorernas berättelse",
        "ansvarsfrihet",
        "motioner",
        "verksamhetsplan och budget",
        "styrelseledamöter",
        "revisorer",
        "valberedning",
        "Övriga frågor",
        "Mötets avslutande",
    ]
    positions = [
        next(i for i, item in enumerate(agenda) if word in item) for word in expected_in_order
    ]
    assert positions == sorted(positions)
    assert agenda[0] == "Mötets öppnande" and agenda[-1] == "Mötets avslutande"


def test_extra_annual_meeting_wraps_the_called_business() -> None:
    """An extra årsmöte has the årsmöte's opening items, the called business, then closing."""
    agenda = standard_agenda(T.EXTRA_ARSMOTE)
    annual = standard_agenda(T.ARSMOTE)
    opening = annual[: annual.index("Val av två justerare, tillika rösträknare") + 1]
    assert agenda == (*opening, "Ärenden enligt kallelsen", "Mötets avslutande")
    assert "Övriga frågor" not in agenda


def test_constituting_meeting_agenda() -> None:
    """The konstituerande styrelsemöte elects officers, signatories and plans the meetings."""
    assert standard_agenda(T.KONSTITUERANDE) == (
        "Mötets öppnande",
        "Val av vice ordförande, kassör och sekreterare",
        "Beslut om firmatecknare",
        "Mötesplan för verksamhetsåret",
        "Mötets avslutande",
    )


@pytest.mark.parametrize("kind", [T.ANVANDARTRAFF, T.WORKSHOP, T.ANNAT, None])
def test_types_without_standard_agenda(kind: MeetingType | None) -> None:
    """Användarträff, Workshop, Annat (and an unknown type) have no standard agenda."""
    assert standard_agenda(kind) == ()


def test_effective_agenda_prefers_the_written_one() -> None:
    """A written Dagordning wins; an empty one falls back to the type's standard."""
    assert effective_agenda(meeting(T.STYRELSEMOTE, agenda=("Budget",))) == ("Budget",)
    assert effective_agenda(meeting(T.STYRELSEMOTE)) == standard_agenda(T.STYRELSEMOTE)
    assert effective_agenda(meeting(T.WORKSHOP)) == ()


@pytest.mark.parametrize(
    ("kind", "recipients"),
    [
        (T.STYRELSEMOTE, "Styrelsen"),
        (T.KONSTITUERANDE, "Styrelsen"),
        (T.ARSMOTE, "Medlemmarna"),
        (T.EXTRA_ARSMOTE, "Medlemmarna"),
        (T.ANVANDARTRAFF, "Medlemmarna"),
        (T.WORKSHOP, "Medlemmarna"),
        (T.ANNAT, "Medlemmarna"),
    ],
)
def test_default_recipients(kind: MeetingType, recipients: str) -> None:
    """Board meetings go to Styrelsen, everything else to Medlemmarna."""
    assert default_recipients(kind) == recipients
    assert effective_recipients(meeting(kind)) == recipients
    assert effective_recipients(meeting(kind, recipients="Revisorerna")) == "Revisorerna"


def test_notice_deadline_per_type() -> None:
    """Årsmöten: date − latest weeks; others: date − board days; konstituerande: no rule."""
    assert notice_deadline(meeting(T.ARSMOTE), CASTOR) == date(2021, 3, 11)
    assert notice_deadline(meeting(T.EXTRA_ARSMOTE), CASTOR) == date(2021, 3, 11)
    assert notice_deadline(meeting(T.STYRELSEMOTE), CASTOR) == date(2021, 3, 18)
    assert notice_deadline(meeting(T.ANVANDARTRAFF), CASTOR) == date(2021, 3, 18)
    assert notice_deadline(meeting(T.KONSTITUERANDE), CASTOR) is None
    assert notice_deadline(meeting(None), CASTOR) is None
    assert notice_deadline(meeting(T.STYRELSEMOTE, day=None), CASTOR) is None


def test_notice_rules_follow_the_association() -> None:
    """The Förening's own weeks and days are used."""
    strict = Association(
        name="X",
        year=2021,
        agm_notice_earliest_weeks=4,
        agm_notice_latest_weeks=3,
        board_notice_days=14,
    )
    assert notice_deadline(meeting(T.ARSMOTE), strict) == date(2021, 3, 4)
    assert notice_deadline(meeting(T.STYRELSEMOTE), strict) == date(2021, 3, 11)
    assert notice_window(meeting(T.ARSMOTE), strict) == (date(2021, 2, 25), date(2021, 3, 4))


def test_notice_window_only_for_annual_meetings() -> None:
    """The statutory window (6 to 2 weeks before by default) exists for årsmöten only."""
    assert notice_window(meeting(T.ARSMOTE, day=date(2022, 3, 24)), CASTOR) == (
        date(2022, 2, 10),
        date(2022, 3, 10),
    )
    assert notice_window(meeting(T.EXTRA_ARSMOTE), CASTOR) == (date(2021, 2, 11), date(2021, 3, 11))
    assert notice_window(meeting(T.STYRELSEMOTE), CASTOR) is None
    assert notice_window(meeting(T.KONSTITUERANDE), CASTOR) is None
    assert notice_window(meeting(T.ARSMOTE, day=None), CASTOR) is None


def test_notice_date_is_the_written_one_or_the_latest_day() -> None:
    """An empty Kallelsedatum means the latest allowed day."""
    assert notice_date(meeting(T.STYRELSEMOTE, notice_date=date(2021, 3, 1)), CASTOR) == date(
        2021, 3, 1
    )
    assert notice_date(meeting(T.STYRELSEMOTE), CASTOR) == date(2021, 3, 18)
    assert notice_date(meeting(T.KONSTITUERANDE), CASTOR) is None
