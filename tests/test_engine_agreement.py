"""The rete engine and the native engine return identical decisions on generated entities.

Entities come from ``greenrules.testing`` aimed at each rule set's thresholds (values just below,
at and above every constant), with facts left unknown and waivers naming the pack's rules. Any
disagreement is a bug in one engine: fix it and keep the example below as a regression test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenrules as gr
from greenrules._engines import rete as _rete
from greenrules._engines.native import NativeEngine
from greenrules._rules import conditions as c
from greenrules.testing import applicants

pytestmark = pytest.mark.skipif(
    _rete._IMPORT_ERROR is not None, reason="durable-rules cannot be imported on this Python"
)

PACKS = Path(__file__).parent / "packs"
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _test_packs() -> gr.Registry:
    """The synthetic base (ZZ) and region (ZZ-TA, on top of ZZ) packs, round 2030."""
    return gr.Registry([gr.load_pack(PACKS / "base"), gr.load_pack(PACKS / "region")])


CONTEXTS = [
    (registry_name, jurisdiction, round_, tier, programme)
    for registry_name, jurisdiction, round_, tiers in [
        ("installed", "CN-NM", 2025, ("province", "national")),
        ("test", "ZZ", 2030, ("city", "province", "national")),
        ("test", "ZZ-TA", 2030, ("province", "national")),
    ]
    for tier in tiers
    for programme in ("factory", "park", "supply_chain")
    if (jurisdiction, tier, programme) != ("CN-NM", "national", "supply_chain")  # closed in 2025
]
_REGISTRIES: dict[str, gr.Registry] = {}


def registry_named(name: str) -> gr.Registry:
    """One registry per name for the whole session (rule sets compile once)."""
    if name not in _REGISTRIES:
        if name == "installed":
            _REGISTRIES[name] = gr.default_registry()
        else:
            _REGISTRIES[name] = _test_packs()
    return _REGISTRIES[name]


def comparable(decision: gr.Decision) -> tuple[Any, ...]:
    """Everything a decision says, except which engine produced it.

    ``priority`` compares its range too (``low``, ``high``, the unsettled rules), and
    ``ask_next`` the questions the findings lead to.
    """
    return (
        decision.entity_id,
        decision.status,
        decision.review_required,
        decision.priority,
        (decision.priority.low, decision.priority.high, decision.priority.unsettled),
        decision.rule_ids,
        decision.verdicts,
        decision.missing,
        decision.ask_next(),
    )


def assert_agree(registry: gr.Registry, entities: list[Any], **context: Any) -> None:
    """Both engines give the same decision for every entity."""
    native = gr.evaluate_many(entities, registry=registry, engine="native", **context)
    rete = gr.evaluate_many(entities, registry=registry, engine="rete", **context)
    for entity, a, b in zip(entities, native, rete, strict=True):
        assert comparable(a) == comparable(b), entity


@pytest.mark.parametrize(("registry_name", "jurisdiction", "round_", "tier", "programme"), CONTEXTS)
def test_engines_agree_on_generated_entities(
    registry_name: str, jurisdiction: str, round_: int, tier: str, programme: str
) -> None:
    """Status, every verdict, priority and missing facts agree, thresholds and unknowns included."""
    registry = registry_named(registry_name)
    try:
        ruleset = registry.ruleset(
            jurisdiction=jurisdiction, round=round_, tier=tier, programme=programme
        )
    except gr.PackNotFoundError:
        pytest.skip(f"no {tier} {programme} rules in {jurisdiction} {round_}")
    entities = st.lists(applicants(programmes=[programme], aim=ruleset), min_size=1, max_size=12)

    @SETTINGS
    @given(entities)
    def check(batch: list[Any]) -> None:
        assert_agree(registry, batch, tier=tier, round=round_, jurisdiction=jurisdiction)

    check()


def _break(ruleset: Any, rule_id: str, new_op: str) -> Any:
    """A copy of ``ruleset`` whose rule ``rule_id`` compares with ``new_op`` instead."""
    rules = []
    for rule in ruleset.rules:
        if rule.id == rule_id:
            assert isinstance(rule.requires, c.Compare)
            rule = attrs.evolve(rule, requires=attrs.evolve(rule.requires, op=new_op))
        rules.append(rule)
    return attrs.evolve(ruleset, rules=tuple(rules))


def test_a_broken_copy_of_one_rule_is_caught() -> None:
    """Changing one rule's ``le`` to ``lt`` on the rete side only is found by the same check."""
    registry = _test_packs()
    ruleset = registry.ruleset(jurisdiction="ZZ", round=2030, tier="province", programme="factory")
    broken = _break(ruleset, "B-F-deadline", "lt")

    @settings(SETTINGS, max_examples=200, database=None)
    @given(st.lists(applicants(programmes=["factory"], aim=ruleset), min_size=1, max_size=12))
    def check(batch: list[Any]) -> None:
        native = NativeEngine().run(ruleset, batch)
        rete = _rete.rete_engine().run(broken, batch)
        assert [list(v) for v, _ in native] == [list(v) for v, _ in rete]

    with pytest.raises(AssertionError):
        check()


# --- regression examples found by the differential test -----------------------------------


def test_empty_and_unknown_lists_agree() -> None:
    """Empty lists (count 0, every true, some false) and unknown lists (all unknown) agree."""
    registry = _test_packs()
    base = {"name": "n", "conformity": {"in_production": True}, "report": {"route": "self"}}
    factories = [
        gr.Factory.model_validate({**base, "credit_code": _code(i), "energy": energy})
        for i, energy in enumerate([[], None, [{"product": "gizmo", "value": 1.0}]])
    ]
    parks = [
        gr.IndustrialPark.model_validate(
            {**base, "credit_code": _code(10 + i), "enterprises": members}
        )
        for i, members in enumerate([[], None, [{"credit_code": _code(20), "name": "m"}]])
    ]
    for tier in ("city", "province", "national"):
        assert_agree(registry, factories, tier=tier, round=2030, jurisdiction="ZZ")
        assert_agree(registry, parks, tier=tier, round=2030, jurisdiction="ZZ")


def _code(n: int) -> str:
    from greenrules._model.credit_code import make_credit_code

    return make_credit_code(f"91150000MA{n:07d}")
