"""Tests for docautomation.ranking: categories, order, reasons and warnings."""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docautomation.models import (
    Association,
    Category,
    CategorySource,
    CellRef,
    Level,
    Problem,
    RankedWish,
    Register,
    Severity,
    Wish,
    WishStatus,
)
from docautomation.ranking import (
    DEFAULT_CATEGORIES,
    natural_key,
    rank,
    ranking_problems,
)

LAG, MEDEL, HOG = Level.LAG, Level.MEDEL, Level.HOG
NAMES = {c.number: c.name for c in DEFAULT_CATEGORIES}
C3 = "Kategori 3 (Utvecklingsinsatser som prioriteras högt av medlemmarna)"
BOARD5 = "Styrelsen har satt kategori 5 (Effektivare arbetssätt (processer))."


def wish(wish_id: str = "ÖNS-1", *, row: int = 0, **fields: Any) -> Wish:
    """A wish with Kategori/ID cells on `row` (when given) and the remaining fields as passed."""
    cells = {}
    if row:
        cells = {"ID": CellRef("Önskemål", f"A{row}"), "Kategori": CellRef("Önskemål", f"F{row}")}
    fields.setdefault("title", f"Rubrik {wish_id}")
    return Wish(id=wish_id, row=row, cells=cells, **fields)


def register(
    *wishes: Wish,
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES,
    customised: bool = False,
    threshold: int = 15,
) -> Register:
    """A register holding `wishes` under the given priority order."""
    association = Association("Användarföreningen Castor", 2021, high_priority_threshold=threshold)
    return Register(
        "test.xlsx", association, categories, wishes=wishes, categories_customised=customised
    )


def order(*names: str) -> tuple[Category, ...]:
    """A Prioritering sheet: the names numbered 1..N."""
    return tuple(Category(i, name) for i, name in enumerate(names, start=1))


def only(reg: Register) -> RankedWish:
    """The single ranked wish of a register."""
    (ranked,) = rank(reg).ranked
    return ranked


def ids(reg: Register) -> list[str]:
    """The ranked wishes' IDs, best first."""
    return [r.wish.id for r in rank(reg).ranked]


# ---------------------------------------------------------------------------------------------
# Step 1: category rules, precedence, board
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "category", "reason"),
    [
        ({"legal": True}, 1, "Kategori 1 (Lagstiftning) eftersom Lagkrav = Ja."),
        (
            {"authority_reporting": True},
            2,
            "Kategori 2 (Myndighetsrapportering) eftersom Myndighetsrapportering = Ja.",
        ),
        ({"municipalities": 15}, 3, f"{C3} eftersom Antal kommuner = 15 (gräns 15)."),
        ({"municipalities": 40}, 3, f"{C3} eftersom Antal kommuner = 40 (gräns 15)."),
        (
            {"effort": LAG, "effect": MEDEL},
            4,
            "Kategori 4 (Enkla åtgärder (låg insats)) eftersom Insats = Låg och Effekt = Medel.",
        ),
        (
            {"effort": LAG, "effect": HOG},
            4,
            "Kategori 4 (Enkla åtgärder (låg insats)) eftersom Insats = Låg och Effekt = Hög.",
        ),
        (
            {"effect": LAG, "effort": MEDEL},
            7,
            (
                "Kategori 7 (Lågt prioriterat (liten effekt utifrån insats)) "
                "eftersom Effekt = Låg och Insats = Medel."
            ),
        ),
        (
            {"effect": LAG, "effort": HOG},
            7,
            (
                "Kategori 7 (Lågt prioriterat (liten effekt utifrån insats)) "
                "eftersom Effekt = Låg och Insats = Hög."
            ),
        ),
        (
            {"effect": MEDEL},
            5,
            "Kategori 5 (Effektivare arbetssätt (processer)) eftersom Effekt = Medel.",
        ),
        (
            {"effect": HOG, "effort": HOG, "municipalities": 14},
            5,
            "Kategori 5 (Effektivare arbetssätt (processer)) eftersom Effekt = Hög.",
        ),
    ],
)
def test_each_rule_on_its_own_suggests_its_category(
    fields: dict[str, Any], category: int, reason: str
) -> None:
    """A wish without Kategori that fits exactly one rule gets that rule's category and reason."""
    ranked = only(register(wish(**fields)))
    assert (ranked.category, ranked.category_name) == (category, NAMES[category])
    assert ranked.category_source is CategorySource.RULE
    assert ranked.reason == reason


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, "Ej bedömd: Kategori är tom; Effekt och Insats saknas."),
        (
            {"legal": False, "authority_reporting": False, "municipalities": 14},
            "Ej bedömd: Kategori är tom; Effekt och Insats saknas.",
        ),
        ({"effort": MEDEL}, "Ej bedömd: Kategori är tom; Effekt saknas."),
        ({"effect": LAG}, "Ej bedömd: Kategori är tom; Insats saknas (Effekt = Låg)."),
        (
            {"effect": LAG, "effort": LAG},
            "Ej bedömd: Kategori är tom; Effekt = Låg och Insats = Låg passar ingen regel.",
        ),
    ],
)
def test_wish_no_rule_fits_is_unassessed(fields: dict[str, Any], reason: str) -> None:
    """A wish no rule fits has no category or source and a reason saying what is missing."""
    ranked = only(register(wish(**fields)))
    assert (ranked.category, ranked.category_name, ranked.category_source) == (None, None, None)
    assert ranked.reason == reason


