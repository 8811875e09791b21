"""Tests for the shipped Word templates and the script that builds them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.support.rendering import NS, W, parts
from tools.template_builder import (
    ANNUAL_TEMPLATE,
    MINUTES_TEMPLATE,
    NOTICE_TEMPLATE,
    PLAN_TEMPLATE,
    REPORT_TEMPLATE,
    TEMPLATE_NAMES,
    main,
    template_bytes,
)

SHIPPED = Path(__file__).resolve().parents[2] / "templates"


def _canonical(blob: bytes) -> bytes:
    return etree.tostring(etree.fromstring(blob), method="c14n")


def _xml_parts(data: bytes) -> dict[str, bytes]:
    return {
        n: _canonical(b) if n.endswith((".xml", ".rels")) else b for n, b in parts(data).items()
    }


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_committed_template_matches_the_builder(name: str) -> None:
    """The .docx in templates/ is what template_builder builds (XML compared part by part)."""
    committed = _xml_parts((SHIPPED / name).read_bytes())
    built = _xml_parts(template_bytes(name))
    assert sorted(committed) == sorted(built)
    for part, blob in built.items():
        assert committed[part] == blob, (
            f"{name}: {part} differs; run python -m tools.template_builder"
        )


def test_builder_is_byte_stable() -> None:
    """Building twice gives identical bytes (fixed zip times, no random ids)."""
    assert template_bytes(PLAN_TEMPLATE) == template_bytes(PLAN_TEMPLATE)


def test_main_writes_every_template(tmp_path: Path) -> None:
    """`python -m tools.template_builder DIR` writes the five templates into DIR."""
    assert main([str(tmp_path / "mallar")]) == 0
    assert sorted(p.name for p in (tmp_path / "mallar").iterdir()) == sorted(TEMPLATE_NAMES)


def _part(name: str, part: str) -> etree._Element:
    return etree.fromstring(parts((SHIPPED / name).read_bytes())[part])


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_header_names_the_association_and_footer_has_page_fields(name: str) -> None:
    """Header: {{ association.name }}; footer: "Sida X av Y" with real PAGE and NUMPAGES fields."""
    header = "".join(_part(name, "word/header1.xml").itertext())
    assert "{{ association.name }}" in header
    footer = _part(name, "word/footer1.xml")
    instructions = [t.text.strip() for t in footer.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    kinds = [c.get(f"{W}fldCharType") for c in footer.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"] * 2
    text = "".join(t.text or "" for t in footer.iter(f"{W}t"))
    assert text == "Sida 1 av 1"


@pytest.mark.parametrize(
    ("name", "landscape"),
    [
        (PLAN_TEMPLATE, True),
        (NOTICE_TEMPLATE, False),
        (REPORT_TEMPLATE, True),
        (ANNUAL_TEMPLATE, False),
        (MINUTES_TEMPLATE, False),
    ],
)
def test_page_is_a4_in_the_right_orientation(name: str, landscape: bool) -> None:
    """The plan and the report are A4 landscape; the kallelse, berättelse, protokoll portrait."""
    size = _part(name, "word/document.xml").find(".//w:sectPr/w:pgSz", NS)
    width, height = int(size.get(f"{W}w")), int(size.get(f"{W}h"))
    assert sorted((width, height)) == [11906, 16838]  # A4 in twentieths of a point
    assert (width > height) is landscape
    assert (size.get(f"{W}orient") == "landscape") is landscape


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_templates_use_only_built_in_styles(name: str) -> None:
    """Every paragraph and table style used is one of Word's built-in styles."""
    document = _part(name, "word/document.xml")
    used = {e.get(f"{W}val") for e in document.iter(f"{W}pStyle", f"{W}tblStyle")}
    assert used <= {
        "Title",
        "Subtitle",
        "Heading1",
        "Heading2",
        "ListBullet",
        "ListNumber",
        "TableGrid",
    }
    assert "Title" in used


@pytest.mark.parametrize(("name", "count"), [(PLAN_TEMPLATE, 1), (REPORT_TEMPLATE, 4)])
def test_every_table_header_row_repeats_and_rows_may_break(name: str, count: int) -> None:
    """The first row of every table is marked to repeat on each page (w:tblHeader), and no
    row is kept from breaking across pages (w:cantSplit): under a repeated heading,
    LibreOffice drops such rows from the PDF when they meet a page end. A table holding a
    table only lays out what it holds (the summary beside its chart)."""
    every = _part(name, "word/document.xml").findall(".//w:tbl", NS)
    tables = [table for table in every if table.find(".//w:tbl", NS) is None]
    assert len(tables) == count
    for table in tables:
        assert table.find("w:tr/w:trPr/w:tblHeader", NS) is not None
        assert table.find("w:tr/w:trPr/w:cantSplit", NS) is None


def test_report_template_puts_the_chart_beside_the_summary() -> None:
    """One borderless row: the summary table on the left, {{ summary_chart }} on the right."""
    body = _part(REPORT_TEMPLATE, "word/document.xml").find("w:body", NS)
    (layout,) = [t for t in body.findall("w:tbl", NS) if t.find(".//w:tbl", NS) is not None]
    assert layout.find("w:tblPr/w:tblStyle", NS) is None  # no grid: not a table to the eye
    left, right = layout.findall("w:tr/w:tc", NS)
    summary = left.find("w:tbl", NS)
    assert "".join(summary.find("w:tr", NS).itertext()) == "KategoriAntal"
    assert left[-1].tag == f"{{{NS['w']}}}p"  # Word needs a paragraph after a nested table
    assert "".join(right.itertext()) == "{{ summary_chart }}"


def test_plan_template_has_the_sections_and_columns() -> None:
    """The plan names its sections and the five activity columns in Word text."""
    text = " ".join(_part(PLAN_TEMPLATE, "word/document.xml").itertext())
    for expected in (
        "Verksamhetsplan för verksamhetsåret {{ year }}",
        "Föreningens vision",
        "Syfte",
        "Verksamhet som ska utföras enligt stadgarna",
        "Prioritering",
        "Föreningen förordar att utveckling av systemet sker utifrån prioriteringsordningen:",
        "Verksamhetsområde",
        "Aktivitet/åtgärd",
        "Ansvarig",
        "Klart",
        "Kommentar",
        "{% vm %}",
        "{%p else %}",
    ):
        assert expected in text


def test_template_language_is_swedish() -> None:
    """The documents' default proofing language is Swedish."""
    styles = _part(NOTICE_TEMPLATE, "word/styles.xml")
    assert styles.find(".//w:docDefaults//w:lang", NS).get(f"{W}val") == "sv-SE"
