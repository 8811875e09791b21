"""Loads a .docx template once, renders it safely with docxtpl's tags, zips byte-stable output.

docxtpl's own `DocxTemplate.render` reloads the template on every call, re-parses the body with
a *recovering* XML parser (which silently drops data) and swaps the body through python-docx.
We keep its tag language by reusing its `patch_xml` and `resolve_listing`, but compile each part
once per template, render in a sandbox with autoescape and StrictUndefined, parse the result
strictly, and write the package ourselves with fixed timestamps (docgen notes §2.1, §2.14, §3).
"""

from __future__ import annotations

import functools
import html
import io
import pyexpat
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]

from ..errors import TemplateError

_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_MAIN = _WML + "document.main+xml"
_DOTX_MAIN = _WML + "template.main+xml"
_RENDERED_TYPES = {
    _MAIN,
    _WML + "header+xml",
    _WML + "footer+xml",
    _WML + "footnotes+xml",
    _WML + "endnotes+xml",
}
_CORE = "docProps/core.xml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DOS_DATE, _DOS_TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00, the earliest zip time
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
# docxtpl turns {_{ }_} {_% %_} into delimiters *after* rendering, i.e. also inside data
# (docgen notes §2.14). We resolve them in the template source instead, so data never changes.
_LITERAL_DELIMITERS = {
    "{_{": "{% raw %}{{{% endraw %}",
    "}_}": "{% raw %}}}{% endraw %}",
    "{_%": "{% raw %}{%{% endraw %}",
    "%_}": "{% raw %}%}{% endraw %}",
}
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_SPECIAL = re.compile("[\n\t\a\f]")
# A table cell must end with a paragraph: one that ends right after its properties, a table,
# or its own start tag has none (an emptied {%p for %} loop; docgen notes §2.6).
_EMPTY_CELL = re.compile(r"(?:</w:tcPr>|<w:tcPr/>|</w:tbl>|<w:tc>|<w:tc [^>]*[^/]>)</w:tc>|<w:tc/>")


def make_environment() -> SandboxedEnvironment:
    """The one Jinja environment for documents: sandboxed, escaping, strict about unknown names."""
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass(frozen=True, slots=True)
class _Part:
    """One rendered XML part of the package: its compiled template and its source lines."""

    name: str
    template: jinja2.Template
    lines: tuple[str, ...]
    column_loops: bool  # uses {%tc %}: the table grid may need fixing after rendering
    is_main: bool


