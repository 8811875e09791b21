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
from . import console as output

EXIT_CODES = """\b
Exit codes:
  0  done (warnings allowed)
  1  the register has errors (or an output or a sync could not be completed)
  2  usage or configuration error
  3  a file could not be read (not a workbook, corrupt, password-protected, too large)"""


class _Group(click.Group):
    """Maps the package's exceptions to one line on stderr and their exit code, once."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DocAutomationError as exc:
            click.echo(f"Fel: {exc}", err=True)
            sys.exit(exc.exit_code)


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    opts = ctx.find_root().obj
    return load_settings(
        config_file=opts["config"], use_config=opts["use_config"], overrides=overrides
    )


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
_out_opt = click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Outbox folder (default: outbox/).",
)


@click.group(cls=_Group, epilog=EXIT_CODES)
@click.version_option(package_name="docautomation")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: docautomation.toml in the current folder).",
)
@click.option("--no-config", is_flag=True, help="Ignore any config file.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors in the log.")
@click.pass_context
def cli(
    ctx: click.Context, config: Path | None, no_config: bool, verbose: int, quiet: bool
) -> None:
    """Turn the association's Excel register into its Word documents.

    \b
    Examples:
      docautomation build                  # every register in inbox/ → outbox/
      docautomation validate inbox/Register\\ 2021.xlsx
      docautomation watch                  # rebuild whenever the register is saved
    """
    output.configure_logging(verbose, quiet)
    ctx.obj = {"config": config, "use_config": not no_config, "verbose": verbose, "quiet": quiet}


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path | None) -> None:
    """Set up a working folder: config file, inbox/, outbox/, templates/ and an empty register.

    \b
    Example:
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
@_register_arg
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON array.")
@click.pass_context
def validate(ctx: click.Context, register: Path, as_json: bool) -> None:
    """Check a register and list its problems (exit 1 when it has errors).

    \b
    Example:
      docautomation validate "inbox/Register 2021.xlsx" --json
    """
    from ..build import validate_file

    report = validate_file(register, _settings(ctx))
    if as_json:
        click.echo(json.dumps([p.as_json() for p in report.problems], ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(output.problem_lines(report.problems)))
    sys.exit(1 if report.has_errors else 0)


@cli.command()
@_register_arg
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as a JSON array.")
@click.pass_context
def rank(ctx: click.Context, register: Path, as_json: bool) -> None:
    """Rank the active wishes by the association's priority order, with reasons.

    \b
    Example:
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
@click.argument("registers", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@_out_opt
@click.option(
    "--date",
    "today",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help='Fix "today" for reproducible documents.',
)
@click.option("--pdf", is_flag=True, help="Also write a PDF of each document (needs LibreOffice).")
@click.pass_context
def build(
    ctx: click.Context, registers: tuple[Path, ...], out: Path | None, today: date | None, pdf: bool
) -> None:
    """Build the documents from the register(s); with none, every workbook in the inbox.

    \b
    Examples:
      docautomation build
      docautomation build "inbox/Register 2021.xlsx" --out outbox --date 2021-01-10
    """
    from ..build import build as run_build

    settings = _settings(ctx, outbox=out)
    summary = run_build(
        list(registers) or None, settings, today=today, pdf=pdf, progress=output.progress_bar
    )
    for line in output.build_lines(summary, settings.outbox):
        click.echo(line, err=line.startswith("Fel"))
    sys.exit(summary.exit_code)


@cli.group()
def templates() -> None:
    """Work with the Word templates."""


@templates.command("check")
@click.option(
    "--register",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Register to render against (default: the shipped example).",
)
@click.pass_context
def templates_check(ctx: click.Context, register: Path | None) -> None:
    """Render every template and report unknown variables and syntax errors (exit 2 if any).

    \b
    Example:
      docautomation templates check
    """
    from ..build import check_templates

    settings = _settings(ctx)
    problems = check_templates(settings, register)
    for line in problems:
        click.echo(line, err=True)
    click.echo("Mallarna är i ordning." if not problems else f"{len(problems)} problem i mallarna.")
    sys.exit(2 if problems else 0)


@cli.command()
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path), help="Folder to watch.")
@_out_opt
@click.option("--polling", is_flag=True, help="Poll instead of file events (network shares).")
@click.option("--debounce", type=click.FloatRange(min=0), help="Seconds of quiet before a build.")
@click.pass_context
def watch(
    ctx: click.Context, inbox: Path | None, out: Path | None, polling: bool, debounce: float | None
) -> None:
    """Build whenever a register in the inbox is saved; runs until Ctrl+C or SIGTERM.

    \b
    Example:
      docautomation watch --inbox "S:/Styrelsen/Register" --polling
    """
    import threading

    from ..watch.loop import install_signal_handlers
    from ..watch.loop import watch as run_watch

    settings = _settings(ctx, inbox=inbox, outbox=out, **{"watch.debounce": debounce})
    _log_as_service(ctx)
    stop = threading.Event()
    install_signal_handlers(stop)
    run_watch(settings, polling=polling, stop_event=stop)


@cli.command()
@_out_opt
@click.option("--json", "as_json", is_flag=True, help="Print the raw status JSON.")
@click.pass_context
def status(ctx: click.Context, out: Path | None, as_json: bool) -> None:
    """Show what the watcher last did (for the secretary and IT)."""
    from ..watch.status import format_status, read_status

    info = read_status(_settings(ctx, outbox=out).outbox)
    click.echo(json.dumps(info, ensure_ascii=False, indent=2) if as_json else format_status(info))


@cli.command()
@click.option("--once", is_flag=True, help="One pull-build-push, then stop (the default).")
@click.option("--every", metavar="INTERVAL", help="Repeat, e.g. 15m, 1h, 30s.")
@click.option(
    "--dry-run", is_flag=True, help="Print the plan (downloads, uploads, conflicts) only."
)
@click.option("--check", is_flag=True, help="Verify login and access; change nothing.")
@click.option("--authority-url", help="Identity endpoint (sovereign clouds, tests).")
@click.option("--graph-url", help="Graph endpoint (sovereign clouds, tests).")
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
    """Pull the register from SharePoint, build, and push the documents back.

    \b
    Examples:
      docautomation sync --check
      docautomation sync --once
      docautomation sync --every 15m
    """
    from ..sharepoint import check as check_access
    from ..sharepoint import parse_every, run_sync

    settings = _settings(
        ctx,
        outbox=out,
        **{"sharepoint.authority_url": authority_url, "sharepoint.graph_url": graph_url},
    )
    if once and every:
        raise click.UsageError("Ange antingen --once eller --every, inte båda.")
    if check:
        missing = check_access(settings)
        for line in missing:
            click.echo(line, err=True)
        click.echo("Allt i ordning." if not missing else "Åtgärda ovanstående.")
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
