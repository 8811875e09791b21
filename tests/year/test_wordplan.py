"""Tests for reading Word plans: headings and lists as people type them, merged cells, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE

from docautomation.config import Limits
from docautomation.errors import UnreadableFileError
from docautomation.register.scaffold import example_content, write_register
from docautomation.year.wordplan import Grid, Para, read_plan
from tests.support.wordplans import add_table, fill_cell, heading, list_item, merge_down


def _paras(path: Path) -> list[Para]:
    return [b for b in read_plan(path, Limits()).blocks if isinstance(b, Para)]


def _grids(path: Path) -> list[Grid]:
    return [b for b in read_plan(path, Limits()).blocks if isinstance(b, Grid)]


def test_headings_are_found_as_people_type_them(tmp_path: Path) -> None:
    """Heading styles, the Title, a style based on a heading and short bold lines are headings;
    a bold sentence, a long bold paragraph and a bold list item are not."""
    doc = docx.Document()
    heading(doc, "Verksamhetsplan 2022", "title")
    heading(doc, "Vision", "style")
    heading(doc, "SYFTE", "bold")
    own = doc.styles.add_style("Min rubrik", WD_STYLE_TYPE.PARAGRAPH)
    own.base_style = doc.styles["Heading 2"]
    doc.add_paragraph("Stadgarna", style="Min rubrik")
    heading(doc, "Vi arbetar för en bättre förening.", "bold")
    heading(doc, "Lång fetstil " * 10, "bold")
    doc.add_paragraph(style="List Bullet").add_run("Fet punkt").bold = True
    doc.add_paragraph("Vanlig text")
    path = tmp_path / "plan.docx"
    doc.save(str(path))
    found = [(p.text.strip(), p.heading) for p in _paras(path)]
    assert found == [
        ("Verksamhetsplan 2022", True),
        ("Vision", True),
        ("SYFTE", True),
        ("Stadgarna", True),
        ("Vi arbetar för en bättre förening.", False),
        (("Lång fetstil " * 10).strip(), False),
        ("Fet punkt", False),
        ("Vanlig text", False),
    ]


def test_list_paragraphs_in_a_cell_become_dash_lines_and_the_rest_is_kept(tmp_path: Path) -> None:
    """Word's bullets and numbers and typed -, – and • become "- " lines; other line breaks and
    every character (&, <, template-like braces) stay as typed."""
    doc = docx.Document()
    table = add_table(doc, [["Kommentar"], [""]])
    cell = table.cell(1, 0)
    fill_cell(cell, "Inledning & <mål>:\n{{ inte en mall }}")
    list_item(cell, "Ett")
    list_item(cell, "Två", typed="• ")
    list_item(cell, "Tre", typed="– ")
    list_item(cell, "Fyra", typed="-\t")
    list_item(cell, "Fem", numbered=True)
    cell.add_paragraph("Avslutning -  med dubbla  mellanslag")
    path = tmp_path / "plan.docx"
    doc.save(str(path))
    (grid,) = _grids(path)
    assert grid.rows[1][0].text == (
        "Inledning & <mål>:\n{{ inte en mall }}\n- Ett\n- Två\n- Tre\n- Fyra\n- Fem\n"
        "Avslutning -  med dubbla  mellanslag"
    )


def test_merged_cells_are_marked_where_they_continue(tmp_path: Path) -> None:
    """A cell merged down repeats its text "from above"; merged across, the rest is empty."""
    doc = docx.Document()
    table = add_table(doc, [["A", "B", "C"], ["Grupp", "x", "y"], ["", "z", "w"], ["Rad", "", ""]])
    merge_down(table, 0, 1, 2)
    table.cell(3, 0).merge(table.cell(3, 2))
    path = tmp_path / "plan.docx"
    doc.save(str(path))
    (grid,) = _grids(path)
    cells = [[(c.text, c.from_above, c.from_left) for c in row] for row in grid.rows[1:]]
    assert cells == [
        [("Grupp", False, False), ("x", False, False), ("y", False, False)],
        [("Grupp", True, False), ("z", False, False), ("w", False, False)],
        [("Rad", False, False), ("", False, True), ("", False, True)],
    ]


def test_the_page_header_is_read(tmp_path: Path) -> None:
    """Letterhead in the page header is available for the association's name."""
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "Användarföreningen Castor"
    path = tmp_path / "plan.docx"
    doc.save(str(path))
    assert read_plan(path, Limits()).header_lines == ("Användarföreningen Castor",)


def _ole_doc(path: Path) -> Path:
    """The start of a Word 97-2003 file: the OLE signature and its WordDocument stream name."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path.write_bytes(header + "WordDocument".encode("utf-16-le") + bytes(1000))
    return path


def _workbook_as_docx(path: Path) -> Path:
    write_register(path.with_suffix(".xlsx"), example_content())
    path.write_bytes(path.with_suffix(".xlsx").read_bytes())
    return path


def _truncated(path: Path) -> Path:
    doc = docx.Document()
    doc.add_paragraph("Verksamhetsplan 2021")
    doc.save(str(path))
    path.write_bytes(path.read_bytes()[:600])
    return path


def _no_document_part(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hej.txt", "inget Word här")
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_ole_doc, "gamla Word-formatet .doc"),
        (lambda p: p.write_text("Verksamhetsplan 2021\n") and p, "inget Word-dokument"),
        (lambda p: p.write_bytes(b"%PDF-1.7\n") and p, "en PDF"),
        (_workbook_as_docx, "en Excel-arbetsbok"),
        (_no_document_part, "inget Word-dokument"),
        (_truncated, "trasig"),
        (lambda p: p, "finns inte"),
    ],
    ids=["doc", "text", "pdf", "workbook", "other-zip", "truncated", "missing"],
)
def test_what_is_not_a_word_plan_is_one_swedish_line_and_exit_3(
    tmp_path: Path, make: object, says: str
) -> None:
    """Each kind of wrong file is refused with a line saying what it is and what to do."""
    path = tmp_path / "Verksamhetsplan 2021.docx"
    make(path)  # type: ignore[operator]
    with pytest.raises(UnreadableFileError) as caught:
        read_plan(path, Limits())
    assert caught.value.exit_code == 3
    assert says in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith(path.name)


def test_a_plan_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """The configured file-size limit applies to plans as it does to registers."""
    path = tmp_path / "plan.docx"
    doc = docx.Document()
    doc.add_paragraph("x" * 10_000)
    doc.save(str(path))
    with pytest.raises(UnreadableFileError, match="större än gränsen"):
        read_plan(path, Limits(max_file_mb=0.001))
