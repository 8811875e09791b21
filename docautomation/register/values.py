"""Cell-value parsers: one Excel cell value in, a typed value or a Swedish reason out, never raising."""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from types import MappingProxyType
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from ..models import Category, CellValue, CommentBlock, Level

__all__ = [
    "Reading",
    "cell_text",
    "comment_blocks",
    "is_blank",
    "match_category",
    "match_choice",
    "normalise",
    "parse_choice",
    "parse_email",
    "parse_level",
    "parse_url",
    "parse_whole_number",
    "parse_year",
    "parse_yes_no",
    "show_value",
    "split_items",
    "swedish_list",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reading(Generic[T]):
    """A parsed cell: `value` (None when empty or unreadable) and, if unreadable, why.

    `problem` is the Swedish tail of a message, to follow the column and the value as written,
    e.g. 'är inte ett heltal ≥ 0.' in 'Antal kommuner "3,5" är inte ett heltal ≥ 0.'
    """

    value: T | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def _bad(problem: str) -> Reading[T]:
    return Reading(None, problem)


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Case-fold, collapse runs of white space and strip: the key every matching uses."""
    return " ".join(text.split()).casefold()


def is_blank(value: CellValue) -> bool:
    """True for an empty cell: None or text of only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(number: float) -> str:
    if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return repr(number).replace(".", ",")


def cell_text(value: CellValue) -> str:
    """A cell as text for text columns: text stripped (inner line breaks kept), numbers as written."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return f"{value.date().isoformat()} {value.hour:02d}.{value.minute:02d}"
    if isinstance(value, date):
        return value.isoformat()
    return f"{value.hour:02d}.{value.minute:02d}"


def show_value(value: CellValue) -> str:
    """A cell's value quoted for a message, on one line and cut to a readable length."""
    text = " ".join(cell_text(value).split())
    if len(text) > 60:
        text = text[:57] + "…"
    return f'"{text}"'


def swedish_list(items: Sequence[str]) -> str:
    """'A, B eller C' — the items joined the Swedish way."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " eller " + items[-1]


_MARKER = re.compile(r"\s*[-–•*]\s*")
_ITEM_PREFIX = re.compile(r"\s*(?:[-–•*]\s*|(?:§\s*)?\d{1,2}[.)]\s+)")


def split_items(text: str) -> tuple[str, ...]:
    """One item per non-empty line, list markers (- – • *) and numbers (1. 2) § 3.) removed.

    "09.30 Kaffe" keeps its time: a number is a list number only when a space follows "." or ")".
    """
    items = []
    for line in text.splitlines():
        prefix = _ITEM_PREFIX.match(line)
        item = (line[prefix.end() :] if prefix else line).strip()
        if item:
            items.append(item)
    return tuple(items)


def comment_blocks(text: str) -> tuple[CommentBlock, ...]:
    """A Kommentar's non-empty lines; lines starting with - – • * are list items (marker removed)."""
    blocks = []
    for line in text.splitlines():
        marker = _MARKER.match(line)
        item = (line[marker.end() :] if marker else line).strip()
        if item:
            blocks.append(CommentBlock(item, marker is not None))
    return tuple(blocks)


# ---------------------------------------------------------------------------------------------
# Numbers and yes/no
# ---------------------------------------------------------------------------------------------


def _whole(value: CellValue) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value == int(value) else None
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        # At most 15 digits: longer runs are no count of anything, and int() refuses > 4300.
        if re.fullmatch(r"[+-]?\d{1,15}", text):
            return int(text)
        if re.fullmatch(r"[+-]?\d{1,15}\.0*", text):
            return int(text.split(".")[0])
    return None


def parse_whole_number(
    value: CellValue, *, minimum: int | None = None, maximum: int | None = None
) -> Reading[int]:
    """A whole number: "3", 3.0, "3.0" and "3,0" are all 3; 3.5 and text are not."""
    if is_blank(value):
        return Reading()
    number = _whole(value)
    low = minimum is None or (number is not None and number >= minimum)
    high = maximum is None or (number is not None and number <= maximum)
    if number is not None and low and high:
        return Reading(number)
    if minimum is not None and maximum is not None:
        return _bad(f"är inte ett heltal {minimum}–{maximum}.")
    if minimum is not None:
        return _bad(f"är inte ett heltal ≥ {minimum}.")
    return _bad("är inte ett heltal.")


def parse_year(value: CellValue) -> Reading[int]:
    """A four-digit year such as 2021 (text or number)."""
    reading = parse_whole_number(value, minimum=1900, maximum=2100)
    return reading if reading.ok else _bad("är inte ett årtal (skriv t.ex. 2021).")


_YES = frozenset({"ja", "j", "x", "✓", "✔", "✔️", "☑", "yes", "sant", "true"})
_NO = frozenset({"nej", "n", "no", "falskt", "false"})


def parse_yes_no(value: CellValue) -> Reading[bool]:
    """Ja/Nej/empty; ja, JA, x, X, ✓ mean Ja; Excel's SANT/FALSKT are read too."""
    if is_blank(value):
        return Reading()
    if isinstance(value, bool):
        return Reading(value)
    if isinstance(value, str):
        key = normalise(value)
        if key in _YES:
            return Reading(True)
        if key in _NO:
            return Reading(False)
    return _bad("är inte Ja eller Nej.")


# ---------------------------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------------------------


# Longer text is no misspelling of a short name, and difflib is quadratic in its length.
_SUGGEST_MAX = 100


