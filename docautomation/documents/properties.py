"""Where a document came from, written into it: custom document properties (Word: Egenskaper)."""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from lxml import etree  # type: ignore[import-untyped]

from .. import __version__
from ..models import DocumentJob
from .docxzip import ZipEntry, zip_entries
from .package import (
    CONTENT_TYPES,
    PACKAGE_RELS,
    NotAPackageError,
    Package,
    free_id,
    relationship_target,
    with_override,
    with_relationship,
)

REGISTER = "Register"
REGISTER_SHA256 = "Registrets SHA-256"
TEMPLATE = "Mall"
TEMPLATE_SHA256 = "Mallens SHA-256"
VERSION = "docautomation-version"
BUILT = "Byggdatum"
CONTENT_SHA256 = "Innehållets SHA-256"
OURS = (REGISTER, REGISTER_SHA256, TEMPLATE, TEMPLATE_SHA256, VERSION, BUILT, CONTENT_SHA256)

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The one format id the standard gives user-defined properties.
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# What xml.sax.saxutils.escape does with quotes; that module imports urllib.request (and with
# it http, ssl and email: 15 ms of every build's start-up).
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Provenance:
    """What one build stamps into the documents it writes.

    Besides these, a document carries the SHA-256 of its own content, so it can tell whether it
    was changed after it was generated. The content is every part but the properties, so two
    builds that write the same content with other properties write the same document.
    """

    register: str
    register_sha256: str
    built: date
    template: str = ""
    template_sha256: str = ""

    def values(self) -> dict[str, str]:
        """Our properties by name, in the order Word lists them (content hash added later)."""
        values = {REGISTER: self.register, REGISTER_SHA256: self.register_sha256}
        if self.template:
            values |= {TEMPLATE: self.template, TEMPLATE_SHA256: self.template_sha256}
        return values | {VERSION: __version__, BUILT: self.built.isoformat()}


@dataclass(frozen=True, slots=True)
class _Stamped:
    """A job's render callable, its output stamped with the build's provenance."""

    render: Callable[[], bytes]
    provenance: Provenance

    def __call__(self) -> bytes:
        # A document template's render gives its members, saving a zip and its reading here.
        entries: Callable[[], list[ZipEntry]] | None = getattr(self.render, "entries", None)
        if entries is None:
            return stamp(self.render(), self.provenance)
        return stamp_entries(entries(), self.provenance)


def with_provenance(
    jobs: Iterable[DocumentJob], register: str, register_sha256: str, built: date
) -> list[DocumentJob]:
    """The jobs, every .docx among them stamped with the register (file name and SHA-256) it
    is built from, the build date and its own template.

    The job keys stay as they are: the properties are not content, so a document whose content
    is unchanged is neither rendered nor written again, and keeps the properties it has.
    """
    stamped = []
    for job in jobs:
        if job.path.lower().endswith(".docx"):
            own = Provenance(register, register_sha256, built, job.template, job.template_sha256)
            job = replace(job, render=_Stamped(job.render, own))
        stamped.append(job)
    return stamped


def stamp(data: bytes, provenance: Provenance) -> bytes:
    """The package with our custom properties set (others the template has are kept)."""
    return stamp_entries(Package.open(data).entries({}), provenance)


def stamp_entries(members: Sequence[ZipEntry], provenance: Provenance) -> bytes:
    """stamp, for a package's members in order: the zipped, stamped package."""
    by_name = {entry.name: entry for entry in members}
    rels, types = by_name[PACKAGE_RELS.encode()], by_name[CONTENT_TYPES.encode()]
    part, static = _layout(rels, types)
    found = by_name.get(part.encode("utf-8"))
    existing = found.inflate() if found is not None else None
    placeholder = ZipEntry(part.encode("utf-8"), 0, 0, b"")  # the part's place, filled below
    entries = [static.get(entry.name, entry) for entry in members]
    if existing is None:
        entries.append(placeholder)
    values = provenance.values()
    # The content is everything but this part, so its hash is known before the part is written.
    values[CONTENT_SHA256] = content_digest(entries, skipped=part)
    custom = ZipEntry.deflate(part, _custom_part(existing, values))
    return zip_entries(custom if entry.name == custom.name else entry for entry in entries)


