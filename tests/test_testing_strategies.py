"""Tests for greenrules.testing's strategies: valid, complete, pinnable, aimed, with unknowns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic import BaseModel

import greenrules
from greenrules._model.credit_code import credit_code_problem
from greenrules.testing import (
    Targets,
    agencies,
    applicants,
    credit_codes,
    factories,
    parks,
    rounds,
    supply_chain_enterprises,
    targets,
)
from greenrules.testing._fields import schema_paths

AIMED = Path(__file__).parent / "kit_packs" / "aimed"
MODELS: list[tuple[type[BaseModel], Any]] = [
    (greenrules.Factory, factories),
    (greenrules.IndustrialPark, parks),
    (greenrules.SupplyChainEnterprise, supply_chain_enterprises),
    (greenrules.EvaluationAgency, agencies),
]
COLLECT = settings(
    max_examples=600,  # enough draws to reach the deepest optional fields of the larger models
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def values_at(obj: Any, path: str) -> list[Any]:
    """Every value at a dotted path, descending into tuples; None where a step is missing."""
    out = [obj]
    for part in path.split("."):
        nxt: list[Any] = []
        for item in out:
            if isinstance(item, tuple):
                nxt.extend(getattr(i, part) for i in item)
            elif item is None:
                nxt.append(None)
            else:
                nxt.append(getattr(item, part))
        out = nxt
    return out


def collect(strategy: st.SearchStrategy[Any], check: settings = COLLECT) -> list[Any]:
    """Draw examples from a strategy outside any property, for statistics over many of them."""
    drawn: list[Any] = []

    @check
    @given(strategy)
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    return drawn


def known(value: Any) -> bool:
    return value is not None and value != ()


@pytest.mark.parametrize(("model", "strategy"), MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_every_field_is_generated(model: type[BaseModel], strategy: Any) -> None:
    """Every path of every entity model, inside lists too, is given a value in some example."""
    drawn = collect(strategy())
    never = [
        path
        for path in schema_paths(model)
        if not any(known(v) for e in drawn for v in values_at(e, path))
    ]
    assert never == [], f"never generated on {model.__name__}: {never}"


@pytest.mark.parametrize(("model", "strategy"), MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_every_optional_fact_is_sometimes_missing(model: type[BaseModel], strategy: Any) -> None:
    """Each top-level optional fact is left unknown (None) in some example."""
    drawn = collect(strategy())
    optional = [
        n for n, f in model.model_fields.items() if f.default is None and not f.is_required()
    ]
    never = [n for n in optional if all(getattr(e, n) is not None for e in drawn)]
    assert never == []


@settings(max_examples=50, database=None)
@given(applicants())
def test_entities_are_valid(entity: greenrules.Applicant) -> None:
    """A generated applicant survives a JSON round trip through its own model unchanged."""
    again = type(entity).model_validate_json(entity.model_dump_json())
    assert again == entity
    assert credit_code_problem(entity.credit_code) is None


@settings(max_examples=50, database=None)
@given(factories(missing=False))
def test_missing_false_leaves_no_fact_unknown(entity: greenrules.Factory) -> None:
    """With missing=False every optional fact of the entity and its records is known.

    Except a self-evaluated report's agency: the model refuses one there (not unknown, absent).
    """
    self_evaluated = entity.report is not None and entity.report.route == "self"
    for path in schema_paths(greenrules.Factory):
        if self_evaluated and path.startswith("report.agency"):
            assert all(v is None for v in values_at(entity, path)), path
            continue
        assert all(v is not None for v in values_at(entity, path)), path


@settings(max_examples=30, database=None)
@given(
    factories(
        pin={
            "water.key_water_user": True,
            "memberships.tier": greenrules.Tier.PROVINCE,
            "submitted_on": st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
        }
    )
)
def test_pins_hold_in_every_example(entity: greenrules.Factory) -> None:
    """Pins hold; a pin inside a list pins every item of a list that is never empty."""
    assert entity.water.key_water_user is True
    assert entity.memberships
    assert {m.tier for m in entity.memberships} == {greenrules.Tier.PROVINCE}
    assert entity.submitted_on is not None and entity.submitted_on.month == 1


@settings(max_examples=20, database=None)
@given(factories(pin={"report": None, "energy": ()}))
def test_pins_may_force_unknown_and_empty(entity: greenrules.Factory) -> None:
    """A fact pinned to None is always unknown; a list pinned to () is always empty."""
    assert entity.report is None
    assert entity.energy == ()


def test_a_pin_naming_no_field_is_an_argument_error() -> None:
    """An unknown pin path raises InvalidArgument naming the path and the model."""
    with pytest.raises(InvalidArgument, match=r"energy\.valu.*Factory"):
        factories(pin={"energy.valu": 1.0})


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: factories(missing="yes"), "missing='yes'"),  # type: ignore[arg-type]
        (lambda: applicants(programmes=["farm"]), "programmes=['farm']"),
        (lambda: rounds(min_size=-1), "min_size=-1"),
        (lambda: rounds(min_size=3, max_size=2), "max_size=2"),
        (lambda: factories(aim="CN-NM"), "aim='CN-NM'"),
    ],
)
def test_bad_arguments_name_the_argument(call: Any, argument: str) -> None:
    """Argument errors say which argument was wrong and what it was."""
    with pytest.raises((InvalidArgument, TypeError), match=argument.replace("[", r"\[")):
        call()


def test_applicants_keep_to_the_programmes_asked() -> None:
    """applicants(programmes=...) only generates those programmes; pins apply where they fit."""
    drawn = collect(
        applicants(programmes=["park", "factory"], pin={"green_microgrid": True}),
        settings(COLLECT, max_examples=60),
    )
    assert {type(e) for e in drawn} == {greenrules.IndustrialPark, greenrules.Factory}
    assert all(e.green_microgrid for e in drawn if isinstance(e, greenrules.IndustrialPark))


def test_aim_reaches_literals_params_tables_dates_and_counts() -> None:
    """Targets hold values around literals, params, lookups, dates and count sizes."""
    found = targets(greenrules.load_pack(AIMED))
    share = found.values["industry_value_added_share"]
    assert 0.6 in share and min(share) < 0.6 < max(share)
    assert {499_999_999, 500_000_000, 500_000_001, 800_000_000} <= set(
        found.values["annual_revenue_cny"]
    )
    assert {8.5, 12_999, 13_000, 13_001} <= set(found.values["energy.value"])
    assert set(found.values["energy.product"]) == {"电解铝", "多晶硅"}
    assert dt.date(2024, 5, 30) in found.values["report.issued_on"]
    assert found.sizes["enterprises"] == (2, 3, 4)
    assert found.waivable == ("T-F-benchmark", "T-P-factories")


def test_aimed_strategies_hit_the_thresholds_often() -> None:
    """Aimed at a pack, generated facts land exactly on its constants in many examples."""
    pack = greenrules.load_pack(AIMED)
    drawn = collect(factories(aim=pack, missing=False), settings(COLLECT, max_examples=400))
    values = [v for e in drawn for v in values_at(e, "energy.value")]
    assert sum(v in (8.5, 13_000.0) for v in values) >= 10
    waived = {w.rule for e in drawn for w in e.waivers}
    assert "T-F-benchmark" in waived
    issued = [e.report.issued_on for e in drawn]
    assert dt.date(2024, 5, 30) in issued


def test_explicit_targets_are_aimed_at() -> None:
    """A hand-made Targets value aims a strategy like a pack does."""
    aim = Targets(values={"energy.value": (1.25,)}, sizes={"energy": (5,)})
    drawn = collect(factories(aim=aim, missing=False), settings(COLLECT, max_examples=100))
    assert any(1.25 in values_at(e, "energy.value") for e in drawn)
    assert any(len(e.energy) == 5 for e in drawn)


def test_rounds_have_distinct_applicants_sharing_few_agencies() -> None:
    """A round's applicants have distinct credit codes and draw on at most three agencies."""
    drawn = collect(
        rounds(min_size=2, max_size=8, missing=False), settings(COLLECT, max_examples=40)
    )
    for applicants_ in drawn:
        codes = [a.credit_code for a in applicants_]
        assert len(codes) == len(set(codes)) and 2 <= len(codes) <= 8
        agencies_ = {
            a.report.agency.credit_code for a in applicants_ if a.report and a.report.agency
        }
        assert len(agencies_) <= 3


@settings(max_examples=100, database=None)
@given(credit_codes())
def test_credit_codes_carry_a_correct_check_character(code: str) -> None:
    """Every generated credit code passes GB 32100's check."""
    assert credit_code_problem(code) is None
