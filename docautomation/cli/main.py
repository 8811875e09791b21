"""The command line: parse flags, resolve settings, call the library, map errors to exit codes."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from ..config import Settings, load_settings
from ..errors import ConfigError, DocAutomationError
from . import catalogue
from . import console as output

EXIT_CODES = """\b
Slutkoder:
  0  klart (varningar tillåtna)
  1  registret har fel (eller ett dokument eller en synkronisering kunde inte slutföras)
  2  fel i användning, inställningar eller mallar
  3  en fil gick inte att läsa (ingen arbetsbok, skadad, lösenordsskyddad, för stor)"""


class _Command(click.Command):
    """A command whose usage line says [FLAGGOR], not click's [OPTIONS]."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    """Maps the package's exceptions to one line on stderr and their exit code, once."""

    command_class = _Command

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


def _settings(ctx: click.Context, *, templates: bool = False, **overrides: Any) -> Settings:
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


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} är inte ett datum på formen ÅÅÅÅ-MM-DD.") from None


def _log_as_service(ctx: click.Context) -> None:
    opts = ctx.find_root().obj
    output.configure_logging(opts["verbose"], opts["quiet"], service=True)


_register_arg = click.argument("register", type=click.Path(dir_okay=False, path_type=Path))
_registers_arg = click.argument(
    "registers", nargs=-1, metavar="[REGISTER]...", type=click.Path(dir_okay=False, path_type=Path)
)
_out_opt = click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="MAPP",
    help="Utkorgen (standard: outbox/ i arbetsmappen).",
)


@click.group(cls=_Group, epilog=EXIT_CODES)
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


@cli.command("import")
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_plan(ctx: click.Context, plan: Path) -> None:
    """Läs en verksamhetsplan i Word (.docx) till ett nytt register i inkorgen.

    \b
    Exempel:
      docautomation import "Verksamhetsplan 2021.docx"   # → inbox/Register 2021.xlsx
    """
    from ..register.plan_import import import_plan as run_import

    result = run_import(plan, _settings(ctx))
    click.echo(f"Läste {plan.name}:")
    click.echo("\n".join(f"  Hittade: {line}" for line in result.found))
    for line in result.missing:
        click.echo(f"  Saknas:  {line}")
    click.echo(f'Skrev "{output.relative(result.target, Path.cwd())}".')
    for line in result.notes:
        click.echo(line)


@cli.command("new-year")
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
    from ..register import new_year as years

    settings = _settings(ctx)
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


@cli.command()
@_registers_arg
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

    reports = validate_files(list(registers) or None, _settings(ctx))
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
@_register_arg
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

    report = validate_file(register, _settings(ctx))
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
@_registers_arg
@_out_opt
@click.option(
    "--date",
    "today",
    callback=_parse_date,
    metavar="ÅÅÅÅ-MM-DD",
    help='Bestäm "i dag" (samma register och datum ger samma dokument).',
)
@click.option(
    "--pdf", is_flag=True, help="Skriv också en PDF av varje dokument (kräver LibreOffice)."
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

    settings = _settings(ctx, templates=True, outbox=out)
    summary = run_build(
        list(registers) or None, settings, today=today, pdf=pdf, progress=output.progress_bar
    )
    for line in output.build_lines(summary, settings.outbox):
        click.echo(line, err=line.startswith("Fel"))
    sys.exit(summary.exit_code)


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

    settings = _settings(ctx, templates=True)
    problems = check_templates(settings, register)
    for line in problems:
        click.echo(line, err=True)
    click.echo("Mallarna är i ordning." if not problems else f"{len(problems)} problem i mallarna.")
    sys.exit(2 if problems else 0)


@cli.command()
@click.option(
    "--inbox",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="MAPP",
    help="Mappen att bevaka (standard: inbox/ i arbetsmappen).",
)
@_out_opt
@click.option(
    "--polling", is_flag=True, help="Titta efter ändringar med jämna mellanrum (nätverksmappar)."
)
@click.option(
    "--debounce",
    type=click.FloatRange(min=0),
    metavar="SEKUNDER",
    help="Sekunder utan nya sparningar innan ett bygge.",
)
@click.pass_context
def watch(
    ctx: click.Context, inbox: Path | None, out: Path | None, polling: bool, debounce: float | None
) -> None:
    """Bygg varje gång ett register i inkorgen sparas; körs tills Ctrl+C eller SIGTERM.

    \b
    Exempel:
      docautomation watch --inbox "S:/Styrelsen/Register" --polling
    """
    import threading

    from ..watch.loop import install_signal_handlers
    from ..watch.loop import watch as run_watch

    settings = _settings(
        ctx, templates=True, inbox=inbox, outbox=out, **{"watch.debounce": debounce}
    )
    _log_as_service(ctx)
    stop = threading.Event()
    install_signal_handlers(stop)
    run_watch(settings, polling=polling, stop_event=stop)


@cli.command()
@_out_opt
@click.option("--json", "as_json", is_flag=True, help="Skriv statusen som JSON.")
@click.pass_context
def status(ctx: click.Context, out: Path | None, as_json: bool) -> None:
    """Visa vad som senast byggdes, av vem och med vilket resultat (för sekreteraren och IT).

    \b
    Exempel:
      docautomation status
    """
    from ..watch.status import format_status, read_status

    info = read_status(_settings(ctx, outbox=out).outbox)
    click.echo(json.dumps(info, ensure_ascii=False, indent=2) if as_json else format_status(info))


@cli.command()
@click.option("--once", is_flag=True, help="En hämtning, ett bygge, en uppladdning (standard).")
@click.option("--every", metavar="INTERVALL", help="Upprepa, t.ex. 15m, 1h, 30s.")
@click.option(
    "--dry-run", is_flag=True, help="Visa bara planen (hämtningar, uppladdningar, konflikter)."
)
@click.option(
    "--check", is_flag=True, help="Kontrollera inloggning och behörighet; ändrar ingenting."
)
@click.option(
    "--authority-url", metavar="URL", help="Inloggningstjänstens adress (särskilda moln, tester)."
)
@click.option("--graph-url", metavar="URL", help="Graph-tjänstens adress (särskilda moln, tester).")
@_out_opt
@click.pass_context
def sync(
    ctx: click.Context,
    once: bool,
    every: str | None,
    dry_run: bool,
    check: bool,
    authority_url: str | None,
    graph_url: str | None,
    out: Path | None,
) -> None:
    """Hämta registret från SharePoint, bygg, och ladda upp dokumenten.

    \b
    Exempel:
      docautomation sync --check
      docautomation sync --once
      docautomation sync --every 15m
    """
    from ..sharepoint import check as check_access
    from ..sharepoint import parse_every, run_sync

    endpoints: dict[str, Any] = {
        "sharepoint.authority_url": authority_url,
        "sharepoint.graph_url": graph_url,
    }
    settings = _settings(ctx, templates=not check, outbox=out, **endpoints)
    if once and every:
        raise click.UsageError("Ange antingen --once eller --every, inte båda.")
    if check:
        missing = check_access(settings, echo=click.echo)
        click.echo("Allt i ordning." if not missing else "Åtgärda det som inte är ok ovan.")
        sys.exit(2 if missing else 0)
    interval = parse_every(every) if every else None
    if interval:
        _log_as_service(ctx)
    sys.exit(run_sync(settings, every=interval, dry_run=dry_run, echo=click.echo))


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
