"""The variables each template can use, in Swedish with an example each (`templates fields`).

The names and the examples are read from the contexts themselves, built by contexts.py from
the shipped example, so the list cannot drift from what the templates get; only the Swedish
descriptions live here, and the tests require one for every variable and none besides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

DESCRIPTIONS: dict[str, str] = {
    "year": "verksamhetsåret",
    "association.name": "föreningens namn (får stå i varje malls sidhuvud)",
    "association.vision": "föreningens vision",
    "association.purpose": "föreningens syfte",
    "association.tasks": "föreningens uppgifter, en text per uppgift",
    "categories": "prioriteringskategorierna i ordning",
    "categories.number": "kategorins nummer",
    "categories.name": "kategorins namn",
    "categories.description": "kategorins beskrivning",
    "categories.label": "namn och beskrivning ihop",
    "groups": "verksamhetsområdena med sina aktiviteter, i registrets ordning",
    "groups.area": "verksamhetsområdets namn",
    "groups.activities": "områdets aktiviteter",
    "groups.activities.action": "aktiviteten eller åtgärden",
    "groups.activities.responsible": "vem som ansvarar",
    "groups.activities.klart": "när den ska vara klar, med styrelsens egna ord",
    "groups.activities.status": "aktivitetens status (tom om den saknas)",
    "groups.activities.comment": "kommentaren, ett stycke eller en punkt per rad",
    "groups.activities.comment.text": "radens text",
    "groups.activities.comment.item": "sant när raden är en punkt i en lista",
    "meeting.type": "mötestypen",
    "meeting.title": "kallelsens rubrik",
    "meeting.date": "mötets datum med veckodag",
    "meeting.date_iso": "mötets datum som ÅÅÅÅ-MM-DD",
    "meeting.time": "mötets tid",
    "meeting.place": "mötesplatsen",
    "meeting.link": "länk till ett distansmöte (tom om den saknas)",
    "meeting.recipients": "vilka som kallas",
    "meeting.notice_date": "dagen kallelsen skickas, med veckodag",
    "meeting.agenda": "dagordningens eller programmets punkter",
    "meeting.agenda_heading": "Dagordning eller Program, efter mötestyp",
    "meeting.no_agenda": "texten när programmet inte är klart",
    "meeting.id": "mötets ID i registret",
    "caller.name": "vem som kallar (ordföranden, annars styrelsen)",
    "caller.title": "den som kallar: titel och förening",
    "supplier": "leverantörens namn",
    "report.date": "rapportens datum",
    "report.date_iso": "rapportens datum som ÅÅÅÅ-MM-DD",
    "report.pilot": "önskemålen som är pilot, med ID och rubrik",
    "report.ranked_count": "antal prioriterade önskemål",
    "report.delivered_count": "antal levererade önskemål",
    "report.rejected_count": "antal avvisade önskemål",
    "summary": "antal prioriterade önskemål per kategori",
    "summary.category": "kategorin",
    "summary.count": "antalet",
    "changes.previous": "sant när det finns en tidigare rapport att jämföra med",
    "changes.intro": "inledning till ändringarna",
    "changes.new": "nya önskemål sedan förra rapporten",
    "changes.status": "önskemål med ändrad status",
    "changes.category": "önskemål med ändrad kategori",
    "changes.removed": "önskemål som inte längre finns i registret",
    "ranked": "de prioriterade önskemålen i prioritetsordning",
    "ranked.rank": "platsen i prioriteringen",
    "ranked.id": "önskemålets ID",
    "ranked.title": "önskemålets rubrik",
    "ranked.category": "kategorins nummer och namn",
    "ranked.municipalities": "antal kommuner som vill ha det",
    "ranked.effort": "insats",
    "ranked.effect": "effekt",
    "ranked.status": "status",
    "ranked.supplier_ref": "leverantörens referens",
    "ranked.pilot": "sant när önskemålet är pilot (raden kan färgas)",
    "ranked.description": "beskrivningen",
    "ranked.submitted": "vem som lämnade in det och när",
    "ranked.reason": "varför det hamnade på sin plats",
    "ranked.feedback": "leverantörens återkoppling",
    "delivered": "de levererade önskemålen",
    "delivered.id": "önskemålets ID",
    "delivered.title": "önskemålets rubrik",
    "delivered.status": "status",
    "delivered.supplier_ref": "leverantörens referens",
    "delivered.feedback": "leverantörens återkoppling",
    "rejected": "de avvisade önskemålen",
    "rejected.id": "önskemålets ID",
    "rejected.title": "önskemålets rubrik",
    "rejected.status": "status",
    "rejected.supplier_ref": "leverantörens referens",
    "rejected.feedback": "leverantörens återkoppling",
}
_USAGE = (
    "Skriv {{ namn }} i mallen där värdet ska stå. En lista går du igenom med "
    "{%p for x in lista %} … {{ x.fält }} … {%p endfor %} (i en tabell {%tr for … %} på en egen "
    "rad); {% if namn %} … {% endif %} tar med text bara när värdet inte är tomt."
)
_WIDTH = 46  # characters of an example shown


def paths(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted name, value) for every variable in `value`, a list's items under the list's name."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from paths(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        yield prefix, value
        for item in value:
            if isinstance(item, Mapping | list):
                yield from paths(item, prefix)
    else:
        yield prefix, value


def field_lines(contexts: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[str]:
    """The listing: per template, each variable with its description and an example value.

    Args:
        contexts: per template file name, the contexts its documents get from the example.
    """
    lines = [_USAGE]
    for template, samples in contexts.items():
        found: dict[str, list[Any]] = {}
        for sample in samples:
            for name, value in paths(sample):
                found.setdefault(name, []).append(value)
        lists = {n for n, values in found.items() if any(isinstance(v, list) for v in values)}
        lines += ["", template]
        lines += [_line(name, values, lists) for name, values in found.items()]
    return lines


def _line(name: str, values: list[Any], lists: set[str]) -> str:
    """One variable: shown under the list it belongs to (".area" under "groups")."""
    parts = name.split(".")
    within = next((".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)
                   if ".".join(parts[:n]) in lists), "")  # fmt: skip
    depth = sum(1 for n in range(1, len(parts)) if ".".join(parts[:n]) in lists)
    shown = "  " * (depth + 1) + (name.removeprefix(within) if within else name)
    description = DESCRIPTIONS.get(name, "")
    description = description[:1].upper() + description[1:]
    if name in lists:
        items = [x for v in values if isinstance(v, list) for x in v]
        if items and all(isinstance(x, Mapping) for x in items):
            return f"{shown:<38} lista: {description}; varje post har fälten nedan"
        return f"{shown:<38} lista: {description}. Exempel: {_example(items)}"
    return f"{shown:<38} {description}. Exempel: {_example(values)}"


def _example(values: Sequence[Any]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return " eller ".join(["sant"] * any(values) + ["falskt"] * (not all(values)))
    value = next((v for v in values if v not in ("", None)), values[0] if values else "")
    if value == "" or value is None:
        return "(tomt i exemplet)"
    text = " ".join(str(value).split())
    return f'"{text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"}"'
