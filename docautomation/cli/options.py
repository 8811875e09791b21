"""What the commands share: the command classes, exit-code text, flags and resolved settings."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from ..config import Settings, load_settings
from ..errors import EXIT_MEANINGS, DocAutomationError
from . import catalogue
from . import console as output

# The details the help adds to each exit code's common meaning (errors.EXIT_MEANINGS).
_EXIT_DETAILS = {
    0: "varningar tillåtna",
    1: "eller ett dokument eller en synkronisering kunde inte slutföras",
    2: "eller fel i användningen",
    3: "ingen arbetsbok, skadad, lösenordsskyddad, för stor",
}
EXIT_CODES = "\b\nSlutkoder:\n" + "\n".join(
    f"  {code}  {meaning} ({_EXIT_DETAILS[code]})" for code, meaning in EXIT_MEANINGS.items()
)


class Command(click.Command):
    """A command whose usage line says [FLAGGOR], not click's [OPTIONS]."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """Maps the package's exceptions to one line on stderr and their exit code, once."""

    command_class = Command
    group_class = type  # subgroups (templates) are of this same class, with its Swedish usage

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT]...")
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        catalogue.install()  # click's own words (usage, help headings, usage errors) in Swedish
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DocAutomationError as exc:
            click.echo(f"Fel: {exc}", err=True)
            sys.exit(exc.exit_code)


def settings_for(ctx: click.Context, *, templates: bool = False, **overrides: Any) -> Settings:
    """The resolved settings; `templates` for a command that renders (it says, once, when the
    working folder has no templates/ and the shipped templates are used)."""
    opts = ctx.find_root().obj
    settings = load_settings(
        config_file=opts["config"], use_config=opts["use_config"], overrides=overrides
    )
    if templates and settings.shipped_templates:
        click.echo(
            "Använder de medföljande mallarna (arbetsmappen har ingen mapp templates).", err=True
        )
    return settings


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} är inte ett datum på formen ÅÅÅÅ-MM-DD.") from None


def log_as_service(ctx: click.Context) -> None:
    opts = ctx.find_root().obj
    output.configure_logging(opts["verbose"], opts["quiet"], service=True)


register_arg = click.argument("register", type=click.Path(dir_okay=False, path_type=Path))
registers_arg = click.argument(
    "registers", nargs=-1, metavar="[REGISTER]...", type=click.Path(dir_okay=False, path_type=Path)
)
out_opt = click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="MAPP",
    help="Utkorgen (standard: outbox/ i arbetsmappen).",
)
