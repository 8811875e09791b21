"""Tests for validation: structure, every register rule, order, and the whole planted register."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docautomation.models import (
    Deadline,
    DeadlineKind,
    MeetingType,
    Problem,
    Role,
    Severity,
    WishStatus,
)
from docautomation.validation.meetings import swedish_days_off
from docautomation.validation.rules import check, sort_problems, validate
from tests.support.validation import (
    HEADERS,
    PLANTED,
    TEAMS,
    activity,
    association,
    clean_rows,
    contact,
    meeting,
    planted_rows,
    raw_for,
    register,
    wish,
    write_workbook,
)


def _keys(problems: tuple[Problem, ...]) -> set[tuple[str, str, str]]:
    return {(p.severity.value, p.sheet, p.cell) for p in problems}


def _only(problems: tuple[Problem, ...]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def _check(**parts: object) -> tuple[Problem, ...]:
    return check(raw_for(), register(**parts))


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


def test_a_clean_register_has_no_problems() -> None:
    """The clean records and sheets give no problem at all."""
    assert _check() == ()


def test_a_missing_required_sheet_is_one_error_naming_its_headers() -> None:
    """A missing Möten sheet is one sheet-level error listing the expected headers."""
    problem = _only(check(raw_for(omit=["Möten"]), register()))
    assert (problem.severity, problem.sheet, problem.cell) == (Severity.ERROR, "Möten", "")
    assert '"Möten" saknas' in problem.message
    assert "Datum, Start, Mötestyp (obligatoriska)" in problem.message


def test_a_missing_prioritering_sheet_is_fine() -> None:
    """Prioritering is optional: without it the default order applies and nothing is reported."""
    assert check(raw_for(omit=["Prioritering"]), register()) == ()


def test_missing_columns_are_one_error_at_the_header_row() -> None:
    """Missing required columns give one error at the header row's first cell, naming them."""
    raw = raw_for(missing={"Önskemål": ("ID", "Rubrik")}, header_row=3)
    problem = _only(check(raw, register()))
    assert (problem.severity, problem.sheet, problem.cell) == (Severity.ERROR, "Önskemål", "A3")
    assert 'Kolumnerna "ID" och "Rubrik" saknas' in problem.message
    assert "ID, Rubrik (obligatoriska), Beskrivning" in problem.message


def test_a_sheet_without_header_row_is_a_sheet_level_error() -> None:
    """When no header row was recognised, the error concerns the whole sheet."""
    raw = raw_for(missing={"Kontakter": ("Namn", "Roll", "Kommun", "E-post")})
    problem = _only(check(raw, register()))
    assert (problem.sheet, problem.cell) == ("Kontakter", "")
    assert "Ingen rubrikrad" in problem.message and "Namn, Roll (obligatoriska)" in problem.message


# ---------------------------------------------------------------------------------------------
# Förening and Kontakter
# ---------------------------------------------------------------------------------------------


def _year_rows(value: object) -> dict[str, list[dict[str, object]]]:
    rows = clean_rows()
    rows["Förening"][1]["Värde"] = value
    return rows


def test_a_missing_verksamhetsar_row_is_a_sheet_level_error() -> None:
    """Without a Verksamhetsår row, Förening gets one error explaining the row to add."""
    cells = {k: v for k, v in association().cells.items() if k != "Verksamhetsår"}
    problem = _only(_check(association=association(year=None, cells=cells)))
    assert (problem.severity, problem.sheet, problem.cell) == (Severity.ERROR, "Förening", "")
    assert '"Verksamhetsår" saknas' in problem.message and "2021" in problem.message


def test_an_unread_verksamhetsar_is_an_error_unless_interpret_said_so() -> None:
    """A Verksamhetsår cell that gave no year is an error once: interpret's, or else ours."""
    ours = _only(_check(association=association(year=None)))
    assert (ours.severity, ours.sheet, ours.cell) == (Severity.ERROR, "Förening", "B3")
    theirs = Problem(Severity.ERROR, "Förening", "B3", 'Verksamhetsår "x" är inte ett årtal.')
    problems = check(
        raw_for(_year_rows("x")), register(association=association(year=None)), (theirs,)
    )
    assert problems == (theirs,)


