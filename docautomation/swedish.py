"""Swedish wording every stage shares: numbers with their nouns, and local times for people."""

from __future__ import annotations

from datetime import datetime

# Nouns whose plural is not the singular + "ar"/"er": said once here, so every message agrees.
_PLURALS = {
    "fel": "fel",
    "varning": "varningar",
    "problem": "problem",
    "dokument": "dokument",
    "register": "register",
    "mall": "mallar",
    "fil": "filer",
    "rad": "rader",
    "möte": "möten",
    "önskemål": "önskemål",
    "aktivitet": "aktiviteter",
    "sekund": "sekunder",
    "minut": "minuter",
    "vecka": "veckor",
    "protokollfört sammanträde": "protokollförda sammanträden",
}
_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december")  # fmt: skip


def count(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 varning", "2 varningar", "0 fel": the number with the noun in the form it takes."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {plural or _PLURALS.get(noun, noun + 'ar')}"


def local_moment(moment: datetime, now: datetime | None = None) -> str:
    """A moment in the machine's local time as a person says it: "fredag 4 december 14.05".

    The year is added when it is not the current one (a status read in January about December).
    """
    local = moment.astimezone()
    current = (now or datetime.now().astimezone()).year
    year = f" {local.year}" if local.year != current else ""
    return (
        f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}{year} "
        f"{local.hour}.{local.minute:02d}"
    )
