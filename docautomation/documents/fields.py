"""The variables each template can use, in Swedish with an example each (`templates fields`).

The names and the examples are read from the contexts themselves, built by contexts.py from
the shipped example, so the list cannot drift from what the templates get; only the Swedish
descriptions live here, and the tests require one for every variable and none besides.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    "summary_chart": "diagram över de aktiva önskemålen per kategori och status, i ett eget stycke",
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
    # Verksamhetsberättelse.docx
    "board": "styrelsen: ledamöter och suppleanter",
    "board.name": "namnet",
    "board.role": "rollen",
    "board.municipality": "kommunen",
    "auditors": "revisorerna",
    "auditors.name": "namnet",
    "auditors.role": "rollen",
    "auditors.municipality": "kommunen",
    "nominating": "valberedningen",
    "nominating.name": "namnet",
    "nominating.role": "rollen",
    "nominating.municipality": "kommunen",
    "meetings.summary": "en mening om årets protokollförda sammanträden",
    "meetings.counts": "antal hållna möten per mötestyp, en text per typ",
    "meetings.held": "mötena som hållits, i datumordning",
    "meetings.held.date": "mötets datum som ÅÅÅÅ-MM-DD",
    "meetings.held.type": "mötestypen",
    "meetings.held.place": "mötesplatsen",
    "activities.intro": "inledning om verksamhetsplanens aktiviteter",
    "activities.counts": "antal aktiviteter per status",
    "activities.counts.status": "statusen",
    "activities.counts.count": "antalet",
    "activities.groups": "verksamhetsområdena med sina aktiviteter",
    "activities.groups.area": "verksamhetsområdets namn",
    "activities.groups.activities": "områdets aktiviteter",
    "activities.groups.activities.action": "aktiviteten eller åtgärden",
    "activities.groups.activities.responsible": "vem som ansvarade",
    "activities.groups.activities.klart": "när den skulle vara klar",
    "activities.groups.activities.status": "hur det gick (status)",
    "activities.groups.activities.follow_up": "uppföljningen, ett stycke eller en punkt per rad",
    "activities.groups.activities.follow_up.text": "radens text",
    "activities.groups.activities.follow_up.item": "sant när raden är en punkt i en lista",
    "wishes.figures": "årets siffror för önskemålen",
    "wishes.figures.label": "vad som räknas",
    "wishes.figures.count": "antalet",
    "wishes.delivered": "önskemålen som levererats under året",
    "wishes.delivered.id": "önskemålets ID",
    "wishes.delivered.title": "önskemålets rubrik",
    "wishes.delivered.supplier_ref": "leverantörens referens",
    "signatures.place_line": "ort och datumrad för underskrifterna",
    "signatures.rows": "underskrifterna, två per rad",
    "signatures.rows.line": "linjen att skriva under på",
    "signatures.rows.name": "namnet",
    "signatures.rows.role": "rollen",
    # Protokoll.docx
    "protocol.title": "protokollets rubrik",
    "attendance.tick": "sant när närvaron bockas av i en lista över styrelsen",
    "attendance.people": "styrelsen att bocka av",
    "attendance.people.name": "namnet",
    "attendance.people.role": "rollen",
    "attendance.text": "närvaron som text när det inte finns någon lista",
    "items": "mötets paragrafer",
    "items.number": "paragrafens nummer",
    "items.title": "paragrafens rubrik",
    "items.sentence": "förslag till beslutsmening (tom: en tom Beslut-rad)",
    "signatures.recorder": "vem som för protokollet",
    "signatures.approvers": "vilka som justerar, en text var",
}
# A variable that means something else in one template than in the others.
OVERRIDES: dict[str, dict[str, str]] = {
    "Verksamhetsberättelse.docx": {
        "report.date": "dagen den här versionen av berättelsen skrevs",
        "report.date_iso": "samma dag som ÅÅÅÅ-MM-DD",
    },
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
        described = {**DESCRIPTIONS, **OVERRIDES.get(template, {})}
        lines += [_line(n, found[n], lists, described) for n in _grouped(found)]
    return lines


def _grouped(names: Iterable[str]) -> list[str]:
    """`names` in first-seen order, each one's fields right after it (a list that is empty in
    the first sample gets its fields only from a later one)."""
    first: dict[str, int] = {}
    for number, name in enumerate(names):
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            first.setdefault(".".join(parts[:end]), number)

    def key(name: str) -> list[int]:
        parts = name.split(".")
        return [first[".".join(parts[:end])] for end in range(1, len(parts) + 1)]

    return sorted(dict.fromkeys(names), key=key)


def _line(name: str, values: list[Any], lists: set[str], described: Mapping[str, str]) -> str:
    """One variable: shown under the list it belongs to (".area" under "groups")."""
    parts = name.split(".")
    within = next((".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)
                   if ".".join(parts[:n]) in lists), "")  # fmt: skip
    depth = sum(1 for n in range(1, len(parts)) if ".".join(parts[:n]) in lists)
    shown = "  " * (depth + 1) + (name.removeprefix(within) if within else name)
    description = described.get(name, "")
    description = description[:1].upper() + description[1:]
    if name in lists:
        items = _items(values)
        if items and all(isinstance(x, Mapping) for x in items):
            return f"{shown:<38} {description} (lista; varje post har fälten nedan)"
        return f"{shown:<38} {description} (lista). Exempel: {_example(items)}"
    return f"{shown:<38} {description}. Exempel: {_example(values)}"


def _items(values: Iterable[Any]) -> list[Any]:
    """The items of the lists among `values`; a list of lists (signatures in pairs) flattened."""
    items: list[Any] = []
    for value in values:
        if isinstance(value, list):
            items += _items(value) if any(isinstance(x, list) for x in value) else value
    return items


def _example(values: Sequence[Any]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return " eller ".join(["sant"] * any(values) + ["falskt"] * (not all(values)))
    value = next((v for v in values if v not in ("", None)), values[0] if values else "")
    if hasattr(value, "__html__"):
        return "(färdigt Word-innehåll)"
    if value == "" or value is None:
        return "(tomt i exemplet)"
    text = " ".join(str(value).split())
    return f'"{text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"}"'
