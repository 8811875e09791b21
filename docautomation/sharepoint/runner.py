"""run_sync: one sync cycle (pull the register, build, push the outputs) or the --every loop."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import filelock

from ..config import Settings, SharePointSettings
from ..errors import AlreadyRunningError, ConfigError, DocAutomationError, SyncError
from ..fileio import prepare_lock_file, sha256_file, swedish_reason
from ..outbox.manifest import load_manifest
from ..watch.status import STATUS_NAME
from .apply import ApplyResult, apply
from .auth import AUTH_MODES, TokenProvider
from .drive import RemoteRegister
from .graph import GraphDriveClient
from .pull import BuildFn, build_if_needed, remember, settled
from .state import (
    SyncPaths,
    SyncState,
    load_state,
    save_state,
    source_key,
)
from .sync import Echo, LocalFile, plan
from .transport import GraphTransport, Sleep, make_session

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$", re.IGNORECASE)
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_every(text: str) -> float:
    """Seconds from an interval such as "30s", "15m", "1h" (a bare number means seconds).

    Raises:
        ConfigError: unreadable or not positive.
    """
    match = _EVERY.match(text)
    seconds = float(match.group(1)) * _UNIT[match.group(2).lower()] if match else 0.0
    if seconds <= 0:
        raise ConfigError(f'--every "{text}" förstås inte; skriv t.ex. 30s, 15m eller 1h.')
    return seconds


def validate_settings(sp: SharePointSettings) -> None:
    """Refuse a [sharepoint] section the sync cannot work with, naming each missing key."""
    if sp.auth not in AUTH_MODES:
        raise ConfigError(
            f'sharepoint.auth ska vara certificate, secret eller device, inte "{sp.auth}".'
        )
    required = ["tenant_id", "client_id", "site", "register_path"]
    required += ["certificate_path"] if sp.auth == "certificate" else []
    missing = [f"sharepoint.{key}" for key in required if not str(getattr(sp, key)).strip()]
    if missing:
        raise ConfigError(
            f"SharePoint-synkroniseringen saknar inställningar: {', '.join(missing)} "
            "(se docs/sharepoint.md)."
        )
    for key in ("authority_url", "graph_url"):
        if not str(getattr(sp, key)).lower().startswith("https://"):
            raise ConfigError(
                f"sharepoint.{key} ska börja med https://, fick {getattr(sp, key)!r}."
            )
    if sp.timeout <= 0:
        raise ConfigError(f"sharepoint.timeout ska vara större än 0, fick {sp.timeout}.")


def permission_hint(sp: SharePointSettings) -> str:
    """What IT must grant when Graph answers 403."""
    return (
        f"Appen {sp.client_id} saknar behörighet: be IT ge den Sites.Selected (application) "
        f'med rollen "write" på webbplatsen "{sp.site}" (se docs/sharepoint.md).'
    )


def run_sync(
    settings: Settings,
    *,
    every: float | None = None,
    dry_run: bool = False,
    build: BuildFn | None = None,
    stop_event: threading.Event | None = None,
    echo: Echo | None = None,
    sleep: Sleep = time.sleep,
) -> int:
    """Pull the register, build it, push changed outputs; once, or every `every` seconds.

    Args:
        settings: resolved settings (inbox, outbox, [sharepoint]).
        every: seconds between cycles; the loop runs until `stop_event` is set. A failed cycle
            is reported and the next one runs as planned.
        dry_run: print the plan (downloads, uploads, conflicts) and change nothing.
        build: builds one register file like a local save; default build.build_file.
        stop_event: ends the loop (and the wait between cycles) when set.
        echo: receives one Swedish line per event (and the device-code instructions);
            None prints nothing, and a device-code login must then already be cached.
        sleep: waits for Retry-After (injectable for tests).

    Returns:
        0 done; 1 the register had errors or a file could not be uploaded, or (dry run) the
        plan is not empty; the build's own code when higher.

    Raises:
        ConfigError, AuthError, SyncError, AlreadyRunningError: for a single cycle.
    """
    validate_settings(settings.sharepoint)
    if build is None and settings.pdf:
        from ..outbox.pdf import require_pdf_tools

        require_pdf_tools()
    if every is not None and every <= 0:
        raise ConfigError("--every ska vara större än 0.")
    paths = SyncPaths(settings.outbox)
    say: Echo = echo or (lambda _line: None)
    cycle = partial(
        _cycle,
        settings,
        paths,
        dry_run=dry_run,
        build=build,
        echo=say,
        sleep=sleep,
        interactive=echo is not None,
    )
    if dry_run:
        return cycle()
    with _exclusive(paths):
        if every is None:
            return cycle()
        return _loop(cycle, every, stop_event or threading.Event(), say)


def _loop(cycle: Callable[[], int], every: float, stop: threading.Event, echo: Echo) -> int:
    code = 0
    while not stop.is_set():
        try:
            code = cycle()
        except DocAutomationError as exc:
            echo(f"Fel: {exc}")
            code = exc.exit_code
        if stop.wait(every):
            break
    return code


@contextmanager
def _exclusive(paths: SyncPaths) -> Iterator[None]:
    lock = filelock.FileLock(str(paths.lock), timeout=0)
    try:
        prepare_lock_file(paths.lock)
        lock.acquire()
    except filelock.Timeout:
        raise AlreadyRunningError(
            f"En annan SharePoint-synkronisering körs redan för {paths.outbox} (låsfil {paths.lock})."
        ) from None
    except OSError as exc:
        raise SyncError(
            f"Synkroniseringens låsfil {paths.lock} kan inte skapas: {swedish_reason(exc)}."
        ) from exc
    try:
        yield
    finally:
        lock.release()


def _cycle(
    settings: Settings,
    paths: SyncPaths,
    *,
    dry_run: bool,
    build: BuildFn | None,
    echo: Echo,
    sleep: Sleep,
    interactive: bool,
) -> int:
    sp = settings.sharepoint
    state = load_state(
        paths.state,
        source=source_key(sp.site, sp.library, sp.register_path),
        target=sp.output_folder,
    )
    with make_session(sp.ca_bundle, sp.timeout) as session:
        tokens = TokenProvider(
            sp,
            session,
            cache_path=paths.token_cache,
            persist=not dry_run,
            prompt=echo if interactive else None,
        )
        transport = GraphTransport(
            session, sp.graph_url, tokens, sleep=sleep, permission_hint=permission_hint(sp)
        )
        client = GraphDriveClient(
            transport,
            sp,
            site_id=state.site_id,
            drive_id=state.drive_id,
            register_id=state.register.item_id,
            outputs_index=state.remote,
        )
        register, stable = settled(client, client.register(), state.register, sp.stable_wait, sleep)
        state = remember(register, client.site_id, client.drive_id, state, echo)
        if stable:  # a second look agreed: the plan downloads it now
            state = state.with_register(pending_ctag=register.ctag)
        options = _plan_options(settings, state)
        if dry_run:
            outputs = local_outputs(settings.outbox)
            full = plan(outputs, client.list_outputs(), state, register=register, **options)
            return apply(full, client, state=state, dry_run=True, echo=echo).exit_code
        save = partial(save_state, paths.state)
        save(state)
        return _pull_build_push(settings, client, state, register, options, build, echo, save)


def _pull_build_push(
    settings: Settings,
    client: GraphDriveClient,
    state: SyncState,
    register: RemoteRegister,
    options: dict[str, Any],
    build: BuildFn | None,
    echo: Echo,
    save: Callable[[SyncState], None],
) -> int:
    settings.inbox.mkdir(parents=True, exist_ok=True)
    pull = plan({}, {}, state, register=register, **options)
    pulled = apply(pull, client, state=state, echo=echo, save=save)
    state, built = build_if_needed(settings, pulled.state, build, echo, save)
    remote = client.list_outputs()
    state = replace(state, remote=client.outputs_index)
    save(state)
    push = plan(local_outputs(settings.outbox), remote, state, **options)
    pushed = apply(push, client, state=state, echo=echo, save=save)
    if not (pull.waiting or pulled.downloaded or _pushed_anything(pushed)):
        echo("SharePoint: inget nytt att hämta eller ladda upp.")
    return max(pulled.exit_code, built, pushed.exit_code)


def _plan_options(settings: Settings, state: SyncState) -> dict[str, Any]:
    local_name = state.register.local_name
    return {
        "inbox": settings.inbox,
        "output_folder": settings.sharepoint.output_folder,
        "library": settings.sharepoint.library,
        "register_on_disk": bool(local_name) and (settings.inbox / local_name).is_file(),
    }


def _pushed_anything(pushed: ApplyResult) -> bool:
    return bool(
        pushed.uploaded or pushed.adopted or pushed.diverted or pushed.deferred or pushed.failed
    )


_WATCH_STATUS = Path(STATUS_NAME)


def local_outputs(outbox: Path) -> dict[str, LocalFile]:
    """Every generated file under the outbox with its SHA-256, keyed by relative POSIX path.

    The outbox manifest's hash is used while the file's size and mtime still match its entry
    (so a person's local edit is hashed afresh). Skipped: the state folder (.docautomation),
    hidden and temporary files (".x.partial", "*.tmp"), Office owner files (~$…) and the
    watcher's status.json (it changes at every rescan and names the host and local paths).
    """
    found: dict[str, LocalFile] = {}
    if not outbox.is_dir():
        return found
    manifest = load_manifest(outbox)
    for path in sorted(outbox.rglob("*")):
        rel = path.relative_to(outbox)
        if any(part.startswith((".", "~$")) for part in rel.parts) or not path.is_file():
            continue
        if path.suffix.lower() in (".tmp", ".partial") or rel == _WATCH_STATUS:
            continue
        key = rel.as_posix()
        entry, stat = manifest.get(key), path.stat()
        if entry is not None and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            found[key] = LocalFile(path, entry.sha256)
        else:
            found[key] = LocalFile(path, sha256_file(path))
    return found