@pytest.mark.parametrize("value", ["tjugotjugoett", None, 21, "2021-01-01"])
def test_a_bad_verksamhetsar_in_a_workbook_is_one_error(tmp_path: Path, value: object) -> None:
    """Through reader and interpret, a bad or empty Verksamhetsår gives exactly one problem."""
    problems = _validate_file(write_workbook(tmp_path / "r.xlsx", _year_rows(value)))
    year_problems = [p for p in problems if (p.sheet, p.cell) == ("Förening", "B3")]
    assert [p.severity for p in year_problems] == [Severity.ERROR]
    assert "Verksamhetsår" in year_problems[0].message


# ---------------------------------------------------------------------------------------------
# Aktiviteter
# ---------------------------------------------------------------------------------------------


def test_klart_not_understood_is_a_warning_showing_the_text() -> None:
    """Unrecognised Klart text is a warning that quotes it and says it is shown as written."""
    unknown = Deadline(DeadlineKind.UNKNOWN, "när tiden finns", "när tiden finns")
    problem = _only(_check(activities=(activity(5, klart=unknown),)))
    assert (problem.severity, problem.cell) == (Severity.WARNING, "D5")
    assert '"när tiden finns"' in problem.message and "som den är skriven" in problem.message


def test_klart_naming_another_year_is_a_warning() -> None:
    """A Klart in another year than Verksamhetsår is a warning naming both years."""
    other = Deadline(DeadlineKind.MONTH, "Mars 2020", "mars 2020", year=2020)
    same = Deadline(DeadlineKind.MONTH, "Mars 2021", "mars 2021", year=2021)
    problem = _only(_check(activities=(activity(2, klart=other), activity(3, klart=same))))
    assert (problem.severity, problem.cell) == (Severity.WARNING, "D2")
    assert "2020" in problem.message and "2021" in problem.message


def test_empty_klart_and_unknown_year_give_no_klart_warning() -> None:
    """An empty Klart (interpret's business) and a year check without Verksamhetsår are silent."""
    empty = Deadline(DeadlineKind.UNKNOWN, "", "")
    other = Deadline(DeadlineKind.YEAR, "2020", "under 2020", year=2020)
    raw = raw_for(_year_rows(None))
    problems = check(
        raw,
        register(
            association=association(year=None),
            activities=(activity(2, klart=empty), activity(3, klart=other)),
        ),
    )
    assert {p.cell for p in problems} == {"B3"}  # only the missing Verksamhetsår


def test_ansvarig_accepts_roles_names_board_committee_and_supplier() -> None:
    """Roles, Kontakter names, Styrelsen, Valberedningen and the Leverantör pass in any case."""
    people = (contact(2, "Maria Holmgren", Role.ORDFORANDE),)
    texts = (
        "Ordförande",
        "vice ordförande, Kassör",
        "STYRELSEN och Valberedningen",
        "Prosona",
        "maria holmgren och Revisorssuppleant",
        "Styrelsen,Prosona",
    )
    activities = tuple(activity(i, t) for i, t in enumerate(texts, start=2))
    assert _check(contacts=people, activities=activities) == ()


def test_unknown_ansvarig_is_a_warning_naming_the_closest_value() -> None:
    """Each unknown part of Ansvarig is a warning that suggests the closest known value."""
    people = (contact(2, "Maria Holmgren", Role.ORDFORANDE),)
    problems = _check(
        contacts=people,
        activities=(
            activity(2, "Ordförande och Kasör"),
            activity(3, "Maria Holmgrén"),
            activity(4, "Styrelsen, Leverantören"),
        ),
    )
    assert [(p.severity, p.cell) for p in problems] == [
        (Severity.WARNING, "C2"),
        (Severity.WARNING, "C3"),
        (Severity.WARNING, "C4"),
    ]
    assert 'Ansvarig "Kasör"' in problems[0].message
    assert 'Menade du "Kassör"?' in problems[0].message
    assert 'Menade du "Maria Holmgren"?' in problems[1].message
    assert "(Prosona)" in problems[2].message


# ---------------------------------------------------------------------------------------------
# Önskemål
# ---------------------------------------------------------------------------------------------


def test_a_duplicate_wish_id_is_an_error_at_the_second_naming_the_first() -> None:
    """Two wishes with the same ID (case and spaces aside): an error at the later ID cell."""
    wishes = (wish(2, "ÖNS-1"), wish(3, "ÖNS-2"), wish(4, " öns-1 "))
    problem = _only(_check(wishes=wishes))
    assert (problem.severity, problem.sheet, problem.cell) == (Severity.ERROR, "Önskemål", "A4")
    assert "Önskemål!A2" in problem.message and "ÖNS-1" in problem.message