@pytest.mark.parametrize(("municipalities", "category"), [(5, 3), (4, None), (None, None)])
def test_high_priority_threshold_comes_from_forening(
    municipalities: int | None, category: int | None
) -> None:
    """Rule 3 uses Gräns för högt prioriterat from Förening, inclusive; empty counts as 0."""
    ranked = only(register(wish(municipalities=municipalities), threshold=5))
    assert ranked.category == category
    if category:
        assert ranked.reason == f"{C3} eftersom Antal kommuner = 5 (gräns 5)."


@pytest.mark.parametrize(
    ("fields", "category"),
    [
        ({"legal": True, "authority_reporting": True}, 1),
        ({"legal": True, "municipalities": 30, "effort": LAG, "effect": HOG}, 1),
        ({"authority_reporting": True, "municipalities": 30, "effect": LAG, "effort": HOG}, 2),
        ({"municipalities": 30, "effort": LAG, "effect": HOG}, 3),
        ({"municipalities": 30, "effect": LAG, "effort": HOG}, 3),
        ({"effort": LAG, "effect": MEDEL}, 4),
    ],
)
def test_first_rule_that_holds_wins(fields: dict[str, Any], category: int) -> None:
    """When several rules hold, the first in the register's order decides."""
    assert only(register(wish(**fields))).category == category


@pytest.mark.parametrize("number", range(1, 9))
def test_board_kategori_wins_over_every_rule(number: int) -> None:
    """The board's Kategori, including 6 and 8 which no rule gives, overrides the rules."""
    ranked = only(register(wish(category=number, legal=True, effort=LAG, effect=HOG)))
    assert (ranked.category, ranked.category_name) == (number, NAMES[number])
    assert ranked.category_source is CategorySource.BOARD
    assert ranked.reason == f"Styrelsen har satt kategori {number} ({NAMES[number]})."


def test_board_categories_6_and_8_have_exact_reasons() -> None:
    """Avvaktar and Ej aktuellt read as the board's decision, in full."""
    reg = register(wish("A", category=6), wish("B", category=8))
    assert [r.reason for r in rank(reg).ranked] == [
        "Styrelsen har satt kategori 6 (Avvaktar (utifrån resurser och externa faktorer)).",
        "Styrelsen har satt kategori 8 (Ej aktuellt/prioriterat).",
    ]


# ---------------------------------------------------------------------------------------------
# Customised Prioritering
# ---------------------------------------------------------------------------------------------

REORDERED = order(
    "Myndighetsrapportering",
    "Lagstiftning",
    "Enkla åtgärder (låg insats)",
    "Utvecklingsinsatser som prioriteras högt av medlemmarna",
    "Effektivare arbetssätt (processer)",
    "Lågt prioriterat (liten effekt utifrån insats)",
)


@pytest.mark.parametrize(
    ("fields", "category", "reason"),
    [
        ({"legal": True}, 2, "Kategori 2 (Lagstiftning) eftersom Lagkrav = Ja."),
        ({"authority_reporting": True}, 1, None),
        ({"effort": LAG, "effect": HOG}, 3, None),
        ({"municipalities": 20}, 4, None),
        ({"effect": HOG}, 5, None),
        ({"effect": LAG, "effort": HOG}, 6, None),
    ],
)
def test_rules_follow_category_names_in_a_reordered_prioritering(
    fields: dict[str, Any], category: int, reason: str | None
) -> None:
    """In a customised order each rule targets the number now carrying its category's name."""
    ranked = only(register(wish(**fields), categories=REORDERED, customised=True))
    assert (ranked.category, ranked.category_name) == (category, REORDERED[category - 1].name)
    if reason:
        assert ranked.reason == reason


