"""Tests for docautomation.config: precedence, strict keys, secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from docautomation.config import Settings, load_settings
from docautomation.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "docautomation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    """With no file, no environment and no flags the built-in defaults apply."""
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.inbox == Path("inbox") and settings.limits.max_file_mb == 50
    assert settings.config_file is None


def test_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    """Paths in the config file are resolved against the file's own folder."""
    (tmp_path / "conf").mkdir()
    path = (tmp_path / "conf" / "x.toml")
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
    assert load_settings(use_config=False, environ={}, cwd=tmp_path) == Settings()


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    """--config naming a file that does not exist is a ConfigError."""
    with pytest.raises(ConfigError, match="finns inte"):
        load_settings(config_file=tmp_path / "nope.toml", environ={}, cwd=tmp_path)


def test_init_config_file_loads_cleanly(tmp_path: Path) -> None:
    """The file `init` writes is accepted as it stands."""
    from docautomation.config import render_default_config

    _write(tmp_path, render_default_config(tmp_path))
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.templates == tmp_path / "templates"
