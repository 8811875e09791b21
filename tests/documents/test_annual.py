"""Tests for the Verksamhetsberättelse: board, meetings held, the plan followed up, wishes, date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest

from docautomation.documents.annual import (
    annual_context,
    annual_version,
    held,
    unchanged_between,
)
from docautomation.documents.jobs import document_jobs
from docautomation.models import (
    ActivityStatus,
    Contact,
    Meeting,
    MeetingType,
    Register,
    Role,
    WishStatus,
)
from tests.support.rendering import (
    NS,
    W,
    body_paragraphs,
    make_ranking,
    make_register,
    open_docx,
    root,
    rows,
    tables,
    text_of,
)

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
DAY = date(2021, 6, 1)  # five meetings held, three to come
ANNUAL = "2021/Verksamhetsberättelse 2021.docx"
STATUSES = (
    ActivityStatus.KLAR,
    ActivityStatus.PAGAR,
    ActivityStatus.INSTALLD,
    ActivityStatus.PLANERAD,
    None,
)


def full_register(**association: object) -> Register:
    """The 2021 register with a full board, auditors, a contact person, every activity status
    (and Uppföljning with list lines) and every wish status."""
    register = make_register(**{"place": "Sollentuna", **association})
    extra = (
        Contact("Camilla Strömberg", Role.REVISORSSUPPLEANT, "Revisorssuppleant", "Sundbyberg"),
        Contact("Kim Kontakt", Role.KONTAKTPERSON, "Kontaktperson", "Prosona"),
        Contact("Ulla Ledamot", Role.LEDAMOT, "Ledamot", "Solna"),  # after the suppleant
    )
    activities = tuple(
        replace(
            a,
            status=STATUSES[i % len(STATUSES)],
            follow_up="Gjort i maj.\n- Första punkten\n- Andra punkten" if i == 0 else "",
        )
        for i, a in enumerate(register.activities)
    )
    groups, position = [], 0
    for group in register.groups:
        count = len(group.activities)
        groups.append(replace(group, activities=activities[position : position + count]))
        position += count
    return replace(
        register,
        contacts=(*register.contacts, *extra),
        activities=activities,
        groups=tuple(groups),
    )


@pytest.fixture(scope="module", name="doc")
def _doc() -> bytes:
    register = full_register()
    jobs = document_jobs(
        register, make_ranking(register), templates_dir=SHIPPED, today=date(2022, 1, 5),
        annual=annual_version(register, DAY),
    )  # fmt: skip
    return next(job for job in jobs if job.path == ANNUAL).render()


def _texts(data: bytes) -> list[str]:
    return [text for _, text in body_paragraphs(data)]


def test_title_opening_and_date(doc: bytes) -> None:
    """The title, the association with the version's date, and the opening sentence."""
    paragraphs = body_paragraphs(doc)
    assert paragraphs[0] == ("Title", "Verksamhetsberättelse för verksamhetsåret 2021")
    assert paragraphs[1] == ("Subtitle", "Användarföreningen Castor, 1 juni 2021")
    assert paragraphs[2][1] == (
        "Styrelsen för Användarföreningen Castor lämnar härmed följande "
        "verksamhetsberättelse för verksamhetsåret 2021."
    )


def test_board_auditors_and_committee_from_kontakter(doc: bytes) -> None:
    """The board in role order with role and kommun (suppleanter last, no Kontaktperson), then
    revisorer and valberedning."""
    board, auditors, committee = (rows(t) for t in tables(doc)[:3])
    assert [r[:2] for r in board] == [
        ["Namn", "Roll"],
        ["Maria Holmgren", "Ordförande"],
        ["Jonas Ekvall", "Vice ordförande"],
        ["Lena Brandt", "Kassör"],
        ["Oskar Lindfors", "Sekreterare"],
        ["Sara Nyqvist", "Ledamot"],
        ["Ahmed Karimi", "Ledamot"],
        ["Eva Sandström", "Ledamot"],
        ["Ulla Ledamot", "Ledamot"],
        ["Henrik Åberg", "Suppleant"],
    ]
    assert ["Ulla Ledamot", "Ledamot", "Solna"] in board
    assert auditors[1:] == [
        ["Per-Olof Gren", "Revisor", ""],
        ["Camilla Strömberg", "Revisorssuppleant", "Sundbyberg"],
    ]
    assert committee[1:] == [["Mikael Dahl", "Valberedning", ""]]
    assert "Kim Kontakt" not in " ".join(_texts(doc) + [text_of(t) for t in tables(doc)])