def test_customised_order_ranks_by_the_new_numbers() -> None:
    """With Myndighetsrapportering first, a reporting wish ranks above a legal one."""
    reg = register(
        wish("LAG", legal=True),
        wish("MYN", authority_reporting=True),
        categories=REORDERED,
        customised=True,
    )
    assert ids(reg) == ["MYN", "LAG"]


def test_category_names_match_ignoring_case_and_surrounding_spaces() -> None:
    """ " LAGSTIFTNING " still is Lagstiftning for the rule."""
    cats = order("Säkerhet", "  LAGSTIFTNING ", "myndighetsrapportering")
    reg = register(
        wish("A", legal=True), wish("B", authority_reporting=True), categories=cats, customised=True
    )
    assert [(r.wish.id, r.category) for r in rank(reg).ranked] == [("A", 2), ("B", 3)]


def test_rule_whose_category_was_removed_falls_through_to_the_next() -> None:
    """Without a category named Lagstiftning, Lagkrav = Ja no longer decides; later rules may."""
    cats = order(
        "Lagar och föreskrifter", "Myndighetsrapportering", "Effektivare arbetssätt (processer)"
    )
    reg = register(wish(legal=True, effect=HOG), categories=cats, customised=True)
    ranked = only(reg)
    assert ranked.category == 3
    assert ranked.reason == "Kategori 3 (Effektivare arbetssätt (processer)) eftersom Effekt = Hög."


def test_removed_category_leaves_wish_unassessed_and_says_why() -> None:
    """A wish whose only fitting rule lost its category is unassessed, naming the missing name."""
    cats = order("Lagstiftning", "Myndighetsrapportering")
    ranked = only(register(wish(effort=LAG, effect=HOG), categories=cats, customised=True))
    assert ranked.category is None
    assert ranked.reason == (
        "Ej bedömd: Kategori är tom; Insats = Låg och Effekt = Hög, men kategorin "
        '"Enkla åtgärder (låg insats)" finns inte i prioriteringsordningen; '
        'Effekt = Hög, men kategorin "Effektivare arbetssätt (processer)" finns inte i '
        "prioriteringsordningen."
    )


def test_board_only_category_in_customised_order() -> None:
    """A new category no rule is named after is reached only by the board's Kategori."""
    cats = order("Säkerhet", *(c.name for c in DEFAULT_CATEGORIES))
    reg = register(wish("A", legal=True), wish("B", category=1), categories=cats, customised=True)
    assert [(r.wish.id, r.category, r.category_source) for r in rank(reg).ranked] == [
        ("B", 1, CategorySource.BOARD),
        ("A", 2, CategorySource.RULE),
    ]


def test_name_given_twice_targets_the_lower_number() -> None:
    """If two categories carry the rule's name, the more important one is used."""
    cats = order("Lagstiftning", "Övrigt", "lagstiftning")
    assert only(register(wish(legal=True), categories=cats, customised=True)).category == 1


def test_default_order_is_used_when_register_has_no_categories() -> None:
    """An empty category tuple means the 2021 order, names included."""
    ranked = only(register(wish(effect=HOG), categories=()))
    assert (ranked.category, ranked.category_name) == (5, "Effektivare arbetssätt (processer)")


# ---------------------------------------------------------------------------------------------
# Step 2: order
# ---------------------------------------------------------------------------------------------

D1, D2 = date(2021, 1, 15), date(2021, 2, 1)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"municipalities": 5}, {"municipalities": 3}),
        ({"municipalities": 1}, {"municipalities": None}),
        ({"effect": HOG}, {"effect": MEDEL}),
        ({"effect": MEDEL}, {"effect": LAG}),
        ({"effect": LAG}, {"effect": None}),
        ({"effort": LAG}, {"effort": MEDEL}),
        ({"effort": MEDEL}, {"effort": HOG}),
        ({"effort": HOG}, {"effort": None}),
        ({"submitted": D1}, {"submitted": D2}),
        ({"submitted": D2}, {"submitted": None}),
        ({"wish_id": "ÖNS-2"}, {"wish_id": "ÖNS-10"}),
    ],
)
def test_each_tie_breaker_on_its_own(first: dict[str, Any], second: dict[str, Any]) -> None:
    """Two wishes of one category that differ in exactly one field are ordered by that field."""
    a, b = (wish(**{"wish_id": "ÖNS-1", "category": 5, **f}) for f in (first, second))
    for wishes in ((a, b), (b, a)):
        assert [r.wish for r in rank(register(*wishes)).ranked] == [a, b]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"category": 2, "municipalities": 0}, {"category": 3, "municipalities": 99}),
        ({"category": 8}, {"category": None, "municipalities": 9, "effect": LAG, "effort": LAG}),
        ({"municipalities": 5, "effect": LAG}, {"municipalities": 3, "effect": HOG}),
        ({"effect": HOG, "effort": HOG}, {"effect": MEDEL, "effort": LAG}),
        ({"effort": LAG, "submitted": D2}, {"effort": MEDEL, "submitted": D1}),
        ({"submitted": D1, "wish_id": "ÖNS-9"}, {"submitted": D2, "wish_id": "ÖNS-1"}),
    ],
)
def test_earlier_key_beats_later_keys(first: dict[str, Any], second: dict[str, Any]) -> None:
    """Each step of the order outranks every later one."""
    a, b = (wish(**{"wish_id": "ÖNS-5", "category": 5, **f}) for f in (first, second))
    for wishes in ((a, b), (b, a)):
        assert [r.wish for r in rank(register(*wishes)).ranked] == [a, b]


