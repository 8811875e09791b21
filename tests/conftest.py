"""Shared fixtures: working folders in tmp_path, the shipped example register, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings

from docautomation.config import Settings
from docautomation.register.scaffold import SHIPPED_TEMPLATES

# No per-example deadline: CI's two shared cores can make a first example (imports, a cold
# cache) slower than Hypothesis' 200 ms default, which would fail a correct property.
hypothesis_settings.register_profile("docautomation", deadline=None)
hypothesis_settings.load_profile("docautomation")

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_REGISTER = REPO / "inbox" / "Register 2021.xlsx"


@pytest.fixture(name="workdir")
def _workdir(tmp_path: Path) -> Path:
    """A working folder with inbox/, outbox/ and a copy of the shipped templates."""
    for sub in ("inbox", "outbox"):
        (tmp_path / sub).mkdir()
    shutil.copytree(SHIPPED_TEMPLATES, tmp_path / "templates")
    return tmp_path


@pytest.fixture(name="settings")
def _settings(workdir: Path) -> Settings:
    """Settings pointing every folder into the temporary working folder."""
    return Settings(
        inbox=workdir / "inbox", outbox=workdir / "outbox", templates=workdir / "templates"
    )


@pytest.fixture(name="example_register")
def _example_register(workdir: Path) -> Path:
    """A copy of the shipped example register in the temporary inbox."""
    target = workdir / "inbox" / EXAMPLE_REGISTER.name
    shutil.copyfile(EXAMPLE_REGISTER, target)
    return target


@pytest.fixture(name="runner")
def _runner(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CliRunner whose current folder is the temporary working folder."""
    monkeypatch.chdir(workdir)
    for name in list(__import__("os").environ):
        if name.startswith("DOCAUTOMATION_"):
            monkeypatch.delenv(name)
    return CliRunner()