def test_meetings_held_by_the_date_are_counted_per_type_and_listed(doc: bytes) -> None:
    """Only meetings up to the report's date: the board's sittings, a count per type with its
    plural, and a table of date, type and place."""
    texts = _texts(doc)
    assert "Styrelsen har under året haft 4 protokollförda sammanträden." in texts
    assert [t for s, t in body_paragraphs(doc) if s == "ListBullet"] == [
        "3 styrelsemöten",
        "1 konstituerande styrelsemöte",
        "1 årsmöte",
    ]
    held_rows = rows(tables(doc)[3])
    assert held_rows == [
        ["Datum", "Möte", "Plats"],
        ["2021-02-09", "Styrelsemöte", "På distans"],
        ["2021-03-09", "Styrelsemöte", "På distans"],
        ["2021-03-25", "Årsmöte", "På distans"],
        ["2021-03-25", "Konstituerande styrelsemöte", "På distans"],
        ["2021-05-18", "Styrelsemöte", "Huddinge kommunhus"],
    ]


@pytest.mark.parametrize(
    ("kinds", "summary", "counts"),
    [
        ((MeetingType.STYRELSEMOTE,), "haft 1 protokollfört sammanträde.", ["1 styrelsemöte"]),
        (
            (MeetingType.ANVANDARTRAFF, MeetingType.ANVANDARTRAFF, MeetingType.WORKSHOP),
            "inte haft något protokollfört sammanträde.",
            ["2 användarträffar", "1 workshop"],
        ),
        (
            (MeetingType.WORKSHOP, MeetingType.WORKSHOP, MeetingType.ANNAT),
            "inte haft något protokollfört sammanträde.",
            ["2 workshoppar", "1 annat möte"],
        ),
        (
            (MeetingType.ANNAT, MeetingType.ANNAT, MeetingType.EXTRA_ARSMOTE),
            "inte haft något protokollfört sammanträde.",
            ["1 extra årsmöte", "2 andra möten"],
        ),
    ],
)
def test_counts_agree_with_their_nouns(
    kinds: tuple[MeetingType, ...], summary: str, counts: list[str]
) -> None:
    """One or many, each type's noun in the right form."""
    meetings = tuple(
        Meeting(date(2021, 4, 1 + i), time(10), kind, place="Solna") for i, kind in enumerate(kinds)
    )
    context = annual_context(replace(full_register(), meetings=meetings), DAY)
    assert context["meetings"]["summary"].endswith(summary)
    assert context["meetings"]["counts"] == counts


def test_no_meeting_held_yet_and_nobody_in_kontakter() -> None:
    """Early in the year, before Kontakter is filled in: each section says what is missing,
    and the document is still valid Word (no table without rows)."""
    register = replace(full_register(), contacts=())
    day = date(2021, 1, 5)
    assert held(register, day) == []
    jobs = document_jobs(register, make_ranking(register), templates_dir=SHIPPED, today=day)
    data = next(job for job in jobs if job.path == ANNUAL).render()
    texts = _texts(data)
    for expected in (
        "Kontakter anger ingen styrelse.",
        "Kontakter anger inga revisorer.",
        "Kontakter anger ingen valberedning.",
        "Styrelsen har under året inte haft något protokollfört sammanträde.",
        "Inga möten har hållits under året.",
    ):
        assert expected in texts
    open_docx(data)
    assert not root(data).xpath("//w:tbl[not(w:tr)]", namespaces=NS)


def test_meetings_of_another_year_do_not_count() -> None:
    """A meeting planned for next year, in this year's register, is not one of this year's."""
    register = full_register()
    next_year = Meeting(date(2022, 1, 20), time(10), MeetingType.STYRELSEMOTE, place="Solna")
    register = replace(register, meetings=(*register.meetings, next_year))
    assert next_year not in held(register, date(2022, 2, 1))


def test_every_activity_by_area_with_its_status_in_words(doc: bytes) -> None:
    """The plan's areas as Heading 2, one table each: action, status in words, Uppföljning."""
    register = full_register()
    areas = [t for s, t in body_paragraphs(doc) if s == "Heading2"]
    assert areas[2:-1] == [g.area for g in register.groups]  # Revisorer … Levererade önskemål
    group_tables = tables(doc)[5:-3]
    assert len(group_tables) == len(register.groups)
    shown = [row for table in group_tables for row in rows(table)[1:]]
    assert [row[0] for row in shown] == [a.action for a in register.activities]
    words = ["Genomförd", "Pågår", "Inställd", "Ej påbörjad", "Ej påbörjad"]
    assert [row[1] for row in shown] == [words[i % 5] for i in range(len(shown))]