def test_more_than_one_active_pilot_warns_at_each_naming_the_others() -> None:
    """Two open wishes with Pilot = Ja: a warning at each Pilot cell; closed ones don't count."""
    wishes = (
        wish(2, "A", pilot=True),
        wish(3, "B", pilot=True),
        wish(4, "C", pilot=True, status=WishStatus.LEVERERAD),
        wish(5, "D", pilot=True, status=WishStatus.AVVISAD),
        wish(6, "E", pilot=False),
    )
    problems = _check(wishes=wishes)
    assert _keys(problems) == {("warning", "Önskemål", "O2"), ("warning", "Önskemål", "O3")}
    assert "Önskemål!O3" in problems[0].message and "Önskemål!O2" in problems[1].message


def test_many_pilots_name_at_most_five_other_cells() -> None:
    """With many pilots each message names five other cells and counts the rest."""
    problems = _check(wishes=tuple(wish(i, f"P{i}", pilot=True) for i in range(2, 10)))
    assert len(problems) == 8
    assert problems[0].message.count("Önskemål!O") == 5 and "och 2 till" in problems[0].message


def test_one_active_pilot_is_fine() -> None:
    """A single open pilot (beside a delivered one) gives no warning."""
    wishes = (wish(2, "A", pilot=True), wish(3, "B", pilot=True, status=WishStatus.LEVERERAD))
    assert _check(wishes=wishes) == ()


# ---------------------------------------------------------------------------------------------
# Möten
# ---------------------------------------------------------------------------------------------


def test_a_duplicate_meeting_id_is_an_error_naming_the_first() -> None:
    """Meeting IDs are unique; the second use is an error naming the first cell."""
    meetings = (
        meeting(2, id="M-1"),
        meeting(3, date(2021, 2, 16), id="M-1"),
        meeting(4, date(2021, 2, 23)),
    )
    problem = _only(_check(meetings=meetings))
    assert (problem.severity, problem.cell) == (Severity.ERROR, "J3")
    assert "Möten!J2" in problem.message


def test_two_meetings_of_one_type_on_one_day_without_id_is_a_warning() -> None:
    """Same Mötestyp and Datum and no IDs share one calendar UID: a warning at the second."""
    meetings = (meeting(2), meeting(3, kind=MeetingType.WORKSHOP, agenda=("Program",)), meeting(4))
    problem = _only(_check(meetings=meetings))
    assert (problem.severity, problem.cell) == (Severity.WARNING, "A4")
    assert "Möten!A2" in problem.message and "ID" in problem.message


def test_an_id_tells_meetings_on_one_day_apart() -> None:
    """With an ID on either meeting, two of one type on one day are fine."""
    assert _check(meetings=(meeting(2), meeting(3, id="M-2"))) == ()
    assert _check(meetings=(meeting(2, id="M-1"), meeting(3))) == ()


@pytest.mark.parametrize("end", [time(13, 0), time(12, 0)])
def test_slut_not_after_start_is_an_error(end: time) -> None:
    """Slut must be later than Start."""
    problem = _only(_check(meetings=(meeting(2, end=end),)))
    assert (problem.severity, problem.cell) == (Severity.ERROR, "C2")
    assert "13.00" in problem.message and end.strftime("%H.%M") in problem.message


def test_a_meeting_needs_a_place_or_a_link() -> None:
    """Neither Plats nor Distanslänk is an error at Plats; either one alone is fine."""
    meetings = (
        meeting(2, place=""),
        meeting(3, date(2021, 2, 10), place="", link=TEAMS),
        meeting(4, date(2021, 2, 11), place="Solna"),
    )
    problem = _only(_check(meetings=meetings))
    assert (problem.severity, problem.cell) == (Severity.ERROR, "E2")


def test_a_malformed_link_still_counts_as_a_link_here() -> None:
    """A Distanslänk that is no https:// address is interpret's error, not a missing place."""
    assert _check(meetings=(meeting(2, place="", link="www.teams.com"),)) == ()


