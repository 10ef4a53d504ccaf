"""Tests for the status of a round at a date, on the example round the CN-NM pack ships."""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from pathlib import Path

import pytest

import greenrules as gr
from greenrules._decision.round_status import ItemState, item_state
from greenrules._io.round_records import load_round_records
from greenrules._model.enums import Verdict
from greenrules._round import round_status

EXAMPLE = Path(str(files("greenrules_cn_nm") / "r2025" / "shared" / "round" / "records-2025.json"))
RECORDS = load_round_records(EXAMPLE)
ORDOS_SILICON, ORDOS_PARK = "91150600MA0000006K", "91150600MA00000519"
CHIFENG_2019, ULANQAB_LATE_FORM = "91150400MA00002015", "91150900MA00002022"
AGENCY_EXPIRED_BAN, AGENCY_LATE_2024 = "91150600MA0000003A", "91150300MA0000004X"
AGENCY_BLACKLISTED, WUHAI_ACCIDENT = "91150200MA0000002J", "91150300MA00002049"
BAYANNUR_REMOVED = "91150800MA00002030"

LATE_ON_31_MAY = {
    ("150700", "city-submission", 1),
    ("152200", "city-submission", 1),
    (ORDOS_SILICON, "unit-review-materials", 1),
    (CHIFENG_2019, "unit-review-materials", 1),
    (ORDOS_PARK, "unit-dynamic-form", 46),
    (CHIFENG_2019, "unit-dynamic-form", 46),
    (ULANQAB_LATE_FORM, "unit-dynamic-form", 7),
    (AGENCY_EXPIRED_BAN, "agency-annual-report", 31),
    (AGENCY_LATE_2024, "agency-annual-report", 6),
}
MISSING_ON_31_MAY = {("150600", "city-submission", "review-opinion")}


def _status(day: str) -> gr.RoundStatus:
    return round_status(RECORDS, jurisdiction="CN-NM", round=2025, as_of=dt.date.fromisoformat(day))


def _late(status: gr.RoundStatus) -> set[tuple[str, str, int | None]]:
    return {(i.subject, i.step, i.days_late) for i in status.by_state("late")}


def test_on_31_may_exactly_the_late_and_missing_items_the_example_holds() -> None:
    """The example was built with these late and missing items and no others."""
    status = _status("2025-05-31")
    assert _late(status) == LATE_ON_31_MAY
    missing = {(i.subject, i.step, p) for i in status.by_state("missing") for p, _, _ in i.missing}
    assert missing == MISSING_ON_31_MAY
    assert len(status.by_state("done")) == 56  # with the removed Bayannur unit's announcement


def test_on_20_may_the_30_may_items_are_due_not_late() -> None:
    """Before 30 May the late cities, the missing opinion and the review materials are due."""
    status = _status("2025-05-20")
    due = {(i.subject, i.step) for i in status.by_state("due")}
    for subject, step, _ in LATE_ON_31_MAY:
        if step in ("city-submission", "unit-review-materials"):
            assert (subject, step) in due
    assert ("150600", "city-submission") in due
    assert not status.by_state("missing")
    april = {(s, step) for s, step, _ in _late(status)}
    assert april == {
        (s, step) for s, step, _ in LATE_ON_31_MAY if step.startswith(("unit-d", "ag"))
    }


def test_the_region_steps_have_no_record_and_no_date_so_stay_unknown() -> None:
    """The notice sets no date for the region's steps: unknown without a record, never late."""
    status = _status("2025-12-31")
    region = [i for i in status.items if i.actor == "region_department"]
    assert {i.state for i in region} == {ItemState.UNKNOWN}
    assert all(i.due is None for i in region)


def test_who_owes_a_review_or_a_form_is_decided_by_the_applicant_rules() -> None:
    """Only 2019 and 2022 units owe review materials; a removed unit owes no form."""
    status = _status("2025-05-31")
    reviewed = {i.subject for i in status.items if i.step == "unit-review-materials"}
    years = {u.credit_code: u.year for u in RECORDS.listed_units}
    assert reviewed == {code for code, year in years.items() if year in (2019, 2022)}
    forms = {i.subject for i in status.items if i.step == "unit-dynamic-form"}
    removed = {u.credit_code for u in RECORDS.listed_units if u.removed_on is not None}
    assert removed and not removed & forms