def test_empty_antal_kommuner_counts_as_zero() -> None:
    """Antal kommuner empty and 0 tie, so the ID decides either way round."""
    for m1, m2 in ((None, 0), (0, None)):
        reg = register(
            wish("A-2", category=5, municipalities=m2), wish("A-1", category=5, municipalities=m1)
        )
        assert ids(reg) == ["A-1", "A-2"]


def test_unassessed_rank_after_every_categorised_wish() -> None:
    """Ej bedömda come last, whatever their other facts, and the ranks run 1..n."""
    reg = register(
        wish("X", municipalities=14, effect=None),
        wish("Y", category=8),
        wish("Z", effect=LAG, effort=MEDEL),
    )
    ranking = rank(reg)
    assert [(r.rank, r.wish.id) for r in ranking.ranked] == [(1, "Z"), (2, "Y"), (3, "X")]


@pytest.mark.parametrize(
    "expected",
    [
        ["ÖNS-2", "ÖNS-10"],
        ["ONS-9", "ONS-10", "ONS-100"],
        ["A-2-b", "A-10-a"],
        ["ons-1", "ONS-2", "ons-3"],
        ["ONS-1", "ons-1"],
        ["ONS-002", "ONS-2", "ONS-3"],
        ["ons-02", "ONS-2"],
        ["1A", "A1"],
        ["X9", "x10", "Y1"],
        ["", "0"],
    ],
)
def test_natural_id_order(expected: list[str]) -> None:
    """IDs sort with digit runs as numbers, case-insensitively, exact text as last resort."""
    given = list(reversed(expected))
    assert sorted(given, key=natural_key) == expected
    wishes = [wish(i, category=3) for i in given]
    assert ids(register(*wishes)) == expected


def test_closed_wishes_are_listed_apart_in_register_order() -> None:
    """Levererad and Avvisad are not ranked; they come apart, by row in the register."""
    statuses = [
        ("A", WishStatus.LEVERERAD, 7),
        ("B", WishStatus.NY, 2),
        ("C", WishStatus.AVVISAD, 5),
        ("D", WishStatus.SKICKAD, 3),
        ("E", WishStatus.LEVERERAD, 4),
        ("F", WishStatus.ACCEPTERAD, 6),
        ("G", WishStatus.PAGAR, 8),
        ("H", WishStatus.AVVISAD, 9),
    ]
    reg = register(*(wish(i, row=r, status=s, category=1) for i, s, r in statuses))
    ranking = rank(reg)
    assert [(r.rank, r.wish.id) for r in ranking.ranked] == [(1, "B"), (2, "D"), (3, "F"), (4, "G")]
    assert [w.id for w in ranking.delivered] == ["E", "A"]
    assert [w.id for w in ranking.rejected] == ["C", "H"]


def test_empty_register_ranks_nothing() -> None:
    """No wishes give an empty ranking and no warnings."""
    reg = register()
    assert (rank(reg).ranked, rank(reg).delivered, ranking_problems(reg)) == ((), (), ())


