"""Checks that a PDF shows every paragraph and table-cell text of the Word document it came from."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from ..errors import ConfigError, DocAutomationError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_PDFTOTEXT_HINT = (
    "pdftotext saknas: installera Poppler (paketet poppler-utils på Linux, poppler i Homebrew "
    "eller Poppler för Windows) och se till att pdftotext finns i PATH; den läser PDF:en för "
    "att kontrollera att ingen text har tappats."
)
# Spacing and line breaks differ between Word and the PDF, and a word broken at a line end
# gains a hyphen (or loses one at a "/" or "-"), so texts are compared without either.
_IGNORED = re.compile(r"[\s\-\u00ad\u2010\u2011]+")
_NEARBY_PAGES = 2


def require_pdftotext() -> None:
    """Raise ConfigError with an install hint when pdftotext (Poppler) is not installed."""
    if shutil.which("pdftotext") is None:
        raise ConfigError(_PDFTOTEXT_HINT)


def lost_text(docx: Path, pdf: Path) -> str | None:
    """The first paragraph or table-cell text of `docx` that `pdf` does not show, else None.

    A text counts as shown when its characters, ignoring whitespace and hyphens, appear in
    order in one page's text, or run from the end of a line on one page on to the start of a
    line on the next (a paragraph or table row broken across pages, with the page's footer, the
    next page's header and a repeated table heading in between).

    Raises:
        ConfigError: pdftotext is not installed.
        DocAutomationError: pdftotext cannot read the PDF, or the document is not a Word file.
    """
    pages = PdfText(read_pdf_pages(pdf))
    for text in document_texts(docx):
        if not pages.shows(text):
            return text
    return None


def document_texts(docx: Path) -> Iterator[str]:
    """The text of each non-empty paragraph in the body, table cells included, in order.

    Left out, because the office suite prints something else there or nothing: hidden text,
    deleted text, and what fields show (page numbers, dates, a table of contents), which it
    works out anew.
    """
    try:
        with zipfile.ZipFile(docx) as package:
            xml = package.read("word/document.xml")
        root = etree.fromstring(xml, _PARSER)
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise DocAutomationError(f"{docx.name} kunde inte läsas som Word-dokument: {exc}.") from exc
    fields: list[bool] = []  # open fields, innermost last: True once past its instruction
    for paragraph in root.iter(f"{_W}p"):
        text = "".join(_run_texts(paragraph, fields))
        if text.strip():
            yield text


def _run_texts(paragraph: etree._Element, fields: list[bool]) -> Iterator[str]:
    for run in paragraph.iter(f"{_W}r"):
        # A text box's paragraphs sit inside a run of this one; they are texts of their own.
        if _paragraph_of(run) is not paragraph:
            continue
        printed = not (_hidden(run) or _in_simple_field(run, paragraph))
        for child in run:
            if child.tag == f"{_W}fldChar":
                _follow_field(fields, child.get(f"{_W}fldCharType"))
            elif not printed or any(fields):
                continue
            elif child.tag == f"{_W}t":
                yield child.text or ""
            elif child.tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                yield " "
            elif child.tag == f"{_W}noBreakHyphen":
                yield "-"


def _follow_field(fields: list[bool], kind: str | None) -> None:
    if kind == "begin":
        fields.append(False)
    elif kind == "separate" and fields:
        fields[-1] = True
    elif kind == "end" and fields:
        fields.pop()


def _in_simple_field(run: etree._Element, paragraph: etree._Element) -> bool:
    for ancestor in run.iterancestors():
        if ancestor is paragraph:
            return False
        if ancestor.tag == f"{_W}fldSimple":
            return True
    return False


def _paragraph_of(run: etree._Element) -> etree._Element | None:
    return next(run.iterancestors(f"{_W}p"), None)


def _hidden(run: etree._Element) -> bool:
    # Text formatted as hidden is not printed, so it is not looked for either.
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(f"{_W}val", "true") not in ("0", "false", "off")


def read_pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of `pdf`, in pdftotext's reading order (columns kept apart).

    Raises:
        ConfigError: pdftotext is not installed.
        DocAutomationError: pdftotext cannot read the file.
    """
    program = shutil.which("pdftotext")
    if program is None:
        raise ConfigError(_PDFTOTEXT_HINT)
    try:
        done = subprocess.run(
            [program, "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DocAutomationError(f"pdftotext kunde inte läsa {pdf.name}: {exc}.") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DocAutomationError(
            f"pdftotext kunde inte läsa {pdf.name}" + (f": {detail[-1]}." if detail else ".")
        )
    return done.stdout.decode("utf-8", "replace").split("\f")


def normalise(text: str) -> str:
    """`text` as compared: compatibility forms (ligatures) unfolded, no whitespace or hyphens,
    no case (a style may print a heading in capitals)."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True, slots=True)
class _Page:
    lines: tuple[str, ...]  # the page's non-empty lines, normalised
    text: str  # the lines joined
    starts: tuple[int, ...]  # where each line starts in `text`

    @classmethod
    def of(cls, raw: str) -> _Page:
        lines = tuple(line for line in map(normalise, raw.splitlines()) if line)
        starts = tuple(accumulate((len(line) for line in lines[:-1]), initial=0))
        return cls(lines, "".join(lines), starts if lines else ())

    def tails_of(self, wanted: str) -> Iterator[int]:
        """Each n < len(wanted) such that wanted[:n] ends here at a line end.

        Such a piece starts inside a line (after a list number, say) and may run on over
        whole lines.
        """
        first = wanted[0]
        for number, line in enumerate(self.lines):
            at = line.find(first)
            while at >= 0:
                if wanted.startswith(line[at:]):
                    yield from self._runs_on(wanted, number + 1, len(line) - at)
                at = line.find(first, at + 1)

    def heads_of(self, wanted: str, offset: int) -> Iterator[int]:
        """Each n < len(wanted) such that wanted[offset:n] is a run of whole lines here."""
        for number, line in enumerate(self.lines):
            if wanted.startswith(line, offset):
                yield from self._runs_on(wanted, number + 1, offset + len(line))

    def _runs_on(self, wanted: str, number: int, length: int) -> Iterator[int]:
        """`length`, then the lengths that whole lines from line `number` on extend it to."""
        while length < len(wanted):
            yield length
            if number == len(self.lines) or not wanted.startswith(self.lines[number], length):
                return
            length += len(self.lines[number])
            number += 1

    def begins(self, wanted: str, offset: int) -> bool:
        """True when wanted[offset:] occurs here starting at a line start."""
        rest = wanted[offset:]
        return any(self.text.startswith(rest, start) for start in self.starts)


class PdfText:
    """The pages of a PDF's text, searched for a document's paragraphs (see lost_text)."""

    def __init__(self, pages: Sequence[str]) -> None:
        self._pages = [_Page.of(page) for page in pages]
        self._near = 0  # the page where the last text was found: the next is usually close

    def shows(self, text: str) -> bool:
        """True when the PDF shows `text` whole on a page or broken across following pages."""
        wanted = normalise(text)
        if not wanted:
            return True
        count = len(self._pages)
        nearby = range(max(0, self._near - _NEARBY_PAGES), min(count, self._near + _NEARBY_PAGES))
        # The page of the previous text is the likeliest place, whole on one page the rule and
        # broken across pages the exception (dearer to look for).
        for pages in (nearby, range(count)):
            for whole in (True, False):
                for number in pages:
                    if (
                        wanted in self._pages[number].text
                        if whole
                        else self._broken(wanted, number)
                    ):
                        self._near = number
                        return True
        return False

    def _broken(self, wanted: str, number: int) -> bool:
        """True when `wanted` begins at a line end on page `number` and goes on overleaf."""
        if number + 1 == len(self._pages):
            return False
        seen: set[tuple[int, int]] = set()
        return any(
            self._goes_on(wanted, cut, number + 1, seen)
            for cut in set(self._pages[number].tails_of(wanted))
        )

    def _goes_on(self, wanted: str, offset: int, number: int, seen: set[tuple[int, int]]) -> bool:
        """True when wanted[offset:] starts at a line start on page `number` and ends there or,
        after whole lines, goes on over the following pages (a text longer than a page)."""
        if (offset, number) in seen:
            return False  # tried already, by another way of breaking the lines before
        seen.add((offset, number))
        page = self._pages[number]
        if page.begins(wanted, offset):
            return True
        if number + 1 == len(self._pages):
            return False
        return any(
            self._goes_on(wanted, cut, number + 1, seen) for cut in page.heads_of(wanted, offset)
        )