def test_agency_findings_agree_with_an_applicant_decision() -> None:
    """The blacklisted agency is barred through the third anniversary of the finding."""
    status = _status("2025-05-31")
    found = {(f.subject, f.check): f for f in status.findings}
    barred = found[(AGENCY_BLACKLISTED, "agency-blacklist")]
    assert barred.until == dt.date(2027, 3, 13)  # the ban runs through the 3rd anniversary
    assert (AGENCY_LATE_2024, "agency-last-report") in found
    assert (AGENCY_EXPIRED_BAN, "agency-blacklist") not in found
    assert set(found) == {
        (AGENCY_BLACKLISTED, "agency-blacklist"),
        (AGENCY_LATE_2024, "agency-last-report"),
        (WUHAI_ACCIDENT, "unit-removal"),
    }
    applicants = gr.load_entities(EXAMPLE.parents[1] / "examples" / "round-2025.json")
    for applicant in applicants:
        agency = applicant.report.agency if applicant.report else None
        if agency is None:
            continue
        decision = gr.evaluate(
            applicant, tier="province", round=2025, jurisdiction="CN-NM", as_of=status.as_of
        )
        for rule, check in (
            ("NM25-F-agency-not-blacklisted", "agency-blacklist"),
            ("NM25-F-agency-annual-report", "agency-last-report"),
        ):
            if applicant.programme == "factory":
                failed = decision.verdict(rule) is Verdict.FAIL
                assert failed == ((agency.credit_code, check) in found)


def test_the_bar_is_lifted_on_the_day_the_rule_passes() -> None:
    """On the day ``until`` names the agency is no longer flagged; the day before it is."""
    for day, flagged in (("2027-03-12", True), ("2027-03-13", False)):
        records = RECORDS.model_copy(update={"round": 2025})
        status = round_status(
            records, jurisdiction="CN-NM", round=2025, as_of=dt.date.fromisoformat(day)
        )
        checks = {(f.subject, f.check) for f in status.findings}
        assert ((AGENCY_BLACKLISTED, "agency-blacklist") in checks) is flagged


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"done_on": None, "recorded": False, "as_of": "2025-05-30"}, (ItemState.UNKNOWN, None)),
        ({"done_on": None, "recorded": True, "as_of": "2025-05-30"}, (ItemState.DUE, None)),
        ({"done_on": None, "recorded": False, "as_of": "2025-06-02"}, (ItemState.LATE, 3)),
        (
            {"done_on": "2025-05-30", "recorded": True, "as_of": "2025-06-02"},
            (ItemState.DONE, None),
        ),
        ({"done_on": "2025-06-01", "recorded": True, "as_of": "2025-06-02"}, (ItemState.LATE, 2)),
    ],
)
def test_item_state_table(
    kwargs: dict[str, object], expected: tuple[ItemState, int | None]
) -> None:
    """The state table: unknown until the deadline without a record, then late by the day."""
    done = kwargs["done_on"]
    done_on = None if done is None else dt.date.fromisoformat(str(done))
    state = item_state(
        due=dt.date(2025, 5, 30),
        as_of=dt.date.fromisoformat(str(kwargs["as_of"])),
        recorded=bool(kwargs["recorded"]),
        done_on=done_on,
        completed_on=done_on,
        missing=False,
    )
    assert state == expected


def test_records_of_another_round_or_twice_the_same_city_are_refused() -> None:
    """Wrong round, wrong jurisdiction and duplicate records are input problems, all at once."""
    with pytest.raises(gr.InvalidInputError) as info:
        round_status(RECORDS, jurisdiction="CN-NM", round=2024, as_of=dt.date(2025, 5, 31))
    assert [p.code for p in info.value.problems] == ["bad-argument"]
    doubled = RECORDS.model_copy(update={"cities": RECORDS.cities + RECORDS.cities[:1]})
    with pytest.raises(gr.InvalidInputError) as info:
        round_status(doubled, jurisdiction="CN-NM", round=2025, as_of=dt.date(2025, 5, 31))
    assert [(p.code, p.loc) for p in info.value.problems] == [("duplicate-record", ("cities", 12))]


def test_a_bad_records_file_names_the_place(tmp_path: Path) -> None:
    """A wrong date in a city's record is reported at its place, with the file."""
    text = EXAMPLE.read_text(encoding="utf-8").replace('"2025-05-26"', '"26 May"', 1)
    path = tmp_path / "records.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(gr.InvalidInputError) as info:
        load_round_records(path)
    (problem,) = info.value.problems
    assert problem.code == "bad-date"
    assert problem.loc == ("cities", 0, "sent_on")
    assert info.value.source == str(path)


