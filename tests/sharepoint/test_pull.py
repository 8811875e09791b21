"""Tests for the sync's build step: what it says about the build it made."""

from __future__ import annotations

import types
from pathlib import Path

from docautomation.config import Settings
from docautomation.sharepoint.pull import build_if_needed
from docautomation.sharepoint.state import RegisterState, SyncState


def _said_after_building(tmp_path: Path, **outcome: object) -> list[str]:
    settings = Settings(inbox=tmp_path / "in", outbox=tmp_path / "ut", templates=tmp_path)
    settings.inbox.mkdir(exist_ok=True)
    (settings.inbox / "Register 2021.xlsx").write_bytes(b"register")
    state = SyncState(register=RegisterState(ctag="c1", local_name="Register 2021.xlsx"))
    fields = {"exit_code": 0, "message": "", "written": (), "unchanged": (), **outcome}
    said: list[str] = []

    def build(_path: Path, _settings: Settings) -> types.SimpleNamespace:
        return types.SimpleNamespace(**fields)

    build_if_needed(settings, state, build, said.append, lambda _state: None)
    return said


def test_a_sync_build_says_its_documents_in_agreeing_forms(tmp_path: Path) -> None:
    """One document written and one left: "1 dokument skrivet, 1 oförändrat"."""
    doc = tmp_path / "ut" / "a.docx"
    assert _said_after_building(tmp_path, written=(doc,), unchanged=(doc,)) == [
        "Byggde Register 2021.xlsx: 1 dokument skrivet, 1 oförändrat."
    ]
    assert _said_after_building(tmp_path, written=(doc, doc)) == [
        "Byggde Register 2021.xlsx: 2 dokument skrivna, 0 oförändrade."
    ]


def test_a_sync_build_names_each_valideringsrapport_it_removed(tmp_path: Path) -> None:
    """A report made stale by this version of the register is named when it goes."""
    stale = tmp_path / "ut" / "2021" / "Valideringsrapport.xlsx"
    said = _said_after_building(tmp_path, removed_reports=(stale,))
    assert said[1:] == ["Tog bort Valideringsrapport.xlsx (gällde en äldre version av registret)."]