def match_choice(text: str, choices: Sequence[str]) -> tuple[str | None, str | None]:
    """Match `text` to one of `choices` ignoring case and spaces.

    Returns:
        (the choice, None) on a match; otherwise (None, the closest choice or None) for a
        "Menade du …?" suggestion.
    """
    keys = _choice_keys(tuple(choices))
    key = normalise(text)
    if key in keys:
        return keys[key], None
    if len(key) > _SUGGEST_MAX:
        return None, None
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    return None, (keys[close[0]] if close else None)


@functools.lru_cache(maxsize=64)
def _choice_keys(choices: tuple[str, ...]) -> dict[str, str]:
    """Normalised choice → choice; the same few lists are asked for once per cell."""
    return {normalise(choice): choice for choice in choices}


def parse_choice(
    value: CellValue, labels: Mapping[str, T], aliases: Mapping[str, T] | None = None
) -> Reading[T]:
    """One of `labels` (label → value), or an alias (normalised text → value), or empty."""
    if is_blank(value):
        return Reading()
    text = cell_text(value)
    alias = (aliases or {}).get(normalise(text))
    if alias is not None:
        return Reading(alias)
    choice, suggestion = match_choice(text, tuple(labels))
    if choice is not None:
        return Reading(labels[choice])
    if suggestion is not None:
        return _bad(f'är okänd. Menade du "{suggestion}"?')
    return _bad(f"är okänd: välj {swedish_list(tuple(labels))}.")


_LEVELS: Mapping[str, Level] = MappingProxyType({level.label: level for level in Level})


def parse_level(value: CellValue) -> Reading[Level]:
    """Låg/Medel/Hög in any case and spacing, or empty."""
    return parse_choice(value, _LEVELS)


# ---------------------------------------------------------------------------------------------
# Category (Önskemål Kategori against the priority order)
# ---------------------------------------------------------------------------------------------


def _category_number(number: int, categories: Sequence[Category]) -> Reading[int]:
    numbers = sorted(c.number for c in categories)
    if number in numbers:
        return Reading(number)
    span = f"{numbers[0]}–{numbers[-1]}" if numbers else "i ordningen"
    return _bad(
        f"finns inte i prioriteringsordningen: ange ett nummer {span} eller ett kategorinamn."
    )


def _near_category(key: str, categories: Sequence[Category]) -> Category | None:
    def score(category: Category) -> float:
        name = normalise(category.name)
        ratios = [difflib.SequenceMatcher(None, key, name).ratio()]
        if len(key) >= 4:  # a misspelt start of a long name ("Enkl åtgärd")
            ratios.append(difflib.SequenceMatcher(None, key, name[: len(key)]).ratio())
        return max(ratios)

    best = max(categories, key=score, default=None)
    return best if best is not None and score(best) >= 0.7 else None


def _named(categories: Sequence[Category]) -> str:
    return swedish_list([f'"{c.name}" ({c.number})' for c in categories]).replace(
        " eller ", " och "
    )


def match_category(value: CellValue, categories: Sequence[Category]) -> Reading[int]:
    """Kategori: empty, a number of the order, a name, or the start of exactly one name."""
    if is_blank(value):
        return Reading()
    if isinstance(value, bool | datetime | date | time):
        return _bad("är inte ett nummer eller namn i prioriteringsordningen.")
    number = _whole(value)
    if number is not None:
        return _category_number(number, categories)
    if not isinstance(value, str):
        return _bad("är inte ett heltal.")
    key = normalise(value)
    numbered = re.fullmatch(r"(\d{1,3})\s*[.):]?\s+(.+)", key)
    if numbered:  # "4. Enkla åtgärder" — the number, when the name agrees with it
        hit = [c for c in categories if c.number == int(numbered[1])]
        if hit and normalise(hit[0].name).startswith(numbered[2]):
            return Reading(hit[0].number)
    exact = [c for c in categories if normalise(c.name) == key]
    starts = exact or [c for c in categories if normalise(c.name).startswith(key)]
    if len(starts) == 1:
        return Reading(starts[0].number)
    if len(starts) > 1:
        return _bad(
            f"passar flera kategorier: {_named(starts)}. Skriv mer av namnet eller ange numret."
        )
    near = _near_category(key, categories) if len(key) <= _SUGGEST_MAX else None
    if near is not None:
        return _bad(
            f'finns inte i prioriteringsordningen. Menade du "{near.name}" ({near.number})?'
        )
    return _bad("finns inte i prioriteringsordningen: ange ett nummer eller början av ett namn.")


# ---------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------


def parse_url(value: CellValue) -> Reading[str]:
    """An https:// address (Distanslänk), stripped; http://, spaces or no host are refused."""
    if is_blank(value):
        return Reading()
    text = cell_text(value)
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname:
        return _bad("är inte en https://-adress (länken ska börja med https://).")
    if len(text.split(maxsplit=1)) > 1:  # white space inside (the ends are stripped)
        return _bad("är inte en giltig länk: den innehåller mellanslag.")
    return Reading(text)


_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}")


def parse_email(value: CellValue) -> Reading[str]:
    """Something shaped like an e-mail address (name@domain.tld); "mailto:" is dropped."""
    if is_blank(value):
        return Reading()
    text = cell_text(value)
    if text.casefold().startswith("mailto:"):
        text = text[len("mailto:") :]
    if isinstance(value, str) and _EMAIL.fullmatch(text) and ".." not in text:
        return Reading(text)
    return _bad("ser inte ut som en e-postadress (t.ex. namn@kommun.se).")
