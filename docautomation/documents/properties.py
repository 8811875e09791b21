"""Where a document came from, written into it: custom document properties (Word: Egenskaper).

Every generated .docx carries the register's file name and SHA-256, the template's name and
SHA-256, the docautomation version and the build date, plus the SHA-256 of its own content, so
the document itself can tell whether it was changed after it was generated. The content is
every part but the custom properties part, so two builds that write the same content with other
properties count as the same document (and the outbox keeps the file as it is).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from lxml import etree  # type: ignore[import-untyped]

from .. import __version__
from ..models import DocumentJob
from .package import (
    CONTENT_TYPES,
    PACKAGE_RELS,
    NotAPackageError,
    Package,
    free_id,
    relationship_target,
    serialise,
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


@dataclass(frozen=True, slots=True)
class Provenance:
    """What one build stamps into the documents it writes."""

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
        return stamp(self.render(), self.provenance)


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
    package = Package.open(data)
    rels = package.read(PACKAGE_RELS)
    part = relationship_target(rels, CUSTOM_REL)
    changed: dict[str, bytes] = {}
    if part is None or part not in package.infos:
        part = CUSTOM_PART
        changed[PACKAGE_RELS] = with_relationship(rels, free_id(rels), CUSTOM_REL, part)
        changed[CONTENT_TYPES] = with_override(package.read(CONTENT_TYPES), part, CUSTOM_TYPE)
        existing = None
    else:
        existing = package.read(part)
    values = provenance.values()
    # The content is everything but this part, so its hash is known before the part is written.
    values[CONTENT_SHA256] = content_digest(package, changed, skipped=part)
    changed[part] = _custom_part(existing, values)
    return package.rewrite(changed)


def read_properties(data: bytes) -> dict[str, str] | None:
    """The custom properties of a Word package ({} without any); None when it is no package."""
    try:
        package = Package.open(data)
        part = relationship_target(package.read(PACKAGE_RELS), CUSTOM_REL)
        if part is None or part not in package.infos:
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


def content_digest(
    package: Package, changed: Mapping[str, bytes] | None = None, *, skipped: str | None = None
) -> str:
    """SHA-256 of every part but the custom properties part, by name, in name order.

    `changed` overlays members about to be written; `skipped` names the custom properties
    part (found through the package's relationships when not given).
    """
    changed = changed or {}
    if skipped is None:
        rels = changed.get(PACKAGE_RELS) or package.read(PACKAGE_RELS)
        skipped = relationship_target(rels, CUSTOM_REL)
    digest = hashlib.sha256()
    for name in sorted({*package.names, *changed}):
        if name == skipped or name.endswith("/"):
            continue
        data = changed[name] if name in changed else package.read(name)
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def recorded_content(data: bytes) -> str | None:
    """The content hash a freshly stamped document carries; None for anything else."""
    properties = read_properties(data) if data[:2] == b"PK" else None
    return properties.get(CONTENT_SHA256) if properties else None


def actual_content(data: bytes) -> str | None:
    """The content hash of a .docx as it is now (after any edit); None when it is no package."""
    try:
        return content_digest(Package.open(data))
    except (NotAPackageError, etree.XMLSyntaxError):
        return None


def _custom_part(existing: bytes | None, values: Mapping[str, str]) -> bytes:
    try:
        root = etree.fromstring(existing, _parser()) if existing else None
    except etree.XMLSyntaxError:
        root = None  # a broken part from the template: ours replaces it
    if root is None or root.tag != f"{{{_CUSTOM_NS}}}Properties":
        root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    for prop in root.findall(f"{{{_CUSTOM_NS}}}property"):
        if prop.get("name") in values:
            root.remove(prop)
    pids = [_number(p.get("pid")) for p in root.findall(f"{{{_CUSTOM_NS}}}property")]
    pid = max([1, *pids])  # user-defined properties are numbered from 2
    for name, value in values.items():
        pid += 1
        prop = etree.SubElement(
            root, f"{{{_CUSTOM_NS}}}property", fmtid=_FMTID, pid=str(pid), name=name
        )
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    return serialise(root)


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 1


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True)
