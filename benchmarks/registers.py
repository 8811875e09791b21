"""Synthetic registers for the benchmark: the shipped example, scaled to any number of wishes.

    python registers.py FOLDER SIZE…    writes the cases bench.py measures, prints them as JSON

A register of N wishes gets N/5 activities and N/20 meetings (10,000 ↔ 2,000 ↔ 500), built from
the example's own rows so every value is one the validator accepts: meetings fall on working
days spread over the year (several a day in the large ones, two hours apart), are Styrelsemöte
or Användarträff with an agenda and no Kallelsedatum, and every meeting and wish has its own
ID. The result validates with no problems.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from docautomation.register.scaffold import example_content, write_register

ACTIVITIES_PER_WISH = 1 / 5
MEETINGS_PER_WISH = 1 / 20
_AREA_SIZE = 25  # activities per Verksamhetsområde
_KLART = ("Kontinuerligt", "April 2021", "Q2 2021", "Hösten 2021", "vecka 12", "Vid behov",
          "Under 2021", "Efter varje styrelsemöte", "15 mars 2021", "Inför årsmötet")  # fmt: skip
_RESPONSIBLE = ("Ordförande", "Kassör", "Sekreterare", "Styrelsen", "Ordförande och Kassör")
_LEVELS = ("Låg", "Medel", "Hög", "")
_STATUSES = ("Ny", "Skickad", "Accepterad", "Pågår", "Levererad", "Avvisad", "")
_AGENDA = "Mötets öppnande\nVal av justerare\nRapporter\nÖvriga frågor\nMötets avslutande"


def write_cases(folder: Path, sizes: Sequence[int]) -> list[dict[str, Any]]:
    """Write the example and a register of each size, each also with its first meeting moved.

    Returns each case as bench.py's report.Case takes it (paths as text), with how many runs
    to take the median of (more warm runs for the small registers, whose runs are short).
    """
    cases = [_case(folder, "Exempel (2021)", example_content(), repeat=5, warm=3)]
    for wishes in sizes:
        small = wishes < 5_000
        name = f"{wishes:,} önskemål"
        content = large_content(wishes)
        cases.append(_case(folder, name, content, repeat=3, warm=2 if small else 1))
    return cases


def _case(
    folder: Path, name: str, content: dict[str, list[dict[str, Any]]], *, repeat: int, warm: int
) -> dict[str, Any]:
    slug = f"register-{sum(len(rows) for rows in content.values())}"
    path = write_register(folder / f"{slug}.xlsx", content)
    changed = write_register(folder / f"{slug}-moved.xlsx", with_meeting_moved(content))
    year = next(int(r["Värde"]) for r in content["Förening"] if r["Fält"] == "Verksamhetsår")
    first = content["Möten"][0]
    moved = f"{year}/Kallelser/{first['Datum']:%Y-%m-%d} {first['Mötestyp']}"
    sizes = [len(content["Önskemål"]), len(content["Aktiviteter"]), len(content["Möten"])]
    return {"name": name, "path": str(path), "changed": str(changed), "sizes": sizes,
            "moved": moved, "repeat": repeat, "warm": warm}  # fmt: skip


def example_register(path: Path) -> Path:
    """The shipped example register (inbox/Register 2021.xlsx), written from its data."""
    return write_register(path, example_content())


def large_content(wishes: int, seed: int = 2021) -> dict[str, list[dict[str, Any]]]:
    """The example's Förening, Prioritering and Kontakter with `wishes` wishes and their share
    of activities and meetings (see the module docstring)."""
    rng = random.Random(seed)
    base = example_content()
    year = int(_field(base["Förening"], "Verksamhetsår"))
    content = {name: list(base[name]) for name in ("Förening", "Prioritering", "Kontakter")}
    content["Aktiviteter"] = _activities(
        base["Aktiviteter"], round(wishes * ACTIVITIES_PER_WISH), rng
    )
    content["Önskemål"] = _wishes(base["Önskemål"], wishes, year, rng)
    content["Möten"] = _meetings(base["Möten"], max(1, round(wishes * MEETINGS_PER_WISH)), year)
    return content


def large_register(path: Path, wishes: int, seed: int = 2021) -> Path:
    """Write a synthetic register with `wishes` wishes to `path` (see large_content)."""
    return write_register(path, large_content(wishes, seed))


def with_meeting_moved(
    content: Mapping[str, Sequence[Mapping[str, Any]]], minutes: int = 30
) -> dict[str, list[dict[str, Any]]]:
    """`content` with its first meeting starting (and ending) `minutes` later: one meeting changed."""
    changed = {name: [dict(row) for row in rows] for name, rows in content.items()}
    first = changed["Möten"][0]
    for column in ("Start", "Slut"):
        value = first.get(column)
        if isinstance(value, time):
            moved = datetime.combine(date(2000, 1, 1), value) + timedelta(minutes=minutes)
            first[column] = moved.time()
    return changed


def _field(rows: Sequence[Mapping[str, Any]], name: str) -> Any:
    return next(row["Värde"] for row in rows if row["Fält"] == name)


def _activities(
    examples: Sequence[Mapping[str, Any]], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    texts = [row["Aktivitet/åtgärd"] for row in examples if row.get("Aktivitet/åtgärd")]
    rows = []
    for n in range(count):
        comment = ""
        if n % 4 == 0:
            comment = f"Uppföljning {n}:\n- första punkten\n- andra punkten"
        rows.append({
            "Verksamhetsområde": f"Område {n // _AREA_SIZE + 1}" if n % _AREA_SIZE == 0 else "",
            "Aktivitet/åtgärd": f"{texts[n % len(texts)]} ({n + 1})",
            "Ansvarig": _RESPONSIBLE[n % len(_RESPONSIBLE)],
            "Klart": _KLART[rng.randrange(len(_KLART))],
            "Kommentar": comment,
        })  # fmt: skip
    return rows


def _wishes(
    examples: Sequence[Mapping[str, Any]], count: int, year: int, rng: random.Random
) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        model = examples[n % len(examples)]
        effort, effect = rng.choice(_LEVELS[:3]), rng.choice(_LEVELS[1:3])  # every wish ranked
        rows.append({
            **model,
            "ID": f"ÖNS-{n + 1:05d}",
            "Rubrik": f"{model['Rubrik']} ({n + 1})",
            "Inlämnat": datetime(year - 1, 1, 1) + timedelta(days=rng.randrange(365)),
            "Kategori": "",
            "Lagkrav": "Ja" if n % 50 == 0 else "Nej",
            "Myndighetsrapportering": "Ja" if n % 37 == 0 else "Nej",
            "Antal kommuner": rng.randrange(0, 30),
            "Insats": effort,
            "Effekt": effect,
            "Status": _STATUSES[n % len(_STATUSES)],
            "Pilot": "Ja" if n == 3 else "",
        })  # fmt: skip
    return rows


def _meetings(examples: Sequence[Mapping[str, Any]], count: int, year: int) -> list[dict[str, Any]]:
    days = _working_days(year)
    place = next(row["Plats"] for row in examples if row.get("Plats"))
    rows = []
    for n in range(count):
        day = days[(n * len(days)) // count] if count <= len(days) else days[n % len(days)]
        kind = "Användarträff" if n % 10 == 9 else "Styrelsemöte"
        # A day's k-th meeting starts two hours after its (k-1)-th, so moving one by half an
        # hour never reorders a day's meetings (that would renumber their protokoll).
        start = time(8 + 2 * (n // len(days)) + n % 2, 0)
        rows.append({
            "ID": f"M-{n + 1:04d}",
            "Datum": datetime.combine(day, time(0)),
            "Start": start,
            "Slut": time(start.hour + 2, 0),
            "Mötestyp": kind,
            "Plats": place,
            "Distanslänk": f"https://teams.microsoft.com/l/meetup-join/m-{n + 1:04d}",
            "Dagordning": _AGENDA,
            "Kallelsedatum": "",
            "Mottagare": "",
        })  # fmt: skip
    return rows


def _working_days(year: int) -> list[date]:
    """Weekdays of `year` from mid-January that are no Swedish holiday or eve."""
    from docautomation.validation.meetings import swedish_days_off

    off = swedish_days_off({year})
    day, days = date(year, 1, 20), []
    while day.year == year and day < date(year, 12, 20):
        if day.weekday() < 5 and day not in off:
            days.append(day)
        day += timedelta(days=1)
    return days


if __name__ == "__main__":
    target, *counts = sys.argv[1:]
    print(json.dumps(write_cases(Path(target), [int(n) for n in counts]), ensure_ascii=False))