# ---------------------------------------------------------------------------------------------
# Step 3: reasons
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "facts"),
    [
        ({"municipalities": 12}, {"municipalities": 3}, ("12 kommuner", "3 kommuner")),
        ({"municipalities": 1}, {}, ("1 kommun", "Antal kommuner saknas")),
        (
            {"municipalities": 4, "effect": HOG},
            {"municipalities": 4, "effect": MEDEL},
            ("4 kommuner, Effekt Hög", "4 kommuner, Effekt Medel"),
        ),
        (
            {"effect": HOG, "effort": LAG},
            {"effect": HOG},
            (
                "Antal kommuner saknas, Effekt Hög, Insats Låg",
                "Antal kommuner saknas, Effekt Hög, Insats saknas",
            ),
        ),
        (
            {"municipalities": 0, "submitted": date(2021, 3, 2)},
            {"municipalities": 0},
            (
                "0 kommuner, Effekt saknas, Insats saknas, inlämnat 2021-03-02",
                "0 kommuner, Effekt saknas, Insats saknas, Inlämnat saknas",
            ),
        ),
        (
            {"municipalities": 2, "effect": LAG, "effort": MEDEL, "submitted": D1},
            {"municipalities": 2, "effect": LAG, "effort": MEDEL, "submitted": D1},
            ("2 kommuner, Effekt Låg, Insats Medel, inlämnat 2021-01-15, ordnas efter ID",) * 2,
        ),
    ],
)
def test_reason_names_the_facts_that_place_a_wish_among_equals(
    first: dict[str, Any], second: dict[str, Any], facts: tuple[str, str]
) -> None:
    """Among wishes of one category the reason lists the tie-breakers down to the deciding one."""
    reg = register(wish("ÖNS-1", category=5, **first), wish("ÖNS-2", category=5, **second))
    assert [r.reason for r in rank(reg).ranked] == [
        f"{BOARD5} Plats inom kategorin: {f}." for f in facts
    ]


@pytest.mark.parametrize(
    ("first", "second", "reasons"),
    [
        (
            {"municipalities": 20},
            {"municipalities": 16},
            (
                f"{C3} eftersom Antal kommuner = 20 (gräns 15).",
                f"{C3} eftersom Antal kommuner = 16 (gräns 15).",
            ),
        ),
        (
            {"municipalities": 4, "effect": HOG},
            {"municipalities": 4, "effect": MEDEL},
            (
                (
                    "Kategori 5 (Effektivare arbetssätt (processer)) eftersom Effekt = Hög. "
                    "Plats inom kategorin: 4 kommuner."
                ),
                (
                    "Kategori 5 (Effektivare arbetssätt (processer)) eftersom Effekt = Medel. "
                    "Plats inom kategorin: 4 kommuner."
                ),
            ),
        ),
        (
            {"municipalities": 4, "effect": HOG, "effort": LAG, "submitted": D1},
            {"municipalities": 4, "effect": HOG, "effort": LAG, "submitted": D2},
            (
                (
                    "Kategori 4 (Enkla åtgärder (låg insats)) eftersom Insats = Låg och "
                    "Effekt = Hög. Plats inom kategorin: 4 kommuner, inlämnat 2021-01-15."
                ),
                (
                    "Kategori 4 (Enkla åtgärder (låg insats)) eftersom Insats = Låg och "
                    "Effekt = Hög. Plats inom kategorin: 4 kommuner, inlämnat 2021-02-01."
                ),
            ),
        ),
    ],
)
def test_reason_does_not_repeat_facts_the_rule_names(
    first: dict[str, Any], second: dict[str, Any], reasons: tuple[str, str]
) -> None:
    """Facts the rule's "eftersom" already states are left out of the placing facts."""
    reg = register(wish("ÖNS-1", **first), wish("ÖNS-2", **second))
    assert tuple(r.reason for r in rank(reg).ranked) == reasons


def test_reason_uses_the_deeper_of_both_neighbours() -> None:
    """A wish between two others shows the facts down to whichever neighbour is closer to it."""
    reg = register(
        wish("A", category=5, municipalities=12),
        wish("B", category=5, municipalities=5, effect=HOG),
        wish("C", category=5, municipalities=5, effect=MEDEL),
    )
    assert [r.reason.removeprefix(BOARD5) for r in rank(reg).ranked] == [
        " Plats inom kategorin: 12 kommuner.",
        " Plats inom kategorin: 5 kommuner, Effekt Hög.",
        " Plats inom kategorin: 5 kommuner, Effekt Medel.",
    ]


def test_reason_ignores_neighbours_in_other_categories() -> None:
    """A wish alone in its category needs no facts; unassessed ones compare among themselves."""
    reg = register(
        wish("A", legal=True, municipalities=3),
        wish("B", category=2, municipalities=3),
        wish("C", municipalities=7),
        wish("D", municipalities=2),
    )
    assert [r.reason for r in rank(reg).ranked] == [
        "Kategori 1 (Lagstiftning) eftersom Lagkrav = Ja.",
        "Styrelsen har satt kategori 2 (Myndighetsrapportering).",
        "Ej bedömd: Kategori är tom; Effekt och Insats saknas. Plats bland ej bedömda: 7 kommuner.",
        "Ej bedömd: Kategori är tom; Effekt och Insats saknas. Plats bland ej bedömda: 2 kommuner.",
    ]


