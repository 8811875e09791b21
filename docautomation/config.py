"""Settings: one TOML file, environment and flags, in that rising order of precedence.

Precedence (highest first): command-line flags → environment variables (DOCAUTOMATION_*) →
the config file (docautomation.toml) → built-in defaults. Unknown keys in the file are refused
with a "did you mean" hint. Secrets (client secret, certificate password) are read from the
environment only; a secret in the file is refused so it never ends up in a shared folder.
"""

from __future__ import annotations

import codecs
import difflib
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

CONFIG_FILE_NAME = "docautomation.toml"


def _shipped(folder: str, package_dir: str, marker: str) -> Path:
    """A data folder of the repository (templates/, examples/), wherever the package runs from.

    From a checkout (or an editable install) it is the repository's own folder; a wheel
    carries it inside the package, where pyproject maps it.
    """
    here = Path(__file__).resolve().parent
    source = here.parent / folder
    return source if (source / marker).is_file() else here / package_dir


SHIPPED_TEMPLATES = _shipped("templates", "shipped_templates", "Kallelse.docx")
EXAMPLE_DATA = _shipped("examples", "shipped_examples", "register-2021.json") / "register-2021.json"
ENV_PREFIX = "DOCAUTOMATION_"
SECRET_ENV = "DOCAUTOMATION_CLIENT_SECRET"
CERT_PASSWORD_ENV = "DOCAUTOMATION_CERT_PASSWORD"
_SECRET_KEYS = {"client_secret", "secret", "password", "certificate_password"}


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits checked before a workbook is parsed, and bounds on filling in a template."""

    max_file_mb: float = 50
    max_unpacked_mb: float = 250
    max_parts: int = 10_000
    # Filling in one document: its time, its longest text or list, its largest part (body,
    # header). The 10,000-wish report: about 1 s, a list of 7,144 wishes, a 19 MB body.
    render_seconds: float = 10.0
    render_max_chars: int = 10_000_000
    render_max_document_mb: float = 200.0


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """Timings of the watcher; seconds."""

    debounce: float = 0.3
    stable_gap: float = 0.25
    poll_interval: float = 1.0
    rescan_interval: float = 60.0


@dataclass(frozen=True, slots=True)
class SharePointSettings:
    """Where the register lives in SharePoint and how to sign in."""

    tenant_id: str = ""
    client_id: str = ""
    site: str = ""  # "contoso.sharepoint.com:/sites/castor"
    library: str = "Dokument"
    register_path: str = ""  # path of the register inside the library
    output_folder: str = "Dokument från docautomation"
    auth: str = "certificate"  # certificate | secret | device
    certificate_path: str = ""  # PEM or PFX
    authority_url: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com/v1.0"
    timeout: float = 30.0
    stable_wait: float = 5.0  # seconds between two looks at a register that changed
    ca_bundle: str = ""  # extra CA bundle for a TLS-inspecting proxy (or the test stand-in)
    client_secret: str = field(default="", repr=False)  # environment only
    certificate_password: str = field(default="", repr=False)  # environment only


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the commands need, resolved once by the CLI."""

    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    templates: Path = Path("templates")
    pdf: bool = False  # a checked PDF beside every document (build, watch and sync alike)
    limits: Limits = Limits()
    watch: WatchSettings = WatchSettings()
    sharepoint: SharePointSettings = SharePointSettings()
    config_file: Path | None = None
    # True when the working folder has no templates/ and the shipped templates are used instead.
    shipped_templates: bool = False


_SECTIONS: dict[str, type] = {
    "limits": Limits,
    "watch": WatchSettings,
    "sharepoint": SharePointSettings,
}
_PATH_KEYS = ("inbox", "outbox", "templates")
_SWITCH_KEYS = ("pdf",)
# How a switch may be written in an environment variable (TOML has true and false itself).
_SWITCH_WORDS = {"true": True, "1": True, "ja": True, "false": False, "0": False, "nej": False}
# Smallest sensible value per numeric key: 0 for a limit or a poll would refuse every file or
# spin the watcher at full CPU. (bound, True when the value must lie strictly above it)
_BOUNDS: dict[str, tuple[float, bool]] = {
    "limits.max_file_mb": (0, True),
    "limits.max_unpacked_mb": (0, True),
    "limits.max_parts": (1, False),
    "limits.render_seconds": (0, True),
    "limits.render_max_chars": (1, False),
    "limits.render_max_document_mb": (0, True),
    "watch.debounce": (0, False),
    "watch.stable_gap": (0, False),
    "watch.poll_interval": (0.1, False),
    "watch.rescan_interval": (0.1, False),
    "sharepoint.timeout": (0, True),
    "sharepoint.stable_wait": (0, False),
}
_BACKSLASH_HINT = (
    ' En Windows-sökväg inom "…" behöver dubbla \\\\; skriv hellre snedstreck '
    "(\"D:/Castor/inbox\") eller enkla citattecken ('D:\\Castor\\inbox')."
)


