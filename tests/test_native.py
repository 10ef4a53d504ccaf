"""Tests for the native engine's compiled conditions: three-valued (Kleene) semantics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import greenrules as gr
from conftest import credit_code, factory
from greenrules._engines.interpreter import ClosureCompiler, values_at
from greenrules._rules import conditions as c


@pytest.fixture
def compiler(registry: gr.Registry) -> ClosureCompiler:
    ruleset = registry.ruleset(jurisdiction="ZZ", round=2030, tier="province", programme="factory")
    return ClosureCompiler(ruleset)


def run(compiler: ClosureCompiler, data: Any, entity: Any) -> Any:
    return compiler.condition(c.parse(data))(entity)


KNOWN_USER = {"fact": "water.key_water_user", "eq": True}
CERTIFIED = {"fact": "water.water_saving_certified", "eq": True}


@pytest.mark.parametrize(
    ("user", "certified", "conj", "disj"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (True, None, None, True),
        (False, None, False, None),
        (None, None, None, None),
        (False, False, False, False),
    ],
)
def test_kleene_and_or(
    compiler: ClosureCompiler, user: Any, certified: Any, conj: Any, disj: Any
) -> None:
    """all/any follow Kleene's strong three-valued logic."""
    f = factory(water={"key_water_user": user, "water_saving_certified": certified})
    assert run(compiler, {"all": [KNOWN_USER, CERTIFIED]}, f) is conj
    assert run(compiler, {"any": [KNOWN_USER, CERTIFIED]}, f) is disj


def test_not_keeps_unknown(compiler: ClosureCompiler) -> None:
    """Negating unknown gives unknown."""
    f = factory(water={})
    assert run(compiler, {"not": KNOWN_USER}, f) is None
    assert run(compiler, {"not": KNOWN_USER}, factory(water={"key_water_user": False})) is True


def test_comparison_on_missing_fact_is_unknown(compiler: ClosureCompiler) -> None:
    """A missing fact makes a comparison unknown, whichever the operator."""
    f = factory(submitted_on=None)
    for op in c.COMPARISONS:
        value: Any = ["2030-01-01"] if op in ("in", "not_in") else dt.date(2030, 1, 1)
        assert run(compiler, {"fact": "submitted_on", op: value}, f) is None


def test_missing_intermediate_record_is_unknown(compiler: ClosureCompiler) -> None:
    """Reading through a missing record (no report) is unknown, not an error."""
    f = factory(report=None)
    assert (
        run(compiler, {"fact": "report.agency.blacklisted_on", "le": dt.date(2030, 1, 1)}, f)
        is None
    )
    assert run(compiler, {"known": "report.agency"}, f) is False


def test_quantifiers_over_empty_missing_and_partial_lists(compiler: ClosureCompiler) -> None:
    """Some is false and every true on an empty list; a missing list is unknown."""
    some = {"some": "energy", "where": {"fact": "value", "le": 100}}
    every = {"every": "energy", "where": {"fact": "value", "le": 100}}
    assert run(compiler, some, factory(energy=[])) is False
    assert run(compiler, every, factory(energy=[])) is True
    assert run(compiler, some, factory(energy=None)) is None
    partial = factory(energy=[{"product": "widget", "value": 90}, {"product": "widget"}])
    assert run(compiler, some, partial) is True
    assert run(compiler, every, partial) is None


def test_lookup_reads_the_row_in_force(registry: gr.Registry) -> None:
    """Reference rows are chosen by the evaluation date; an empty cell is unknown."""
    cond = c.parse(
        {
            "every": "energy",
            "where": {
                "fact": "value",
                "le": {"lookup": "benchmarks", "key": {"fact": "product"}, "column": "benchmark"},
            },
        }
    )
    f = factory(energy=[{"product": "widget", "value": 95}])

    def at(day: dt.date) -> Any:
        rs = registry.ruleset(
            jurisdiction="ZZ", round=2030, tier="province", programme="factory", as_of=day
        )
        return ClosureCompiler(rs).condition(cond)(f)

    assert at(dt.date(2030, 6, 30)) is True  # first edition: benchmark 100
    assert at(dt.date(2031, 1, 1)) is False  # second edition: benchmark 90
    gizmo = factory(energy=[{"product": "gizmo", "value": 1}])
    rs = registry.ruleset(jurisdiction="ZZ", round=2030, tier="province", programme="factory")
    assert ClosureCompiler(rs).condition(cond)(gizmo) is None


def test_negative_values_compare_as_numbers(compiler: ClosureCompiler) -> None:
    """Lower is better and negatives are real: -35 reaches a benchmark of -30."""
    cond = {
        "every": "energy",
        "where": {
            "fact": "value",
            "le": {"lookup": "benchmarks", "key": {"fact": "product"}, "column": "benchmark"},
        },
    }
    assert run(compiler, cond, factory(energy=[{"product": "gadget", "value": -35}])) is True
    assert run(compiler, cond, factory(energy=[{"product": "gadget", "value": -25}])) is False


def test_count_is_unknown_when_an_item_is(registry: gr.Registry) -> None:
    """A count with an undecidable item is unknown rather than an undercount."""
    rs = registry.ruleset(jurisdiction="ZZ", round=2030, tier="province", programme="park")
    count = ClosureCompiler(rs).value(
        c.parse_value(
            {
                "count": "enterprises",
                "where": {"some": "memberships", "where": {"fact": "valid", "eq": True}},
            }
        )
    )

    def park(memberships: Any) -> gr.IndustrialPark:
        return gr.IndustrialPark(
            credit_code=credit_code(9),
            name="p",
            enterprises=[{"credit_code": credit_code(10), "name": "m", "memberships": memberships}],
        )

    assert count(park([{"programme": "factory", "tier": "city", "year": 2029}])) == 1
    assert count(park([])) == 0
    assert count(park(None)) is None


def test_missing_names_facts_params_and_references(compiler: ClosureCompiler) -> None:
    """Missing lists the absent facts and reference values a rule read."""
    rule = next(r for r in compiler.ruleset.rules if r.id == "B-F-benchmark")
    f = factory(energy=[{"product": "gizmo", "value": 1}, {"product": "widget"}])
    assert compiler.missing(list(rule.nodes()), f) == {
        "energy.value",
        "ref:benchmarks[gizmo].benchmark",
    }


def test_values_at_descends_lists() -> None:
    """values_at yields one value per item and None for a missing list."""
    f = factory(energy=[{"product": "a", "value": 1}, {"product": "b", "value": 2}])
    assert list(values_at(f, ["energy", "value"])) == [1.0, 2.0]
    assert list(values_at(factory(energy=None), ["energy", "value"])) == [None]
