"""Ranking of the önskemål: category by board or rule, total order, Swedish reasons."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from .models import (
    DEFAULT_CATEGORIES,
    CategorySource,
    CellRef,
    Level,
    Problem,
    RankedWish,
    Ranking,
    Register,
    Wish,
    WishStatus,
    warning,
)

__all__ = ["DEFAULT_CATEGORIES", "natural_key", "rank", "ranking_problems"]

_DEFAULT_NAMES = {c.number: c.name for c in DEFAULT_CATEGORIES}
_SHEET = "Önskemål"
_MEDEL_HOG = (Level.MEDEL, Level.HOG)


# ---------------------------------------------------------------------------------------------
# Step 1: category
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    """One rule that suggests a category for a wish the board left uncategorised."""

    default_number: int
    holds: Callable[[Wish, int], bool]  # (wish, Gräns för högt prioriterat)
    because: Callable[[Wish, int], str]  # the fact that made it hold, in Swedish
    states: frozenset[int] = frozenset()  # tie-breaker facts (see _fact) `because` already names


def _level(level: Level | None) -> str:
    return level.label if level is not None else "tom"


# In the association's order: the first rule that holds (and still has its category) wins.
_RULES: tuple[_Rule, ...] = (
    _Rule(1, lambda w, t: w.legal is True, lambda w, t: "Lagkrav = Ja"),
    _Rule(
        2, lambda w, t: w.authority_reporting is True, lambda w, t: "Myndighetsrapportering = Ja"
    ),
    _Rule(
        3,
        lambda w, t: (w.municipalities or 0) >= t,
        lambda w, t: f"Antal kommuner = {w.municipalities or 0} (gräns {t})",
        frozenset({0}),
    ),
    _Rule(
        4,
        lambda w, t: w.effort is Level.LAG and w.effect in _MEDEL_HOG,
        lambda w, t: f"Insats = Låg och Effekt = {_level(w.effect)}",
        frozenset({1, 2}),
    ),
    _Rule(
        7,
        lambda w, t: w.effect is Level.LAG and w.effort in _MEDEL_HOG,
        lambda w, t: f"Effekt = Låg och Insats = {_level(w.effort)}",
        frozenset({1, 2}),
    ),
    _Rule(
        5,
        lambda w, t: w.effect in _MEDEL_HOG,
        lambda w, t: f"Effekt = {_level(w.effect)}",
        frozenset({1}),
    ),
)


@dataclass(frozen=True, slots=True)
class _Order:
    """The register's priority order as ranking needs it: names, and each rule's target number."""

    names: Mapping[int, str]
    targets: tuple[int | None, ...]  # aligned with _RULES; None = that rule no longer applies
    threshold: int


@dataclass(frozen=True, slots=True)
class _Assessment:
    """A wish's category, where it came from, and the first sentence of its reason."""

    wish: Wish
    category: int | None
    source: CategorySource | None
    basis: str
    stated: frozenset[int] = frozenset()  # facts the basis names, not repeated in the reason


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _order(register: Register) -> _Order:
    categories = register.categories or DEFAULT_CATEGORIES
    names = {c.number: c.name for c in sorted(categories, key=lambda c: c.number)}
    if register.categories_customised:
        # Lowest number first, so a name given twice targets the more important category.
        by_name: dict[str, int] = {}
        for number in sorted(names, reverse=True):
            by_name[_name_key(names[number])] = number
        targets = tuple(by_name.get(_name_key(_DEFAULT_NAMES[r.default_number])) for r in _RULES)
    else:
        targets = tuple(r.default_number for r in _RULES)
    return _Order(names, targets, register.association.high_priority_threshold)


def _label(number: int, order: _Order) -> str:
    name = order.names.get(number)
    return f"{number} ({name})" if name else str(number)


def _assess(wish: Wish, order: _Order) -> _Assessment:
    if wish.category is not None:
        basis = f"Styrelsen har satt kategori {_label(wish.category, order)}"
        return _Assessment(wish, wish.category, CategorySource.BOARD, basis)
    for rule, target in zip(_RULES, order.targets, strict=True):
        if target is not None and rule.holds(wish, order.threshold):
            basis = (
                f"Kategori {_label(target, order)} eftersom {rule.because(wish, order.threshold)}"
            )
            return _Assessment(wish, target, CategorySource.RULE, basis, rule.states)
    return _Assessment(wish, None, None, "Ej bedömd: " + "; ".join(_gaps(wish, order)[0]))


