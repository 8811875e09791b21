"""The report's chart: active wishes per category and status, as a native Word chart."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from lxml.builder import ElementMaker  # type: ignore[import-untyped]
from markupsafe import Markup

from ..errors import TemplateError
from ..models import WishStatus
from .chartbook import SHEET, column, workbook
from .package import (
    CONTENT_TYPES,
    PACKAGE_RELS,
    Package,
    relationship_target,
    rels_of,
    serialise,
    with_default,
    with_override,
    with_relationship,
)

TITLE = "Aktiva önskemål per kategori och status"
REL_ID = "rIdDocautomationChart"  # the drawing's link to the chart part, unique in the document
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_OFFICE_DOC = f"{_R}/officeDocument"
_CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SUBPARTS = re.compile(r"word/(header|footer|footnotes|endnotes)\d*\.xml")
# Light to dark along the way a wish goes, so the statuses stay apart in a grey print.
COLOURS = {
    WishStatus.NY: "BDD7EE",
    WishStatus.SKICKAD: "6FA8DC",
    WishStatus.ACCEPTERAD: "2E75B6",
    WishStatus.PAGAR: "1F3864",
}
_EMU_PER_MM = 36_000
_WIDTH_MM = 148

_NSMAP = {"c": _C, "a": _A, "r": _R}
C = ElementMaker(namespace=_C, nsmap=_NSMAP)
A = ElementMaker(namespace=_A, nsmap=_NSMAP)


@dataclass(frozen=True, slots=True)
class StatusChart:
    """Stacked bars: one bar per category, one segment per status (count of active wishes).

    A DrawingML chart part with its data in an embedded workbook, so the chart stays editable
    in Word ("Redigera data") and LibreOffice draws it from the same numbers; no plotting
    library, a few kilobytes of XML written only when the report is rendered. A template shows
    it where it says {{ summary_chart }}: `drawing` is that variable, pointing at the chart part
    that `attach` adds to the rendered document.
    """

    categories: tuple[str, ...]
    statuses: tuple[WishStatus, ...]
    counts: tuple[tuple[int, ...], ...]  # per category, per status

    @classmethod
    def of(cls, rows: Sequence[tuple[str, Mapping[WishStatus, int]]]) -> StatusChart | None:
        """The chart of (category label, count per status) rows; None when all are zero."""
        statuses = tuple(s for s in COLOURS if any(counts.get(s, 0) for _, counts in rows))
        if not statuses:
            return None
        counts = tuple(tuple(c.get(s, 0) for s in statuses) for _, c in rows)
        return cls(tuple(label for label, _ in rows), statuses, counts)

    def as_json(self) -> list[Any]:
        """Everything the chart shows, for a document's key."""
        return [list(self.categories), [s.value for s in self.statuses], list(self.counts)]

    def drawing(self) -> Markup:
        """What {{ summary_chart }} puts in the document: a run holding the chart, inline."""
        # Tall enough for each bar and its label, short enough to start beside the table on the
        # page its heading is on (an inline picture cannot break across pages).
        height = min(90, max(60, 28 + 9 * len(self.categories)))
        frame = (
            f'<wp:inline xmlns:wp="{_WP}" distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{_WIDTH_MM * _EMU_PER_MM}" cy="{height * _EMU_PER_MM}"/>'
            '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="1" name="Diagram" descr="{TITLE} (liggande staplar)."/>'
            f'<wp:cNvGraphicFramePr/><a:graphic xmlns:a="{_A}"><a:graphicData uri="{_C}">'
            f'<c:chart xmlns:c="{_C}" xmlns:r="{_R}" r:id="{REL_ID}"/>'
            "</a:graphicData></a:graphic></wp:inline>"
        )
        # The tag sits inside a text run: close it, add a run with the drawing, reopen one.
        return Markup(
            f'</w:t></w:r><w:r><w:drawing>{frame}</w:drawing></w:r><w:r><w:t xml:space="preserve">'
        )

    def attach(self, data: bytes, template: str) -> bytes:
        """The rendered document with this chart's parts, when its body shows the chart."""
        package = Package.open(data)
        main = relationship_target(package.read(PACKAGE_RELS), _OFFICE_DOC) or "word/document.xml"
        if REL_ID.encode() not in package.read(main):
            return data  # the template does not show the chart
        for name in package.names:
            if _SUBPARTS.fullmatch(name) and REL_ID.encode() in package.read(name):
                raise TemplateError(
                    f'Mallen "{template}" visar diagrammet {{{{ summary_chart }}}} i sidhuvud, '
                    "sidfot eller fotnot; det kan bara stå i dokumentets text."
                )
        number = 1
        while f"word/charts/chart{number}.xml" in package or (
            f"word/embeddings/Microsoft_Excel_Worksheet{number}.xlsx" in package
        ):
            number += 1
        part = f"word/charts/chart{number}.xml"
        book = f"word/embeddings/Microsoft_Excel_Worksheet{number}.xlsx"
        types = with_override(package.read(CONTENT_TYPES), part, _CHART_TYPE)
        main_rels = rels_of(main)
        old_rels = package.read(main_rels) if main_rels in package else None
        target = posixpath.relpath(part, posixpath.dirname(main))
        return package.rewrite(
            {
                CONTENT_TYPES: with_default(types, "xlsx", _XLSX_TYPE),
                main_rels: with_relationship(old_rels, REL_ID, f"{_R}/chart", target),
                part: self._chart_xml(),
                rels_of(part): with_relationship(
                    None, "rId1", f"{_R}/package", posixpath.relpath(book, "word/charts")
                ),
                book: workbook(
                    ["Kategori", *(s.value for s in self.statuses)],
                    list(zip(self.categories, self.counts, strict=True)),
                ),
            }
        )

    def _chart_xml(self) -> bytes:
        plot = C.plotArea(
            C.layout(),
            C.barChart(
                C.barDir(val="bar"),
                C.grouping(val="stacked"),
                C.varyColors(val="0"),
                *(self._series(i, status) for i, status in enumerate(self.statuses)),
                C.gapWidth(val="60"),
                C.overlap(val="100"),
                C.axId(val="1"),
                C.axId(val="2"),
            ),
            _category_axis(),
            _value_axis(self._step()),
            C.spPr(A.noFill(), A.ln(A.noFill())),
        )
        chart = C.chartSpace(
            C.date1904(val="0"),
            C.lang(val="sv-SE"),
            C.roundedCorners(val="0"),
            C.chart(
                C.title(
                    C.tx(C.rich(A.bodyPr(), A.lstStyle(), _paragraph(TITLE, 1100, True))),
                    C.overlay(val="0"),
                ),
                C.autoTitleDeleted(val="0"),
                plot,
                C.legend(C.legendPos(val="b"), C.overlay(val="0")),
                C.plotVisOnly(val="1"),
                C.dispBlanksAs(val="gap"),
            ),
            C.spPr(A.noFill(), A.ln(A.noFill())),
            C.txPr(A.bodyPr(), A.lstStyle(), _paragraph("", 900, False)),
            C.externalData(C.autoUpdate(val="0"), {f"{{{_R}}}id": "rId1"}),
        )
        return serialise(chart)

    def _series(self, index: int, status: WishStatus) -> etree._Element:
        col = column(index + 1)
        last = len(self.categories) + 1
        dark = status in (WishStatus.ACCEPTERAD, WishStatus.PAGAR)  # white numbers on these
        return C.ser(
            C.idx(val=str(index)),
            C.order(val=str(index)),
            C.tx(_text_ref(f"{SHEET}!${col}$1", [status.value])),
            C.spPr(_fill(COLOURS[status]), A.ln(_fill("FFFFFF"), w="6350")),
            C.invertIfNegative(val="0"),
            C.dLbls(
                C.numFmt(formatCode="0;;;", sourceLinked="0"),  # no label on an empty segment
                C.spPr(A.noFill(), A.ln(A.noFill())),
                C.txPr(A.bodyPr(), A.lstStyle(), _paragraph("", 900, False, dark)),
                *_flags(
                    showLegendKey=0,
                    showVal=1,
                    showCatName=0,
                    showSerName=0,
                    showPercent=0,
                    showBubbleSize=0,
                ),
            ),
            C.cat(_text_ref(f"{SHEET}!$A$2:$A${last}", self.categories)),
            C.val(
                C.numRef(
                    C.f(f"{SHEET}!${col}$2:${col}${last}"),
                    C.numCache(
                        C.formatCode("General"),
                        *_points([str(row[index]) for row in self.counts]),
                    ),
                )
            ),
        )

    def _step(self) -> int:
        """A value-axis step that gives at most ten grid lines: 1, 2, 5, 10, 20, 50 …"""
        largest = max(sum(row) for row in self.counts)
        step = 1
        while largest / step > 10:
            step = step * 5 // 2 if str(step).startswith("2") else step * 2
        return step


