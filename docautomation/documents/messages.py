"""Jinja's English errors, said in Swedish with the template, the tag and where it stands.

The secretary sees the tag as she typed it (its paragraph is one line of the compiled source),
and the part of the document it is in: brödtexten, sidhuvudet, sidfoten, fotnoterna.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

import jinja2

from ..errors import TemplateError, UnknownVariableError
from .sandbox import LimitExceeded

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_PARTS = (
    ("word/document.xml", "brödtexten"),
    ("word/header", "sidhuvudet"),
    ("word/footer", "sidfoten"),
    ("word/footnotes", "fotnoterna"),
    ("word/endnotes", "slutnoterna"),
    ("docProps/core.xml", "dokumentegenskaperna"),
)
_TYPES = {
    "str": "text", "Markup": "text", "int": "ett heltal", "float": "ett decimaltal",
    "bool": "sant/falskt", "list": "en lista", "tuple": "en lista", "dict": "en post",
    "NoneType": "inget värde", "Undefined": "inget värde",
}  # fmt: skip
_TOKENS = {
    "end of print statement": '"}}"', "end of statement block": '"%}"', "end of template":
    "mallens slut", "name": "ett namn", "begin of print statement": '"{{"',
    "begin of statement block": '"{%"',
}  # fmt: skip
_BLOCKS = frozenset({"for", "if", "macro", "call", "filter", "with", "autoescape", "block"})
_DOCXTPL_PREFIXES = frozenset({"tr", "tc", "p", "r"})
_PLAIN_TAG = re.compile(
    r"\{%-?\s*(?:(?:if|elif|for \w+(?:\s*,\s*\w+)* in)\s+[\w.]+|else|end\w+)\s*-?%\}$"
)


def part_label(part: str) -> str:
    """The Swedish name of a package part ("word/header2.xml" → "sidhuvudet (header2.xml)")."""
    for prefix, label in _PARTS:
        if part.startswith(prefix):
            number = re.search(r"(\d+)\.xml$", part)
            return f"{label} ({part.rsplit('/', 1)[-1]})" if number else label
    return part


def unknown_variable(template: str, variable: str, where: str, part: str) -> UnknownVariableError:
    """The one message for a variable the template's documents do not have."""
    return UnknownVariableError(
        f'Mallen "{template}" använder en okänd variabel "{variable}"{where} '
        f"({part_label(part)}). Se vilka som finns med: docautomation templates fields",
        variable,
    )


def syntax_error(
    template: str,
    part: str,
    lines: Sequence[str],
    exc: jinja2.TemplateSyntaxError,
    parses: Callable[[str], str | None],
) -> TemplateError:
    """A tag Jinja cannot read; `parses(tag)` gives a lone tag's own error message (or None)."""
    message = exc.message or ""
    opened = _open_block(lines, exc.lineno)
    unclosed = re.match(r"Unexpected end of template|unexpected end of template", message)
    if unclosed and opened:
        tag, name = opened
        return TemplateError(
            f'Mallen "{template}" har taggen "{tag}" som aldrig avslutas ({part_label(part)}): '
            f"lägg till {{% end{name} %}} (i samma form, t.ex. {{%tr end{name} %}} för en rad)."
        )
    alone = {tag: parses(tag) for tag in _TAG.findall(_line_text(lines, exc.lineno))}
    same = [tag for tag, error in alone.items() if error == exc.message]
    where = tags_on_line(lines, exc.lineno, failing=lambda tag: alone.get(tag) is not None)
    if same:
        where = tags_on_line(lines, exc.lineno, failing=lambda tag: tag in same)
    stray = re.match(r"Encountered unknown tag '(\w+)'", message)
    if stray and opened and "innermost block" in message:
        tag, name = opened
        return TemplateError(
            f'Mallen "{template}" har en tagg som står fel{where} ({part_label(part)}): '
            f'först måste "{tag}" avslutas med {{% end{name} %}}.'
        )
    return TemplateError(
        f'Mallen "{template}" har ett syntaxfel{where} ({part_label(part)}): {describe(exc)}'
    )