def _gaps(wish: Wish, order: _Order) -> tuple[list[str], str]:
    """What keeps an uncategorised wish from being assessed, and what the board should fill in."""
    found = ["Kategori är tom"]
    if wish.effect is None:
        found.append("Effekt och Insats saknas" if wish.effort is None else "Effekt saknas")
        todo = "Effekt och Insats" if wish.effort is None else "Effekt"
        advice = f"Fyll i {todo} (Låg/Medel/Hög) eller sätt Kategori."
    elif wish.effect is Level.LAG and wish.effort is None:
        found.append("Insats saknas (Effekt = Låg)")
        advice = "Fyll i Insats (Låg/Medel/Hög) eller sätt Kategori."
    else:
        if wish.effect is Level.LAG and wish.effort is Level.LAG:
            found.append("Effekt = Låg och Insats = Låg passar ingen regel")
        advice = f"Sätt Kategori (1–{len(order.names)} eller ett kategorinamn)."
    for rule, target in zip(_RULES, order.targets, strict=True):
        if target is None and rule.holds(wish, order.threshold):
            missing = _DEFAULT_NAMES[rule.default_number]
            found.append(
                f'{rule.because(wish, order.threshold)}, men kategorin "{missing}" '
                "finns inte i prioriteringsordningen"
            )
    return found, advice


# ---------------------------------------------------------------------------------------------
# Step 2: order
# ---------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"(\d+)")

NaturalKey = tuple[tuple[str | int, ...], str, str]


@functools.lru_cache(maxsize=65536)  # sorting and checking ask for each ID's key several times
def natural_key(text: str) -> NaturalKey:
    """Sort key for IDs: runs of digits compare as numbers, the rest without regard to case.

    Case-insensitive text first, then the exact text, so different IDs never compare equal
    ("ÖNS-2" < "ÖNS-10"; "ons-1" and "ÖNS-1" still have a fixed order).
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    # re.split with a group alternates text (even index) and digits (odd index), so the same
    # position always holds the same type and the tuples compare without a TypeError.
    parts = tuple(int(p) if i % 2 else p for i, p in enumerate(_DIGITS.split(folded)))
    return parts, folded, text


class _TieBreak(NamedTuple):
    """Step 2 after the category, one field per tie-breaker, smaller = earlier."""

    municipalities: int
    effect: int
    effort: int
    submitted: tuple[bool, date]
    ident: tuple[NaturalKey, int, str]


def _tie_break(wish: Wish) -> _TieBreak:
    return _TieBreak(
        municipalities=-(wish.municipalities or 0),
        effect=-(wish.effect or 0),  # empty (0) after Låg (1)
        effort=wish.effort or 4,  # empty after Hög (3)
        submitted=(wish.submitted is None, wish.submitted or date.min),
        # Row and title only matter for duplicate IDs (a validation error) and keep it total.
        ident=(natural_key(wish.id), wish.row, wish.title),
    )


def _sort_key(a: _Assessment) -> tuple[tuple[bool, int], _TieBreak]:
    return (a.category is None, a.category or 0), _tie_break(a.wish)


def _register_order(wish: Wish) -> tuple[int, NaturalKey]:
    return wish.row, natural_key(wish.id)


# ---------------------------------------------------------------------------------------------
# Step 3: reasons
# ---------------------------------------------------------------------------------------------


def _fact(wish: Wish, level: int) -> str:
    if level == 0:
        m = wish.municipalities
        return "Antal kommuner saknas" if m is None else f"{m} kommun{'' if m == 1 else 'er'}"
    if level == 1:
        return f"Effekt {wish.effect.label}" if wish.effect else "Effekt saknas"
    if level == 2:
        return f"Insats {wish.effort.label}" if wish.effort else "Insats saknas"
    if level == 3:
        return f"inlämnat {wish.submitted.isoformat()}" if wish.submitted else "Inlämnat saknas"
    return "ordnas efter ID"


def _deciding_level(a: _TieBreak, b: _TieBreak) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y), len(a) - 1)


def _reasons(ordered: Sequence[_Assessment]) -> list[str]:
    """Each wish's reason: its basis, plus the tie-breakers that place it among its category."""
    keys = [_tie_break(a.wish) for a in ordered]
    reasons = []
    for i, a in enumerate(ordered):
        levels = [
            _deciding_level(keys[i], keys[j])
            for j in (i - 1, i + 1)
            if 0 <= j < len(ordered) and ordered[j].category == a.category
        ]
        deciding = [n for n in range(max(levels, default=-1) + 1) if n not in a.stated]
        if not deciding:
            reasons.append(f"{a.basis}.")
            continue
        facts = ", ".join(_fact(a.wish, level) for level in deciding)
        where = "bland ej bedömda" if a.category is None else "inom kategorin"
        reasons.append(f"{a.basis}. Plats {where}: {facts}.")
    return reasons


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def rank(register: Register) -> Ranking:
    """Rank the register's open wishes by the priority order; pure and deterministic.

    Args:
        register: the interpreted register.

    Returns:
        The wishes that are neither Levererad nor Avvisad, best first, each with its category
        and Swedish reason; delivered and rejected wishes apart, in register order (row, then
        ID), so the result does not depend on the order of `register.wishes`.
    """
    order = _order(register)
    active = [w for w in register.wishes if not w.status.is_closed]
    ordered = sorted((_assess(w, order) for w in active), key=_sort_key)
    ranked = tuple(
        RankedWish(
            rank=i,
            wish=a.wish,
            category=a.category,
            category_name=order.names.get(a.category) if a.category is not None else None,
            category_source=a.source,
            reason=reason,
        )
        for i, (a, reason) in enumerate(zip(ordered, _reasons(ordered), strict=True), start=1)
    )
    return Ranking(
        ranked=ranked,
        delivered=_closed(register.wishes, WishStatus.LEVERERAD),
        rejected=_closed(register.wishes, WishStatus.AVVISAD),
    )