@dataclass(frozen=True, slots=True)
class WordTemplate:
    """A .docx template compiled once; `render` may be called for many documents."""

    name: str
    entries: tuple[tuple[str, ZipEntry | None], ...]  # in order; None: rendered per document
    parts: tuple[_Part, ...]
    core: bytes | None

    @classmethod
    def load(cls, path: Path, env: SandboxedEnvironment | None = None) -> WordTemplate:
        """Read and compile the template at `path`; raises TemplateError naming the file."""
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise TemplateError(f'Mallen "{path.name}" saknas i mappen {path.parent}.') from exc
        except OSError as exc:
            raise TemplateError(f'Mallen "{path.name}" kan inte läsas: {exc.strerror}.') from exc
        return cls.from_bytes(path.name, data, env or make_environment())

    @classmethod
    def from_bytes(cls, name: str, data: bytes, env: SandboxedEnvironment) -> WordTemplate:
        """Compile a template from its bytes; `name` is used in error messages."""
        package = _Package.open(name, data)
        types = _content_types(name, package.read("[Content_Types].xml"), package.names)
        if _MAIN not in types.values() and _DOTX_MAIN not in types.values():
            raise TemplateError(f'Mallen "{name}" är inget Word-dokument (.docx).')
        parts = tuple(
            _compile_part(name, part, package.read(part), env, is_main=kind in (_MAIN, _DOTX_MAIN))
            for part, kind in types.items()
            if kind in _RENDERED_TYPES or kind == _DOTX_MAIN
        )
        per_document = {part.name for part in parts} | {_CORE}
        static = tuple((n, None if n in per_document else package.entry(n)) for n in package.names)
        core = package.read(_CORE) if _CORE in package.names else None
        return cls(name, static, parts, core)

    def render(self, context: Mapping[str, Any], *, title: str, when: date) -> bytes:
        """Render every part with `context` and return the .docx bytes.

        Args:
            context: the template variables (already normalised strings, lists and dicts).
            title: the document title written to the core properties.
            when: the date written as created/modified, so equal inputs give equal bytes.

        Raises:
            TemplateError: naming the template and the tag, for syntax, unknown variables,
                forbidden operations or output that is not valid Word XML.
        """
        rendered = {part.name: self._render_part(part, context) for part in self.parts}
        if self.core is not None:
            rendered[_CORE] = _core_properties(self.core, title, when)
        return zip_entries(
            entry or ZipEntry.deflate(name, rendered[name]) for name, entry in self.entries
        )

    def _render_part(self, part: _Part, context: Mapping[str, Any]) -> bytes:
        try:
            xml = part.template.render(context)
        except Exception as exc:  # template code can raise anything; the template is to blame
            raise _render_error(self.name, part, exc) from exc
        xml = _resolve_listing(xml.replace("\n<w:p", "<w:p"))
        data = xml.encode("utf-8")
        _check_well_formed(self.name, part.name, data)
        if part.column_loops or (part.is_main and b"docPr" in data):
            tree = _fix_tables_and_ids(xml, part.column_loops)
            data = _XML_DECL.encode() + etree.tostring(tree, encoding="utf-8")
        if _EMPTY_CELL.search(xml):
            raise TemplateError(
                f'Mallen "{self.name}" lämnar en tabellcell utan stycke ({part.name}); '
                "lägg till {%p else %} med ett tomt stycke i slingan."
            )
        return data

    def source_lines(self) -> dict[str, tuple[str, ...]]:
        """The patched Jinja source of each rendered part, line by line (for checks)."""
        return {part.name: part.lines for part in self.parts}


@dataclass(frozen=True, slots=True)
class _Package:
    """A template's zip: members read on demand; static ones reused still compressed."""

    name: str
    data: bytes
    infos: Mapping[str, zipfile.ZipInfo]

    @classmethod
    def open(cls, name: str, data: bytes) -> _Package:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return cls(name, data, {info.filename: info for info in zf.infolist()})
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise TemplateError(f'Mallen "{name}" är inget läsbart Word-dokument: {exc}.') from exc

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def read(self, member: str) -> bytes:
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
                return zf.read(self.infos[member])
        except (KeyError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise TemplateError(
                f'Mallen "{self.name}" är inget läsbart Word-dokument: {member} kan inte läsas.'
            ) from exc

    def entry(self, member: str) -> ZipEntry:
        """The member as a ZipEntry, copying its deflated bytes when it is plainly deflated."""
        info = self.infos[member]
        start = info.header_offset
        header = self.data[start : start + 30]
        if (
            member == "[Content_Types].xml"
            or info.compress_type != zipfile.ZIP_DEFLATED
            or info.flag_bits & 0x1
            or header[:4] != b"PK\x03\x04"
        ):
            return ZipEntry.deflate(member, _as_document(member, self.read(member)))
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        begin = start + 30 + name_length + extra_length
        raw = self.data[begin : begin + info.compress_size]
        return ZipEntry(member.encode("utf-8"), info.CRC, info.file_size, raw)


def _content_types(name: str, xml: bytes, members: list[str]) -> dict[str, str]:
    try:
        root = etree.fromstring(xml, _STRICT)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f'Mallen "{name}" är inget läsbart Word-dokument.') from exc
    found: dict[str, str] = {}
    for override in root.iter(f"{{{_CT_NS}}}Override"):
        part = override.get("PartName", "").lstrip("/")
        if part in members:
            found[part] = override.get("ContentType", "")
    return found


def _as_document(name: str, data: bytes) -> bytes:
    # A .dotx saved under a .docx name: the output must be a document, not a template.
    if name != "[Content_Types].xml":
        return data
    return data.replace(_DOTX_MAIN.encode(), _MAIN.encode())


