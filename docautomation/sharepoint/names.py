"""SharePoint names: NFC normalisation, per-segment percent-encoding and the names SharePoint refuses."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from ..fileio import new_version_name

_FORBIDDEN = '"*:<>?/\\|'
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_RESERVED_EXACT = {".lock", "desktop.ini"}
MAX_PATH_CHARS = 400  # SharePoint's limit on the decoded path, library name included


def nfc(text: str) -> str:
    """The NFC form of a name (macOS writes NFD; SharePoint treats both as one name)."""
    return unicodedata.normalize("NFC", text)


def name_key(path: str) -> str:
    """Comparison key for a SharePoint path: NFC and case-folded (SharePoint ignores case)."""
    return nfc(path).casefold()


def split_path(path: str) -> list[str]:
    """The non-empty segments of a "/"-separated path, each in NFC."""
    return [nfc(part) for part in path.replace("\\", "/").split("/") if part]


def join_path(*parts: str) -> str:
    """Join path pieces with "/" and drop empty segments."""
    return "/".join(seg for part in parts for seg in split_path(part))


def encode_path(path: str) -> str:
    """Percent-encode a path for a Graph URL, one segment at a time (UTF-8; "#", "%", " " too)."""
    return "/".join(quote(segment, safe="") for segment in split_path(path))


def name_problem(name: str) -> str | None:
    """Why SharePoint would refuse this file or folder name, in Swedish; None if it is fine."""
    bad = sorted({ch for ch in name if ch in _FORBIDDEN or ord(ch) < 32})
    if bad:
        shown = " ".join(repr(ch) if ord(ch) < 32 else ch for ch in bad)
        return f'namnet "{name}" innehåller tecken som SharePoint inte tillåter: {shown}'
    if name != name.strip(" "):
        return (
            f'namnet "{name}" börjar eller slutar med mellanslag, vilket SharePoint inte tillåter'
        )
    if _RESERVED.match(name) or name.lower() in _RESERVED_EXACT:
        return f'namnet "{name}" är reserverat i SharePoint'
    if name.startswith("~$") or "_vti_" in name.lower():
        return f'namnet "{name}" är reserverat i SharePoint (börjar med ~$ eller innehåller _vti_)'
    return None


def path_problem(path: str, *, library: str = "") -> str | None:
    """Why SharePoint would refuse this path (a bad segment or over 400 characters); None if fine."""
    for segment in split_path(path):
        problem = name_problem(segment)
        if problem:
            return problem
    full = join_path(library, path)
    if len(full) >= MAX_PATH_CHARS:
        return (
            f"sökvägen är {len(full)} tecken lång; SharePoint tillåter högst "
            f"{MAX_PATH_CHARS - 1} tecken inklusive bibliotekets namn"
        )
    return None


def sibling_name(path: str, attempt: int) -> str:
    """The name a new version gets beside an edited one: "<stem> (ny version[ N])<suffix>"."""
    pure = PurePosixPath(path)
    name = new_version_name(pure.name, attempt)
    return name if str(pure.parent) == "." else f"{pure.parent}/{name}"
