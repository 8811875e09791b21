"""The command line: parse flags, resolve settings, call the library, map errors to exit codes."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path

import click

from ..errors import ConfigError
from ..swedish import count
from . import console as output
from .options import (
    EXIT_CODES,
    Group,
    out_opt,
    parse_date,
    register_arg,
    registers_arg,
    settings_for,
)
from .service import status, sync, watch
from .year import import_plan, new_year


@click.group(cls=Group, epilog=EXIT_CODES)
@click.version_option(
    package_name="docautomation",
    message="%(prog)s, version %(version)s",
    help="Visa versionen och avsluta.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FIL",
    help="Inställningsfilen (standard: docautomation.toml i mappen eller en mapp ovanför).",
)
@click.option("--no-config", is_flag=True, help="Läs ingen inställningsfil.")
@click.option("-v", "--verbose", count=True, help="Mer i loggen (-vv för felsökning).")
@click.option("-q", "--quiet", is_flag=True, help="Bara fel i loggen.")
@click.pass_context
def cli(
    ctx: click.Context, config: Path | None, no_config: bool, verbose: int, quiet: bool
) -> None:
    """Gör föreningens Excelregister till dess Worddokument.

    \b
    Exempel:
      docautomation build                  # varje register i inbox/ → outbox/
      docautomation validate "inbox/Register 2021.xlsx"
      docautomation watch                  # bygg om varje gång registret sparas
    """
    output.configure_logging(verbose, quiet)
    ctx.obj = {"config": config, "use_config": not no_config, "verbose": verbose, "quiet": quiet}


@cli.command()
@click.argument(
    "directory", required=False, metavar="[MAPP]", type=click.Path(file_okay=False, path_type=Path)
)
def init(directory: Path | None) -> None:
    """Sätt upp en arbetsmapp: inställningsfil, inbox/, outbox/, templates/ och ett tomt register.

    \b
    Exempel:
      docautomation init Castor
    """
    from ..register.scaffold import init_folder

    target = directory or Path.cwd()
    created = init_folder(target)
    for path in created:
        click.echo(f"Skapade {output.relative(path, target)}")
    if not created:
        click.echo(f"{target} är redan uppsatt; inget ändrades.")


@cli.command()
@registers_arg
@click.option("--json", "as_json", is_flag=True, help="Skriv problemen som en JSON-lista.")
@click.pass_context
def validate(ctx: click.Context, registers: tuple[Path, ...], as_json: bool) -> None:
    """Kontrollera register och lista problemen (slutkod 1 vid fel).

    Utan REGISTER kontrolleras varje register i inkorgen.

    \b
    Exempel:
      docautomation validate "inbox/Register 2021.xlsx" --json
    """
    from ..build import validate_files

    reports = validate_files(list(registers) or None, settings_for(ctx))
    if as_json:
        several = len(reports) > 1
        found = [
            {**p.as_json(), **({"file": path.name} if several else {})}
            for path, report in reports
            for p in report.problems
        ]
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        for path, report in reports:
            if len(reports) > 1:
                click.echo(f"{path.name}:")
            click.echo("\n".join(output.problem_lines(report.problems)))
    sys.exit(1 if any(report.has_errors for _, report in reports) else 0)


@cli.command()
@register_arg
@click.option("--json", "as_json", is_flag=True, help="Skriv rangordningen som en JSON-lista.")
@click.pass_context
def rank(ctx: click.Context, register: Path, as_json: bool) -> None:
    """Rangordna de aktiva önskemålen enligt föreningens prioriteringsordning, med skäl.

    \b
    Exempel:
      docautomation rank "inbox/Register 2021.xlsx"
    """
    from ..build import validate_file
    from ..ranking import rank as rank_wishes

    report = validate_file(register, settings_for(ctx))
    if report.has_errors:
        # A wrong cell (a misspelt Kategori, a bad number) would silently move wishes.
        for line in output.problem_lines(report.errors):
            click.echo(line, err=True)
        click.echo("Rätta felen ovan först: rangordningen bygger på de cellerna.", err=True)
        sys.exit(1)
    ranked = rank_wishes(report.register)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in ranked.ranked], ensure_ascii=False, indent=2))
    else:
        click.echo(output.ranking_table(ranked))


@cli.command()
@registers_arg
@out_opt
@click.option(
    "--date",
    "today",
    callback=parse_date,
    metavar="ÅÅÅÅ-MM-DD",
    help='Bestäm "i dag" (samma register och datum ger samma dokument).',
)
@click.option(
    "--pdf",
    is_flag=True,
    help=(
        "Skriv också en kontrollerad PDF av varje dokument (kräver LibreOffice och "
        "pdftotext; pdf = true i docautomation.toml gör detsamma)."
    ),
)
@click.pass_context
def build(
    ctx: click.Context, registers: tuple[Path, ...], out: Path | None, today: date | None, pdf: bool
) -> None:
    """Bygg dokumenten från registret; utan REGISTER från varje register i inkorgen.

    \b
    Exempel:
      docautomation build
      docautomation build "inbox/Register 2021.xlsx" --out outbox --date 2021-01-10
    """
    from ..build import build as run_build

    settings = settings_for(ctx, templates=True, outbox=out)
    summary = run_build(
        list(registers) or None, settings, today=today, pdf=pdf, progress=output.progress_bar
    )
    for line in output.build_lines(summary, settings.outbox):
        click.echo(line, err=line.startswith("Fel"))
    sys.exit(summary.exit_code)


@cli.command()
@click.argument("document", metavar="DOKUMENT", type=click.Path(path_type=Path))
@out_opt
@click.pass_context
def explain(ctx: click.Context, document: Path, out: Path | None) -> None:
    """Berätta var ett skapat dokument kommer ifrån och om det har ändrats sedan dess.

    \b
    Slutkoder: 0 klart · 1 dokumentet är inte skapat av docautomation · 3 inget läsbart
    Worddokument.

    \b
    Exempel:
      docautomation explain "outbox/2021/Verksamhetsplan 2021.docx"
    """
    from ..outbox.provenance import explain as explain_document

    settings = settings_for(ctx, outbox=out)
    found = explain_document(document, outbox=settings.outbox, inbox=settings.inbox)
    for line in found.lines:
        click.echo(line)
    sys.exit(0 if found.ours else 1)


@cli.group()
def templates() -> None:
    """Arbeta med Wordmallarna."""


@templates.command("check")
@click.option(
    "--register",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="REGISTER",
    help="Registret att prova mallarna mot (standard: det medföljande exemplet).",
)
@click.pass_context
def templates_check(ctx: click.Context, register: Path | None) -> None:
    """Prova varje mall och rapportera okända fält och syntaxfel (slutkod 2 om några).

    \b
    Exempel:
      docautomation templates check
    """
    from ..build import check_templates

    settings = settings_for(ctx, templates=True)
    problems = check_templates(settings, register)
    for line in problems:
        click.echo(line, err=True)
    click.echo(
        f"{count(len(problems), 'problem')} i mallarna." if problems else "Mallarna är i ordning."
    )
    sys.exit(2 if problems else 0)


@templates.command("fields")
@click.pass_context
def templates_fields(ctx: click.Context) -> None:
    """Visa variablerna varje mall kan använda, med ett exempel ur exempelregistret.

    \b
    Exempel:
      docautomation templates fields
    """
    from .. import ranking
    from ..build import example_register
    from ..documents import fields, jobs

    register = example_register(settings_for(ctx))
    for line in fields.field_lines(jobs.sample_contexts(register, ranking.rank(register))):
        click.echo(line)


for _command in (import_plan, new_year, watch, status, sync):
    cli.add_command(_command)


def main() -> None:
    """Console entry point."""
    # A service's log redirected on Windows is often cp1252: an "→" or a "✓" from a cell
    # must not crash the run, so characters the console cannot show are replaced.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        cli(prog_name="docautomation")
    except ConfigError as exc:  # raised while resolving settings outside a command
        click.echo(f"Fel: {exc}", err=True)
        sys.exit(exc.exit_code)
