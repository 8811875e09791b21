"""Validation: every rule for the register's sheets over the raw and read register, one sorted Report."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..models import (
    SHEET_ORDER,
    Activity,
    CellRef,
    DeadlineKind,
    Problem,
    RawRegister,
    RawSheet,
    Register,
    Report,
    Role,
    Severity,
    Wish,
    error,
    warning,
)
from ..ranking import ranking_problems
from ..register.interpret import interpret
from ..register.workbook import SHEETS
from .meetings import meeting_problems

OPTIONAL_SHEETS = frozenset({"Prioritering"})

_ANSVARIG_SEPARATORS = re.compile(r"\s*(?:,|\n)\s*|\s+och\s+", re.IGNORECASE)
_CELL = re.compile(r"([A-Z]+)([0-9]+)")
_EMPTY_ITEM = re.compile(r"\s*[-–•*]\s*")
_MAX_NAMED = 5  # other cells named in one message


@dataclass(frozen=True, slots=True)
class _Context:
    """What every rule may look at: the raw sheets, the typed register, interpret's findings."""

    raw: RawRegister
    register: Register
    interpreted: frozenset[tuple[str, str]]  # (sheet, cell) that interpret already reported

    def sheet_name(self, canonical: str) -> str:
        sheet = self.raw.sheets.get(canonical)
        return sheet.name if sheet else canonical

    def has(self, canonical: str) -> bool:
        return canonical in self.raw.sheets


Rule = Callable[[_Context], Iterable[Problem]]


def validate(raw: RawRegister) -> Report:
    """Check a register against every sheet rule and the ranking's warnings.

    Pure: no files, no clock. Never raises because of a cell's value.

    Args:
        raw: The register as the reader found it.

    Returns:
        The interpreted register and all problems, de-duplicated and sorted by sheet order
        (Förening … Möten), row, column, errors before warnings.
    """
    register, interpreted = interpret(raw)
    return Report(register=register, problems=check(raw, register, interpreted))


def check(
    raw: RawRegister, register: Register, interpreted: Iterable[Problem] = ()
) -> tuple[Problem, ...]:
    """Apply the structural, cell and ranking rules to an already interpreted register.

    Args:
        raw: The register as the reader found it (sheets, columns, header rows).
        register: `interpret(raw)`'s register.
        interpreted: `interpret(raw)`'s problems; a rule stays silent on a cell they cover
            when it would only repeat them.

    Returns:
        Every problem, de-duplicated and sorted (see `sort_problems`).
    """
    interpreted = tuple(interpreted)
    context = _Context(raw, register, frozenset((p.sheet, p.cell) for p in interpreted))
    found: list[Problem] = [*_structure(raw), *interpreted]
    for rule in _RULES:
        found.extend(rule(context))
    later = [*ranking_problems(register)]
    if context.has("Möten"):
        later += meeting_problems(register, context.sheet_name("Möten"))
    # A cell interpret could not read is empty to these rules, whose "Plats är tom" or "ej
    # bedömt: Kategori är tom" would contradict the error at the same cell: that error says it.
    found.extend(p for p in later if (p.sheet, p.cell) not in context.interpreted)
    return sort_problems(raw, dict.fromkeys(found))