def render_error(template: str, part: str, lines: Sequence[str], exc: Exception) -> TemplateError:
    """An error while filling in `part`, located at the tag Jinja had reached."""
    lineno = template_lineno(exc)
    if isinstance(exc, jinja2.UndefinedError):
        variable = _missing_name(exc, lines, lineno)
        if variable:
            return unknown_variable(template, variable, tags_on_line(lines, lineno, variable), part)
    where = tags_on_line(lines, lineno, failing=_can_fail)
    if isinstance(exc, LimitExceeded):
        return TemplateError(f'Mallen "{template}" stoppades{where} ({part_label(part)}): {exc}.')
    return TemplateError(
        f'Mallen "{template}" har ett fel{where} ({part_label(part)}): {describe(exc)}'
    )


def _can_fail(tag: str) -> bool:
    """False for a tag that only tests or loops over a plain name ({% if meeting.place %}):
    with every name known, it cannot be the one that failed."""
    return not _PLAIN_TAG.match(tag)


def describe(exc: BaseException) -> str:
    """A Swedish sentence for a Jinja or Python error (the English one only as a last resort)."""
    text = str(getattr(exc, "message", None) or exc).strip()
    for pattern, swedish in _SENTENCES:
        match = re.search(pattern, text)
        if match:
            return swedish(match) + "."
    if isinstance(exc, ZeroDivisionError):
        return "den delar med noll."
    if isinstance(exc, RecursionError):
        return "en makro eller slinga anropar sig själv utan slut."
    return f"ett oväntat fel ({type(exc).__name__}: {text})."


def _kind(name: str) -> str:
    name = name.removesuffix(" object")
    return _TYPES.get(name, name)


def _token(name: str) -> str:
    return _TOKENS.get(name, f'"{name}"')


_SENTENCES: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"Encountered unknown tag 'end(for|if|macro|call|filter|with|set|block)'\.$", lambda m: f"den avslutar inget öppet "
        f"{{% {m[1]} %}} (saknas det, eller är det felstavat?)"),
    (r"Encountered unknown tag '(\w+)'", lambda m: f'det finns ingen tagg "{m[1]}"' + (
        f' (docxtpls "{{%{m[1]}" skrivs utan mellanslag)' if m[1] in _DOCXTPL_PREFIXES else ""
    )),
    (r"expected token '(.+?)', got '(.+?)'", lambda m: f"här väntades {_token(m[1])} men "
        f"det står {_token(m[2])}"),
    (r"[Ee]xpected an expression, got '(.+?)'", lambda m: f"ett värde saknas före {_token(m[1])}"),
    (r"unexpected '(.+?)', expected '(.+?)'", lambda m: f"{_token(m[1])} står där "
        f"{_token(m[2])} väntades"),
    (r"unexpected '(.+?)'", lambda m: f"{_token(m[1])} hör inte hemma här"),
    (r"unexpected char '(.+?)'|unexpected char \"(.+?)\"", lambda m: f'tecknet {m[1] or m[2]} '
        "hör inte hemma i en tagg (ett citattecken som inte avslutas?)"),
    (r"Missing end of comment tag", lambda m: "en kommentar {# saknar sitt #}"),
    (r"tag name expected", lambda m: "taggen saknar namn"),
    (r"[Uu]nexpected end of template", lambda m: "mallen tar slut mitt i en tagg"),
    (r"No filter named '(.+?)'", lambda m: f'det finns inget filter "{m[1]}"'),
    (r"No test named '(.+?)'", lambda m: f'det finns inget test "{m[1]}"'),
    (r"special loop variable", lambda m: "namnet loop är upptaget och kan inte vara slingans"),
    (r"no loader for this environment", lambda m: "include, import och extends går inte i en "
        "Word-mall"),
    (r"access to attribute '(.+?)' of", lambda m: f'"{m[1]}" är spärrat av säkerhetsskäl'),
    (r"is not safely callable", lambda m: "anropet är spärrat av säkerhetsskäl"),
    (r"list object has no element (\S+)", lambda m: f"listan har ingen post {m[1]}"),
    (r"can only concatenate str", lambda m: "text och tal läggs ihop med +; sätt ihop text "
        "med ~ i stället"),
    (r"unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'", lambda m: f"{m[1]} går "
        f"inte att använda på {_kind(m[2])} och {_kind(m[3])}"),
    (r"'(.+?)' not supported between instances of '(\w+)' and '(\w+)'", lambda m: f"{_kind(m[2])}"
        f" och {_kind(m[3])} går inte att jämföra med {m[1]}"),
    (r"'(\w+)' object is not iterable", lambda m: f"{_kind(m[1])} går inte att gå igenom i en "
        "slinga"),
    (r"'(\w+)' object is not callable", lambda m: f"{_kind(m[1])} går inte att anropa"),
    (r"Range too big.*MAX_RANGE \((\d+)\)", lambda m: f"range() får ge högst {int(m[1]):,} tal"
        .replace(",", "\u00a0")),
    (r"Numerical result out of range|too large to convert", lambda m: "ett tal blir för stort"),
    (r"Exceeds the limit \((\d+) digits\)", lambda m: f"ett tal har fler än {m[1]} siffror"),
)  # fmt: skip


