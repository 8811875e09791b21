"""The commands IT runs unattended or checks on: watch, status and sync."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .options import Command, log_as_service, out_opt, settings_for


@click.command(cls=Command)
@click.option(
    "--inbox",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="MAPP",
    help="Mappen att bevaka (standard: inbox/ i arbetsmappen).",
)
@out_opt
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

    settings = settings_for(
        ctx, templates=True, inbox=inbox, outbox=out, **{"watch.debounce": debounce}
    )
    log_as_service(ctx)
    stop = threading.Event()
    install_signal_handlers(stop)
    run_watch(settings, polling=polling, stop_event=stop)


@click.command(cls=Command)
@out_opt
@click.option("--json", "as_json", is_flag=True, help="Skriv statusen som JSON.")
@click.pass_context
def status(ctx: click.Context, out: Path | None, as_json: bool) -> None:
    """Visa vad som senast byggdes, av vem och med vilket resultat (för sekreteraren och IT).

    \b
    Exempel:
      docautomation status
    """
    from ..watch.status import format_status, read_status

    info = read_status(settings_for(ctx, outbox=out).outbox)
    click.echo(json.dumps(info, ensure_ascii=False, indent=2) if as_json else format_status(info))


@click.command(cls=Command)
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
@out_opt
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
    settings = settings_for(ctx, templates=not check, outbox=out, **endpoints)
    if once and every:
        raise click.UsageError("Ange antingen --once eller --every, inte båda.")
    if check:
        missing = check_access(settings, echo=click.echo)
        click.echo("Allt i ordning." if not missing else "Åtgärda det som inte är ok ovan.")
        sys.exit(2 if missing else 0)
    interval = parse_every(every) if every else None
    if interval:
        log_as_service(ctx)
    sys.exit(run_sync(settings, every=interval, dry_run=dry_run, echo=click.echo))