def sort_problems(raw: RawRegister, problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Order problems as the board reads the workbook: sheet order, row, column, errors first."""
    order = {name.casefold(): i for i, name in enumerate(SHEET_ORDER)}
    for canonical, sheet in raw.sheets.items():
        order.setdefault(sheet.name.casefold(), order.get(canonical.casefold(), len(order)))

    def key(problem: Problem) -> tuple[int, str, int, int, int, str]:
        row, column = _cell_position(problem.cell)
        sheet = order.get(problem.sheet.casefold(), len(SHEET_ORDER))
        severity = 0 if problem.severity is Severity.ERROR else 1
        return sheet, problem.sheet, row, column, severity, problem.message

    return tuple(sorted(problems, key=key))


def _cell_position(cell: str) -> tuple[int, int]:
    match = _CELL.fullmatch(cell)
    if not match:
        return 0, 0
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


# ---------------------------------------------------------------------------------------------
# Structure: sheets and columns
# ---------------------------------------------------------------------------------------------


def _structure(raw: RawRegister) -> Iterator[Problem]:
    for canonical in SHEET_ORDER:
        sheet = raw.sheets.get(canonical)
        if sheet is None:
            if canonical not in OPTIONAL_SHEETS:
                message = _missing_sheet_message(canonical) + _sheet_hint(canonical, raw)
                yield error(None, message, sheet=canonical)
            continue
        if sheet.missing:
            yield _missing_columns(
                canonical, sheet.name, sheet.header_row, sheet.missing, sheet.columns
            )
        yield from _misspelt_headers(canonical, sheet)


def _sheet_hint(canonical: str, raw: RawRegister) -> str:
    """' Menade du bladet "Möten 2021"?' when a tab that is not read resembles the name."""
    unread = [n for n in raw.sheet_names if n not in {s.name for s in raw.sheets.values()}]
    # "Möten 2021" or "Kopia av Möten" hold the name whole; difflib catches misspellings.
    holding = [n for n in unread if canonical.casefold() in n.casefold()]
    close = holding[0] if holding else _closest(canonical, unread)
    return (
        f' Menade du bladet "{close}"? Byt i så fall namn på det till "{canonical}".'
        if close
        else ""
    )


def _misspelt_headers(canonical: str, sheet: RawSheet) -> Iterator[Problem]:
    """A header that resembles a column not found is a near miss, not an extra column.

    Extra columns are ignored, so "Anteckningar" is fine; but "Antal kommun" would
    silently leave Antal kommuner empty for every wish and change the ranking.
    """
    spec = next(spec for spec in SHEETS if spec.name == canonical)
    absent = [column for column in spec.columns if column not in sheet.columns]
    for text, cell in sheet.unknown:
        close = _closest(text, absent)
        if close:
            message = (
                f'Kolumnrubriken "{text}" känns inte igen, så kolumnen läses inte. '
                f'Menade du "{close}"?'
            )
            yield warning(CellRef(sheet.name, cell), message)


def _closest(text: str, candidates: Sequence[str]) -> str | None:
    folded = {candidate.casefold(): candidate for candidate in candidates}
    match = difflib.get_close_matches(text.casefold()[:100], list(folded), n=1, cutoff=0.75)
    return folded[match[0]] if match else None


def _missing_sheet_message(canonical: str) -> str:
    return (
        f'Bladet "{canonical}" saknas i arbetsboken. Lägg till ett blad med det namnet och '
        f"rubrikerna {_expected_headers(canonical)}."
    )


def _missing_columns(
    canonical: str, name: str, header_row: int, missing: tuple[str, ...], columns: Mapping[str, str]
) -> Problem:
    quoted = _join([f'"{column}"' for column in missing])
    if header_row == 0:
        message = (
            f"Ingen rubrikrad hittades bland de första 10 raderna i bladet {name}: "
            f"{quoted} saknas. Förväntade rubriker: {_expected_headers(canonical)}."
        )
        return error(None, message, sheet=name)
    noun = "Kolumnen" if len(missing) == 1 else "Kolumnerna"
    message = (
        f"{noun} {quoted} saknas i rubrikraden (rad {header_row}) i bladet {name}. "
        f"Förväntade rubriker: {_expected_headers(canonical)}."
    )
    first = min(columns.values(), key=lambda c: (len(c), c), default="A")
    return error(CellRef(name, f"{first}{header_row}"), message)


def _expected_headers(canonical: str) -> str:
    spec = next(spec for spec in SHEETS if spec.name == canonical)
    required = spec.required
    optional = tuple(column for column in spec.columns if column not in required)
    text = ", ".join(required) + " (obligatoriska)"
    return text + (", " + ", ".join(optional) + " (valfria)" if optional else "")


def _join(items: list[str]) -> str:
    return " och ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " och " + items[-1]


# ---------------------------------------------------------------------------------------------
# Förening
# ---------------------------------------------------------------------------------------------


def _association_year(ctx: _Context) -> Iterator[Problem]:
    # interpret reads the Verksamhetsår cell (empty, not a year); the missing row is ours.
    sheet = ctx.raw.sheets.get("Förening")
    if sheet is None or sheet.missing:
        return  # reported as a structural problem
    ref = ctx.register.association.cells.get("Verksamhetsår")
    if ref is None:
        yield error(
            None,
            'Raden "Verksamhetsår" saknas i bladet Förening. Lägg till en rad med '
            "Fält = Verksamhetsår och planens år (t.ex. 2021) som Värde.",
            sheet=sheet.name,
        )
    elif ctx.register.association.year is None and (ref.sheet, ref.cell) not in ctx.interpreted:
        yield error(
            ref, "Verksamhetsår kunde inte läsas. Ange planens år med fyra siffror, t.ex. 2021."
        )


# ---------------------------------------------------------------------------------------------
# Aktiviteter
# ---------------------------------------------------------------------------------------------


def _activity_deadlines(ctx: _Context) -> Iterator[Problem]:
    plan_year = ctx.register.association.year
    for activity in ctx.register.activities:
        ref = activity.cells.get("Klart")
        deadline = activity.deadline
        text = deadline.text.strip()
        if ref is None or not text or (ref.sheet, ref.cell) in ctx.interpreted:
            continue
        if deadline.kind is DeadlineKind.UNKNOWN:
            yield warning(
                ref,
                f'Klart "{deadline.text}" gick inte att tolka som en tidpunkt; '
                "texten visas som den är skriven. Exempel som förstås: 15 mars 2021, "
                "april 2021, Q2 2021, hösten 2021, vecka 12, Kontinuerligt, Vid behov.",
            )
        elif deadline.year is not None and plan_year is not None and deadline.year != plan_year:
            yield warning(
                ref,
                f'Klart "{deadline.text}" gäller {deadline.year}, men '
                f"verksamhetsåret är {plan_year}. Kontrollera året.",
            )


def _activity_responsible(ctx: _Context) -> Iterator[Problem]:
    known = _known_responsible(ctx.register)
    lookup = {value.casefold(): value for value in known}
    for activity in ctx.register.activities:
        ref = activity.cells.get("Ansvarig")
        if ref is None or (ref.sheet, ref.cell) in ctx.interpreted:
            continue
        for part in _responsible_parts(activity):
            if part.casefold() not in lookup:
                yield warning(ref, _unknown_responsible(part, known, ctx.register))


def _known_responsible(register: Register) -> tuple[str, ...]:
    names = [contact.name.strip() for contact in register.contacts if contact.name.strip()]
    supplier = register.association.supplier.strip()
    return (
        *(role.value for role in Role),
        "Styrelsen",
        "Valberedningen",
        *([supplier] if supplier else []),
        *names,
    )


def _responsible_parts(activity: Activity) -> list[str]:
    parts = _ANSVARIG_SEPARATORS.split(activity.responsible.strip())
    return [part.strip() for part in parts if part.strip()]


def _unknown_responsible(part: str, known: tuple[str, ...], register: Register) -> str:
    closest = max(
        known, key=lambda k: difflib.SequenceMatcher(None, part.casefold(), k.casefold()).ratio()
    )
    supplier = register.association.supplier.strip() or "leverantören"
    return (
        f'Ansvarig "{part}" är varken en roll, ett namn i Kontakter, Styrelsen, '
        f'Valberedningen eller leverantören ({supplier}). Menade du "{closest}"? '
        'Flera ansvariga skiljs åt med "," eller " och ".'
    )


def _activity_follow_up(ctx: _Context) -> Iterator[Problem]:
    # A list line with nothing after its marker shows as an empty bullet in the
    # verksamhetsberättelse: most likely the rest of the line was lost.
    for activity in ctx.register.activities:
        ref = activity.cells.get("Uppföljning")
        if ref is None or (ref.sheet, ref.cell) in ctx.interpreted:
            continue
        lines = activity.follow_up.splitlines()
        empty = [n for n, line in enumerate(lines, start=1) if _EMPTY_ITEM.fullmatch(line)]
        if empty:
            yield warning(
                ref,
                f"Uppföljning har en tom punkt på rad {empty[0]} i cellen (bara ett "
                f'"{lines[empty[0] - 1].strip()}"): skriv vad som gjordes efter tecknet eller '
                "ta bort raden.",
            )


# ---------------------------------------------------------------------------------------------
# Önskemål
# ---------------------------------------------------------------------------------------------


def _wish_ids(ctx: _Context) -> Iterator[Problem]:
    first: dict[str, tuple[CellRef, str]] = {}
    for wish in ctx.register.wishes:
        ref, text = wish.cells.get("ID"), wish.id.strip()
        if not text or ref is None:
            continue
        earlier = first.setdefault(text.casefold(), (ref, text))
        if earlier[0] != ref:
            where = earlier[0] if earlier[1] == text else f'{earlier[0]} ("{earlier[1]}")'
            yield error(
                ref, f'ID "{text}" finns redan i {where}. Varje önskemål ska ha ett eget ID.'
            )


def _wish_pilots(ctx: _Context) -> Iterator[Problem]:
    pilots = [(w, ref) for w in ctx.register.wishes if (ref := _pilot_ref(w)) is not None]
    if len(pilots) < 2:
        return
    for _wish, ref in pilots:
        others = [str(r) for _, r in pilots if r != ref]
        if len(others) > _MAX_NAMED:  # 10,000 wishes must not give 10,000² cell names
            others = [*others[:_MAX_NAMED], f"{len(others) - _MAX_NAMED} till"]
        yield warning(
            ref,
            f"Fler än ett aktivt önskemål har Pilot = Ja (även {_join(others)}). "
            "Högst ett önskemål som varken är Levererad eller Avvisad ska vara pilot.",
        )


def _pilot_ref(wish: Wish) -> CellRef | None:
    if wish.pilot is not True or wish.status.is_closed:
        return None
    return wish.cells.get("Pilot")


_RULES: tuple[Rule, ...] = (
    _association_year,
    _activity_deadlines,
    _activity_responsible,
    _activity_follow_up,
    _wish_ids,
    _wish_pilots,
)

__all__ = ["OPTIONAL_SHEETS", "check", "sort_problems", "validate"]