def test_status_counts(doc: bytes) -> None:
    """A count per status, every status shown (17 activities: 4, 4, 3 and 3 + 3 not begun)."""
    assert rows(tables(doc)[4]) == [
        ["Status", "Antal"],
        ["Genomförd", "4"],
        ["Pågår", "4"],
        ["Inställd", "3"],
        ["Ej påbörjad", "6"],
    ]
    assert "Verksamhetsplanen för 2021 innehöll 17 aktiviteter. Så här har de genomförts:" in (
        _texts(doc)
    )


def test_follow_up_list_lines_are_a_word_list_in_the_cell(doc: bytes) -> None:
    """Uppföljning's text line stays a paragraph; its "-" lines are List Bullet paragraphs."""
    cell = tables(doc)[5].findall("w:tr", NS)[1].findall("w:tc", NS)[2]
    styled = [(p.find("w:pPr/w:pStyle", NS), text_of(p)) for p in cell.findall("w:p", NS)]
    assert [(s.get(f"{W}val") if s is not None else "", t) for s, t in styled] == [
        ("", "Gjort i maj."),
        ("ListBullet", "Första punkten"),
        ("ListBullet", "Andra punkten"),
    ]


def test_wish_figures_and_delivered_wishes(doc: bytes) -> None:
    """Inlämnade during the year (by Inlämnat), levererade, avvisade, öppna; the delivered
    wishes with ID, Rubrik and Leverantörens ärende."""
    register = full_register()
    statuses = [w.status for w in register.wishes]
    assert set(statuses) == set(WishStatus)  # every status is in the register
    submitted = sum(w.submitted is not None and w.submitted.year == 2021 for w in register.wishes)
    delivered = [w for w in register.wishes if w.status is WishStatus.LEVERERAD]
    rejected = statuses.count(WishStatus.AVVISAD)
    assert 0 < submitted < len(register.wishes)
    figures, listed = (rows(t) for t in tables(doc)[-3:-1])
    assert figures == [
        ["Önskemål", "Antal"],
        ["Inlämnade under 2021", str(submitted)],
        ["Levererade", str(len(delivered))],
        ["Avvisade", str(rejected)],
        [
            "Öppna (varken levererade eller avvisade)",
            str(len(statuses) - len(delivered) - rejected),
        ],
    ]
    assert listed[1:] == [[w.id, w.title, w.supplier_ref] for w in delivered]


def test_signatures_with_ort_and_each_board_member_ordforande_first(doc: bytes) -> None:
    """ "<Ort> den ____" and a line per board member (no suppleant), two per row."""
    assert "Sollentuna den ____________" in _texts(doc)
    cells = [
        [text_of(p) for p in tc.findall("w:p", NS)]
        for tr in tables(doc)[-1].findall("w:tr", NS)
        for tc in tr.findall("w:tc", NS)
    ]
    line = "_" * 30
    assert cells == [
        ["", "", line, f"{name}\n{role}"]
        for name, role in (
            ("Maria Holmgren", "Ordförande"),
            ("Jonas Ekvall", "Vice ordförande"),
            ("Lena Brandt", "Kassör"),
            ("Oskar Lindfors", "Sekreterare"),
            ("Sara Nyqvist", "Ledamot"),
            ("Ahmed Karimi", "Ledamot"),
            ("Eva Sandström", "Ledamot"),
            ("Ulla Ledamot", "Ledamot"),
        )
    ]


def test_an_empty_ort_leaves_a_line_to_fill_in() -> None:
    """Without Ort the place is a blank line too."""
    context = annual_context(full_register(place=""), DAY)
    assert context["signatures"]["place_line"] == "____________ den ____________"


def test_the_content_key_ignores_the_date_but_not_a_meeting_held() -> None:
    """Another day with the same meetings held is the same content; a meeting held is not."""
    register = full_register()
    key = {
        day: annual_version(register, date(2021, *day)).key for day in ((6, 1), (8, 30), (8, 31))
    }
    assert key[(6, 1)] == key[(8, 30)] != key[(8, 31)]
    assert unchanged_between(register, date(2021, 6, 1)) == (
        date(2021, 5, 18),
        date(2021, 8, 31),
    )
    assert unchanged_between(register, date(2021, 1, 1)) == (None, date(2021, 2, 9))
    assert unchanged_between(register, date(2022, 1, 1)) == (date(2021, 11, 16), None)
