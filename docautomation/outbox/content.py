"""Same document or not: a .docx is compared by its content, without the properties stamped in."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

from ..fileio import sha256_file
from .manifest import ManifestEntry


class Digests(NamedTuple):
    """A rendered output's SHA-256 and its content hash (the same for anything but a .docx).

    A later build that renders the same content from another register version finds the file
    saying all it should (the properties of the build that wrote that content): it is neither
    rewritten nor counted as edited.
    """

    sha256: str
    content: str

    @classmethod
    def of(cls, data: bytes) -> Digests:
        # Only called for outputs just rendered: the documents modules are loaded by then.
        from ..documents.properties import recorded_content

        sha256 = hashlib.sha256(data).hexdigest()
        return cls(sha256, recorded_content(data) or sha256)

    @property
    def stamped(self) -> bool:
        return self.content != self.sha256


def holds(entry: ManifestEntry, new: Digests) -> bool:
    """True when the file recorded by `entry` (and still as written) has `new`'s content."""
    return entry.sha256 == new.sha256 or (bool(entry.content) and entry.content == new.content)


def same_on_disk(path: Path, new: Digests, size: int) -> str | None:
    """The SHA-256 of the file at `path` when it holds `new`'s content, else None.

    Equal bytes, or a stamped .docx whose content (properties aside) is the same.
    """
    try:
        if not path.is_file():
            return None
        if path.stat().st_size == size and sha256_file(path) == new.sha256:
            return new.sha256
        if not new.stamped:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    from ..documents.properties import actual_content

    return hashlib.sha256(data).hexdigest() if actual_content(data) == new.content else None
