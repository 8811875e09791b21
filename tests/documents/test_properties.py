"""Tests for the provenance stamped into every generated .docx (custom document properties)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, time
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree

from docautomation import __version__
from docautomation.build import build
from docautomation.config import Settings
from docautomation.documents import jobs
from docautomation.documents import properties as props
from docautomation.documents.package import Package
from docautomation.outbox.manifest import load_manifest
from tests.support.rendering import make_ranking, make_register, open_docx, parts, strict_parse_all

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
DAY = date(2021, 1, 10)
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PROVENANCE = props.Provenance("Register 2021.xlsx", "ab" * 32, DAY, "Mall.docx", "cd" * 32)


def _plan() -> bytes:
    register = make_register()
    (job,) = [
        j
        for j in jobs.document_jobs(
            register, make_ranking(register), templates_dir=SHIPPED, today=DAY
        )
        if j.path.endswith("Verksamhetsplan 2021.docx")
    ]
    return job.render()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# The part itself
# ---------------------------------------------------------------------------------------------


def test_stamped_document_has_a_valid_custom_properties_part() -> None:
    """docProps/custom.xml with its content type and package relationship, as ISO 29500 says."""
    data = props.stamp(_plan(), PROVENANCE)
    members = parts(data)
    assert strict_parse_all(data) == strict_parse_all(_plan()) + 1
    types = etree.fromstring(members["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/docProps/custom.xml"] == props.CUSTOM_TYPE
    rels = etree.fromstring(members["_rels/.rels"])
    targets = {r.get("Type"): r.get("Target") for r in rels}
    assert targets[props.CUSTOM_REL] == "docProps/custom.xml"
    assert len({r.get("Id") for r in rels}) == len(rels)  # relationship ids stay unique
    root = etree.fromstring(members["docProps/custom.xml"])
    assert root.tag == f"{{{CUSTOM_NS}}}Properties"
    pids = [int(p.get("pid")) for p in root]
    assert pids == list(range(2, 2 + len(pids)))  # user-defined properties start at 2
    for prop in root:
        assert prop.get("fmtid") == "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
        assert [child.tag for child in prop] == [f"{{{VT_NS}}}lpwstr"]
    open_docx(data)  # python-docx opens it (and keeps the part when saving)


def test_properties_read_back_with_the_content_hash() -> None:
    """Every property is there, and the content hash is that of the document without them."""
    data = props.stamp(_plan(), PROVENANCE)
    found = props.read_properties(data)
    assert found == {
        "Register": "Register 2021.xlsx",
        "Registrets SHA-256": "ab" * 32,
        "Mall": "Mall.docx",
        "Mallens SHA-256": "cd" * 32,
        "docautomation-version": __version__,
        "Byggdatum": "2021-01-10",
        "Innehållets SHA-256": props.actual_content(data),
    }
    assert props.is_ours(found) and props.recorded_content(data) == props.actual_content(data)


def test_other_properties_change_the_bytes_but_not_the_content() -> None:
    """Another register or date gives other bytes; the content hash stays, stamping is stable."""
    plain = _plan()
    first = props.stamp(plain, PROVENANCE)
    later = props.Provenance(
        "Register v2.xlsx", "ef" * 32, date(2021, 5, 1), "Mall.docx", "cd" * 32
    )
    second = props.stamp(plain, later)
    assert first != second
    assert props.actual_content(first) == props.actual_content(second)
    assert props.stamp(plain, PROVENANCE) == first
    assert props.stamp(first, later) == second  # stamping again replaces, never duplicates


def test_an_edit_changes_the_content_hash() -> None:
    """A document saved by python-docx (as after an edit in Word) no longer matches its hash."""
    data = props.stamp(_plan(), PROVENANCE)
    doc = Document(io.BytesIO(data))
    doc.add_paragraph("Sekreterarens rad")
    buffer = io.BytesIO()
    doc.save(buffer)
    edited = buffer.getvalue()
    assert props.read_properties(edited) == props.read_properties(data)  # Word keeps them
    assert props.actual_content(edited) != props.recorded_content(edited)


def test_a_templates_own_custom_properties_are_kept() -> None:
    """A template with custom properties of its own keeps them; ours are added after them."""
    stamped = props.stamp(_plan(), PROVENANCE)
    own = parts(stamped)["docProps/custom.xml"].replace(b'name="Register"', b'name="Avdelning"')
    template_like = Package.open(stamped).rewrite({"docProps/custom.xml": own})
    found = props.read_properties(props.stamp(template_like, PROVENANCE))
    assert found is not None
    assert found["Avdelning"] == "Register 2021.xlsx" and found["Register"] == "Register 2021.xlsx"


def test_non_packages_and_foreign_documents() -> None:
    """Bytes that are no zip have no properties; a plain Word file has none of ours."""
    assert props.read_properties(b"not a zip") is None
    assert props.recorded_content(b"not a zip") is None
    assert props.read_properties(_plan()) == {}
    assert not props.is_ours({})
    assert props.is_word(_plan()) and not props.is_word(b"PK\x05\x06" + bytes(18))


# ---------------------------------------------------------------------------------------------
# Every document of a build
# ---------------------------------------------------------------------------------------------


def _documents(outbox: Path) -> dict[str, dict[str, str]]:
    found = {}
    for path in sorted(outbox.rglob("*.docx")):
        values = props.read_properties(path.read_bytes())
        assert values is not None
        found[path.relative_to(outbox).as_posix()] = values
    return found


def test_every_document_names_its_register_and_template(
    settings: Settings, example_register: Path
) -> None:
    """Names and hashes are those of the real register and template files, and of the content."""
    assert build(None, settings, today=DAY).exit_code == 0
    documents = _documents(settings.outbox)
    assert len(documents) == 19  # plan, report, berättelse; a kallelse and a protokoll per meeting
    templates = {
        "Verksamhetsplan": "Verksamhetsplan.docx",
        "Önskemål": "Önskemål till leverantör.docx",
        "Verksamhetsberättelse": "Verksamhetsberättelse.docx",
        "Kallelser": "Kallelse.docx",
        "Protokoll": "Protokoll.docx",
    }
    for rel, values in documents.items():
        template = templates[rel.split("/")[1].split(" ")[0]]
        assert values["Register"] == example_register.name
        assert values["Registrets SHA-256"] == _sha256(example_register)
        assert values["Mall"] == template
        assert values["Mallens SHA-256"] == _sha256(settings.templates / template)
        assert values["docautomation-version"] == __version__
        assert values["Byggdatum"] == DAY.isoformat()
        data = (settings.outbox / rel).read_bytes()
        assert values["Innehållets SHA-256"] == props.actual_content(data)


def _edit(register: Path, sheet: str, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(register)
    wb[sheet][cell] = value
    wb.save(register)


def test_properties_are_those_of_the_build_that_last_changed_the_content(
    settings: Settings, example_register: Path
) -> None:
    """A changed meeting's documents name the new register and date; the others keep theirs."""
    assert build(None, settings, today=DAY).exit_code == 0
    first_sha = _sha256(example_register)
    before = {p: p.read_bytes() for p in settings.outbox.rglob("*.docx")}
    _edit(example_register, "Möten", "B3", time(9, 0))  # the 2021-02-23 meeting
    assert build(None, settings, today=date(2021, 2, 1)).exit_code == 0
    changed = {
        p.relative_to(settings.outbox).as_posix() for p in before if p.read_bytes() != before[p]
    }
    assert "2021/Kallelser/2021-02-23 Styrelsemöte.docx" in changed
    assert "2021/Verksamhetsplan 2021.docx" not in changed
    for rel, values in _documents(settings.outbox).items():
        if rel in changed:
            assert values["Registrets SHA-256"] == _sha256(example_register) != first_sha
            assert values["Byggdatum"] == "2021-02-01"
        else:
            assert (values["Registrets SHA-256"], values["Byggdatum"]) == (first_sha, "2021-01-10")