def test_as_json_has_the_spec_fields() -> None:
    """`rank --json` objects carry rank, id, title, category, category_name, source, reason."""
    reg = register(wish("ÖNS-1", title='Export "XML" & <mer>', legal=True), wish("ÖNS-2"))
    rows = [r.as_json() for r in rank(reg).ranked]
    assert json.loads(json.dumps(rows, ensure_ascii=False)) == rows
    spec = ("rank", "id", "title", "category", "category_name", "category_source", "reason")
    assert [{k: row[k] for k in spec} for row in rows] == [
        {
            "rank": 1,
            "id": "ÖNS-1",
            "title": 'Export "XML" & <mer>',
            "category": 1,
            "category_name": "Lagstiftning",
            "category_source": "rule",
            "reason": "Kategori 1 (Lagstiftning) eftersom Lagkrav = Ja.",
        },
        {
            "rank": 2,
            "id": "ÖNS-2",
            "title": "Rubrik ÖNS-2",
            "category": None,
            "category_name": None,
            "category_source": None,
            "reason": "Ej bedömd: Kategori är tom; Effekt och Insats saknas.",
        },
    ]


# ---------------------------------------------------------------------------------------------
# ranking_problems
# ---------------------------------------------------------------------------------------------


def warn(cell: str, message: str) -> Problem:
    """A warning on the Önskemål sheet."""
    return Problem(Severity.WARNING, "Önskemål", cell, message)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {},
            (
                "Önskemålet ÖNS-1 är ej bedömt: Kategori är tom; Effekt och Insats saknas. "
                "Fyll i Effekt och Insats (Låg/Medel/Hög) eller sätt Kategori."
            ),
        ),
        (
            {"effort": HOG},
            (
                "Önskemålet ÖNS-1 är ej bedömt: Kategori är tom; Effekt saknas. "
                "Fyll i Effekt (Låg/Medel/Hög) eller sätt Kategori."
            ),
        ),
        (
            {"effect": LAG},
            (
                "Önskemålet ÖNS-1 är ej bedömt: Kategori är tom; Insats saknas (Effekt = Låg). "
                "Fyll i Insats (Låg/Medel/Hög) eller sätt Kategori."
            ),
        ),
        (
            {"effect": LAG, "effort": LAG},
            (
                "Önskemålet ÖNS-1 är ej bedömt: Kategori är tom; Effekt = Låg och Insats = Låg "
                "passar ingen regel. Sätt Kategori (1–8 eller ett kategorinamn)."
            ),
        ),
    ],
)
def test_unassessed_wish_is_warned_at_its_kategori_cell(
    fields: dict[str, Any], expected: str
) -> None:
    """An ej bedömd wish gets one warning at its Kategori cell saying what to fill in."""
    reg = register(wish(row=12, **fields))
    assert ranking_problems(reg) == (warn("F12", expected),)


def test_unassessed_warning_without_kategori_column_names_the_sheet() -> None:
    """Without a Kategori cell the warning concerns the sheet, named as the workbook spells it."""
    w = Wish(id="ÖNS-1", title="t", cells={"ID": CellRef("önskemål ", "A3")})
    (problem,) = ranking_problems(register(w))
    assert (problem.severity, problem.sheet, problem.cell) == (Severity.WARNING, "önskemål ", "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"legal": True, "category": 3},
            (
                f"Önskemålet ÖNS-1 har {C3}, men med Lagkrav = Ja väntas kategori 1 "
                "(Lagstiftning). Kontrollera Kategori och Lagkrav."
            ),
        ),
        (
            {"legal": True, "authority_reporting": True, "category": 2},
            (
                "Önskemålet ÖNS-1 har Kategori 2 (Myndighetsrapportering), men med Lagkrav = Ja "
                "väntas kategori 1 (Lagstiftning). Kontrollera Kategori och Lagkrav."
            ),
        ),
        (
            {"authority_reporting": True, "category": 6},
            (
                "Önskemålet ÖNS-1 har Kategori 6 (Avvaktar (utifrån resurser och externa "
                "faktorer)), men med Myndighetsrapportering = Ja väntas kategori 1 "
                "(Lagstiftning) eller 2 (Myndighetsrapportering). "
                "Kontrollera Kategori och Myndighetsrapportering."
            ),
        ),
        ({"legal": True, "category": 1}, None),
        ({"legal": True, "authority_reporting": True, "category": 1}, None),
        ({"authority_reporting": True, "category": 1}, None),
        ({"authority_reporting": True, "category": 2}, None),
        ({"category": 1}, None),
        ({"legal": False, "authority_reporting": False, "category": 8}, None),
        ({"legal": True}, None),
        ({"effect": HOG}, None),
    ],
)
def test_board_kategori_contradicting_lagkrav_or_myndighetsrapportering(
    fields: dict[str, Any], message: str | None
) -> None:
    """Lagkrav = Ja needs 1, Myndighetsrapportering = Ja needs 1 or 2; else a warning."""
    problems = ranking_problems(register(wish(row=4, **fields)))
    assert problems == ((warn("F4", message),) if message else ())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"legal": True, "category": 2}, None),
        (
            {"legal": True, "category": 1},
            (
                "Önskemålet ÖNS-1 har Kategori 1 (Myndighetsrapportering), men med Lagkrav = Ja "
                "väntas kategori 2 (Lagstiftning). Kontrollera Kategori och Lagkrav."
            ),
        ),
        ({"authority_reporting": True, "category": 2}, None),
        (
            {"authority_reporting": True, "category": 3},
            (
                "Önskemålet ÖNS-1 har Kategori 3 (Enkla åtgärder (låg insats)), men med "
                "Myndighetsrapportering = Ja väntas kategori 1 (Myndighetsrapportering) eller "
                "2 (Lagstiftning). Kontrollera Kategori och Myndighetsrapportering."
            ),
        ),
    ],
)
def test_contradictions_follow_names_in_customised_order(
    fields: dict[str, Any], message: str | None
) -> None:
    """In a customised order the expected categories are those named like rules 1 and 2."""
    reg = register(wish(row=4, **fields), categories=REORDERED, customised=True)
    assert ranking_problems(reg) == ((warn("F4", message),) if message else ())


