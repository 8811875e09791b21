"""Test registers for validation and feedback: a clean 2021 register, its planted twin, records."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import date, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from docautomation.models import (
    Activity,
    Association,
    CellRef,
    Contact,
    Deadline,
    DeadlineKind,
    Meeting,
    MeetingType,
    RawCell,
    RawRegister,
    RawRow,
    RawSheet,
    Register,
    Role,
    Wish,
    WishStatus,
)
from docautomation.ranking import DEFAULT_CATEGORIES

Rows = dict[str, list[dict[str, Any]]]

# Column order of every sheet in the test workbooks (the same order `init` writes).
HEADERS: Mapping[str, tuple[str, ...]] = {
    "Förening": ("Fält", "Värde"),
    "Prioritering": ("Nr", "Kategori", "Beskrivning"),
    "Kontakter": ("Namn", "Roll", "Kommun", "E-post"),
    "Aktiviteter": (
        "Verksamhetsområde",
        "Aktivitet/åtgärd",
        "Ansvarig",
        "Klart",
        "Kommentar",
        "Status",
        "Uppföljning",
    ),
    "Önskemål": (
        "ID",
        "Rubrik",
        "Beskrivning",
        "Inlämnat av",
        "Inlämnat",
        "Kategori",
        "Lagkrav",
        "Myndighetsrapportering",
        "Antal kommuner",
        "Insats",
        "Effekt",
        "Status",
        "Leverantörens ärende",
        "Återkoppling",
        "Pilot",
    ),
    "Möten": (
        "Datum",
        "Start",
        "Slut",
        "Mötestyp",
        "Plats",
        "Distanslänk",
        "Dagordning",
        "Kallelsedatum",
        "Mottagare",
        "ID",
    ),
}
TEAMS = "https://teams.microsoft.com/l/meetup-join/abc"


def clean_rows() -> Rows:
    """A small 2021 register that breaks no rule (weekdays only, every wish assessable)."""
    return {
        "Förening": [
            {"Fält": "Föreningens namn", "Värde": "Användarföreningen Castor"},
            {"Fält": "Verksamhetsår", "Värde": 2021},
            {"Fält": "Leverantör", "Värde": "Prosona"},
            {"Fält": "Kallelse årsmöte tidigast", "Värde": 6},
            {"Fält": "Kallelse årsmöte senast", "Värde": 2},
            {"Fält": "Kallelse styrelsemöte senast", "Värde": 7},
            {"Fält": "Ort", "Värde": "Sollentuna"},
            {"Fält": "Löpande paragrafnumrering", "Värde": "Ja"},
        ],
        "Kontakter": [
            {
                "Namn": "Maria Holmgren",
                "Roll": "Ordförande",
                "Kommun": "Sollentuna kommun",
                "E-post": "maria.holmgren@example.org",
            },
            {
                "Namn": "Per Lind",
                "Roll": "Sekreterare",
                "Kommun": "Huddinge kommun",
                "E-post": "per.lind@example.org",
            },
            {"Namn": "Anna Berg", "Roll": "Kassör", "Kommun": "Mölndals stad"},
        ],
        "Aktiviteter": [
            {
                "Verksamhetsområde": "Styrelsearbete",
                "Aktivitet/åtgärd": "Möten hos kommunerna",
                "Ansvarig": "Ordförande",
                "Klart": "Kontinuerligt",
            },
            {
                "Aktivitet/åtgärd": "Workshop med nya styrelsen",
                "Ansvarig": "Ordförande och Per Lind",
                "Klart": "April 2021",
            },
            {
                "Verksamhetsområde": "Ekonomi",
                "Aktivitet/åtgärd": "Ekonomisk uppföljning",
                "Ansvarig": "kassör",
                "Klart": "Q2 2021",
            },
            {
                "Verksamhetsområde": "Pilot tema",
                "Aktivitet/åtgärd": "Välj ett pilotönskemål",
                "Ansvarig": "Styrelsen, Prosona",
                "Klart": "Hösten 2021",
            },
            {
                "Verksamhetsområde": "Forum",
                "Aktivitet/åtgärd": "Utveckla årsmötet",
                "Ansvarig": "Valberedningen",
                "Klart": "Vid behov",
            },
        ],
        "Önskemål": [
            _wish(
                "ÖNS-1",
                "Ny riskklassning",
                Lagkrav="Ja",
                **{"Antal kommuner": 26},
                Insats="Hög",
                Effekt="Hög",
                Pilot="Ja",
                Inlämnat=date(2021, 3, 2),
            ),
            _wish(
                "ÖNS-2",
                "XML-export",
                Myndighetsrapportering="Ja",
                Status="Skickad",
                **{"Antal kommuner": 23},
                Insats="Medel",
                Effekt="Hög",
                Pilot="Nej",
            ),
            _wish(
                "ÖNS-3", "Enkel sökning", Kategori=4, Insats="Låg", Effekt="Medel", Status="Pågår"
            ),
            _wish("ÖNS-4", "Gammal export", Status="Levererad", Pilot="Ja"),
        ],
        "Möten": [
            _meeting(
                date(2021, 2, 9),
                "Styrelsemöte",
                Distanslänk=TEAMS,
                Kallelsedatum=date(2021, 2, 1),
                ID="M-1",
            ),
            _meeting(
                date(2021, 3, 24),
                "Årsmöte",
                Plats="Sollentuna kommunhus",
                Kallelsedatum=date(2021, 3, 1),
                ID="M-2",
            ),
            _meeting(
                date(2021, 3, 24),
                "Konstituerande styrelsemöte",
                Plats="Sollentuna",
                Start=time(16, 15),
                Slut=time(17, 0),
                ID="M-3",
            ),
            _meeting(
                date(2021, 10, 12),
                "Användarträff",
                Plats="Stockholm",
                Distanslänk=TEAMS,
                Dagordning="Välkommen\nRapport från Prosona",
                Mottagare="Medlemmarna",
            ),
        ],
    }


def planted_rows() -> Rows:
    """The clean register plus one planted problem for every validation rule (see PLANTED)."""
    rows = copy.deepcopy(clean_rows())
    rows["Förening"][6]["Värde"] = date(2021, 1, 1)  # B8: Ort
    rows["Förening"][7]["Värde"] = "Kanske"  # B9: Löpande paragrafnumrering
    rows["Kontakter"][2]["E-post"] = "anna.berg(at)example.org"  # D4
    rows["Aktiviteter"] += [
        {
            "Verksamhetsområde": "Kommunikation",
            "Aktivitet/åtgärd": "Nyhetsbrev",
            "Ansvarig": "Sekreterare",
            "Klart": "när tiden finns",
        },  # row 7
        {"Aktivitet/åtgärd": "Ny webbsida", "Ansvarig": "Per Lind", "Klart": "Mars 2020"},  # 8
        {"Aktivitet/åtgärd": "Enkät", "Ansvarig": "Ordförande och Kasör", "Klart": "Maj 2021"},
        {
            "Aktivitet/åtgärd": "Medlemsmöte",
            "Ansvarig": "Styrelsen",
            "Klart": "Juni 2021",
            "Status": "Färdig",
            "Uppföljning": "Hölls i juni.\n- 40 deltagare\n –  ",
        },  # row 10
    ]
    rows["Önskemål"][1]["Pilot"] = "Ja"  # O3, a second active pilot beside O2
    rows["Önskemål"] += [
        _wish("ÖNS-2", "Dubblett", Kategori=5),  # row 6: duplicate ID
        _wish(
            "ÖNS-5", "Lag men kategori 3", Lagkrav="Ja", Kategori=3
        ),  # row 7: a board category contradicting Lagkrav
        _wish("ÖNS-6", "Felstavad kategori", Kategori="Lagstiftnig", Effekt="Hög"),  # row 8
    ]
    rows["Möten"][2]["Kallelsedatum"] = date(2021, 3, 23)  # konstituerande: no timing rule
    rows["Möten"] += [
        _meeting(date(2021, 5, 11), "Styrelsemöte", Plats="Huddinge", ID="M-1"),  # 6
        _meeting(
            date(2021, 9, 7), "Styrelsemöte", Plats="Mölndal", Start=time(15, 0), Slut=time(13, 0)
        ),  # 7
        _meeting(date(2021, 11, 9), "Styrelsemöte"),  # 8: neither Plats nor Distanslänk
        _meeting(
            date(2021, 12, 7), "Workshop", Distanslänk="www.teams.com/abc", Dagordning="Genomgång"
        ),  # 9
        _meeting(
            date(2021, 6, 15), "Extra årsmöte", Plats="Solna", Kallelsedatum=date(2021, 6, 10)
        ),  # 10: window 4 maj to 1 juni
        _meeting(
            date(2021, 8, 24), "Styrelsemöte", Plats="Solna", Kallelsedatum=date(2021, 8, 20)
        ),  # 11: later than 17 augusti
        _meeting(date(2021, 3, 13), "Workshop", Plats="Solna", Dagordning="Övning"),  # 12 lördag
        _meeting(date(2021, 5, 13), "Styrelsemöte", Plats="Solna"),  # 13 Kristi himmelsfärd
        _meeting(date(2021, 12, 31), "Annat", Plats="Solna", Dagordning="Fika"),  # 14 nyårsafton
        _meeting(date(2021, 4, 20), "Annat", Plats="Solna"),  # 15: empty Dagordning
        _meeting(
            date(2021, 10, 12), "Användarträff", Plats="Solna", Dagordning="Program"
        ),  # 16: same type, day and no ID as row 5
    ]
    return rows


# (severity, sheet, cell) → words the message must contain; every planted problem.
PLANTED: Mapping[tuple[str, str, str], tuple[str, ...]] = {
    ("error", "Förening", "B8"): ("Ort", "ortnamn"),
    ("error", "Förening", "B9"): ("Löpande paragrafnumrering", '"Kanske"', "Ja eller Nej"),
    ("error", "Kontakter", "D4"): ("anna.berg(at)example.org",),
    ("warning", "Aktiviteter", "D7"): ("när tiden finns", "som den är skriven"),
    ("warning", "Aktiviteter", "D8"): ("Mars 2020", "2020", "2021"),
    ("warning", "Aktiviteter", "C9"): ('"Kasör"', 'Menade du "Kassör"'),
    ("error", "Aktiviteter", "F10"): ('Status "Färdig" är okänd', "Planerad, Pågår, Klar"),
    ("warning", "Aktiviteter", "G10"): ("Uppföljning", "tom punkt på rad 3", '"–"'),
    ("warning", "Önskemål", "O2"): ("Pilot", "Önskemål!O3"),
    ("warning", "Önskemål", "O3"): ("Pilot", "Önskemål!O2"),
    ("error", "Önskemål", "A6"): ("ÖNS-2", "Önskemål!A3"),
    ("warning", "Önskemål", "F7"): (
        "Lagkrav",
    ),  # ranking_problems: a board category contradicting Lagkrav
    ("error", "Önskemål", "F8"): ("Lagstiftnig",),  # interpret: unknown Kategori
    ("error", "Möten", "J6"): ("M-1", "Möten!J2"),
    ("error", "Möten", "C7"): ("15.00", "13.00"),
    ("error", "Möten", "E8"): ("Plats", "Distanslänk"),
    ("error", "Möten", "F9"): ("www.teams.com/abc", "https://"),
    ("error", "Möten", "H10"): ("10 juni 2021", "4 maj 2021", "1 juni 2021"),
    ("warning", "Möten", "H11"): ("20 augusti 2021", "17 augusti 2021", "7 dagar"),
    ("warning", "Möten", "A12"): ("lördag",),
    ("warning", "Möten", "A13"): ("kristi himmelsfärdsdag",),
    ("warning", "Möten", "A14"): ("nyårsafton",),
    ("warning", "Möten", "G15"): ("Annat", "programmet"),
    ("warning", "Möten", "A16"): ("Möten!A5", "ID"),
}


def _wish(wish_id: str, title: str, **values: Any) -> dict[str, Any]:
    return {"ID": wish_id, "Rubrik": title, **values}


def _meeting(day: date, kind: str, **values: Any) -> dict[str, Any]:
    row = {"Datum": day, "Start": time(13, 0), "Slut": time(15, 0), "Mötestyp": kind}
    return {**row, **values}


def write_workbook(
    path: Path, rows: Rows, *, headers: Mapping[str, Iterable[str]] = HEADERS, title_rows: int = 0
) -> Path:
    """Write `rows` as a real .xlsx: one sheet per key, headers on row 1 (after title rows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, sheet_rows in rows.items():
        sheet = workbook.create_sheet(name)
        for number in range(title_rows):
            sheet.append([f"{name} (rubrik {number + 1})"])
        columns = list(headers[name])
        sheet.append(columns)
        for row in sheet_rows:
            sheet.append([row.get(column) for column in columns])
    workbook.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# Records for rule tests that do not go through the reader and interpret
# ---------------------------------------------------------------------------------------------


def cells(sheet: str, row: int) -> dict[str, CellRef]:
    """Every column of `sheet` (HEADERS order) → its cell on `row`."""
    return {
        column: CellRef(sheet, f"{get_column_letter(i)}{row}")
        for i, column in enumerate(HEADERS[sheet], start=1)
    }


def association(**values: Any) -> Association:
    """Förening for 2021 with Värde cells B2… in the clean register's field order."""
    fields = [row["Fält"] for row in clean_rows()["Förening"]]
    refs = {name: CellRef("Förening", f"B{i}") for i, name in enumerate(fields, start=2)}
    return Association(
        **{"name": "Användarföreningen Castor", "year": 2021, "cells": refs, **values}
    )


def contact(row: int, name: str, role: Role | None = Role.LEDAMOT, **values: Any) -> Contact:
    return Contact(
        name=name,
        role=role,
        role_text=role.value if role else "",
        row=row,
        cells=cells("Kontakter", row),
        **values,
    )


def activity(
    row: int, responsible: str = "Styrelsen", klart: Deadline | None = None, **values: Any
) -> Activity:
    deadline = klart or Deadline(DeadlineKind.CONTINUOUS, "Kontinuerligt", "kontinuerligt")
    return Activity(
        area="Styrelsearbete",
        action="Något",
        responsible=responsible,
        deadline=deadline,
        row=row,
        cells=cells("Aktiviteter", row),
        **values,
    )


def wish(row: int, wish_id: str, **values: Any) -> Wish:
    values.setdefault("category", 4)
    return Wish(
        id=wish_id, title=f"Önskemål {wish_id}", row=row, cells=cells("Önskemål", row), **values
    )


def meeting(
    row: int,
    day: date | None = date(2021, 2, 9),
    kind: MeetingType | None = MeetingType.STYRELSEMOTE,
    **values: Any,
) -> Meeting:
    values.setdefault("place", "Sollentuna")
    values.setdefault("end", time(15, 0))
    return Meeting(
        date=day,
        start=time(13, 0),
        type=kind,
        type_text=kind.value if kind else "",
        row=row,
        cells=cells("Möten", row),
        **values,
    )


def register(**parts: Any) -> Register:
    """A Register with the default priority order; keyword arguments replace its parts."""
    values: dict[str, Any] = {
        "source_name": "test.xlsx",
        "association": association(),
        "categories": DEFAULT_CATEGORIES,
    }
    return Register(**{**values, **parts})


def raw_for(
    rows: Rows | None = None,
    *,
    missing: Mapping[str, tuple[str, ...]] | None = None,
    omit: Iterable[str] = (),
    header_row: int = 1,
) -> RawRegister:
    """A RawRegister as the reader would give it for `rows` (headers on `header_row`)."""
    rows = clean_rows() if rows is None else rows
    missing = missing or {}
    sheets = {
        name: _raw_sheet(name, rows.get(name, []), missing.get(name, ()), header_row)
        for name in HEADERS
        if name not in omit and (name in rows or name != "Prioritering")
    }
    return RawRegister(
        source_name="test.xlsx", sha256="0" * 64, sheets=sheets, sheet_names=tuple(sheets)
    )


def _raw_sheet(
    name: str, rows: list[dict[str, Any]], missing: tuple[str, ...], header_row: int
) -> RawSheet:
    present = [c for c in HEADERS[name] if c not in missing]
    letters = {c: get_column_letter(i) for i, c in enumerate(present, start=1)}
    raw_rows = tuple(
        RawRow(
            number,
            {c: RawCell(row.get(c), CellRef(name, f"{letters[c]}{number}")) for c in present},
        )
        for number, row in enumerate(rows, start=header_row + 1)
    )
    return RawSheet(
        name=name,
        canonical=name,
        header_row=header_row if present else 0,
        columns=letters,
        missing=missing,
        rows=raw_rows,
    )


__all__ = ["HEADERS", "PLANTED", "WishStatus", "clean_rows", "planted_rows", "write_workbook"]