def test_same_content_is_not_rewritten_for_new_properties(
    settings: Settings, example_register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The register saved again (new bytes, same data) and every document rendered again (new
    keys): the content is the same, so no file is touched and each keeps its properties."""
    assert build(None, settings, today=DAY).exit_code == 0
    first_sha = _sha256(example_register)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in settings.outbox.rglob("*.docx")}
    keys = {rel: e.key for rel, e in load_manifest(settings.outbox).items()}
    openpyxl.load_workbook(example_register).save(example_register)
    assert _sha256(example_register) != first_sha
    monkeypatch.setattr(jobs, "RENDER_VERSION", "another rendering, same documents")
    outcome = build(None, settings, today=DAY).outcomes[0]
    assert not [p for p in outcome.written if p.suffix == ".docx"]
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before
    rendered = {rel for rel, e in load_manifest(settings.outbox).items() if e.key != keys[rel]}
    assert {rel for rel in rendered if rel.endswith(".docx")} == {
        p.relative_to(settings.outbox).as_posix() for p in before
    }
    assert {v["Registrets SHA-256"] for v in _documents(settings.outbox).values()} == {first_sha}


def test_a_build_date_keeps_the_output_byte_identical(
    settings: Settings, example_register: Path, tmp_path: Path
) -> None:
    """Two fresh outboxes with the same --date: the same properties, byte for byte."""
    other = Settings(inbox=settings.inbox, outbox=tmp_path / "other", templates=settings.templates)
    assert build(None, settings, today=DAY).exit_code == 0
    assert build(None, other, today=DAY).exit_code == 0
    for path in settings.outbox.rglob("*.docx"):
        twin = other.outbox / path.relative_to(settings.outbox)
        assert path.read_bytes() == twin.read_bytes()
        with zipfile.ZipFile(path) as package:
            assert "docProps/custom.xml" in package.namelist()