def _compile_part(
    name: str, part: str, data: bytes, env: SandboxedEnvironment, *, is_main: bool
) -> _Part:
    try:
        xml = etree.tostring(etree.fromstring(data, _STRICT), encoding="unicode")
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f'Mallen "{name}" har en trasig del {part}: {exc}.') from exc
    patched: str = _docxtpl().patch_xml(None, xml)
    for marker, literal in _LITERAL_DELIMITERS.items():
        patched = patched.replace(marker, literal)
    source = _XML_DECL.rstrip() + re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
    lines = tuple(source.splitlines())
    try:
        template = env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        failing = functools.partial(_same_error, env, error=exc)
        where = _tags_on_line(lines, exc.lineno, failing=failing)
        raise TemplateError(f'Mallen "{name}" har ett syntaxfel{where}: {_sentence(exc)}') from exc
    return _Part(part, template, lines, "{%tc " in xml or "{{tc " in xml, is_main)


def _render_error(name: str, part: _Part, exc: Exception) -> TemplateError:
    where = _tags_on_line(part.lines, _template_lineno(exc), _missing_name(exc))
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(f'Mallen "{name}" använder en okänd variabel{where}: {_sentence(exc)}')
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return TemplateError(
            f'Mallen "{name}" försöker något som inte är tillåtet{where}: {_sentence(exc)}'
        )
    return TemplateError(f'Mallen "{name}" kunde inte fyllas i{where}: {_sentence(exc)}')


def _template_lineno(exc: BaseException) -> int | None:
    # Jinja rewrites tracebacks so template frames carry the template's own line numbers.
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _missing_name(exc: BaseException) -> str | None:
    match = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
    return (match.group(1) or match.group(2)) if match else None


def _tags_on_line(
    lines: tuple[str, ...],
    lineno: int | None,
    name: str | None = None,
    failing: Callable[[str], bool] | None = None,
) -> str:
    """' i taggen "{{ x }}"' for the tag(s) on a source line, preferring the guilty ones.

    A source line is one Word paragraph, and {%p %} tags join the paragraph before them, so a
    line can hold several tags: keep those that mention `name`, or that fail on their own.
    """
    if not lineno or lineno > len(lines):
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1]))
    tags = _TAG.findall(text) or ([text.strip()] if text.strip() else [])
    if name:
        tags = [t for t in tags if re.search(rf"\b{re.escape(name)}\b", t)] or tags
    if failing and len(tags) > 1:
        tags = [t for t in tags if failing(t)] or tags
    if not tags:
        return ""
    shown = ", ".join(f'"{t[:120]}"' for t in tags[:3])
    return f" i taggen {shown}" if len(tags) == 1 else f" i taggarna {shown}"


def _same_error(env: SandboxedEnvironment, tag: str, *, error: jinja2.TemplateSyntaxError) -> bool:
    """True when `tag` alone fails to parse with the same message as the whole template."""
    try:
        env.parse(tag)
    except jinja2.TemplateSyntaxError as alone:
        return alone.message == error.message
    return False


def _sentence(exc: Exception) -> str:
    """Jinja's message as the end of our sentence (one final period)."""
    text = (getattr(exc, "message", None) or str(exc)).strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _resolve_listing(xml: str) -> str:
    """Turn \\n \\t \\a \\f in text into Word breaks, tabs, paragraphs (docxtpl's rules).

    docxtpl runs its regexes over every paragraph of the document (5 s for a 10,000-row
    report); we hand it only the paragraphs that hold such a character.
    """
    out, pos = [], 0
    for match in _SPECIAL.finditer(xml):
        if match.start() < pos:
            continue
        start = max(xml.rfind("<w:p>", pos, match.start()), xml.rfind("<w:p ", pos, match.start()))
        end = xml.find("</w:p>", match.start())
        if start < 0 or end < 0:
            continue  # not inside a paragraph (e.g. the XML declaration's line end)
        end += len("</w:p>")
        out += [xml[pos:start], _docxtpl().resolve_listing(None, xml[start:end])]
        pos = end
    out.append(xml[pos:])
    return "".join(out)