def test_no_contradiction_when_rule_category_was_removed() -> None:
    """Without a Lagstiftning category, Lagkrav = Ja expects nothing of the board."""
    cats = order("Myndighetsrapportering", "Övrigt")
    reg = register(wish(row=4, legal=True, category=2), categories=cats, customised=True)
    assert ranking_problems(reg) == ()


def test_closed_wishes_get_no_ranking_warnings() -> None:
    """Delivered and rejected wishes are not ranked, so they are not warned about either."""
    reg = register(
        wish("A", row=2, status=WishStatus.LEVERERAD),
        wish("B", row=3, status=WishStatus.AVVISAD, legal=True, category=5),
    )
    assert ranking_problems(reg) == ()


def test_problems_come_in_register_order() -> None:
    """Warnings follow the rows, whatever order the wishes arrive in."""
    reg = register(wish("C", row=9), wish("A", row=3, legal=True, category=4), wish("B", row=5))
    assert [p.cell for p in ranking_problems(reg)] == ["F3", "F5", "F9"]


# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

LEVELS = st.sampled_from([None, LAG, MEDEL, HOG])
# IDs like the board writes them (prefix, number, maybe zero-padded) plus arbitrary short text;
# few distinct values per field so that many wishes tie down to the ID.
ID_TEXT = st.text(alphabet="ÖNSons-_ 0123456789", max_size=8) | st.builds(
    "{}{}".format,
    st.sampled_from(["ÖNS-", "öns-", "ONS-", "A", ""]),
    st.integers(min_value=0, max_value=120).map(str) | st.sampled_from(["007", "010", "02"]),
)
MUNICIPALITIES = st.sampled_from([None, 0, 3, 14, 15, 16, 30])
SUBMITTED = st.sampled_from([None, date(2021, 1, 15), date(2021, 3, 2)])


def _norm(name: str) -> str:
    return " ".join(name.split()).lower()


@st.composite
def registers(draw: st.DrawFn) -> Register:
    """Registers with default or customised orders and arbitrary wishes (unique IDs and rows)."""
    customised = draw(st.booleans())
    categories = DEFAULT_CATEGORIES
    if customised:
        names = draw(st.permutations([c.name for c in DEFAULT_CATEGORIES] + ["Säkerhet", "Övrigt"]))
        keep = draw(st.integers(min_value=1, max_value=len(names)))
        spaced = [draw(st.sampled_from([n, n.upper(), f" {n.lower()}  "])) for n in names[:keep]]
        categories = order(*spaced)
    # A few shared profiles, so that many wishes tie down to the later tie-breakers and the ID.
    profile = st.fixed_dictionaries(
        {
            "category": st.none() | st.integers(min_value=1, max_value=len(categories)),
            "legal": st.sampled_from([None, False, True]),
            "authority_reporting": st.sampled_from([None, False, True]),
            "municipalities": MUNICIPALITIES,
            "effort": LEVELS,
            "effect": LEVELS,
            "submitted": SUBMITTED,
            "status": st.sampled_from(list(WishStatus)),
        }
    )
    profiles = draw(st.lists(profile, min_size=1, max_size=6))
    wish_ids = draw(st.lists(ID_TEXT, unique=True, max_size=25))
    wishes = [
        Wish(id=wish_id, title="t", row=row, **draw(st.sampled_from(profiles) | profile))
        for row, wish_id in enumerate(wish_ids, start=2)
    ]
    threshold = draw(st.sampled_from([0, 15, 16, 31]))
    return register(*wishes, categories=categories, customised=customised, threshold=threshold)


