"""The Inner Mongolia round calendar answers the notice's deadlines for any round."""

from __future__ import annotations

import datetime as dt

import pytest

import greenrules as gr
from greenrules._rules.reference import load_table
from greenrules_cn_national import shared_2024
from greenrules_cn_nm import calendar, pack_2025


def test_the_2025_deadlines_are_the_notices() -> None:
    """15 April form, 30 April agency report, 30 May city submission and review materials."""
    due = {d.name: d.due for d in calendar.deadlines(2025)}
    assert due == {
        "dynamic_form": dt.date(2025, 4, 15),
        "agency_report": dt.date(2025, 4, 30),
        "city_submission": dt.date(2025, 5, 30),
        "review_materials": dt.date(2025, 5, 30),
    }
    assert [d.due for d in calendar.deadlines(2025)] == sorted(due.values())
    assert not any(d.assumed for d in calendar.deadlines(2025))


def test_deadlines_agree_with_the_rule_parameters() -> None:
    """The calendar and the rules' dated parameters give the same 2025 dates."""
    params = pack_2025().params
    national = shared_2024().params
    day = dt.date(2025, 5, 30)
    assert calendar.deadline("dynamic_form", 2025).due == national["dynamic_form_deadline"].at(day)
    assert calendar.deadline("agency_report", 2024).due == params["agency_report_due"].at(day)


def test_another_round_recurs_the_yearly_dates_and_marks_the_carried_ones() -> None:
    """Yearly (每年) deadlines recur; the round's own dates carry over as assumptions."""
    by_name = {d.name: d for d in calendar.deadlines(2027)}
    assert by_name["dynamic_form"].due == dt.date(2027, 4, 15)
    assert by_name["dynamic_form"].recurring and not by_name["dynamic_form"].assumed
    assert by_name["agency_report"].due == dt.date(2027, 4, 30)
    assert by_name["city_submission"].due == dt.date(2027, 5, 30)
    assert by_name["city_submission"].assumed and by_name["review_materials"].assumed


def test_each_deadline_cites_a_clause_of_the_pack() -> None:
    """Every deadline names a clause of the 2025 catalogue."""
    pack = pack_2025()
    for d in calendar.deadlines(2025):
        assert pack.clause(d.clause).id == d.clause
        assert d.who_zh and d.who_en and d.what_zh and d.what_en and d.source


def test_lateness_counts_the_due_day_as_on_time() -> None:
    """Filing on the due day is on time; the next day is late."""
    form = calendar.deadline("dynamic_form", 2026)
    assert not form.is_late(dt.date(2026, 4, 15))
    assert form.is_late(dt.date(2026, 4, 16))


def test_a_supplied_deadline_table_drives_the_calendar() -> None:
    """A pack with a replaced deadline table yields the replaced dates."""
    pack = pack_2025()
    rows = [dict(row) for row in pack.tables["annual_deadlines"].rows]
    for row in rows:
        if row["name"] == "city_submission":
            row["day"] = 20
    table = load_table("annual_deadlines", "name", pack.tables["annual_deadlines"].columns, rows)
    assert calendar.deadline("city_submission", 2025, pack=pack.with_table(table)).due == (
        dt.date(2025, 5, 20)
    )


def test_unknown_names_and_bad_rounds_are_refused() -> None:
    """A wrong name lists the known ones; a round that is not a year names the argument."""
    with pytest.raises(LookupError, match="dynamic_form"):
        calendar.deadline("report", 2025)
    with pytest.raises(ValueError, match="round_="):
        calendar.deadlines("2025")  # type: ignore[arg-type]


def test_review_units_are_those_the_region_or_miit_announced_in_2019_or_2022() -> None:
    """A valid 2019/2022 region or national listing of the programme owes review materials.

    That is NM2025-3.3-a; a city listing, a lapsed one or another programme's does not.
    """
    assert calendar.review_years() == frozenset({2019, 2022})
    code = "91150200MA0000005U"

    def unit(name: str, *memberships: dict[str, object]) -> gr.Factory:
        return gr.Factory.model_validate(
            {"credit_code": code, "name": name, "memberships": list(memberships)}
        )

    region = unit("a", {"programme": "factory", "tier": "province", "year": 2019})
    national = unit("b", {"programme": "factory", "tier": "national", "year": 2022})
    city = unit("c", {"programme": "factory", "tier": "city", "year": 2019})
    lapsed = unit("d", {"programme": "factory", "tier": "province", "year": 2022, "valid": False})
    other = unit("e", {"programme": "park", "tier": "province", "year": 2019})
    recent = unit("f", {"programme": "factory", "tier": "province", "year": 2023})
    none = gr.Factory.model_validate({"credit_code": code, "name": "g"})
    batch = [recent, region, city, lapsed, other, national, none]
    assert calendar.review_units(batch) == [region, national]
