"""Swedish wording every stage shares: numbers with their nouns, dates, local times for people."""

from __future__ import annotations

from datetime import date, datetime

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
# The names as CLDR gives them for Swedish (a test compares them with babel's); kept here so
# neither parsing nor formatting loads locale data at start-up.
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
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
        f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}{year} "
        f"{local.hour}.{local.minute:02d}"
    )


def text_date(day: date) -> str:
    """A date for running text: date(2021, 3, 15) → "15 mars 2021"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date(day: date) -> str:
    """A date with its weekday: date(2021, 2, 9) → "tisdag 9 februari 2021"."""
    return f"{WEEKDAYS[day.weekday()]} {text_date(day)}"
