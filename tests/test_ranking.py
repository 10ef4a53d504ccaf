"""Ranking per programme, priority ranges, what to ask next, and decisions as values.

The example round is the user's view: one list per programme, the methanol plant's place not
settled until its benchmark is known. The property test fills in the facts a decision names
missing and checks that the score never leaves the range the decision gave.
"""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import greenrules as gr
from greenrules._engines import rete as _rete
from greenrules.testing import applicants

EXAMPLE = Path(__file__).parents[1] / "criteria/greenrules_cn_nm/r2025/shared/examples"
EXAMPLE = EXAMPLE / "round-2025.json"
ARGS: dict[str, Any] = {"tier": "province", "round": 2025, "jurisdiction": "CN-NM"}
METHANOL = "91150600MA00000128"
REGISTRY = gr.default_registry()


@pytest.fixture(scope="module")
def round_() -> tuple[list[gr.Applicant], list[gr.Decision]]:
    entities = gr.load_entities(EXAMPLE)
    return entities, gr.evaluate_many(entities, registry=REGISTRY, **ARGS)


def _entry(ranking: gr.Ranking, credit_code: str) -> gr.Ranked:
    (entry,) = [e for e in ranking if e.decision.entity_id == credit_code]
    return entry


# --- ranking per programme -----------------------------------------------------------------


