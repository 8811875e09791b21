"""The one rule for text every output holds: no control characters, line breaks as "\\n"."""

from __future__ import annotations

import re

# Every way a cell can break a line (Windows' CR LF, old Mac CR, Excel's vertical tab from
# Alt+Enter in some exports, form feed, NEL and the Unicode separators) becomes one "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# What a .docx or .xlsx (XML 1.0) or an .ics (RFC 5545 text) cannot hold, or a terminal would
# act on instead of showing: the C0 controls but tab and line feed, DEL, the C1 controls,
# lone surrogate halves and the non-characters U+FFFE and U+FFFF. A cell gets them from
# Excel's escapes (_x0001_) or from text pasted out of other programs.
_UNWRITABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """`text` as every output format can hold it: control characters removed, breaks as "\\n"."""
    if text.isprintable():  # no control, separator or surrogate character: the common case
        return text
    return _UNWRITABLE.sub("", _LINE_BREAKS.sub("\n", text))
