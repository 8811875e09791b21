"""Rendering test data (a register mirroring the 2021 plan) and helpers to read documents back."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import docx
from lxml import etree

from docautomation.models import (
    DEFAULT_CATEGORIES,
    Activity,
    ActivityGroup,
    Association,
    CategorySource,
    CommentBlock,
    Contact,
    Deadline,
    DeadlineKind,
    Level,
    Meeting,
    MeetingType,
    RankedWish,
    Ranking,
    Register,
    Role,
    Wish,
    WishStatus,
)
from docautomation.register.scaffold import example_content

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}

CATEGORIES = DEFAULT_CATEGORIES

TASKS = (
    "Samla och prioritera medlemmarnas idéer och önskemål om förbättringar av Castor",
    "Förvalta föreningens tillgångar",
    "Övervaka att medlemmarnas intressen tas tillvara på bästa sätt",
)


def _plan_activities() -> tuple[tuple[str, str, str, str, str], ...]:
    """(area, action, responsible, klart, comment) of the 2021 plan, from the shipped example."""
    rows, area = [], ""
    for row in example_content()["Aktiviteter"]:
        area = row["Verksamhetsområde"] or area  # a row with only the area starts a group
        if row["Aktivitet/åtgärd"]:
            rows.append(
                (area, *(row[k] for k in ("Aktivitet/åtgärd", "Ansvarig", "Klart", "Kommentar")))
            )
    return tuple(rows)


ACTIVITIES = _plan_activities()

CONTACTS = (
    ("Maria Holmgren", Role.ORDFORANDE),
    ("Jonas Ekvall", Role.VICE_ORDFORANDE),
    ("Lena Brandt", Role.KASSOR),
    ("Oskar Lindfors", Role.SEKRETERARE),
    ("Sara Nyqvist", Role.LEDAMOT),
    ("Ahmed Karimi", Role.LEDAMOT),
    ("Eva Sandström", Role.LEDAMOT),
    ("Henrik Åberg", Role.SUPPLEANT),
    ("Per-Olof Gren", Role.REVISOR),
    ("Mikael Dahl", Role.VALBEREDNING),
)

USER_DAY = (
    "09.30 Registrering och kaffe",
    "10.00 Välkommen – föreningens ordförande inleder",
    "10.15 Prosona informerar om releaseplan och nyheter i Castor",
    "12.00 Lunch",
    "13.00 Workshop: medlemmarnas önskemål enligt prioriteringsordningen 1–8",
    "15.45 Sammanfattning och avslutning",
)
TEAMS = "https://teams.microsoft.com/l/meetup-join/castor-2021"

MEETINGS = (
    Meeting(
        date(2021, 2, 9),
        time(13),
        MeetingType.STYRELSEMOTE,
        end=time(15),
        link=TEAMS,
        agenda=(
            "Mötets öppnande",
            "Val av justerare",
            "Verksamhetsplan 2021",
            "Övriga frågor",
            "Mötets avslutande",
        ),
        id="S1",
    ),
    Meeting(date(2021, 3, 9), time(9, 30), MeetingType.STYRELSEMOTE, end=time(11), link=TEAMS),
    Meeting(
        date(2021, 3, 25),
        time(10),
        MeetingType.ARSMOTE,
        end=time(12),
        link=TEAMS,
        notice_date=date(2021, 3, 1),
    ),
    Meeting(date(2021, 3, 25), time(12, 30), MeetingType.KONSTITUERANDE, end=time(13), link=TEAMS),
    Meeting(
        date(2021, 5, 18),
        time(10),
        MeetingType.STYRELSEMOTE,
        end=time(15),
        place="Huddinge kommunhus",
        link=TEAMS,
    ),
    Meeting(
        date(2021, 8, 31),
        time(13),
        MeetingType.STYRELSEMOTE,
        end=time(15, 30),
        place="Kommunhuset i Kungsängen",
    ),
    Meeting(
        date(2021, 10, 13),
        time(9, 30),
        MeetingType.ANVANDARTRAFF,
        end=time(16),
        place="Mölndals stadshus",
        agenda=USER_DAY,
    ),
    Meeting(
        date(2021, 11, 16),
        time(13),
        MeetingType.WORKSHOP,
        place="Sollentuna kommunhus",
        recipients="Medlemmarnas systemförvaltare",
    ),
)

# (id, title), (submitted by, submitted, Lagkrav, Myndighetsrapportering, Antal kommuner),
# (Insats, Effekt, status, supplier ref, board category), description, feedback
_WISHES = (
    (
        ("ONS-001", "Ny riskklassningsmodell för livsmedelsverksamheter"),
        ("Huddinge kommun", "2021-03-02", True, True, 26),
        ("Hög", "Hög", "LEVERERAD", "PRS-2021-0107", 1),
        "Castor behöver stödja Livsmedelsverkets nya modell där kontrollfrekvens.",
        "Levererad inför övergångsåret.",
    ),
    (
        ("ONS-002", "XML-export till myndighetsrapporteringen enligt nytt kodverk"),
        ("Sollentuna kommun", "2021-05-18", False, True, 23),
        ("Medel", "Hög", "PAGAR", "PRS-2021-0142", 2),
        "Exportfilen till Livsmedelsverkets rapporteringstjänst ska följa det.",
        "Utveckling pågår.",
    ),
    (
        ("ONS-003", "Efterhandsdebitering av offentlig livsmedelskontroll"),
        ("Mölndals stad", "2021-04-20", True, False, 21),
        ("Hög", "Hög", "LEVERERAD", "PRS-2021-0131", 1),
        "Möjlighet att fakturera livsmedelskontroll i efterhand per utförd kontroll i.",
        "Levererat.",
    ),
    (
        ("ONS-004", "Avgiftsreduktion när tidsfristen i lovärenden överskrids"),
        ("Upplands-Bro kommun", "2021-06-09", True, False, 9),
        ("Medel", "Hög", "ACCEPTERAD", "PRS-2021-0158", 1),
        "Castor ska räkna tidsfristen från inkommen ansökan (tio veckor, eller fyra för.",
        "Accepterad.",
    ),
    (
        ("ONS-005", "Anmälan om försäljning av tobaksfria nikotinprodukter"),
        ("Värmdö kommun", "2022-06-27", True, False, 12),
        ("Låg", "Medel", "LEVERERAD", "PRS-2022-0219", 1),
        "Ny ärendetyp och objektstyp för anmälan om försäljning av tobaksfria.",
        "Ärendetyp och mallar levererade.",
    ),
    (
        ("ONS-006", "Import av restaurangrapporter som underlag för tillsynsavgift"),
        ("Sigtuna kommun", "2021-09-14", False, True, 7),
        ("Medel", "Medel", "SKICKAD", "PRS-2022-0188", 2),
        "Omsättningsuppgifter från restaurangrapporterna (inlämnas senast 1 mars) ska.",
        "Mottaget.",
    ),
    (
        ("ONS-007", "Månatlig uppgiftslämning om beviljade bygglov till SCB"),
        ("Södertälje kommun", "2021-10-05", False, True, 8),
        ("Medel", "Medel", "ACCEPTERAD", "PRS-2021-0203", 2),
        "Rapport som listar beviljade bygglov för nybyggnad, vissa ombyggnader och.",
        "Accepterad.",
    ),
    (
        ("ONS-008", "Underlag till Boverkets plan- och byggenkät"),
        ("Sundbybergs stad", "2022-08-22", False, True, 6),
        ("Låg", "Medel", "NY", "", 2),
        "Färdig statistikrapport med antal inkomna och beslutade lov, anmälningar,.",
        "",
    ),
    (
        ("ONS-009", "Underlag till Länsrapporten om alkohol- och tobakstillsyn"),
        ("Östersunds kommun", "2022-01-24", False, True, 5),
        ("Låg", "Medel", "SKICKAD", "PRS-2022-0189", 2),
        "Sammanställning av antal tillstånd, tillsynsbesök, kontrollköp och sanktioner.",
        "Mottaget.",
    ),
    (
        ("ONS-010", "Köldmedierapporter: påminnelse och sanktionsavgift vid utebliven årsrapport"),
        ("Alingsås kommun", "2021-04-06", True, False, 11),
        ("Medel", "Medel", "PAGAR", "PRS-2021-0125", 1),
        "Bevakning som per den 1 april listar anläggningar vars årliga köldmedierapport.",
        "Under utveckling.",
    ),
    (
        ("ONS-011", "Statistik för Naturvårdsverkets uppföljning av miljötillsynen"),
        ("Ekerö kommun", "2021-11-16", False, True, 10),
        ("Medel", "Medel", "ACCEPTERAD", "PRS-2021-0211", 2),
        "Rapport över tillsynsobjekt per verksamhetskod, antal ärenden, tillsynsbesök,.",
        "Accepterad.",
    ),
    (
        ("ONS-012", "Beslut om strandskyddsdispens skickas automatiskt till länsstyrelsen"),
        ("Värmdö kommun", "2022-03-08", True, True, 8),
        ("Medel", "Hög", "SKICKAD", "PRS-2022-0190", 1),
        "När ett dispensbeslut expedieras ska Castor skapa ett utskick till.",
        "Mottaget.",
    ),
    (
        ("ONS-013", "Förenklad delgivning med automatiskt kontrollmeddelande"),
        ("Borås stad", "2021-08-30", False, False, 13),
        ("Medel", "Hög", "ACCEPTERAD", "PRS-2021-0176", 5),
        "Stöd för att skicka handling och därefter ett kontrollmeddelande nästa.",
        "Accepterad.",
    ),
    (
        ("ONS-014", "Massutskick av beslut via e-post med läskvitto"),
        ("Norrköpings kommun", "2022-09-12", False, False, 9),
        ("Medel", "Medel", "NY", "", 5),
        "Skicka samma typ av beslut till många mottagare på en gång, till exempel årliga.",
        "",
    ),
    (
        ("ONS-015", "Fritextsökning i inskannade handlingar"),
        ("Eskilstuna kommun", "2021-02-22", False, False, 17),
        ("Hög", "Hög", "ACCEPTERAD", "PRS-2021-0098", 3),
        "Textigenkänning av inskannade PDF-handlingar så att handläggare kan söka på.",
        "Accepterad som större utvecklingsinsats.",
    ),
    (
        ("ONS-016", "Kartvy med tillsynsobjekt och enskilda avlopp"),
        ("Hudiksvalls kommun", "2021-03-29", False, False, 15),
        ("Hög", "Hög", "PAGAR", "PRS-2021-0119", 3),
        "Visa objekt och anläggningar på karta med filtrering på riskklass, senaste.",
        "Pågår.",
    ),
    (
        ("ONS-017", "Kopiera ärende med parter och fastighet"),
        ("Skövde kommun", "2021-05-03", False, False, 8),
        ("Låg", "Medel", "LEVERERAD", "PRS-2021-0139", 4),
        "Funktion för att skapa ett nytt ärende som kopia av ett befintligt, med parter,.",
        "Levererad i decemberversionen.",
    ),
    (
        ("ONS-018", "Dricksvattenanläggningar enligt nya dricksvattenföreskrifter"),
        ("Varbergs kommun", "2022-02-14", True, True, 10),
        ("Medel", "Hög", "ACCEPTERAD", "PRS-2022-0167", 1),
        "Anpassning av objektstyp och kontrollmallar för dricksvattenanläggningar till.",
        "Accepterad.",
    ),
    (
        ("ONS-019", "Fler fält och sortering i dokumentmallar"),
        ("Sollentuna kommun", "2021-10-25", False, False, 10),
        ("Låg", "Medel", "ACCEPTERAD", "PRS-2021-0205", 4),
        "Möjlighet att i mallverktyget infoga tabeller med upprepade rader, till exempel.",
        "Accepterad.",
    ),
    (
        ("ONS-020", "E-postpåminnelse före förfallodatum på bevakningar"),
        ("Mölndals stad", "2022-04-11", False, False, 14),
        ("Låg", "Hög", "SKICKAD", "PRS-2022-0191", 4),
        "Handläggare ska kunna välja att få påminnelse via e-post ett valfritt antal.",
        "Mottaget.",
    ),
    (
        ("ONS-021", "Stöd för gallring enligt dokumenthanteringsplan"),
        ("Huddinge kommun", "2021-06-21", True, False, 18),
        ("Hög", "Hög", "PAGAR", "PRS-2021-0161", 1),
        "Lista ärenden och handlingar som enligt kommunens gallringsbeslut ska gallras,.",
        "Pågår.",
    ),
    (
        ("ONS-022", "Logg över läsning av sekretessmarkerade handlingar"),
        ("Sundbybergs stad", "2022-02-28", True, False, 4),
        ("Medel", "Medel", "SKICKAD", "PRS-2022-0192", 1),
        "Spårbarhet för vem som öppnat sekretessmarkerade handlingar, som stöd för.",
        "Mottaget.",
    ),
    (
        ("ONS-023", "Tillgänglighetsanpassning av e-tjänstformulär"),
        ("Upplands-Bro kommun", "2021-09-20", True, False, 7),
        ("Medel", "Medel", "ACCEPTERAD", "PRS-2021-0195", 1),
        "E-tjänstformulär som skapar ärenden i Castor ska uppfylla kraven på.",
        "Accepterad.",
    ),
    (
        (
            "ONS-024",
            "Integration med e-tjänst för registrering och omklassning av livsmedelsföretag",
        ),
        ("Skövde kommun", "2022-01-17", False, False, 20),
        ("Hög", "Hög", "PAGAR", "PRS-2022-0151", 3),
        "Ansökningar från den nationella e-tjänsten för registrering och omklassning ska.",
        "Pågår.",
    ),
    (
        ("ONS-025", "Mörkt tema i gränssnittet"),
        ("Ekerö kommun", "2021-11-29", False, False, 2),
        ("Medel", "Låg", "AVVISAD", "PRS-2021-0214", 7),
        "Valbart mörkt färgtema för handläggare som arbetar långa pass vid skärm.",
        "Avvisas i nuläget.",
    ),
    (
        ("ONS-026", "Mobil inspektion utan uppkoppling"),
        ("Hudiksvalls kommun", "2021-02-15", False, False, 16),
        ("Hög", "Hög", "SKICKAD", "PRS-2021-0091", 6),
        "App eller webbläge för att dokumentera inspektioner i fält utan nätverk och.",
        "Avvaktar.",
    ),
    (
        ("ONS-027", "Export av tidrapporter till kommunens lönesystem"),
        ("Alingsås kommun", "2021-12-13", False, False, 3),
        ("Hög", "Låg", "AVVISAD", "PRS-2021-0219", 7),
        "Handläggarnas tidrapportering i ärenden ska kunna exporteras till lönesystemet.",
        "Avvisas.",
    ),
    (
        ("ONS-028", "Fakturering i utländsk valuta"),
        ("Varbergs kommun", "2022-04-25", False, False, 1),
        ("Medel", "Låg", "AVVISAD", "PRS-2022-0193", 8),
        "Möjlighet att ange annan valuta än SEK på fakturaunderlag.",
        "Avvisas.",
    ),
    (
        ("ONS-029", "Statistik över handläggningstider per ärendetyp"),
        ("Östersunds kommun", "2022-08-29", False, False, 12),
        ("Medel", "Medel", "NY", "", 5),
        "Rapport som visar median och spridning för handläggningstid från inkommen.",
        "",
    ),
    (
        ("ONS-030", "Automatisk uppräkning av timavgift vid ny taxa"),
        ("Norrköpings kommun", "2022-09-19", False, False, 11),
        ("Låg", "Hög", "NY", "", 4),
        "När fullmäktige beslutat ny timavgift ska den kunna läggas in med.",
        "",
    ),
)

_STATUS = {s.name: s for s in WishStatus}
_LEVEL = {"Låg": Level.LAG, "Medel": Level.MEDEL, "Hög": Level.HOG}
PILOT_ID = "ONS-016"


def _deadline(text: str) -> Deadline:
    return Deadline(DeadlineKind.UNKNOWN, text, text)


def _comment_blocks(comment: str) -> tuple[CommentBlock, ...]:
    return tuple(
        CommentBlock(line.lstrip("- "), line.startswith("- "))
        for line in comment.splitlines()
        if line.strip()
    )


def make_activities() -> tuple[ActivityGroup, ...]:
    """The 17 activities of the 2021 plan in their nine areas, in plan order."""
    groups: list[ActivityGroup] = []
    for area, action, responsible, klart, comment in ACTIVITIES:
        area = area or groups[-1].area
        activity = Activity(
            area, action, responsible, _deadline(klart), comment, _comment_blocks(comment)
        )
        if groups and groups[-1].area == area:
            groups[-1] = ActivityGroup(area, (*groups[-1].activities, activity))
        else:
            groups.append(ActivityGroup(area, (activity,)))
    return tuple(groups)


def make_wishes() -> tuple[Wish, ...]:
    """The ~30 önskemål of the sample data, ONS-016 being the pilot."""
    wishes = []
    for (wid, title), (by, day, legal, auth, count), (
        effort,
        effect,
        status,
        ref,
        category,
    ), description, feedback in _WISHES:
        wishes.append(
            Wish(
                wid,
                title,
                description,
                by,
                date.fromisoformat(day),
                category,
                legal,
                auth,
                count,
                _LEVEL[effort],
                _LEVEL[effect],
                _STATUS[status],
                "",
                ref,
                feedback,
                pilot=wid == PILOT_ID,
            )
        )
    return tuple(wishes)


def make_register(**association: object) -> Register:
    """The 2021 plan as a register: Förening, 10 contacts, 17 activities, 8 meetings, 30 wishes."""
    groups = make_activities()
    assoc = Association(
        "Användarföreningen Castor",
        2021,
        vision="En förening som tillsammans utvecklar Castor för framtidens digitala samhälle.",
        purpose="Föreningens syfte är att bevaka medlemmarnas intresse och gemensamt utveckla "
        "Castor i samarbete med leverantören.",
        tasks=TASKS,
    )
    return Register(
        source_name="Register 2021.xlsx",
        association=replace(assoc, **association),  # type: ignore[arg-type]
        categories=CATEGORIES,
        contacts=tuple(Contact(name, role, role.value) for name, role in CONTACTS),
        activities=tuple(a for g in groups for a in g.activities),
        groups=groups,
        wishes=make_wishes(),
        meetings=MEETINGS,
    )


def make_ranking(register: Register) -> Ranking:
    """A simple ranking of the open wishes: board category, then more municipalities, then ID."""
    names = {c.number: c.name for c in register.categories}
    open_ = [w for w in register.wishes if not w.status.is_closed]
    open_.sort(key=lambda w: (w.category or 99, -(w.municipalities or 0), w.id))
    ranked = tuple(
        RankedWish(
            i,
            w,
            w.category,
            names.get(w.category or 0),
            CategorySource.BOARD,
            f"Kategori {w.category} enligt styrelsen; {w.municipalities} kommuner stödjer.",
        )
        for i, w in enumerate(open_, start=1)
    )
    return Ranking(
        ranked,
        delivered=tuple(w for w in register.wishes if w.status is WishStatus.LEVERERAD),
        rejected=tuple(w for w in register.wishes if w.status is WishStatus.AVVISAD),
    )


# ---------------------------------------------------------------------------------------------
# Reading documents back
# ---------------------------------------------------------------------------------------------


def parts(data: bytes) -> dict[str, bytes]:
    """Every zip entry of a .docx, by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def strict_parse_all(data: bytes) -> int:
    """Parse every XML part strictly (no recovery); returns how many were parsed."""
    count = 0
    for name, blob in parts(data).items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(blob, etree.XMLParser(recover=False, huge_tree=True))
            count += 1
    return count


