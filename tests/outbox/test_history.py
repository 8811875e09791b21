"""Tests for docautomation.history: kept register versions and the report's change baseline."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from docautomation.models import (
    Association,
    Category,
    CategorySource,
    RankedWish,
    Ranking,
    Register,
    Wish,
    WishStatus,
)
from docautomation.outbox.history import (
    Baseline,
    WishSnapshot,
    baseline_for,
    compare,
    content_key,
    keep_register_version,
    load_report_state,
    record_report,
    snapshot,
)

NY, PAGAR, LEVERERAD = WishStatus.NY, WishStatus.PAGAR, WishStatus.LEVERERAD
A = WishSnapshot("ÖNS-1", "Kartvy", NY, 3)
B = WishSnapshot("ÖNS-2", "XML-export", NY, 5)
C = WishSnapshot("ÖNS-3", "Avgifter", NY, None)
D1, D2, D3 = date(2021, 2, 1), date(2021, 3, 1), date(2021, 4, 1)
MOMENT = datetime(2021, 3, 1, 10, 20, 30, tzinfo=UTC)


def test_register_version_is_kept_once_per_content(tmp_path: Path) -> None:
    """Each new register content is kept as <time>_<sha12>.xlsx; the same bytes are not kept twice."""
    first = keep_register_version(tmp_path, 2021, b"register v1", "Register 2021.xlsx", now=MOMENT)
    assert first.parent == tmp_path / ".docautomation/versions/2021"
    assert first.name.startswith("20210301-102030_") and first.suffix == ".xlsx"
    assert first.read_bytes() == b"register v1"
    later = datetime(2021, 3, 2, tzinfo=UTC)
    assert (
        keep_register_version(tmp_path, 2021, b"register v1", "Register 2021.xlsx", now=later)
        == first
    )
    second = keep_register_version(tmp_path, 2021, b"register v2", "Kopia.xlsm", now=later)
    assert second.name.startswith("20210302-000000_") and second.suffix == ".xlsm"
    assert sorted(p.name for p in first.parent.iterdir()) == sorted(
        [first.name, second.name, "index.json"]
    )
    index = json.loads((first.parent / "index.json").read_text(encoding="utf-8"))
    assert index[first.name]["source"] == "Register 2021.xlsx"
    assert index[second.name]["source"] == "Kopia.xlsm" and len(index[second.name]["sha256"]) == 64


def test_first_build_has_no_baseline() -> None:
    """Before any report was recorded there is nothing to compare with and no kept date."""
    assert baseline_for(None, "k1") == (None, None)
    assert compare(None, (A, B)) is None


def test_report_history_keeps_date_and_baseline_while_content_is_unchanged(tmp_path: Path) -> None:
    """Unchanged content → same date and the previous baseline; changed → compare with current."""
    state = record_report(tmp_path, 2021, None, "k1", (A, B), D1)
    loaded = load_report_state(tmp_path, 2021)
    assert loaded == state and loaded.previous is None and loaded.date == D1

    assert baseline_for(loaded, "k1") == (None, D1)  # rebuilt: the first version again

    baseline, when = baseline_for(loaded, "k2")
    assert baseline == Baseline((A, B), D1) and when is None  # new version, dated today
    b_pagar = replace(B, status=PAGAR)
    state2 = record_report(tmp_path, 2021, loaded, "k2", (A, b_pagar, C), D2)
    assert load_report_state(tmp_path, 2021) == state2

    again, kept_date = baseline_for(load_report_state(tmp_path, 2021), "k2")
    assert again == Baseline((A, B), D1) and kept_date == D2  # reproduces version 2 exactly
    assert compare(again, (A, b_pagar, C)) == compare(baseline, (A, b_pagar, C))

    baseline3, _ = baseline_for(state2, "k3")
    assert baseline3 == Baseline((A, b_pagar, C), D2)


def test_recording_an_unchanged_report_writes_nothing(tmp_path: Path) -> None:
    """The state file is not rewritten when the report's content key is already current."""
    state = record_report(tmp_path, 2021, None, "k1", (A,), D1)
    path = tmp_path / ".docautomation/report-2021.json"
    mtime = path.stat().st_mtime_ns
    assert record_report(tmp_path, 2021, state, "k1", (A, B), D3) == state
    assert path.stat().st_mtime_ns == mtime


def test_unreadable_state_counts_as_no_report(tmp_path: Path) -> None:
    """A corrupt or foreign state file is ignored (first version again), never a crash."""
    path = tmp_path / ".docautomation/report-2021.json"
    path.parent.mkdir(parents=True)
    for text in ("{oops", "[]", '{"version": 1, "key": "k", "date": "2021-13-01"}'):
        path.write_text(text, encoding="utf-8")
        assert load_report_state(tmp_path, 2021) is None
    assert load_report_state(tmp_path, 2022) is None


