"""Tests for editing finished packages: reading members, rewriting, types and relationships."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from docautomation.documents.package import (
    NotAPackageError,
    Package,
    free_id,
    relationship_target,
    resolve,
    with_default,
    with_override,
    with_relationship,
)

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
MEMBERS = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w>" + b"text " * 500}


def _zip(**options: object) -> bytes:
    """A zip written by zipfile, optionally with zip64 headers, a comment or bytes before it."""
    buffer = io.BytesIO()
    prefix = bytes(options.pop("prefix", b""))  # type: ignore[call-overload]
    force = bool(options.pop("force_zip64", False))
    comment = options.pop("comment", b"")
    with zipfile.ZipFile(buffer, "w", **options) as zf:  # type: ignore[arg-type]
        zf.comment = comment  # type: ignore[assignment]
        for name, data in MEMBERS.items():
            with zf.open(name, "w", force_zip64=force) as member:
                member.write(data)
    return prefix + buffer.getvalue()  # prepended as `cat` would: offsets no longer match


@pytest.mark.parametrize(
    "options",
    [
        {"compression": zipfile.ZIP_DEFLATED},
        {"compression": zipfile.ZIP_STORED},
        {"compression": zipfile.ZIP_DEFLATED, "comment": b"a comment at the end"},
        {"compression": zipfile.ZIP_DEFLATED, "force_zip64": True},
        {"compression": zipfile.ZIP_DEFLATED, "prefix": b"#!/bin/sh\nexit 0\n"},
    ],
)
def test_members_read_as_zipfile_reads_them(options: dict[str, object]) -> None:
    """Plain, stored, commented, zip64 and prefixed archives: the names and bytes zipfile gives."""
    package = Package.open(_zip(**options))
    assert package.names == list(MEMBERS)
    assert {name: package.read(name) for name in package.names} == MEMBERS
    rewritten = Package.open(package.rewrite({"extra.xml": b"<x/>"}))
    assert rewritten.names == [*MEMBERS, "extra.xml"]
    assert rewritten.read("word/document.xml") == MEMBERS["word/document.xml"]


def test_a_shipped_template_rewrites_to_the_same_members() -> None:
    """Unchanged members are copied compressed; the package reads back the same."""
    data = (SHIPPED / "Kallelse.docx").read_bytes()
    package = Package.open(data)
    with zipfile.ZipFile(io.BytesIO(package.rewrite({}))) as zf:
        assert {i.filename: zf.read(i) for i in zf.infolist()} == {
            n: package.read(n) for n in package.names
        }


def test_broken_bytes_are_not_a_package() -> None:
    """No zip, a truncated zip, a corrupted member: NotAPackageError, never another error."""
    data = _zip(compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(NotAPackageError):
        Package.open(b"plain text")
    with pytest.raises(NotAPackageError):
        Package.open(data[: len(data) // 2])
    start = data.index(b"word/document.xml") + len("word/document.xml") + 5
    corrupted = data[:start] + bytes(8) + data[start + 8 :]
    with pytest.raises(NotAPackageError):
        Package.open(corrupted).read("word/document.xml")
    with pytest.raises(NotAPackageError, match="saknas"):
        Package.open(data).read("word/missing.xml")


def test_content_types_and_relationships() -> None:
    """Overrides replace their own kind, defaults are added once, relationship ids stay free."""
    types = b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    types = with_override(
        with_override(types, "docProps/custom.xml", "a"), "docProps/custom.xml", "b"
    )
    assert types.count(b"Override") == 1 and b'ContentType="b"' in types
    once = with_default(types, "xlsx", "sheet")
    assert with_default(once, "XLSX", "sheet") == once
    assert once.index(b"Default") < once.index(b"Override")  # the schema's order
    rels = with_relationship(None, free_id(None), "kind", "docProps/custom.xml")
    assert free_id(rels) == "rId2"
    assert relationship_target(rels, "kind") == "docProps/custom.xml"
    assert relationship_target(rels, "other") is None


def test_targets_resolve_against_their_source() -> None:
    """Relative targets from a part's folder, '..' climbing, absolute ones from the root."""
    assert resolve("word/document.xml", "charts/chart1.xml") == "word/charts/chart1.xml"
    assert resolve("word/charts/chart1.xml", "../embeddings/a.xlsx") == "word/embeddings/a.xlsx"
    assert resolve("", "docProps/custom.xml") == "docProps/custom.xml"
    assert resolve("word/document.xml", "/customXml/item1.xml") == "customXml/item1.xml"