def root(data: bytes, part: str = "word/document.xml") -> etree._Element:
    """A part's XML root."""
    return etree.fromstring(parts(data)[part], etree.XMLParser(huge_tree=True))


def text_of(element: etree._Element) -> str:
    """Visible text of an element: w:t joined, w:br as a newline, w:tab as a tab."""
    out = []
    for node in element.iter(f"{W}t", f"{W}br", f"{W}tab"):
        out.append(
            node.text or "" if node.tag == f"{W}t" else "\n" if node.tag == f"{W}br" else "\t"
        )
    return "".join(out)


def body_paragraphs(data: bytes) -> list[tuple[str, str]]:
    """(style id, text) of each top-level body paragraph, in order."""
    body = root(data).find(f"{W}body")
    result = []
    for p in body.findall(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        result.append((style.get(f"{W}val") if style is not None else "", text_of(p)))
    return result


def tables(data: bytes) -> list[etree._Element]:
    """The body's top-level tables."""
    return root(data).find(f"{W}body").findall(f"{W}tbl")


def rows(table: etree._Element) -> list[list[str]]:
    """Cell texts per row (one entry per w:tc; merged continuation cells give "")."""
    return [[text_of(tc) for tc in tr.findall(f"{W}tc")] for tr in table.findall(f"{W}tr")]


def open_docx(data: bytes) -> docx.document.Document:
    """The document opened by python-docx (proves Word-level validity of the package)."""
    return docx.Document(io.BytesIO(data))


# ---------------------------------------------------------------------------------------------
# Hostile text and broken templates
# ---------------------------------------------------------------------------------------------

LONG = ("Lång text med å, ä, ö & <tecken> " * 400)[:10_000]
HOSTILE = (
    "Tom & Jerry",
    "1 < 2 > 0",
    "\"dubbla\" och 'enkla' citattecken",
    "emoji 🎉👍🏽 och 𝄞",
    "{{ x }}",
    "{% if %}",
    "{_{ y }_} och {_% z %_}",
    "{%p if true %}",
    "]]> <![CDATA[ x ]]>",
)


def hostile_register() -> Register:
    """The representative register with hostile text in every field a document shows."""
    base = make_register()
    text = " · ".join(HOSTILE)
    crlf = "rad ett\r\nrad två\x01\x0bslut"
    assoc = replace(
        base.association,
        name=f"Förening {text}",
        vision=LONG,
        purpose=crlf,
        tasks=HOSTILE,
        supplier='Pro/so:na* "AB" <x>|#%.',
    )
    activities = tuple(
        replace(
            a,
            area=HOSTILE[i % len(HOSTILE)],
            action=text,
            responsible=HOSTILE[0],
            deadline=_deadline(HOSTILE[4]),
            comment=text,
            comment_blocks=tuple(CommentBlock(h, i % 2 == 0) for h in HOSTILE),
        )
        for i, a in enumerate(base.activities)
    )
    groups = (ActivityGroup(HOSTILE[0], activities[:5]), ActivityGroup(LONG, activities[5:]))
    meetings = tuple(
        replace(m, place=text, recipients=HOSTILE[5], agenda=(*HOSTILE, LONG))
        for m in base.meetings
    )
    wishes = tuple(
        replace(
            w,
            title=f"{w.id} {text}",
            description=LONG,
            feedback=crlf,
            supplier_ref=HOSTILE[3],
            submitted_by=HOSTILE[2],
        )
        for w in base.wishes
    )
    contacts = (Contact(HOSTILE[6], Role.ORDFORANDE, "Ordförande"),)
    return replace(
        base,
        association=assoc,
        activities=activities,
        groups=groups,
        meetings=meetings,
        wishes=wishes,
        contacts=contacts,
    )


def patch_template(
    source: Path, target: Path, old: str, new: str, part: str = "word/document.xml"
) -> Path:
    """Copy a template, replacing `old` by `new` in one part's XML (which must contain it)."""
    entries = parts(source.read_bytes())
    xml = entries[part].decode("utf-8")
    assert old in xml, f"{old!r} not in {part}"
    entries[part] = xml.replace(old, new).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in entries.items():
            zf.writestr(name, blob)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return target