@functools.lru_cache(maxsize=64)
def _layout(rels: ZipEntry, types: ZipEntry) -> tuple[str, dict[bytes, ZipEntry]]:
    """Where the custom properties go, and the package relationships and content types then.

    Both parts come from the template unchanged, so every document of a template shares them:
    worked out once per template, not once per document.
    """
    rels_xml, types_xml = zlib.decompress(rels.deflated, -15), zlib.decompress(types.deflated, -15)
    part = relationship_target(rels_xml, CUSTOM_REL)
    changed = {CONTENT_TYPES: with_override(types_xml, part or CUSTOM_PART, CUSTOM_TYPE)}
    if part is None:
        part = CUSTOM_PART
        changed[PACKAGE_RELS] = with_relationship(rels_xml, free_id(rels_xml), CUSTOM_REL, part)
    return part, {
        name.encode("utf-8"): ZipEntry.deflate(name, xml) for name, xml in changed.items()
    }


def read_properties(data: bytes) -> dict[str, str] | None:
    """The custom properties of a Word package ({} without any); None when it is no package."""
    try:
        package = Package.open(data)
        part = relationship_target(package.read(PACKAGE_RELS), CUSTOM_REL)
        if part is None or part not in package:
            return {}
        root = etree.fromstring(package.read(part), _parser())
    except (NotAPackageError, etree.XMLSyntaxError):
        return None
    return {
        prop.get("name", ""): "".join(prop.itertext())
        for prop in root.iter(f"{{{_CUSTOM_NS}}}property")
    }


def is_word(data: bytes) -> bool:
    """True for a Word document package (its content types name a Word main part)."""
    try:
        types = Package.open(data).read(CONTENT_TYPES)
    except NotAPackageError:
        return False
    return b"wordprocessingml.document" in types or b"ms-word.document" in types


def is_ours(properties: Mapping[str, str] | None) -> bool:
    """True when the properties are those docautomation writes."""
    return properties is not None and bool(properties.get(VERSION)) and CONTENT_SHA256 in properties


def content_digest(entries: Iterable[ZipEntry], *, skipped: str | None) -> str:
    """SHA-256 of every member but `skipped` (the custom properties part), in name order.

    Each member counts as the package stores it: name, CRC-32, size and compressed bytes. Any
    edit or re-save changes that; nothing has to be decompressed (most of a document's bytes
    are its template's styles, the same in every document).
    """
    digest = hashlib.sha256()
    avoid = skipped.encode("utf-8") if skipped is not None else None
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.name == avoid or entry.name.endswith(b"/"):
            continue
        digest.update(entry.name + b"\0")
        digest.update(struct.pack("<IQQ", entry.crc, entry.size, len(entry.deflated)))
        digest.update(entry.deflated)
    return digest.hexdigest()


def recorded_content(data: bytes) -> str | None:
    """The content hash a freshly stamped document carries; None for anything else."""
    properties = read_properties(data) if data[:2] == b"PK" else None
    return properties.get(CONTENT_SHA256) if properties else None


def actual_content(data: bytes) -> str | None:
    """The content hash of a .docx as it is now (after any edit); None when it is no package."""
    try:
        package = Package.open(data)
        skipped = relationship_target(package.read(PACKAGE_RELS), CUSTOM_REL)
        return content_digest(package.entries({}), skipped=skipped)
    except (NotAPackageError, etree.XMLSyntaxError):
        return None


def _custom_part(existing: bytes | None, values: Mapping[str, str]) -> bytes:
    """The properties part: the template's own properties kept (by pid), then ours."""
    kept: list[bytes] = []
    pids = [1]  # user-defined properties are numbered from 2
    try:
        root = etree.fromstring(existing, _parser()) if existing else None
    except etree.XMLSyntaxError:
        root = None  # a broken part from the template: ours replaces it
    for prop in root.iter(f"{{{_CUSTOM_NS}}}property") if root is not None else ():
        if prop.get("name") not in values:
            kept.append(etree.tostring(prop, encoding="utf-8"))
            pids.append(_number(prop.get("pid")))
    ours = (
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{_text(name)}">'
        f"<vt:lpwstr>{_text(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=max(pids) + 1)
    )
    return b"".join(
        [
            _XML_DECL,
            f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">'.encode(),
            *kept,
            "".join(ours).encode("utf-8"),
            b"</Properties>",
        ]
    )


def _text(value: str) -> str:
    """`value` as XML text or attribute: escaped, characters XML cannot hold dropped."""
    return _XML_ILLEGAL.sub("", value).translate(_XML_ESCAPES)


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 1


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True)
