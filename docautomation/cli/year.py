"""The commands that start a year: import a Word plan, roll a register over to the next year."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import console as output
from .options import Command, settings_for


@click.command("import", cls=Command)
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_plan(ctx: click.Context, plan: Path) -> None:
    """Läs en verksamhetsplan i Word (.docx) till ett nytt register i inkorgen.

    \b
    Exempel:
      docautomation import "Verksamhetsplan 2021.docx"   # → inbox/Register 2021.xlsx
    """
    from ..year.plan_import import import_plan as run_import

    result = run_import(plan, settings_for(ctx))
    click.echo(f"Läste {plan.name}:")
    click.echo("\n".join(f"  Hittade: {line}" for line in result.found))
    for line in result.missing:
        click.echo(f"  Saknas:  {line}")
    click.echo(f'Skrev "{output.relative(result.target, Path.cwd())}".')
    for line in result.notes:
        click.echo(line)


@click.command(cls=Command, name="new-year")
@click.argument("register", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--year", type=int, metavar="ÅR", help="Utgå från inkorgens register för ÅR (nytt: ÅR + 1)."
)
@click.pass_context
def new_year(ctx: click.Context, register: Path | None, year: int | None) -> None:
    """Skriv nästa års register bredvid årets: öppna aktiviteter och önskemål följer med.

    Utan REGISTER och --year utgår kommandot från inkorgens senaste år.

    \b
    Exempel:
      docautomation new-year                  # Register 2021.xlsx → Register 2022.xlsx
      docautomation new-year --year 2021
    """
    from ..year import new_year as years

    settings = settings_for(ctx)
    result = years.roll_over(years.choose_source(register, year, settings), settings)
    if result.source_errors:
        for line in output.problem_lines(result.source_errors):
            click.echo(line, err=True)
        click.echo(
            f'Rätta felen i "{result.source.name}" först: nästa års register bygger på det.',
            err=True,
        )
        sys.exit(1)
    assert result.target is not None
    shown = output.relative(result.target, Path.cwd())
    click.echo("\n".join(years.summary_lines(result, shown)))
