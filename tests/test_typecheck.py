"""Tests for type checking conditions against an entity model when a pack registers."""

from __future__ import annotations

from typing import Any

import pytest

from greenrules._model.entities import Factory, IndustrialPark
from greenrules._model.facts import Kind, fact_schema
from greenrules._rules import conditions as c
from greenrules._rules import typecheck


def scope(model: type = Factory) -> typecheck.NameScope:
    return typecheck.NameScope(
        facts=fact_schema(model),
        params={"deadline": Kind.DATE, "share": Kind.NUMBER},
        tables={"benchmarks": {"benchmark": Kind.NUMBER}},
        predicates=frozenset({"custom"}),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fact": "water.key_user", "eq": True}, "no fact 'water.key_user'"),
        ({"fact": "water.key_water_user", "eq": 1}, "compares a bool with a number"),
        ({"fact": "water.key_water_user", "lt": True}, "booleans have no order"),
        ({"fact": "report.route", "eq": "agency"}, "never 'agency'"),
        ({"fact": "energy", "eq": 1}, "is a list"),
        ({"fact": "report", "eq": 1}, "is a record"),
        ({"fact": "submitted_on", "le": {"param": "nope"}}, "no parameter 'nope'"),
        ({"fact": "submitted_on", "le": {"param": "share"}}, "compares a date with a number"),
        ({"some": "name", "where": {"known": "x"}}, "not a list"),
        (
            {
                "some": "energy",
                "where": {
                    "fact": "value",
                    "le": {"lookup": "benchmarks", "key": {"fact": "product"}, "column": "nope"},
                },
            },
            "no column",
        ),
        (
            {
                "some": "energy",
                "where": {
                    "fact": "value",
                    "le": {"lookup": "other", "key": {"fact": "product"}, "column": "x"},
                },
            },
            "no reference table",
        ),
        (
            {
                "some": "energy",
                "where": {
                    "fact": "value",
                    "le": {"lookup": "benchmarks", "key": {"fact": "value"}, "column": "benchmark"},
                },
            },
            "keyed by text",
        ),
        ({"predicate": "unknown"}, "no predicate named"),
        ({"fact": "submitted_on", "le": {"shift": {"fact": "city"}, "days": 1}}, "takes a date"),
        ({"value": {"division": {"fact": "submitted_on"}, "level": "province"}, "eq": "1"}, "text"),
        ({"fact": "city", "in": {"keys": "nope"}}, "no reference table 'nope'"),
        ({"fact": "submitted_on", "in": {"keys": "benchmarks"}}, "table's keys"),
    ],
)
def test_check_rejects_mistyped_conditions(data: Any, message: str) -> None:
    """Type checking catches typos, kind mismatches and bad enum values before any evaluation."""
    with pytest.raises(c.ConditionError, match=message):
        typecheck.check(c.parse(data), scope())


def test_check_accepts_quantifiers_relative_to_items() -> None:
    """Inside some/every/count, paths are relative to the item."""
    cond = c.parse({"some": "memberships", "where": {"fact": "tier", "eq": "city"}})
    typecheck.check(cond, scope())
    count = c.parse({"value": {"count": "enterprises", "where": {"known": "name"}}, "ge": 3})
    typecheck.check(count, scope(IndustrialPark))
