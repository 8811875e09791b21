"""Small Word templates, one per docxtpl tag, built with python-docx as a secretary would type them.

Each case is a template and the context to render it with; the fidelity tests render it with
docxtpl itself and with our engine and compare what Word would show (see `snapshot`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.table import Table
from docxtpl import Listing, RichText  # type: ignore[import-untyped]
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


@dataclass(frozen=True)
class Case:
    """A template exercising one tag, and the context that fills it in."""

    name: str
    build: Callable[[docx.document.Document], None]
    context: dict[str, Any]

    def template(self) -> bytes:
        document = docx.Document()
        self.build(document)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def runs(paragraph: Any, *texts: str, spellcheck: bool = False) -> None:
    """Append runs holding `texts` (a tag Word split); with spellcheck, proofErr marks between."""
    for number, text in enumerate(texts):
        if spellcheck and number:
            paragraph._p.append(parse_xml(f'<w:proofErr xmlns:w="{W}" w:type="spellStart"/>'))
        paragraph.add_run(text)


def table(document: Any, rows: Sequence[Sequence[str]]) -> Table:
    """A table with one row per entry; a row with fewer texts than the widest loses its last
    cells (so a colspan row can hold fewer cells than the grid)."""
    width = max(len(r) for r in rows)
    result = document.add_table(rows=len(rows), cols=width)
    result.style = "Table Grid"
    for row, texts in zip(result.rows, rows, strict=True):
        cells = row._tr.findall(qn("w:tc"))
        for cell in cells[len(texts) :]:
            row._tr.remove(cell)
        for cell, text in zip(row.cells, texts, strict=False):
            cell.text = text
    return result


def _plain(document: Any) -> None:
    document.add_paragraph("Hej {{ name }}, {{ amp }}!")
    document.add_paragraph("{% if flag %}ja{% else %}nej{% endif %} – {{ items|join(', ') }}")
    document.add_paragraph("{% for x in items %}[{{ loop.index }}:{{ x|upper }}]{% endfor %}")


def _paragraphs(document: Any) -> None:
    document.add_paragraph("Före")
    for text in ("{%p if flag %}", "Villkorligt stycke", "{%p endif %}", "{#p en kommentar #}"):
        document.add_paragraph(text)
    for text in ("{%p for x in items %}", "Punkt {{ x }}", "{%p endfor %}", "Efter"):
        document.add_paragraph(text)


def _rows(document: Any) -> None:
    table(document, [["A", "B"], ["{%tr for r in rows %}", ""], ["{{ r.a }}", "{{ r.b }}"],
                     ["{%tr endfor %}", ""], ["{#tr bort #}", ""], ["Summa", "{{ total }}"]])  # fmt: skip


def _columns(document: Any) -> None:
    table(document, [["Färg", "{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"],
                     ["{%tr for r in rows %}", "", "", ""],
                     ["{{ r.label }}", "{%tc for v in r.vals %}", "{{ v }}", "{%tc endfor %}"],
                     ["{%tr endfor %}", "", "", ""]])  # fmt: skip


def _few_columns(document: Any) -> None:
    table(document, [["Namn", "{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}", "Slut"]])


def _colspan(document: Any) -> None:
    table(document, [["Namn", "{% colspan cols|length %}Värden"],
                     ["{{ name }}", "{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"]])  # fmt: skip


def _hm(document: Any) -> None:
    table(document, [["Rubrik 1", "{%tc for x in xs %}", "{% hm %}Rubrik 2", "{%tc endfor %}", "R3"],
                     ["", "{%tc for x in xs %}", "Del {{ x }}", "{%tc endfor %}", ""]])  # fmt: skip


def _vm(document: Any) -> None:
    table(document, [["Kategori", "Sak", "Antal"], ["{%tr for i in items %}", "", ""],
                     ["{% vm %}{{ category }}", "{{ i.desc }}", "{{ i.qty }}"],
                     ["{%tr endfor %}", "", ""]])  # fmt: skip


def _cellbg(document: Any) -> None:
    table(document, [["Datum", "Typ"], ["{%tr for a in alerts %}", ""],
                     ["{{ a.date }}", "{% cellbg a.bg %}{{ a.type }}"], ["{%tr endfor %}", ""]])  # fmt: skip


def _tc_comment(document: Any) -> None:
    table(document, [["{#tr hela raden bort #}", "", "", ""],
                     ["Synlig", "Också", "Sista", "{#tc cellen bort #}"]])  # fmt: skip


def _split(document: Any) -> None:
    runs(document.add_paragraph(), "Hej {{ na", "me }} och {", "{ other }", "}")
    grid = table(document, [["Färg", "", "{{ c }}", ""]])
    runs(grid.cell(0, 1).paragraphs[0], "{%", "tc", " for c in cols %}", spellcheck=True)
    runs(grid.cell(0, 3).paragraphs[0], "{%t", "c endfor %", "}", spellcheck=True)
    comment = table(document, [["Ett", "Två", "Tre", ""]])
    runs(comment.cell(0, 3).paragraphs[0], "{#", "tc", " bort #}", spellcheck=True)


def _run_tags(document: Any) -> None:
    runs(document.add_paragraph(), "Hej ", "{%r if flag %}", "världen", "{%r endif %}", "!")
    runs(document.add_paragraph(), "Rik text: ", "{{r rich }}", " slut")


def _whitespace(document: Any) -> None:
    for text in ("Mitt hus ligger", "{%- if town -%}", " i stan", "{%- else -%}", " på landet",
                 "{%- endif -%}", " och jag trivs."):  # fmt: skip
        document.add_paragraph(text)
    document.add_paragraph("Tal:{{- ' ' -}}{{ total }}")


def _listing(document: Any) -> None:
    document.add_paragraph("{{ text }}")
    document.add_paragraph("{{ listing }}")
    document.add_paragraph("{{ paragraphs }}")


def _around(document: Any) -> None:
    section = document.sections[0]
    section.header.paragraphs[0].text = "Sidhuvud: {{ name }}"
    section.footer.paragraphs[0].text = "Sidfot: {% if flag %}{{ total }}{% endif %}"
    paragraph = document.add_paragraph("Text med fotnot")
    paragraph.add_run()._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W}" w:id="1"/>'))
    notes = (
        f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r>'
        "<w:t>Fotnot: {{ name }}</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    part = Part(PackURI("/word/footnotes.xml"), _FOOTNOTES, notes.encode(), document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)


def _properties(document: Any) -> None:
    document.core_properties.title = "{{ name }} {{ total }}"
    document.core_properties.subject = "Om {{ name }}"
    document.add_paragraph("{{ name }}")


CONTEXT: dict[str, Any] = {
    "name": "Castor", "amp": "Tom & Jerry <b>", "flag": True, "town": False, "total": "42",
    "items": ["ett", "två", "tre"], "cols": ["a", "b", "c", "d"], "xs": [1, 2, 3],
    "rows": [{"a": "1", "b": "2", "label": "gul", "vals": ["w", "x", "y", "z"]},
             {"a": "3", "b": "4", "label": "röd", "vals": ["p", "q", "r", "s"]}],
    "category": "Böcker",
    "alerts": [{"date": "2021-03-10", "type": "KRITISK", "bg": "FF0000"},
               {"date": "2021-03-11", "type": "VARNING", "bg": "FFDD00"}],
    "text": "rad 1\nrad 2\tflik", "paragraphs": "första\aandra",
}  # fmt: skip

CASES = (
    Case("plain", _plain, CONTEXT),
    Case("paragraphs", _paragraphs, CONTEXT),
    Case("rows", _rows, CONTEXT),
    Case("columns", _columns, CONTEXT),
    Case("few_columns", _few_columns, {**CONTEXT, "cols": ["bara en"]}),
    Case("colspan", _colspan, CONTEXT),
    Case("hm", _hm, CONTEXT),
    Case(
        "vm",
        _vm,
        {
            **CONTEXT,
            "items": [
                {"desc": "Python", "qty": 2},
                {"desc": "Jinja", "qty": 5},
                {"desc": "Word", "qty": 1},
            ],
        },
    ),
    Case("cellbg", _cellbg, CONTEXT),
    Case("tc_comment", _tc_comment, CONTEXT),
    Case("split_runs", _split, {**CONTEXT, "other": "annan"}),
    Case("run_tags", _run_tags, {**CONTEXT, "rich": RichText("fet", bold=True, color="FF0000")}),
    Case("whitespace", _whitespace, CONTEXT),
    Case("listing", _listing, {**CONTEXT, "listing": Listing("lista\nmed & rader")}),
    Case("headers_footers_footnotes", _around, CONTEXT),
    Case("properties", _properties, CONTEXT),
)


def snapshot(data: bytes) -> dict[str, Any]:
    """What Word shows of a document: body blocks (paragraph text; tables with their grid and
    each cell's text, span, merge and shading), headers, footers, footnotes, title, subject."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        xml = {n: etree.fromstring(zf.read(n)) for n in names if n.endswith(".xml")}
    body = xml["word/document.xml"].find(f"{_W}body")
    assert body is not None
    core = xml["docProps/core.xml"]
    dc = "{http://purl.org/dc/elements/1.1/}"
    return {
        "body": [_block(b) for b in body if b.tag in (f"{_W}p", f"{_W}tbl")],
        "around": {
            n.rsplit("/", 1)[-1]: [_text(p) for p in xml[n].iter(f"{_W}p")]
            for n in sorted(xml)
            if n.startswith(("word/header", "word/footer", "word/footnotes"))
        },
        "title": core.findtext(f"{dc}title"),
        "subject": core.findtext(f"{dc}subject"),
    }


def _block(element: Any) -> Any:
    if element.tag == f"{_W}p":
        return ("p", _text(element), [_run(r) for r in element.iter(f"{_W}r") if _run(r)])
    grid = [c.get(f"{_W}w") for c in element.iter(f"{_W}gridCol")]
    rows = [[_cell(c) for c in row.findall(f"{_W}tc")] for row in element.iter(f"{_W}tr")]
    return ("tbl", grid, rows)


def _cell(cell: Any) -> tuple[Any, ...]:
    props = cell.find(f"{_W}tcPr")

    def value(tag: str, attribute: str = "val") -> str | None:
        found = props.find(f"{_W}{tag}") if props is not None else None
        return None if found is None else found.get(f"{_W}{attribute}", "")

    text = "\n".join(_text(p) for p in cell.iter(f"{_W}p"))
    return (text, value("gridSpan"), value("vMerge"), value("shd", "fill"))


def _run(run: Any) -> tuple[str, ...]:
    """Bold and colour of a run with text (what RichText sets)."""
    props = run.find(f"{_W}rPr")
    if props is None:
        return ()
    color = props.find(f"{_W}color")
    bold = props.find(f"{_W}b")
    return tuple(
        x
        for x in (
            "fet" if bold is not None else "",
            color.get(f"{_W}val") if color is not None else "",
        )
        if x
    )


def _text(paragraph: Any) -> str:
    out = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
        if node.tag == f"{_W}t":
            out.append(node.text or "")
        elif node.tag == f"{_W}tab":
            out.append("\t")
        else:
            out.append("\n" if node.get(f"{_W}type") != "page" else "\f")
    return "".join(out)
