"""Tests for the condition language: parsing, type checking, analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from greenrules._rules import conditions as c


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"fact": "water.key_water_user", "eq": True},
            c.Compare(c.Fact("water.key_water_user"), "eq", c.Constant(True)),
        ),
        ({"known": "report.agency"}, c.Known("report.agency")),
        ({"not": {"known": "report"}}, c.Not(c.Known("report"))),
        (
            {"fact": "report.route", "in": ["self"]},
            c.Compare(c.Fact("report.route"), "in", c.Constant(("self",))),
        ),
        ({"predicate": "custom"}, c.PredicateCall("custom")),
        (
            {"value": {"as_of": {"years": -3}}, "lt": {"fact": "submitted_on"}},
            c.Compare(c.AsOf(years=-3), "lt", c.Fact("submitted_on")),
        ),
        (
            {"fact": "submitted_on", "le": {"shift": {"fact": "report.issued_on"}, "years": 3}},
            c.Compare(c.Fact("submitted_on"), "le", c.Shift(c.Fact("report.issued_on"), years=3)),
        ),
        (
            {"value": {"division": {"fact": "city"}, "level": "prefecture"}, "in": ["150700"]},
            c.Compare(c.Division(c.Fact("city"), "prefecture"), "in", c.Constant(("150700",))),
        ),
        (
            {"fact": "city", "not_in": {"keys": "cities"}},
            c.Compare(c.Fact("city"), "not_in", c.Keys("cities")),
        ),
    ],
)
def test_parse_builds_the_tree(data: Any, expected: c.Condition) -> None:
    """Each form of the grammar parses to its node."""
    assert c.parse(data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("water", "a condition is a mapping"),
        ({"all": []}, "non-empty list"),
        ({"fact": "a", "eq": 1, "lt": 2}, "unrecognised condition"),
        ({"fact": "a..b", "eq": 1}, "dotted names"),
        ({"fact": "a", "in": 3}, "non-empty list of constants"),
        ({"fact": "a", "eq": None}, "constants are"),
        ({"fact": "a", "eq": float("nan")}, "not a finite number"),
        ({"fact": "a", "eq": float("inf")}, "not a finite number"),
        ({"fact": "a", "le": dt.datetime(2030, 1, 1, 9, 0)}, "time of day"),
        ({"value": {"as_of": {"years": 8000}}, "lt": 1}, "within"),
        ({"value": {"as_of": {"weeks": 1}}, "lt": 1}, "years, months, days"),
        ({"value": {"as_of": {"years": 1.5}}, "lt": 1}, "whole numbers"),
        ({"python": "x > 1"}, "unrecognised condition"),
        ({"value": {"shift": {"fact": "a"}, "years": 0.5}, "lt": 1}, "whole numbers"),
        ({"value": {"shift": {"fact": "a"}, "weeks": 1}, "lt": 1}, "unrecognised value"),
        ({"value": {"division": {"fact": "a"}, "level": "county"}, "eq": "1"}, "one of"),
        ({"fact": "a", "in": {"keys": ""}}, "expected a name"),
        ({"fact": "a", "in": {"rows": "t"}}, "or {keys: TABLE}"),
    ],
)
def test_parse_rejects_bad_shapes(data: Any, message: str) -> None:
    """Malformed conditions are refused with a message saying what is wrong."""
    with pytest.raises(c.ConditionError, match=message):
        c.parse(data)


def test_fact_paths_lists_reads_in_order() -> None:
    """Analysis lists every fact a condition reads, items as list.field."""
    cond = c.parse(
        {
            "all": [
                {"fact": "water.key_water_user", "eq": True},
                {"every": "energy", "where": {"fact": "value", "le": 3}},
            ]
        }
    )
    assert list(c.fact_paths(cond)) == ["water.key_water_user", "energy", "energy.value"]


def test_literal_thresholds_are_listed_with_their_fact() -> None:
    """Boundary constants are found with the absolute path they are compared with."""
    cond = c.parse({"every": "energy", "where": {"fact": "value", "le": 100}})
    assert list(c.literal_thresholds(cond)) == [("energy.value", 100)]


@pytest.mark.parametrize(
    ("shift", "day", "expected"),
    [
        (c.AsOf(years=-3), dt.date(2025, 5, 30), dt.date(2022, 5, 30)),
        (c.AsOf(years=-1), dt.date(2024, 2, 29), dt.date(2023, 2, 28)),
        (c.AsOf(months=1), dt.date(2025, 1, 31), dt.date(2025, 2, 28)),
        (c.AsOf(days=2), dt.date(2025, 12, 31), dt.date(2026, 1, 2)),
        (c.AsOf(), dt.date(2025, 5, 30), dt.date(2025, 5, 30)),
    ],
)
def test_as_of_shifts_clamp_to_real_dates(shift: c.AsOf, day: dt.date, expected: dt.date) -> None:
    """Shifting the evaluation date never produces an impossible date."""
    assert shift.resolve(day) == expected


@pytest.mark.parametrize(
    ("day", "years", "days", "expected"),
    [
        (dt.date(2022, 3, 10), 3, 0, dt.date(2025, 3, 10)),
        (dt.date(2024, 2, 29), 1, 0, dt.date(2025, 2, 28)),  # no 29 February: its month's end
        (dt.date(2024, 2, 29), 4, 0, dt.date(2028, 2, 29)),
        (dt.date(2025, 5, 30), -3, 1, dt.date(2022, 5, 31)),  # months first, then days
        (dt.date(9998, 6, 1), 3, 0, None),  # past the year 9999: unknown, not an error
    ],
)
def test_shift_moves_a_date_as_as_of_moves_the_evaluation_date(
    day: dt.date, years: int, days: int, expected: dt.date | None
) -> None:
    """A shifted date follows the as_of arithmetic: months, a day past the end clamped, days."""
    assert c.Shift(c.Fact("x"), years=years, days=days).apply(day) == expected
    if expected is not None:
        assert c.AsOf(years=years, days=days).resolve(day) == expected


@pytest.mark.parametrize(
    ("code", "prefecture", "province"),
    [
        ("150781", "150700", "150000"),  # a county-level city under its prefecture
        ("150700", "150700", "150000"),  # a prefecture is under itself
        ("152201", "152200", "150000"),  # leagues (盟) too
        ("15078", None, None),
        ("１５０７８１", None, None),  # full-width digits are not a code
    ],
)
def test_division_reads_the_hierarchy_from_the_code(
    code: str, prefecture: str | None, province: str | None
) -> None:
    """GB/T 2260 codes hold their hierarchy: two digits per level, zeros below."""
    assert c.Division(c.Fact("city"), "prefecture").apply(code) == prefecture
    assert c.Division(c.Fact("city"), "province").apply(code) == province


def test_keys_resolve_to_the_rows_in_force_and_read_no_facts() -> None:
    """A rule set replaces {keys: TABLE} by the table's keys; analysis sees the compared fact."""
    cond = c.parse({"value": {"division": {"fact": "city"}, "level": "prefecture"},
                    "in": {"keys": "cities"}})  # fmt: skip
    tables = {"cities": {"150700": {}, "150100": {}}}
    resolved = c.resolve_keys(cond, tables)
    assert resolved.right == c.Constant(("150100", "150700"))
    assert list(c.fact_paths(cond)) == ["city"]
    assert list(c.literal_thresholds(resolved)) == [("city", "150100"), ("city", "150700")]
    assert c.resolve_keys(cond, {}).right == c.Constant(())