@pytest.mark.parametrize(
    ("notice", "bad"),
    [
        (date(2021, 2, 9), True),
        (date(2021, 2, 10), False),
        (date(2021, 3, 10), False),
        (date(2021, 3, 11), True),
        (date(2021, 3, 24), True),
    ],
)
@pytest.mark.parametrize("kind", [MeetingType.ARSMOTE, MeetingType.EXTRA_ARSMOTE])
def test_arsmote_notice_outside_the_window_is_an_error(
    notice: date, bad: bool, kind: MeetingType
) -> None:
    """An årsmöte's Kallelsedatum must lie 6 to 2 weeks before; outside, an error with dates."""
    problems = _check(meetings=(meeting(2, date(2021, 3, 24), kind, notice_date=notice),))
    assert _keys(problems) == ({("error", "Möten", "H2")} if bad else set())
    if bad:
        assert "10 februari 2021" in problems[0].message
        assert "10 mars 2021" in problems[0].message


def test_the_window_follows_the_forening_settings() -> None:
    """Kallelse årsmöte tidigast/senast from Förening set the window."""
    settings_ = association(agm_notice_earliest_weeks=4, agm_notice_latest_weeks=1)
    meetings = (meeting(2, date(2021, 3, 24), MeetingType.ARSMOTE, notice_date=date(2021, 2, 20)),)
    problem = _only(_check(association=settings_, meetings=meetings))
    assert "24 februari 2021" in problem.message and "17 mars 2021" in problem.message
    assert "(högst 4 och minst 1 vecka före mötet)" in problem.message


def test_one_day_of_notice_is_said_in_the_singular() -> None:
    """With 1 in Kallelse styrelsemöte senast, the notice is "1 dag före mötet"."""
    settings_ = association(board_notice_days=1)
    late = meeting(2, notice_date=date(2021, 2, 9))  # on the meeting's own day
    problem = _only(_check(association=settings_, meetings=(late,)))
    assert "senast 8 februari 2021 (1 dag före mötet)" in problem.message


@pytest.mark.parametrize(
    ("kind", "notice", "warned"),
    [
        (MeetingType.STYRELSEMOTE, date(2021, 2, 2), False),
        (MeetingType.STYRELSEMOTE, date(2021, 2, 3), True),
        (MeetingType.ANVANDARTRAFF, date(2021, 2, 8), True),
        (MeetingType.KONSTITUERANDE, date(2021, 2, 9), False),
    ],
)
def test_late_notice_for_other_meetings_is_a_warning(
    kind: MeetingType, notice: date, warned: bool
) -> None:
    """Other types: later than board_notice_days before is a warning; konstituerande is exempt."""
    agenda = ("Program",) if kind is MeetingType.ANVANDARTRAFF else ()
    problems = _check(meetings=(meeting(2, kind=kind, notice_date=notice, agenda=agenda),))
    assert _keys(problems) == ({("warning", "Möten", "H2")} if warned else set())
    if warned:
        assert "2 februari 2021" in problems[0].message and "7 dagar" in problems[0].message


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2021, 2, 13), "en lördag"),
        (date(2021, 2, 14), "en söndag"),
        (date(2021, 12, 25), "juldagen"),
        (date(2021, 12, 24), "julafton"),
        (date(2021, 6, 25), "midsommarafton"),
        (date(2021, 12, 31), "nyårsafton"),
        (date(2021, 1, 6), "trettondedag jul"),
        (date(2021, 4, 2), "långfredagen"),
        (date(2021, 5, 13), "kristi himmelsfärdsdag"),
        (date(2021, 6, 6), "nationaldagen"),
    ],
)
def test_a_meeting_on_a_day_off_is_a_warning_naming_the_day(day: date, words: str) -> None:
    """Weekends, helgdagar and the three eves are warnings at Datum naming the day."""
    problem = _only(_check(meetings=(meeting(2, day),)))
    assert (problem.severity, problem.cell) == (Severity.WARNING, "A2")
    assert f"infaller på {words}" in problem.message


def test_ordinary_weekdays_are_not_days_off() -> None:
    """No Sunday is listed as a holiday by name, and a plain Tuesday is fine."""
    days = swedish_days_off({2021, 2024})
    assert all(name.casefold() != "söndag" for name in days.values())
    assert date(2021, 2, 9) not in days and date(2024, 6, 21) in days  # midsommarafton 2024
    assert _check(meetings=(meeting(2, date(2021, 2, 9)),)) == ()


@pytest.mark.parametrize(
    "kind", [MeetingType.ANVANDARTRAFF, MeetingType.WORKSHOP, MeetingType.ANNAT]
)
def test_empty_agenda_without_a_standard_one_is_a_warning(kind: MeetingType) -> None:
    """Användarträff, Workshop and Annat without Dagordning: the program follows (warning)."""
    problem = _only(_check(meetings=(meeting(2, kind=kind),)))
    assert (problem.severity, problem.cell) == (Severity.WARNING, "G2")
    assert kind.value in problem.message and "programmet" in problem.message


