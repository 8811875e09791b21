"""Tests for the one rule for output text: control characters out, line breaks as one "\\n"."""

from __future__ import annotations

import pytest

from docautomation.text import printable


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Prosona AB", "Prosona AB"),
        ("Pro\x01sona", "Prosona"),
        ("Pro\ufffesona\uffff", "Prosona"),
        ("\x1b[31mröd\x1b[0m", "[31mröd[0m"),
        ("halv\ud800emoji", "halvemoji"),
        ("C1\x80\x9f", "C1"),
        (
            "rad ett\r\nrad två\rrad tre\x0bfyra\x0cfem\x85sex\u2028sju",
            "rad ett\nrad två\nrad tre\nfyra\nfem\nsex\nsju",
        ),
        ("flik\tstår kvar", "flik\tstår kvar"),
    ],
)
def test_printable_keeps_what_every_format_holds(given: str, expected: str) -> None:
    """Text, tabs and line feeds stay; controls, surrogates and U+FFFE/U+FFFF go."""
    assert printable(given) == expected
