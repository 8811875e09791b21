"""`import`: a verksamhetsplan typed in Word becomes a new register with init's layout."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import UnreadableFileError
from ..models import DEFAULT_CATEGORIES
from ..register.scaffold import forening_rows, register_bytes
from ..register.workbook import normalise_header
from .wordplan import Grid, Para, WordPlan, read_plan
from .yearfile import free_target, without_year, write_new

AREA, ACTION = "Verksamhetsområde", "Aktivitet/åtgärd"
TABLE_COLUMNS = (AREA, ACTION, "Ansvarig", "Klart", "Kommentar")
# Header texts people give the activity table's columns, folded like the register's headers.
_HEADERS = {
    "verksamhetsområde": AREA,
    "verksamhetsområden": AREA,
    "område": AREA,
    "aktivitet/åtgärd": ACTION,
    "aktiviteter/åtgärder": ACTION,
    "aktivitet": ACTION,
    "aktiviteter": ACTION,
    "åtgärd": ACTION,
    "åtgärder": ACTION,
    "ansvarig": "Ansvarig",
    "ansvariga": "Ansvarig",
    "klart": "Klart",
    "klart senast": "Klart",
    "när": "Klart",
    "kommentar": "Kommentar",
    "kommentarer": "Kommentar",
}
_HEADER_SEARCH_ROWS = 3  # a title row spanning the table may sit above the header row
# The word a heading contains → the Förening field (or sheet) its text goes to.
_SECTIONS = (
    ("vision", "Vision"),
    ("syfte", "Syfte"),
    ("stadgar", "Verksamhet enligt stadgarna"),
    ("prioriter", "Prioritering"),
)
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_ASSOCIATION = re.compile(r"förening|förbund", re.IGNORECASE)
_TYPED_ITEM = re.compile(r"\s*(?:[-–•*]\s*|\d{1,2}[.)]\s+)")
_DESCRIBED = " – "  # "Lagstiftning – En lag kräver ändringen.": the plan docautomation builds
_NAME_MAX = 80


@dataclass(frozen=True, slots=True)
class PlanContent:
    """What a Word plan says, ready for the register's sheets."""

    year: int | None
    name: str
    fields: dict[str, str]  # Vision, Syfte, Verksamhet enligt stadgarna (found ones only)
    categories: tuple[tuple[str, str], ...]  # (Kategori, Beskrivning), empty when not found
    activities: tuple[dict[str, str], ...]  # rows as the register's Aktiviteter gets them
    table_columns: tuple[str, ...]  # the activity table's columns; () when there is none


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The register written, and what the plan gave (Swedish lines for the user)."""

    target: Path
    found: tuple[str, ...]
    missing: tuple[str, ...]
    notes: tuple[str, ...] = ()  # about the inbox around the new register


def import_plan(plan_path: Path, settings: Settings) -> ImportResult:
    """Read a Word verksamhetsplan and write it as `inbox/Register <år>.xlsx`.

    Raises:
        UnreadableFileError: not a readable .docx, or no year in its title (exit 3).
        ConfigError: the register exists, or the inbox has one for that year (exit 2).
    """
    content = interpret_plan(read_plan(plan_path, settings.limits), plan_path.stem)
    if content.year is None:
        raise UnreadableFileError(
            plan_path,
            'Planen nämner inget verksamhetsår i sin rubrik (t.ex. "Verksamhetsplan för '
            'verksamhetsåret 2021"). Skriv året i rubriken och försök igen.',
        )
    target = free_target(settings.inbox, content.year, settings.limits)
    write_new(target, register_bytes(register_content(content)))
    # init's empty register beside the imported one would fail every build with its errors.
    empty = tuple(
        f'Inkorgen har också "{path.name}" utan verksamhetsår (från init?): ta bort det om det '
        "inte används, annars stoppar dess fel bygget."
        for path in without_year(settings.inbox, settings.limits)
    )
    return ImportResult(target, found_lines(content), missing_lines(content), empty)


def interpret_plan(plan: WordPlan, file_stem: str = "") -> PlanContent:
    """The year, name, sections and activity table of a plan, as far as it has them."""
    opening = _opening(plan.blocks)
    title = _title(opening)
    year_match = _YEAR.search(title.text if title else "") or _YEAR.search(file_stem)
    sections = _sections(plan.blocks)
    table = next((found for b in plan.blocks if (found := _activity_table(b))), None)
    return PlanContent(
        year=int(year_match.group()) if year_match else None,
        name=_name([p for p in opening if p is not title], plan.header_lines),
        fields={
            field: _field_text(field, paras)
            for field, paras in sections.items()
            if field != "Prioritering" and _field_text(field, paras)
        },
        categories=tuple(_category(item) for item in _items(sections.get("Prioritering", []))),
        activities=table[1] if table else (),
        table_columns=table[0] if table else (),
    )


def register_content(content: PlanContent) -> dict[str, list[dict[str, Any]]]:
    """The register's rows: Förening, Prioritering and Aktiviteter; other sheets start empty."""
    values: dict[str, Any] = {"Föreningens namn": content.name, "Verksamhetsår": content.year}
    values.update(content.fields)
    categories = content.categories or tuple((c.name, "") for c in DEFAULT_CATEGORIES)
    return {
        "Förening": forening_rows(values),
        "Prioritering": [
            {"Nr": number, "Kategori": name, "Beskrivning": description}
            for number, (name, description) in enumerate(categories, start=1)
        ],
        "Aktiviteter": list(content.activities),
    }