@pytest.mark.parametrize(
    "kind",
    [
        MeetingType.STYRELSEMOTE,
        MeetingType.KONSTITUERANDE,
        MeetingType.ARSMOTE,
        MeetingType.EXTRA_ARSMOTE,
    ],
)
def test_empty_agenda_with_a_standard_one_is_fine(kind: MeetingType) -> None:
    """Meeting types with a standard agenda need no Dagordning."""
    assert _check(meetings=(meeting(2, date(2021, 3, 24), kind),)) == ()


def test_meetings_without_date_or_type_are_left_to_interpret() -> None:
    """Unreadable Datum/Start/Mötestyp (None) trigger no rule here: interpret reports them."""
    meetings = (
        meeting(2, None, None, notice_date=date(2021, 1, 1)),
        meeting(3, None, MeetingType.ARSMOTE, notice_date=date(2021, 1, 1)),
    )
    assert _check(meetings=meetings) == ()


def test_dates_at_the_edge_of_the_calendar_do_not_raise() -> None:
    """Window arithmetic near date.min/date.max is skipped, not an exception."""
    meetings = (
        meeting(2, date(1, 1, 3), MeetingType.ARSMOTE, notice_date=date(1, 1, 1)),
        meeting(3, date(9999, 12, 30), MeetingType.STYRELSEMOTE, notice_date=date(9999, 12, 31)),
    )
    huge = association(board_notice_days=10**9, agm_notice_earliest_weeks=10**9)
    problems = _check(association=huge, meetings=meetings)
    assert all(p.cell.startswith("A") for p in problems)  # at most weekday warnings


# ---------------------------------------------------------------------------------------------
# Order and de-duplication
# ---------------------------------------------------------------------------------------------


def test_problems_are_sorted_by_sheet_row_column_then_errors_first() -> None:
    """Sheet order Förening … Möten, then row, column (Z before AA), errors before warnings."""

    def p(severity: Severity, sheet: str, cell: str) -> Problem:
        return Problem(severity, sheet, cell, "x")

    shuffled = [
        p(Severity.WARNING, "Möten", "A2"),
        p(Severity.ERROR, "Möten", ""),
        p(Severity.WARNING, "Önskemål", "AA2"),
        p(Severity.ERROR, "Önskemål", "Z2"),
        p(Severity.WARNING, "Önskemål", "B10"),
        p(Severity.ERROR, "Önskemål", "B10"),
        p(Severity.ERROR, "Önskemål", "C9"),
        p(Severity.WARNING, "Förening", "B3"),
        p(Severity.WARNING, "Kontakter", "A2"),
        p(Severity.WARNING, "Aktiviteter", "A2"),
        p(Severity.WARNING, "Prioritering", "A2"),
        p(Severity.ERROR, "Instruktioner", ""),
    ]
    ordered = [(q.sheet, q.cell, q.severity.value) for q in sort_problems(raw_for(), shuffled)]
    assert ordered == [
        ("Förening", "B3", "warning"),
        ("Prioritering", "A2", "warning"),
        ("Kontakter", "A2", "warning"),
        ("Aktiviteter", "A2", "warning"),
        ("Önskemål", "Z2", "error"),
        ("Önskemål", "AA2", "warning"),
        ("Önskemål", "C9", "error"),
        ("Önskemål", "B10", "error"),
        ("Önskemål", "B10", "warning"),
        ("Möten", "", "error"),
        ("Möten", "A2", "warning"),
        ("Instruktioner", "", "error"),
    ]


def test_sheet_order_uses_the_names_as_written() -> None:
    """A sheet written " önskemål " sorts as Önskemål."""
    raw = raw_for()
    sheets = dict(raw.sheets)
    sheets["Önskemål"] = sheets["Önskemål"].__class__(
        " önskemål ", "Önskemål", 1, sheets["Önskemål"].columns, (), ()
    )
    renamed = raw.__class__(raw.source_name, raw.sha256, sheets, raw.sheet_names)
    problems = [
        Problem(Severity.ERROR, "Möten", "A2", "m"),
        Problem(Severity.ERROR, " önskemål ", "A2", "w"),
    ]
    assert [q.message for q in sort_problems(renamed, problems)] == ["w", "m"]


