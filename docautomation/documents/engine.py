"""Loads a .docx template once and renders it with docxtpl's tags, bounded, into byte-stable output.

docxtpl's own `DocxTemplate.render` reloads the template on every call, re-parses the body with
a *recovering* XML parser (which silently drops data) and swaps the body through python-docx.
We keep its tag language by reusing its `patch_xml` and `resolve_listing`, and do what it does
after Jinja (table grids, picture ids, tags in the document properties), but compile each part
once per template, render in a bounded sandbox with autoescape and StrictUndefined, parse the
result strictly, and write the package ourselves with fixed timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from lxml import etree  # type: ignore[import-untyped]

from ..config import Limits
from ..errors import TemplateError
from ..fileio import swedish_reason
from . import messages
from .docxzip import (
    CORE,
    DOTX_MAIN,
    ENDNOTES,
    FOOTER,
    FOOTNOTES,
    HEADER,
    MAIN,
    STRICT,
    XML_DECL,
    TemplateZip,
    ZipEntry,
    content_types,
    zip_entries,
)
from .sandbox import DocumentEnvironment
from .wordxml import (
    docxtpl,
    fix_table_grids,
    has_empty_cell,
    malformed,
    renumber_drawings,
    renumbered_drawings,
    resolve_listing,
)

_RENDERED_TYPES = {MAIN, DOTX_MAIN, HEADER, FOOTER, FOOTNOTES, ENDNOTES}
# A tc tag ({%tc …%}, {{tc …}}, {#tc …#}), also when Word split it across runs.
_TC_TAG = re.compile(r"\{(?:<[^>]*>)*[%{#](?:<[^>]*>)*t(?:<[^>]*>)*c(?:<[^>]*>)*\s")
# docxtpl turns {_{ }_} {_% %_} into delimiters *after* rendering, i.e. also inside data.
# We resolve them in the template source instead, so data never changes.
_LITERAL_DELIMITERS = {
    "{_{": "{% raw %}{{{% endraw %}",
    "}_}": "{% raw %}}}{% endraw %}",
    "{_%": "{% raw %}{%{% endraw %}",
    "%_}": "{% raw %}%}{% endraw %}",
}
# Characters XML 1.0 cannot hold; a rendered property drops them as the contexts do.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DC = "http://purl.org/dc/elements/1.1/"
_NS = {
    "dc": _DC,
    "dcterms": "http://purl.org/dc/terms/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
# The properties docxtpl renders as templates (author, comments, identifier, language,
# subject, title), by their element in docProps/core.xml.
_TEMPLATED_PROPERTIES = ("creator", "description", "identifier", "language", "subject", "title")


def make_environment(limits: Limits | None = None) -> DocumentEnvironment:
    """The one Jinja environment for documents: sandboxed, escaping, strict, bounded."""
    return DocumentEnvironment(limits or Limits())


@dataclass(frozen=True, slots=True)
class _Part:
    """One rendered XML part of the package: its compiled template and its source lines."""

    name: str
    template: jinja2.Template
    lines: tuple[str, ...]
    fix_grids: bool  # cells come and go ({%tc %}, {#tc #}, colspan, hm): fix the table grid
    is_main: bool


@dataclass(frozen=True, slots=True)
class _Properties:
    """docProps/core.xml, with the text properties that hold a tag compiled (and their text)."""

    xml: bytes
    templates: Mapping[str, tuple[jinja2.Template, str]]

    def render(self, name: str, context: Mapping[str, Any], title: str, when: date) -> bytes:
        """The properties for one document: tags rendered, our title, author and dates."""
        root = etree.fromstring(self.xml, STRICT)
        values = {}
        for local, (template, text) in self.templates.items():
            try:
                values[f"dc:{local}"] = _XML_ILLEGAL.sub("", template.render(context))
            except Exception as exc:  # as for a part: the tag in the property is to blame
                raise messages.render_error(name, CORE, (text,), exc) from exc
        stamp = f"{when.isoformat()}T00:00:00Z"
        values.setdefault("dc:title", title)  # a tag in the title wins over ours
        values |= {
            "cp:lastModifiedBy": "docautomation",
            "dcterms:created": stamp,
            "dcterms:modified": stamp,
        }
        for qname, value in values.items():
            prefix, local = qname.split(":")
            element = root.find(f"{{{_NS[prefix]}}}{local}")
            if element is None:
                element = etree.SubElement(root, f"{{{_NS[prefix]}}}{local}")
            if prefix == "dcterms":
                element.set(f"{{{_NS['xsi']}}}type", "dcterms:W3CDTF")
            element.text = value
        serialised: bytes = etree.tostring(root, encoding="utf-8")
        return XML_DECL.encode() + serialised


@dataclass(frozen=True, slots=True)
class WordTemplate:
    """A .docx template compiled once; `render` may be called for many documents."""

    name: str
    env: DocumentEnvironment
    entries: tuple[tuple[str, ZipEntry | None], ...]  # in order; None: rendered per document
    parts: tuple[_Part, ...]
    properties: _Properties | None

    @classmethod
    def load(cls, path: Path, env: DocumentEnvironment | None = None) -> WordTemplate:
        """Read and compile the template at `path`; raises TemplateError naming the file."""
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise TemplateError(f'Mallen "{path.name}" saknas i mappen {path.parent}.') from exc
        except OSError as exc:
            raise TemplateError(
                f'Mallen "{path.name}" kan inte läsas: {swedish_reason(exc)}.'
            ) from exc
        return cls.from_bytes(path.name, data, env or make_environment())

    @classmethod
    def from_bytes(cls, name: str, data: bytes, env: DocumentEnvironment) -> WordTemplate:
        """Compile a template from its bytes; `name` is used in error messages."""
        package = TemplateZip.open(name, data)
        types = content_types(name, package.read("[Content_Types].xml"), package.names)
        if MAIN not in types.values() and DOTX_MAIN not in types.values():
            raise TemplateError(f'Mallen "{name}" är inget Word-dokument (.docx).')
        parts = tuple(
            _compile_part(name, part, package.read(part), env, is_main=kind in (MAIN, DOTX_MAIN))
            for part, kind in types.items()
            if kind in _RENDERED_TYPES
        )
        per_document = {part.name for part in parts} | {CORE}
        static = tuple((n, None if n in per_document else package.entry(n)) for n in package.names)
        properties = None
        if CORE in package.names:
            properties = _compile_properties(name, package.read(CORE), env)
        return cls(name, env, static, parts, properties)

    def render(self, context: Mapping[str, Any], *, title: str, when: date) -> bytes:
        """The .docx bytes of render_entries (which see)."""
        return zip_entries(self.render_entries(context, title=title, when=when))

    def render_entries(
        self, context: Mapping[str, Any], *, title: str, when: date
    ) -> list[ZipEntry]:
        """Render every part with `context`: the package's members, in order, for zipping.

        Args:
            context: the template variables (already normalised strings, lists and dicts).
            title: the document title written to the core properties (unless the template's
                title holds a tag: then that is rendered, as docxtpl does).
            when: the date written as created/modified, so equal inputs give equal bytes.

        Raises:
            TemplateError: naming the template and the tag, for syntax, unknown variables,
                forbidden operations, work past the limits, or output that is not valid Word.
        """
        with self.env.budget():
            rendered = {part.name: self._render_part(part, context) for part in self.parts}
            if self.properties is not None:
                rendered[CORE] = self.properties.render(self.name, context, title, when)
        return [entry or ZipEntry.deflate(name, rendered[name]) for name, entry in self.entries]

    def _render_part(self, part: _Part, context: Mapping[str, Any]) -> bytes:
        try:
            xml = self.env.render_part(part.template, context)
        except Exception as exc:  # template code can raise anything; the template is to blame
            raise messages.render_error(self.name, part.name, part.lines, exc) from exc
        xml = resolve_listing(xml.replace("\n<w:p", "<w:p"))
        data = xml.encode("utf-8")
        near = malformed(data)
        if near is not None:
            raise TemplateError(
                f'Mallen "{self.name}" gav ett ogiltigt Word-dokument '
                f'({messages.part_label(part.name)}, nära "{near}"); kontrollera att varje '
                "{%p …%}, {%tr …%} och {%tc …%} står i ett eget stycke, en egen rad eller cell."
            )
        if has_empty_cell(xml):
            raise TemplateError(
                f'Mallen "{self.name}" lämnar en tabellcell utan stycke '
                f"({messages.part_label(part.name)}); lägg till {{%p else %}} med ett tomt "
                "stycke i slingan."
            )
        renumbered = None if part.fix_grids or not part.is_main else renumbered_drawings(data)
        if renumbered is not None:
            data = renumbered
        elif part.fix_grids or (part.is_main and b"docPr" in data):
            root = etree.fromstring(data, STRICT)
            self._fix_grids(part, root)
            if part.is_main:
                renumber_drawings(root)
            data = XML_DECL.encode() + etree.tostring(root, encoding="utf-8")
        return data

    def _fix_grids(self, part: _Part, root: etree._Element) -> None:
        if not part.fix_grids:
            return
        try:
            fix_table_grids(root)
        except ValueError as exc:
            raise TemplateError(
                f'Mallen "{self.name}" ger en cell bredden "{exc}" '
                f"({messages.part_label(part.name)}); {{% colspan %}} behöver ett heltal."
            ) from exc

    def source_lines(self) -> dict[str, tuple[str, ...]]:
        """The patched Jinja source of each rendered part, line by line (for checks)."""
        return {part.name: part.lines for part in self.parts}


def _compile_part(
    name: str, part: str, data: bytes, env: DocumentEnvironment, *, is_main: bool
) -> _Part:
    try:
        xml = etree.tostring(etree.fromstring(data, STRICT), encoding="unicode")
    except etree.XMLSyntaxError as exc:
        raise TemplateError(
            f'Mallen "{name}" har en trasig del ({messages.part_label(part)}) som Word inte '
            "kan ha sparat; spara om mallen i Word."
        ) from exc
    patched: str = docxtpl().patch_xml(None, xml)
    fix_grids = _TC_TAG.search(xml) is not None or 'w:gridSpan w:val="{{' in patched
    for marker, literal in _LITERAL_DELIMITERS.items():
        patched = patched.replace(marker, literal)
    source = XML_DECL.rstrip() + re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
    lines = tuple(source.splitlines())
    return _Part(part, _compile(name, part, source, lines, env), lines, fix_grids, is_main)


def _compile(
    name: str, part: str, source: str, lines: tuple[str, ...], env: jinja2.Environment
) -> jinja2.Template:
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise messages.syntax_error(name, part, lines, exc, lambda tag: _error(env, tag)) from exc


def _error(env: jinja2.Environment, tag: str) -> str | None:
    """The message Jinja gives for `tag` alone, or None when it compiles."""
    try:
        env.compile(tag)
    except jinja2.TemplateSyntaxError as alone:
        return alone.message
    return None


def _compile_properties(name: str, xml: bytes, env: DocumentEnvironment) -> _Properties:
    try:
        root = etree.fromstring(xml, STRICT)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f'Mallen "{name}" har trasiga dokumentegenskaper.') from exc
    plain = env.overlay(autoescape=False)  # properties are text, not XML: lxml escapes them
    templates = {}
    for local in _TEMPLATED_PROPERTIES:
        element = root.find(f"{{{_DC}}}{local}")
        text = element.text if element is not None else None
        if text and any(mark in text for mark in ("{{", "{%", "{#")):
            templates[local] = (_compile(name, CORE, text, (text,), plain), text)
    return _Properties(xml, templates)
