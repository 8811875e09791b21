"""Tests for docautomation.config: precedence, strict keys, secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from docautomation.config import SHIPPED_TEMPLATES, Settings, load_settings
from docautomation.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "docautomation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _defaults(folder: Path) -> Settings:
    return Settings(
        inbox=folder / "inbox",
        outbox=folder / "outbox",
        templates=SHIPPED_TEMPLATES,
        shipped_templates=True,
    )


def test_defaults_without_a_file(tmp_path: Path) -> None:
    """With no file, no environment and no flags the built-in defaults apply, in the current
    folder; without a templates/ there, the shipped templates are used and that is flagged."""
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.inbox == tmp_path / "inbox" and settings.limits.max_file_mb == 50
    assert settings.config_file is None
    assert settings.templates == SHIPPED_TEMPLATES and settings.shipped_templates


def test_the_working_folder_is_found_upwards_from_a_subfolder(tmp_path: Path) -> None:
    """Run from a subfolder, the docautomation.toml above is found and its folder is the
    working folder: inbox/, outbox/ and templates/ default to folders beside the file."""
    _write(tmp_path, "")
    (tmp_path / "templates").mkdir()
    deep = tmp_path / "outbox" / "2021"
    deep.mkdir(parents=True)
    settings = load_settings(environ={}, cwd=deep)
    assert settings.config_file == tmp_path / "docautomation.toml"
    assert (settings.inbox, settings.outbox) == (tmp_path / "inbox", tmp_path / "outbox")
    assert settings.templates == tmp_path / "templates" and not settings.shipped_templates


def test_a_configured_templates_folder_is_never_replaced_by_the_shipped_one(tmp_path: Path) -> None:
    """Only the default templates/ falls back; a configured folder that is missing stays, so
    the build names it instead of quietly using other templates."""
    _write(tmp_path, 'templates = "mallar"\n')
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.templates == tmp_path / "mallar" and not settings.shipped_templates


def test_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    """Paths in the config file are resolved against the file's own folder."""
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "x.toml"
    path.write_text('outbox = "ut"\n[limits]\nmax_parts = 5\n', encoding="utf-8")
    settings = load_settings(config_file=path, environ={}, cwd=tmp_path)
    assert settings.outbox == tmp_path / "conf" / "ut"
    assert settings.limits.max_parts == 5


def test_precedence_flags_over_environment_over_file(tmp_path: Path) -> None:
    """A flag beats the environment, which beats the file, which beats the default."""
    _write(tmp_path, 'outbox = "from-file"\ninbox = "in-file"\n[watch]\ndebounce = 5\n')
    env = {"DOCAUTOMATION_OUTBOX": "from-env", "DOCAUTOMATION_WATCH_DEBOUNCE": "2"}
    settings = load_settings(environ=env, cwd=tmp_path, overrides={"watch.debounce": 0.5})
    assert settings.inbox == tmp_path / "in-file"
    assert settings.outbox == tmp_path / "from-env"
    assert settings.watch.debounce == 0.5
    assert load_settings(environ=env, cwd=tmp_path).watch.debounce == 2.0


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    """A misspelt key is refused with a 'did you mean' hint."""
    _write(tmp_path, 'outbx = "x"\n')
    with pytest.raises(ConfigError, match="okänd nyckel outbx. Menade du outbox"):
        load_settings(environ={}, cwd=tmp_path)


def test_unknown_section_key_suggests_the_closest(tmp_path: Path) -> None:
    """A misspelt key inside a section is refused with the section named."""
    _write(tmp_path, '[sharepoint]\ntennant_id = "x"\n')
    with pytest.raises(ConfigError, match="sharepoint.tennant_id. Menade du sharepoint.tenant_id"):
        load_settings(environ={}, cwd=tmp_path)


def test_secret_in_file_is_refused(tmp_path: Path) -> None:
    """A client secret in the file is refused, pointing to the environment variable."""
    _write(tmp_path, '[sharepoint]\nclient_secret = "hemligt"\n')
    with pytest.raises(ConfigError, match="DOCAUTOMATION_CLIENT_SECRET") as info:
        load_settings(environ={}, cwd=tmp_path)
    assert "hemligt" not in str(info.value)