def test_identical_problems_are_reported_once() -> None:
    """A problem that interpret and a rule would both give appears once."""
    theirs = Problem(Severity.ERROR, "Möten", "C2", "samma")
    problems = check(raw_for(), register(), (theirs, theirs))
    assert problems == (theirs,)


# ---------------------------------------------------------------------------------------------
# The whole pipeline stage: real workbooks through the reader and interpret
# ---------------------------------------------------------------------------------------------


def _validate_file(path: Path) -> tuple[Problem, ...]:
    from docautomation.register.workbook import read_register

    return validate(read_register(path.read_bytes(), path.name)).problems


def test_the_clean_workbook_validates_without_problems(tmp_path: Path) -> None:
    """The clean register, written as a real .xlsx, validates with no problem."""
    assert _validate_file(write_workbook(tmp_path / "ren.xlsx", clean_rows())) == ()


def test_every_planted_problem_is_found_exactly(tmp_path: Path) -> None:
    """Each rule's planted problem is found at its cell, and nothing else is reported."""
    problems = _validate_file(write_workbook(tmp_path / "fel.xlsx", planted_rows()))
    assert _keys(problems) == set(PLANTED)
    for problem in problems:
        for words in PLANTED[(problem.severity.value, problem.sheet, problem.cell)]:
            assert words in problem.message, (problem, words)
    assert list(problems) == list(sort_problems(raw_for(), problems))


def test_structural_problems_come_through_the_reader(tmp_path: Path) -> None:
    """A workbook without Möten and without Önskemål's Rubrik column: two structural errors."""
    rows = clean_rows()
    del rows["Möten"]
    headers = {**HEADERS, "Önskemål": tuple(h for h in HEADERS["Önskemål"] if h != "Rubrik")}
    problems = _validate_file(write_workbook(tmp_path / "s.xlsx", rows, headers=headers))
    structural = [p for p in problems if "saknas" in p.message and p.sheet in ("Möten", "Önskemål")]
    assert {(p.sheet, p.cell) for p in structural} >= {("Möten", ""), ("Önskemål", "A1")}


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

_VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(min_value=datetime(1, 1, 1)),
    st.times(),
    st.sampled_from(
        [
            "",
            " ",
            "Ja",
            "x",
            "Årsmöte",
            "styrelsemöte",
            "2021",
            "13.00",
            "kl. 9.30",
            "15 mars 2021",
            "15/3 2021",
            "Q2 2021",
            "Lagstift",
            "Hög",
            "Levererad",
            "https://",
            "=A1",
            "{{ x }}",
            "Ordförande och Kassör",
            "ÖNS-1",
            "0",
            "-1",
            "3.0",
            "1e309",
            "Verksamhetsår",
        ]
    ),
)


def _rows_strategy() -> st.SearchStrategy[dict[str, list[dict[str, object]]]]:
    sheets = {
        name: st.lists(st.fixed_dictionaries(dict.fromkeys(HEADERS[name], _VALUES)), max_size=4)
        for name in HEADERS
    }
    return st.fixed_dictionaries(sheets)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows_strategy(), year=st.sampled_from([2021, "2021", None, "x", 1, 10**9]))
def test_validate_never_raises_and_is_deterministic(
    rows: dict[str, list[dict[str, object]]], year: object
) -> None:
    """Any value in any column: validate() returns, and gives the same report twice."""
    rows["Förening"].append({"Fält": "Verksamhetsår", "Värde": year})
    raw = raw_for(rows)
    first = validate(raw)
    assert validate(raw).problems == first.problems
    assert all(isinstance(p.message, str) and p.message for p in first.problems)
    assert all(p.sheet for p in first.problems)


def test_an_unreadable_kategori_is_not_also_called_empty(tmp_path: Path) -> None:
    """A misspelt Kategori on an otherwise unassessable wish is one error, not also 'är tom'."""
    rows = clean_rows()
    rows["Önskemål"].append({"ID": "ÖNS-9", "Rubrik": "Mörkt läge", "Kategori": "Avvaktr"})
    problems = [
        p
        for p in _validate_file(write_workbook(tmp_path / "k.xlsx", rows))
        if p.sheet == "Önskemål"
    ]
    assert [(p.severity.value, p.cell) for p in problems] == [("error", "F6")]
    assert 'Menade du "Avvaktar' in problems[0].message
    assert not any("är tom" in p.message for p in problems)


