"""Tests for the generated fast path: it equals the closure compiler, the reference."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import greenrules as gr
from conftest import PACKS, factory
from greenrules._engines.codegen import generate, generate_missing
from greenrules._engines.interpreter import InterpretedProgram
from greenrules._model.entities import ENTITY_TYPES
from greenrules._rules.status import StatusPlan
from greenrules.testing import applicants_for

TEST_REGISTRY = gr.Registry([gr.load_pack(PACKS / "base"), gr.load_pack(PACKS / "region")])


def rulesets() -> list[Any]:
    out = []
    for registry, contexts in (
        (
            TEST_REGISTRY,
            [("ZZ", t) for t in ("city", "province", "national")]
            + [("ZZ-TA", t) for t in ("province", "national")],
        ),
        (gr.default_registry(), [("CN-NM", "province"), ("CN-NM", "national")]),
    ):
        for jurisdiction, tier in contexts:
            round_ = 2030 if jurisdiction.startswith("ZZ") else 2025
            for programme in gr.Programme:
                where = {"jurisdiction": jurisdiction, "round": round_, "tier": tier}
                if registry.closure(**where, programme=programme) is not None:
                    continue  # MIIT takes no supply-chain enterprises nationally in 2025
                out.append(
                    registry.ruleset(
                        jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme
                    )
                )
    return out


RULESETS = rulesets()
PROGRAMS = {
    id(r): (applicants_for(r), generate(r), InterpretedProgram(r), StatusPlan.of(r))
    for r in RULESETS
}


@pytest.mark.parametrize(
    "ruleset", RULESETS, ids=lambda r: f"{r.jurisdiction}-{r.tier}-{r.programme}"
)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_generated_code_equals_the_reference(ruleset: Any, data: st.DataObject) -> None:
    """Verdicts, contributions, status and score match the closure compiler and StatusPlan."""
    entities, fast, reference, plan = PROGRAMS[id(ruleset)]
    entity = data.draw(entities)
    verdicts, points, status, review, score, unknown = fast(entity)
    ref_verdicts, ref_points = reference.run(entity)
    waived = {w.rule for w in entity.waivers}
    assert list(verdicts) == ref_verdicts
    assert list(points) == ref_points
    assert (status, review) == plan.status(ref_verdicts, waived)
    assert score == plan.priority(ref_points)
    assert unknown == [i for i, v in enumerate(ref_verdicts) if v is gr.Verdict.UNKNOWN]


def test_constants_never_enter_the_source(tmp_path: Any) -> None:
    """Pack text reaches generated code through globals only, so it cannot inject code."""
    import shutil

    shutil.copytree(PACKS / "base", tmp_path / "base")
    rules = tmp_path / "base" / "rules" / "factory.yaml"
    hostile = "x'\\n__import__('os').system('false')  # \\u4e2d"
    rules.write_text(
        rules.read_text().replace(
            "requires: {fact: report.route, in: [self, third_party]}",
            f'requires: {{fact: name, ne: "{hostile}"}}',
        )
    )
    registry = gr.Registry([gr.load_pack(tmp_path / "base")])
    ruleset = registry.ruleset(jurisdiction="ZZ", round=2030, tier="city", programme="factory")
    run = generate(ruleset)
    assert "system" not in run.source  # type: ignore[attr-defined]
    assert run(factory())[0][1] is gr.Verdict.PASS


def test_an_empty_rule_set_generates_a_valid_function() -> None:
    """A context with no rules still yields a decision function."""
    ruleset = TEST_REGISTRY.ruleset(
        jurisdiction="ZZ", round=2030, tier="city", programme="supply_chain"
    )
    assert ruleset.rules == ()
    verdicts, points, status, review, score, unknown = generate(ruleset)(
        gr.SupplyChainEnterprise(credit_code=factory().credit_code, name="s")
    )
    assert (verdicts, points, status, review, score, unknown) == (
        (),
        (),
        gr.Status.RECOMMEND,
        False,
        (),
        [],
    )


@pytest.mark.parametrize(
    "ruleset", RULESETS, ids=lambda r: f"{r.jurisdiction}-{r.tier}-{r.programme}"
)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_generated_missing_checks_equal_the_reference(ruleset: Any, data: st.DataObject) -> None:
    """Each rule's generated missing-fact check names exactly what the reference names."""
    entities, _, reference, _ = PROGRAMS[id(ruleset)]
    entity = data.draw(entities)
    checks = MISSING[id(ruleset)]
    for rule, check in zip(ruleset.rules, checks, strict=True):
        assert check(entity) == reference.compiler.missing(list(rule.nodes()), entity), rule.id


MISSING = {id(r): generate_missing(r, ENTITY_TYPES[r.programme]) for r in RULESETS}
