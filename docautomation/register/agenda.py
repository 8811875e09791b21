"""Meeting conventions: standard dagordning, default recipients and kallelse timing per Mötestyp."""

from __future__ import annotations

from datetime import date, timedelta

from ..models import Association, Meeting, MeetingType

__all__ = [
    "default_recipients",
    "effective_agenda",
    "effective_recipients",
    "notice_date",
    "notice_deadline",
    "notice_window",
    "standard_agenda",
]

# The standard agendas per meeting type, word for word as the association's rules give them.
_BOARD = (
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

# The opening of every general meeting (the customary first seven items): the meeting must establish
# who may vote, that it was properly called, and who chairs and checks the minutes.
_AGM_OPENING = (
    "Mötets öppnande",
    "Fastställande av röstlängd",
    "Fråga om mötet har utlysts i behörig ordning",
    "Fastställande av dagordning",
    "Val av ordförande för mötet",
    "Val av sekreterare för mötet",
    "Val av två justerare, tillika rösträknare",
)
_AGM_CLOSING = ("Mötets avslutande",)

_AGM = (
    *_AGM_OPENING,
    "Styrelsens verksamhetsberättelse för det gångna året",
    "Ekonomisk berättelse (resultat- och balansräkning)",
    "Revisorernas berättelse",
    "Fråga om ansvarsfrihet för styrelsen",
    "Styrelsens propositioner och inkomna motioner",
    "Fastställande av verksamhetsplan och budget för det kommande året",
    "Val av ordförande och övriga styrelseledamöter",
    "Val av revisorer och revisorssuppleant",
    "Val av valberedning",
    "Övriga frågor",
    *_AGM_CLOSING,
)

# An extra meeting may only decide what the kallelse names, so it has no "Övriga frågor".
_EXTRA_AGM = (*_AGM_OPENING, "Ärenden enligt kallelsen", *_AGM_CLOSING)

_CONSTITUTING = (
    "Mötets öppnande",
    "Val av vice ordförande, kassör och sekreterare",
    "Beslut om firmatecknare",
    "Mötesplan för verksamhetsåret",
    "Mötets avslutande",
)

_STANDARD: dict[MeetingType, tuple[str, ...]] = {
    MeetingType.STYRELSEMOTE: _BOARD,
    MeetingType.KONSTITUERANDE: _CONSTITUTING,
    MeetingType.ARSMOTE: _AGM,
    MeetingType.EXTRA_ARSMOTE: _EXTRA_AGM,
}
_AGM_TYPES = (MeetingType.ARSMOTE, MeetingType.EXTRA_ARSMOTE)
_BOARD_TYPES = (MeetingType.STYRELSEMOTE, MeetingType.KONSTITUERANDE)


def standard_agenda(meeting_type: MeetingType | None) -> tuple[str, ...]:
    """The standard dagordning for a Mötestyp; () for Användarträff, Workshop, Annat and None."""
    return _STANDARD.get(meeting_type, ()) if meeting_type is not None else ()


def effective_agenda(meeting: Meeting) -> tuple[str, ...]:
    """The meeting's own Dagordning when written, otherwise the standard one for its type."""
    return meeting.agenda or standard_agenda(meeting.type)


def default_recipients(meeting_type: MeetingType | None) -> str:
    """Mottagare when the cell is empty: "Styrelsen" for board meetings, else "Medlemmarna"."""
    return "Styrelsen" if meeting_type in _BOARD_TYPES else "Medlemmarna"


def effective_recipients(meeting: Meeting) -> str:
    """The meeting's Mottagare as written, or the default for its type."""
    return meeting.recipients or default_recipients(meeting.type)


def notice_deadline(meeting: Meeting, association: Association) -> date | None:
    """The latest day the kallelse may be sent, or None (no date, no type, or konstituerande).

    Årsmöte and extra årsmöte: the date minus "Kallelse årsmöte senast" weeks; other types:
    minus "Kallelse styrelsemöte senast" days. A konstituerande styrelsemöte is called with the
    årsmöte, so no rule applies to it.
    """
    if meeting.date is None or meeting.type in (None, MeetingType.KONSTITUERANDE):
        return None
    if meeting.type in _AGM_TYPES:
        return meeting.date - timedelta(weeks=association.agm_notice_latest_weeks)
    return meeting.date - timedelta(days=association.board_notice_days)


def notice_window(meeting: Meeting, association: Association) -> tuple[date, date] | None:
    """(earliest, latest) day for an årsmöte's or extra årsmöte's kallelse; None for others."""
    if meeting.date is None or meeting.type not in _AGM_TYPES:
        return None
    earliest = meeting.date - timedelta(weeks=association.agm_notice_earliest_weeks)
    latest = meeting.date - timedelta(weeks=association.agm_notice_latest_weeks)
    return earliest, latest


def notice_date(meeting: Meeting, association: Association) -> date | None:
    """When the kallelse is sent: Kallelsedatum as written, else the latest allowed day.

    A konstituerande styrelsemöte without Kallelsedatum has no rule of its own, so it is
    given None; callers show the årsmöte's kallelse date or leave the date out.
    """
    return meeting.notice_date or notice_deadline(meeting, association)
