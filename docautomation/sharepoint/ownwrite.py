"""Is the copy in SharePoint the document we sent? Compared by content, never by size or hash.

SharePoint rewrites Office files it stores (property demotion): it changes docProps/, adds
customXml/ parts and their relationships and the content types that go with them. The
document itself (word/ in a .docx, xl/ in a .xlsx) is left as sent, so two packages are the
same document when every other part is equal, relationships to customXml parts aside. Any
other file is the same only byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile

# Parts SharePoint may rewrite or add when it stores an Office file.
_PACKAGE_PARTS = ("docProps/", "customXml/", "_rels/.rels", "[Content_Types].xml")
_CUSTOM_XML_REL = re.compile(rb'<Relationship\b[^>]*Type="[^"]*/customXml"[^>]*/>')
_MAX_RELS_BYTES = 1 << 20  # a relationships part is a few hundred bytes; bounds a hostile copy


def same_document(sent: bytes, stored: bytes) -> bool:
    """True when `stored` is `sent` as SharePoint keeps it."""
    if sent == stored:
        return True
    ours = _open(sent)
    theirs = _open(stored)
    if ours is None or theirs is None:
        return False
    with ours, theirs:
        mine = _document_parts(ours)
        other = _document_parts(theirs)
        if not mine or set(mine) != set(other):
            return False
        # Sizes first: the stored copy may come from anyone, so it is never unpacked beyond
        # what our own document holds.
        for name, info in mine.items():
            theirs_info = other[name]
            if name.endswith(".rels"):
                if theirs_info.file_size > _MAX_RELS_BYTES:
                    return False
                if _rels(ours.read(info)) != _rels(theirs.read(theirs_info)):
                    return False
            elif info.file_size != theirs_info.file_size or info.CRC != theirs_info.CRC:
                return False
        return all(
            ours.read(info) == theirs.read(other[name])
            for name, info in mine.items()
            if not name.endswith(".rels")
        )


def _open(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return None


def _document_parts(package: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    return {
        info.filename: info
        for info in package.infolist()
        if not info.is_dir() and not info.filename.startswith(_PACKAGE_PARTS)
    }


def _rels(xml: bytes) -> bytes:
    return _CUSTOM_XML_REL.sub(b"", xml)
