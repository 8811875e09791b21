"""Tests for the report's chart: a native Word chart with the summary table's counts."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from docautomation.documents.charts import REL_ID, TITLE, StatusChart
from docautomation.documents.jobs import document_jobs
from docautomation.errors import TemplateError
from docautomation.models import Register, WishStatus
from docautomation.outbox import pdf
from tests.support.rendering import (
    NS,
    make_ranking,
    make_register,
    open_docx,
    parts,
    patch_template,
    root,
    rows,
    strict_parse_all,
    tables,
)
from tools.template_builder import REPORT_TEMPLATE

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
REPORT = "2021/Önskemål till Prosona 2021.docx"
C = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
TODAY = date(2021, 3, 15)


def _report(register: Register, templates: Path = SHIPPED) -> bytes:
    jobs = document_jobs(register, make_ranking(register), templates_dir=templates, today=TODAY)
    (job,) = [j for j in jobs if j.path == REPORT]
    return job.render()


def _table_counts(data: bytes) -> dict[str, int]:
    summary = tables(data)[0].find(".//w:tbl", NS)
    return {label: int(count) for label, count in rows(summary)[1:]}


def _chart(data: bytes) -> tuple[list[str], dict[str, list[int]]]:
    """The chart's categories and each series' values, as the chart part caches them."""
    chart = root(data, "word/charts/chart1.xml")
    series = chart.findall(".//c:ser", C)
    categories = [v.text for v in series[0].findall("c:cat//c:pt/c:v", C)]
    values = {
        s.find("c:tx//c:v", C).text: [int(v.text) for v in s.findall("c:val//c:pt/c:v", C)]
        for s in series
    }
    return categories, values


def test_the_chart_shows_the_summary_tables_counts() -> None:
    """Same categories in the same order; each bar's segments add up to the table's count."""
    register = make_register()
    data = _report(register)
    counts = _table_counts(data)
    categories, values = _chart(data)
    assert categories == list(counts)
    totals = [sum(series[i] for series in values.values()) for i in range(len(categories))]
    assert totals == list(counts.values())
    assert sum(totals) == len(make_ranking(register).ranked) == 23


def test_each_segment_counts_the_active_wishes_of_its_status() -> None:
    """The series are the active statuses in the order a wish goes, named in Swedish."""
    register = make_register()
    ranking = make_ranking(register)
    categories, values = _chart(_report(register))
    order = [s.value for s in WishStatus if not s.is_closed]
    assert list(values) == [s for s in order if s in values] and len(values) >= 2
    expected = Counter(
        (f"{r.category} {r.category_name}", r.wish.status.value) for r in ranking.ranked
    )
    for status, numbers in values.items():
        assert numbers == [expected[(label, status)] for label in categories]


def test_the_embedded_workbook_holds_the_same_data() -> None:
    """Word's "Redigera data" opens a workbook with the chart's numbers where its formulas say."""
    data = _report(make_register())
    categories, values = _chart(data)
    book = openpyxl.load_workbook(
        io.BytesIO(parts(data)["word/embeddings/Microsoft_Excel_Worksheet1.xlsx"])
    )
    sheet = book["Blad1"]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == ["Kategori", *values]
    assert [row[0] for row in table[1:]] == categories
    for column, numbers in enumerate(values.values(), start=1):
        assert [row[column] for row in table[1:]] == numbers
    formulas = [f.text for f in root(data, "word/charts/chart1.xml").iter(f"{{{C['c']}}}f")]
    assert f"Blad1!$A$2:$A${len(categories) + 1}" in formulas
    assert f"Blad1!$B$2:$B${len(categories) + 1}" in formulas


def test_the_chart_is_a_valid_part_of_the_document() -> None:
    """Relationship, content types and an inline drawing that points at the chart."""
    data = _report(make_register())
    members = parts(data)
    strict_parse_all(data)
    rels = etree.fromstring(members["word/_rels/document.xml.rels"])
    chart_rel = next(r for r in rels if r.get("Id") == REL_ID)
    assert chart_rel.get("Target") == "charts/chart1.xml"
    assert chart_rel.get("Type").endswith("/relationships/chart")
    chart_rels = etree.fromstring(members["word/charts/_rels/chart1.xml.rels"])
    assert [r.get("Target") for r in chart_rels] == [
        "../embeddings/Microsoft_Excel_Worksheet1.xlsx"
    ]
    types = members["[Content_Types].xml"].decode()
    assert '/word/charts/chart1.xml" ContentType="application/vnd.openxmlformats-officedocument.' \
        'drawingml.chart+xml"' in types  # fmt: skip
    assert 'Extension="xlsx"' in types
    drawing = root(data).find(".//w:drawing", NS)
    assert drawing is not None and drawing.find(".//{*}docPr").get("descr").startswith(TITLE)
    assert len(root(data).findall(".//{*}docPr")) == 1
    document = open_docx(data)
    assert any(p.partname == "/word/charts/chart1.xml" for p in document.part.package.iter_parts())


def test_the_chart_is_byte_stable() -> None:
    """Rendering the same report twice gives the same bytes, chart and workbook included."""
    register = make_register()
    assert _report(register) == _report(register)


def test_no_active_wishes_means_no_chart() -> None:
    """Every wish delivered: the chart tag is empty and the document has no chart part."""
    register = make_register()
    closed = tuple(replace(w, status=WishStatus.LEVERERAD) for w in register.wishes)
    assert StatusChart.of([("1 Lagstiftning", Counter())]) is None
    data = _report(replace(register, wishes=closed))
    assert not [name for name in parts(data) if "chart" in name]


def test_a_template_without_the_tag_gets_no_chart(tmp_path: Path) -> None:
    """A secretary who removed {{ summary_chart }} gets the report without a chart part."""
    folder = tmp_path / "templates"
    shutil.copytree(SHIPPED, folder)
    patch_template(SHIPPED / REPORT_TEMPLATE, folder / REPORT_TEMPLATE, "{{ summary_chart }}", "")
    data = _report(make_register(), folder)
    assert not [name for name in parts(data) if "chart" in name]


def test_the_chart_tag_in_a_header_is_refused(tmp_path: Path) -> None:
    """The chart belongs in the body: in the header it is a Swedish error naming the template."""
    folder = tmp_path / "templates"
    shutil.copytree(SHIPPED, folder)
    header = "word/header1.xml"
    patch_template(
        SHIPPED / REPORT_TEMPLATE, folder / REPORT_TEMPLATE, "{{ association.name }}",
        "{{ association.name }}</w:t></w:r><w:r><w:t>{{ summary_chart }}", header,
    )  # fmt: skip
    with pytest.raises(TemplateError, match=r"Mallen \"Önskemål till leverantör.docx\" visar"):
        _report(make_register(), folder)


def test_the_value_axis_steps_keep_the_grid_readable() -> None:
    """Up to ten grid lines whatever the counts: steps of 1, 2, 5, 10, 20, 50 …"""
    for largest, step in ((3, 1), (10, 1), (11, 2), (23, 5), (99, 10), (101, 20), (400, 50)):
        chart = StatusChart(("1 A",), (WishStatus.NY,), ((largest,),))
        unit = etree.fromstring(chart._chart_xml()).find(".//c:majorUnit", C)
        assert int(unit.get("val")) == step, largest


@pytest.mark.office
@pytest.mark.skipif(pdf.soffice_path() is None, reason="LibreOffice (soffice) saknas")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext saknas")
def test_libreoffice_draws_the_chart_with_swedish_labels(tmp_path: Path) -> None:
    """In LibreOffice's PDF the chart shows its title, its categories and the statuses."""
    path = tmp_path / "Önskemål.docx"
    path.write_bytes(_report(make_register()))
    (converted,) = pdf.convert_to_pdf([path], tmp_path / "pdf")
    text = subprocess.run(
        ["pdftotext", str(converted), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert TITLE in flat
    drawn = flat.split(TITLE, 1)[1]  # the chart's own text comes after its title
    categories, values = _chart(path.read_bytes())
    for label in [*categories, *values]:
        assert label in drawn
