"""A register's fingerprint: a hash of its cell data, blind to how Excel zipped or dated it."""

from __future__ import annotations

import hashlib
import json

from ..config import Limits
from .workbook import read_register


def register_fingerprint(data: bytes, limits: Limits) -> str:
    """A hash of the register's cell data; equal for a re-save that changed no cell.

    The watcher uses it to tell a save that changed nothing (Excel rewrites the whole file, with
    new timestamps in its zip, on every Ctrl+S) from one that needs a build.
    """
    raw = read_register(data, "", limits=limits)
    rows = {
        name: [
            sorted((col, repr(cell.value)) for col, cell in row.cells.items()) for row in sheet.rows
        ]
        for name, sheet in sorted(raw.sheets.items())
    }
    blob = json.dumps(rows, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()