def _closed(wishes: Iterable[Wish], status: WishStatus) -> tuple[Wish, ...]:
    return tuple(sorted((w for w in wishes if w.status is status), key=_register_order))


def ranking_problems(register: Register) -> tuple[Problem, ...]:
    """Warnings about the ranking (unassessed wishes, contradicting board categories), open wishes only.

    An unassessed wish is warned at its Kategori cell with what to fill in; a board Kategori
    that contradicts Lagkrav = Ja or Myndighetsrapportering = Ja is warned at its Kategori cell.

    Args:
        register: the interpreted register.

    Returns:
        The warnings in register order (row, then ID).
    """
    order = _order(register)
    problems: list[Problem] = []
    for wish in sorted(register.wishes, key=_register_order):
        if wish.status.is_closed:
            continue
        if wish.category is None:
            if _assess(wish, order).category is None:
                found, advice = _gaps(wish, order)
                named = f"Önskemålet {wish.id.strip()}" if wish.id.strip() else "Önskemålet"
                text = f"{named} är ej bedömt: {'; '.join(found)}. {advice}"
                problems.append(warning(_kategori_ref(wish), text, sheet=_sheet(wish)))
            continue
        contradiction = _contradiction(wish, wish.category, order)
        if contradiction:
            problems.append(warning(_kategori_ref(wish), contradiction, sheet=_sheet(wish)))
    return tuple(problems)


def _contradiction(wish: Wish, category: int, order: _Order) -> str | None:
    """The warning text when the board's Kategori contradicts the Lagkrav or reporting rule."""
    legal, authority = order.targets[0], order.targets[1]
    if wish.legal is True and legal is not None and category != legal:
        field, expected = "Lagkrav", [legal]
    elif wish.authority_reporting is True and authority is not None:
        field, expected = (
            "Myndighetsrapportering",
            sorted(n for n in (legal, authority) if n is not None),
        )
        if category in expected:
            return None
    else:
        return None
    first, *rest = (_label(n, order) for n in expected)
    wanted = " eller ".join([f"kategori {first}", *rest])
    return (
        f"Önskemålet {wish.id} har Kategori {_label(category, order)}, men med {field} = Ja "
        f"väntas {wanted}. Kontrollera Kategori och {field}."
    )


def _kategori_ref(wish: Wish) -> CellRef | None:
    return wish.cells.get("Kategori")


def _sheet(wish: Wish) -> str:
    # Without a Kategori column the warning concerns the sheet; name it as the workbook does.
    return next((ref.sheet for ref in wish.cells.values()), _SHEET)