def load_settings(
    *,
    config_file: Path | None = None,
    use_config: bool = True,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Resolve settings from defaults, the config file, the environment and flag overrides.

    The working folder is the one holding docautomation.toml (``--config``, or the first found
    from `cwd` upwards), else `cwd`; inbox/, outbox/ and templates/ default to folders there.
    When the default templates/ does not exist, the shipped templates are used (and
    `shipped_templates` says so).

    Args:
        config_file: explicit file (``--config``); otherwise docautomation.toml in cwd or above.
        use_config: False for ``--no-config``.
        overrides: flag values; keys are "inbox", "outbox", "templates" or "section.key";
            None values are ignored (flag not given).
        environ: environment to read (defaults to os.environ).
        cwd: directory relative paths are resolved against when no file is used.

    Raises:
        ConfigError: unreadable file, unknown key, wrong type, or a secret in the file.
    """
    env = os.environ if environ is None else environ
    base = cwd or Path.cwd()
    path = _find_config(config_file, use_config, base)
    folder = path.parent if path is not None else base
    settings = Settings(
        inbox=folder / "inbox", outbox=folder / "outbox", templates=folder / "templates"
    )
    if path is not None:
        settings = _apply(settings, _read_toml(path), path.parent, source=str(path))
        settings = replace(settings, config_file=path)
    for name, data in _from_environ(env):
        settings = _apply(settings, data, base, source=f"miljövariabeln {name}")
    if overrides:
        settings = _apply(settings, _nest(overrides), base, source="flagga")
    if settings.templates == folder / "templates" and not settings.templates.is_dir():
        settings = replace(settings, templates=SHIPPED_TEMPLATES, shipped_templates=True)
    return _with_secrets(settings, env)


def _find_config(explicit: Path | None, use_config: bool, cwd: Path) -> Path | None:
    if not use_config:
        return None
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"Konfigurationsfilen {explicit} finns inte.")
        return explicit
    for folder in (cwd, *cwd.parents):
        candidate = folder / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    """The file's TOML; a UTF-8 byte order mark (PowerShell 5's "UTF8", Notepad) is allowed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Kan inte läsa konfigurationsfilen {path}: {exc}") from exc
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConfigError(
            f"Konfigurationsfilen {path} är sparad som UTF-16; spara den som UTF-8 "
            "(PowerShell: Set-Content -Encoding utf8; Anteckningar: Spara som → UTF-8)."
        )
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Konfigurationsfilen {path} är inte sparad som UTF-8 (byte {exc.start}); "
            "spara den som UTF-8."
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        hint = _BACKSLASH_HINT if "\\" in str(exc) or "hex value" in str(exc) else ""
        raise ConfigError(f"Kan inte läsa konfigurationsfilen {path}: {exc}.{hint}") from exc


def _from_environ(env: Mapping[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """DOCAUTOMATION_OUTBOX → outbox; DOCAUTOMATION_SHAREPOINT_SITE → sharepoint.site.

    Returns:
        (variable name, its setting as nested data), sorted by name. A name close to a known
        one (DOCAUTOMATION_OUTBOKS) is refused, so a typo in a service file is not ignored.
    """
    found: list[tuple[str, dict[str, Any]]] = []
    for name, value in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or name in (SECRET_ENV, CERT_PASSWORD_ENV):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in _SECTIONS if key.startswith(s + "_")), None)
        if section:
            found.append((name, {section: {key[len(section) + 1 :]: value}}))
        elif key in (*_PATH_KEYS, *_SWITCH_KEYS):
            found.append((name, {key: value}))
        else:
            _refuse_near_miss(name)
    return found