# -- title, name and sections -----------------------------------------------------------------


def _opening(blocks: Sequence[Para | Grid]) -> list[Para]:
    """The non-empty paragraphs before the first section heading or table: title and name."""
    opening = []
    for block in blocks:
        if isinstance(block, Grid) or (block.heading and _section_of(block.text)):
            break
        if block.text.strip():
            opening.append(block)
    return opening


def _title(opening: Sequence[Para]) -> Para | None:
    dated = [p for p in opening if _YEAR.search(p.text)]
    planned = [p for p in dated if "verksamhetsplan" in p.text.casefold()]
    return next(iter(planned or dated), None)


def _name(candidates: Sequence[Para], header_lines: Sequence[str]) -> str:
    """The association's name: a subtitle, a line naming a förening, or a short first line."""
    for para in candidates:
        if para.style in ("subtitle", "underrubrik"):
            return para.text.strip()
    lines = [p.text.strip() for p in candidates] + [t for t in header_lines if not _YEAR.search(t)]
    for line in lines:
        if _ASSOCIATION.search(line):
            return line
    for para in candidates:
        text = para.text.strip()
        plain = not para.style.startswith(("heading", "rubrik "))
        if plain and len(text) <= _NAME_MAX and not _YEAR.search(text) and text[-1] not in ".:":
            return text
    return ""


def _section_of(heading: str) -> str | None:
    folded = heading.casefold()
    return next((field for word, field in _SECTIONS if word in folded), None)


def _sections(blocks: Sequence[Para | Grid]) -> dict[str, list[Para]]:
    """The paragraphs under each section heading, up to the next heading or table."""
    sections: dict[str, list[Para]] = {}
    current: list[Para] | None = None
    for block in blocks:
        if isinstance(block, Grid):
            current = None
        elif block.heading and block.text.strip():
            field = _section_of(block.text)
            current = sections.setdefault(field, []) if field and field not in sections else None
        elif current is not None and block.text.strip():
            current.append(block)
    return sections


def _items(paras: Sequence[Para]) -> list[str]:
    """List items (Word's own, or typed with -, •, 1.) under a heading, markers removed."""
    items = []
    for para in paras:
        typed = _TYPED_ITEM.match(para.text)
        if para.list_item or typed:
            items.append(para.text[typed.end() :] if typed else para.text.strip())
    return [item.strip() for item in items if item.strip()]


