"""Swedish for click's own words: usage lines, help headings, usage errors.

click looks every text it shows up through gettext (`_` and `ngettext` in each of its modules).
Rather than ship a compiled .mo file and depend on the user's locale, the CLI points those names
at this catalogue when it starts, so `--help` and a mistyped flag read as Swedish as the rest.
A text click adds in a later version falls back to its English until it is added here; the
CLI tests fail on English words, so that is noticed.
"""

from __future__ import annotations

import types

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

_TEXTS = {
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "Missing argument": "Argument saknas",
    "Missing option": "Flagga saknas",
    "Missing parameter": "Värde saknas",
    "Missing parameter: {param_name}": "Värde saknas: {param_name}",
    "Missing {param_type}": "{param_type} saknas",
    "Missing command.": "Kommando saknas.",
    "No such command {name!r}.": "Kommandot {name!r} finns inte.",
    "No such option {name!r}.": "Flaggan {name!r} finns inte.",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inget giltigt {number_type}.",
    "{value} is not in the range {range}.": "{value} ligger inte i intervallet {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva.",
    "Could not open file {filename!r}: {message}": "Kunde inte öppna {filename!r}: {message}",
    "Aborted!": "Avbrutet.",
    "file": "fil",
    "directory": "mapp",
    "path": "sökväg",
    "default: {default}": "standard: {default}",
    "env var: {var}": "miljövariabel: {var}",
    "unknown error": "okänt fel",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
}
_PLURAL_TEXTS = {
    "Got unexpected extra argument ({args})": (
        "Oväntat extra argument ({args})",
        "Oväntade extra argument ({args})",
    ),
    "Did you mean {possibility}?": (
        "Menade du {possibility}?",
        "(Menade du någon av: {possibilities}?)",
    ),
    "Option {name!r} requires an argument.": (
        "Flaggan {name!r} behöver ett värde.",
        "Flaggan {name!r} behöver {nargs} värden.",
    ),
    "{value!r} is not {choice}.": (
        "{value!r} är inte {choice}.",
        "{value!r} är inte något av {choices}.",
    ),
    "{value!r} does not match the format {format}.": (
        "{value!r} har inte formen {format}.",
        "{value!r} har ingen av formerna {formats}.",
    ),
    "Takes {nargs} values but 1 was given.": (
        "Tar {nargs} värden men 1 angavs.",
        "Tar {nargs} värden men {len} angavs.",
    ),
}
# The names of click's number types, as they appear in "… is not a valid integer."
_TYPE_NAMES = {
    click.types.IntParamType: "heltal",
    click.types.FloatParamType: "decimaltal",
    click.types.IntRange: "heltal",
    click.types.FloatRange: "decimaltal",
}


def _gettext(message: str) -> str:
    return _TEXTS.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    pair = _PLURAL_TEXTS.get(singular)
    if pair is None:
        return singular if n == 1 else plural
    return pair[0] if n == 1 else pair[1]


def install() -> None:
    """Point click's message look-ups at the Swedish catalogue (idempotent)."""
    modules: tuple[types.ModuleType, ...] = (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    )
    for module in modules:
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
    for kind, name in _TYPE_NAMES.items():
        setattr(kind, "name", name)  # noqa: B010 - a class attribute click reads for its messages