def _known_environ() -> list[str]:
    names = [ENV_PREFIX + key.upper() for key in (*_PATH_KEYS, *_SWITCH_KEYS)]
    names += [SECRET_ENV, CERT_PASSWORD_ENV]
    for section, kind in _SECTIONS.items():
        names += [
            f"{ENV_PREFIX}{section.upper()}_{f.name.upper()}"
            for f in fields(kind)
            if f.name not in _SECRET_KEYS
        ]
    return names


def _refuse_near_miss(name: str) -> None:
    close = difflib.get_close_matches(name, _known_environ(), n=1, cutoff=0.85)
    if close:
        raise ConfigError(f"okänd miljövariabel {name}. Menade du {close[0]}?")


def _nest(overrides: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        section, _, sub = key.partition(".")
        if sub:
            data.setdefault(section, {})[sub] = value
        else:
            data[key] = value
    return data


def _apply(settings: Settings, data: Mapping[str, Any], base: Path, *, source: str) -> Settings:
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in _PATH_KEYS:
            changes[key] = _resolve_path(value, base, key, source)
        elif key in _SWITCH_KEYS:
            changes[key] = _switch(value, key, source)
        elif key in _SECTIONS:
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: [{key}] ska vara en sektion med nycklar.")
            changes[key] = _apply_section(getattr(settings, key), value, key, source)
        else:
            raise ConfigError(_unknown(key, [*_PATH_KEYS, *_SWITCH_KEYS, *_SECTIONS], source))
    return replace(settings, **changes)


def _apply_section(current: Any, data: Mapping[str, Any], section: str, source: str) -> Any:
    known = {f.name: f for f in fields(current)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECRET_KEYS and not source.startswith(("miljövariabel", "flagga")):
            raise ConfigError(
                f"{source}: hemligheter får inte stå i filen ({section}.{key}); "
                f"sätt miljövariabeln {SECRET_ENV} i stället."
            )
        if key not in known or key in _SECRET_KEYS:
            names = [n for n in known if n not in _SECRET_KEYS]
            raise ConfigError(
                _unknown(f"{section}.{key}", [f"{section}.{n}" for n in names], source)
            )
        changes[key] = _coerce(value, type(getattr(current, key)), f"{section}.{key}", source)
    return replace(current, **changes)


def _coerce(value: Any, kind: type, key: str, source: str) -> Any:
    result = _converted(value, kind)
    if result is None:
        raise ConfigError(f"{source}: {key} ska vara av typen {kind.__name__}, fick {value!r}.")
    if key in _BOUNDS:
        _check_bound(result, key, source)
    return result


def _converted(value: Any, kind: type) -> Any:
    """`value` as `kind`, or None when it is not one (true is no number; 1.5 is no int)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if kind is float:
            number = float(value)
            return number if math.isfinite(number) else None
        if kind is int:
            number = float(value) if isinstance(value, float) else int(value)
            return int(number) if float(number).is_integer() else None
        if kind is str:
            return str(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None


def _check_bound(value: float, key: str, source: str) -> None:
    bound, strict = _BOUNDS[key]
    if value > bound or (value == bound and not strict):
        return
    wanted = f"större än {bound:g}" if strict else f"minst {bound:g}"
    raise ConfigError(f"{source}: {key} ska vara {wanted}, fick {value:g}.")


def _switch(value: Any, key: str, source: str) -> bool:
    if isinstance(value, bool):
        return value
    word = _SWITCH_WORDS.get(str(value).strip().lower()) if isinstance(value, str) else None
    if word is None:
        raise ConfigError(f"{source}: {key} ska vara true eller false, fick {value!r}.")
    return word


def _resolve_path(value: Any, base: Path, key: str, source: str) -> Path:
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise ConfigError(f"{source}: {key} ska vara en sökväg, fick {value!r}.")
    if any(ord(char) < 32 for char in str(value)):  # "D:\new" read as D:, newline, "ew"
        raise ConfigError(
            f"{source}: {key} innehåller en radbrytning eller tabb ({value!r})." + _BACKSLASH_HINT
        )
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else base / path


def _unknown(key: str, known: list[str], source: str) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" Menade du {close[0]}?" if close else f" Kända nycklar: {', '.join(sorted(known))}."
    return f"{source}: okänd nyckel {key}.{hint}"


def _with_secrets(settings: Settings, env: Mapping[str, str]) -> Settings:
    sp = replace(
        settings.sharepoint,
        client_secret=env.get(SECRET_ENV, ""),
        certificate_password=env.get(CERT_PASSWORD_ENV, ""),
    )
    return replace(settings, sharepoint=sp)
