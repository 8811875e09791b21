"""Reading a verksamhetsplan typed in Word: its paragraphs, headings, list items and tables."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.styles.style import CharacterStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..config import Limits
from ..errors import UnreadableFileError
from ..register.files import check_zip_directory

_MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCX_TYPE = b"wordprocessingml.document.main+xml"
_SAVE_AS = 'Öppna den i Word och välj Arkiv › Spara som › "Word-dokument (*.docx)".'
_HEADING_STYLE = re.compile(r"(heading|rubrik)\s*\d")
_TITLE_STYLES = {"title", "rubrik", "subtitle", "underrubrik"}
_LIST_STYLE = re.compile(r"(list bullet|list number|punktlista|numrerad lista)")
# A short bold line is how many people type a heading; a longer one is emphasis.
_SHORT_HEADING = 80
# A typed list marker at the start of a line: "- ", "– " or "•" (with or without a space).
_TYPED_MARKER = re.compile(r"[ \t]*(?:[-–][ \t]+|•[ \t]*)")


@dataclass(frozen=True, slots=True)
class Para:
    """One body paragraph: its text (line breaks as LF) and how it was typed."""

    text: str
    style: str  # the style's name, case-folded ("heading 1", "title", "normal", …)
    heading: bool  # a Heading or Title style, or a short paragraph typed all in bold
    list_item: bool  # a real Word list paragraph (bullets or numbering)


@dataclass(frozen=True, slots=True)
class Cell:
    """One grid cell of a table: its text, and whether a merge from above or the left covers it."""

    text: str  # a cell merged down repeats the merged cell's text, as Excel's merges read
    from_above: bool = False  # the cell continues a vertical merge
    from_left: bool = False  # the cell is covered by a merge across columns


@dataclass(frozen=True, slots=True)
class Grid:
    """A table as rows of grid cells (every row as wide as the table's grid)."""

    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class WordPlan:
    """The document's body in order, and the first page header's lines."""

    blocks: tuple[Para | Grid, ...]
    header_lines: tuple[str, ...]


def read_plan(path: Path, limits: Limits) -> WordPlan:
    """Read a .docx verksamhetsplan into its blocks.

    Raises:
        UnreadableFileError: missing, not a Word document (a .doc, a workbook, a PDF …),
            password-protected, too large or corrupt; one Swedish line saying what to do.
    """
    data = _read_bytes(path, limits)
    _check_bytes(path, data, limits)
    try:
        document = docx.Document(BytesIO(data))
        return WordPlan(_blocks(document), _header_lines(document))
    except Exception as exc:  # python-docx and lxml raise many types on a damaged package
        raise UnreadableFileError(
            path, f"Word-dokumentet går inte att läsa ({type(exc).__name__}). {_SAVE_AS}"
        ) from exc


def _read_bytes(path: Path, limits: Limits) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(int(limits.max_file_mb * _MB) + 1)
    except FileNotFoundError as exc:
        raise UnreadableFileError(path, "Filen finns inte.") from exc
    except IsADirectoryError as exc:
        raise UnreadableFileError(path, "Det här är en mapp, inte ett Word-dokument.") from exc
    except OSError as exc:
        raise UnreadableFileError(path, f"Filen kan inte läsas ({exc.strerror or exc}).") from exc
    if len(data) > limits.max_file_mb * _MB:
        raise UnreadableFileError(
            path, f"Filen är större än gränsen {limits.max_file_mb:g} MB (max_file_mb)."
        )
    return data


def _check_bytes(path: Path, data: bytes, limits: Limits) -> None:
    """Refuse what is not a .docx before any XML is parsed: .doc, workbooks, zip bombs."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            reason = "Dokumentet är lösenordsskyddat. Ta bort lösenordet i Word och spara igen."
        else:
            reason = f"Filen är i det gamla Word-formatet .doc, som inte kan läsas. {_SAVE_AS}"
        raise UnreadableFileError(path, reason)
    if not data.startswith(b"PK\x03\x04"):
        kind = "en PDF" if data.startswith(b"%PDF") else "inget Word-dokument"
        raise UnreadableFileError(path, f"Filen är {kind} (.docx behövs). {_SAVE_AS}")
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            check_zip_directory(zf, path.name, limits)
            types = (
                zf.read("[Content_Types].xml") if "[Content_Types].xml" in zf.NameToInfo else b""
            )
    except zipfile.BadZipFile as exc:
        raise UnreadableFileError(path, f"Filen är trasig eller ofullständig. {_SAVE_AS}") from exc
    if _DOCX_TYPE not in types:
        kind = "en Excel-arbetsbok" if b"spreadsheetml" in types else "inget Word-dokument"
        raise UnreadableFileError(path, f"Filen är {kind}, inte en verksamhetsplan i Word (.docx).")


# -- the body ---------------------------------------------------------------------------------


def _blocks(document: Document) -> tuple[Para | Grid, ...]:
    blocks: list[Para | Grid] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(_para(item))
        else:
            blocks.append(_grid(item))
    return tuple(blocks)


def _header_lines(document: Document) -> tuple[str, ...]:
    header = document.sections[0].header
    return tuple(p.text.strip() for p in header.paragraphs if p.text.strip())


def _para(paragraph: Paragraph) -> Para:
    style = paragraph.style
    name = (style.name or "").casefold() if style is not None else ""
    text = paragraph.text
    listed = is_list_item(paragraph)
    heading = bool(
        _HEADING_STYLE.match(name)
        or name in _TITLE_STYLES
        or _outline_level(paragraph) is not None
        or (not listed and _bold_short(paragraph, text))
    )
    return Para(text, name, heading, listed)


def is_list_item(paragraph: Paragraph) -> bool:
    """True for a paragraph Word numbers or bullets: its own numbering, or its style's."""
    own = _num_id(paragraph._p.pPr)
    if own is not None:
        return own != 0  # numId 0 is how Word switches a list style's numbering off
    style = paragraph.style
    if style is not None and _LIST_STYLE.match((style.name or "").casefold()):
        return True
    return any(_num_id(s.element.pPr) not in (None, 0) for s in _style_chain(style))


def _num_id(ppr: Any) -> int | None:
    num_pr = None if ppr is None else ppr.numPr
    if num_pr is None or num_pr.numId is None:
        return None
    return int(num_pr.numId.val)


def _outline_level(paragraph: Paragraph) -> int | None:
    """A heading level set on the paragraph or its style (how custom heading styles work)."""
    levels = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    for style in _style_chain(paragraph.style):
        levels = levels or style.element.xpath("./w:pPr/w:outlineLvl/@w:val")
    # Level 9 is Word's "body text": not a heading.
    return int(levels[0]) if levels and int(levels[0]) < 9 else None


def _style_chain(style: CharacterStyle | None) -> list[CharacterStyle]:
    """The style and the styles it is based on (a loop or a very deep chain is cut off)."""
    chain: list[CharacterStyle] = []
    while style is not None and style not in chain and len(chain) < 10:
        chain.append(style)
        base = style.base_style
        style = base if isinstance(base, CharacterStyle) else None
    return chain


def _bold_short(paragraph: Paragraph, text: str) -> bool:
    """A heading typed as a short bold line; a bold sentence (ending in ".") is emphasis."""
    text = text.strip()
    if not text or len(text) > _SHORT_HEADING or "\n" in text or text.endswith("."):
        return False
    style_bold = any(_font_bold(s) for s in _style_chain(paragraph.style))
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(
        run.bold or (run.bold is None and (style_bold or _run_style_bold(run))) for run in runs
    )


def _font_bold(style: CharacterStyle) -> bool:
    return bool(style.font.bold)


def _run_style_bold(run: Any) -> bool:
    return any(_font_bold(s) for s in _style_chain(run.style))


# -- tables -----------------------------------------------------------------------------------


def _grid(table: Table) -> Grid:
    """The table's rows on its grid, the cells a merge covers marked (across: without text)."""
    rows: list[tuple[Cell, ...]] = []
    above: list[Any] = []
    for row in table.rows:
        cells: list[Cell] = [Cell("") for _ in range(row.grid_cols_before)]
        tcs: list[Any] = [None] * row.grid_cols_before
        previous = None
        for cell in row.cells:
            tc = cell._tc
            col = len(cells)
            if tc is previous:
                cells.append(Cell("", from_left=True))
            elif col < len(above) and tc is above[col]:
                cells.append(Cell(rows[-1][col].text, from_above=True))
            else:
                cells.append(Cell(cell_text(cell.paragraphs)))
            tcs.append(tc)
            previous = tc
        rows.append(tuple(cells))
        above = tcs
    return Grid(tuple(rows))


def cell_text(paragraphs: list[Paragraph]) -> str:
    """A cell's text: list paragraphs and typed list lines as "- " lines, the rest exactly."""
    lines: list[str] = []
    for paragraph in paragraphs:
        listed = is_list_item(paragraph)
        for number, line in enumerate(paragraph.text.split("\n")):
            marker = _TYPED_MARKER.match(line)
            if marker is not None:
                line = "- " + line[marker.end() :]
            elif listed and number == 0:
                line = "- " + line.lstrip()
            lines.append(line)
    return "\n".join(lines).strip()