def test_compare_lists_new_changed_and_removed_wishes_in_swedish() -> None:
    """New wishes, status and category changes, and removed wishes become display lines."""
    baseline = Baseline((A, B, C), D1)
    current = (
        replace(A, status=PAGAR),
        replace(B, category=1),
        replace(C, category=2, status=LEVERERAD),
        WishSnapshot("ÖNS-4", "Ny kartfunktion", NY, None),
    )
    changes = compare(baseline, current)
    assert changes is not None and changes.previous_date == D1
    assert changes.new_wishes == ("ÖNS-4 Ny kartfunktion",)
    assert changes.status_changed == (
        ("ÖNS-1 Kartvy", NY, PAGAR),
        ("ÖNS-3 Avgifter", NY, LEVERERAD),
    )
    assert changes.category_changed == (("ÖNS-2 XML-export", 5, 1), ("ÖNS-3 Avgifter", None, 2))
    only_a = compare(baseline, (A,))
    assert only_a is not None and only_a.removed == ("ÖNS-2 XML-export", "ÖNS-3 Avgifter")


def test_compare_matches_ids_ignoring_case_and_spaces() -> None:
    """An ID retyped as " öns-1 " is the same wish, not a new and a removed one."""
    changes = compare(Baseline((A,), D1), (replace(A, id=" öns-1 "),))
    assert changes is not None
    assert (changes.new_wishes, changes.removed, changes.status_changed) == ((), (), ())


snapshots = st.lists(
    st.builds(
        WishSnapshot,
        id=st.sampled_from([f"ÖNS-{n}" for n in range(8)]),
        title=st.text(max_size=10),
        status=st.sampled_from(list(WishStatus)),
        category=st.none() | st.integers(1, 8),
    ),
    max_size=8,
    unique_by=lambda s: s.id,
)


@given(snapshots, snapshots)
def test_compare_accounts_for_every_wish(old: list[WishSnapshot], new: list[WishSnapshot]) -> None:
    """Against itself nothing changed; otherwise every added and removed ID is listed exactly once."""
    same = compare(Baseline(tuple(new), D1), new)
    assert same is not None
    assert (same.new_wishes, same.status_changed, same.category_changed, same.removed) == (
        (),
        (),
        (),
        (),
    )
    changes = compare(Baseline(tuple(old), D1), new)
    assert changes is not None
    old_ids, new_ids = {s.id for s in old}, {s.id for s in new}
    assert [line.split(" ")[0] for line in changes.new_wishes] == [
        s.id for s in new if s.id not in old_ids
    ]
    assert [line.split(" ")[0] for line in changes.removed] == [
        s.id for s in old if s.id not in new_ids
    ]


def _register(*wishes: Wish, supplier: str = "Prosona") -> Register:
    association = Association(name="Castor", year=2021, supplier=supplier)
    return Register("r.xlsx", association, (Category(1, "Lagstiftning"),), wishes=wishes)


def test_snapshot_uses_the_category_the_report_shows() -> None:
    """Ranked wishes carry their ranked (possibly rule-suggested) category; closed ones follow."""
    open_wish = Wish("ÖNS-1", "Kartvy", legal=True)
    done = Wish("ÖNS-2", "Export", status=LEVERERAD, category=4)
    ranking = Ranking(
        ranked=(RankedWish(1, open_wish, 1, "Lagstiftning", CategorySource.RULE, "Lagkrav"),),
        delivered=(done,),
    )
    assert snapshot(ranking) == (
        WishSnapshot("ÖNS-1", "Kartvy", NY, 1),
        WishSnapshot("ÖNS-2", "Export", LEVERERAD, 4),
    )


def test_content_key_follows_what_the_report_says() -> None:
    """Same data → same key; a wish's text or the supplier changes it; a moved row does not."""
    wish = Wish("ÖNS-1", "Kartvy", description="Visa avlopp", submitted=date(2021, 1, 5), row=4)
    snap = (WishSnapshot("ÖNS-1", "Kartvy", NY, None),)
    key = content_key(snap, _register(wish))
    assert key == content_key(snap, _register(replace(wish, row=9)))
    assert key != content_key(snap, _register(replace(wish, description="Visa enskilda avlopp")))
    assert key != content_key(snap, _register(wish, supplier="Annan leverantör"))
    assert key != content_key((replace(snap[0], category=3),), _register(wish))
