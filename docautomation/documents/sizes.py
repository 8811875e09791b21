"""How big a template's next step would make a text, measured before the step is taken.

Most steps grow text at most by what they are given, so checking their result is enough. These
do not: a width ('x'.ljust(10**9), "%9999999s", center), a repeat (join, replace, indent,
wordwrap), or turning a list into text (a list of 100,000 references to one long text prints
as 100,000 copies). For those the size is estimated from the arguments, generously, first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jinja2

MAX_INT_DIGITS = 4300  # where Python itself stops turning an int into text
MAX_INT_BITS = math.ceil(MAX_INT_DIGITS * math.log2(10))
_NESTED_FIELD = re.compile(r"\{[^{}]*\{")  # "{:{width}}": a width taken from an argument
_DIGITS = re.compile(r"\d+")
# Filters that turn their value into text first (a list printed in full).
_TEXT_FILTERS = frozenset(
    {
        "capitalize", "center", "e", "escape", "forceescape", "format", "indent", "lower",
        "pprint", "replace", "safe", "string", "striptags", "title", "tojson", "trim",
        "truncate", "upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr",
    }
)  # fmt: skip
_STR_METHOD_WIDTH = frozenset({"ljust", "rjust", "center", "zfill"})


def int_bits(value: int) -> int:
    """The number of bits of `value` (its size in memory, roughly)."""
    return value.bit_length()


def text_size(value: Any, limit: int) -> int:
    """About how many characters str(value) has; counting stops once past `limit`.

    Shared references count every time, as printing repeats them; a list that holds itself
    grows the count on every visit, so it ends past `limit` too.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += int_bits(item) // 3 + 2
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            stack.extend(item)
        elif isinstance(item, jinja2.utils.Namespace):
            stack.append(dict(object.__getattribute__(item, "_Namespace__attrs")))
        elif hasattr(item, "__html__"):  # RichText, Listing, Markup-like values
            total += len(item.__html__())
        else:
            total += 100
    return total


def filter_size(name: str, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int) -> int:
    """The most text the filter `name` can build from its value and arguments (0: no concern)."""
    if not args:
        return 0
    value, rest = args[0], args[1:]
    if name == "join":
        return _join_size(kwargs.get("d", rest[0] if rest else ""), value, limit)
    if name in ("batch", "slice"):
        count = rest[0] if rest else kwargs.get("linecount", kwargs.get("slices", 0))
        return count if isinstance(count, int) else 0
    if name not in _TEXT_FILTERS:
        return 0
    base = len(value) if isinstance(value, str) else text_size(value, limit)
    lines = value.count("\n") + 1 if isinstance(value, str) else base + 1
    if name == "center":
        return max(base, _int(rest[0] if rest else kwargs.get("width", 80)))
    if name == "indent":
        width = rest[0] if rest else kwargs.get("width", 4)
        return base + lines * (len(width) if isinstance(width, str) else _int(width))
    if name == "replace":
        new = rest[1] if len(rest) > 1 else kwargs.get("new", "")
        return base + (base + 1) * len(str(new))
    if name == "wordwrap":
        width = _int(rest[0] if rest else kwargs.get("width", 79)) or 1
        wrap = rest[2] if len(rest) > 2 else kwargs.get("wrapstring") or "\n"
        return base + (base // width + 1) * len(str(wrap))
    if name == "format" and isinstance(value, str):
        return format_size(value, rest, kwargs, limit)
    return base


def call_size(
    name: str, owner: Any, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int
) -> int:
    """The most text a call of method `name` on `owner` can build (0: no concern)."""
    if name == "generate_lorem_ipsum":  # lipsum(n, html, min, max)
        return _int(kwargs.get("n", args[0] if args else 5)) * _int(kwargs.get("max", 100)) * 12
    if not isinstance(owner, str):
        return 0
    if name in _STR_METHOD_WIDTH:
        return max(len(owner), _int(args[0] if args else kwargs.get("width", 0)))
    if name == "expandtabs":
        tabsize = _int(args[0] if args else kwargs.get("tabsize", 8))
        return len(owner) + owner.count("\t") * tabsize
    if name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = owner.count(old) if old else len(owner) + 1
        return len(owner) + count * max(len(new) - len(old), 0)
    if name == "join" and args:
        return _join_size(owner, args[0], limit)
    if name in ("format", "format_map"):
        values = args[0] if name == "format_map" and args else {}
        positional = () if name == "format_map" else args
        return format_size(owner, positional, {**kwargs, **dict(values)}, limit)
    if name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        return len(owner) * max(longest, 1)
    return 0


def format_size(fmt: str, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int) -> int:
    """Most text `fmt` formatted with the arguments can give ({} or % placeholders, widths)."""
    values = [*args, *kwargs.values()]
    widths = sum(int(d) for d in _DIGITS.findall(fmt))
    if "*" in fmt or _NESTED_FIELD.search(fmt):  # a width given as an argument
        widths += sum(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    longest = max((text_size(v, limit) for v in values), default=0)
    return len(fmt) + widths + (fmt.count("{") + fmt.count("%")) * longest


def _join_size(separator: Any, items: Any, limit: int) -> int:
    if not isinstance(items, list | tuple | set | frozenset | Mapping):
        return 0  # a generator (map, select): its items are measured as they are made
    values: Iterable[Any] = items.keys() if isinstance(items, Mapping) else items
    total = len(str(separator)) * len(items)
    for value in values:
        total += len(value) if isinstance(value, str) else text_size(value, limit)
        if total > limit:
            break
    return total


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0
