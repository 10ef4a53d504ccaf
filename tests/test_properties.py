"""Property tests of the evaluator's semantics, over entities from greenrules.testing."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import greenrules as gr
from conftest import PACKS
from greenrules._engines.interpreter import ClosureCompiler
from greenrules._rules import conditions as c
from greenrules.testing import factories, parks

REGISTRY = gr.Registry([gr.load_pack(PACKS / "base"), gr.load_pack(PACKS / "region")])
CONTEXTS = [("ZZ", "province"), ("ZZ", "national"), ("ZZ-TA", "province"), ("ZZ-TA", "national")]
RULESETS = [
    REGISTRY.ruleset(jurisdiction=j, round=2030, tier=t, programme=p)
    for j, t in CONTEXTS
    for p in ("factory", "park")
]
AIMED_FACTORIES = factories(aim=RULESETS)
AIMED_PARKS = parks(aim=RULESETS)
ENTITIES = st.one_of(AIMED_FACTORIES, AIMED_PARKS)
CONTEXT = st.sampled_from(CONTEXTS)


def run(entity: Any, context: tuple[str, str]) -> gr.Decision:
    jurisdiction, tier = context
    return gr.evaluate(entity, tier=tier, round=2030, jurisdiction=jurisdiction, registry=REGISTRY)


def known_only_paths() -> set[str]:
    """Facts read by `known`: the one deliberately two-valued test (was it supplied?)."""
    paths: set[str] = set()
    for ruleset in RULESETS:
        for rule in ruleset.rules:
            for node in rule.nodes():
                for sub in c.walk(node):
                    if isinstance(sub, c.Known):
                        paths.add(sub.path)
    return paths


EXCLUDED = known_only_paths()


def erase(entity: gr.Applicant, path: str) -> gr.Applicant:
    """The entity with the fact at ``path`` (in every list item on the way) made unknown."""
    data = entity.model_dump()

    def go(node: Any, parts: list[str]) -> None:
        if isinstance(node, list):
            for item in node:
                go(item, parts)
        elif isinstance(node, dict) and parts[0] in node:
            if len(parts) == 1:
                node[parts[0]] = None
            else:
                go(node[parts[0]], parts[1:])

    go(data, path.split("."))
    return type(entity).model_validate(data)


def optional_paths(entity: gr.Applicant) -> list[str]:
    """Fact paths the rules read that may be unknown, except those read only by `known`."""
    reads = {p for rs in RULESETS for r in rs.rules for p in r.reads()}
    return sorted(
        p
        for p in reads
        if p not in EXCLUDED
        and not any(p.startswith(k + ".") or k.startswith(p + ".") for k in EXCLUDED)
        and p.split(".")[0] in type(entity).model_fields
        and p.split(".")[0] not in ("credit_code", "name")
    )


@settings(max_examples=150)
@given(entity=ENTITIES, context=CONTEXT)
def test_evaluation_is_deterministic(entity: gr.Applicant, context: tuple[str, str]) -> None:
    """The same entity and context give an equal decision, alone or in a batch."""
    first = run(entity, context)
    assert run(entity, context) == first
    jurisdiction, tier = context
    batch = gr.evaluate_many(
        [entity, entity], tier=tier, round=2030, jurisdiction=jurisdiction, registry=REGISTRY
    )
    assert batch == [first, first]


@settings(max_examples=200)
@given(entity=ENTITIES, context=CONTEXT, data=st.data())
def test_adding_a_fact_never_turns_a_known_verdict_unknown(
    entity: gr.Applicant, context: tuple[str, str], data: st.DataObject
) -> None:
    """Kleene logic is monotone: a verdict known without a fact stays known with it."""
    paths = optional_paths(entity)
    path = data.draw(st.sampled_from(paths), label="erased fact")
    try:
        less = erase(entity, path)
    except pydantic.ValidationError:  # the fact is required where it sits (energy.product)
        assume(False)
    fewer, more = run(less, context), run(entity, context)
    for rule, before, after in zip(fewer.rule_ids, fewer.verdicts, more.verdicts, strict=True):
        if before is not gr.Verdict.UNKNOWN:
            assert after is not gr.Verdict.UNKNOWN, (rule, path, before)


@settings(max_examples=200)
@given(entity=ENTITIES, context=CONTEXT)
def test_a_waiver_only_turns_an_in_principle_fail_into_waived(
    entity: gr.Applicant, context: tuple[str, str]
) -> None:
    """Removing every waiver changes only waived verdicts, each back to fail."""
    without = type(entity).model_validate({**entity.model_dump(), "waivers": []})
    with_, bare = run(entity, context), run(without, context)
    strengths = {r.id: r.strength for rs in RULESETS for r in rs.rules}
    for rule, a, b in zip(with_.rule_ids, with_.verdicts, bare.verdicts, strict=True):
        if a is not b:
            assert (a, b) == (gr.Verdict.WAIVED, gr.Verdict.FAIL), rule
            assert strengths[rule] is gr.Strength.IN_PRINCIPLE
    order = ["recommend", "undetermined", "cultivate", "ineligible"]
    if with_.status is not bare.status:
        assert order.index(with_.status) < order.index(bare.status)


def test_known_is_the_only_non_monotone_construct() -> None:
    """Why `known` is excluded above: supplying a fact can make it true and a rule unknown."""
    ruleset = RULESETS[0]
    cond = ClosureCompiler(ruleset).condition(
        c.parse({"all": [{"known": "submitted_on"}, {"fact": "water.key_water_user", "eq": True}]})
    )
    bare = gr.Factory(credit_code="91350100M000100Y43", name="x")
    dated = gr.Factory(credit_code="91350100M000100Y43", name="x", submitted_on="2030-01-01")
    assert cond(bare) is False and cond(dated) is None


@pytest.mark.parametrize("path", sorted(EXCLUDED))
def test_excluded_paths_are_only_those_known_reads(path: str) -> None:
    """The exclusion list is exactly what `known` reads in the test packs."""
    assert path in {"report.agency", "report.agency.blacklisted_on"}
