"""One run from a save in SharePoint to documents in the library, with the real build."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from docautomation.config import Settings
from docautomation.register.scaffold import SHIPPED_TEMPLATES, example_content, write_register
from docautomation.sharepoint import run_sync
from tests.sharepoint.conftest import Tenant
from tests.sharepoint.docxfiles import docx_text

PLAN = "2021/Verksamhetsplan 2021.docx"
FIRST_KALLELSE = "2021/Kallelser/2021-01-26 Styrelsemöte.docx"


def run(settings: Settings) -> tuple[int, list[str]]:
    lines: list[str] = []
    return run_sync(settings, echo=lines.append, sleep=lambda _s: None), lines


def hashes(outbox: Path) -> dict[str, str]:
    return {
        p.relative_to(outbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in outbox.rglob("*")
        if p.is_file() and ".docautomation" not in p.parts
    }


def uploaded(lines: list[str]) -> list[str]:
    return sorted(
        line.split(" ", 2)[2].rsplit(" (", 1)[0] for line in lines if "Laddade upp" in line
    )


def register_bytes(tmp: Path, change: dict[str, Any] | None = None) -> bytes:
    """The shipped example register; `change` overrides fields of its first meeting."""
    content = example_content()
    content["Möten"][0].update(change or {})
    return write_register(tmp / "register.xlsx", content).read_bytes()


@pytest.fixture
def library(tenant: Tenant) -> Settings:
    """The example register in SharePoint, synced once: every document is in the library."""
    tenant.register().data = register_bytes(tenant.root)
    settings = tenant.settings()
    shutil.copytree(SHIPPED_TEMPLATES, settings.templates)
    code, lines = run(settings)
    assert code == 0 and PLAN in uploaded(lines)
    return settings


def test_a_register_saved_in_sharepoint_reaches_the_library_in_one_run(
    tenant: Tenant, library: Settings
) -> None:
    """A meeting moved to another room: the same run downloads, builds and uploads exactly the
    documents that changed (its kallelse and the calendars), each once."""
    before = hashes(library.outbox)
    tenant.fake.edit_by_user(tenant.register(), register_bytes(tenant.root, {"Plats": "Rum 2"}))
    code, lines = run(library)
    after = hashes(library.outbox)
    changed = sorted(rel for rel in after if before.get(rel) != after[rel])
    assert code == 0 and FIRST_KALLELSE in changed and PLAN not in changed
    assert uploaded(lines) == changed
    assert "Rum 2" in docx_text(tenant.output(FIRST_KALLELSE).data)


def test_a_template_change_alone_uploads_only_the_documents_it_shapes(
    tenant: Tenant, library: Settings
) -> None:
    """The register is unchanged; an edited Verksamhetsplan template rebuilds, and only the
    Verksamhetsplan goes up. A run after that has nothing to do."""
    template = library.templates / "Verksamhetsplan.docx"
    document = Document(str(template))
    document.add_paragraph("Fastställd av styrelsen.")
    document.save(str(template))
    code, lines = run(library)
    assert code == 0 and uploaded(lines) == [PLAN]
    assert lines[0] == (
        "Mallarna, programmet eller dess inställningar har ändrats; bygger om Register 2021.xlsx."
    )
    assert docx_text(tenant.output(PLAN).data).endswith("Fastställd av styrelsen.")
    assert run(library) == (0, ["SharePoint: inget nytt att hämta eller ladda upp."])


def test_a_moved_meeting_says_its_old_kallelse_went_to_inaktuella(
    tenant: Tenant, library: Settings
) -> None:
    """The sync's build line counts what moved to Inaktuella/, and the moved copies go up."""
    moved = {"Datum": datetime(2021, 1, 28), "Kallelsedatum": datetime(2021, 1, 21)}
    tenant.fake.edit_by_user(tenant.register(), register_bytes(tenant.root, moved))
    code, lines = run(library)
    assert code == 0
    built = next(line for line in lines if line.startswith("Byggde"))
    assert built.endswith(", 3 flyttade till Inaktuella."), built  # kallelse, .ics, protokoll
    assert "2021/Inaktuella/Kallelser/2021-01-26 Styrelsemöte.docx" in uploaded(lines)
