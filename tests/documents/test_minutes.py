"""Tests for the protokoll drafts: heading, Närvarande, § items and sentences, numbers, signatures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest

from docautomation.documents.jobs import document_jobs
from docautomation.documents.minutes import minutes_context, paragraph_starts
from docautomation.models import Meeting, MeetingType, Register, Role
from docautomation.register.agenda import standard_agenda
from tests.support.rendering import MEETINGS, body_paragraphs, make_ranking, make_register

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
TODAY = date(2021, 6, 1)
BOARD = "2021/Protokoll/2021-02-09 Styrelsemöte.docx"
AGM = "2021/Protokoll/2021-03-25 Årsmöte.docx"


def _docs(register: Register) -> dict[str, bytes]:
    jobs = document_jobs(register, make_ranking(register), templates_dir=SHIPPED, today=TODAY)
    return {job.path: job.render() for job in jobs if "/Protokoll/" in job.path}


def _keys(register: Register) -> dict[str, str]:
    jobs = document_jobs(register, make_ranking(register), templates_dir=SHIPPED, today=TODAY)
    return {job.path: job.key for job in jobs}


@pytest.fixture(scope="module", name="docs")
def _all_docs() -> dict[str, bytes]:
    return _docs(make_register())


def _paragraphs(data: bytes) -> list[str]:
    return [text for _, text in body_paragraphs(data)]


def _after(texts: list[str], heading: str) -> str:
    """The first non-empty paragraph after `heading`."""
    return next(t for t in texts[texts.index(heading) + 1 :] if t)


def test_a_draft_per_meeting_named_like_its_kallelse(docs: dict[str, bytes]) -> None:
    """outbox/<år>/Protokoll/<YYYY-MM-DD> <Mötestyp>.docx for every meeting."""
    assert sorted(docs) == sorted(
        f"2021/Protokoll/{m.date.isoformat()} {m.type.value}.docx"
        for m in MEETINGS
        if m.date and m.type
    )


def test_board_meeting_heading_facts_and_attendance_to_tick(docs: dict[str, bytes]) -> None:
    """The heading names the type in lower case; date, time, link; the board as ☐ lines."""
    paragraphs = body_paragraphs(docs[BOARD])
    assert paragraphs[0] == (
        "Title",
        "Protokoll fört vid styrelsemöte i Användarföreningen Castor",
    )
    texts = _paragraphs(docs[BOARD])
    assert "Datum: tisdag 9 februari 2021" in texts
    assert "Tid: kl. 13.00–15.00" in texts
    assert any(t.startswith("Distanslänk: https://") for t in texts)
    start = texts.index("Närvarande") + 1
    assert texts[start : start + 9] == [
        "☐ Maria Holmgren, ordförande",
        "☐ Jonas Ekvall, vice ordförande",
        "☐ Lena Brandt, kassör",
        "☐ Oskar Lindfors, sekreterare",
        "☐ Sara Nyqvist, ledamot",
        "☐ Ahmed Karimi, ledamot",
        "☐ Eva Sandström, ledamot",
        "☐ Henrik Åberg, suppleant",
        "§ 1 Mötets öppnande",
    ]


def test_items_carry_the_customary_sentence_or_a_beslut_line(docs: dict[str, bytes]) -> None:
    """Öppnande and avslutande name the Ordförande; other items get an empty "Beslut:" line."""
    paragraphs = body_paragraphs(docs[BOARD])
    items = [t for s, t in paragraphs if s == "Heading2" and t.startswith("§")]
    assert items == [
        "§ 1 Mötets öppnande",
        "§ 2 Val av justerare",
        "§ 3 Verksamhetsplan 2021",
        "§ 4 Övriga frågor",
        "§ 5 Mötets avslutande",
    ]
    texts = _paragraphs(docs[BOARD])
    assert _after(texts, items[0]) == "Maria Holmgren förklarade mötet öppnat."
    assert _after(texts, items[1]) == "Beslut:"
    assert _after(texts, items[2]) == "Beslut:"
    assert _after(texts, items[4]) == "Maria Holmgren förklarade mötet avslutat."
    standard = _paragraphs(_docs(make_register())["2021/Protokoll/2021-03-09 Styrelsemöte.docx"])
    assert _after(standard, "§ 3 Godkännande av dagordning") == "Dagordningen godkändes."


def test_board_meeting_signatures(docs: dict[str, bytes]) -> None:
    """Vid protokollet: the Sekreterare; Justeras: the Ordförande and one justerare line."""
    texts = [t for t in _paragraphs(docs[BOARD]) if t]
    tail = texts[texts.index("Vid protokollet") :]
    line = "_" * 30
    assert tail == [
        "Vid protokollet",
        line,
        "Oskar Lindfors, sekreterare",
        "Justeras",
        line,
        "Maria Holmgren, ordförande",
        line,
        "Justerare",
    ]


def test_general_meeting_has_its_own_officers_and_the_rostlangd(docs: dict[str, bytes]) -> None:
    """An årsmöte: "Enligt bilagd röstlängd", sentences naming nobody, blank lines labelled
    Mötessekreterare and Mötesordförande, and two justerare lines."""
    texts = _paragraphs(docs[AGM])
    assert texts[0] == "Protokoll fört vid årsmöte i Användarföreningen Castor"
    assert _after(texts, "Närvarande") == "Enligt bilagd röstlängd"
    assert _after(texts, "§ 1 Mötets öppnande") == "Mötet förklarades öppnat."
    assert _after(texts, "§ 4 Fastställande av dagordning") == "Dagordningen fastställdes."
    last = len(standard_agenda(MeetingType.ARSMOTE))
    assert _after(texts, f"§ {last} Mötets avslutande") == "Mötet förklarades avslutat."
    assert not any("Maria Holmgren" in t or "Oskar Lindfors" in t for t in texts)
    signed = [t for t in texts[texts.index("Vid protokollet") :] if t and not t.startswith("_")]
    assert signed == [
        "Vid protokollet",
        "Mötessekreterare",
        "Justeras",
        "Mötesordförande",
        "Justerare",
        "Justerare",
    ]


@pytest.mark.parametrize(
    ("kind", "heading", "attendance"),
    [
        (MeetingType.KONSTITUERANDE, "konstituerande styrelsemöte", "☐ Maria Holmgren, ordförande"),
        (MeetingType.EXTRA_ARSMOTE, "extra årsmöte", "Enligt bilagd röstlängd"),
        (MeetingType.ANVANDARTRAFF, "användarträff", "Enligt bilagd närvarolista"),
        (MeetingType.ANNAT, "möte", "Enligt bilagd närvarolista"),
    ],
)
def test_each_type_in_lower_case_with_its_attendance(
    kind: MeetingType, heading: str, attendance: str
) -> None:
    """Every type names itself in lower case ("möte" for Annat) and says who was there."""
    meeting = Meeting(date(2021, 4, 6), time(10), kind, place="Solna", agenda=("Punkt",))
    context = minutes_context(make_register(), meeting, 1)
    assert (
        context["protocol"]["title"] == f"Protokoll fört vid {heading} i Användarföreningen Castor"
    )
    people = [f"☐ {p['name']}, {p['role']}" for p in context["attendance"]["people"]]
    assert attendance in (people[:1] or [context["attendance"]["text"]])


def test_without_ordforande_or_sekreterare_the_roles_stand_in() -> None:
    """Kontakter without the officers: the sentences and signatures name the roles."""
    register = make_register()
    register = replace(
        register,
        contacts=tuple(
            c for c in register.contacts if c.role not in (Role.ORDFORANDE, Role.SEKRETERARE)
        ),
    )
    context = minutes_context(register, MEETINGS[0], 1)
    assert context["items"][0]["sentence"] == "Ordföranden förklarade mötet öppnat."
    assert context["signatures"] == {
        "recorder": "Sekreterare",
        "approvers": ["Ordförande", "Justerare"],
    }


# ---------------------------------------------------------------------------------------------
# § numbers
# ---------------------------------------------------------------------------------------------


def test_each_protokoll_starts_at_one_by_default() -> None:
    """Without Löpande paragrafnumrering every protokoll starts at § 1."""
    assert paragraph_starts(MEETINGS, running=False) == [1] * len(MEETINGS)


def test_running_numbers_go_through_the_board_meetings_in_date_order() -> None:
    """Styrelsemöten and konstituerande möten continue each other's numbers by date and time,
    whatever their order in the register; other meetings start at § 1."""
    board_items = len(standard_agenda(MeetingType.STYRELSEMOTE))  # 10
    constituting = len(standard_agenda(MeetingType.KONSTITUERANDE))  # 5
    shuffled = (MEETINGS[4], *MEETINGS[:4], *MEETINGS[5:])  # 2021-05-18 first in the register
    starts = dict(
        zip(
            (f"{m.date} {m.type.value}" for m in shuffled if m.type and m.date),
            paragraph_starts(shuffled, running=True),
            strict=True,
        )
    )
    first = 1 + 5  # 2021-02-09 has a five-item agenda of its own
    assert starts == {
        "2021-02-09 Styrelsemöte": 1,
        "2021-03-09 Styrelsemöte": first,
        "2021-03-25 Årsmöte": 1,
        "2021-03-25 Konstituerande styrelsemöte": first + board_items,
        "2021-05-18 Styrelsemöte": first + board_items + constituting,
        "2021-08-31 Styrelsemöte": first + 2 * board_items + constituting,
        "2021-10-13 Användarträff": 1,
        "2021-11-16 Workshop": 1,
    }


def test_running_numbers_in_the_documents() -> None:
    """Under Löpande paragrafnumrering the second board meeting's protokoll starts at § 6."""
    docs = _docs(make_register(running_numbers=True))
    items = [
        t
        for s, t in body_paragraphs(docs["2021/Protokoll/2021-03-09 Styrelsemöte.docx"])
        if s == "Heading2" and t.startswith("§")
    ]
    assert items[0] == "§ 6 Mötets öppnande" and items[-1] == "§ 15 Mötets avslutande"


def test_a_longer_agenda_moves_later_numbers_only_when_they_run_on() -> None:
    """One more item on the first board meeting changes the later board meetings' drafts under
    running numbers, and nothing but its own draft and kallelse otherwise."""
    for running, later_changes in ((False, False), (True, True)):
        register = make_register(running_numbers=running)
        before = _keys(register)
        first = replace(MEETINGS[0], agenda=(*MEETINGS[0].agenda, "Extra punkt"))
        after = _keys(replace(register, meetings=(first, *MEETINGS[1:])))
        changed = {path for path in before if before[path] != after[path]}
        own = {BOARD, "2021/Kallelser/2021-02-09 Styrelsemöte.docx"}
        later = {
            "2021/Protokoll/2021-03-09 Styrelsemöte.docx",
            "2021/Protokoll/2021-03-25 Konstituerande styrelsemöte.docx",
            "2021/Protokoll/2021-05-18 Styrelsemöte.docx",
            "2021/Protokoll/2021-08-31 Styrelsemöte.docx",
        }
        assert changed == (own | later if later_changes else own)