def test_secret_comes_from_the_environment_and_is_not_in_repr(tmp_path: Path) -> None:
    """The secret is read from the environment and never shown in the settings' repr."""
    settings = load_settings(environ={"DOCAUTOMATION_CLIENT_SECRET": "s3cr3t"}, cwd=tmp_path)
    assert settings.sharepoint.client_secret == "s3cr3t"
    assert "s3cr3t" not in repr(settings)


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    """A value of the wrong type names the key and what was expected."""
    _write(tmp_path, '[limits]\nmax_parts = "många"\n')
    with pytest.raises(ConfigError, match="limits.max_parts ska vara av typen int"):
        load_settings(environ={}, cwd=tmp_path)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    """A file that is not TOML gives a ConfigError naming the file."""
    path = _write(tmp_path, "outbox = \n")
    with pytest.raises(ConfigError, match=str(path.name)):
        load_settings(environ={}, cwd=tmp_path)


def test_no_config_ignores_the_file(tmp_path: Path) -> None:
    """--no-config leaves the file unread."""
    _write(tmp_path, 'outbx = "x"\n')
    assert load_settings(use_config=False, environ={}, cwd=tmp_path) == _defaults(tmp_path)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    """--config naming a file that does not exist is a ConfigError."""
    with pytest.raises(ConfigError, match="finns inte"):
        load_settings(config_file=tmp_path / "nope.toml", environ={}, cwd=tmp_path)


def test_init_config_file_loads_cleanly(tmp_path: Path) -> None:
    """The file `init` writes is accepted as it stands."""
    from docautomation.register.scaffold import DEFAULT_CONFIG

    _write(tmp_path, DEFAULT_CONFIG)
    (tmp_path / "templates").mkdir()
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.templates == tmp_path / "templates"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[watch]\nrescan_interval = 0\n", "watch.rescan_interval ska vara minst 0.1"),
        ("[watch]\npoll_interval = 0\n", "watch.poll_interval ska vara minst 0.1"),
        ("[watch]\ndebounce = -1\n", "watch.debounce ska vara minst 0"),
        ("[limits]\nmax_file_mb = -1\n", "limits.max_file_mb ska vara större än 0"),
        ("[limits]\nmax_parts = 0\n", "limits.max_parts ska vara minst 1"),
        ("[limits]\nmax_parts = 1.5\n", "limits.max_parts ska vara av typen int"),
        ("[watch]\ndebounce = true\n", "watch.debounce ska vara av typen float"),
        ("[watch]\ndebounce = nan\n", "watch.debounce ska vara av typen float"),
        ("[sharepoint]\ntimeout = 0\n", "sharepoint.timeout ska vara större än 0"),
        ("[sharepoint]\nstable_wait = -1\n", "sharepoint.stable_wait ska vara minst 0"),
        ("[limits]\nrender_seconds = 0\n", "limits.render_seconds ska vara större än 0"),
        ("[limits]\nrender_max_chars = 0\n", "limits.render_max_chars ska vara minst 1"),
        ("[limits]\nrender_max_document_mb = 0\n", "limits.render_max_document_mb ska vara större"),
    ],
)
def test_numbers_that_would_break_the_service_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    """Zero, negative, fractional or boolean numbers (a busy-looping watcher, every file refused)
    are refused with the key named."""
    _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={}, cwd=tmp_path)


def test_sensible_numbers_still_load(tmp_path: Path) -> None:
    """Integral floats for an int, zero debounce and text numbers from the environment load."""
    _write(tmp_path, "[limits]\nmax_parts = 2e3\n[watch]\ndebounce = 0\nstable_gap = 0\n")
    env = {"DOCAUTOMATION_WATCH_POLL_INTERVAL": "0.5"}
    settings = load_settings(environ=env, cwd=tmp_path)
    assert settings.limits.max_parts == 2000 and isinstance(settings.limits.max_parts, int)
    assert settings.watch.debounce == 0 and settings.watch.poll_interval == 0.5


def test_render_limits_load_from_the_file_and_the_environment(tmp_path: Path) -> None:
    """The template bounds are settings like any other (they are configurable)."""
    _write(tmp_path, "[limits]\nrender_seconds = 2.5\nrender_max_document_mb = 50\n")
    env = {"DOCAUTOMATION_LIMITS_RENDER_MAX_CHARS": "1000"}
    limits = load_settings(environ=env, cwd=tmp_path).limits
    assert (limits.render_seconds, limits.render_max_chars) == (2.5, 1000)
    assert limits.render_max_document_mb == 50


