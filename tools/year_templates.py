"""Builds the year's other two templates: the Verksamhetsberättelse and the protokoll draft.

Same building blocks and built-in styles as the three in `template_builder`; the variables
each may use are listed in `docautomation/documents/annual.py` and `minutes.py`.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.shared import Mm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tools.template_builder import (
    _cell_text,
    _labelled,
    _list_block,
    _loop_rows,
    _new_document,
    _p,
    _run,
    _table,
)

SIGNATURE_LINE = "_" * 30

# ---------------------------------------------------------------------------------------------
# Verksamhetsberättelse
# ---------------------------------------------------------------------------------------------


def build_annual_report() -> DocxDocument:
    """Verksamhetsberättelse: A4 portrait; board, meetings, the plan followed up, wishes, signatures."""
    doc = _new_document(landscape=False, title="Verksamhetsberättelse")
    _p(doc, "Verksamhetsberättelse för verksamhetsåret {{ year }}", "Title")
    _p(doc, "{{ association.name }}, {{ report.date }}", "Subtitle")
    _p(
        doc,
        "Styrelsen för {{ association.name }} lämnar härmed följande verksamhetsberättelse "
        "för verksamhetsåret {{ year }}.",
    )
    _people_section(doc)
    _meetings_section(doc)
    _activities_section(doc)
    _wishes_section(doc)
    _signature_section(doc)
    return doc


def _people_section(doc: DocxDocument) -> None:
    _p(doc, "Styrelsen", "Heading 1")
    for heading, name, empty in (
        ("", "board", "Kontakter anger ingen styrelse."),
        ("Revisorer", "auditors", "Kontakter anger inga revisorer."),
        ("Valberedning", "nominating", "Kontakter anger ingen valberedning."),
    ):
        if heading:
            _p(doc, heading, "Heading 2")
        _p(doc, f"{{%p if {name} %}}")
        table = _table(doc, ("Namn", "Roll", "Kommun"), (60, 45, 65), rows=3)
        _loop_rows(table, 1, (f"{{%tr for person in {name} %}}",))
        for cell, field in zip(table.rows[2].cells, ("name", "role", "municipality"), strict=True):
            _cell_text(cell, f"{{{{ person.{field} }}}}")
        _loop_rows(table, 3, ("{%tr endfor %}",))
        _p(doc, "{%p else %}")
        _p(doc, empty)
        _p(doc, "{%p endif %}")


def _meetings_section(doc: DocxDocument) -> None:
    _p(doc, "Möten", "Heading 1")
    _p(doc, "{{ meetings.summary }}")
    _p(doc, "{%p if meetings.held %}")
    _p(doc, "Under året har föreningen haft:")
    _list_block(doc, "line in meetings.counts", "{{ line }}", "List Bullet", "")
    table = _table(doc, ("Datum", "Möte", "Plats"), (25, 60, 85), rows=3)
    _loop_rows(table, 1, ("{%tr for meeting in meetings.held %}",))
    for cell, field in zip(table.rows[2].cells, ("date", "type", "place"), strict=True):
        _cell_text(cell, f"{{{{ meeting.{field} }}}}")
    _loop_rows(table, 3, ("{%tr endfor %}",))
    _p(doc, "{%p else %}")
    _p(doc, "Inga möten har hållits under året.")
    _p(doc, "{%p endif %}")


def _activities_section(doc: DocxDocument) -> None:
    _p(doc, "Verksamhet", "Heading 1")
    _p(doc, "{{ activities.intro }}")
    counts = _table(doc, ("Status", "Antal"), (60, 25), rows=3)
    _loop_rows(counts, 1, ("{%tr for row in activities.counts %}",))
    _cell_text(counts.rows[2].cells[0], "{{ row.status }}")
    _cell_text(counts.rows[2].cells[1], "{{ row.count }}")
    _loop_rows(counts, 3, ("{%tr endfor %}",))
    _keep_on_one_page(counts)
    _p(doc, "{%p for group in activities.groups %}")
    _p(doc, "{{ group.area }}", "Heading 2")
    table = _table(doc, ("Aktivitet/åtgärd", "Status", "Uppföljning"), (70, 25, 75), rows=3)
    _loop_rows(table, 1, ("{%tr for activity in group.activities %}",))
    cells = table.rows[2].cells
    _cell_text(cells[0], "{{ activity.action }}")
    _cell_text(cells[1], "{{ activity.status }}")
    _lines_cell(cells[2], "activity.follow_up")
    _loop_rows(table, 3, ("{%tr endfor %}",))
    _p(doc, "{%p endfor %}")


def _lines_cell(cell: _Cell, lines: str) -> None:
    # List lines as real list paragraphs, others as ordinary ones; an empty cell keeps one
    # (empty) paragraph, which a table cell must have.
    _cell_text(cell, f"{{%p for line in {lines} %}}")
    _p(cell, "{%p if line.item %}")
    _p(cell, "{{ line.text }}", "List Bullet")
    _p(cell, "{%p else %}")
    _p(cell, "{{ line.text }}")
    _p(cell, "{%p endif %}")
    _p(cell, "{%p else %}")
    _p(cell, "")
    _p(cell, "{%p endfor %}")


def _wishes_section(doc: DocxDocument) -> None:
    _p(doc, "Önskemål", "Heading 1")
    figures = _table(doc, ("Önskemål", "Antal"), (90, 25), rows=3)
    _loop_rows(figures, 1, ("{%tr for row in wishes.figures %}",))
    _cell_text(figures.rows[2].cells[0], "{{ row.label }}")
    _cell_text(figures.rows[2].cells[1], "{{ row.count }}")
    _loop_rows(figures, 3, ("{%tr endfor %}",))
    _keep_on_one_page(figures)
    _p(doc, "Levererade önskemål", "Heading 2")
    _p(doc, "{%p if wishes.delivered %}")
    table = _table(doc, ("ID", "Rubrik", "Leverantörens ärende"), (25, 105, 40), rows=3)
    _loop_rows(table, 1, ("{%tr for wish in wishes.delivered %}",))
    for cell, field in zip(table.rows[2].cells, ("id", "title", "supplier_ref"), strict=True):
        _cell_text(cell, f"{{{{ wish.{field} }}}}")
    _loop_rows(table, 3, ("{%tr endfor %}",))
    _p(doc, "{%p else %}")
    _p(doc, "Inga önskemål har levererats under året.")
    _p(doc, "{%p endif %}")


def _signature_section(doc: DocxDocument) -> None:
    # Two signatures side by side, in a table without borders, kept on one page.
    _keep_with_next(_p(doc, "Underskrifter", "Heading 1"))
    _keep_with_next(_p(doc, "{{ signatures.place_line }}"))
    _p(doc, "{%p if signatures.rows %}")  # a table must keep a row: none without signers
    table = doc.add_table(rows=3, cols=2)
    table.autofit = False
    for row in table.rows:
        for cell in row.cells:
            cell.width = Mm(85)
    _loop_rows(table, 0, ("{%tr for pair in signatures.rows %}",))
    for cell, index in zip(table.rows[1].cells, (0, 1), strict=True):
        _signature(cell, f"pair[{index}]")
    _loop_rows(table, 2, ("{%tr endfor %}",))
    _p(doc, "{%p endif %}")


def _signature(cell: _Cell, person: str) -> None:
    _keep_with_next(cell.paragraphs[0])  # room to sign above the line
    _keep_with_next(_p(cell))
    _keep_with_next(_p(cell, f"{{{{ {person}.line }}}}"))
    below = _p(cell, f"{{{{ {person}.name }}}}")
    below.add_run().add_break()
    below.add_run(f"{{{{ {person}.role }}}}")


def _keep_on_one_page(table: Table) -> None:
    """A short table's rows each kept with the next, so the table does not break across pages.

    (Not w:cantSplit, which LibreOffice may drop rows for under a repeated heading.)
    """
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                _keep_with_next(paragraph)


def _keep_with_next(paragraph: Paragraph) -> Paragraph:
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


# ---------------------------------------------------------------------------------------------
# Protokoll
# ---------------------------------------------------------------------------------------------


def build_minutes() -> DocxDocument:
    """Protokoll draft: A4 portrait; facts, Närvarande, § items with Beslut lines, signatures."""
    doc = _new_document(landscape=False, title="Protokoll")
    _p(doc, "{{ protocol.title }}", "Title")
    _labelled(doc, "Datum", "{{ meeting.date }}")
    _labelled(doc, "Tid", "{{ meeting.time }}")
    for field, label in (("place", "Plats"), ("link", "Distanslänk")):
        _p(doc, f"{{%p if meeting.{field} %}}")
        _labelled(doc, label, f"{{{{ meeting.{field} }}}}")
        _p(doc, "{%p endif %}")
    _p(doc, "Närvarande", "Heading 2")
    _p(doc, "{%p if attendance.tick %}")
    _p(doc, "{%p for person in attendance.people %}")
    _p(doc, "☐ {{ person.name }}, {{ person.role }}")
    _p(doc, "{%p else %}")
    _p(doc, "Kontakter anger ingen styrelse.")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p else %}")
    _p(doc, "{{ attendance.text }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p for item in items %}")
    _p(doc, "{{ item.number }} {{ item.title }}", "Heading 2")
    _p(doc, "{%p if item.sentence %}")
    _p(doc, "{{ item.sentence }}")
    _p(doc, "{%p else %}")
    _p(doc)  # for what was said
    _p(doc, "Beslut:", bold=True)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")
    _minutes_signatures(doc)
    return doc


def _minutes_signatures(doc: DocxDocument) -> None:
    _p(doc)
    heading = _keep_with_next(_p(doc))
    _run(heading, "Vid protokollet", bold=True)
    _signature_lines(doc, "{{ signatures.recorder }}")
    _keep_with_next(_p(doc))
    _keep_with_next(_p(doc, "Justeras", bold=True))
    _p(doc, "{%p for approver in signatures.approvers %}")
    _signature_lines(doc, "{{ approver }}")
    _p(doc, "{%p endfor %}")


def _signature_lines(doc: DocxDocument, label: str) -> None:
    _keep_with_next(_p(doc))
    _keep_with_next(_p(doc, SIGNATURE_LINE))
    _p(doc, label)
