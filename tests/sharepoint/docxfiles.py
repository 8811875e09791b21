"""Real .docx bytes for the SharePoint tests (python-docx), optionally padded past 4 MiB."""

from __future__ import annotations

import io
import os
import zipfile

from docx import Document


def make_docx(text: str, *, padding: int = 0) -> bytes:
    """A Word document holding `text`; `padding` random bytes go in an uncompressed media part
    (so the package is larger than `padding` and needs an upload session above 4 MiB)."""
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    if not padding:
        return buffer.getvalue()
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as package:
        package.writestr("word/media/padding.bin", os.urandom(padding))
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """The paragraphs of a .docx read back with python-docx."""
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