def test_the_cli_prints_the_example_round(capsys: pytest.CaptureFixture[str]) -> None:
    """``greenrules round`` without records reads the pack's example and prints the status."""
    from greenrules._cli import main

    assert main(["round", "--as-of", "2025-05-31", "--jurisdiction", "CN-NM"]) == 0
    text = capsys.readouterr().out
    assert text == _status("2025-05-31").render("en")
    assert main(["round", str(EXAMPLE), "--as-of", "2025-05-31", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["late"] == len(LATE_ON_31_MAY)


def test_the_cli_refuses_records_of_another_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records of 2024 asked about round 2025 exit with an input error, not a traceback."""
    from greenrules._cli import main

    path = tmp_path / "records.json"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace('"round": 2025', '"round": 2024'))
    assert main(["round", str(path), "--as-of", "2025-05-31"]) == 2
    assert "bad-argument" in capsys.readouterr().err


def test_the_workbook_writes_text_never_formulas(tmp_path: Path) -> None:
    """A unit named like a formula is written as a string cell."""
    openpyxl = pytest.importorskip("openpyxl")
    unit = RECORDS.listed_units[0].model_copy(update={"name": "=HYPERLINK(1)"})
    records = RECORDS.model_copy(update={"listed_units": (unit,)})
    status = round_status(records, jurisdiction="CN-NM", round=2025, as_of=dt.date(2025, 5, 31))
    path = gr.write_round_status(tmp_path / "status.xlsx", status, lang="en")
    sheet = openpyxl.load_workbook(path)["Duties"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_columnar_engine_gives_the_same_status() -> None:
    """Listed units and agencies put to the columnar engine give the same items and findings."""
    pytest.importorskip("polars")
    day = dt.date(2025, 5, 31)
    columnar = round_status(RECORDS, jurisdiction="CN-NM", round=2025, as_of=day, engine="columnar")
    assert columnar == _status("2025-05-31")


def test_a_replaced_calendar_moves_the_round_deadlines() -> None:
    """An official calendar supplied with ``with_reference`` drives the round status too."""
    registry = gr.default_registry()
    pack = registry.get("cn-nm", 2025)
    rows = [dict(row) for row in pack.tables["annual_deadlines"].rows]
    for row in rows:
        if row["name"] == "city_submission":
            row["day"] = 20
    moved = registry.with_reference("cn-nm", 2025, "annual_deadlines", rows)
    on_25_may = dt.date(2025, 5, 25)
    before = round_status(RECORDS, jurisdiction="CN-NM", round=2025, as_of=on_25_may)
    after = round_status(RECORDS, jurisdiction="CN-NM", round=2025, as_of=on_25_may, registry=moved)
    assert {i.due for i in before.items if i.step == "city-submission"} == {dt.date(2025, 5, 30)}
    assert {i.due for i in after.items if i.step == "city-submission"} == {dt.date(2025, 5, 20)}
    assert ("150700", "city-submission", 5) in _late(after)


def test_a_unit_meeting_a_removal_condition_owes_the_announcement_never_late() -> None:
    """3.1-b: removal and announcement are owed, with no date the notice sets."""
    status = _status("2025-12-31")
    owed = {i.subject: i for i in status.items if i.step == "unit-removal-announced"}
    assert set(owed) == {WUHAI_ACCIDENT, BAYANNUR_REMOVED}
    assert owed[WUHAI_ACCIDENT].state is gr.ItemState.DUE and owed[WUHAI_ACCIDENT].due is None
    assert owed[BAYANNUR_REMOVED].state is gr.ItemState.DONE
    unannounced = RECORDS.model_copy(
        update={
            "listed_units": tuple(
                u.model_copy(update={"removal_announced_on": None})
                if u.credit_code == BAYANNUR_REMOVED
                else u
                for u in RECORDS.listed_units
            )
        }
    )
    again = round_status(unannounced, jurisdiction="CN-NM", round=2025, as_of=dt.date(2025, 12, 31))
    [item] = [
        i
        for i in again.items
        if i.step == "unit-removal-announced" and i.subject == BAYANNUR_REMOVED
    ]
    assert item.state is gr.ItemState.DUE


def test_the_cli_exports_the_national_candidates_with_the_known_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``greenrules national``: CSV of the candidates; a formula-like name stays text."""
    import csv as csv_module

    from greenrules._cli import main
    from greenrules._national import NATIONAL_FIELDS

    example = files("greenrules_cn_nm") / "r2025/shared/examples/round-2025.json"
    doc = json.loads(example.read_text(encoding="utf-8"))
    listed = [
        {**a, "report": {"route": "self", "issued_on": "2025-04-20"}}
        for a in doc["applicants"]
        if a["programme"] == "factory"
        and any(m["tier"] == "province" for m in a.get("memberships") or ())
    ]
    listed[0]["name"] = "=HYPERLINK(1)"
    path = tmp_path / "region-list.json"
    path.write_text(json.dumps({**doc, "applicants": listed}, ensure_ascii=False))
    assert main(["national", str(path), "--jurisdiction", "CN-NM"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv_module.DictReader(out.splitlines()))
    assert tuple(rows[0]) == NATIONAL_FIELDS
    expected = gr.national_candidates(gr.load_entities(path), jurisdiction="CN-NM", round=2025)
    assert [r["credit_code"] for r in rows] == [d.entity_id for d in expected]
    assert rows and all(r["status"] in ("recommend", "undetermined") for r in rows)
    by_code = {r["credit_code"]: r for r in rows}
    assert by_code[listed[0]["credit_code"]]["name"] == "'=HYPERLINK(1)"  # data, not a formula
    assert "platform's own field names" in err
    assert main(["national", str(path), "--format", "json", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert [r["credit_code"] for r in json.loads(out)] == [d.entity_id for d in expected]
    assert err == ""