def test_environment_errors_name_the_variable(tmp_path: Path) -> None:
    """A bad or misspelt DOCAUTOMATION_* variable is named, so IT finds it in the service file."""
    with pytest.raises(ConfigError, match="miljövariabeln DOCAUTOMATION_WATCH_DEBOUNCE"):
        load_settings(environ={"DOCAUTOMATION_WATCH_DEBOUNCE": "snabbt"}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="DOCAUTOMATION_OUTBOKS. Menade du DOCAUTOMATION_OUTBOX"):
        load_settings(environ={"DOCAUTOMATION_OUTBOKS": "/srv/ut"}, cwd=tmp_path)
    unrelated = {"DOCAUTOMATION_HOME": "/srv/castor"}  # IT's own variable: not ours, not refused
    assert load_settings(environ=unrelated, cwd=tmp_path) == _defaults(tmp_path)


def test_utf8_bom_is_accepted_and_utf16_is_explained(tmp_path: Path) -> None:
    """PowerShell 5 writes UTF-8 with a byte order mark (accepted); UTF-16 gets a clear hint."""
    path = tmp_path / "docautomation.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'outbox = "utkorg"\n')
    assert load_settings(environ={}, cwd=tmp_path).outbox == tmp_path / "utkorg"
    path.write_bytes('outbox = "utkorg"\n'.encode("utf-16"))
    with pytest.raises(ConfigError, match="UTF-16; spara den som UTF-8"):
        load_settings(environ={}, cwd=tmp_path)
    path.write_bytes('outbox = "utkörg"\n'.encode("cp1252"))
    with pytest.raises(ConfigError, match="inte sparad som UTF-8"):
        load_settings(environ={}, cwd=tmp_path)


def test_windows_backslashes_get_a_hint(tmp_path: Path) -> None:
    """'D:\\Castor' in double quotes is a TOML escape error, and 'D:\\new' silently a newline:
    both are refused with a hint to use / or single quotes; single quotes load."""
    _write(tmp_path, 'inbox = "D:\\Castor\\inbox"\n')
    with pytest.raises(ConfigError, match="skriv hellre snedstreck"):
        load_settings(environ={}, cwd=tmp_path)
    _write(tmp_path, 'outbox = "D:\\new"\n')
    with pytest.raises(ConfigError, match="radbrytning eller tabb.*snedstreck"):
        load_settings(environ={}, cwd=tmp_path)
    _write(tmp_path, "outbox = 'D:\\Castor\\utkorg'\n")
    assert load_settings(environ={}, cwd=tmp_path).outbox.name.endswith("utkorg")


def test_pdf_switch_from_the_file_and_the_environment(tmp_path: Path) -> None:
    """`pdf = true` at the top of the file turns PDFs on; the environment may turn it off."""
    assert load_settings(environ={}, cwd=tmp_path).pdf is False
    _write(tmp_path, 'pdf = true\noutbox = "ut"\n')
    assert load_settings(environ={}, cwd=tmp_path).pdf is True
    for word, expected in (("false", False), ("Nej", False), ("1", True), ("ja", True)):
        settings = load_settings(environ={"DOCAUTOMATION_PDF": word}, cwd=tmp_path)
        assert settings.pdf is expected, word


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ('pdf = "kanske"\n', {}, r"pdf ska vara true eller false, fick 'kanske'"),
        ("pdf = 1\n", {}, r"pdf ska vara true eller false, fick 1"),
        ("", {"DOCAUTOMATION_PDF": "kanske"}, r"DOCAUTOMATION_PDF: pdf ska vara true eller false"),
        ("pfd = true\n", {}, r"okänd nyckel pfd\. Menade du pdf\?"),
    ],
)
def test_a_pdf_switch_that_is_no_switch_is_refused(
    tmp_path: Path, text: str, environ: dict[str, str], message: str
) -> None:
    """A value that is neither true nor false, or a misspelt key, is a one-line error."""
    _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ, cwd=tmp_path)
