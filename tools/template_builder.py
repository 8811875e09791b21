"""Builds the shipped Word templates: `python -m tools.template_builder [DIR]`.

The templates use only Word's built-in styles (Title, Subtitle, Heading 1/2, List Bullet,
List Number, Table Grid, Header, Footer) so the secretary can restyle them in Word. The
variables each template may use are listed in `docautomation.documents.contexts`.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped]

from docautomation.documents.contexts import (
    ANNUAL_TEMPLATE,
    MINUTES_TEMPLATE,
    NOTICE_TEMPLATE,
    PLAN_TEMPLATE,
    REPORT_TEMPLATE,
    TEMPLATE_NAMES,
)
from docautomation.documents.docxzip import write_package

_HEADER_FILL = "D9E2F3"
PILOT_FILL = "FFF2CC"  # light yellow: the pilot wish's row in the report
_FIXED_TIME = datetime(2021, 1, 1)
# python-docx's default thumbnail is not ours; stylesWithEffects is a Word 2010 leftover.
_DROPPED_PARTS = {"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"}

Container = DocxDocument | _Cell


# ---------------------------------------------------------------------------------------------
# Small building blocks
# ---------------------------------------------------------------------------------------------


def _new_document(*, landscape: bool, title: str) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Table Grid"].font.size = Pt(9.5)
    _set_language(doc, "sv-SE")
    _header_and_footer(doc)
    props = doc.core_properties
    props.title, props.author, props.comments, props.last_modified_by = (
        title,
        "docautomation",
        "",
        "",
    )
    props.created = props.modified = _FIXED_TIME
    return doc


def _set_language(doc: DocxDocument, lang: str) -> None:
    # Swedish proofing for everything typed into the document.
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    element = rpr.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        rpr.append(element)
    element.set(qn("w:val"), lang)


def _header_and_footer(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.header.paragraphs[0].text = "{{ association.name }}"
    section.header.paragraphs[0].style = doc.styles["Header"]
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Sida ")
    _field(footer, "PAGE")
    footer.add_run(" av ")
    _field(footer, "NUMPAGES")


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A real Word field: begin · instruction · separate · cached result "1" · end."""
    paragraph.add_run()._r.append(_fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(_fld_char("separate"))
    paragraph.add_run("1")
    paragraph.add_run()._r.append(_fld_char("end"))


def _fld_char(kind: str) -> BaseOxmlElement:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    return char


def _p(
    where: Container, text: str = "", style: str | None = None, *, bold: bool = False
) -> Paragraph:
    paragraph = where.add_paragraph(style=style)
    if text:
        _run(paragraph, text, bold=bold)
    return paragraph


def _run(paragraph: Paragraph, text: str, *, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    if bold:  # setting bold=None would leave an empty <w:rPr/> in every rendered run
        run.bold = True


def _labelled(where: Container, label: str, value: str) -> Paragraph:
    paragraph = where.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)
    return paragraph


def _cell_text(cell: _Cell, text: str, style: str | None = None, *, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    if style:
        paragraph.style = style
    _run(paragraph, text, bold=bold)


def _table(where: Container, headers: Sequence[str], widths_mm: Sequence[int], rows: int) -> Table:
    """A Table Grid table with a bold, shaded header row that repeats on every page.

    Its rows may break across pages (no w:cantSplit): in a table whose heading repeats,
    LibreOffice drops rows marked not to break, or the end of such a row, when they meet a
    page end, so its PDF would silently lose wishes. A broken row continues on the next page
    under the repeated heading, in Word and LibreOffice alike.
    """
    table: Table = where.add_table(rows=1 + rows, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    header = table.rows[0]
    for cell, text in zip(header.cells, headers, strict=True):
        _cell_text(cell, text, bold=True)
        _shade(cell, _HEADER_FILL)
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    return table


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _loop_rows(table: Table, start: int, tags: Sequence[str]) -> None:
    for offset, tag in enumerate(tags):
        _cell_text(table.rows[start + offset].cells[0], tag)


def _list_block(where: Container, loop: str, item: str, style: str, empty: str) -> None:
    """{%p for %} over list-styled paragraphs; {%p else %} keeps the container from ending empty."""
    _p(where, f"{{%p for {loop} %}}")
    _p(where, item, style)
    _p(where, "{%p else %}")
    _p(where, empty)
    _p(where, "{%p endfor %}")


# ---------------------------------------------------------------------------------------------
# The plan, the kallelse and the report
# ---------------------------------------------------------------------------------------------


def build_plan() -> DocxDocument:
    """Verksamhetsplan: A4 landscape, sections from Förening, priority order, activity table."""
    doc = _new_document(landscape=True, title="Verksamhetsplan")
    _p(doc, "Verksamhetsplan för verksamhetsåret {{ year }}", "Title")
    _p(doc, "{{ association.name }}", "Subtitle")
    for heading, field in (("Föreningens vision", "vision"), ("Syfte", "purpose")):
        _p(doc, f"{{%p if association.{field} %}}")
        _p(doc, heading, "Heading 1")
        _p(doc, f"{{{{ association.{field} }}}}")
        _p(doc, "{%p endif %}")
    _p(doc, "{%p if association.tasks %}")
    _p(doc, "Verksamhet som ska utföras enligt stadgarna", "Heading 1")
    _list_block(doc, "task in association.tasks", "{{ task }}", "List Bullet", "")
    _p(doc, "{%p endif %}")
    _p(doc, "Prioritering", "Heading 1")
    _p(doc, "Föreningen förordar att utveckling av systemet sker utifrån prioriteringsordningen:")
    _list_block(doc, "category in categories", "{{ category.label }}", "List Number", "")
    _p(doc, "Aktiviteter", "Heading 1")
    _p(doc, "{%p if groups %}")
    table = _table(
        doc,
        ("Verksamhetsområde", "Aktivitet/åtgärd", "Ansvarig", "Klart", "Kommentar"),
        (44, 80, 30, 36, 67),
        rows=5,
    )
    _loop_rows(
        table, 1, ("{%tr for group in groups %}", "{%tr for activity in group.activities %}")
    )
    cells = table.rows[3].cells
    _cell_text(cells[0], "{% vm %}{{ group.area }}", bold=True)
    for cell, name in zip(cells[1:4], ("action", "responsible", "klart"), strict=True):
        _cell_text(cell, f"{{{{ activity.{name} }}}}")
    _comment_cell(cells[4])
    _loop_rows(table, 4, ("{%tr endfor %}", "{%tr endfor %}"))
    _p(doc, "{%p else %}")
    _p(doc, "Registret innehåller inga aktiviteter.")
    _p(doc, "{%p endif %}")
    return doc


def _comment_cell(cell: _Cell) -> None:
    # Kommentar: list lines as real list paragraphs, other lines as ordinary ones; an empty
    # comment still leaves one (empty) paragraph so the cell stays valid.
    _cell_text(cell, "{%p for line in activity.comment %}")
    _p(cell, "{%p if line.item %}")
    _p(cell, "{{ line.text }}", "List Bullet")
    _p(cell, "{%p else %}")
    _p(cell, "{{ line.text }}")
    _p(cell, "{%p endif %}")
    _p(cell, "{%p else %}")
    _p(cell, "")
    _p(cell, "{%p endfor %}")


def build_notice() -> DocxDocument:
    """Kallelse: one meeting — facts, numbered dagordning, recipients, sending date, who calls."""
    doc = _new_document(landscape=False, title="Kallelse")
    _p(doc, "{{ meeting.title }}", "Title")
    _p(doc, "{{ association.name }}", "Subtitle")
    _labelled(doc, "Möte", "{{ meeting.type }}")
    _labelled(doc, "Datum", "{{ meeting.date }}")
    _labelled(doc, "Tid", "{{ meeting.time }}")
    for field, label in (("place", "Plats"), ("link", "Distanslänk")):
        _p(doc, f"{{%p if meeting.{field} %}}")
        _labelled(doc, label, f"{{{{ meeting.{field} }}}}")
        _p(doc, "{%p endif %}")
    _labelled(doc, "Mottagare", "{{ meeting.recipients }}")
    _p(doc, "{%p if meeting.notice_date %}")
    _labelled(doc, "Kallelsen skickas", "{{ meeting.notice_date }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{{ meeting.agenda_heading }}", "Heading 1")
    _list_block(
        doc, "item in meeting.agenda", "{{ item }}", "List Number", "{{ meeting.no_agenda }}"
    )
    _p(doc)
    _p(doc, "Välkomna!")
    _p(doc, "{{ caller.name }}", bold=True)
    _p(doc, "{{ caller.title }}")
    return doc


def build_report() -> DocxDocument:
    """Report to the supplier: summary, changes, ranked table, details, delivered and rejected."""
    doc = _new_document(landscape=True, title="Önskemål")
    _p(doc, "Önskemål till {{ supplier }}", "Title")
    _p(doc, "{{ association.name }}, {{ report.date }}", "Subtitle")
    _p(
        doc,
        "Medlemmarnas önskemål om förbättringar, rangordnade enligt föreningens "
        "prioriteringsordning. Rapportdatum: {{ report.date }}.",
    )
    _p(doc, "{%p if report.pilot %}")
    _labelled(doc, "Föreningens pilotönskemål", "{{ report.pilot }} (markerat i tabellen)")
    _p(doc, "{%p endif %}")
    _p(doc, "Sammanfattning per kategori", "Heading 1")
    _summary_beside_chart(doc)
    _p(
        doc,
        "Rangordnade: {{ report.ranked_count }}. Levererade: {{ report.delivered_count }}. "
        "Avvisade: {{ report.rejected_count }}.",
    )
    _changes_section(doc)
    _ranked_section(doc)
    _details_section(doc)
    for heading, name, empty in (
        ("Levererade önskemål", "delivered", "Inga levererade önskemål."),
        ("Avvisade önskemål", "rejected", "Inga avvisade önskemål."),
    ):
        _closed_section(doc, heading, name, empty)
    return doc


def _summary_beside_chart(doc: DocxDocument) -> None:
    """The summary table and, to its right, the chart of the same counts (a borderless layout)."""
    layout = doc.add_table(rows=1, cols=2)
    layout.autofit = False
    widths = (100, 157)
    for col, width in zip(layout._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    left, right = layout.rows[0].cells
    for cell, width in zip((left, right), widths, strict=True):
        cell.width = Mm(width)
    left._tc.remove(left.paragraphs[0]._p)  # the table comes first; Word adds a paragraph after
    summary = _table(left, ("Kategori", "Antal"), (75, 20), rows=3)
    _loop_rows(summary, 1, ("{%tr for row in summary %}",))
    _cell_text(summary.rows[2].cells[0], "{{ row.category }}")
    _cell_text(summary.rows[2].cells[1], "{{ row.count }}")
    _loop_rows(summary, 3, ("{%tr endfor %}",))
    _cell_text(right, "{{ summary_chart }}")


def _changes_section(doc: DocxDocument) -> None:
    _p(doc, "Förändringar sedan förra rapporten", "Heading 1")
    _p(doc, "{%p if changes.previous %}")
    _p(doc, "{{ changes.intro }}")
    for heading, name in (
        ("Nya önskemål", "new"),
        ("Ändrad status", "status"),
        ("Ändrad kategori", "category"),
    ):
        _p(doc, heading, "Heading 2")
        _list_block(doc, f"line in changes.{name}", "{{ line }}", "List Bullet", "Inga.")
    _p(doc, "{%p if changes.removed %}")
    _p(doc, "Borttagna ur registret", "Heading 2")
    _list_block(doc, "line in changes.removed", "{{ line }}", "List Bullet", "")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p else %}")
    _p(doc, "Det finns ingen tidigare rapport att jämföra med; detta är den första.")
    _p(doc, "{%p endif %}")


def _ranked_section(doc: DocxDocument) -> None:
    # The pilot wish gets its own, shaded row variant (a {%tr if %}), so the secretary can
    # restyle it in Word and ordinary rows carry no shading markup (26 MB → less at 10,000 rows).
    _p(doc, "Rangordnade önskemål", "Heading 1")
    _p(doc, "{%p if ranked %}")
    columns = (
        ("Plats", "rank", 14),
        ("ID", "id", 20),
        ("Rubrik", "title", 62),
        ("Kategori", "category", 50),
        ("Antal kommuner", "municipalities", 22),
        ("Insats", "effort", 16),
        ("Effekt", "effect", 16),
        ("Status", "status", 27),
        ("Leverantörens ärende", "supplier_ref", 30),
    )
    table = _table(doc, [c[0] for c in columns], [c[2] for c in columns], rows=7)
    _loop_rows(table, 1, ("{%tr for wish in ranked %}", "{%tr if wish.pilot %}"))
    for row, shaded in ((table.rows[3], True), (table.rows[5], False)):
        for cell, (_, name, _) in zip(row.cells, columns, strict=True):
            _cell_text(cell, f"{{{{ wish.{name} }}}}", bold=shaded)
            if shaded:
                _shade(cell, PILOT_FILL)
    _loop_rows(table, 4, ("{%tr else %}",))
    _loop_rows(table, 6, ("{%tr endif %}", "{%tr endfor %}"))
    _p(doc, "{%p else %}")
    _p(doc, "Det finns inga aktiva önskemål.")
    _p(doc, "{%p endif %}")


def _details_section(doc: DocxDocument) -> None:
    _p(doc, "Önskemålen i detalj", "Heading 1")
    _p(doc, "{%p for wish in ranked %}")
    _p(doc, "{{ wish.rank }}. {{ wish.id }} {{ wish.title }}", "Heading 2")
    _labelled(doc, "Beskrivning", "{{ wish.description }}")
    _labelled(doc, "Inlämnat", "{{ wish.submitted }}")
    _labelled(doc, "Placering", "{{ wish.reason }}")
    _labelled(doc, "Återkoppling", "{{ wish.feedback }}")
    _p(doc, "{%p else %}")
    _p(doc, "Det finns inga aktiva önskemål.")
    _p(doc, "{%p endfor %}")


def _closed_section(doc: DocxDocument, heading: str, name: str, empty: str) -> None:
    _p(doc, heading, "Heading 1")
    _p(doc, f"{{%p if {name} %}}")
    table = _table(
        doc, ("ID", "Rubrik", "Leverantörens ärende", "Återkoppling"), (25, 80, 35, 117), rows=3
    )
    _loop_rows(table, 1, (f"{{%tr for wish in {name} %}}",))
    for cell, field in zip(
        table.rows[2].cells, ("id", "title", "supplier_ref", "feedback"), strict=True
    ):
        _cell_text(cell, f"{{{{ wish.{field} }}}}")
    _loop_rows(table, 3, ("{%tr endfor %}",))
    _p(doc, "{%p else %}")
    _p(doc, empty)
    _p(doc, "{%p endif %}")


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def builders() -> dict[str, Callable[[], DocxDocument]]:
    """Each shipped template's builder, by file name."""
    # The year's other templates are built from this module's blocks in a module of their
    # own, which imports this one; importing it here, not at the top, keeps that one-way.
    from tools.year_templates import build_annual_report, build_minutes

    return {
        PLAN_TEMPLATE: build_plan,
        NOTICE_TEMPLATE: build_notice,
        REPORT_TEMPLATE: build_report,
        ANNUAL_TEMPLATE: build_annual_report,
        MINUTES_TEMPLATE: build_minutes,
    }


def template_bytes(name: str) -> bytes:
    """The bytes of the shipped template `name`, built afresh (byte-stable)."""
    buffer = io.BytesIO()
    builders()[name]().save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        entries = [
            (i.filename, zf.read(i)) for i in zf.infolist() if i.filename not in _DROPPED_PARTS
        ]
    return write_package((n, _without_dropped(n, d)) for n, d in entries)


def _without_dropped(name: str, data: bytes) -> bytes:
    """Remove relationships and content-type overrides that point at a dropped part."""
    if not (name.endswith(".rels") or name == "[Content_Types].xml"):
        return data
    base = name.split("_rels/")[0]  # relationship targets are relative to the source's folder
    root = etree.fromstring(data)
    for element in list(root):
        target = element.get("PartName", "").lstrip("/") or base + element.get("Target", "")
        if target in _DROPPED_PARTS:
            root.remove(element)
    serialised: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    return serialised


def write_templates(directory: Path) -> list[Path]:
    """Write the shipped templates into `directory` (created if needed); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TEMPLATE_NAMES:
        path = directory / name
        path.write_bytes(template_bytes(name))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the templates into DIR (default: ./templates)."""
    args = list(sys.argv[1:] if argv is None else argv)
    directory = Path(args[0]) if args else Path("templates")
    write_templates(directory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