def test_each_programme_is_ranked_on_its_own_in_a_fixed_order(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """Factories, then parks, then supply chains, each numbered from 1; input order is no matter."""
    _, decisions = round_
    for given_order in (decisions, decisions[::-1]):
        ranking = gr.rank(given_order)
        assert ranking.programmes == (
            gr.Programme.FACTORY,
            gr.Programme.PARK,
            gr.Programme.SUPPLY_CHAIN,
        )
        for programme in ranking.programmes:
            entries = ranking.of(programme)
            assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
            assert all(e.programme is programme for e in entries)
        assert len(ranking) == len(decisions)
        assert [e.decision for e in ranking] == list(ranking.decisions)


def test_the_legend_says_what_each_park_level_counts(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """The park list's two levels: green factories inside, then the national priorities."""
    ranking = gr.rank(round_[1])
    levels = ranking.legend("park")
    assert [lv.order for lv in levels] == [0, 1]
    assert "绿色工厂" in levels[0].label("zh") and "NM2025-2.1.2-d" in levels[0].label_en
    assert "CN-P-circular" in levels[1].rules and "循环化改造" in levels[1].label("zh")
    assert ranking.legend("factory")[0].rules == (
        "NM25-F-review-2019-2022",
        "NM25-F-benchmark",
        "NM25-F-quota-grade1",
    )


def test_the_methanol_plant_is_placed_by_what_is_known_and_marked(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """Its benchmark is missing: score 0 to 1, placed at 0, able to climb among the 1s."""
    ranking = gr.rank(round_[1])
    entry = _entry(ranking, METHANOL)
    priority = entry.decision.priority
    assert (priority.score, priority.low, priority.high) == ((0.0,), (0.0,), (1.0,))
    assert priority.unsettled == (("NM25-F-benchmark", 0.0, 1.0),)
    assert entry.rank_uncertain and entry.best_rank < entry.rank
    above = ranking.of("factory")[entry.best_rank - 1]
    assert above.decision.priority.low == (1.0,)  # it could reach the units scoring 1
    settled = [e for e in ranking if e.decision.priority.settled]
    assert settled and not any(e.rank_uncertain for e in settled)
    for e in ranking:  # a marked place always has something to ask
        assert not e.rank_uncertain or any(q.about == "rank" for q in e.decision.ask_next())
    ineligible = [e for e in ranking if e.decision.status is gr.Status.INELIGIBLE]
    assert any(not e.decision.priority.settled for e in ineligible)
    assert not any(e.rank_uncertain for e in ineligible)


def test_best_rank_keeps_ties_in_input_order(evaluate_factory: Any) -> None:
    """A unit that could at most tie the one above stays below it when it came later."""
    ahead = evaluate_factory(1, industry={"key_field": True, "code": "31"}, energy=_at_benchmark())
    behind = evaluate_factory(2, industry={"key_field": True, "code": "31"}, energy=None)
    assert ahead.priority.low == (1.0,) and behind.priority.high == (1.0,)
    first, second = gr.rank([ahead, behind])
    assert (second.rank, second.best_rank) == (2, 2) and not second.rank_uncertain
    first, second = gr.rank([behind, ahead])
    assert first.decision is ahead and (second.rank, second.best_rank) == (2, 1)


def _at_benchmark() -> list[dict[str, Any]]:
    table = REGISTRY.get("cn-nm", 2025).tables["energy_benchmarks"]
    row = next(r for r in table.rows if r["benchmark"] is not None)
    return [{"product": row["product"], "value": float(row["benchmark"]), "unit": row["unit"]}]


@pytest.fixture
def evaluate_factory(round_: tuple[list[gr.Applicant], list[gr.Decision]]) -> Any:
    """A recommended factory of the example round, changed as asked, then evaluated."""
    entities, decisions = round_
    base = next(
        e
        for e, d in zip(entities, decisions, strict=True)
        if d.status is gr.Status.RECOMMEND and d.programme is gr.Programme.FACTORY
    )

    def run(n: int, **changes: Any) -> gr.Decision:
        data = {**base.model_dump(), **changes, "credit_code": _code(n), "name": f"工厂{n}"}
        return gr.evaluate(gr.Factory.model_validate(data), registry=REGISTRY, **ARGS)

    return run


def _code(n: int) -> str:
    from greenrules._model.credit_code import make_credit_code

    return make_credit_code(f"91150200MA{n:07d}")


# --- what to ask next ------------------------------------------------------------------------


def test_the_methanol_plant_asks_the_pack_for_its_benchmark(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """One question: the benchmark value, from the pack, settling the score, citing 2.1.2-b."""
    decision = next(d for d in round_[1] if d.entity_id == METHANOL)
    (question,) = decision.ask_next()
    assert question.fact == "ref:energy_benchmarks[gb29436.methanol-from-bituminous-coal].benchmark"
    assert (question.asks, question.about, question.settles) == ("pack", "rank", True)
    assert question.clauses == ("NM2025-2.1.2-b",) and question.rules == ("NM25-F-benchmark",)


def test_an_undetermined_unit_is_asked_the_status_fact_first(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """The corn processor: the departments' answer settles its status; its energy only its rank."""
    decision = next(d for d in round_[1] if "玉米" in d.entity_name)
    assert decision.status is gr.Status.UNDETERMINED
    status, rank = decision.ask_next()
    assert (status.fact, status.about, status.settles) == ("department_objection", "status", True)
    assert status.label("zh") == "征求意见部门是否有异议" and status.asks == "applicant"
    assert (rank.fact, rank.about, rank.settles) == ("energy", "rank", False)


def test_a_missing_list_is_asked_as_a_whole_and_settled_units_ask_nothing(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """The park without its enterprise list is asked for the list, not for each field of it."""
    park = next(d for d in round_[1] if "企业名单未报" in d.entity_name)
    assert [(q.fact, q.about) for q in park.ask_next()] == [
        ("enterprises", "status"),
        ("enterprises", "rank"),
    ]
    assert park.priority.high[0] == math.inf
    for decision in round_[1]:
        if decision.status is not gr.Status.UNDETERMINED and decision.priority.settled:
            assert decision.ask_next() == ()
        if decision.status is gr.Status.INELIGIBLE:
            assert all(q.about == "status" for q in decision.ask_next())


def test_a_question_that_settles_does_settle(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """Answering the corn processor's status question either way decides its status."""
    entities, decisions = round_
    index = next(i for i, d in enumerate(decisions) if "玉米" in d.entity_name)
    for answer in (True, False):
        data = {**entities[index].model_dump(), "department_objection": answer}
        decision = gr.evaluate(gr.Factory.model_validate(data), registry=REGISTRY, **ARGS)
        assert decision.status is not gr.Status.UNDETERMINED


# --- decisions as values ---------------------------------------------------------------------

ENGINES = ["native", "columnar"] + ([] if _rete._IMPORT_ERROR else ["rete"])


@pytest.mark.parametrize("engine", ENGINES)
def test_every_decision_pickles_and_reads_back_from_json(
    engine: str, round_: tuple[list[gr.Applicant], list[gr.Decision]]
) -> None:
    """pickle, from_json and pydantic's TypeAdapter give an equal decision, for every engine."""
    pytest.importorskip("polars") if engine == "columnar" else None
    decisions = gr.evaluate_many(round_[0], registry=REGISTRY, engine=engine, **ARGS)
    adapter = pydantic.TypeAdapter(gr.Decision)
    for decision in decisions:
        assert pickle.loads(pickle.dumps(decision)) == decision
        assert gr.Decision.from_json(decision.to_json()) == decision
        assert adapter.validate_json(decision.to_json()) == decision
        assert adapter.validate_python(decision.to_dict()) == decision
        assert adapter.dump_python(decision) == decision.to_dict()
    assert [d.to_dict()["priority"] for d in decisions] == [
        d.to_dict()["priority"] for d in round_[1]
    ]


def test_bad_stored_decisions_are_input_errors() -> None:
    """Text that is not JSON, a list, a wrong shape: typed errors, never a traceback."""
    for text in ("{", "[1]", '{"status": "recommend"}'):
        with pytest.raises(gr.InvalidInputError) as caught:
            gr.Decision.from_json(text)
        assert all(p.code == "bad-decision" for p in caught.value.problems)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(gr.Decision).validate_python({"status": "recommend"})


def test_an_entity_dump_reads_back_with_its_programme(
    round_: tuple[list[gr.Applicant], list[gr.Decision]], tmp_path: Path
) -> None:
    """model_dump() names the programme, so load_entities and the model read it back equal."""
    import json

    entities = round_[0]
    dumps = [e.model_dump(mode="json") for e in entities]
    assert {d["programme"] for d in dumps} == {"factory", "park", "supply_chain"}
    path = tmp_path / "dumped.json"
    path.write_text(json.dumps(dumps, ensure_ascii=False), encoding="utf-8")
    assert gr.load_entities(path) == entities
    assert [type(e).model_validate(e.model_dump()) for e in entities] == entities
    with pytest.raises(pydantic.ValidationError):
        gr.Factory.model_validate({**entities[0].model_dump(), "programme": "park"})


def test_an_entity_pydantic_did_not_validate_is_refused_naming_the_field(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """model_copy(update=...) and model_construct: InvalidInputError at the field, not deep."""
    good = round_[0][0]
    copied = good.model_copy(update={"name": 3, "department_objection": "no"})
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.evaluate_many([good, copied], registry=REGISTRY, **ARGS)
    assert {(p.code, p.loc) for p in caught.value.problems} == {
        ("unvalidated-entity", (1, "name")),
        ("unvalidated-entity", (1, "department_objection")),
    }
    with pytest.raises(gr.InvalidInputError) as caught:
        gr.evaluate(gr.Factory.model_construct(name="x"), registry=REGISTRY, **ARGS)
    assert ("unvalidated-entity", (0, "credit_code")) in {
        (p.code, p.loc) for p in caught.value.problems
    }
    renamed = good.model_copy(update={"name": "改名后的工厂"})  # valid: evaluated as given
    decision = gr.evaluate(renamed, registry=REGISTRY, **ARGS)
    assert decision.entity_name == "改名后的工厂"
    with pytest.raises(pydantic.ValidationError):  # nothing unvalidated hides inside
        gr.Factory(
            credit_code=good.credit_code,
            name="n",
            conformity=gr.Conformity.model_construct(in_production="yes"),
        )


# --- the range is honest: filling in a missing fact stays inside it --------------------------

CONTEXTS = [
    ("CN-NM", 2025, tier, programme)
    for tier in ("province", "national")
    for programme in ("factory", "park", "supply_chain")
    if (tier, programme) != ("national", "supply_chain")  # closed in 2025
] + [("CN", 2024, "national", p) for p in ("factory", "park", "supply_chain")]
CONTEXTS += [("CN", 2025, "national", p) for p in ("factory", "park")]  # chains closed in 2025
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _filled(given: Any, donor: Any, parts: list[str]) -> Any:
    """``given`` with the first value missing along ``parts`` taken from ``donor``."""
    if given is None:
        return donor
    if not parts:
        return given
    if isinstance(given, list):
        donors = donor if isinstance(donor, list) and donor else [None]
        return [_filled(g, donors[i % len(donors)], parts) for i, g in enumerate(given)]
    if isinstance(given, dict):
        inner = donor.get(parts[0]) if isinstance(donor, dict) else None
        return {**given, parts[0]: _filled(given.get(parts[0]), inner, parts[1:])}
    return given


@pytest.mark.parametrize(("jurisdiction", "round_", "tier", "programme"), CONTEXTS)
def test_filling_in_a_missing_fact_never_leaves_the_range(
    jurisdiction: str, round_: int, tier: str, programme: str
) -> None:
    """Fill any facts a decision names missing: the new range lies inside the old, per level."""
    context = {"tier": tier, "round": round_, "jurisdiction": jurisdiction, "registry": REGISTRY}
    ruleset = REGISTRY.ruleset(
        jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme
    )
    people = applicants(programmes=[programme], aim=ruleset)

    @SETTINGS
    @given(people, people, st.data())
    def check(entity: gr.Applicant, donor: gr.Applicant, data: st.DataObject) -> None:
        before = gr.evaluate(entity, **context)
        facts = [f for f in before.missing if not f.startswith(("ref:", "param:"))]
        assume(facts)
        chosen = data.draw(st.lists(st.sampled_from(facts), min_size=1, unique=True))
        filled = entity.model_dump(mode="json")
        for fact in chosen:
            filled = _filled(filled, donor.model_dump(mode="json"), fact.split("."))
        try:
            completed = type(entity).model_validate(filled)
        except pydantic.ValidationError:
            assume(False)  # the donor's value does not fit this entity (e.g. a self route)
            raise
        after = gr.evaluate(completed, **context)
        for low, high, new_low, new_high in zip(
            before.priority.low,
            before.priority.high,
            after.priority.low,
            after.priority.high,
            strict=True,
        ):
            assert low <= new_low <= new_high <= high, (chosen, before.explain(), after.explain())

    check()


def test_the_example_round_filled_in_lands_inside_its_ranges(
    round_: tuple[list[gr.Applicant], list[gr.Decision]],
) -> None:
    """The corn processor's energy at grade 1 scores its highest; the park's list its count."""
    entities, decisions = round_
    corn = next(i for i, d in enumerate(decisions) if "玉米" in d.entity_name)
    energy = [{"product": "gb16780.cement-clinker", "value": 100.0, "unit": "kgce/t"}]
    data = {**entities[corn].model_dump(), "energy": energy}
    after = gr.evaluate(gr.Factory.model_validate(data), registry=REGISTRY, **ARGS)
    assert decisions[corn].priority.high == after.priority.score == (1.0,)

    park = next(i for i, d in enumerate(decisions) if "企业名单未报" in d.entity_name)
    donor = next(e for e in entities if "包头示例稀土新材料" in e.name)
    assert isinstance(donor, gr.IndustrialPark) and donor.enterprises
    data = {**entities[park].model_dump(), "enterprises": donor.model_dump()["enterprises"]}
    after = gr.evaluate(gr.IndustrialPark.model_validate(data), registry=REGISTRY, **ARGS)
    low, high = decisions[park].priority.low, decisions[park].priority.high
    donor_score = next(d for d in decisions if d.entity_id == donor.credit_code).priority.score
    assert after.priority.settled and after.priority.score[0] == donor_score[0] > 0
    assert all(a <= s <= b for a, s, b in zip(low, after.priority.score, high, strict=True))