def template_lineno(exc: BaseException) -> int | None:
    """The template line Jinja had reached (Jinja rewrites tracebacks to carry it)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _missing_name(exc: BaseException, lines: Sequence[str], lineno: int | None) -> str | None:
    """The variable an UndefinedError is about, dotted as the tag writes it ("meeting.lnk")."""
    match = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
    if not match:
        return None
    if match[1]:
        return match[1]
    text = _line_text(lines, lineno)
    dotted = re.search(rf"\b([A-Za-z_][\w.]*\.{re.escape(match[2])})\b", text)
    return dotted[1] if dotted else match[2]


def _line_text(lines: Sequence[str], lineno: int | None) -> str:
    if not lineno or lineno > len(lines):
        return ""
    return html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1]))


def tags_on_line(
    lines: Sequence[str],
    lineno: int | None,
    name: str | None = None,
    failing: Callable[[str], bool] | None = None,
) -> str:
    """' i taggen "{{ x }}"' for the tag(s) on a source line, preferring the guilty ones.

    A source line is one Word paragraph, and {%p %} tags join the paragraph before them, so a
    line can hold several tags: keep those that mention `name`, or that fail on their own.
    """
    text = _line_text(lines, lineno)
    tags = _TAG.findall(text) or ([text.strip()] if text.strip() else [])
    if name:
        tags = [t for t in tags if re.search(rf"\b{re.escape(name)}\b", t)] or tags
    if failing and len(tags) > 1:
        tags = [t for t in tags if failing(t)] or tags
    if not tags:
        return ""
    shown = ", ".join(f'"{t[:120]}"' for t in tags[:3])
    return f" i taggen {shown}" if len(tags) == 1 else f" i taggarna {shown}"


def _open_block(lines: Sequence[str], upto: int | None) -> tuple[str, str] | None:
    """The innermost block tag still open at line `upto` (the whole source when None)."""
    stack: list[tuple[str, str]] = []
    end = len(lines) if not upto else min(upto, len(lines))
    for lineno in range(1, end + 1):
        for tag in _TAG.findall(_line_text(lines, lineno)):
            words = tag[2:-2].strip("-+ ").split()
            if not words:
                continue
            word = words[0]
            if word in _BLOCKS or (word == "set" and "=" not in tag):
                stack.append((tag, word))
            elif word.startswith("end") and stack and stack[-1][1] == word[3:]:
                stack.pop()
    return stack[-1] if stack else None
