"""Edits a finished .docx package: parts replaced or added, the rest copied still compressed.

Adding a part to an Office package takes three things: the part, its content type in
[Content_Types].xml, and a relationship from the part that uses it. Members that do not change
are copied as they are compressed (recompressing a large report would cost most of its render).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from lxml import etree  # type: ignore[import-untyped]

from .engine import ZipEntry, zip_entries

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class NotAPackageError(ValueError):
    """The bytes are not a readable zip package."""


@dataclass(frozen=True, slots=True)
class Package:
    """A zip package read once: member names in order, each readable or copyable raw."""

    data: bytes
    infos: Mapping[str, zipfile.ZipInfo]

    @classmethod
    def open(cls, data: bytes) -> Package:
        """Read the zip's directory; NotAPackageError when `data` is not a zip."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return cls(data, {info.filename: info for info in zf.infolist()})
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise NotAPackageError(str(exc)) from exc

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def read(self, member: str) -> bytes:
        """A member's bytes; NotAPackageError when it is missing or broken."""
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
                return zf.read(self.infos[member])
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise NotAPackageError(f"{member}: {exc}") from exc

    def entry(self, member: str) -> ZipEntry:
        """The member as a ZipEntry, its deflated bytes copied when it is plainly deflated."""
        info = self.infos[member]
        start = info.header_offset
        header = self.data[start : start + 30]
        if (
            info.compress_type != zipfile.ZIP_DEFLATED
            or info.flag_bits & 0x1
            or header[:4] != (b"PK\x03\x04")
        ):
            return ZipEntry.deflate(member, self.read(member))
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        begin = start + 30 + name_length + extra_length
        raw = self.data[begin : begin + info.compress_size]
        return ZipEntry(member.encode("utf-8"), info.CRC, info.file_size, raw)

    def rewrite(self, changed: Mapping[str, bytes]) -> bytes:
        """The package with `changed` members replaced in place, new ones appended at the end."""
        entries = [
            ZipEntry.deflate(name, changed[name]) if name in changed else self.entry(name)
            for name in self.names
        ]
        entries += [ZipEntry.deflate(n, d) for n, d in changed.items() if n not in self.infos]
        return zip_entries(entries)


def parse(xml: bytes) -> etree._Element:
    """Parse a package part strictly (no entities, no network)."""
    return etree.fromstring(xml, _STRICT)


def serialise(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, encoding="utf-8")
    return _XML_DECL + data


def with_override(content_types: bytes, part: str, content_type: str) -> bytes:
    """[Content_Types].xml declaring `part` (e.g. "docProps/custom.xml") as `content_type`."""
    root = parse(content_types)
    name = "/" + part
    for override in root.findall(f"{{{_CT_NS}}}Override"):
        if override.get("PartName", "").casefold() == name.casefold():
            root.remove(override)
    etree.SubElement(root, f"{{{_CT_NS}}}Override", PartName=name, ContentType=content_type)
    return serialise(root)


def with_default(content_types: bytes, extension: str, content_type: str) -> bytes:
    """[Content_Types].xml with a default type for `extension`, unless one is declared."""
    root = parse(content_types)
    for default in root.findall(f"{{{_CT_NS}}}Default"):
        if default.get("Extension", "").casefold() == extension.casefold():
            return content_types
    # Defaults come before overrides in the schema's sequence.
    first_override = root.find(f"{{{_CT_NS}}}Override")
    element = etree.Element(f"{{{_CT_NS}}}Default", Extension=extension, ContentType=content_type)
    if first_override is None:
        root.append(element)
    else:
        first_override.addprevious(element)
    return serialise(root)


def relationship_target(rels: bytes, rel_type: str, source: str = "") -> str | None:
    """The part the first relationship of `rel_type` points to, relative to the package root.

    `source` is the part the relationships belong to ("" for the package's own _rels/.rels).
    """
    for rel in parse(rels).findall(f"{{{_REL_NS}}}Relationship"):
        if rel.get("Type") == rel_type and rel.get("TargetMode") != "External":
            return resolve(source, rel.get("Target", ""))
    return None


def with_relationship(rels: bytes | None, rel_id: str, rel_type: str, target: str) -> bytes:
    """A relationships part with `rel_id` pointing to `target` (replacing any same id)."""
    root = (
        parse(rels) if rels else etree.Element(f"{{{_REL_NS}}}Relationships", nsmap={None: _REL_NS})
    )
    for rel in root.findall(f"{{{_REL_NS}}}Relationship"):
        if rel.get("Id") == rel_id:
            root.remove(rel)
    etree.SubElement(root, f"{{{_REL_NS}}}Relationship", Id=rel_id, Type=rel_type, Target=target)
    return serialise(root)


def free_id(rels: bytes | None) -> str:
    """The first "rIdN" not used in a relationships part."""
    used = {r.get("Id") for r in parse(rels).iter(f"{{{_REL_NS}}}Relationship")} if rels else set()
    number = 1
    while f"rId{number}" in used:
        number += 1
    return f"rId{number}"


def rels_of(part: str) -> str:
    """Where a part's relationships are kept ("word/document.xml" → "word/_rels/document.xml.rels")."""
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / f"{path.name}.rels").lstrip("./")


def resolve(source: str, target: str) -> str:
    """A relationship target resolved against its source part's folder, without "..".

    An absolute target ("/docProps/custom.xml") is taken from the package root.
    """
    if target.startswith("/"):
        parts: list[str] = []
        pieces = target.lstrip("/").split("/")
    else:
        parts = str(PurePosixPath(source).parent).split("/") if "/" in source else []
        pieces = target.split("/")
    for piece in pieces:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)