def test_excel_error_values_are_errors_not_data(tmp_path: Path) -> None:
    """A failed formula's #VALUE! in Plats or #DIV/0! in Antal kommuner is one error each."""
    rows = clean_rows()
    rows["Möten"][1]["Plats"] = "#VALUE!"  # openpyxl writes these as real error cells
    rows["Önskemål"][2]["Antal kommuner"] = "#DIV/0!"
    problems = _validate_file(write_workbook(tmp_path / "e.xlsx", rows))
    assert [(p.severity.value, p.sheet, p.cell) for p in problems] == [
        ("error", "Önskemål", "I4"),
        ("error", "Möten", "E3"),
    ]
    assert all("Excel-felet" in p.message and "rätta formeln" in p.message for p in problems)


@pytest.mark.parametrize(
    ("kind", "notice", "words"),
    [
        (MeetingType.STYRELSEMOTE, date(2021, 2, 19), "är efter mötet 9 februari 2021"),
        (MeetingType.WORKSHOP, date(2021, 2, 9), "är samma dag som mötet 9 februari 2021"),
        (MeetingType.KONSTITUERANDE, date(2021, 2, 10), "är efter mötet 9 februari 2021"),
    ],
)
def test_a_kallelsedatum_on_or_after_the_meeting_says_so(
    kind: MeetingType, notice: date, words: str
) -> None:
    """A sending day on or after the meeting (a typo) is named as such, konstituerande too."""
    agenda = ("Program",) if kind is MeetingType.WORKSHOP else ()
    problem = _only(_check(meetings=(meeting(2, kind=kind, notice_date=notice, agenda=agenda),)))
    assert (problem.severity.value, problem.cell) == ("warning", "H2")
    assert words in problem.message and "senare än" not in problem.message
    if kind is not MeetingType.KONSTITUERANDE:
        assert "senast 2 februari 2021 (7 dagar före mötet)" in problem.message


@pytest.mark.parametrize(
    ("day", "warned"),
    [(date(2020, 2, 11), True), (date(2012, 2, 9), True), (date(2021, 12, 30), False)],
)
def test_a_meeting_outside_the_verksamhetsar_is_a_warning(day: date, warned: bool) -> None:
    """A Datum in another year than Verksamhetsår (a typo in January) is warned at Datum."""
    problems = _check(meetings=(meeting(2, day),))
    assert _keys(problems) == ({("warning", "Möten", "A2")} if warned else set())
    if warned:
        assert f"{day.year} ligger inte i verksamhetsåret 2021" in _only(problems).message


def test_a_misspelt_optional_header_is_a_warning_naming_the_column(tmp_path: Path) -> None:
    """'Antal kommun' would silently leave Antal kommuner empty: warn at the header cell."""
    from docautomation.register.scaffold import example_content, write_register
    from docautomation.register.workbook import read_register

    content = example_content()
    content["Önskemål"] = [
        {("Antal kommun" if k == "Antal kommuner" else k): v for k, v in row.items()}
        for row in content["Önskemål"]
    ]
    path = write_register(tmp_path / "r.xlsx", content)
    wb = openpyxl.load_workbook(path)
    wb["Önskemål"]["I1"] = "Antal kommun"
    wb["Önskemål"]["P1"] = "Anteckningar"  # an extra column stays unremarked
    wb.save(path)
    problems = validate(read_register(path.read_bytes(), path.name)).problems
    near = [p for p in problems if p.cell == "I1"]
    assert [(p.severity.value, p.sheet) for p in near] == [("warning", "Önskemål")]
    assert 'Menade du "Antal kommuner"?' in near[0].message
    assert not [p for p in problems if p.cell == "P1"]


def test_a_renamed_sheet_is_suggested_for_the_missing_one(tmp_path: Path) -> None:
    """A tab renamed 'Möten 2021' is named in the 'Bladet Möten saknas' error."""
    from docautomation.register.scaffold import example_content, write_register
    from docautomation.register.workbook import read_register

    path = write_register(tmp_path / "r.xlsx", example_content())
    wb = openpyxl.load_workbook(path)
    wb["Möten"].title = "Möten 2021"
    wb.save(path)
    problems = validate(read_register(path.read_bytes(), path.name)).problems
    missing = [p for p in problems if p.sheet == "Möten" and p.is_error]
    assert len(missing) == 1 and 'Menade du bladet "Möten 2021"?' in missing[0].message
