"""Tests for the evaluation API: arguments, batches, determinism, the clock."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

import greenrules as gr
from conftest import credit_code, factory


def test_evaluate_many_keeps_input_order_across_programmes(registry: gr.Registry) -> None:
    """A mixed batch comes back in input order, each with its programme's rules."""
    park = gr.IndustrialPark(credit_code=credit_code(50), name="p", industry_value_added_share=0.8)
    batch = [factory(1), park, factory(2)]
    decisions = gr.evaluate_many(
        batch, tier="province", round=2030, jurisdiction="ZZ", registry=registry
    )
    assert [d.entity_id for d in decisions] == [e.credit_code for e in batch]
    assert decisions[1].programme is gr.Programme.PARK
    assert "B-P-share" in decisions[1].rule_ids


def test_progress_is_reported(registry: gr.Registry) -> None:
    """evaluate_many reports how many entities are done."""
    seen: list[int] = []
    gr.evaluate_many(
        [factory(1), factory(2)],
        tier="province",
        round=2030,
        jurisdiction="ZZ",
        registry=registry,
        progress=seen.append,
    )
    assert seen[-1] == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"tier": "county"}, "tier"),
        ({"round": "2030"}, "round"),
        ({"jurisdiction": 15}, "jurisdiction"),
        ({"as_of": "2030-01-01"}, "as_of"),
        ({"as_of": dt.datetime(2030, 1, 1)}, "as_of"),
        ({"engine": "quantum"}, "engine"),
    ],
)
def test_bad_arguments_name_the_argument(registry: gr.Registry, kwargs: Any, field: str) -> None:
    """Each bad argument is reported by name, with what was given."""
    args = {"tier": "province", "round": 2030, "jurisdiction": "ZZ", **kwargs}
    with pytest.raises(gr.InvalidInputError) as info:
        gr.evaluate(factory(), registry=registry, **args)
    assert [p.location for p in info.value.problems] == [field]
    assert info.value.problems[0].code == "bad-argument"


def test_non_entities_are_refused(registry: gr.Registry) -> None:
    """An agency is an input error naming the position; a record without a programme too."""
    agency = gr.EvaluationAgency(credit_code=credit_code(9), name="a")
    with pytest.raises(gr.InvalidInputError) as info:
        gr.evaluate_many(
            [{"name": "x"}, agency],
            tier="province",
            round=2030,  # type: ignore[list-item]
            jurisdiction="ZZ",
            registry=registry,
        )
    problems = [(p.code, p.loc) for p in info.value.problems]
    assert problems == [("missing-field", (0, "programme")), ("entity-type", (1,))]


def test_records_are_decided_as_their_models(registry: gr.Registry) -> None:
    """A record as a JSON file holds it is decided as the model built from it.

    The caller's record is left as given.
    """
    model = factory()
    record = {"programme": "factory", **model.model_dump(mode="json", exclude_none=True)}
    given = copy.deepcopy(record)
    args: dict[str, Any] = {"tier": "province", "round": 2030, "jurisdiction": "ZZ"}
    from_record, from_model = gr.evaluate_many([record, model], registry=registry, **args)
    assert from_record.to_dict() == from_model.to_dict()
    assert record == given


def test_bad_records_are_all_located_before_any_is_decided(registry: gr.Registry) -> None:
    """Every bad record and field is reported together, by index and field."""
    good = {"programme": "factory", **factory().model_dump(mode="json", exclude_none=True)}
    wrong_type = {**good, "department_objection": "no"}
    bad_code = {**good, "credit_code": "91150200MA0000005X"}
    with pytest.raises(gr.InvalidInputError) as info:
        gr.evaluate_many(
            [good, wrong_type, bad_code],
            tier="province",
            round=2030,
            jurisdiction="ZZ",
            registry=registry,
        )
    problems = [(p.code, p.loc) for p in info.value.problems]
    assert problems == [
        ("wrong-type", (1, "department_objection")),
        ("bad-credit-code", (2, "credit_code")),
    ]


def test_as_of_defaults_to_the_pack_evaluation_date(evaluate: Any) -> None:
    """Without as_of the pack's round date is used, never today's date."""
    assert evaluate(factory()).provenance.as_of == dt.date(2030, 6, 30)
    assert evaluate(factory(), jurisdiction="ZZ-TA").provenance.as_of == dt.date(2030, 5, 31)


def test_evaluation_never_reads_the_clock(evaluate: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decisions do not depend on the day they are made."""
    before = evaluate(factory()).to_dict()

    class Frozen(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return dt.date(1999, 1, 1)

    monkeypatch.setattr(dt, "date", Frozen)
    assert evaluate(factory()).to_dict() == before


def test_evaluation_does_not_mutate_the_entity(evaluate: Any) -> None:
    """The entity is unchanged after evaluation."""
    f = factory(waivers=[{"rule": "B-F-water", "justification": "x" * 20}])
    snapshot = f.model_dump()
    evaluate(f)
    assert f.model_dump() == snapshot


def test_rank_orders_by_status_then_priority_stably(evaluate: Any) -> None:
    """Recommended first, higher priority first, ties in input order."""
    high1 = evaluate(factory(1))
    low = evaluate(factory(2, energy=[{"product": "widget", "value": 150.0}]))
    high2 = evaluate(factory(3))
    bad = evaluate(factory(4, conformity={"in_production": False}))
    unknown = evaluate(factory(5, conformity={}))
    ranked = gr.rank([bad, low, high1, unknown, high2]).decisions
    assert [d.entity_id for d in ranked] == [d.entity_id for d in (high1, high2, low, unknown, bad)]


def test_default_registry_evaluates_the_bundled_packs() -> None:
    """Without a registry, the installed packs are used."""
    f = gr.Factory(
        credit_code=credit_code(1),
        name="x",
        report={"route": "self"},
        memberships=[{"programme": "factory", "tier": "city", "year": 2024}],
        water={"key_water_user": False},
    )
    d = gr.evaluate(f, tier="province", round=2025, jurisdiction="CN-NM")
    assert [(p.id, p.version[:4]) for p in d.provenance.packs] == [
        ("cn-national", "2024"),
        ("cn-national-factory", "2024"),
        ("cn-national", "2025"),
        ("cn-national-factory", "2025"),
        ("cn-nm", "2025"),
        ("cn-nm-factory", "2025"),
    ]