def _category_axis() -> etree._Element:
    # Categories top to bottom as in the table; the value axis then crosses at the bottom.
    return C.catAx(
        C.axId(val="1"),
        C.scaling(C.orientation(val="maxMin")),
        C.delete(val="0"),
        C.axPos(val="l"),
        C.numFmt(formatCode="General", sourceLinked="1"),
        C.majorTickMark(val="none"),
        C.minorTickMark(val="none"),
        C.tickLblPos(val="nextTo"),
        C.crossAx(val="2"),
        C.crosses(val="autoZero"),
        C.auto(val="1"),
        C.lblAlgn(val="ctr"),
        C.lblOffset(val="100"),
        C.noMultiLvlLbl(val="0"),
    )


def _value_axis(step: int) -> etree._Element:
    return C.valAx(
        C.axId(val="2"),
        C.scaling(C.orientation(val="minMax"), C.min(val="0")),
        C.delete(val="0"),
        C.axPos(val="b"),
        C.majorGridlines(C.spPr(A.ln(_fill("D9D9D9"), w="6350"))),
        C.numFmt(formatCode="0", sourceLinked="0"),
        C.majorTickMark(val="none"),
        C.minorTickMark(val="none"),
        C.tickLblPos(val="nextTo"),
        C.crossAx(val="1"),
        C.crosses(val="max"),
        C.crossBetween(val="between"),
        C.majorUnit(val=str(step)),
    )


def _text_ref(formula: str, texts: Sequence[str]) -> etree._Element:
    return C.strRef(C.f(formula), C.strCache(*_points(texts)))


def _points(values: Sequence[str]) -> list[etree._Element]:
    points = [C.ptCount(val=str(len(values)))]
    points += [C.pt(C.v(value), idx=str(i)) for i, value in enumerate(values)]
    return points


def _paragraph(text: str, size: int, bold: bool, white: bool = False) -> etree._Element:
    props = A.defRPr(sz=str(size), b="1" if bold else "0")
    if white:
        props.append(_fill("FFFFFF"))
    props.append(A.latin(typeface="Calibri"))
    runs = (
        [A.r(A.rPr(lang="sv-SE", sz=str(size), b="1" if bold else "0"), A.t(text))] if text else []
    )
    return A.p(A.pPr(props), *runs, A.endParaRPr(lang="sv-SE"))


def _fill(colour: str) -> etree._Element:
    return A.solidFill(A.srgbClr(val=colour))


def _flags(**flags: int) -> list[etree._Element]:
    return [getattr(C, name)(val=str(value)) for name, value in flags.items()]