def _check_well_formed(name: str, part: str, data: bytes) -> None:
    """Strict, namespace-aware well-formedness check (expat: no recovery, no tree, fast)."""
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as exc:
        raise TemplateError(
            f'Mallen "{name}" gav ett ogiltigt Word-dokument ({part}: {exc}); '
            "kontrollera att varje {%p …%}, {%tr …%} och {%tc …%} står i ett eget stycke, "
            "en egen rad eller cell."
        ) from exc


def _fix_tables_and_ids(xml: str, column_loops: bool) -> etree._Element:
    docx_template = _docxtpl()
    fixer = docx_template.__new__(docx_template)  # only the two helpers below are used
    fixer.docx_ids_index = 1000
    tree = fixer.fix_tables(xml) if column_loops else etree.fromstring(xml.encode())
    fixer.fix_docpr_ids(tree)
    return tree


def _docxtpl() -> Any:
    """docxtpl's DocxTemplate, imported on first use.

    It pulls in python-docx (~0.1 s); a rebuild with nothing to render never needs it.
    """
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    return DocxTemplate


def _core_properties(core: bytes, title: str, when: date) -> bytes:
    root = etree.fromstring(core, _STRICT)
    ns = {
        "dc": "http://purl.org/dc/elements/1.1/",
        "dcterms": "http://purl.org/dc/terms/",
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    }
    stamp = f"{when.isoformat()}T00:00:00Z"
    values = {
        "dc:title": title,
        "cp:lastModifiedBy": "docautomation",
        "dcterms:created": stamp,
        "dcterms:modified": stamp,
    }
    for qname, value in values.items():
        prefix, local = qname.split(":")
        element = root.find(f"{{{ns[prefix]}}}{local}")
        if element is None:
            element = etree.SubElement(root, f"{{{ns[prefix]}}}{local}")
        if prefix == "dcterms":
            element.set(f"{{{ns['xsi']}}}type", "dcterms:W3CDTF")
        element.text = value
    serialised: bytes = etree.tostring(root, encoding="utf-8")
    return _XML_DECL.encode() + serialised


@dataclass(frozen=True, slots=True)
class ZipEntry:
    """One compressed zip member; static template parts are compressed once per template."""

    name: bytes
    crc: int
    size: int
    deflated: bytes

    @classmethod
    def deflate(cls, name: str, data: bytes) -> ZipEntry:
        """Compress `data` (raw deflate, level 6) as the member `name`."""
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(
            name.encode("utf-8"),
            zlib.crc32(data),
            len(data),
            packer.compress(data) + packer.flush(),
        )


def write_package(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """Zip `(name, data)` entries in the given order, byte-stable (see zip_entries)."""
    return zip_entries(ZipEntry.deflate(name, data) for name, data in entries)


def zip_entries(entries: Iterable[ZipEntry]) -> bytes:
    """A zip archive of `entries` in order, with a fixed 1980-01-01 timestamp and no attributes.

    Written by hand rather than with zipfile so already-compressed static parts are reused
    (zipfile always recompresses; compression was 3/4 of a kallelse's render time).
    """
    out, central, count = bytearray(), bytearray(), 0
    for e in entries:
        if max(e.size, len(e.deflated), len(out)) >= 0xFFFFFFFF:
            raise TemplateError("Dokumentet blir för stort för ett Word-dokument (över 4 GB).")
        flags = 0 if e.name.isascii() else 0x800  # bit 11: the name is UTF-8
        fields = (flags, 8, _DOS_TIME, _DOS_DATE, e.crc, len(e.deflated), e.size, len(e.name))
        central += struct.pack("<IHH", 0x02014B50, 20, 20) + struct.pack("<HHHHIIIH", *fields)
        central += struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(out)) + e.name
        out += struct.pack("<IH", 0x04034B50, 20) + struct.pack("<HHHHIIIH", *fields)
        out += struct.pack("<H", 0) + e.name + e.deflated
        count += 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)