def _field_text(field: str, paras: Sequence[Para]) -> str:
    if field == "Verksamhet enligt stadgarna":  # one task per line; an intro line is not one
        return "\n".join(_items(paras) or [p.text.strip() for p in paras])
    return "\n".join(p.text.strip() for p in paras)


def _category(item: str) -> tuple[str, str]:
    name, _, description = item.partition(_DESCRIBED)
    return name.strip(), description.strip()


# -- the activity table -----------------------------------------------------------------------


def _activity_table(
    block: Para | Grid,
) -> tuple[tuple[str, ...], tuple[dict[str, str], ...]] | None:
    """The table's columns and rows when its header row names the area and the activity."""
    if not isinstance(block, Grid):
        return None
    for index, row in enumerate(block.rows[:_HEADER_SEARCH_ROWS]):
        columns = _header_columns([cell.text for cell in row])
        if AREA in columns and ACTION in columns:
            rows = _activity_rows(block.rows[index + 1 :], columns)
            return tuple(c for c in TABLE_COLUMNS if c in columns), rows
    return None


def _header_columns(texts: Sequence[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for col, text in enumerate(texts):
        name = _HEADERS.get(normalise_header(text))
        if name is not None and name not in columns:
            columns[name] = col
    return columns


def _activity_rows(rows: Sequence[Any], columns: dict[str, int]) -> tuple[dict[str, str], ...]:
    found = []
    for row in rows:
        values = {name: row[col].text if col < len(row) else "" for name, col in columns.items()}
        if AREA in columns and columns[AREA] < len(row) and row[columns[AREA]].from_above:
            values[AREA] = ""  # a merged area cell continues the area above, as a blank one does
        if not any(values.values()):
            continue
        if _header_columns(list(values.values())).keys() == columns.keys():
            continue  # the header row typed again (on a new page)
        found.append(values)
    return tuple(found)


# -- what the user is told --------------------------------------------------------------------


def _clip(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def found_lines(content: PlanContent) -> tuple[str, ...]:
    """What the plan gave, one Swedish line each."""
    lines = [f"Verksamhetsår: {content.year}"]
    if content.name:
        lines.append(f"Föreningens namn: {content.name}")
    lines += [
        f"{f}: {_clip(content.fields[f])}" for f in ("Vision", "Syfte") if f in content.fields
    ]
    tasks = content.fields.get("Verksamhet enligt stadgarna")
    if tasks:
        lines.append(
            "Verksamhet enligt stadgarna: "
            + _plural(len(tasks.splitlines()), "uppgift", "uppgifter")
        )
    if content.categories:
        lines.append("Prioritering: " + _plural(len(content.categories), "kategori", "kategorier"))
    if content.table_columns:
        activities = sum(1 for row in content.activities if row.get(ACTION))
        areas = len({row[AREA] for row in content.activities if row.get(AREA)})
        lines.append(
            "Aktiviteter: "
            + _plural(activities, "aktivitet", "aktiviteter")
            + " i "
            + _plural(areas, "verksamhetsområde", "verksamhetsområden")
        )
    return tuple(lines)


def missing_lines(content: PlanContent) -> tuple[str, ...]:
    """What the plan did not have and what the register holds instead, one line each."""
    lines = []
    if not content.name:
        lines.append(
            "Föreningens namn hittades inte i planens första rader: fyll i det i bladet Förening."
        )
    for word, field in _SECTIONS[:3]:
        if field not in content.fields:
            lines.append(f'Ingen rubrik med ordet "{word}" hittades: {field} är tom.')
    if not content.categories:
        lines.append(
            'Ingen lista under en rubrik med ordet "prioritering" hittades: '
            "Prioritering har standardordningen."
        )
    if not content.table_columns:
        lines.append("Ingen tabell med rubriken Verksamhetsområde hittades: Aktiviteter är tom.")
    for column in TABLE_COLUMNS:
        if content.table_columns and column not in content.table_columns:
            lines.append(f"Aktivitetstabellen har ingen kolumn {column}: den är tom i registret.")
    return tuple(lines)