def expected_category(w: Wish, reg: Register) -> int | None:
    """The category rules, written independently of ranking.py."""
    if w.category is not None:
        return w.category
    numbers: dict[str, int] = {}
    for c in reg.categories:
        numbers.setdefault(_norm(c.name), c.number)
    effect_ok = w.effect in (MEDEL, HOG)
    rules = [
        (1, w.legal is True),
        (2, w.authority_reporting is True),
        (3, (w.municipalities or 0) >= reg.association.high_priority_threshold),
        (4, w.effort == LAG and effect_ok),
        (7, w.effect == LAG and w.effort in (MEDEL, HOG)),
        (5, effect_ok),
    ]
    for default, holds in rules:
        target = numbers.get(_norm(NAMES[default])) if reg.categories_customised else default
        if holds and target is not None:
            return target
    return None


def id_before(a: str, b: str) -> bool:
    """Natural ID order, token by token (digit runs as numbers, digits before text)."""
    ta, tb = re.findall(r"\d+|\D+", a.lower()), re.findall(r"\d+|\D+", b.lower())
    for x, y in zip(ta, tb, strict=False):
        if x.isdigit() and y.isdigit():
            if int(x) != int(y):
                return int(x) < int(y)
        elif x.isdigit() != y.isdigit():
            return x.isdigit()
        elif x != y:
            return x < y
    if len(ta) != len(tb):
        return len(ta) < len(tb)
    return (a.lower(), a) <= (b.lower(), b)


def in_order(a: Wish, ca: int | None, b: Wish, cb: int | None) -> bool:
    """Whether a may stand before b under the ranking's order."""
    if ca != cb:
        return cb is None or (ca is not None and ca < cb)
    if (a.municipalities or 0) != (b.municipalities or 0):
        return (a.municipalities or 0) > (b.municipalities or 0)
    if a.effect != b.effect:
        return b.effect is None or (a.effect is not None and a.effect > b.effect)
    if a.effort != b.effort:
        return b.effort is None or (a.effort is not None and a.effort < b.effort)
    if a.submitted != b.submitted:
        return b.submitted is None or (a.submitted is not None and a.submitted < b.submitted)
    return id_before(a.id, b.id)


@settings(max_examples=100, deadline=None)
@given(registers(), st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_input_order(reg: Register, rnd: random.Random) -> None:
    """Ranking (and its warnings) of a shuffled register equals that of the original."""
    shuffled = list(reg.wishes)
    rnd.shuffle(shuffled)
    other = replace(reg, wishes=tuple(shuffled))
    assert rank(other) == rank(reg)
    assert ranking_problems(other) == ranking_problems(reg)


@settings(max_examples=100, deadline=None)
@given(registers())
def test_ranking_is_a_permutation_of_the_active_wishes(reg: Register) -> None:
    """Every open wish is ranked exactly once, ranks run 1..n, closed ones are listed apart."""
    ranking = rank(reg)
    active = [w for w in reg.wishes if w.status not in (WishStatus.LEVERERAD, WishStatus.AVVISAD)]
    assert sorted(r.wish.id for r in ranking.ranked) == sorted(w.id for w in active)
    assert [r.rank for r in ranking.ranked] == list(range(1, len(active) + 1))
    closed = ranking.delivered + ranking.rejected
    assert sorted(w.id for w in closed) == sorted(w.id for w in reg.wishes if w not in active)


@settings(max_examples=100, deadline=None)
@given(registers())
def test_every_adjacent_pair_respects_the_spec_order(reg: Register) -> None:
    """Categories match an independent reading of step 1 and neighbours obey step 2."""
    ranked = rank(reg).ranked
    for r in ranked:
        assert r.category == expected_category(r.wish, reg)
        assert (r.category_source is None) == (r.category is None)
        assert r.reason
    for a, b in itertools.pairwise(ranked):
        assert in_order(a.wish, a.category, b.wish, b.category), (a.wish, b.wish)


@settings(max_examples=50, deadline=None)
@given(registers())
def test_rules_never_suggest_6_or_8_in_the_default_order(reg: Register) -> None:
    """Avvaktar and Ej aktuellt come only from the board."""
    for r in rank(replace(reg, categories=DEFAULT_CATEGORIES, categories_customised=False)).ranked:
        if r.category in (6, 8):
            assert r.category_source is CategorySource.BOARD
