"""Tests for documents.wordxml: pictures renumbered on the text as on the tree."""

from __future__ import annotations

from lxml import etree

from docautomation.documents.wordxml import renumber_drawings, renumbered_drawings

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _document(prefix: str = "wp", pictures: int = 3) -> bytes:
    drawings = "".join(
        f'<w:p><{prefix}:docPr id="7" name="Bild {n}" descr="diagram"/></w:p>'
        for n in range(pictures)
    )
    return f'<w:document xmlns:w="{W}" xmlns:{prefix}="{WP}"><w:body>{drawings}</w:body></w:document>'.encode()


def _ids(data: bytes) -> list[str]:
    return [e.get("id") for e in etree.fromstring(data).iter(f"{{{WP}}}docPr")]


def test_every_picture_gets_its_own_id_from_1001_as_on_the_tree() -> None:
    """Copies of one picture in a loop share an id; each gets the next from 1001 on."""
    data = _document()
    root = etree.fromstring(data)
    renumber_drawings(root)
    renumbered = renumbered_drawings(data)
    assert renumbered is not None
    assert (
        _ids(renumbered)
        == [e.get("id") for e in root.iter(f"{{{WP}}}docPr")]
        == [
            "1001",
            "1002",
            "1003",
        ]
    )
    assert renumbered.replace(b"1001", b"7").replace(b"1002", b"7").replace(b"1003", b"7") == data


def test_an_unusual_spelling_is_left_to_the_tree() -> None:
    """Another prefix for the drawing namespace: None, so the caller parses the document."""
    assert renumbered_drawings(_document(prefix="d")) is None
    assert renumbered_drawings(_document(pictures=0)) == _document(pictures=0)
