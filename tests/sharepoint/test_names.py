"""SharePoint names: per-segment encoding, NFC, refused names, the path limit, sibling names."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docautomation.sharepoint.names import (
    encode_path,
    join_path,
    name_problem,
    path_problem,
    sibling_name,
)


def test_encode_path_escapes_each_segment_as_utf8() -> None:
    """Space, #, %, en dash and å/ä/ö are percent-encoded; the separators stay."""
    assert encode_path("Dokument från docautomation/2021/Beslut #3 – 50% Åtgärd.docx") == (
        "Dokument%20fr%C3%A5n%20docautomation/2021/"
        "Beslut%20%233%20%E2%80%93%2050%25%20%C3%85tg%C3%A4rd.docx"
    )


def test_encode_path_normalises_nfd_to_nfc() -> None:
    """A macOS (NFD) Ö encodes exactly like the NFC one."""
    nfd = unicodedata.normalize("NFD", "Östra möten.docx")
    assert encode_path(nfd) == "%C3%96stra%20m%C3%B6ten.docx"


_SEGMENT = st.text(st.characters(exclude_characters="/\\", exclude_categories=["Cs"]), min_size=1)


@given(st.lists(_SEGMENT, min_size=1, max_size=4))
def test_encoded_segments_decode_back_to_the_nfc_names(segments: list[str]) -> None:
    """Decoding each encoded segment gives back the NFC name, and no raw separators leak in."""
    path = "/".join(segments)
    encoded = encode_path(path)
    assert [unquote(s) for s in encoded.split("/") if s] == [
        unicodedata.normalize("NFC", s) for s in segments
    ]
    assert " " not in encoded and "#" not in encoded and "?" not in encoded


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("a:b.docx", "tecken som SharePoint inte tillåter: :"),
        ('Svar "ja".docx', 'tillåter: "'),
        (" Kallelse.docx", "mellanslag"),
        ("Kallelse.docx ", "mellanslag"),
        ("CON.docx", "reserverat"),
        ("lpt1", "reserverat"),
        ("desktop.ini", "reserverat"),
        ("~$Kallelse.docx", "~$"),
        ("x_vti_y.docx", "_vti_"),
    ],
)
def test_names_sharepoint_refuses_are_explained(name: str, fragment: str) -> None:
    """Each refused name gets a Swedish reason naming what is wrong."""
    problem = name_problem(name)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize("name", ["Beslut #3 – 50% Åtgärd.docx", "CONTROL.docx", "Möte 1.ics"])
def test_allowed_names_pass(name: str) -> None:
    """# and % are allowed in SharePoint Online; CON only as a whole stem is reserved."""
    assert name_problem(name) is None


def test_path_of_400_characters_is_refused_with_the_library_counted() -> None:
    """The decoded path including the library name must stay under 400 characters."""
    folder = "a" * 380
    assert path_problem(f"{folder}/b.docx", library="Dokument") is None
    problem = path_problem(f"{folder}/{'b' * 10}.docx", library="Dokument")
    assert problem is not None and "högst 399 tecken" in problem


def test_sibling_names_keep_the_folder_and_suffix() -> None:
    """The new version goes beside the edited one: "(ny version)", then "(ny version 2)"."""
    assert (
        sibling_name("2021/Verksamhetsplan 2021.docx", 1)
        == "2021/Verksamhetsplan 2021 (ny version).docx"
    )
    assert sibling_name("Plan.docx", 2) == "Plan (ny version 2).docx"


def test_join_path_drops_empty_segments() -> None:
    """Leading, trailing and doubled slashes (and backslashes) never produce empty segments."""
    assert join_path("/Dokument från docautomation/", "2021\\a.docx") == (
        "Dokument från docautomation/2021/a.docx"
    )
