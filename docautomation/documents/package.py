"""Edits a finished .docx package: parts replaced or added, the rest copied still compressed."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from lxml import etree  # type: ignore[import-untyped]

from .docxzip import ZipEntry, zip_entries

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class NotAPackageError(ValueError):
    """The bytes are not a readable zip package."""


class _Member(NamedTuple):
    """One member as the zip's central directory describes it."""

    name: str
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int  # of its local header

    @classmethod
    def of(cls, info: zipfile.ZipInfo) -> _Member:
        return cls(
            info.filename, info.flag_bits, info.compress_type, info.CRC, info.compress_size,
            info.file_size, info.header_offset,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Package:
    """A zip package read once: member names in order, each readable or copyable raw.

    A part added to an Office package needs its content type in [Content_Types].xml and a
    relationship from the part that uses it (with_override, with_relationship). Members that do
    not change are copied compressed: recompressing a large report would cost most of its render.
    """

    data: bytes
    members: Mapping[str, _Member]

    @classmethod
    def open(cls, data: bytes) -> Package:
        """Read the zip's directory; NotAPackageError when `data` is not a zip."""
        members = _directory(data)
        if members is None:  # not the plain kind every Office program writes: ask zipfile
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    infos = zf.infolist()
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise NotAPackageError(str(exc)) from exc
            members = {i.filename: _Member.of(i) for i in infos}
        return cls(data, members)

    @property
    def names(self) -> list[str]:
        return list(self.members)

    def __contains__(self, member: str) -> bool:
        return member in self.members

    def read(self, member: str) -> bytes:
        """A member's bytes (CRC checked); NotAPackageError when it is missing or broken."""
        info = self.members.get(member)
        if info is None:
            raise NotAPackageError(f"{member} saknas")
        raw = self._deflated(info)
        if raw is None:  # stored, encrypted or odd: let zipfile deal with it
            try:
                with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
                    return zf.read(member)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
                raise NotAPackageError(f"{member}: {exc}") from exc
        try:
            data = zlib.decompress(raw, -15)
        except zlib.error as exc:
            raise NotAPackageError(f"{member}: {exc}") from exc
        if len(data) != info.size or zlib.crc32(data) != info.crc:
            raise NotAPackageError(f"{member}: fel kontrollsumma")
        return data

    def entry(self, member: str) -> ZipEntry:
        """The member as a ZipEntry, its deflated bytes copied when it is plainly deflated."""
        info = self.members[member]
        raw = self._deflated(info)
        if raw is None:
            return ZipEntry.deflate(member, self.read(member))
        return ZipEntry(member.encode("utf-8"), info.crc, info.size, raw)

    def entries(self, changed: Mapping[str, bytes]) -> list[ZipEntry]:
        """Every member in order, `changed` ones replaced in place and new ones appended."""
        entries = [
            ZipEntry.deflate(name, changed[name]) if name in changed else self.entry(name)
            for name in self.names
        ]
        return entries + [ZipEntry.deflate(n, d) for n, d in changed.items() if n not in self]

    def rewrite(self, changed: Mapping[str, bytes]) -> bytes:
        """The package with `changed` members replaced in place, new ones appended at the end."""
        return zip_entries(self.entries(changed))

    def _deflated(self, info: _Member) -> bytes | None:
        """The member's raw deflate stream, or None when it is not plainly deflated."""
        start = info.offset
        header = self.data[start : start + 30]
        if (
            info.method != zipfile.ZIP_DEFLATED
            or info.flags & 0x1
            or len(header) < 30
            or header[:4] != b"PK\x03\x04"
        ):
            return None
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        begin = start + 30 + name_length + extra_length
        return self.data[begin : begin + info.compressed]


def _directory(data: bytes) -> dict[str, _Member] | None:
    """The central directory of a plain zip (one disk, no zip64), or None for anything else.

    zipfile would do, but building its objects costs more than stamping a small document.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) < end + 22:
        return None
    disk, start_disk, here, count, _, offset = struct.unpack("<HHHHII", data[end + 4 : end + 20])
    if disk or start_disk or here != count or offset >= end:
        return None
    members: dict[str, _Member] = {}
    for _ in range(count):
        if len(data) < offset + 46 or data[offset : offset + 4] != b"PK\x01\x02":
            return None
        fields = struct.unpack("<HHHHHIIIHHHHHII", data[offset + 6 : offset + 46])
        flags, method, _, _, crc, compressed, size, name_len, extra_len, comment_len = fields[1:11]
        name_bytes = data[offset + 46 : offset + 46 + name_len]
        name = name_bytes.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        if 0xFFFFFFFF in (compressed, size, fields[14]):
            return None  # zip64
        members[name] = _Member(name, flags, method, crc, compressed, size, fields[14])
        offset += 46 + name_len + extra_len + comment_len
    return members


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
